"""The search's machinery on its own: levels cut short and resumed, improving an accepted
answer by going on with the same enumeration, the unifier's bit-set cover test, and
boolean trees written as ``&&``/``||``."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from jbgen.synth.search import Example, JType, Param, SearchOptions, reference_problem, synthesize
from jbgen.synth.search.cegis import SearchStats, Solver, Task, bool_ite, problem_constants, task_of
from jbgen.synth.search.enumerator import Enough
from jbgen.synth.search.ops import DEFAULT_OPS
from jbgen.synth.search.problem import THROWS
from jbgen.synth.search.program import app, const, run, var
from jbgen.synth.search.semantics import i32
from jbgen.synth.search.unify import Unifier

I, Z = JType.INT, JType.BOOLEAN  # noqa: E741
A, B = Param("a", I), Param("b", I)
INF = float("inf")


def _task(ref: object, n: int = 12) -> Task:
    p = reference_problem("f", [A, B], I, ref, initial=n)  # type: ignore[arg-type]
    return task_of(p, list(p.examples), SearchOptions())


def _banks(solver: Solver) -> list[tuple[str, int, bytes]]:
    return [(t.name, b.size, b.vals.tobytes()) for t, banks in solver.en.banks.items() for b in banks if b is not None]


def test_a_level_cut_short_resumes_where_it_stopped() -> None:
    task = _task(lambda a, b: i32((a ^ b) * 3 - b))
    whole = Solver(task, SearchOptions(), INF, SearchStats())
    for _ in range(4):
        whole.en.grow()
    cut = Solver(task, SearchOptions(), INF, SearchStats())
    cut.en.max_enumerated = 1000  # level 3 or 4 stops part way, more than once
    stops = 0
    while cut.en.level < 4 or not cut.en.complete:
        try:
            cut.en.grow()
        except Enough:
            stops += 1
            assert not cut.en.complete
            cut.en.max_enumerated += 1000
    assert stops > 3
    # the same rows, in the same order, as without the interruptions
    assert _banks(cut) == _banks(whole)
    assert cut.en.stats.enumerated == whole.en.stats.enumerated


def test_improving_goes_on_with_the_same_enumeration() -> None:
    task = _task(lambda a, b: a - (a & b))
    stats = SearchStats()
    s = Solver(task, SearchOptions(), INF, stats)
    first = s.next()  # meet in the middle answers first, cutting its level short
    assert str(first) == "a - (a & b)" and stats.bounded and not s.en.complete
    smaller = s.next(below=first.size)  # type: ignore[union-attr]
    assert str(smaller) == "a & ~b" and not stats.bounded
    # Going on from where the level was cut evaluates exactly the terms one search without
    # the stop would have: nothing is enumerated twice.
    fresh = SearchStats()
    assert str(Solver(task, SearchOptions(), INF, fresh).next(extra=10**9)) == "a & ~b"
    assert stats.enumerated == fresh.enumerated


def test_the_improvement_budget_is_a_count_of_terms() -> None:
    # midpoint: 9 nodes by meet in the middle; nothing smaller within the budget
    p = reference_problem("avg", [A, B], I, lambda a, b: (a + b) >> 1)
    small = synthesize(p, SearchOptions(improve_terms=50_000))
    large = synthesize(p, SearchOptions(improve_terms=300_000))
    assert str(small.program) == str(large.program) == "(a & b) + ((a ^ b) >> 1)"
    # checked between batches of evaluations: within a batch of the budget
    assert abs((large.stats.enumerated - small.stats.enumerated) - 250_000) < 100_000


def test_candidates_go_to_the_checker_before_any_extra_effort() -> None:
    calls: list[str] = []
    p = reference_problem("avg", [A, B], I, lambda a, b: (a + b) >> 1)
    checker = p.checker
    assert checker is not None

    def spy(prog: object) -> object:
        calls.append(str(prog))
        return checker(prog)  # type: ignore[arg-type]

    from dataclasses import replace

    r = synthesize(replace(p, checker=spy), SearchOptions(improve_terms=0))
    assert r.ok and calls[-1] == str(r.program)
    # every round's first fit was checked, including wrong meet-in-the-middle bounds
    assert len(calls) == r.stats.rounds and len(calls) >= 3


def _naive_best_cover(C: np.ndarray, sizes: np.ndarray, side: np.ndarray) -> float:
    ok = [i for i in range(C.shape[0]) if not (side & ~C[i]).any()]
    return float(min(sizes[ok])) if ok else INF


@pytest.mark.parametrize("seed", range(6))
def test_cover_sizes_on_bit_sets_match_a_plain_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    E = [5, 63, 64, 65, 130, 200][seed]
    C = rng.random((40, E)) < 0.8
    sizes = rng.integers(1, 9, 40)
    u = Unifier(C, sizes, [(int(s), i) for i, s in enumerate(sizes)], np.zeros((1, E), bool), None,
                np.ones(1, int), [(1, 0)])
    sides = rng.random((25, E)) < 0.3
    got, _ = u._best_cover(sides)
    want = [_naive_best_cover(u.C, u.cs, s) for s in sides]
    assert got.tolist() == want


P, Q = var("p", Z), var("q", Z)
X, Y = var("x", I), var("y", I)


@pytest.mark.parametrize(("then", "else_", "shown"), [
    (const(True, Z), Q, "(x < y) || q"),
    (Q, const(False, Z), "(x < y) && q"),
    (const(False, Z), Q, "(y <= x) && q"),
    (Q, const(True, Z), "(y <= x) || q"),
    (P, Q, "(x < y) ? p : q"),
])
def test_boolean_trees_with_a_constant_branch_are_and_or(then: object, else_: object, shown: str) -> None:
    cond = app("icmplt", X, Y)
    t = bool_ite(cond, then, else_)  # type: ignore[arg-type]
    assert str(t) == shown
    ite = app("zite", cond, then, else_)  # type: ignore[arg-type]
    params = (Param("x", I), Param("y", I), Param("p", Z), Param("q", Z))
    for inp in itertools.product([0, 1, -1], [0, 1], [False, True], [False, True]):
        assert run(t, params, inp, Z) == run(ite, params, inp, Z)
    assert t.size <= ite.size


def test_a_negation_that_costs_a_node_stays_a_conditional() -> None:
    # `!p` would add a node: `p ? false : q` keeps its shape
    assert str(bool_ite(P, const(False, Z), Q)) == "p ? false : q"
    # a throwing condition still throws first, as `?:` does
    div = app("icmpeq", app("idiv", X, Y), const(0, I))
    t = bool_ite(div, const(True, Z), P)
    assert run(t, (Param("x", I), Param("y", I), Param("p", Z)), (1, 0, True), Z) is THROWS


def test_task_helpers_are_deterministic() -> None:
    p = reference_problem("f", [A], I, lambda a: a, examples=[Example((5,), 5)])
    assert problem_constants(p) == problem_constants(p)
    assert set(task_of(p, list(p.examples), SearchOptions()).ops) == set(DEFAULT_OPS)
