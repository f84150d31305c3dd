"""Loop templates: folds over an ``int[]`` or over ``0..n``, and selections over an ``int[]``.

``acc = init; for (int x : arr) acc = step(acc, x, ...)`` (an array fold),
``acc = init; for (int i = 0; i < n; i++) acc = step(acc, i, ...)`` (a counted
loop), and a *selection*, a fold with a second accumulator that the condition
reads::

    acc = init; best = best_init;
    for (int i = 0; i < arr.length; i++) { int x = arr[i];
        if (cond(acc, best, x, i, ...)) { acc = step(acc, x, i, ...); best = keep(x, i, ...); } }
    return acc;

(the index of the largest element, of the first one over a bound, of the
smallest absolute value, ...).

Enumerating the parts together and running every combination would be far too
slow; instead the reference function splits the question into plain
programming-by-example tasks.  For a fold: ``init`` must give ``f([])``
(``f(n = 0)``), and ``step`` must take ``f(prefix)`` and the next element to
``f(prefix + [x])`` (``f(n = i)`` and ``i`` to ``f(n = i + 1)``).  For a
selection: ``init`` gives ``f([])``; the condition held at step ``k`` exactly
when the result changed there (``f(prefix + [x]) != f(prefix)``), and ``step``
gives the new result at those steps.  The second accumulator is never seen
from outside, so its parts are hypotheses, tried in a fixed order: ``keep`` is
``x``, then ``i``; ``best_init`` one of the first grammar constants.  Each
hypothesis fixes the value of ``best`` before every step, and with it the
examples of the condition, a boolean task.  The first hypothesis whose
condition is found within a fixed effort wins.  All parts are solved by the term
search; the whole loop then goes to the checker like any candidate, and a
counterexample's prefixes join the parts' examples in the next round.

Some inputs are *probes*: short arrays over a few small values.  Their prefixes
repeat the same (accumulator, element) pairs often, so a function that is not
a fold shows it at once (two prefixes with the same pair want different
results) instead of after a long search for a step that does not exist.

So loops need ``Problem.reference`` (a contract's oracle); without one the
templates are not tried.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from jbgen.synth.search import cegis
from jbgen.synth.search.checker import call, generate_inputs
from jbgen.synth.search.enumerator import TermLimit, Timeout
from jbgen.synth.search.problem import THROWS, Example, JType, Param, Problem
from jbgen.synth.search.program import (
    ACC,
    BEST,
    ELEM,
    INDEX,
    Loop,
    Program,
    Term,
    const,
    eval_scalar,
    var,
)
from jbgen.synth.search.semantics import JavaArithmeticException

MAX_TRIPS = 10_000  # largest declared trip count for which the counted loop is tried
_CHAIN = 24  # prefixes taken from one counted-loop example
_SAMPLES = 10  # generated inputs added to the problem's examples
_PROBE_VALUES = (0, 1, 2)  # elements of the probe arrays (those within the parameter's range)
_PROBE_LEN = 3  # probe arrays: every array of up to this length over the probe values
SELECT_TERMS = 300_000  # terms spent on the condition of one hypothesis of a selection
_BEST_INITS = 4  # best_init hypotheses: the first int constants of the grammar


class LoopStrategy(cegis.Strategy):
    """One loop template over one parameter: ``kind`` is ``array`` (a fold), ``select`` (a
    selection) or ``range`` (a counted loop)."""

    def __init__(self, problem: Problem, kind: str, over: Param, opts: Any, deadline: float,
                 stats: Any) -> None:
        assert problem.reference is not None
        self.problem, self.kind, self.over = problem, kind, over
        self.opts, self.deadline, self.stats = opts, deadline, stats

    def __call__(self, examples: list[Example]) -> Program | None:
        split = _split(self.problem, examples, self.kind, self.over, self.opts)
        if split is None:
            return None
        init = self._solve(split.init)
        if init is None:
            return None
        if self.kind != "select":
            step = self._solve(split.step) if split.step.examples else var(ACC, split.acc_type)
            if step is None:
                return None
            return Loop(self.kind, self.over.name, init, step)
        if not split.step.examples:
            return None  # the result never changes: a plain term, not a selection
        step = self._solve(split.step)
        if step is None:
            return None
        for keep, best_init in _hypotheses(self.problem):
            task = split.cond_task(keep, best_init)
            if task is None:
                continue  # the condition's examples contradict each other
            try:
                cond = cegis.Solver(task, self.opts, self.deadline, self.stats).next(effort=SELECT_TERMS)
            except TermLimit:
                cond = None
            if isinstance(cond, Term):
                if BEST not in _names(cond):
                    return Loop("array", self.over.name, init, step, cond)  # no second accumulator needed
                return Loop("array", self.over.name, init, step, cond, keep, best_init)
        return None

    def _solve(self, task: cegis.Task) -> Term | None:
        # The whole loop goes to the checker (the reference), which teaches: no extra effort.
        t = cegis.Solver(task, self.opts, self.deadline, self.stats).next()
        return t if isinstance(t, Term) else None

    def improve(self, program: Program, examples: list[Example]) -> Program:
        """Each part (``init``, ``step``, ``cond``) in turn: a smaller term fitting the same part
        examples, kept when the checker accepts the whole loop; ``improve_terms`` in all."""
        if not isinstance(program, Loop) or self.problem.checker is None:
            return program
        split = _split(self.problem, examples, self.kind, self.over, self.opts)
        if split is None:
            return program
        end = self.stats.enumerated + cegis.improve_budget(self.opts, self.stats)
        for name in ("init", "step", "cond"):
            part = program.parts().get(name)
            if part is None or part.size <= 1:
                continue
            hyp = (program.keep, program.best_init) if program.keep is not None and \
                program.best_init is not None else _hypotheses(self.problem)[0]
            if name == "cond":
                task = split.cond_task(*hyp)
            else:
                task = split.init if name == "init" else split.step
            if task is None or not task.examples:
                continue
            solver = cegis.Solver(task, self.opts, self.deadline, self.stats)
            try:
                while part.size > 1 and self.stats.enumerated < end:
                    cand = solver.next(below=part.size, effort=end - self.stats.enumerated)
                    if not isinstance(cand, Term):
                        break
                    plain = not self.stats.bounded  # the smallest there is: the search ends with it
                    trial = _with_part(program, name, cand, hyp)
                    # (not smaller: a condition that needs the second accumulator it did without)
                    if trial.size < program.size:
                        self.stats.rounds += 1
                        if self.problem.checker(trial):
                            break  # fits the part's examples but not the whole loop: keep what we have
                        program, part = trial, cand
                    if plain:
                        break
            except (Timeout, TermLimit):
                break
        return program


def _names(t: Term) -> set[str]:
    """The variables a term reads."""
    out = {t.value} if t.op == "var" else set()
    for a in t.args:
        out |= _names(a)
    return out


def _with_part(loop: Loop, name: str, term: Term, hyp: tuple[Term, Term]) -> Loop:
    if name == "init":
        return replace(loop, init=term)
    if name == "step":
        return replace(loop, step=term)
    if BEST not in _names(term):
        return replace(loop, cond=term, keep=None, best_init=None)
    return replace(loop, cond=term, keep=hyp[0], best_init=hyp[1])


# ----------------------------------------------------------------------------- splitting


@dataclass
class _Split:
    acc_type: JType
    init: cegis.Task
    step: cegis.Task
    # selections: the condition's task under a hypothesis for the second accumulator
    cond_task: Callable[[Term, Term], cegis.Task | None]


def _samples(problem: Problem, examples: Sequence[Example], kind: str, over: Param) -> list[tuple[Any, ...]]:
    samples = [ex.inputs for ex in examples]
    samples += generate_inputs(problem.params, problem.seed, _SAMPLES)[: 2 * _SAMPLES]
    if kind in ("array", "select"):
        vals = [v for v in _PROBE_VALUES if (over.lo is None or v >= over.lo) and (over.hi is None or v <= over.hi)]
        base = samples[0] if samples else generate_inputs(problem.params, problem.seed, 1)[0]
        at = [p.name for p in problem.params].index(over.name)
        for n in range(1, min(_PROBE_LEN, over.max_len) + 1):
            for arr in itertools.product(vals, repeat=n):
                inp = list(base)
                inp[at] = tuple(arr)
                samples.append(tuple(inp))
    return list(dict.fromkeys(samples))


def _split(problem: Problem, examples: Sequence[Example], kind: str, over: Param, opts: Any) -> _Split | None:
    """The part tasks of a loop template, or None when the reference is not of that shape."""
    ref = problem.reference
    assert ref is not None
    others = [p for p in problem.params if p is not over and p.type is not JType.INT_ARRAY]
    pos = {p.name: i for i, p in enumerate(problem.params)}
    acc_t = problem.returns
    consts = cegis.problem_constants(problem)
    ops = frozenset(problem.ops if problem.ops is not None else cegis.DEFAULT_OPS)

    init_ex: list[Example] = []
    step_ex: list[Example] = []
    # selections: per input, the other parameters and (acc, x, i, changed) per step
    trace: list[tuple[tuple[Any, ...], list[tuple[Any, int, int, bool]]]] = []
    for inp in _samples(problem, examples, kind, over):
        rest = tuple(inp[pos[p.name]] for p in others)

        def at(prefix: Any, inp: tuple[Any, ...] = inp) -> Any:
            args = list(inp)
            args[pos[over.name]] = prefix
            return call(ref, args)

        init_ex.append(Example(rest, at(() if kind != "range" else 0)))
        steps: list[tuple[Any, int, Any]]
        if kind != "range":
            arr = tuple(inp[pos[over.name]])
            steps = [(arr[:k], arr[k], arr[: k + 1]) for k in range(len(arr))]
        else:
            n = int(inp[pos[over.name]])
            steps = [(i, i, i + 1) for i in range(max(0, min(n, _CHAIN)))]
        path: list[tuple[Any, int, int, bool]] = []
        for k, (before, x, after) in enumerate(steps):
            acc, nxt = at(before), at(after)
            if acc is THROWS or nxt is THROWS:
                break
            if kind == "select":
                path.append((acc, x, k, nxt != acc))
                if nxt != acc:
                    step_ex.append(Example((acc, x, k, *rest), nxt))
            else:
                step_ex.append(Example((acc, x, *rest), nxt))
        trace.append((rest, path))
    try:
        init_ex = cegis._dedup(init_ex)
        step_ex = cegis._dedup(step_ex)
    except ValueError:
        return None  # the function is not a loop of this shape
    conditionals = opts.conditionals
    init_task = cegis.Task(tuple(others), acc_t, init_ex, ops, consts, None, conditionals)
    xname = ELEM if kind != "range" else INDEX
    if kind == "select":
        step_params: tuple[Param, ...] = (Param(ACC, acc_t), Param(ELEM, JType.INT), Param(INDEX, JType.INT), *others)
    else:
        step_params = (Param(ACC, acc_t), Param(xname, JType.INT), *others)
    step_task = cegis.Task(step_params, acc_t, step_ex, ops, consts, None, conditionals)
    cond_params = (Param(ACC, acc_t), Param(BEST, JType.INT), Param(ELEM, JType.INT), Param(INDEX, JType.INT),
                   *others)
    names = [p.name for p in others]

    def cond_task(keep: Term, best_init: Term) -> cegis.Task | None:
        cond_ex: list[Example] = []
        try:
            for rest, path in trace:
                env: dict[str, Any] = dict(zip(names, rest, strict=True))
                best = eval_scalar(best_init, env)
                for acc, x, i, changed in path:
                    cond_ex.append(Example((acc, best, x, i, *rest), changed))
                    if changed:
                        best = eval_scalar(keep, {**env, ELEM: x, INDEX: i})
            cond_ex = cegis._dedup(cond_ex)
        except (ValueError, JavaArithmeticException):
            return None
        return cegis.Task(cond_params, JType.BOOLEAN, cond_ex, ops, consts, None, conditionals)

    return _Split(acc_t, init_task, step_task, cond_task)


def _hypotheses(problem: Problem) -> list[tuple[Term, Term]]:
    """``(keep, best_init)`` for a selection's second accumulator, in the order tried."""
    ints = cegis.problem_constants(problem)[JType.INT][:_BEST_INITS] or [0]
    keeps = [var(ELEM, JType.INT), var(INDEX, JType.INT)]
    return [(k, const(c, JType.INT)) for k in keeps for c in ints]
