"""The sandbox's behaviour with well-behaved and misbehaving classes: values, batches,
instances, reuse, recycling, limits, output."""

from __future__ import annotations

import math
import struct
import time

import pytest

from jbgen.sandbox import Call, Float32, JavaObject, Limits, WorkerPool

from .conftest import FAST, ROOT, classes, live_workers

V = "sbx.Values"


def test_examples_clamp_and_fib_thousands_of_cases(pool):
    cls = classes(str(ROOT / "examples" / "Clamp.jbasm"), str(ROOT / "examples" / "Fib.jbasm"))
    with pool.session(cls, FAST) as s:
        assert s.link() == []
        xs = range(-3000, 3000)
        r = s.run([Call("clamp", "(III)I", (x, -1000, 1000)) for x in xs])
        assert [o.value for o in r] == [min(max(x, -1000), 1000) for x in xs]
        assert all(o.kind == "return" for o in r)
        r = s.run([Call("fib", "(I)J", (n,)) for n in range(100)], cls="examples.Fib")
        a, b, want = 0, 1, []
        for _ in range(100):
            want.append((a + 2**63) % 2**64 - 2**63)  # Java long wraparound
            a, b = b, a + b
        assert [o.value for o in r] == want
    assert r[10].detail == "fib(10) returned 55L"


INTS = [0, 1, -1, 2**31 - 1, -(2**31), 12345, -987654]
LONGS = [0, 1, -1, 2**63 - 1, -(2**63), 2**40 + 3]
DOUBLE_BITS = [0x0000000000000000, 0x8000000000000000, 0x7FF0000000000000, 0xFFF0000000000000,
               0x7FF8000000000000, 0x7FF8000000000001, 0xFFF8DEADBEEF0001, 0x0000000000000001,
               0x3FF199999999999A, 0x7FEFFFFFFFFFFFFF]
FLOAT_BITS = [0x00000000, 0x80000000, 0x7F800000, 0xFF800000, 0x7FC00000, 0x7FC00001, 0xFFC12345,
              0x00000001, 0x3F8CCCCD, 0x7F7FFFFF]


def _dbits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _bits_double(b: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def test_primitive_conversions_are_exact(pool):
    calls = ([Call("i", "(I)I", (x,)) for x in INTS] + [Call("j", "(J)J", (x,)) for x in LONGS]
             + [Call("s", "(S)S", (x,)) for x in (0, -1, 32767, -32768)]
             + [Call("b", "(B)B", (x,)) for x in (0, -1, 127, -128)]
             + [Call("z", "(Z)Z", (x,)) for x in (True, False)]
             + [Call("c", "(C)C", (x,)) for x in ("a", "\0", "\uffff", "\ud800", "é")])
    with pool.session(classes("Values"), FAST) as s:
        r = s.run(calls)
        assert [o.value for o in r] == [c.args[0] for c in calls]
        assert type(r[0].value) is int and type(r[-7].value) is bool and r[-1].value == "é"
        # Doubles: every bit pattern back, NaN payloads and signs included.
        r = s.run([Call("d", "(D)D", (_bits_double(b),)) for b in DOUBLE_BITS])
        assert [_dbits(o.value) for o in r] == DOUBLE_BITS
        r = s.run([Call("doubleBits", "(D)J", (_bits_double(b),)) for b in DOUBLE_BITS])
        assert [o.value & 0xFFFF_FFFF_FFFF_FFFF for o in r] == DOUBLE_BITS
        # Floats: as Float32 with their exact bits (a quiet NaN's payload survives the trip).
        r = s.run([Call("f", "(F)F", (Float32.from_bits(b),)) for b in FLOAT_BITS])
        assert all(isinstance(o.value, Float32) for o in r)
        assert [o.value.bits for o in r] == FLOAT_BITS
        r = s.run([Call("floatBits", "(F)I", (Float32.from_bits(b),)) for b in FLOAT_BITS])
        assert [o.value & 0xFFFF_FFFF for o in r] == FLOAT_BITS
        # A plain float argument is rounded to float32 as Java's (float) cast does.
        r = s.run([Call("f", "(F)F", (1.1,)), Call("f", "(F)F", (1e300,)), Call("fdiv", "(FF)F", (1.0, 3.0))])
        assert r[0].value == struct.unpack("<f", struct.pack("<f", 1.1))[0]
        assert r[1].value == math.inf
        assert r[2].value.bits == 0x3EAAAAAB
        r = s.run([Call("dsqrt", "(D)D", (2.0,)), Call("add", "(II)I", (2**31 - 1, 1)),
                   Call("lmul", "(JJ)J", (2**62, 4)), Call("nothing", "()V")])
        assert r[0].value == math.sqrt(2.0) and r[1].value == -(2**31) and r[2].value == 0
        assert r[3].kind == "return" and r[3].value is None and r[3].detail == "nothing() returned"


def test_signalling_nan_float_bits_as_far_as_java_keeps_them(pool):
    """A float signalling NaN: Java may quieten it (x86 loads/stores keep it; arithmetic would not)."""
    with pool.session(classes("Values"), FAST) as s:
        r = s.run([Call("fromBits", "(I)F", (0x7F800001,)), Call("f", "(F)F", (Float32.from_bits(0x7F800001),))])
    for o in r:
        assert math.isnan(o.value)
        assert o.value.bits in (0x7F800001, 0x7FC00001)


def test_strings_arrays_boxes_and_objects(pool):
    weird = ["", "plain", "tab\t\"quote\"\n", "\ud800 lone", "\U0001F600 astral", "x" * 10_000, "\0nul",
             "\udc00\ud800 low then high", "a\udc00\ud800\U0001F600b", "\ud800\U00010000"]
    with pool.session(classes("Values"), FAST) as s:
        r = s.run([Call("str", "(Ljava/lang/String;)Ljava/lang/String;", (w,)) for w in weird]
                  + [Call("str", "(Ljava/lang/String;)Ljava/lang/String;", (None,))])
        assert [o.value for o in r] == weird + [None]
        # Two code points that form a pair are the same Java string as the astral character.
        r = s.run([Call("str", "(Ljava/lang/String;)Ljava/lang/String;", ("\ud800\udc00",))])
        assert r[0].value == "\U00010000"
        r = s.run([Call("len", "(Ljava/lang/String;)I", ("\U0001F600",)),
                   Call("append", "(Ljava/lang/String;C)Ljava/lang/String;", ("ab", "\udc00"))])
        assert r[0].value == 2  # UTF-16 code units, as in Java
        assert r[1].value == "ab\udc00"
        arrays = [
            ("ia", "[I", [1, -2, 2**31 - 1]), ("la", "[J", [2**63 - 1, -1]), ("sa", "[S", [-32768, 7]),
            ("ba", "[B", [-128, 127]), ("za", "[Z", [True, False, True]), ("ca", "[C", ["a", "\ud800"]),
            ("stra", "[Ljava/lang/String;", ["x", None, ""]), ("iaa", "[[I", [[1], [], None, [2, 3]]),
            ("ia", "[I", []), ("ia", "[I", None),
        ]
        r = s.run([Call(m, f"({d}){d}", (v,)) for m, d, v in arrays])
        assert [o.value for o in r] == [v for _, _, v in arrays]
        r = s.run([Call("da", "([D)[D", ([_bits_double(b) for b in DOUBLE_BITS],)),
                   Call("fa", "([F)[F", ([Float32.from_bits(b) for b in FLOAT_BITS],))])
        assert [_dbits(x) for x in r[0].value] == DOUBLE_BITS
        assert [x.bits for x in r[1].value] == FLOAT_BITS
        r = s.run([Call("sum", "([I)I", (list(range(1000)),))])
        assert r[0].value == sum(range(1000))
        obj = "(Ljava/lang/Object;)Ljava/lang/Object;"
        r = s.run([Call("boxed", "(Ljava/lang/Integer;)Ljava/lang/Integer;", (5,)),
                   Call("boxed", "(Ljava/lang/Integer;)Ljava/lang/Integer;", (None,)),
                   Call("boxedD", "(Ljava/lang/Double;)Ljava/lang/Double;", (-0.0,)),
                   Call("obj", obj, (7,)), Call("obj", obj, (2**40,)), Call("obj", obj, ("s",)),
                   Call("obj", obj, (True,)), Call("obj", obj, (1.5,)), Call("obj", obj, (Float32(2.5),)),
                   Call("newObject", "()Ljava/lang/Object;")])
        assert [o.value for o in r[:9]] == [5, None, -0.0, 7, 2**40, "s", True, 1.5, 2.5]
        assert math.copysign(1, r[2].value) == -1 and isinstance(r[8].value, Float32)
        assert isinstance(r[9].value, JavaObject) and r[9].value.class_name == "java.lang.Object"


def test_arguments_are_checked_before_anything_runs(pool):
    with pool.session(classes("Values"), FAST) as s:
        with pytest.raises(ValueError, match="int out of range: 2147483648"):
            s.run([Call("i", "(I)I", (2**31,))])
        with pytest.raises(TypeError, match="char needs"):
            s.run([Call("c", "(C)C", ("ab",))])
        with pytest.raises(ValueError, match="takes 2 argument"):
            s.run([Call("add", "(II)I", (1,))])
        with pytest.raises(TypeError, match="boolean needs a bool"):
            s.run([Call("z", "(Z)Z", (1,))])


def test_exceptions_with_messages_and_frames(pool):
    with pool.session(classes("Values"), FAST) as s:
        r = s.run([Call("div", "(II)I", (1, 0)), Call("fail", "(Ljava/lang/String;)I", ("bad input",)),
                   Call("fail", "(Ljava/lang/String;)I", (None,)), Call("missing", "()V"),
                   Call("i", "(I)I", (4,), static=False), Call("div", "(II)I", (7, 2))])
    div0, bad, null_msg, missing, not_static, ok = r
    assert div0.kind == "throw" and div0.exception == "java.lang.ArithmeticException"
    assert div0.message == "/ by zero" and div0.detail == "div(1, 0) threw java.lang.ArithmeticException: / by zero"
    assert div0.frames and div0.frames[0].startswith("sbx.Values.div(")
    assert bad.exception == "java.lang.IllegalArgumentException" and bad.message == "bad input"
    assert null_msg.message is None and null_msg.detail.endswith("IllegalArgumentException")
    assert missing.kind == "throw" and missing.exception == "java.lang.NoSuchMethodError"
    assert not_static.kind == "throw"
    assert ok.value == 3


def test_stack_overflow_is_caught_per_call(pool):
    with pool.session(classes("Values"), FAST) as s:
        r = s.run([Call("fibr", "(I)J", (20,)), Call("fibr", "(I)J", (-100000,)), Call("fibr", "(I)J", (100000,)),
                   Call("fibr", "(I)J", (21,))])
    assert r[0].value == 6765 and r[3].value == 10946
    assert r[1].value == -100000  # n < 2 returns n
    assert r[2].kind == "stackoverflow" and r[2].detail == "StackOverflowError in fibr(100000)"


def test_instance_calls_on_one_object_and_fresh_objects(pool):
    with pool.session(classes("Counter"), FAST) as s:
        seq = [Call("add", "(I)I", (1,), static=False), Call("add", "(I)I", (2,), static=False),
               Call("twice", "(I)I", (21,)), Call("get", "()I", (), static=False)]
        r = s.run(seq, constructor=Call("<init>", "(I)V", (10,)))
        assert [o.value for o in r] == [11, 13, 42, 13]
        r = s.run(seq)  # the no-argument constructor, a new object for this batch
        assert [o.value for o in r] == [1, 3, 42, 3]
        r = s.run(seq, instance="call", constructor=Call("<init>", "(I)V", (10,)))
        assert [o.value for o in r] == [11, 12, 42, 10]
        many = s.run([Call("add", "(I)I", (1,), static=False)] * 5000)
        assert many[-1].value == 5000


def test_a_failing_constructor_is_every_instance_call_outcome(pool):
    with pool.session(classes("BadCtor"), FAST) as s:
        r = s.run([Call("get", "()I", (), static=False)] * 3)
    assert [o.kind for o in r] == ["throw"] * 3
    assert r[0].exception == "java.lang.IllegalStateException" and r[0].message == "no instances"
    assert r[0].detail.startswith("no instance for get(): new BadCtor() threw java.lang.IllegalStateException")


def test_link_errors_are_diagnostics(pool):
    with pool.session(classes("BadVerify", "Values"), FAST) as s:
        diags = s.link()
        assert len(diags) == 1
        assert "VerifyError" in diags[0].message and "sbx.BadVerify" in diags[0].message
        r = s.run([Call("wrong", "()Ljava/lang/String;")], cls="sbx.BadVerify")
        assert r[0].kind == "throw" and "VerifyError" in (r[0].exception or "")
        assert s.run([Call("i", "(I)I", (1,))], cls=V)[0].value == 1


def test_workers_are_reused_and_sessions_do_not_see_each_other(pool):
    sees = "(Ljava/lang/String;)Z"
    with pool.session(classes("Values"), FAST) as s:
        assert s.run([Call("sees", sees, ("sbx.Values",))])[0].value is True
    started = pool.started
    t0 = time.monotonic()
    with pool.session(classes("Counter", "Values"), FAST) as s2:
        took = time.monotonic() - t0
        r = s2.run([Call("sees", sees, ("sbx.Counter",)), Call("sees", sees, ("examples.Clamp",))], cls=V)
    assert pool.started == started, "the second session should reuse the warm worker"
    assert took < 0.5, f"a session on a warm worker took {took:.2f} s"
    assert [o.value for o in r] == [True, False]
    # The same class name with other bytes: each session has its own loader.
    other = classes("Values")["sbx.Values"].replace(b"one", b"two")
    with pool.session({"sbx.Values": other}, FAST) as s3:
        assert s3.run([Call("version", "()Ljava/lang/String;")])[0].value == "two"
    with pool.session(classes("Values"), FAST) as s4:
        assert s4.run([Call("version", "()Ljava/lang/String;")])[0].value == "one"


def test_a_crash_mid_batch_is_named_and_the_rest_still_runs(pool):
    started = pool.started
    with pool.session(classes("Values"), FAST) as s:
        r = s.run([Call("i", "(I)I", (1,)), Call("exit", "(I)V", (3,)), Call("i", "(I)I", (2,))])
        assert [o.kind for o in r] == ["return", "crash", "return"]
        assert r[1].detail == "the JVM exited with status 3 in exit(3)"
        assert [r[0].value, r[2].value] == [1, 2]
        assert s.run([Call("add", "(II)I", (1, 2))])[0].value == 3  # the session goes on, on a new worker
        assert s.workers_used >= 2
    assert pool.started > started


def test_a_timeout_names_the_call_and_keeps_the_results_around_it(pool):
    limits = Limits(heap_mb=64, call_timeout_s=0.5)
    with pool.session(classes("Values"), limits) as s:
        t0 = time.monotonic()
        r = s.run([Call("spin", "(I)I", (1,)), Call("spin", "(I)I", (-1,)), Call("spin", "(I)I", (2,))])
        took = time.monotonic() - t0
    assert [o.kind for o in r] == ["return", "timeout", "return"]
    assert r[1].detail == "timed out after 0.5 s in spin(-1)"
    assert r[1].frames and r[1].frames[0].startswith("sbx.Values.spin(")
    assert [r[0].value, r[2].value] == [1, 2]
    assert took < 10


def test_a_timeout_on_a_shared_instance_skips_the_calls_after_it(pool):
    limits = Limits(heap_mb=64, call_timeout_s=0.5)
    with pool.session(classes("Counter"), limits) as s:
        r = s.run([Call("add", "(I)I", (1,), static=False), Call("hang", "(I)I", (0,), static=False),
                   Call("add", "(I)I", (1,), static=False)])
    assert [o.kind for o in r] == ["return", "timeout", "skipped"]
    assert r[0].value == 1
    assert "hang(0)" in r[2].detail


def test_the_contract_time_limit(pool):
    limits = Limits(heap_mb=64, call_timeout_s=1.0, contract_timeout_s=1.2)
    with pool.session(classes("Values"), limits) as s:
        r = s.run([Call("sleep", "(I)V", (500,))] * 4)
        kinds = [o.kind for o in r]
        assert kinds[:2] == ["return", "return"]
        assert kinds[2] == "timeout" and "contract's time limit of 1.2 s" in r[2].detail
        assert kinds[3] == "skipped"
        assert s.expired
        later = s.run([Call("i", "(I)I", (1,))])
        assert later[0].kind == "skipped" and "contract's time limit" in later[0].detail


def test_oom_recycles_the_worker(pool):
    with pool.session(classes("Values"), FAST) as s:
        r = s.run([Call("bomb", "()I"), Call("i", "(I)I", (9,))])
        assert r[0].kind == "oom" and r[0].detail.startswith("OutOfMemoryError in bomb()")
        assert r[1].value == 9
        before = s.workers_used
        assert s.run([Call("i", "(I)I", (10,))])[0].value == 10
        assert s.workers_used == before + 1


def test_stdout_and_stderr_are_captured_per_batch(pool):
    with pool.session(classes("Values"), FAST) as s:
        r = s.run([Call("hello", "(I)Ljava/lang/String;", (x,)) for x in (1, 2)])
        assert r.stdout == "hello 1\nhello 2\n" and r.stderr == "oops 1\noops 2\n" and not r.truncated
        r2 = s.run([Call("i", "(I)I", (1,))])
        assert r2.stdout == "" and r2.stderr == ""
    small = Limits(heap_mb=64, output_limit=10)
    with pool.session(classes("Values"), small) as s:
        r = s.run([Call("hello", "(I)Ljava/lang/String;", (x,)) for x in range(5)])
        assert r.stdout == "hello 0\nhe" and r.truncated


def test_environment_has_no_secrets(pool, secrets):
    with pool.session(classes(str(ROOT / "fixtures" / "hostile" / "run-getenv-secret.jbasm")), FAST) as s:
        r = s.run([Call("run", "()Ljava/lang/String;")])
    text = r[0].value
    assert text.startswith("key=null env={")
    for v in secrets.values():
        assert v not in text
    assert "HOME=/" in text and "jbgen-worker-" in text  # HOME is the worker's own folder


def test_confinement_on_linux(confinement):
    assert confinement.rlimits.get("core") == 0
    assert confinement.rlimits.get("fsize", 0) > 0
    if not confinement.fs_confined:
        pytest.skip("no Landlock on this kernel: the worker is not confined to its folder")
    assert confinement.exec_denied


def test_closing_a_pool_leaves_no_worker(secrets):
    with WorkerPool(max_idle=2) as p:
        p.prestart(FAST)
        with p.session(classes("Values"), FAST) as s:
            s.run([Call("i", "(I)I", (1,))])
        pids = {w.proc.pid for w in p._all}
        assert pids and pids <= set(live_workers())
    assert not pids & set(live_workers())


def test_workers_exit_when_jbgen_is_killed(tmp_path, monkeypatch):
    """A jbgen process that dies (SIGKILL) mid-batch leaves no worker behind."""
    import os
    import signal
    import subprocess
    import sys
    import tempfile

    # A private temp root, so that no other pool on the machine sweeps the folder first.
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))

    script = tmp_path / "victim.py"
    script.write_text(
        "import sys\n"
        "from jbgen.api import assemble_text\n"
        "from jbgen.sandbox import Call, Limits, WorkerPool\n"
        f"(a,) = assemble_text(open({str(ROOT / 'tests/sandbox/data/Values.jbasm')!r}).read(), 'V.jbasm')\n"
        "pool = WorkerPool()\n"
        "s = pool.session({'sbx.Values': a.data}, Limits(heap_mb=64, call_timeout_s=600))\n"
        "print(s._worker.proc.pid, flush=True)\n"
        "s.run([Call('spin', '(I)I', (-1,))])\n"
    )
    victim = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True, cwd=ROOT,
                              env={**os.environ, "TMPDIR": str(private)})
    try:
        pid = int(victim.stdout.readline())
        time.sleep(0.5)  # the batch is running
        victim.send_signal(signal.SIGKILL)
        victim.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            os.killpg(pid, signal.SIGKILL)
            raise AssertionError("the worker outlived jbgen by 10 s")
        # Its folder stays behind (nobody alive may remove it) until a pool sweeps it.
        from jbgen.sandbox.pool import _WORKDIR_PREFIX, _tmp_root, sweep_stale_workdirs

        mine = f"{_WORKDIR_PREFIX}{victim.pid}-"
        assert any(n.startswith(mine) for n in os.listdir(_tmp_root()))
        assert sweep_stale_workdirs() >= 1
        assert not any(n.startswith(mine) for n in os.listdir(_tmp_root()))
    finally:
        victim.kill()


def test_a_pool_left_open_is_closed_at_exit(tmp_path):
    """A program that forgets WorkerPool.close() leaves neither workers nor folders."""
    import os
    import subprocess
    import sys

    from jbgen.sandbox.pool import _WORKDIR_PREFIX, _tmp_root

    script = tmp_path / "forgetful.py"
    script.write_text(
        "import os\n"
        "from jbgen.api import assemble_text\n"
        "from jbgen.sandbox import Call, WorkerPool\n"
        f"(a,) = assemble_text(open({str(ROOT / 'tests/sandbox/data/Values.jbasm')!r}).read(), 'V.jbasm')\n"
        "pool = WorkerPool()\n"
        "s = pool.session({'sbx.Values': a.data})\n"
        "print(os.getpid(), s._worker.proc.pid, s.run([Call('i', '(I)I', (7,))])[0].value, flush=True)\n"
    )
    p = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=ROOT, timeout=120)
    parent, worker, value = p.stdout.split()
    assert value == "7", p.stderr
    assert not any(n.startswith(f"{_WORKDIR_PREFIX}{parent}-") for n in os.listdir(_tmp_root()))
    deadline = time.monotonic() + 10
    while _alive(int(worker)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(int(worker))


def _alive(pid: int) -> bool:
    import os

    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
