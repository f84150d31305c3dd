"""Synthesized programs: expression terms and loop templates, with two evaluators each.

A :class:`Term` is an expression tree over parameters and constants; a
conditional (``ite``) is a term too.  A :class:`Loop` is one of the loop
templates (a fold over an ``int[]`` or a counted loop over ``0..n``).  Both
evaluate in pure Python with JVM semantics (:func:`run`, the slow reference)
and vectorized over many inputs at once (:func:`run_vec`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from jbgen.synth.search.ops import OPS
from jbgen.synth.search.problem import THROWS, JType, Param
from jbgen.synth.search.semantics import SCALAR, JavaArithmeticException

DTYPE = {JType.INT: np.int32, JType.LONG: np.int64, JType.BOOLEAN: np.bool_, JType.CHAR: np.int32,
         JType.DOUBLE: np.float64}

_NAN_BITS = np.uint64(0x7FF8000000000000)


def double_keys(v: np.ndarray) -> np.ndarray:
    """Doubles as ``Double.doubleToLongBits`` (uint64): equal exactly when ``Double.equals``
    says so (every NaN one value, ``-0.0`` apart from ``0.0``)."""
    v = np.asarray(v, np.float64)
    return np.where(v != v, _NAN_BITS, v.view(np.uint64))


def same_values(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise Java equality of two value arrays: by :func:`double_keys` for doubles,
    ``==`` otherwise."""
    if a.dtype == np.float64 or b.dtype == np.float64:
        return double_keys(a) == double_keys(b)
    return a == b

# Names of the loop variables inside a loop's step term; `$` keeps them apart
# from any Java parameter name a contract could use.
ACC = "acc$"
ELEM = "x$"
INDEX = "i$"
BEST = "best$"


@dataclass(frozen=True, slots=True)
class Term:
    """``op`` is ``"var"`` (``value`` = name), ``"const"`` (``value`` = the
    constant), ``"len"`` (``value`` = an ``int[]`` parameter's name) or an op key."""

    op: str
    type: JType
    args: tuple[Term, ...] = ()
    value: Any = None

    @property
    def size(self) -> int:
        return 1 + sum(a.size for a in self.args)

    def __str__(self) -> str:
        return java(self)


@dataclass(frozen=True, slots=True)
class Loop:
    """``acc = init; for (x : arr) acc = step`` (``kind="array"``) or
    ``acc = init; for (i = 0; i < n; i++) acc = step`` (``kind="range"``);
    ``step`` sees :data:`ACC`, :data:`ELEM` or :data:`INDEX`, and the parameters.

    With ``cond`` (arrays only) it is a *selection*: ``acc = step`` only when ``cond``
    holds, and with ``keep`` and ``best_init`` a second accumulator is updated with it:
    ``acc = init; best = best_init; for (i ...) { x = arr[i]; if (cond) { acc = step;
    best = keep; } } return acc;``.  Every part sees :data:`ACC`, :data:`BEST`,
    :data:`ELEM`, :data:`INDEX` and the parameters, and both new values are computed from
    the old ones (the search's ``keep`` reads neither accumulator, so the Java display
    with its two assignments in a row means the same).  ``best`` is an ``int``.  The index
    of the largest element is ``cond = acc < 0 || best < x``, ``step = i``, ``keep = x``,
    ``best_init = 0``."""

    kind: str
    over: str
    init: Term
    step: Term
    cond: Term | None = None
    keep: Term | None = None
    best_init: Term | None = None

    def __post_init__(self) -> None:
        if (self.keep is None) != (self.best_init is None):
            raise ValueError("a selection loop's second accumulator needs both keep and best_init")
        if self.keep is not None and self.cond is None:
            raise ValueError("a selection loop's second accumulator needs a cond")
        if self.cond is not None and self.kind != "array":
            raise ValueError("a selection loop runs over an array")

    @property
    def type(self) -> JType:
        return self.init.type

    @property
    def size(self) -> int:
        # the loop itself counts as 3 nodes, an `if` as 1
        return 3 + sum(t.size for t in self.parts().values()) + (self.cond is not None)

    def parts(self) -> dict[str, Term]:
        """The loop's terms by name (``init``, ``step``, and those of a selection: ``cond``,
        ``keep``, ``best_init``)."""
        out = {"init": self.init, "step": self.step}
        for name in ("cond", "keep", "best_init"):
            t = getattr(self, name)
            if t is not None:
                out[name] = t
        return out

    def __str__(self) -> str:
        t = self.type.java
        if self.cond is not None:
            best = f" int {BEST} = {java(self.best_init)};" if self.best_init is not None else ""
            keep = f" {BEST} = {java(self.keep)};" if self.keep is not None else ""
            return (f"{t} {ACC} = {java(self.init)};{best} "
                    f"for (int {INDEX} = 0; {INDEX} < {self.over}.length; {INDEX}++) {{ int {ELEM} = "
                    f"{self.over}[{INDEX}]; if ({java(self.cond)}) {{ {ACC} = {java(self.step)};{keep} }} }} "
                    f"return {ACC};")
        if self.kind == "array":
            head = f"for (int {ELEM} : {self.over})"
        else:
            head = f"for (int {INDEX} = 0; {INDEX} < {self.over}; {INDEX}++)"
        return f"{t} {ACC} = {java(self.init)}; {head} {ACC} = {java(self.step)}; return {ACC};"


Program = Term | Loop


def var(name: str, t: JType) -> Term:
    return Term("var", t.bank, value=name)


def const(v: Any, t: JType) -> Term:
    return Term("const", t.bank, value=v)


def app(op: str, *args: Term) -> Term:
    return Term(op, OPS[op].ret, tuple(args))


# ----------------------------------------------------------------------------- display


def double_text(v: float) -> str:
    """A double as a literal, Java's and the assembler's alike (``5.0``, ``-0.0``, ``1e+16``)."""
    r = repr(float(v))
    return r if "." in r or "e" in r else r + ".0"


def _lit(v: Any, t: JType) -> str:
    if t is JType.BOOLEAN:
        return "true" if v else "false"
    if t is JType.DOUBLE:
        if v != v:
            return "Double.NaN"
        if v in (math.inf, -math.inf):
            return "Double.POSITIVE_INFINITY" if v > 0 else "Double.NEGATIVE_INFINITY"
        return double_text(v)
    if t is JType.LONG:
        return "Long.MIN_VALUE" if v == -(1 << 63) else ("Long.MAX_VALUE" if v == (1 << 63) - 1 else f"{v}L")
    if v == -(1 << 31):
        return "Integer.MIN_VALUE"
    if v == (1 << 31) - 1:
        return "Integer.MAX_VALUE"
    return str(v)


def distance_mask(op: str) -> int | None:
    """31 (63) when the op's second operand is a distance the JVM masks to 5 (6) bits: the
    shifts and ``Integer``/``Long.rotateLeft``/``rotateRight``; else None."""
    o = OPS.get(op)
    if o is None or len(o.args) != 2 or o.args[1] is not JType.INT:
        return None
    if op[1:] in ("shl", "shr", "ushr") or ".rotate" in op:
        return 63 if o.args[0] is JType.LONG else 31
    return None


def canonical_distance(t: Term, i: int) -> Term:
    """Argument ``i`` of ``t``, with a constant shift distance written as the JVM uses it
    (``x >> -1`` is ``x >> 31``: the search may find either constant first)."""
    a = t.args[i]
    mask = distance_mask(t.op) if i == 1 else None
    if mask is not None and a.op == "const":
        return Term("const", a.type, value=int(a.value) & mask)
    return a


def java(t: Term) -> str:
    """The term as a Java expression (fully parenthesized below the top)."""
    if t.op == "var":
        return str(t.value)
    if t.op == "const":
        return _lit(t.value, t.type)
    if t.op == "len":
        return f"{t.value}.length"
    parts = []
    op = OPS[t.op]
    unary = op.java[0] in "-~!"
    for i in range(len(t.args)):
        a = canonical_distance(t, i)
        s = java(a)
        inner = OPS[a.op].java if a.args else ""
        # Infix and cast operands get parentheses; a prefix operator under another
        # does too, so that `-(-x)` never reads as `--x`.
        if inner[:1] in ("{", "(") or (unary and (inner or s)[:1] in ("-", "~", "!")):
            s = f"({s})"
        parts.append(s)
    return op.java.format(*parts)


# ----------------------------------------------------------------------------- scalar evaluation


def eval_scalar(t: Term, env: Mapping[str, Any]) -> Any:
    """Evaluate with exact JVM semantics; raises :class:`JavaArithmeticException`."""
    op = t.op
    if op == "var":
        return env[t.value]
    if op == "const":
        return t.value
    if op == "len":
        return len(env[t.value])
    if op == "and":
        return eval_scalar(t.args[0], env) and eval_scalar(t.args[1], env)
    if op == "or":
        return eval_scalar(t.args[0], env) or eval_scalar(t.args[1], env)
    if op in ("iite", "lite", "zite", "dite"):
        return eval_scalar(t.args[1] if eval_scalar(t.args[0], env) else t.args[2], env)
    return SCALAR[op](*(eval_scalar(a, env) for a in t.args))  # type: ignore[operator]


def run(program: Program, params: Sequence[Param], inputs: Sequence[Any], returns: JType) -> Any:
    """The program's result on one input tuple, or :data:`THROWS`."""
    env = {p.name: v for p, v in zip(params, inputs, strict=True)}
    try:
        if isinstance(program, Term):
            r = eval_scalar(program, env)
        elif program.cond is not None:
            acc = eval_scalar(program.init, env)
            best = eval_scalar(program.best_init, env) if program.best_init is not None else 0
            for i, x in enumerate(env[program.over]):
                env.update({ACC: acc, BEST: best, ELEM: x, INDEX: i})
                if eval_scalar(program.cond, env):
                    acc = eval_scalar(program.step, env)
                    if program.keep is not None:
                        best = eval_scalar(program.keep, env)
            r = acc
        else:
            acc = eval_scalar(program.init, env)
            seq = env[program.over] if program.kind == "array" else range(max(0, env[program.over]))
            name = ELEM if program.kind == "array" else INDEX
            for x in seq:
                env[ACC] = acc
                env[name] = x
                acc = eval_scalar(program.step, env)
            r = acc
    except JavaArithmeticException:
        return THROWS
    if returns is JType.CHAR:
        r &= 0xFFFF
    return r


# ----------------------------------------------------------------------------- vectorized evaluation


def eval_vec(t: Term, env: Mapping[str, Any], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Values and throws-mask of a term on ``n`` inputs at once (``env`` holds columns)."""
    op = t.op
    if op == "var":
        v = np.asarray(env[t.value])
        return np.broadcast_to(v, (n,)).astype(DTYPE[t.type]), np.zeros(n, bool)
    if op == "const":
        return np.full(n, t.value, DTYPE[t.type]), np.zeros(n, bool)
    if op == "len":
        return np.asarray(env[t.value + ".length"], np.int32), np.zeros(n, bool)
    o = OPS[op]
    vals, errs = zip(*(eval_vec(a, env, n) for a in t.args), strict=True)
    with np.errstate(all="ignore"):
        out = o.vec(*vals)
        err = combine_errors(o, vals, errs)
        if o.throws is not None:
            err = err | o.throws(*vals)
    if err.any():
        out = np.where(err, np.zeros((), out.dtype), out)
    return out, err


def combine_errors(o: Any, vals: Sequence[np.ndarray], errs: Sequence[np.ndarray]) -> np.ndarray:
    """Where an op's arguments throw, honouring short-circuit ``&&``/``||`` and lazy ``?:``."""
    if o.kind == "and":
        return errs[0] | (vals[0] & errs[1])
    if o.kind == "or":
        return errs[0] | (~vals[0] & errs[1])
    if o.kind == "ite":
        return errs[0] | np.where(vals[0], errs[1], errs[2])
    err = errs[0]
    for e in errs[1:]:
        err = err | e
    return err


def array_columns(values: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """``int[]`` inputs as a zero-padded matrix (E, L) and their lengths."""
    n = len(values)
    width = max((len(v) for v in values), default=0)
    mat = np.zeros((n, width), np.int32)
    for i, v in enumerate(values):
        mat[i, : len(v)] = v
    return mat, np.array([len(v) for v in values], np.int32)


def columns(params: Sequence[Param], inputs: Sequence[Sequence[Any]]) -> dict[str, Any]:
    """Input tuples -> one column per parameter (``name.length`` too for arrays)."""
    env: dict[str, Any] = {}
    for i, p in enumerate(params):
        col = [inp[i] for inp in inputs]
        if p.type is JType.INT_ARRAY:
            env[p.name], env[p.name + ".length"] = array_columns(col)
        else:
            env[p.name] = np.array(col, DTYPE[p.type]) if col else np.zeros(0, DTYPE[p.type])
    return env


def run_vec(program: Program, env: Mapping[str, Any], n: int, returns: JType) -> tuple[np.ndarray, np.ndarray]:
    """Values and throws-mask of a program on the ``n`` inputs whose columns are ``env``."""
    if isinstance(program, Term):
        out, err = eval_vec(program, env, n)
    elif program.cond is not None:
        out, err = eval_vec(program.init, env, n)
        best, e = eval_vec(program.best_init, env, n) if program.best_init is not None else \
            (np.zeros(n, np.int32), np.zeros(n, bool))
        err = err | e
        mat, lens = env[program.over], env[program.over + ".length"]
        local = dict(env)
        for k in range(mat.shape[1]):
            active = (k < lens) & ~err
            if not active.any():
                break
            local.update({ACC: out, BEST: best, ELEM: mat[:, k], INDEX: np.full(n, k, np.int32)})
            c, e = eval_vec(program.cond, local, n)
            err = err | (active & e)
            upd = active & c & ~e
            nxt, e1 = eval_vec(program.step, local, n)
            kept, e2 = eval_vec(program.keep, local, n) if program.keep is not None else (best, e1)
            err = err | (upd & (e1 | e2))
            out = np.where(upd, nxt, out)
            best = np.where(upd, kept, best)
    else:
        out, err = eval_vec(program.init, env, n)
        local = dict(env)
        if program.kind == "array":
            mat, lens = env[program.over], env[program.over + ".length"]
            steps = mat.shape[1]
        else:
            lens = np.asarray(env[program.over])
            steps = int(lens.max(initial=0))
        for k in range(steps):
            active = (k < lens) & ~err
            if not active.any():
                break
            local[ACC] = out
            local[ELEM if program.kind == "array" else INDEX] = mat[:, k] if program.kind == "array" else np.full(n, k, np.int32)
            nxt, e = eval_vec(program.step, local, n)
            out = np.where(active, nxt, out)
            err = err | (active & e)
    if returns is JType.CHAR:
        out = out & 0xFFFF
    if err.any():
        out = np.where(err, np.zeros((), out.dtype), out)
    return out, err
