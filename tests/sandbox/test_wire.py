"""The sandbox's pure-Python parts: values and their wire form, message framing, the
worker's environment.  No JVM, no worker."""

from __future__ import annotations

import json
import math
import os
import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jbgen.sandbox import Call, Float32, JavaObject, Limits, protocol, render_call
from jbgen.sandbox.confine import is_secret_name, worker_env
from jbgen.sandbox.values import decode, decoder, encode, encode_args, parse_method_descriptor

# ----------------------------------------------------------------------------- values


def wire_trip(value, desc):
    """Through the wire as the parent sends it and reads it back (the worker echoes the form)."""
    return decode(json.loads(json.dumps(encode(value, desc))), desc)


@given(st.integers(-(2**31), 2**31 - 1))
def test_ints_travel_exactly(x):
    assert wire_trip(x, "I") == x
    assert decoder("I")(x) == x


@given(st.integers(-(2**63), 2**63 - 1))
def test_longs_travel_exactly(x):
    assert wire_trip(x, "J") == x


@given(st.integers(0, 2**64 - 1))
def test_doubles_travel_bit_exactly(bits):
    x = struct.unpack("<d", struct.pack("<Q", bits))[0]
    back = wire_trip(x, "D")
    assert struct.unpack("<Q", struct.pack("<d", back))[0] == bits


@given(st.integers(0, 2**32 - 1))
def test_float32_travel_bit_exactly(bits):
    back = wire_trip(Float32.from_bits(bits), "F")
    assert isinstance(back, Float32) and back.bits == bits


@given(st.text())
def test_strings_travel_exactly(s):
    assert wire_trip(s, "Ljava/lang/String;") == s


@given(st.lists(st.one_of(st.none(), st.lists(st.integers(-(2**31), 2**31 - 1)))))
def test_nested_arrays_travel_exactly(xs):
    assert wire_trip(xs, "[[I") == xs


def test_float32_rounds_as_java_casts():
    assert Float32(1.1).bits == 0x3F8CCCCD
    assert Float32(1e300) == math.inf and Float32(-1e300) == -math.inf
    assert Float32(3.4028235e38).bits == 0x7F7FFFFF  # rounds down to the largest float
    assert Float32(3.4028235677973366e38) == math.inf  # the halfway point rounds to even: infinity
    assert math.isnan(Float32(math.nan))
    assert repr(Float32.from_bits(0x7FC00001)) == "Float32.from_bits(0x7fc00001)"


def test_boxes_and_objects():
    assert wire_trip(None, "Ljava/lang/Integer;") is None
    assert wire_trip(5, "Ljava/lang/Integer;") == 5
    assert encode(5, "Ljava/lang/Object;") == ["I", 5]
    assert encode(2**40, "Ljava/lang/Object;") == ["J", 2**40]
    assert encode("s", "Ljava/lang/CharSequence;") == ["Ljava/lang/String;", "s"]
    assert decode({"class": "demo.P", "id": 42}, "Ldemo/P;") == JavaObject("demo.P", 42)


@pytest.mark.parametrize("value,desc,error", [
    (2**31, "I", "int out of range"), (-129, "B", "byte out of range"), (True, "I", "needs an int"),
    (1.5, "J", "needs an int"), ("ab", "C", "char needs"), ("\U0001F600", "C", "char needs"),
    (1, "Z", "boolean needs a bool"), ("1", "D", "double needs a float"), (5, "Ljava/lang/String;", "String needs"),
    ([1, "x"], "[I", r"\[1\]: int needs an int"), (object(), "Ljava/lang/Object;", "cannot pass"),
])
def test_values_that_do_not_fit_are_refused(value, desc, error):
    with pytest.raises((TypeError, ValueError), match=error):
        encode(value, desc, "x")


def test_the_worker_is_not_trusted_with_ints():
    with pytest.raises(ValueError):
        decoder("I")(2**31)
    with pytest.raises(ValueError):
        decoder("S")("5")
    with pytest.raises(ValueError):
        decoder("Z")(1)


def test_descriptors():
    assert parse_method_descriptor("(I[JLjava/lang/String;[[Ljava/util/List;)V") == (
        ("I", "[J", "Ljava/lang/String;", "[[Ljava/util/List;"), "V")
    for bad in ("I", "(I", "(Q)V", "(I)", "(Ljava.lang.String;)V", "()VV"):
        with pytest.raises(ValueError):
            parse_method_descriptor(bad)
    with pytest.raises(ValueError, match="takes 2 argument"):
        encode_args((1,), ("I", "I"), "f(II)I")


def test_calls_render_as_java():
    assert render_call(Call("clamp", "(III)I", (5, -1, 2**31 - 1))) == "clamp(5, -1, 2147483647)"
    assert render_call(Call("f", "(JFDCZ)V", (1, 1.5, math.nan, "'", True))) == "f(1L, 1.5f, Double.NaN, '\\'', true)"
    assert render_call(Call("s", "(Ljava/lang/String;[I)V", ('a"\n\ud800', list(range(20))))) == (
        's("a\\"\\n\\ud800", {0, 1, 2, 3, 4, 5, 6, 7, ...(20 items)})')
    assert render_call(Call("n", "(Ljava/lang/Object;)V", (None,))) == "n(null)"
    assert render_call(Call("<init>", "(I)V", (3,), static=False)) == "new(3)"


def test_limits_are_checked():
    with pytest.raises(ValueError, match="heap_mb"):
        Limits(heap_mb=1)
    with pytest.raises(ValueError, match="call_timeout_s"):
        Limits(call_timeout_s=0)


# ----------------------------------------------------------------------------- protocol


def test_messages_frame_and_unframe():
    r, w = os.pipe()
    try:
        msgs = [{"op": "x", "n": i, "s": "\ud800é" * i} for i in range(5)]
        for m in msgs:
            protocol.send(w, m)
        assert [protocol.recv(r) for _ in msgs] == msgs
    finally:
        os.close(r)
        os.close(w)


def test_the_reader_refuses_what_is_not_a_message():
    for junk in (b"\x00\x00\x00\x03abc", b"\x00\x00\x00\x02[]", b"\x00\x00\x00\x02{}", b"\x00\x00\x00\x04\xff\xfe{}"):
        rd = protocol.Reader()
        rd.feed(junk)
        with pytest.raises(protocol.ProtocolError):
            rd.take()
    rd = protocol.Reader(limit=100)
    rd.feed(b"\x7f\xff\xff\xff")
    with pytest.raises(protocol.ProtocolError, match="over the limit"):
        rd.take()
    rd = protocol.Reader()
    whole = protocol.encode({"op": "ok"})
    rd.feed(whole[:3])
    assert rd.take() is None
    rd.feed(whole[3:])
    assert rd.take() == {"op": "ok"}
    deep = b"[" * 100_000 + b"]" * 100_000
    rd = protocol.Reader()
    rd.feed(len(deep).to_bytes(4, "big") + deep)
    with pytest.raises(protocol.ProtocolError):
        rd.take()


# ----------------------------------------------------------------------------- environment


def test_the_worker_environment_is_an_allowlist_without_credentials():
    parent = {"PATH": "/usr/bin", "ANTHROPIC_API_KEY": "k", "GITHUB_TOKEN": "t", "AWS_ACCESS_KEY_ID": "a",
              "HOME": "/root", "SSH_AUTH_SOCK": "/s", "JBGEN_JAVA_HOME": "/jdk", "PYTHONPATH": "/src",
              "DATABASE_PASSWORD": "p", "LD_PRELOAD": "/evil.so", "OPENAI_API_KEY": "o"}
    env = worker_env("/work/w1", ["-Xmx64m", "-Xss1m"], parent)
    assert env == {"PATH": "/usr/bin", "JBGEN_JAVA_HOME": "/jdk", "PYTHONPATH": "/src", "LANG": "C.UTF-8",
                   "LC_ALL": "C.UTF-8", "HOME": "/work/w1", "TMPDIR": "/work/w1", "PYTHONDONTWRITEBYTECODE": "1",
                   "PYTHONNOUSERSITE": "1", "JBGEN_JVM_OPTIONS": "-Xmx64m -Xss1m"}
    for name in ("ANTHROPIC_API_KEY", "X_TOKEN", "aws_region", "GITHUB_SHA", "MY_SECRET", "DB_PASSWORD", "PRIVATE_KEY"):
        assert is_secret_name(name), name
    for name in ("PATH", "LANG", "HOME", "JBGEN_JAVA_HOME"):
        assert not is_secret_name(name), name
