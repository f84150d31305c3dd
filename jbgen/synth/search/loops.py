"""Loop templates: a fold over an ``int[]`` and a counted loop over ``0..n``.

``acc = init; for (int x : arr) acc = step(acc, x, ...)`` and
``acc = init; for (int i = 0; i < n; i++) acc = step(acc, i, ...)``.

Enumerating ``init`` and ``step`` together and running every pair would be
quadratic; instead the reference function splits the question in two plain
programming-by-example tasks: ``init`` must give ``f([])`` (``f(n = 0)``), and
``step`` must take ``f(prefix)`` and the next element to ``f(prefix + [x])``
(``f(n = i)`` and ``i`` to ``f(n = i + 1)``).  Both are solved by the term
search; the whole loop then goes to the checker like any candidate, and a
counterexample's prefixes join the step examples in the next round.

So loops need ``Problem.reference`` (a contract's oracle); without one the
templates are not tried.
"""

from __future__ import annotations

from typing import Any

from jbgen.synth.search.checker import call, generate_inputs
from jbgen.synth.search.problem import THROWS, Example, JType, Param, Problem
from jbgen.synth.search.program import ACC, ELEM, INDEX, Loop, Program, Term

MAX_TRIPS = 10_000  # largest declared trip count for which the counted loop is tried
_CHAIN = 24  # prefixes taken from one counted-loop example
_SAMPLES = 10  # generated inputs added to the problem's examples


def solve_loop(problem: Problem, examples: list[Example], kind: str, over: Param, opts: Any, deadline: float,
               stats: Any) -> Program | None:
    from jbgen.synth.search import cegis

    ref = problem.reference
    assert ref is not None
    others = [p for p in problem.params if p is not over and p.type is not JType.INT_ARRAY]
    pos = {p.name: i for i, p in enumerate(problem.params)}
    samples = [ex.inputs for ex in examples]
    samples += generate_inputs(problem.params, problem.seed, _SAMPLES)[: 2 * _SAMPLES]

    init_ex: list[Example] = []
    step_ex: list[Example] = []
    for inp in samples:
        rest = tuple(inp[pos[p.name]] for p in others)

        def at(prefix: Any, inp: tuple[Any, ...] = inp) -> Any:
            args = list(inp)
            args[pos[over.name]] = prefix
            return call(ref, args)

        init_ex.append(Example(rest, at(() if kind == "array" else 0)))
        steps: list[tuple[Any, int, Any]]
        if kind == "array":
            arr = tuple(inp[pos[over.name]])
            steps = [(arr[:k], arr[k], arr[: k + 1]) for k in range(len(arr))]
        else:
            n = int(inp[pos[over.name]])
            steps = [(i, i, i + 1) for i in range(max(0, min(n, _CHAIN)))]
        for before, x, after in steps:
            acc = at(before)
            if acc is THROWS:
                break
            step_ex.append(Example((acc, x, *rest), at(after)))
    try:
        init_ex = cegis._dedup(init_ex)
        step_ex = cegis._dedup(step_ex)
    except ValueError:
        return None  # the function is not a fold of this shape
    consts = cegis.problem_constants(problem)
    ops = problem.ops if problem.ops is not None else cegis.DEFAULT_OPS
    acc_t = problem.returns
    init_task = cegis.Task(tuple(others), acc_t, init_ex, frozenset(ops), consts, None, opts.conditionals)
    xname = ELEM if kind == "array" else INDEX
    step_params = (Param(ACC, acc_t), Param(xname, JType.INT), *others)
    step_task = cegis.Task(step_params, acc_t, step_ex, frozenset(ops), consts, None, opts.conditionals)
    init = cegis.solve(init_task, opts, deadline, stats)
    if init is None:
        return None
    step = cegis.solve(step_task, opts, deadline, stats) if step_ex else Term("var", acc_t.bank, value=ACC)
    if step is None or not isinstance(init, Term) or not isinstance(step, Term):
        return None
    return Loop(kind, over.name, init, step)
