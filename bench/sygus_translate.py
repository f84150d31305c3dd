"""A SyGuS problem as a jbgen search problem, and a jbgen answer as SMT-LIB again.

- ``hd`` files (a reference ``define-fun`` and a grammar over 32-bit vectors):
  an ``int`` method with the reference as a Python function with JVM
  semantics (the search's checker runs it on seeded inputs), the grammar's
  operators and constants as the only ones, no conditionals (no ``ite`` in
  those grammars), no loops.
- ``CLIA`` files (``Int``, logical constraints, no grammar): a ``long``
  method whose inputs are drawn from ``[-BOUND, BOUND]``; a relational spec
  (the constraints with the method's output in place of ``f``) and a checker
  that evaluates the whole constraint, every application of ``f`` included,
  on seeded inputs.  Constraints that call ``f`` on permuted arguments
  (``(f x y)`` and ``(f y x)``) are judged across examples; nested calls or
  variables that are not arguments of ``f`` are not supported.
- ``PBE_BV`` files (64-bit examples, ICFP operators): a ``long`` method given
  by its examples only.

:func:`answer_smt` writes a jbgen program as an SMT-LIB ``define-fun`` with JVM
semantics made explicit (shift distances masked; every division collected as
a guard "divisor is not zero", since the JVM throws there), and
:func:`verify_query` builds the SMT-LIB script that asks whether the file's
constraint can be violated by that answer.  Used by ``bench/sygus.py`` only.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sygus_parse import BOOL, INT, Define, SExp, Sort, SygusError, SygusFile, expand, literal, show

from jbgen.synth.search import (
    THROWS,
    Example,
    JavaArithmeticException,
    JType,
    Param,
    Problem,
    SearchOptions,
    Term,
    reference_problem,
)
from jbgen.synth.search.ops import OPS, SMTLIB_BV
from jbgen.synth.search.program import columns, run_vec

BOUND = 1_000_000  # CLIA inputs are drawn from [-BOUND, BOUND]: Int is unbounded, a long is not
CLIA_SAMPLES = 3000  # inputs the CLIA checker tries per candidate
CLIA_OPS = frozenset({
    "ladd", "lsub", "lmul", "lneg", "Math.abs(long)long", "Math.min(long,long)long", "Math.max(long,long)long",
    "lcmplt", "lcmple", "lcmpeq", "lcmpne", "and", "or", "not",
})


def signed(v: int, width: int) -> int:
    v &= (1 << width) - 1
    return v - (1 << width) if v >> (width - 1) else v


# ----------------------------------------------------------------------------- bit-vector semantics


def _sdiv_smt(a: int, b: int, w: int) -> int:
    m = (1 << w) - 1
    neg_a, neg_b = a >> (w - 1), b >> (w - 1)
    ua, ub = (-a) & m if neg_a else a, (-b) & m if neg_b else b
    q = m if ub == 0 else ua // ub
    return (-q) & m if neg_a != neg_b else q


def _srem_smt(a: int, b: int, w: int) -> int:
    m = (1 << w) - 1
    neg_a, neg_b = a >> (w - 1), b >> (w - 1)
    ua, ub = (-a) & m if neg_a else a, (-b) & m if neg_b else b
    r = ua if ub == 0 else ua % ub
    return (-r) & m if neg_a else r


def bv_eval(e: SExp, env: dict[str, int], width: int, jvm: bool) -> int:
    """Value of a bit-vector (or Bool) expression; values unsigned ``width``-bit ints.

    ``jvm``: the JVM reading (shift distances masked to 5 or 6 bits; division
    by zero raises :class:`JavaArithmeticException`); else SMT-LIB's (a shift
    by the width or more gives 0 or the sign; division by zero is defined)."""
    m = (1 << width) - 1
    if isinstance(e, str):
        if e in env:
            return env[e]
        lit = literal(e)
        if lit is None:
            raise SygusError(f"unknown symbol {e}")
        return lit[0]
    op = e[0]
    if op == "ite":
        return bv_eval(e[2] if bv_eval(e[1], env, width, jvm) else e[3], env, width, jvm)
    a = [bv_eval(x, env, width, jvm) for x in e[1:]]
    w = width
    if op == "bvadd":
        return (a[0] + a[1]) & m
    if op == "bvsub":
        return (a[0] - a[1]) & m
    if op == "bvmul":
        return (a[0] * a[1]) & m
    if op == "bvneg":
        return (-a[0]) & m
    if op == "bvnot":
        return ~a[0] & m
    if op == "bvand":
        return a[0] & a[1]
    if op == "bvor":
        return a[0] | a[1]
    if op == "bvxor":
        return a[0] ^ a[1]
    if op in ("bvshl", "bvlshr", "bvashr"):
        d = a[1] & (w - 1) if jvm else a[1]
        if op == "bvshl":
            return (a[0] << d) & m if d < w else 0
        if op == "bvlshr":
            return a[0] >> d if d < w else 0
        return (signed(a[0], w) >> min(d, w - 1)) & m
    if op in ("bvudiv", "bvurem", "bvsdiv", "bvsrem"):
        if jvm and a[1] == 0:
            raise JavaArithmeticException("/ by zero")
        if op == "bvudiv":
            return m if a[1] == 0 else a[0] // a[1]
        if op == "bvurem":
            return a[0] if a[1] == 0 else a[0] % a[1]
        return _sdiv_smt(a[0], a[1], w) if op == "bvsdiv" else _srem_smt(a[0], a[1], w)
    if op == "=":
        return int(a[0] == a[1])
    if op == "bvult":
        return int(a[0] < a[1])
    if op == "bvslt":
        return int(signed(a[0], w) < signed(a[1], w))
    if op == "not":
        return 1 - a[0]
    if op == "and":
        return int(all(a))
    if op == "or":
        return int(any(a))
    raise SygusError(f"bit-vector operator not supported: {op}")


# ----------------------------------------------------------------------------- vectorized Int semantics


FApp = Callable[[list[np.ndarray]], np.ndarray]  # the argument columns of an f-application -> its values


def int_eval(e: SExp, env: dict[str, np.ndarray], fname: str, fapp: FApp) -> np.ndarray:
    """Value of an Int/Bool expression on many inputs at once (int64 or bool arrays, broadcast)."""
    if isinstance(e, str):
        if e in env:
            return env[e]
        lit = literal(e)
        if lit is None:
            raise SygusError(f"unknown symbol {e}")
        return np.asarray(bool(lit[0]) if lit[1] == BOOL else lit[0], bool if lit[1] == BOOL else np.int64)
    op = e[0]
    if op == fname:
        return fapp([int_eval(x, env, fname, fapp) for x in e[1:]])
    a = [int_eval(x, env, fname, fapp) for x in e[1:]]
    if op == "+":
        return sum(a[1:], a[0])
    if op == "-":
        return -a[0] if len(a) == 1 else a[0] - sum(a[2:], a[1])
    if op == "*":
        return math.prod(a[1:], start=a[0])
    if op == "ite":
        return np.where(a[0], a[1], a[2])
    if op in ("=", "<", "<=", ">", ">="):
        f = {"=": np.equal, "<": np.less, "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}[op]
        out = f(a[0], a[1])
        for x, y in zip(a[1:], a[2:], strict=False):
            out = out & f(x, y)
        return out
    if op == "and":
        return np.logical_and.reduce(np.broadcast_arrays(*a))
    if op == "or":
        return np.logical_or.reduce(np.broadcast_arrays(*a))
    if op == "not":
        return ~a[0]
    if op == "=>":
        return ~a[0] | a[1]
    if op == "xor":
        return a[0] ^ a[1]
    raise SygusError(f"Int operator not supported: {op}")


# ----------------------------------------------------------------------------- the translation


@dataclass
class Translation:
    """A SyGuS file as a jbgen problem, with what the harness must say about it."""

    sygus: SygusFile
    problem: Problem
    options: SearchOptions
    notes: list[str] = field(default_factory=list)


def jtype(s: Sort) -> JType:
    if s == BOOL:
        return JType.BOOLEAN
    if s == INT or (s.kind == "BitVec" and s.width == 64):
        return JType.LONG
    if s.kind == "BitVec" and s.width == 32:
        return JType.INT
    raise SygusError(f"no JVM type for {s}")


def _grammar_ops(f: SygusFile, width: int) -> tuple[set[str], set[int], bool]:
    """jbgen op keys and constants (signed) of the grammar, and whether it has ``ite``."""
    assert f.synth.grammar is not None
    names = {n for n, _ in f.synth.grammar.nonterminals} | {n for n, _ in f.synth.params}
    smt = SMTLIB_BV[width]
    ops: set[str] = set()
    consts: set[int] = set()
    has_ite = False

    def walk(e: SExp) -> None:
        nonlocal has_ite
        if isinstance(e, str):
            lit = literal(e)
            if lit is not None and lit[1].kind == "BitVec":
                consts.add(signed(lit[0], lit[1].width))
            elif lit is None and e not in names:
                raise SygusError(f"grammar symbol not supported: {e}")
            return
        head = e[0]
        if head == "ite":
            has_ite = True
        elif head == "=":
            ops.add(("i" if width == 32 else "l") + "cmpeq")
        elif head in smt:
            ops.add(smt[head])
        else:
            raise SygusError(f"grammar operator not supported: {head}")
        for x in e[1:]:
            walk(x)

    for rules in f.synth.grammar.rules.values():
        for r in rules:
            walk(expand(r, f.defines))
    return ops, consts, has_ite


def translate(f: SygusFile, time_limit: float = 10.0, seed: int = 0) -> Translation:
    """The jbgen problem and search options for one file (raises :class:`SygusError`)."""
    if f.track == "CLIA":
        return _clia(f, time_limit, seed)
    s = f.synth
    for _, sort in (*s.params, ("", s.sort)):
        if sort.kind != "BitVec" or sort.width not in (32, 64):
            raise SygusError(f"{f.path.name}: only (_ BitVec 32/64) in a BV problem, got {sort}")
    width = s.sort.width
    ops, consts, has_ite = _grammar_ops(f, width) if s.grammar else (None, set(), True)
    params = tuple(Param(n, jtype(t)) for n, t in s.params)
    ret = jtype(s.sort)
    notes: list[str] = []
    cls = "sygus." + f.path.stem.replace("-", "_")
    opts = SearchOptions(time_limit=time_limit, loops=False, conditionals=has_ite)
    pbe = _pbe_examples(f)
    if pbe is not None:
        if ops and any(OPS[k].group == "shift" for k in ops):
            notes.append("shift distances are int constants; the long bank holds them too")
        if has_ite:
            assert ops is not None
            ops.add("lcmpeq" if width == 64 else "icmpeq")
            notes.append("conditionals by unification with predicates `a == b` (the grammar's `im` is `a == 1`)")
        prob = Problem(f.synth.name, params, ret, tuple(pbe), ops=frozenset(ops) if ops is not None else None,
                       constants=tuple(sorted(consts)), default_constants=False, example_constants=False,
                       class_name=cls, seed=seed)
        return Translation(f, prob, opts, notes)
    ref = _reference(f)
    if ref is None:
        raise SygusError(f"{f.path.name}: a BV file needs a reference define-fun or examples")
    jvm_ref, differs = ref
    if differs:
        notes.extend(differs)
    prob = reference_problem(f.synth.name, params, ret, jvm_ref, ops=frozenset(ops) if ops is not None else None,
                             constants=tuple(sorted(consts)), default_constants=False, class_name=cls, seed=seed)
    return Translation(f, prob, opts, notes)


def _pbe_examples(f: SygusFile) -> list[Example] | None:
    """``(= (f lit...) lit)`` constraints as examples, or None if any constraint is not one."""
    out = []
    name = f.synth.name
    for c in f.constraints:
        if not (isinstance(c, list) and len(c) == 3 and c[0] == "="):
            return None
        app, val = (c[1], c[2]) if isinstance(c[1], list) and c[1][:1] == [name] else (c[2], c[1])
        if not (isinstance(app, list) and app[:1] == [name] and isinstance(val, str)):
            return None
        lits = [literal(a) if isinstance(a, str) else None for a in app[1:]]
        out_lit = literal(val)
        if out_lit is None or any(x is None for x in lits):
            return None
        ins = tuple(signed(v, s.width) for v, s in lits)  # type: ignore[misc]
        out.append(Example(ins, signed(out_lit[0], out_lit[1].width)))
    return out or None


def _reference(f: SygusFile) -> tuple[Callable[..., Any], list[str]] | None:
    """The reference of a ``(= (ref args) (f args))`` file, with JVM semantics, and notes on
    where that reading differs from SMT-LIB's (shifts by a variable, divisions)."""
    name = f.synth.name
    if len(f.constraints) != 1:
        return None
    c = f.constraints[0]
    if not (isinstance(c, list) and len(c) == 3 and c[0] == "="):
        return None
    sides = [c[1], c[2]]
    fa = next((s for s in sides if isinstance(s, list) and s[:1] == [name]), None)
    other = next((s for s in sides if s is not fa), None)
    if fa is None or other is None or fa[1:] != [n for n, _ in f.synth.params]:
        return None
    body = expand(other, f.defines)
    width = f.synth.sort.width
    pnames = [n for n, _ in f.synth.params]
    notes = []
    text = show(body)
    if any(op in text for op in ("bvshl", "bvlshr", "bvashr")) and _shift_by_non_constant(body):
        notes.append("the reference shifts by a variable amount: SMT-LIB gives 0 (or the sign) for a distance "
                     ">= 32, the JVM masks it; jbgen solves the JVM reading")
    if any(op in text for op in ("bvudiv", "bvurem", "bvsdiv", "bvsrem")):
        notes.append("the reference divides: where the divisor is 0 SMT-LIB defines a value, the JVM throws "
                     "ArithmeticException; jbgen solves the JVM reading (the method must throw there)")

    def ref(*args: int) -> int:
        env = {n: a & ((1 << width) - 1) for n, a in zip(pnames, args, strict=True)}
        return signed(bv_eval(body, env, width, jvm=True), width)

    return ref, notes


def _shift_by_non_constant(e: SExp) -> bool:
    if isinstance(e, str):
        return False
    if e[0] in ("bvshl", "bvlshr", "bvashr") and not (isinstance(e[2], str) and literal(e[2]) is not None):
        return True
    return any(_shift_by_non_constant(x) for x in e[1:])


# ----------------------------------------------------------------------------- CLIA


def _fapps(e: SExp, name: str, out: list[list[SExp]]) -> None:
    if isinstance(e, str):
        return
    if e[0] == name:
        out.append(e)
    for x in e[1:]:
        _fapps(x, name, out)


def _numerals(e: SExp, out: set[int]) -> None:
    if isinstance(e, str):
        if e.isdigit():
            out.add(int(e))
        return
    for x in e:
        _numerals(x, out)


@dataclass
class _Clia:
    """The constraint of a CLIA file, evaluated for the spec and the checker."""

    fname: str
    vars: list[str]  # the declared variables, in order
    main: list[str]  # the main application's arguments (declared variables, one per parameter)
    others: list[list[SExp]]  # argument lists of the other applications (over the variables)
    formula: SExp  # the conjunction of the constraints (define-funs expanded)
    ret: JType

    def spec(self) -> Callable[[Sequence[Any], Any], Any]:
        """Relational spec over the examples: the constraint with the candidate's output as the value of the
        main application; another application reads the candidate's output on the example with its arguments
        (judged true where no example has them yet: the checker will add one)."""
        cache: dict[str, Any] = {}

        def index(ins: Sequence[np.ndarray]) -> list[np.ndarray]:
            key = np.stack([np.asarray(c, np.int64) for c in ins]) if ins else np.zeros((0, 0), np.int64)
            if "key" in cache and cache["key"].shape == key.shape and np.array_equal(cache["key"], key):
                return cache["idx"]  # type: ignore[no-any-return]
            env = {v: key[i] for i, v in enumerate(self.main)}
            where = {tuple(col): j for j, col in enumerate(key.T.tolist())}
            idx = []
            for args in self.others:
                vals = [np.broadcast_to(int_eval(a, env, self.fname, _no_f), key.shape[1:]) for a in args]
                idx.append(np.array([where.get(tuple(t), -1) for t in zip(*(v.tolist() for v in vals),
                                                                                strict=True)], np.int64))
            cache["key"], cache["idx"] = key, idx
            return idx

        def spec(ins: Sequence[Any], out: Any) -> Any:
            idx = index(ins)
            env = {v: np.asarray(c, np.int64) for v, c in zip(self.main, ins, strict=True)}
            out64 = np.asarray(out).astype(np.int64) if self.ret is not JType.BOOLEAN else np.asarray(out)
            missing = np.zeros(out64.shape[-1:], bool)
            for i in idx:
                missing |= i < 0
            calls = iter(idx)
            first = [True]

            def fapp(args: list[np.ndarray]) -> np.ndarray:
                # Applications are met in the order _fapps lists them: the main one, then the others.
                if first[0]:
                    first[0] = False
                    return out64
                i = next(calls)
                return np.take(out64, np.where(i < 0, 0, i), axis=-1)

            ok = _eval_apps(self, env, fapp)
            return ok | missing

        return spec

    def violations(self, program: Term, params: tuple[Param, ...], samples: dict[str, np.ndarray],
                   n: int) -> tuple[np.ndarray, list[list[np.ndarray]]]:
        """Where the whole constraint fails for ``program`` on the samples, and the argument columns
        of every application (the main one first)."""
        calls: list[list[np.ndarray]] = []
        env = dict(samples)
        err_any = np.zeros(n, bool)

        def fapp(args: list[np.ndarray]) -> np.ndarray:
            nonlocal err_any
            cols = [np.broadcast_to(np.asarray(a, np.int64), (n,)) for a in args]
            calls.append(cols)
            inputs = list(zip(*(c.tolist() for c in cols), strict=True))
            fits = np.array([all(-(1 << 63) <= v < (1 << 63) for v in t) for t in inputs], bool)
            vals, err = run_vec(program, columns(params, [t if ok else (0,) * len(t)
                                                          for t, ok in zip(inputs, fits, strict=True)]),
                                n, self.ret)
            err_any = err_any | err
            return vals.astype(np.int64) if self.ret is not JType.BOOLEAN else vals

        ok = _eval_apps(self, env, fapp)
        return ~ok | err_any, calls


def _no_f(args: list[np.ndarray]) -> np.ndarray:
    raise SygusError("nested application of the function to synthesize")


def _eval_apps(c: _Clia, env: dict[str, np.ndarray], fapp: FApp) -> np.ndarray:
    # Every application of f is evaluated once, in the order of c.others (main first), then the
    # formula reads those values: so the spec's fapp can hand out values by position.
    apps: list[list[SExp]] = []
    _fapps(c.formula, c.fname, apps)
    seen: dict[str, np.ndarray] = {}
    order = [show([c.fname, *c.main])] + [show([c.fname, *a]) for a in c.others]
    for key in order:
        app = next(a for a in apps if show(a) == key)
        seen[key] = fapp([int_eval(x, env, c.fname, _no_f) for x in app[1:]])
    return _eval_with(c.formula, env, c.fname, seen)


def _eval_with(e: SExp, env: dict[str, np.ndarray], fname: str, seen: dict[str, np.ndarray]) -> np.ndarray:
    if isinstance(e, list) and e and e[0] == fname:
        return seen[show(e)]
    if isinstance(e, str):
        return int_eval(e, env, fname, _no_f)
    sub = {f"$a{i}": _eval_with(x, env, fname, seen) for i, x in enumerate(e[1:])}
    return int_eval([e[0], *sub], {**env, **sub}, fname, _no_f)


def _clia(f: SygusFile, time_limit: float, seed: int) -> Translation:
    s = f.synth
    for _, sort in (*s.params, ("", s.sort)):
        if sort not in (INT, BOOL):
            raise SygusError(f"{f.path.name}: CLIA sorts are Int and Bool, got {sort}")
    if s.grammar is not None:
        raise SygusError(f"{f.path.name}: CLIA with a grammar is not supported")
    formula: SExp = ["and", *[expand(c, f.defines) for c in f.constraints]]
    apps: list[list[SExp]] = []
    _fapps(formula, s.name, apps)
    vars_ = list(f.vars)
    main = next((a for a in apps if all(isinstance(x, str) and x in f.vars for x in a[1:])
                 and len(set(a[1:])) == len(a) - 1), None)
    if main is None:
        raise SygusError(f"{f.path.name}: no application of {s.name} to distinct variables")
    others: list[list[SExp]] = []
    for a in apps:
        if a != main and a[1:] not in others:
            nested: list[list[SExp]] = []
            for x in a[1:]:
                _fapps(x, s.name, nested)
            if nested:
                raise SygusError(f"{f.path.name}: nested application {show(a)} (not supported)")
            others.append(a[1:])
    free = set(vars_) - set(main[1:])
    if free:
        raise SygusError(f"{f.path.name}: variables {sorted(free)} are not arguments of {s.name} "
                         "(a universally quantified one is not supported)")
    ret = jtype(s.sort)
    params = tuple(Param(n, jtype(t), lo=-BOUND, hi=BOUND) for n, t in s.params)
    clia = _Clia(s.name, vars_, [str(x) for x in main[1:]], others, formula, ret)
    nums: set[int] = {0, 1}
    _numerals(formula, nums)
    sampler = _Sampler(clia.main, sorted(nums), seed)
    checker = _CliaChecker(clia, params, sampler)
    examples = tuple(Example(t) for t in sampler.initial(8))
    checker.known.update(examples_key(e.inputs) for e in examples)
    prob = Problem(s.name, params, ret, examples, checker=checker, spec=clia.spec(), ops=CLIA_OPS,
                   constants=tuple(sorted(nums)), default_constants=False, example_constants=False,
                   class_name="sygus." + f.path.stem, seed=seed)
    notes = [f"Int as long: inputs drawn from [-{BOUND}, {BOUND}]; the answer is checked as an Int function"]
    if others:
        notes.append(f"{s.name} is applied {len(others) + 1} ways: the spec reads the other applications "
                     "across examples")
    return Translation(f, prob, SearchOptions(time_limit=time_limit, loops=False), notes)


def examples_key(inputs: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(int(x) for x in inputs)


class _Sampler:
    """Seeded inputs for the CLIA checker: small values, the file's constants and their
    neighbours, wide values, and ordered tuples with one value redrawn (many CLIA
    constraints are guarded by an ordering of the inputs)."""

    def __init__(self, names: list[str], numerals: list[int], seed: int) -> None:
        self.names = names
        near = sorted({v + d for n in numerals for v in (n, -n) for d in (-1, 0, 1)})
        self.near = np.array(near, np.int64)
        self.rng = np.random.default_rng(seed)

    def draw(self, n: int) -> np.ndarray:
        k = len(self.names)
        rng = self.rng
        kind = rng.integers(0, 4, size=(n, 1))
        small = rng.integers(-20, 21, size=(n, k))
        near = self.near[rng.integers(0, len(self.near), size=(n, k))]
        wide = rng.integers(-BOUND, BOUND + 1, size=(n, k))
        mixed = np.where(rng.random((n, k)) < 0.5, small, near)
        out = np.where(kind == 0, small, np.where(kind == 1, mixed, wide))
        ordered = np.sort(np.where(rng.random((n, 1)) < 0.5, small, wide), axis=1)
        redraw = rng.integers(0, k, size=n)
        ordered[np.arange(n), redraw] = np.where(rng.random(n) < 0.5, small[:, 0], wide[:, 0])
        keep_sorted = rng.random(n) < 0.3  # some stay fully ordered
        ordered = np.where(keep_sorted[:, None], np.sort(ordered, axis=1), ordered)
        return np.where(kind == 3, ordered, out).astype(np.int64)

    def initial(self, n: int) -> list[tuple[int, ...]]:
        seen: dict[tuple[int, ...], None] = {}
        for row in self.draw(4 * n).tolist():
            seen.setdefault(tuple(row), None)
            if len(seen) == n:
                break
        return list(seen)


class _CliaChecker:
    """Evaluates the whole constraint with the candidate on seeded inputs; a violation gives
    the argument tuples of its applications as new examples (the spec judges them)."""

    def __init__(self, clia: _Clia, params: tuple[Param, ...], sampler: _Sampler, per_round: int = 3) -> None:
        self.clia = clia
        self.params = params
        rows = sampler.draw(CLIA_SAMPLES)
        self.samples = {v: rows[:, i] for i, v in enumerate(sampler.names)}
        self.n = len(rows)
        self.known: set[tuple[Any, ...]] = set()
        self.per_round = per_round
        self.calls = 0

    def __call__(self, program: Any) -> list[Example] | None:
        self.calls += 1
        if not isinstance(program, Term):
            raise SygusError("the CLIA checker takes expression programs only")
        bad, calls = self.clia.violations(program, self.params, self.samples, self.n)
        if not bad.any():
            return None
        out: list[Example] = []
        fallback: list[Example] = []
        for i in np.nonzero(bad)[0].tolist():
            tuples = [tuple(int(c[i]) for c in cols) for cols in calls]
            fresh = [t for t in dict.fromkeys(tuples) if t not in self.known
                     and all(-BOUND <= v <= BOUND for v in t)]
            if not fresh:
                fallback.append(Example(tuples[0]))
                continue
            for t in fresh:
                self.known.add(t)
                out.append(Example(t))
            if len(out) >= self.per_round:
                break
        # Every violation on known inputs only: hand one back (the search reports "inconsistent").
        return out or fallback[:1]


# ----------------------------------------------------------------------------- back to SMT-LIB


def _bv(v: int, width: int) -> str:
    return f"#x{v & ((1 << width) - 1):0{width // 4}x}"


_SMT_BIN = {"add": "bvadd", "sub": "bvsub", "mul": "bvmul", "and": "bvand", "or": "bvor", "xor": "bvxor"}
_SMT_CMP = {"lt": "bvslt", "le": "bvsle", "eq": "=", "ne": "distinct"}


class _ToSmt:
    """A term as SMT-LIB; ``int_as`` says whether jbgen's long is ``Int`` (CLIA) or a 64-bit vector."""

    def __init__(self, long_is_int: bool) -> None:
        self.long_is_int = long_is_int
        self.guards: list[str] = []

    def width(self, t: JType) -> int:
        return 64 if t is JType.LONG else 32

    def go(self, t: Term, cond: list[str]) -> str:
        op = t.op
        if op == "var":
            return str(t.value)
        if op == "const":
            if t.type is JType.BOOLEAN:
                return "true" if t.value else "false"
            if t.type is JType.LONG and self.long_is_int:
                return str(t.value) if t.value >= 0 else f"(- {-t.value})"
            return _bv(int(t.value), self.width(t.type))
        a = t.args
        if op in ("iite", "lite", "zite"):
            c = self.go(a[0], cond)
            return f"(ite {c} {self.go(a[1], [*cond, c])} {self.go(a[2], [*cond, f'(not {c})'])})"
        if op == "and":
            x = self.go(a[0], cond)
            return f"(and {x} {self.go(a[1], [*cond, x])})"
        if op == "or":
            x = self.go(a[0], cond)
            return f"(or {x} {self.go(a[1], [*cond, f'(not {x})'])})"
        args = [self.go(x, cond) for x in a]
        if op == "not":
            return f"(not {args[0]})"
        if op == "xor":
            return f"(xor {args[0]} {args[1]})"
        if self.long_is_int and (t.type is JType.LONG or (a and a[0].type is JType.LONG)):
            return self._int(op, args)
        return self._bvop(t, op, args, cond)

    def _int(self, op: str, args: list[str]) -> str:
        simple = {"ladd": "+", "lsub": "-", "lmul": "*", "lneg": "-", "Math.abs(long)long": "abs",
                  "lcmplt": "<", "lcmple": "<=", "lcmpeq": "=", "lcmpne": "distinct"}
        if op in simple:
            return f"({simple[op]} {' '.join(args)})"
        if op == "Math.max(long,long)long":
            return f"(ite (>= {args[0]} {args[1]}) {args[0]} {args[1]})"
        if op == "Math.min(long,long)long":
            return f"(ite (<= {args[0]} {args[1]}) {args[0]} {args[1]})"
        raise SygusError(f"no Int translation for {op}")

    def _bvop(self, t: Term, op: str, args: list[str], cond: list[str]) -> str:
        a0 = t.args[0].type if t.args else t.type
        w = self.width(a0)
        p, base = op[:1], op[1:]
        if op in ("i2l", "l2i"):
            return f"((_ sign_extend 32) {args[0]})" if op == "i2l" else f"((_ extract 31 0) {args[0]})"
        if p in "il" and base in _SMT_BIN:
            return f"({_SMT_BIN[base]} {args[0]} {args[1]})"
        if p in "il" and base in ("neg", "not"):
            return f"(bv{base} {args[0]})"
        if p in "il" and base in ("shl", "shr", "ushr"):
            # The JVM masks the distance (an int) to 5 or 6 bits: a constant one is written
            # masked (`x >> -1` is `x >> 31`), a computed one with the mask spelled out.
            k = t.args[1]
            if k.op == "const":
                d = _bv(int(k.value) & (w - 1), w)
            else:
                d = f"(bvand {args[1]} {_bv(w - 1, 32)})"
                if w == 64:
                    d = f"((_ zero_extend 32) {d})"
            name = {"shl": "bvshl", "shr": "bvashr", "ushr": "bvlshr"}[base]
            return f"({name} {args[0]} {d})"
        div = {"div": "bvsdiv", "rem": "bvsrem"}.get(base) if p in "il" else None
        if op.endswith(("divideUnsigned(int,int)int", "divideUnsigned(long,long)long")):
            div = "bvudiv"
        if op.endswith(("remainderUnsigned(int,int)int", "remainderUnsigned(long,long)long")):
            div = "bvurem"
        if div is not None:
            # bvsdiv of MIN by -1 is MIN, as idiv; where the divisor is 0 the JVM throws: a guard.
            g = f"(distinct {args[1]} {_bv(0, w)})"
            self.guards.append(f"(=> (and {' '.join(cond)}) {g})" if cond else g)
            return f"({div} {args[0]} {args[1]})"
        if p in "il" and base.startswith("cmp") and base[3:] in _SMT_CMP:
            return f"({_SMT_CMP[base[3:]]} {args[0]} {args[1]})"
        if op.startswith("Math.max(") or op.startswith("Math.min("):
            c = "bvsge" if "max" in op else "bvsle"
            return f"(ite ({c} {args[0]} {args[1]}) {args[0]} {args[1]})"
        if op.startswith("Math.abs("):
            return f"(ite (bvslt {args[0]} {_bv(0, w)}) (bvneg {args[0]}) {args[0]})"
        raise SygusError(f"no SMT-LIB translation for {op}")


@dataclass(frozen=True)
class SmtAnswer:
    """An answer as ``define-fun f`` and ``define-fun f__ok`` (the guards: no division by zero)."""

    define: str
    ok: str


def answer_smt(f: SygusFile, program: Term) -> SmtAnswer:
    """A jbgen program as SMT-LIB, with JVM semantics spelled out."""
    s = f.synth
    conv = _ToSmt(long_is_int=f.track == "CLIA")
    body = conv.go(program, [])
    params = " ".join(f"({n} {t})" for n, t in s.params)
    ok = "(and " + " ".join(conv.guards) + ")" if conv.guards else "true"
    return SmtAnswer(f"(define-fun {s.name} ({params}) {s.sort} {body})",
                     f"(define-fun {s.name}__ok ({params}) Bool {ok})")


def _define_text(d: Define) -> str:
    params = " ".join(f"({n} {t})" for n, t in d.params)
    return f"(define-fun {d.name} ({params}) {d.sort} {show(d.body)})"


def _with_ok(e: SExp, name: str, oks: list[str]) -> None:
    if isinstance(e, str):
        return
    if e[0] == name:
        oks.append(show([f"{name}__ok", *e[1:]]))
    for x in e[1:]:
        _with_ok(x, name, oks)


def verify_query(f: SygusFile, ans: SmtAnswer, extra_assumption: str | None = None) -> str:
    """SMT-LIB asking for inputs where the answer breaks a constraint or throws: unsat means correct."""
    lines = ["(set-logic ALL)", "(set-option :produce-models true)"]
    lines += [_define_text(d) for d in f.defines.values()]
    lines += [ans.define, ans.ok]
    lines += [f"(declare-const {v} {t})" for v, t in f.vars.items()]
    oks: list[str] = []
    for c in f.constraints:
        _with_ok(c, f.synth.name, oks)
    conj = " ".join(show(c) for c in f.constraints)
    lines.append(f"(assert (not (and {conj} {' '.join(dict.fromkeys(oks))})))")
    if extra_assumption:
        lines.append(f"(assert {extra_assumption})")
    lines.append("(check-sat)")
    if f.vars:
        lines.append(f"(get-value ({' '.join(f.vars)}))")
    return "\n".join(lines) + "\n"


def common_domain(f: SygusFile) -> str | None:
    """Where SMT-LIB and the JVM agree on the reference: every shift distance below the width and every
    divisor non-zero (None when the reference has neither)."""
    conds: list[str] = []
    width = f.synth.sort.width

    def walk(e: SExp) -> None:
        if isinstance(e, str):
            return
        if e[0] in ("bvshl", "bvlshr", "bvashr") and not (isinstance(e[2], str) and literal(e[2]) is not None):
            conds.append(f"(bvult {show(e[2])} {_bv(width, width)})")
        if e[0] in ("bvudiv", "bvurem", "bvsdiv", "bvsrem"):
            conds.append(f"(distinct {show(e[2])} {_bv(0, width)})")
        for x in e[1:]:
            walk(x)

    if f.track != "hd" or len(f.constraints) != 1:
        return None
    walk(expand(f.constraints[0], f.defines))
    # The condition mentions the reference's formal parameters, which are the declared variables here.
    return ("(and " + " ".join(dict.fromkeys(conds)) + ")") if conds else None


def jvm_agrees(f: SygusFile, tr: Translation, program: Term, model: dict[str, int]) -> bool:
    """Does the program give what the JVM reading of the reference gives on this input?"""
    from jbgen.synth.search.program import run

    ref = tr.problem.reference
    if ref is None:
        return False
    ins = tuple(signed(model[n], t.width) for n, t in f.synth.params)
    try:
        want = ref(*ins)
    except JavaArithmeticException:
        want = THROWS
    return run(program, tr.problem.params, ins, tr.problem.returns) == want


# ----------------------------------------------------------------------------- exhaustive check


def bv_eval_vec(e: SExp, env: dict[str, np.ndarray], width: int) -> np.ndarray:
    """SMT-LIB semantics of a bit-vector/Bool expression on many inputs (uint64 arrays, values < 2^width;
    Bool as bool arrays).  For ``width`` <= 32, so products and sums stay exact modulo 2^64."""
    assert width <= 32
    m = np.uint64((1 << width) - 1)
    if isinstance(e, str):
        if e in env:
            return env[e]
        lit = literal(e)
        if lit is None:
            raise SygusError(f"unknown symbol {e}")
        return np.asarray(bool(lit[0])) if lit[1] == BOOL else np.uint64(lit[0])
    op = e[0]
    a = [bv_eval_vec(x, env, width) for x in e[1:]]
    w = np.uint64(width)
    one = np.uint64(1)
    if op == "ite":
        return np.where(a[0], a[1], a[2])
    if op in ("bvadd", "bvsub", "bvmul"):
        f = {"bvadd": np.add, "bvsub": np.subtract, "bvmul": np.multiply}[op]
        return f(a[0], a[1]) & m
    if op == "bvneg":
        return (np.uint64(0) - a[0]) & m
    if op == "bvnot":
        return ~a[0] & m
    if op in ("bvand", "bvor", "bvxor"):
        f = {"bvand": np.bitwise_and, "bvor": np.bitwise_or, "bvxor": np.bitwise_xor}[op]
        return f(a[0], a[1])
    if op in ("bvshl", "bvlshr", "bvashr"):
        d = np.minimum(a[1], w)  # a distance >= width: 0, or the sign
        if op == "bvshl":
            return np.where(d >= w, np.uint64(0), (a[0] << np.minimum(d, w - one)) & m)
        if op == "bvlshr":
            return np.where(d >= w, np.uint64(0), a[0] >> np.minimum(d, w - one))
        s = (a[0] << np.uint64(64 - width)).view(np.int64) >> np.int64(64 - width)  # sign-extended
        return (s >> np.minimum(d, w - one).astype(np.int64)).view(np.uint64) & m
    if op in ("bvudiv", "bvurem"):
        safe = np.where(a[1] == 0, one, a[1])
        if op == "bvudiv":
            return np.where(a[1] == 0, m, a[0] // safe)
        return np.where(a[1] == 0, a[0], a[0] % safe)
    if op in ("bvsdiv", "bvsrem"):
        sign = np.uint64(1 << (width - 1))
        na, nb = (a[0] & sign) != 0, (a[1] & sign) != 0
        ua = np.where(na, (np.uint64(0) - a[0]) & m, a[0])
        ub = np.where(nb, (np.uint64(0) - a[1]) & m, a[1])
        safe = np.where(ub == 0, one, ub)
        if op == "bvsdiv":
            q = np.where(ub == 0, m, ua // safe)
            return np.where(na != nb, (np.uint64(0) - q) & m, q)
        r = np.where(ub == 0, ua, ua % safe)
        return np.where(na, (np.uint64(0) - r) & m, r)
    if op == "=":
        return a[0] == a[1]
    if op == "distinct":
        return a[0] != a[1]
    if op == "not":
        return ~np.asarray(a[0], bool)
    if op in ("and", "or"):
        if not a:
            return np.asarray(op == "and")
        f = np.logical_and if op == "and" else np.logical_or
        out = np.asarray(a[0], bool)
        for x in a[1:]:
            out = f(out, x)
        return out
    if op == "=>":
        return ~np.asarray(a[0], bool) | a[1]
    if op in ("bvult", "bvule", "bvslt", "bvsle", "bvsge", "bvsgt", "bvuge", "bvugt"):
        x, y = a[0], a[1]
        if op[2] == "s":
            bias = np.uint64(1 << (width - 1))
            x, y = x ^ bias, y ^ bias
        f = {"lt": np.less, "le": np.less_equal, "gt": np.greater, "ge": np.greater_equal}[op[3:]]
        return f(x, y)
    raise SygusError(f"bit-vector operator not supported: {op}")


def exhaustive_check(f: SygusFile, ans: SmtAnswer, chunk: int = 1 << 22) -> tuple[bool, int | None] | None:
    """Every input of a one-parameter 32-bit file, vectorized: (correct, first bad input), or None when the
    file is not such a file.  The answer is read from its SMT-LIB text (JVM semantics spelled out)."""
    from sygus_parse import parse_sexps

    s = f.synth
    if len(s.params) != 1 or s.params[0][1].kind != "BitVec" or s.params[0][1].width != 32 or len(f.vars) != 1:
        return None
    (name, _), = s.params
    (var,) = f.vars
    d_ans, d_ok = parse_sexps(ans.define)[0], parse_sexps(ans.ok)[0]
    defines = dict(f.defines)
    for d in (d_ans, d_ok):
        assert isinstance(d, list)
        defines[str(d[1])] = Define(str(d[1]), ((name, s.params[0][1]),), BOOL if d[3] == "Bool" else
                                    s.params[0][1], d[4])
    formula = expand(["and", *f.constraints, [f"{s.name}__ok", var]], defines)
    for lo in range(0, 1 << 32, chunk):
        xs = np.arange(lo, lo + chunk, dtype=np.uint64)
        ok = bv_eval_vec(formula, {var: xs}, 32)
        if not ok.all():
            return False, int(xs[int(np.argmin(ok))])
    return True, None
