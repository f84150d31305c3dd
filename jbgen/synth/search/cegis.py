"""The search driver: enumerate, unify, check, learn from the counterexample, repeat.

:func:`synthesize` runs counterexample-guided inductive synthesis (CEGIS):
find the smallest program that fits the current examples (:func:`solve`),
hand it to the problem's checker, and on a counterexample add it to the
examples and search again.  A new example can only split equivalence classes,
and the members of a class that was kept as one term were never stored, so
the search restarts its enumeration on the larger example set; the levels
below the last one cost a fraction of it (each level is several times the
one before), and the first answer is still the smallest on every example.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from jbgen.synth.search.enumerator import Enough, Enumerator, Goal, InverseGoal, TermLimit, Timeout
from jbgen.synth.search.ops import DEFAULT_OPS, OPS
from jbgen.synth.search.problem import THROWS, Example, JType, Param, Problem, Spec, check_value
from jbgen.synth.search.program import DTYPE, Program, Term, columns, const, run, var
from jbgen.synth.search.semantics import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN
from jbgen.synth.search.unify import Leaf, Node, Tree, Unifier

ITE = {JType.INT: "iite", JType.LONG: "lite", JType.BOOLEAN: "zite"}

DEFAULT_INT_CONSTANTS = (0, 1, -1, 2, 3, 4, 8, 16, 31, INT_MIN, INT_MAX)
DEFAULT_LONG_CONSTANTS = (0, 1, -1, 2, LONG_MIN, LONG_MAX)
MAX_EXAMPLE_CONSTANTS = 24
PRE_LOOP_TERMS = 1_000_000


@dataclass(frozen=True)
class SearchOptions:
    """Budget knobs.  Each default is what a bundled contract needs; see docs/search.md."""

    time_limit: float = 10.0  # seconds of wall clock for the whole problem
    max_size: int = 30  # largest term (nodes) enumerated
    conditionals: bool = True  # decision trees by unification
    inverse: bool = True  # meet in the middle through invertible roots (+ - ^, unary - ~)
    nested_ite: bool = False  # `c ? a : b` as an operator inside terms (costly)
    loops: bool = True  # loop templates, when the problem has a reference
    long_intermediates: bool = False  # let an int-only problem compute through long
    computed_constants: bool = False  # keep compound terms that are constant on every example
    extra_terms: int = 400_000  # after a conditional fits, terms enumerated looking for a smaller one
    improve_terms: int = 1_000_000  # after a conditional passes the checker, the same, once
    loop_after_size: int = 7  # counted loops are tried once plain terms up to this size failed
    max_terms: int = 4_000_000  # distinct terms kept
    max_memory_mb: int = 2048  # memory for the banks (values, throws-masks, provenance)
    max_rounds: int = 200  # CEGIS rounds


@dataclass
class SearchStats:
    enumerated: int = 0  # terms evaluated (before pruning)
    kept: int = 0  # distinct behaviours kept
    examples: int = 0  # examples at the end (given + counterexamples)
    counterexamples: int = 0
    rounds: int = 0
    level: int = 0  # largest term size enumerated
    bounded: bool = False  # the last answer came from unification or meet-in-the-middle
    seconds: float = 0.0

    def __str__(self) -> str:
        return (f"{self.enumerated} terms enumerated, {self.kept} kept, {self.examples} examples "
                f"({self.counterexamples} counterexamples), {self.rounds} rounds, size {self.level}, "
                f"{self.seconds:.2f} s")


@dataclass
class SearchResult:
    """``status`` is ``found``, ``timeout``, ``exhausted`` (nothing up to ``max_size``),
    ``term-limit``, ``inconsistent`` (the checker contradicts the examples) or
    ``needs-oracle`` (the checker rejects a candidate without saying what it should return)."""

    problem: Problem
    status: str
    program: Program | None
    stats: SearchStats
    message: str
    checked: bool = False  # a checker accepted the program

    @property
    def ok(self) -> bool:
        return self.status == "found"

    def jbasm(self) -> str:
        """The whole class as jbgen assembly text."""
        from jbgen.synth.search.lower import class_text

        if self.program is None:
            raise ValueError(f"no program: {self.message}")
        return class_text(self.problem, self.program)


@dataclass
class Task:
    """One programming-by-example question: the smallest term fitting these examples."""

    params: tuple[Param, ...]
    returns: JType
    examples: list[Example]
    ops: frozenset[str]
    constants: dict[JType, list[int]]
    spec: Spec | None = None
    conditionals: bool = True
    extra_leaves: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- the solver


def _types(task: Task, opts: SearchOptions) -> list[JType]:
    used = {p.type.bank for p in task.params if p.type is not JType.INT_ARRAY} | {task.returns.bank}
    types = [JType.INT]
    if JType.LONG in used or opts.long_intermediates:
        types.append(JType.LONG)
    if JType.BOOLEAN in used or task.conditionals or opts.nested_ite:
        types.append(JType.BOOLEAN)
    return types


def _goal(task: Task, cols: dict[str, Any]) -> Goal:
    exs = task.examples
    if task.spec is not None:
        spec = task.spec
        inputs = [cols[p.name] for p in task.params]

        def fits_spec(v: np.ndarray, e: np.ndarray | None) -> np.ndarray:
            ok = np.asarray(spec(inputs, v), bool)
            return ok if e is None else ok & ~e

        return Goal(fits_spec)
    throw = np.array([ex.output is THROWS for ex in exs], bool)
    target: np.ndarray = np.array([0 if ex.output is THROWS else ex.output for ex in exs], DTYPE[task.returns])
    char = task.returns is JType.CHAR
    any_throw = bool(throw.any())

    def fits(v: np.ndarray, e: np.ndarray | None) -> np.ndarray:
        eq = ((v & 0xFFFF) if char else v) == target
        if e is None:
            return eq & ~throw if any_throw else eq
        return np.where(throw, e, eq & ~e)

    return Goal(fits)


def _leaves(task: Task, cols: dict[str, Any], types: list[JType], n: int) -> dict[JType, list[tuple[Term, np.ndarray]]]:
    out: dict[JType, list[tuple[Term, np.ndarray]]] = {t: [] for t in types}
    for p in task.params:
        if p.type is JType.INT_ARRAY:
            out[JType.INT].append((Term("len", JType.INT, value=p.name), cols[p.name + ".length"]))
        elif p.type.bank in out:
            out[p.type.bank].append((var(p.name, p.type), cols[p.name]))
    for t in types:
        for c in task.constants.get(t, []):
            out[t].append((const(c, t), np.full(n, c, DTYPE[t])))
    return out


def _enabled_ops(task: Task, types: list[JType], opts: SearchOptions) -> list[Any]:
    ok = set(types)
    allowed = task.ops
    out = []
    for key, op in OPS.items():
        if op.kind == "ite":
            if not (opts.nested_ite and op.ret in ok and (key in allowed or ITE.get(op.ret) == key)):
                continue
        elif key not in allowed:
            continue
        if op.ret in ok and all(a in ok for a in op.args):
            out.append(op)
    return out


def solve(task: Task, opts: SearchOptions, deadline: float, stats: SearchStats,
          effort: float = float("inf"), extra: int | None = None) -> Program | None:
    """The smallest term (or decision tree of terms) fitting ``task.examples``; None if none up
    to ``opts.max_size`` or within ``effort`` terms.  Raises :class:`Timeout` or :class:`TermLimit`."""
    n = len(task.examples)
    cols = columns(task.params, [ex.inputs for ex in task.examples])
    types = _types(task, opts)
    goal_type = task.returns.bank
    en = Enumerator(types, _enabled_ops(task, types, opts), _leaves(task, cols, types, n), n, goal_type,
                    _goal(task, cols), deadline=deadline, max_terms=opts.max_terms,
                    max_bytes=opts.max_memory_mb << 20,
                    want_covers=task.conditionals and JType.BOOLEAN in types,
                    computed_constants=opts.computed_constants)
    en.max_enumerated = effort
    if opts.inverse and task.spec is None and goal_type in (JType.INT, JType.LONG) \
            and task.returns is not JType.CHAR and not any(ex.output is THROWS for ex in task.examples):
        target: np.ndarray = np.array([ex.output for ex in task.examples], DTYPE[goal_type])
        en.inverse = InverseGoal(target, task.ops, goal_type is JType.LONG)
    best: tuple[int, Term] | None = None
    stop = opts.max_size
    stats.bounded = False

    def offer(size: int, term: Term) -> None:
        nonlocal best, stop
        if size > opts.max_size or (best is not None and size >= best[0]):
            return
        if best is None:
            # A smaller program may still come: spend a fixed effort (a count,
            # not a time, so the answer stays deterministic) looking for it.
            more = opts.extra_terms if extra is None else extra
            en.max_enumerated = min(effort, en.stats.enumerated + more)
        best = (size, term)
        stop = min(stop, size - 1)

    try:
        while en.level < stop:
            found = en.grow()
            stats.level = max(stats.level, en.level)
            if found:
                return en.found_term()
            inv = en.invert()
            if inv is not None:
                offer(*inv)
            if en.want_covers and en.level >= 2 and en.covers:
                tree = _unify(en, n, deadline)
                if tree is not None and tree.size <= opts.max_size and (best is None or tree.size < best[0]):
                    offer(tree.size, _tree_term(en, tree, goal_type))
    except Enough:
        pass
    except Timeout:
        if best is None:
            raise
    finally:
        stats.enumerated += en.stats.enumerated
        stats.kept += en.stats.kept
    stats.bounded = best is not None
    return None if best is None else best[1]


def _unify(en: Enumerator, n: int, deadline: float) -> Tree | None:
    covs = list(en.covers.values())
    cover = np.stack([c for _, _, c in covs])
    if not cover.any(axis=0).all():
        return None
    preds = [(size, b) for size, b in en.bank_rows(JType.BOOLEAN)]
    if not preds:
        return None
    P = np.concatenate([b.vals for _, b in preds])
    Perr = None
    if any(b.err is not None for _, b in preds):
        Perr = np.concatenate([b.err if b.err is not None else np.zeros(b.vals.shape, bool) for _, b in preds])
    psize = np.concatenate([np.full(b.count, s) for s, b in preds])
    pref = [(s, r) for s, b in preds for r in range(b.count)]
    u = Unifier(cover, np.array([s for s, _, _ in covs]), [(s, r) for s, r, _ in covs], P, Perr, psize, pref,
                deadline=deadline)
    return u.learn()


def _tree_term(en: Enumerator, tree: Tree, t: JType) -> Term:
    if isinstance(tree, Leaf):
        return en.term(t, *tree.ref)
    assert isinstance(tree, Node)
    return Term(ITE[t], t, (en.term(JType.BOOLEAN, *tree.pred), _tree_term(en, tree.then, t),
                            _tree_term(en, tree.else_, t)))


# ----------------------------------------------------------------------------- problems


def problem_constants(problem: Problem) -> dict[JType, list[int]]:
    """The grammar's constants per bank: defaults, the problem's own, and those in its examples."""
    ints: list[int] = list(DEFAULT_INT_CONSTANTS) if problem.default_constants else []
    longs: list[int] = list(DEFAULT_LONG_CONSTANTS) if problem.default_constants else []
    for c in problem.constants:
        (ints if INT_MIN <= c <= INT_MAX else longs).append(c)
        if INT_MIN <= c <= INT_MAX:
            longs.append(c)
    if problem.default_constants and problem.example_constants:
        seen_ex: list[tuple[JType, int]] = []
        for ex in problem.examples:
            vals = list(zip([p.type for p in problem.params], ex.inputs, strict=True))
            if ex.output is not None and ex.output is not THROWS:
                vals.append((problem.returns, ex.output))
            for t, v in vals:
                if t is JType.INT_ARRAY:
                    seen_ex += [(JType.INT, x) for x in v]
                elif t in (JType.INT, JType.CHAR, JType.LONG):
                    seen_ex.append((t.bank, int(v)))
        for t, v in seen_ex[: MAX_EXAMPLE_CONSTANTS * 4]:
            target = ints if t is JType.INT else longs
            if v not in target and len(target) < MAX_EXAMPLE_CONSTANTS + 12:
                target.append(v)
    bools: list[int] = [False, True] if problem.default_constants else []
    return {JType.INT: list(dict.fromkeys(ints)), JType.LONG: list(dict.fromkeys(longs)), JType.BOOLEAN: bools}


def task_of(problem: Problem, examples: list[Example], opts: SearchOptions) -> Task:
    ops = problem.ops if problem.ops is not None else DEFAULT_OPS
    return Task(problem.params, problem.returns, examples, frozenset(ops), problem_constants(problem),
                problem.spec, opts.conditionals)


Strategy = Callable[[list[Example]], Program | None]


def _strategies(problem: Problem, opts: SearchOptions, deadline: float, stats: SearchStats) -> list[Strategy]:
    from jbgen.synth.search import loops

    def expr(max_size: int, max_terms: int) -> Strategy:
        o = replace(opts, max_size=max_size, max_terms=max_terms)
        return lambda exs: solve(task_of(problem, exs, o), o, deadline, stats)

    out: list[Strategy] = []
    can_loop = opts.loops and problem.reference is not None
    arrays = [p for p in problem.params if p.type is JType.INT_ARRAY]
    counts = [p for p in problem.params if p.type is JType.INT and p.hi is not None and p.hi <= loops.MAX_TRIPS]
    def loop(kind: str, p: Param) -> Strategy:
        return lambda exs: loops.solve_loop(problem, exs, kind, p, opts, deadline, stats)

    if can_loop:
        for p in arrays:
            out.append(loop("array", p))
    if can_loop and counts:
        # Plain terms first, but only small ones: a counted loop is likelier than a big term.
        out.append(expr(min(opts.loop_after_size, opts.max_size), min(opts.max_terms, PRE_LOOP_TERMS)))
        for p in counts:
            out.append(loop("range", p))
    out.append(expr(opts.max_size, opts.max_terms))
    return out


def synthesize(problem: Problem, options: SearchOptions | None = None) -> SearchResult:
    """Search for the smallest program that the problem's checker accepts, within the budget."""
    opts = options or SearchOptions()
    if problem.reference is None and problem.spec is None and problem.checker is not None:
        # The checker cannot say what a wrong conditional should return, so an
        # overfitted decision tree ends the search: look longer for a plain term.
        opts = replace(opts, extra_terms=max(opts.extra_terms, opts.improve_terms))
    start = time.monotonic()
    deadline = start + opts.time_limit
    stats = SearchStats()
    examples = _dedup(problem.examples)
    status, program, message, checked = "exhausted", None, "", False
    strategies = _strategies(problem, opts, deadline, stats)
    try:
        for i, strategy in enumerate(strategies):
            try:
                found = _cegis(problem, strategy, examples, opts, stats)
            except TermLimit:
                if i == len(strategies) - 1:
                    raise
                continue  # an early phase hit its own limit: go on with the next
            if found is not None:
                status, program, checked = found
                break
        else:
            message = f"no program up to size {opts.max_size} fits the examples"
    except Timeout:
        status = "timeout"
        message = f"not found within {opts.time_limit:g} s"
    except TermLimit:
        status = "term-limit"
        message = f"not found within {opts.max_terms} distinct terms or {opts.max_memory_mb} MB"
    except _Inconsistent as exc:
        status = "inconsistent"
        message = str(exc)
    except _NeedsOracle as exc:
        status = "needs-oracle"
        message = str(exc)
    if status == "found" and checked and isinstance(program, Term) and stats.bounded:
        program = _improve(problem, program, examples, opts, deadline, stats)
    stats.seconds = time.monotonic() - start
    stats.examples = len(examples)
    if status == "found":
        message = f"found {program} (size {program.size})" if program is not None else ""
    return SearchResult(problem, status, program if status == "found" else None, stats,
                        f"{message}: {stats}", checked)


class _Inconsistent(Exception):
    pass


class _NeedsOracle(Exception):
    pass


def _improve(problem: Problem, best: Term, examples: list[Example], opts: SearchOptions, deadline: float,
             stats: SearchStats) -> Term:
    """A checked answer from the unifier (greedy) or from meet-in-the-middle (a bound, found
    levels early) may not be the smallest: spend a fixed effort (``improve_terms``) on a
    smaller program, keeping the best one the checker accepts."""
    assert problem.checker is not None
    spent = 0
    try:
        while spent < opts.improve_terms and best.size > 1:
            o = replace(opts, max_size=best.size - 1)
            before = stats.enumerated
            left = opts.improve_terms - spent
            cand = solve(task_of(problem, examples, o), o, deadline, stats, effort=left, extra=left)
            spent += stats.enumerated - before
            if not isinstance(cand, Term) or cand.size >= best.size:
                break
            stats.rounds += 1
            _sanity(problem, cand, examples)
            got = problem.checker(cand)
            if not got:
                best = cand
                continue
            for cex in [got] if isinstance(got, Example) else list(got):
                if _key(cex.inputs) not in {_key(ex.inputs) for ex in examples}:
                    examples.append(cex)
                    stats.counterexamples += 1
    except (Timeout, TermLimit):
        pass
    return best


def _dedup(examples: Sequence[Example]) -> list[Example]:
    seen: dict[tuple[Any, ...], Example] = {}
    for ex in examples:
        key = _key(ex.inputs)
        if key in seen and seen[key].output != ex.output:
            raise ValueError(f"examples disagree on input {ex.inputs}: {seen[key].output} and {ex.output}")
        seen.setdefault(key, ex)
    return list(seen.values())


def _key(inputs: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(tuple(x) if isinstance(x, list | tuple) else x for x in inputs)


def _cegis(problem: Problem, strategy: Strategy, examples: list[Example], opts: SearchOptions,
           stats: SearchStats) -> tuple[str, Program, bool] | None:
    while stats.rounds < opts.max_rounds:
        stats.rounds += 1
        cand = strategy(examples)
        if cand is None:
            return None
        _sanity(problem, cand, examples)
        if problem.checker is None:
            return "found", cand, False
        got = problem.checker(cand)
        if not got:
            return "found", cand, True
        known = {_key(ex.inputs) for ex in examples}
        for cex in [got] if isinstance(got, Example) else list(got):
            if problem.spec is None and cex.output is None:
                raise _NeedsOracle(f"{cand} fails the checker on {cex.inputs}, which gives no expected "
                                   "result to learn from (an oracle would)")
            if problem.spec is None and cex.output is not THROWS:
                check_value(cex.output, problem.returns, f"the checker's expected output on {cex.inputs}")
            if _key(cex.inputs) in known:
                raise _Inconsistent(f"the checker rejects {cand} on {cex.inputs}, an input it fits as an example")
            known.add(_key(cex.inputs))
            examples.append(cex)
            stats.counterexamples += 1
    raise _Inconsistent(f"no answer after {opts.max_rounds} rounds")


def _sanity(problem: Problem, program: Program, examples: Sequence[Example]) -> None:
    """The vectorized search and the scalar semantics must agree on every example."""
    if problem.spec is not None:
        return
    for ex in examples:
        got = run(program, problem.params, ex.inputs, problem.returns)
        if got != ex.output or (got is THROWS) != (ex.output is THROWS):
            raise RuntimeError(f"internal error, please report: {program} gives {got} on {ex.inputs}, "
                               f"the search expected {ex.output}")
