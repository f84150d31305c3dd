"""Synthesis end to end: each problem is solved, deterministically, and its jbasm text
assembles, verifies and (interpreted) agrees with the reference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from jbgen.synth.search import (
    THROWS,
    Example,
    JType,
    Param,
    Problem,
    SearchOptions,
    reference_problem,
    synthesize,
)
from jbgen.synth.search.ops import DEFAULT_OPS
from jbgen.synth.search.program import Term, columns, run, run_vec
from jbgen.synth.search.semantics import INT_MIN, i32

from .helpers import assemble_and_verify, check_against_reference

I, J, Z, C = JType.INT, JType.LONG, JType.BOOLEAN, JType.CHAR  # noqa: E741
A, B = Param("a", I), Param("b", I)
ARR = Param("xs", JType.INT_ARRAY)
# A Hacker's-Delight grammar, as SyGuS files give one: no library calls.
BITS = frozenset(["iadd", "isub", "iand", "ior", "ixor", "inot", "ineg", "ishr", "iushr", "ishl"])
NO_COMPARE = frozenset(k for k in DEFAULT_OPS if "compare" not in k and "signum" not in k)


def _is_pow2(a: int) -> bool:
    return a > 0 and a & (a - 1) == 0


def _clamp(x: int, lo: int, hi: int) -> int:
    return max(lo, min(x, hi))


# name: (params, return type, reference, problem keywords, expected program or None, largest size)
CASES: dict[str, tuple[list[Param], JType, Callable[..., Any], dict[str, Any], str | None, int]] = {
    "max": ([A, B], I, max, {}, "Math.max(a, b)", 3),
    "min": ([A, B], I, min, {}, "Math.min(a, b)", 3),
    "abs": ([A], I, lambda a: i32(abs(a)), {}, "Math.abs(a)", 2),
    "sign": ([A], I, lambda a: (a > 0) - (a < 0), {}, "Integer.signum(a)", 2),
    "compare": ([A, B], I, lambda a, b: (a > b) - (a < b), {}, "Integer.compare(a, b)", 3),
    "compare-by-cases": ([A, B], I, lambda a, b: (a > b) - (a < b), {"ops": NO_COMPARE}, None, 12),
    "clamp": ([Param("x", I), Param("lo", I), Param("hi", I)], I, _clamp, {}, "Math.max(lo, Math.min(x, hi))", 5),
    "absdiff": ([A, B], I, lambda a, b: i32(abs(a - b)), {}, "Math.max(a, b) - Math.min(a, b)", 7),
    "is-power-of-two": ([A], Z, _is_pow2, {}, None, 9),
    "average": ([A, B], I, lambda a, b: (a + b) >> 1, {"ops": BITS, "constants": (1,), "default_constants": False},
                "(a & b) + ((a ^ b) >> 1)", 9),
    # nine nodes in the full grammar: found by meet-in-the-middle through the `+` at its root
    "midpoint": ([A, B], I, lambda a, b: (a + b) >> 1, {}, None, 9),
    "clear-lowest-bit": ([A], I, lambda a: i32(a & (a - 1)), {"ops": BITS, "constants": (1,), "default_constants": False},
                         "a & (a - 1)", 5),
    "next-power-of-two": ([Param("x", I, lo=1, hi=1 << 30)], I, lambda x: 1 << (x - 1).bit_length(), {}, None, 6),
    "long-max": ([Param("x", J), Param("y", J)], J, max, {}, "Math.max(x, y)", 3),
    "full-product": ([A, B], J, lambda a, b: a * b, {}, "((long) a) * ((long) b)", 5),
    "next-char": ([Param("c", C)], C, lambda c: (c + 1) & 0xFFFF, {}, "c + 1", 3),
    "sum": ([ARR], I, lambda xs: i32(sum(xs)), {}, None, 7),
    "array-max": ([ARR], I, lambda xs: max(xs, default=INT_MIN), {}, None, 7),
    "triangle": ([Param("n", I, lo=0, hi=1000)], I, lambda n: n * (n - 1) // 2, {}, None, 7),
}


def _problem(name: str) -> Problem:
    params, ret, ref, kw, _, _ = CASES[name]
    cls = "synth." + "".join(w.capitalize() for w in name.split("-"))
    return reference_problem(name.replace("-", "_"), params, ret, ref, class_name=cls, **kw)


@pytest.mark.parametrize("name", list(CASES))
def test_synthesizes(name: str, jvm: None) -> None:
    problem = _problem(name)
    result = synthesize(problem, SearchOptions(time_limit=30))
    assert result.ok, result.message
    assert result.checked
    _, _, _, _, expected, largest = CASES[name]
    assert result.program is not None
    if expected is not None:
        assert str(result.program) == expected
    assert result.program.size <= largest, str(result.program)
    text = result.jbasm()
    assemble_and_verify([text])
    checker = problem.checker
    check_against_reference(problem, text, checker.inputs[:300])  # type: ignore[union-attr]


def test_deterministic() -> None:
    first = synthesize(_problem("clamp"))
    second = synthesize(_problem("clamp"))
    assert str(first.program) == str(second.program)
    assert first.stats.enumerated == second.stats.enumerated
    assert first.stats.counterexamples == second.stats.counterexamples


def test_time_budget_reports_stats() -> None:
    # A 9-node term in the full grammar: far beyond a quarter of a second.
    r = synthesize(_problem_avg_full(), SearchOptions(time_limit=0.25))
    assert r.status == "timeout"
    assert r.program is None
    assert r.message.startswith("not found within 0.25 s: ")
    assert r.stats.enumerated > 0 and r.stats.examples >= 4 and r.stats.seconds >= 0.25
    with pytest.raises(ValueError, match="no program"):
        r.jbasm()


def _problem_avg_full() -> Problem:
    return reference_problem("avg", [A, B], I, lambda a, b: (a + b) >> 1)


def test_examples_only() -> None:
    exs = (Example((3, 4), 7), Example((-1, 5), 4), Example((10, -10), 0))
    r = synthesize(Problem("add", (A, B), I, exs))
    assert r.ok and not r.checked
    assert str(r.program) == "a + b"


def test_expected_exception() -> None:
    exs = (Example((7, 2), 3), Example((1, 0), THROWS), Example((-7, 2), -3), Example((9, 3), 3))
    r = synthesize(Problem("div", (A, B), I, exs))
    assert str(r.program) == "a / b"
    # ... and a term that throws where no exception is expected does not fit
    exs2 = (Example((7, 2), 3), Example((1, 0), 0), Example((-7, 2), -3), Example((9, 3), 3))
    r2 = synthesize(Problem("div", (A, B), I, exs2))
    assert r2.ok and r2.program is not None
    assert run(r2.program, (A, B), (1, 0), I) == 0


def test_example_constants_join_the_grammar() -> None:
    exs = (Example((0,), 1234567), Example((1,), 1234568), Example((-5,), 1234562))
    r = synthesize(Problem("shift", (A,), I, exs))
    assert str(r.program) == "a + 1234567"


def test_relational_spec() -> None:
    """max3 given only as a property (SyGuS CLIA style): >= each input, equal to one of them."""
    ps = (Param("x", I), Param("y", I), Param("z", I))

    def spec(ins: list[np.ndarray], out: np.ndarray) -> np.ndarray:
        x, y, z = ins
        return (out >= x) & (out >= y) & (out >= z) & ((out == x) | (out == y) | (out == z))

    rng = np.random.default_rng(1)
    tests = [tuple(int(v) for v in rng.integers(-50, 50, 3)) for _ in range(300)]
    env = columns(ps, tests)

    def checker(program: Term) -> Example | None:
        vals, err = run_vec(program, env, len(tests), I)
        ok = spec([env["x"], env["y"], env["z"]], vals.astype(np.int64)) & ~err
        return None if ok.all() else Example(tests[int(np.argmin(ok))])

    exs = (Example((1, 2, 3)), Example((3, 2, 1)))
    r = synthesize(Problem("max3", ps, I, exs, checker=checker, spec=spec))
    assert r.ok, r.message
    assert r.checked
    assert checker(r.program) is None  # type: ignore[arg-type]


def test_inconsistent_checker() -> None:
    exs = (Example((1,), 1),)
    r = synthesize(Problem("f", (A,), I, exs, checker=lambda p: Example((1,), 2)))
    assert r.status == "inconsistent"


def test_bad_examples_are_refused() -> None:
    with pytest.raises(ValueError, match="must be a int"):
        Problem("f", (A,), I, (Example((1,), 1 << 40),))
    with pytest.raises(ValueError, match="2 inputs, expected 1"):
        Problem("f", (A,), I, (Example((1, 2), 1),))
    with pytest.raises(ValueError, match="examples disagree"):
        synthesize(Problem("f", (A,), I, (Example((1,), 1), Example((1,), 2))))


def test_import_starts_no_jvm() -> None:
    import subprocess
    import sys

    code = ("import sys, jbgen.synth.search as s; "
            "r = s.synthesize(s.reference_problem('m', [s.Param('a', s.JType.INT)], s.JType.INT, lambda a: a ^ 1)); "
            "r.jbasm(); print(sorted(m for m in sys.modules if m in ('jpype', 'jbgen.jvm', 'jbgen.asm.assemble')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def _max_spec_problem(n: int, join: str) -> Problem:
    """The max (or min) of n inputs given only as a property, SyGuS CLIA style."""
    ps = tuple(Param(f"x{i}", I) for i in range(1, n + 1))
    better = np.greater_equal if join == "max" else np.less_equal

    def spec(ins: list[np.ndarray], out: np.ndarray) -> np.ndarray:
        ok = np.ones(np.shape(out), bool)
        one = np.zeros(np.shape(out), bool)
        for x in ins:
            ok &= better(out, x)
            one |= out == x
        return ok & one

    rng = np.random.default_rng(3)
    tests = [tuple(int(v) for v in rng.integers(-50, 50, n)) for _ in range(500)]
    env = columns(ps, tests)

    def checker(program: Term) -> list[Example] | None:
        vals, err = run_vec(program, env, len(tests), I)
        ok = spec([env[p.name] for p in ps], vals.astype(np.int64)) & ~err
        return None if ok.all() else [Example(tests[int(i)]) for i in np.nonzero(~ok)[0][:3]]

    return Problem(f"{join}{n}", ps, I, (Example(tests[0]), Example(tests[1])), checker=checker, spec=spec)


@pytest.mark.parametrize(("n", "join"), [(7, "max"), (10, "max"), (6, "min")])
def test_max_of_many_by_unification_with_max(n: int, join: str) -> None:
    """A Math.max chain of n leaves (2n - 1 nodes): beyond enumeration, and a decision tree
    needs a comparison per pair; unification by Math.max finds it from the inputs at once."""
    r = synthesize(_max_spec_problem(n, join), SearchOptions(time_limit=30))
    assert r.ok and r.checked, r.message
    fn = "Math.max" if join == "max" else "Math.min"
    want = "".join(f"{fn}(x{i}, " for i in range(1, n)) + f"x{n}" + ")" * (n - 1)
    assert str(r.program) == want
    assert r.stats.rounds <= 6
