"""Loop templates: the selection (two accumulators updated under a synthesized condition)
next to the plain folds; each answer assembles, verifies and agrees with the reference."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from jbgen.synth.search import JType, Loop, Param, SearchOptions, reference_problem, synthesize
from jbgen.synth.search.loops import _split
from jbgen.synth.search.program import ACC, BEST, ELEM, INDEX, app, const, run, var

from .helpers import assemble_and_verify, check_against_reference

I = JType.INT  # noqa: E741
XS = Param("xs", JType.INT_ARRAY, lo=-100, hi=100, max_len=12)
K = Param("k", I, lo=-100, hi=100)


def _index_of_max(xs: tuple[int, ...]) -> int:
    return xs.index(max(xs)) if xs else -1


def _last_index_of_min(xs: tuple[int, ...]) -> int:
    return len(xs) - 1 - xs[::-1].index(min(xs)) if xs else -1


def _last_negative(xs: tuple[int, ...]) -> int:
    return max((i for i, x in enumerate(xs) if x < 0), default=-1)


def _first_above(xs: tuple[int, ...], k: int) -> int:
    return next((i for i, x in enumerate(xs) if x > k), -1)


# name: (params, reference); every one is a selection, none a plain fold of (acc, x)
SELECTIONS: dict[str, tuple[list[Param], Callable[..., Any]]] = {
    "index-of-max": ([XS], _index_of_max),
    "last-index-of-min": ([XS], _last_index_of_min),
    "first-above": ([XS, K], _first_above),
    "last-negative": ([XS], _last_negative),
}


@pytest.mark.parametrize("name", list(SELECTIONS))
def test_selections(name: str, jvm: None) -> None:
    params, ref = SELECTIONS[name]
    cls = "synth." + "".join(w.capitalize() for w in name.split("-"))
    problem = reference_problem(name.replace("-", "_"), params, I, ref, class_name=cls)
    r = synthesize(problem, SearchOptions(time_limit=30))
    assert r.ok and r.checked, r.message
    prog = r.program
    assert isinstance(prog, Loop) and prog.cond is not None, str(prog)
    text = r.jbasm()
    assemble_and_verify([text])
    check_against_reference(problem, text, problem.checker.inputs[:300])  # type: ignore[union-attr]


def test_index_of_max_is_the_expected_program() -> None:
    r = synthesize(reference_problem("indexOfMax", [XS], I, _index_of_max))
    assert str(r.program) == (
        "int acc$ = -1; int best$ = 0; for (int i$ = 0; i$ < xs.length; i$++) { int x$ = xs[i$]; "
        "if ((acc$ < 0) || (best$ < x$)) { acc$ = i$; best$ = x$; } } return acc$;")
    assert r.program is not None and r.program.size == 15
    again = synthesize(reference_problem("indexOfMax", [XS], I, _index_of_max))
    assert str(again.program) == str(r.program) and again.stats.enumerated == r.stats.enumerated


def test_no_second_accumulator_when_the_condition_needs_none() -> None:
    r = synthesize(reference_problem("lastNegative", [XS], I, _last_negative))
    assert str(r.program) == ("int acc$ = -1; for (int i$ = 0; i$ < xs.length; i$++) { int x$ = xs[i$]; "
                              "if (x$ < 0) { acc$ = i$; } } return acc$;")
    assert r.program is not None and r.program.size == 9 and "best$" not in r.jbasm()


def test_a_plain_fold_is_not_taken_for_a_selection() -> None:
    # The sum is a fold: the fold template answers first, with its smaller loop.
    r = synthesize(reference_problem("sum", [XS], I, lambda xs: sum(xs)))
    assert isinstance(r.program, Loop) and r.program.cond is None
    assert str(r.program) == "int acc$ = 0; for (int x$ : xs) acc$ = acc$ + x$; return acc$;"


def test_probes_show_a_selection_is_not_a_fold() -> None:
    # Short arrays over 0..2 repeat (acc, x) pairs with different results: no fold.
    problem = reference_problem("indexOfMax", [XS], I, _index_of_max)
    assert _split(problem, list(problem.examples), "array", XS, SearchOptions()) is None
    split = _split(problem, list(problem.examples), "select", XS, SearchOptions())
    assert split is not None
    # the condition's examples under "best is the element kept, starting at 0"
    task = split.cond_task(var(ELEM, I), const(0, I))
    assert task is not None
    first = {ex.inputs: ex.output for ex in task.examples}
    assert first[(-1, 0, 0, 0)] is True  # the first element is always taken
    assert first[(0, 2, 1, 1)] is False  # a smaller one never
    assert first[(0, 1, 1, 1)] is False  # nor an equal one: the first index wins


def test_selection_semantics_scalar_and_vector_agree() -> None:
    from jbgen.synth.search.program import columns, run_vec

    acc, best, x, i = var(ACC, I), var(BEST, I), var(ELEM, I), var(INDEX, I)
    # the index of the last maximum, started from xs.length (a parameter-dependent init)
    lp = Loop("array", "xs", const(-1, I), i, app("or", app("icmplt", acc, const(0, I)), app("icmple", best, x)),
              x, const(0, I))
    inputs = [((),), ((3,),), ((1, 3, 3, 2),), ((-5, -5),), ((0, -1, 0),)]
    want = [-1, 0, 2, 1, 2]
    assert [run(lp, (XS,), inp, I) for inp in inputs] == want
    vals, err = run_vec(lp, columns((XS,), inputs), len(inputs), I)
    assert vals.tolist() == want and not err.any()
    assert lp.size == 3 + 1 + 1 + 1 + 7 + 1 + 1


def test_a_selection_needs_all_its_parts() -> None:
    with pytest.raises(ValueError, match="needs both keep and best_init"):
        Loop("array", "xs", const(-1, I), var(INDEX, I), const(True, JType.BOOLEAN), keep=var(ELEM, I))
    with pytest.raises(ValueError, match="needs a cond"):
        Loop("array", "xs", const(-1, I), var(INDEX, I), keep=var(ELEM, I), best_init=const(0, I))
    with pytest.raises(ValueError, match="runs over an array"):
        Loop("range", "n", const(-1, I), var(INDEX, I), const(True, JType.BOOLEAN))
