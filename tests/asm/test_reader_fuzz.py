"""Fuzzing the reader: for any bytes, only ClassFormatError escapes.

Random byte strings, and valid classes (the hand-built seeds in
``fixtures/broken-classes/seeds``) with a few random flips, overwrites,
insertions, deletions and truncations.  The reader's last-resort guard turns
any unexpected Python error into "malformed class file: ..."; these tests also
insist that it is never needed, so every corruption found gets its own message.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jbgen.asm.reader import read_class
from jbgen.errors import ClassFormatError

SEEDS = [
    p.read_bytes()
    for p in sorted(
        (Path(__file__).resolve().parents[2] / "fixtures/broken-classes/seeds").glob("*.class")
    )
]
MAGIC = b"\xca\xfe\xba\xbe"

FUZZ = settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)


def _read(data: bytes) -> None:
    try:
        read_class(data, "fuzz.class")
    except ClassFormatError as exc:
        assert len(exc.diagnostics) == 1
        assert not exc.message.startswith("malformed class file"), exc.message


# A mutation: (kind, position as a fraction of the length, operand).  Operands
# favour the values that break class files: small numbers (constant-pool indices
# just past a pool's end, counts, tags, opcodes) and the edges of u1/u2/s2.
_mutation = st.tuples(
    st.sampled_from(["flip", "set", "insert", "delete", "truncate", "u2", "u2"]),
    st.floats(min_value=0, max_value=1, exclude_max=True),
    st.one_of(
        st.integers(min_value=0, max_value=0x1FF),
        st.sampled_from([0x7F, 0x80, 0xFF, 0x7FFF, 0x8000, 0xFFFF]),
        st.integers(min_value=0, max_value=0xFFFF),
    ),
)


def _mutate(data: bytes, mutations: list[tuple[str, float, int]]) -> bytes:
    d = bytearray(data)
    for kind, where, value in mutations:
        i = int(where * len(d))
        if kind == "flip" and d:
            d[i] ^= 1 << (value % 8)
        elif kind == "set" and d:
            d[i] = value & 0xFF
        elif kind == "insert":
            d[i:i] = value.to_bytes(2, "big")[: 1 + value % 2]
        elif kind == "delete":
            del d[i : i + 1 + value % 16]
        elif kind == "truncate":
            del d[i:]
        elif kind == "u2" and i + 2 <= len(d):
            d[i : i + 2] = value.to_bytes(2, "big")
    return bytes(d)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes(data: bytes) -> None:
    _read(data)


@FUZZ
@given(st.binary(max_size=600))
def test_random_bytes_after_the_magic(data: bytes) -> None:
    _read(MAGIC + data)


@settings(FUZZ, max_examples=1500)
@given(st.sampled_from(SEEDS), st.lists(_mutation, min_size=1, max_size=4))
def test_mutated_seeds(seed: bytes, mutations: list[tuple[str, float, int]]) -> None:
    _read(_mutate(seed, mutations))


@FUZZ
@given(st.sampled_from(SEEDS), st.integers(min_value=0, max_value=1 << 16))
def test_every_truncation(seed: bytes, cut: int) -> None:
    if cut < len(seed):
        _read(seed[:cut])
