"""The search driver: enumerate, unify, check, learn from the counterexample, repeat.

:func:`synthesize` runs counterexample-guided inductive synthesis (CEGIS):
find the smallest program that fits the current examples (:class:`Solver`),
hand it to the problem's checker, and on a counterexample add it to the
examples and search again.  A new example can only split equivalence classes,
and the members of a class that was kept as one term were never stored, so
the search restarts its enumeration on the larger example set; the levels
below the last one cost a fraction of it (each level is several times the
one before), and the first answer is still the smallest on every example.

A decision tree, a ``Math.max`` chain or a meet-in-the-middle answer is only a
bound on the smallest program.  It goes to the checker at once; once the
checker accepts it, the same enumeration goes on for a fixed number of terms
looking for a smaller one (:func:`improve_budget`).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from jbgen.synth.search.enumerator import Enough, Enumerator, Goal, InverseGoal, TermLimit, Timeout
from jbgen.synth.search.ops import DEFAULT_OPS, OPS
from jbgen.synth.search.problem import (
    THROWS,
    Example,
    JType,
    Param,
    Problem,
    Spec,
    check_value,
    double_bits,
    same_value,
    value_key,
)
from jbgen.synth.search.program import DTYPE, Program, Term, columns, const, double_keys, run, var
from jbgen.synth.search.semantics import INT_MAX, INT_MIN, LONG_MAX, LONG_MIN
from jbgen.synth.search.unify import Leaf, Node, Tree, Unifier

ITE = {JType.INT: "iite", JType.LONG: "lite", JType.BOOLEAN: "zite", JType.DOUBLE: "dite"}

DEFAULT_INT_CONSTANTS = (0, 1, -1, 2, 3, 4, 8, 16, 31, INT_MIN, INT_MAX)
DEFAULT_LONG_CONSTANTS = (0, 1, -1, 2, LONG_MIN, LONG_MAX)
# Small integers as doubles: the factors and offsets of formulas (`* 5.0 / 9.0`); -1.0 is
# `-x`, 0.5 is `/ 2.0`.
DEFAULT_DOUBLE_CONSTANTS = tuple(float(i) for i in range(11))
MAX_EXAMPLE_CONSTANTS = 24
MAX_EXAMPLE_DOUBLES = 16
PRE_LOOP_TERMS = 1_000_000
# Terms spent on a smaller program before answering when the checker cannot teach (it
# rejects without saying what the method should return): a wrong tree ends the search.
UNTAUGHT_TERMS = 1_000_000
# The improvement of an accepted answer spends as many terms again as finding it took, at
# least this many, at most ``improve_terms``: a smaller program, when there is one, tends to
# come early, and an answer found cheaply is rarely beaten by a long search.
IMPROVE_MIN = 200_000


def improve_budget(opts: SearchOptions, stats: SearchStats) -> int:
    """Terms the improvement of an accepted answer may spend (see :data:`IMPROVE_MIN`)."""
    return min(opts.improve_terms, max(IMPROVE_MIN, stats.enumerated))


@dataclass(frozen=True)
class SearchOptions:
    """Budget knobs.  Each default is what a bundled contract needs; see docs/search.md."""

    time_limit: float = 10.0  # seconds of wall clock for the whole problem
    max_size: int = 30  # largest term (nodes) enumerated
    max_tree_size: int = 80  # largest decision tree (nodes) from unification
    conditionals: bool = True  # decision trees by unification
    inverse: bool = True  # meet in the middle through invertible roots (+ - ^, unary - ~)
    nested_ite: bool = False  # `c ? a : b` as an operator inside terms (costly)
    loops: bool = True  # loop templates, when the problem has a reference
    long_intermediates: bool = False  # let an int-only problem compute through long
    computed_constants: bool = False  # keep compound terms that are constant on every example
    # A conditional or meet-in-the-middle answer is a bound, not the smallest: the search
    # looks on for a smaller one, but only once the answer is right (a rejected one
    # teaches a counterexample instead).  Counts of terms, not times, so the answer
    # stays deterministic.
    extra_terms: int = 400_000  # ... before answering, when no checker can teach (examples only)
    improve_terms: int = 500_000  # ... after the checker accepted it (going on with the same enumeration)
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
    constants: dict[JType, list[Any]]
    spec: Spec | None = None
    conditionals: bool = True
    extra_leaves: dict[str, Any] = field(default_factory=dict)


# ----------------------------------------------------------------------------- the solver


def _types(task: Task, opts: SearchOptions) -> list[JType]:
    used = {p.type.bank for p in task.params} | {task.returns.bank}
    types = []
    # A method over doubles and booleans alone computes in doubles: int terms there would
    # all come from (int) x, and their banks grow ten times faster than the doubles' for
    # nothing that a formula needs (long_intermediates brings them back).
    if used - {JType.DOUBLE, JType.BOOLEAN} or JType.DOUBLE not in used or opts.long_intermediates:
        types.append(JType.INT)
    if JType.LONG in used or opts.long_intermediates:
        types.append(JType.LONG)
    if JType.BOOLEAN in used or task.conditionals or opts.nested_ite:
        types.append(JType.BOOLEAN)
    if JType.DOUBLE in used:
        types.append(JType.DOUBLE)  # only then: int and long problems enumerate no doubles
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
    double = task.returns is JType.DOUBLE
    any_throw = bool(throw.any())
    target_keys = double_keys(target) if double else target

    def fits(v: np.ndarray, e: np.ndarray | None) -> np.ndarray:
        # doubles by their bits: NaN fits NaN, -0.0 does not fit 0.0
        eq = double_keys(v) == target_keys if double else ((v & 0xFFFF) if char else v) == target
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


class Solver:
    """One enumeration on a fixed example set, resumable: each :meth:`next` gives the next
    answer smaller than a bound, going on from where the last one stopped (so improving an
    accepted answer does not enumerate its levels again)."""

    def __init__(self, task: Task, opts: SearchOptions, deadline: float, stats: SearchStats) -> None:
        self.task, self.opts, self.stats = task, opts, stats
        n = len(task.examples)
        self.n = n
        cols = columns(task.params, [ex.inputs for ex in task.examples])
        types = _types(task, opts)
        self.goal_type = goal_type = task.returns.bank
        self.deadline = deadline
        self.en = en = Enumerator(types, _enabled_ops(task, types, opts), _leaves(task, cols, types, n), n,
                                  goal_type, _goal(task, cols), deadline=deadline, max_terms=opts.max_terms,
                                  max_bytes=opts.max_memory_mb << 20,
                                  want_covers=task.conditionals and JType.BOOLEAN in types,
                                  computed_constants=opts.computed_constants)
        if opts.inverse and task.spec is None and goal_type in (JType.INT, JType.LONG) \
                and task.returns is not JType.CHAR and not any(ex.output is THROWS for ex in task.examples):
            target: np.ndarray = np.array([ex.output for ex in task.examples], DTYPE[goal_type])
            en.inverse = InverseGoal(target, task.ops, goal_type is JType.LONG)
        self._counted = (0, 0)  # the enumerator's counts already added to ``stats``

    def next(self, below: float = float("inf"), effort: float = float("inf"), extra: int = 0) -> Program | None:
        """The smallest term (or decision tree) fitting the examples, smaller than ``below``; None
        if there is none up to ``max_size`` (trees: ``max_tree_size``) or within ``effort`` more
        terms.  A plain term is the smallest there is; a tree or a meet-in-the-middle answer is
        a bound (``stats.bounded``), and ``extra`` more terms are spent looking for a smaller
        one before answering (0: answer at once).  Raises :class:`Timeout` or :class:`TermLimit`."""
        en, opts, stats = self.en, self.opts, self.stats
        en.max_enumerated = en.stats.enumerated + effort
        en.early_inverse = extra == 0
        best: tuple[int, Term] | None = None
        stop = int(min(opts.max_size, below - 1))  # plain terms up to this size
        limit = int(min(max(opts.max_size, opts.max_tree_size), below - 1))  # trees and bounds
        en.inverse_below = min(opts.max_size, limit) + 1
        stats.bounded = False

        def offer(size: int, term: Term, tree: bool) -> None:
            nonlocal best, stop
            if size > (limit if tree else min(limit, opts.max_size)) or (best is not None and size >= best[0]):
                return
            if best is None:
                # A smaller program may still come: spend a fixed effort (a count,
                # not a time, so the answer stays deterministic) looking for it.
                en.max_enumerated = min(en.max_enumerated, en.stats.enumerated + extra)
            best = (size, term)
            stop = min(stop, size - 1)
            en.inverse_below = min(en.inverse_below, size)

        try:
            while en.level < stop or (not en.complete and en.level <= stop):
                found = en.grow()
                stats.level = max(stats.level, en.level)
                if found:
                    term = en.found_term()
                    return term if term is not None and term.size < below else None
                inv = en.invert()
                if inv is not None:
                    offer(*inv, False)
                if en.complete and en.want_covers and en.covers:
                    for term in _joins(en, self.task):
                        offer(term.size, term, True)
                    if en.level >= 2:
                        tree = _unify(en, self.n, self.deadline)
                        if tree is not None:
                            term = _tree_term(en, tree, self.goal_type)
                            offer(term.size, term, True)
                if best is not None and extra == 0:
                    break
        except Enough:
            pass
        except Timeout:
            if best is None:
                raise
        finally:
            stats.enumerated += en.stats.enumerated - self._counted[0]
            stats.kept += en.stats.kept - self._counted[1]
            self._counted = (en.stats.enumerated, en.stats.kept)
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


def _joins(en: Enumerator, task: Task) -> list[Term]:
    """Unification by ``Math.max``/``Math.min`` instead of conditions: terms that are never
    above the target on any example and equal to it on some, greedily chosen until every
    example has one, give ``Math.max(t1, Math.max(t2, ...))`` (and below it, ``Math.min``).
    The maximum of seven inputs is the seven inputs, found at level 1, where a decision
    tree needs one comparison per pair.  Needs one target per example: where a spec allows
    several values, the terms that fit an example must agree on it."""
    t = en.goal_type
    if t not in (JType.INT, JType.LONG) or task.returns is JType.CHAR:
        return []
    jt = t.java
    joins = [(key, sign) for key, sign in ((f"Math.max({jt},{jt}){jt}", 1), (f"Math.min({jt},{jt}){jt}", -1))
             if key in task.ops]
    if not joins:
        return []
    covs = list(en.covers.values())
    C = np.stack([c for _, _, c in covs])
    if not C.any(axis=0).all():
        return []
    refs = [(size, row) for size, row, _ in covs]
    V, throws = en.rows(t, refs)
    wide = V.astype(np.int64) if t is JType.INT else V
    hi = np.where(C, wide, np.iinfo(np.int64).min).max(axis=0)
    lo = np.where(C, wide, np.iinfo(np.int64).max).min(axis=0)
    if (hi != lo).any():
        return []  # two fitting terms disagree: no single target
    sizes = np.array([size for size, _ in refs])
    out = []
    for key, sign in joins:
        # never past the target, on every example (max: below it; min: above it)
        ok = ~throws & (sign * (wide - hi[None, :]) <= 0).all(axis=1)
        cand = np.nonzero(ok)[0]
        chosen: list[int] = []
        left = np.ones(C.shape[1], bool)
        while left.any() and cand.size:
            gain = (C[cand] & left).sum(axis=1)
            j = int(np.lexsort((cand, sizes[cand], -gain))[0])
            if gain[j] == 0:
                break
            chosen.append(int(cand[j]))
            left &= ~C[cand[j]]
        if left.any() or len(chosen) < 2:
            continue  # one term alone would have fitted every example already
        terms = [en.term(t, *refs[i]) for i in sorted(chosen, key=lambda i: refs[i])]  # enumeration order
        acc = terms[-1]
        for x in reversed(terms[:-1]):
            acc = Term(key, t, (x, acc))
        out.append(acc)
    return out


def _tree_term(en: Enumerator, tree: Tree, t: JType) -> Term:
    if isinstance(tree, Leaf):
        return en.term(t, *tree.ref)
    assert isinstance(tree, Node)
    p, a, b = en.term(JType.BOOLEAN, *tree.pred), _tree_term(en, tree.then, t), _tree_term(en, tree.else_, t)
    return bool_ite(p, a, b) if t is JType.BOOLEAN else Term(ITE[t], t, (p, a, b))


_NEGATED = {"lt": "le", "le": "lt", "eq": "ne", "ne": "eq"}  # !(a < b) is b <= a; != and == swap operands freely


def _negate(p: Term) -> Term | None:
    """``!p`` without a new node, where there is one (a comparison, or ``!q``)."""
    if p.op == "not":
        return p.args[0]
    o = OPS.get(p.op)
    if o is not None and o.kind == "cmp" and not (o.args[0] is JType.DOUBLE and p.op[-2:] in ("lt", "le")):
        # (not for double < and <=: with a NaN, !(a < b) holds and b <= a does not)
        key = p.op[:-2] + _NEGATED[p.op[-2:]]
        a, b = p.args
        return Term(key, JType.BOOLEAN, (b, a) if p.op[-2:] in ("lt", "le") else (a, b))
    return None


def bool_ite(p: Term, a: Term, b: Term) -> Term:
    """``p ? a : b`` over booleans, as ``||`` / ``&&`` when a branch is a constant (a node
    smaller, and what a person would write): ``p ? true : b`` is ``p || b``, ``p ? a : false``
    is ``p && a``, and with ``p`` negated for free, ``p ? false : b`` is ``!p && b`` and
    ``p ? a : true`` is ``!p || a``.  Evaluation order and laziness are those of ``?:``."""
    def is_const(x: Term, v: bool) -> bool:
        return x.op == "const" and bool(x.value) is v

    if is_const(a, True):
        return Term("or", JType.BOOLEAN, (p, b))
    if is_const(b, False):
        return Term("and", JType.BOOLEAN, (p, a))
    q = _negate(p)
    if q is not None and is_const(a, False):
        return Term("and", JType.BOOLEAN, (q, b))
    if q is not None and is_const(b, True):
        return Term("or", JType.BOOLEAN, (q, a))
    return Term("zite", JType.BOOLEAN, (p, a, b))


# ----------------------------------------------------------------------------- problems


def problem_constants(problem: Problem) -> dict[JType, list[Any]]:
    """The grammar's constants per bank: defaults, the problem's own, and those in its examples.

    Doubles (used only when a double parameter or result exists): 0.0 to 10.0, the
    problem's constants (a float is a double constant only, an int one is also a double),
    then the doubles in the examples and the ints found there, as doubles."""
    ints: list[int] = list(DEFAULT_INT_CONSTANTS) if problem.default_constants else []
    longs: list[int] = list(DEFAULT_LONG_CONSTANTS) if problem.default_constants else []
    doubles: list[float] = list(DEFAULT_DOUBLE_CONSTANTS) if problem.default_constants else []
    for c in problem.constants:
        if isinstance(c, float):
            doubles.append(c)
            continue
        with contextlib.suppress(OverflowError):  # a CLIA numeral may be beyond the doubles
            doubles.append(float(c))
        (ints if INT_MIN <= c <= INT_MAX else longs).append(c)
        if INT_MIN <= c <= INT_MAX:
            longs.append(c)
    if problem.default_constants and problem.example_constants:
        seen_ex: list[tuple[JType, int]] = []
        seen_doubles: list[float] = []
        for k, ex in enumerate(problem.examples):
            vals = list(zip([p.type for p in problem.params], ex.inputs, strict=True))
            if ex.output is not None and ex.output is not THROWS:
                vals.append((problem.returns, ex.output))
            for t, v in vals:
                if t is JType.INT_ARRAY:
                    seen_ex += [(JType.INT, x) for x in v]
                elif t in (JType.INT, JType.CHAR, JType.LONG):
                    seen_ex.append((t.bank, int(v)))
                elif t is JType.DOUBLE and (problem.written_examples is None or k < problem.written_examples):
                    seen_doubles.append(v)
        for t, v in seen_ex[: MAX_EXAMPLE_CONSTANTS * 4]:
            target = ints if t is JType.INT else longs
            if v not in target and len(target) < MAX_EXAMPLE_CONSTANTS + 12:
                target.append(v)
        more = seen_doubles + [float(v) for _, v in seen_ex]
        have = {double_bits(d) for d in doubles}
        for d in more:
            if double_bits(d) not in have and len(have) < len(DEFAULT_DOUBLE_CONSTANTS) + MAX_EXAMPLE_DOUBLES:
                have.add(double_bits(d))
                doubles.append(d)
    bools: list[int] = [False, True] if problem.default_constants else []
    unique_doubles: dict[int, float] = {}  # by their bits: 0.0 and -0.0 are two constants, NaN one
    for d in doubles:
        unique_doubles.setdefault(double_bits(d), d)
    return {JType.INT: list(dict.fromkeys(ints)), JType.LONG: list(dict.fromkeys(longs)), JType.BOOLEAN: bools,
            JType.DOUBLE: list(unique_doubles.values())}


def task_of(problem: Problem, examples: list[Example], opts: SearchOptions) -> Task:
    ops = problem.ops if problem.ops is not None else DEFAULT_OPS
    return Task(problem.params, problem.returns, examples, frozenset(ops), problem_constants(problem),
                problem.spec, opts.conditionals)


class Strategy:
    """One way to answer: called with the examples, it gives a candidate fitting them (or
    None); once the checker accepted one, :meth:`improve` may look for a smaller one."""

    def __call__(self, examples: list[Example]) -> Program | None:
        raise NotImplementedError

    def improve(self, program: Program, examples: list[Example]) -> Program:
        return program


def teaches(problem: Problem) -> bool:
    """Whether the checker says what a rejected candidate should do (a reference, or a
    relational spec that judges the inputs it returns); else a rejection ends the search."""
    return problem.checker is not None and (problem.reference is not None or problem.spec is not None)


class _Expr(Strategy):
    """Terms and decision trees over the parameters."""

    def __init__(self, problem: Problem, opts: SearchOptions, deadline: float, stats: SearchStats) -> None:
        self.problem, self.opts, self.deadline, self.stats = problem, opts, deadline, stats
        # With a checker that teaches, a candidate goes to it at once: effort spent on a
        # smaller program before the checker says yes is wasted whenever it says no.
        self.extra = 0 if teaches(problem) else opts.extra_terms
        self.solver: Solver | None = None

    def __call__(self, examples: list[Example]) -> Program | None:
        self.solver = Solver(task_of(self.problem, examples, self.opts), self.opts, self.deadline, self.stats)
        return self.solver.next(extra=self.extra)

    def improve(self, program: Program, examples: list[Example]) -> Program:
        if not self.stats.bounded or self.solver is None or not isinstance(program, Term):
            return program  # a plain term is the smallest there is
        return _improve(self.problem, program, self.solver, examples, self.opts, self.deadline, self.stats)


def _strategies(problem: Problem, opts: SearchOptions, deadline: float, stats: SearchStats) -> list[Strategy]:
    from jbgen.synth.search import loops

    out: list[Strategy] = []
    # (the loop templates keep int and long accumulators: not a double one)
    can_loop = opts.loops and problem.reference is not None and problem.returns is not JType.DOUBLE
    arrays = [p for p in problem.params if p.type is JType.INT_ARRAY]
    counts = [p for p in problem.params if p.type is JType.INT and p.hi is not None and p.hi <= loops.MAX_TRIPS]
    if can_loop:
        for p in arrays:
            out.append(loops.LoopStrategy(problem, "array", p, opts, deadline, stats))
        for p in arrays:
            out.append(loops.LoopStrategy(problem, "select", p, opts, deadline, stats))
    if can_loop and counts:
        # Plain terms first, but only small ones: a counted loop is likelier than a big term.
        small = replace(opts, max_size=min(opts.loop_after_size, opts.max_size),
                        max_terms=min(opts.max_terms, PRE_LOOP_TERMS))
        out.append(_Expr(problem, small, deadline, stats))
        for p in counts:
            out.append(loops.LoopStrategy(problem, "range", p, opts, deadline, stats))
    out.append(_Expr(problem, opts, deadline, stats))
    return out


def synthesize(problem: Problem, options: SearchOptions | None = None) -> SearchResult:
    """Search for the smallest program that the problem's checker accepts, within the budget."""
    opts = options or SearchOptions()
    if problem.checker is not None and not teaches(problem):
        # The checker cannot say what a wrong conditional should return, so an
        # overfitted decision tree ends the search: look longer for a plain term.
        opts = replace(opts, extra_terms=max(opts.extra_terms, UNTAUGHT_TERMS))
    start = time.monotonic()
    deadline = start + opts.time_limit
    stats = SearchStats()
    examples = _dedup(problem.examples)
    status, program, message, checked = "exhausted", None, "", False
    strategies = _strategies(problem, opts, deadline, stats)
    winner: Strategy | None = None
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
                winner = strategy
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
    if status == "found" and checked and winner is not None and program is not None:
        program = winner.improve(program, examples)
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


def _improve(problem: Problem, best: Term, solver: Solver, examples: list[Example], opts: SearchOptions,
             deadline: float, stats: SearchStats) -> Term:
    """A checked answer from the unifier (greedy) or from meet-in-the-middle (a bound, found
    levels early) may not be the smallest: spend a fixed effort (``improve_terms``) on a
    smaller program, going on with the enumeration that found it, and keep the best one the
    checker accepts.  A smaller candidate the checker rejects teaches its counterexamples
    and the enumeration starts again on the larger example set."""
    assert problem.checker is not None
    end = stats.enumerated + improve_budget(opts, stats)
    try:
        while best.size > 1 and stats.enumerated < end:
            cand = solver.next(below=best.size, effort=end - stats.enumerated, extra=0)
            if not isinstance(cand, Term) or cand.size >= best.size:
                break
            plain = not stats.bounded
            stats.rounds += 1
            _sanity(problem, cand, examples)
            got = problem.checker(cand)
            if not got:
                best = cand
                if plain:
                    break  # the smallest there is
                continue
            known = {_key(ex.inputs) for ex in examples}
            new = [cex for cex in ([got] if isinstance(got, Example) else list(got)) if _key(cex.inputs) not in known]
            if not new or (problem.spec is None and any(cex.output is None for cex in new)):
                break  # nothing to learn from
            examples.extend(new)
            stats.counterexamples += len(new)
            solver = Solver(task_of(problem, examples, opts), opts, deadline, stats)
    except (Timeout, TermLimit):
        pass
    stats.bounded = True
    return best


def _dedup(examples: Sequence[Example]) -> list[Example]:
    seen: dict[tuple[Any, ...], Example] = {}
    for ex in examples:
        key = _key(ex.inputs)
        if key in seen and not same_value(seen[key].output, ex.output):
            raise ValueError(f"examples disagree on input {ex.inputs}: {seen[key].output} and {ex.output}")
        seen.setdefault(key, ex)
    return list(seen.values())


def _key(inputs: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(value_key(x) for x in inputs)  # doubles by their bits: -0.0 is not 0.0


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
        if problem.returns is JType.DOUBLE:
            wrong = not same_value(got, ex.output)
        else:
            wrong = got != ex.output or (got is THROWS) != (ex.output is THROWS)
        if wrong:
            raise RuntimeError(f"internal error, please report: {program} gives {got} on {ex.inputs}, "
                               f"the search expected {ex.output}")
