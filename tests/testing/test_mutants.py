"""Wrong implementations fail, each with the Java-style message of the check that caught it.

Every mutant is a reference `.jbasm` with one deliberate bug, written to a tmp
folder: an off-by-one, a wrong sign, an overflow, a magic value that only the
seeding with the class's constants finds, a wrong exception, a hang, and bugs
that only sequences of calls on one instance show.  Messages are checked
exactly where the shrunk input is certain, by shape where it depends on the
random batch.
"""

from __future__ import annotations

import re
from pathlib import Path

from jbgen.sandbox import WorkerPool
from jbgen.testing import Verdict
from jbgen.testing import report as rep
from tests.testing.conftest import CONTRACTS, mutant, run


def failures(v: Verdict) -> dict[str, list[str]]:
    """Failure messages by check kind (and the verdict is a test failure: exit code 4)."""
    assert v.tests is not None, [d.render() for d in v.diagnostics]
    assert v.exit_code == 4 and v.failed_stage == "tests"
    out: dict[str, list[str]] = {}
    for f in v.tests.failures:
        out.setdefault(f.kind, []).append(f.message)
    return out


def test_off_by_one_is_shrunk_to_the_smallest_call(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Clamp.jbasm", "        iload hi\n        ireturn\n",
                 "        iload hi\n        iconst_1\n        isub\n        ireturn\n")
    v = run(pool, CONTRACTS / "clamp.toml", bad)
    assert v.exit_code == 4
    got = failures(v)
    assert got["example"] == ["clamp(42, 0, 10) returned 9, expected 10"]
    assert got["oracle"] == ["clamp(1, 0, 0) returned -1, expected 0"]
    assert got["property"][0] == "clamp(1, 0, 0) returned -1, but the property `lo <= result <= hi` is false"
    oracle = next(f for f in v.tests.failures if f.kind == "oracle")  # type: ignore[union-attr]
    assert oracle.original is not None and oracle.original != oracle.call  # it was shrunk
    assert oracle.class_path == str(bad) and oracle.class_line == 3  # the method's line in the .jbasm


def test_off_by_one_in_a_loop_over_an_array(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "IndexOfMax.jbasm", "if_icmple Next", "if_icmplt Next")
    got = failures(run(pool, CONTRACTS / "index-of-max.toml", bad))
    assert got["example"] == ["indexOfMax(new int[]{5, 5}) returned 1, expected 0"]
    assert got["oracle"] == ["indexOfMax(new int[]{0, 0}) returned 1, expected 0"]


def test_wrong_sign(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Abs.jbasm", "ifge NotNegative", "ifle NotNegative")
    v = run(pool, CONTRACTS / "abs.toml", bad)
    assert v.exit_code == 4
    got = failures(v)
    assert got["example"] == ["abs(5) returned -5, expected 5"]
    assert got["oracle"] == ["abs(1) returned -1, expected 1"]


def test_overflow_found_by_the_oracle_on_generated_inputs(pool: WorkerPool, tmp_path: Path) -> None:
    # (a + b) >> 1: right for small ints (every example passes), wrong when a + b overflows.
    bad = mutant(tmp_path, "Midpoint.jbasm", "        iand\n        iload a\n        iload b\n        ixor\n        iconst_1\n        ishr\n        iadd\n",
                 "        iadd\n        iconst_1\n        ishr\n")
    v = run(pool, CONTRACTS / "midpoint.toml", bad)
    got = failures(v)
    assert "example" not in got
    (msg,) = got["oracle"]
    m = re.fullmatch(r"midpoint\((-?\d+), (-?\d+)\) returned (-?\d+), expected (-?\d+)", msg)
    assert m, msg
    a, b = int(m[1]), int(m[2])
    assert not -(2**31) <= a + b < 2**31  # the shrunk input still overflows
    assert int(m[4]) == (a + b) // 2


def test_overflow_in_an_int_accumulator(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "ArraySum.jbasm", "        iaload\n        i2l\n        ladd\n",
                 "        iaload\n        i2l\n        ladd\n        l2i\n        i2l\n")
    got = failures(run(pool, CONTRACTS / "array-sum.toml", bad))
    assert got["example"] == ["sum(new int[]{2147483647, 2147483647}) returned -2L, expected 4294967294L"]
    assert got["oracle"] == ["sum(new int[]{1, 2147483647}) returned -2147483648L, expected 2147483648L"]


def test_a_magic_value_is_found_only_by_seeding_the_class_constants(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Clamp.jbasm", "    NotBelow:\n        iload x\n",
                 "    NotBelow:\n        iload x\n        sipush 1337\n        if_icmpne Usual\n"
                 "        iconst_0\n        ireturn\n    Usual:\n        iload x\n")
    seeded = run(pool, CONTRACTS / "clamp.toml", bad)
    assert seeded.exit_code == 4
    got = failures(seeded)
    assert got["oracle"] == ["clamp(1337, 0, 1) returned 0, expected 1"]
    assert got["property"][0] == "clamp(1337, 1, 1) returned 0, but the property `lo <= result <= hi` is false"
    blind = run(pool, CONTRACTS / "clamp.toml", bad, seed_constants=False)
    assert blind.exit_code == 0  # boundary values and random inputs alone miss it


def test_wrong_exception(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "FloorDiv.jbasm", "        .local long q\n",
                 "        .local long q\n        lload b\n        lconst_0\n        lcmp\n        ifne NonZero\n"
                 "        new IllegalArgumentException\n        dup\n        ldc \"b is zero\"\n"
                 "        invokespecial IllegalArgumentException.<init>(String)void\n        athrow\n    NonZero:\n")
    v = run(pool, CONTRACTS / "floor-div.toml", bad)
    got = failures(v)
    expected = ("threw java.lang.IllegalArgumentException: b is zero, "
                "expected to throw java.lang.ArithmeticException")
    assert got["example"] == [f"floorDiv(1L, 0L) {expected}"]
    assert got["oracle"] == [f"floorDiv(0L, 0L) {expected}"]
    # The class ran with its .jbasm lines as line numbers, so the failure names the line where
    # the exception was made (Java fills a stack trace in the constructor).
    example = next(f for f in v.tests.failures if f.kind == "example")  # type: ignore[union-attr]
    assert example.class_line is not None
    line = bad.read_text().splitlines()[example.class_line - 1].strip()
    assert line == "invokespecial IllegalArgumentException.<init>(String)void"


def test_a_missing_exception(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Reverse.jbasm", "    public static String reverse(String s) {\n",
                 "    public static String reverse(String s) {\n        aload s\n        ifnonnull Go\n"
                 "        ldc \"\"\n        areturn\n    Go:\n")
    got = failures(run(pool, CONTRACTS / "reverse.toml", bad))
    assert got["example"] == ['reverse(null) returned "", expected to throw java.lang.NullPointerException']
    assert got["oracle"] == ['reverse(null) returned "", expected to throw java.lang.NullPointerException']


def test_a_hang_is_a_timeout_at_the_looping_line(pool: WorkerPool, tmp_path: Path) -> None:
    # x >>= 1 (arithmetic shift) never reaches 0 for a negative x.
    bad = mutant(tmp_path, "Bits.jbasm", "        lload x\n        lload x\n        lconst_1\n        lsub\n        land\n",
                 "        lload x\n        iconst_1\n        lshr\n")
    contract = tmp_path / "bits.toml"
    contract.write_text((CONTRACTS / "bits.toml").read_text() + "\n[policy]\ncall_timeout_s = 0.5\n")
    v = run(pool, contract, bad)
    assert v.exit_code == 4
    hang = next(f for f in v.tests.failures if f.kind == "example")  # type: ignore[union-attr]
    assert hang.message == "timed out after 0.5 s in bitCount(-1L)"
    assert hang.outcome == "timeout"
    # Stopped somewhere in the loop of bitCount (lines between `Loop:` and `goto Loop`).
    lines = bad.read_text().splitlines()
    assert hang.class_line is not None
    assert lines.index("    Loop:") < hang.class_line <= lines.index("        goto Loop") + 1
    # Its examples hung, so bitCount got no calls beyond its 4 examples; lowestOneBit still did.
    checks = {(c.kind, c.method): c for c in v.tests.checks}  # type: ignore[union-attr]
    runs = checks[("runs", "static int bitCount(long x)")]
    assert runs.cases == 4 and runs.failure is not None and runs.failure.outcome == "timeout"
    assert checks[("runs", "static int lowestOneBit(int x)")].cases > 100


def test_stateful_bug_in_a_counter(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "BoundedCounter.jbasm", "        iconst_3\n        if_icmplt Ok", "        iconst_4\n        if_icmplt Ok")
    v = run(pool, CONTRACTS / "bounded-counter.toml", bad)
    assert v.exit_code == 4
    assert failures(v) == {"stateful": [
        "BoundedCounter s = new BoundedCounter(); s.increment(); s.increment(); s.increment(); "
        "s.increment() returned, expected to throw java.lang.IllegalStateException"
    ]}
    f = v.tests.failures[0]  # type: ignore[union-attr]
    assert f.steps == ("s.increment()",) * 3 and f.call == "s.increment()"


def test_stateful_bug_in_a_stack(pool: WorkerPool, tmp_path: Path) -> None:
    # peek reads items[size / 2]: right for one or two values, wrong from three on.
    bad = mutant(tmp_path, "IntStack.jbasm", "        getfield IntStack.size:int\n        iconst_1\n        isub\n        iaload",
                 "        getfield IntStack.size:int\n        iconst_2\n        idiv\n        iaload")
    got = failures(run(pool, CONTRACTS / "int-stack.toml", bad))
    (msg,) = got["stateful"]
    m = re.fullmatch(r"IntStack s = new IntStack\(\); ((?:s\.push\(-?\d+\); ){3})s\.(peek|pop)\(\) returned (-?\d+), expected (-?\d+)", msg)
    assert m, msg


def test_failures_render_as_located_diagnostics(pool: WorkerPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Abs.jbasm", "ifge NotNegative", "ifle NotNegative")
    v = run(pool, CONTRACTS / "abs.toml", bad)
    text = "\n".join(d.render() for d in rep.diagnostics(v))
    assert f"{bad}:3:5: error: example: abs(5) returned -5, expected 5" in text
    assert "note: shrunk from abs(5)" in text
    assert f"note: contract: {CONTRACTS / 'abs.toml'}:12" in text
    assert "note: reproduce with --seed 0" in text
