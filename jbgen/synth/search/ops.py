"""The operator table: every operator's types, vectorized JVM semantics, Java display and bytecode.

An op's ``vec`` takes numpy arrays (broadcastable, one per argument) and
returns the result array; int is ``int32``, long ``int64``, boolean ``bool``,
double ``float64``.
numpy wraps like the JVM for ``+ - * & | ^ ~`` and for shifts once the
distance is masked; shifts go through an unsigned view so that ``<<`` never
meets signed overflow and ``>>>`` is logical.  Division and remainder are
written out (truncation toward zero, ``MIN_VALUE / -1 == MIN_VALUE``); where a
divisor is zero ``throws`` says so and the value is meaningless (the evaluator
zeroes it).  Callers silence numpy's floating-point/overflow warnings
(``np.errstate(all="ignore")``) around evaluation.

``key`` is the name used everywhere else (``Problem.ops``, terms, the scalar
semantics): the JVM mnemonic for instructions, the ``invokestatic`` reference
for library calls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from jbgen.synth.search.problem import JType

I, J, Z, D = JType.INT, JType.LONG, JType.BOOLEAN, JType.DOUBLE  # noqa: E741 (the JVM's type letters)
i32, i64, u32, u64, f64 = np.int32, np.int64, np.uint32, np.uint64, np.float64


@dataclass(frozen=True, slots=True)
class Op:
    key: str
    args: tuple[JType, ...]
    ret: JType
    vec: Callable[..., np.ndarray]
    java: str  # display template: "{0} + {1}"
    kind: str = "plain"  # plain | cmp | and | or | not | ite
    insns: tuple[str, ...] = ()  # bytecode after the arguments are pushed (plain ops)
    throws: Callable[..., np.ndarray] | None = None  # where it throws ArithmeticException
    commutative: bool = False
    group: str = "arith"
    default: bool = True

    @property
    def arity(self) -> int:
        return len(self.args)


# ----------------------------------------------------------------------------- helpers


def _tdiv(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bad = (b == 0) | (b == -1)
    sb: np.ndarray = np.where(bad, 1, b).astype(b.dtype, copy=False)
    q = a // sb  # floors
    r = a - q * sb
    q = q + ((r != 0) & ((a < 0) != (sb < 0))).astype(q.dtype)
    return np.where(b == -1, -a, q)  # -MIN wraps to MIN, as idiv does


def _trem(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bad = (b == 0) | (b == -1)
    sb: np.ndarray = np.where(bad, 1, b).astype(b.dtype, copy=False)
    r = a % sb  # sign of the divisor
    r = np.where((r != 0) & ((r < 0) != (a < 0)), r - sb, r)
    return np.where(bad, 0, r).astype(r.dtype, copy=False)


def _fdiv(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bad = (b == 0) | (b == -1)
    sb: np.ndarray = np.where(bad, 1, b).astype(b.dtype, copy=False)
    return np.where(b == -1, -a, a // sb)


def _fmod(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    bad = (b == 0) | (b == -1)
    sb: np.ndarray = np.where(bad, 1, b).astype(b.dtype, copy=False)
    r = a % sb
    return np.where(bad, 0, r).astype(r.dtype, copy=False)


def _zero(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.broadcast_to(b == 0, np.broadcast_shapes(a.shape, b.shape))


def _udiv(u: type, s: type) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def f(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        sb: np.ndarray = np.where(b == 0, 1, b).astype(s, copy=False)
        return (a.view(u) // sb.view(u)).view(s)

    return f


def _urem(u: type, s: type) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def f(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        sb: np.ndarray = np.where(b == 0, 1, b).astype(s, copy=False)
        return (a.view(u) % sb.view(u)).view(s)

    return f


def _cmp(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a > b).astype(i32) - (a < b).astype(i32)


def _smear(x: np.ndarray, bits: int) -> np.ndarray:
    x = x | (x >> 1)
    x = x | (x >> 2)
    x = x | (x >> 4)
    x = x | (x >> 8)
    x = x | (x >> 16)
    if bits == 64:
        x = x | (x >> 32)
    return x


def _popcount(x: np.ndarray) -> np.ndarray:
    return np.bitwise_count(x).astype(i32)


def _reverse(x: np.ndarray, bits: int) -> np.ndarray:
    m1, m2, m4 = (0x5555555555555555, 0x3333333333333333, 0x0F0F0F0F0F0F0F0F)
    if bits == 32:
        m1, m2, m4 = m1 & 0xFFFFFFFF, m2 & 0xFFFFFFFF, m4 & 0xFFFFFFFF
    x = ((x >> 1) & m1) | ((x & m1) << 1)
    x = ((x >> 2) & m2) | ((x & m2) << 2)
    x = ((x >> 4) & m4) | ((x & m4) << 4)
    return x.byteswap()


def _rotl(u: type, s: type, bits: int, sign: int) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def f(a: np.ndarray, d: np.ndarray) -> np.ndarray:
        x: np.ndarray = a.view(u)
        k: np.ndarray = ((sign * d) & (bits - 1)).astype(u)
        back: np.ndarray = ((-(sign * d)) & (bits - 1)).astype(u)
        return ((x << k) | (x >> back)).view(s)

    return f


def _abs(a: np.ndarray) -> np.ndarray:
    return np.where(a < 0, -a, a)  # -MIN wraps to MIN, as Math.abs does


# ----------------------------------------------------------------------------- doubles
#
# numpy's float64 + - * / are IEEE 754 double operations rounded to nearest (SSE2, as
# the JVM's); dividing by zero gives the infinity or NaN the JVM gives.  What numpy
# does differently is written out: its casts to int32/int64 are undefined for NaN and
# out-of-range values (d2i/d2l saturate, NaN is 0), and np.minimum/np.maximum do not
# order -0.0 below 0.0 (Math.min(0.0, -0.0) is -0.0).


def _d2i(bits: int) -> Callable[[np.ndarray], np.ndarray]:
    s = i32 if bits == 32 else i64
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def f(a: np.ndarray) -> np.ndarray:
        # float(hi) rounds up to 2**31 (2**63): at or above it saturates, as below lo
        top, bottom = a >= float(hi), a <= float(lo)
        inside = ~(top | bottom) & (a == a)
        out: np.ndarray = np.where(inside, a, 0.0).astype(s)  # truncates toward zero
        return np.where(top, s(hi), np.where(bottom, s(lo), out))

    return f


def _dminmax(smaller: bool) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
    def f(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a, b = np.broadcast_arrays(np.asarray(a, f64), np.asarray(b, f64))
        pick = np.minimum(a, b) if smaller else np.maximum(a, b)  # NaN propagates
        # equal: the same bits, or 0.0 and -0.0 (min: the sign bit of either, max: of both)
        ab, bb = a.view(u64), b.view(u64)
        same = ((ab | bb) if smaller else (ab & bb)).view(f64)
        return np.where(a == b, same, pick)

    return f


# ----------------------------------------------------------------------------- the table


def _call(ref: str) -> tuple[str, ...]:
    return (f"invokestatic {ref}",)


def _build() -> dict[str, Op]:
    ops: list[Op] = []

    def add(*a: object, **k: object) -> None:
        ops.append(Op(*a, **k))  # type: ignore[arg-type]

    for t, p, u, s, bits in ((I, "i", u32, i32, 32), (J, "l", u64, i64, 64)):
        jt = t.java
        box = "Integer" if t is I else "Long"
        m = bits - 1
        add(f"{p}add", (t, t), t, lambda a, b: a + b, "{0} + {1}", insns=(f"{p}add",), commutative=True)
        add(f"{p}sub", (t, t), t, lambda a, b: a - b, "{0} - {1}", insns=(f"{p}sub",))
        add(f"{p}mul", (t, t), t, lambda a, b: a * b, "{0} * {1}", insns=(f"{p}mul",), commutative=True)
        add(f"{p}div", (t, t), t, _tdiv, "{0} / {1}", insns=(f"{p}div",), throws=_zero)
        add(f"{p}rem", (t, t), t, _trem, "{0} % {1}", insns=(f"{p}rem",), throws=_zero)
        add(f"{p}neg", (t,), t, lambda a: -a, "-{0}", insns=(f"{p}neg",))
        add(f"{p}and", (t, t), t, lambda a, b: a & b, "{0} & {1}", insns=(f"{p}and",), commutative=True, group="bitwise")
        add(f"{p}or", (t, t), t, lambda a, b: a | b, "{0} | {1}", insns=(f"{p}or",), commutative=True, group="bitwise")
        add(f"{p}xor", (t, t), t, lambda a, b: a ^ b, "{0} ^ {1}", insns=(f"{p}xor",), commutative=True, group="bitwise")
        not_insns = ("iconst_m1", "ixor") if t is I else ("push -1L", "lxor")
        add(f"{p}not", (t,), t, lambda a: ~a, "~{0}", insns=not_insns, group="bitwise")
        add(f"{p}shl", (t, I), t, lambda a, b, u=u, s=s, m=m: (a.view(u) << (b & m).astype(u)).view(s),
            "{0} << {1}", insns=(f"{p}shl",), group="shift")
        add(f"{p}shr", (t, I), t, lambda a, b, s=s, m=m: a >> (b & m).astype(s), "{0} >> {1}",
            insns=(f"{p}shr",), group="shift")
        add(f"{p}ushr", (t, I), t, lambda a, b, u=u, s=s, m=m: (a.view(u) >> (b & m).astype(u)).view(s),
            "{0} >>> {1}", insns=(f"{p}ushr",), group="shift")
        # java.lang.Math
        add(f"Math.abs({jt}){jt}", (t,), t, _abs, "Math.abs({0})", insns=_call(f"Math.abs({jt}){jt}"), group="math")
        add(f"Math.min({jt},{jt}){jt}", (t, t), t, np.minimum, "Math.min({0}, {1})",
            insns=_call(f"Math.min({jt},{jt}){jt}"), commutative=True, group="math")
        add(f"Math.max({jt},{jt}){jt}", (t, t), t, np.maximum, "Math.max({0}, {1})",
            insns=_call(f"Math.max({jt},{jt}){jt}"), commutative=True, group="math")
        add(f"Math.floorDiv({jt},{jt}){jt}", (t, t), t, _fdiv, "Math.floorDiv({0}, {1})",
            insns=_call(f"Math.floorDiv({jt},{jt}){jt}"), throws=_zero, group="math")
        add(f"Math.floorMod({jt},{jt}){jt}", (t, t), t, _fmod, "Math.floorMod({0}, {1})",
            insns=_call(f"Math.floorMod({jt},{jt}){jt}"), throws=_zero, group="math")
        # java.lang.Integer / Long bit helpers
        def ref(name: str, params: str, ret: str, box: str = box) -> str:
            return f"{box}.{name}({params}){ret}"

        def addcall(name: str, args: tuple[JType, ...], ret: JType, f: Callable[..., np.ndarray],
                    box: str = box, **k: object) -> None:
            r = ref(name, ",".join(a.java for a in args), ret.java)
            disp = f"{box}.{name}(" + ", ".join(f"{{{i}}}" for i in range(len(args))) + ")"
            add(r, args, ret, f, disp, insns=_call(r), group=k.pop("group", "bits"), **k)

        addcall("bitCount", (t,), I, lambda a, u=u: _popcount(a.view(u)))
        addcall("numberOfLeadingZeros", (t,), I, lambda a, u=u, b=bits: b - _popcount(_smear(a.view(u), b)))
        addcall("numberOfTrailingZeros", (t,), I, lambda a, u=u: _popcount(~a.view(u) & (a.view(u) - 1)))
        addcall("highestOneBit", (t,), t,
                lambda a, u=u, s=s, b=bits: (lambda x: (x ^ (x >> 1)).view(s))(_smear(a.view(u), b)))
        addcall("lowestOneBit", (t,), t, lambda a: a & -a)
        addcall("reverse", (t,), t, lambda a, u=u, s=s, b=bits: _reverse(a.view(u), b).view(s))
        addcall("reverseBytes", (t,), t, lambda a: a.byteswap(), default=False)
        addcall("rotateLeft", (t, I), t, _rotl(u, s, bits, 1))
        addcall("rotateRight", (t, I), t, _rotl(u, s, bits, -1))
        addcall("signum", (t,), I, lambda a: np.sign(a).astype(i32))
        addcall("compare", (t, t), I, _cmp, group="cmp3")
        addcall("compareUnsigned", (t, t), I, lambda a, b, u=u: _cmp(a.view(u), b.view(u)), group="unsigned")
        addcall("divideUnsigned", (t, t), t, _udiv(u, s), throws=_zero, group="unsigned")
        addcall("remainderUnsigned", (t, t), t, _urem(u, s), throws=_zero, group="unsigned")
        # comparisons -> boolean
        for name, f, sym, comm in (("lt", np.less, "<", False), ("le", np.less_equal, "<=", False),
                                   ("eq", np.equal, "==", True), ("ne", np.not_equal, "!=", True)):
            add(f"{p}cmp{name}", (t, t), Z, f, "{0} " + sym + " {1}", kind="cmp", commutative=comm, group="cmp")
        # conditional expression
        add(f"{p}ite", (Z, t, t), t, lambda c, a, b: np.where(c, a, b), "{0} ? {1} : {2}", kind="ite",
            group="ite")
    # double
    add("dadd", (D, D), D, lambda a, b: a + b, "{0} + {1}", insns=("dadd",), commutative=True, group="double")
    add("dsub", (D, D), D, lambda a, b: a - b, "{0} - {1}", insns=("dsub",), group="double")
    add("dmul", (D, D), D, lambda a, b: a * b, "{0} * {1}", insns=("dmul",), commutative=True, group="double")
    add("ddiv", (D, D), D, lambda a, b: a / b, "{0} / {1}", insns=("ddiv",), group="double")
    add("drem", (D, D), D, np.fmod, "{0} % {1}", insns=("drem",), group="double", default=False)
    add("dneg", (D,), D, lambda a: -a, "-{0}", insns=("dneg",), group="double")
    add("Math.abs(double)double", (D,), D, np.abs, "Math.abs({0})", insns=_call("Math.abs(double)double"),
        group="math")
    add("Math.min(double,double)double", (D, D), D, _dminmax(True), "Math.min({0}, {1})",
        insns=_call("Math.min(double,double)double"), commutative=True, group="math")
    add("Math.max(double,double)double", (D, D), D, _dminmax(False), "Math.max({0}, {1})",
        insns=_call("Math.max(double,double)double"), commutative=True, group="math")
    # comparisons (NaN: false, != true); lowered with dcmpg, so that NaN takes the false branch
    for name, f, sym, comm in (("lt", np.less, "<", False), ("le", np.less_equal, "<=", False),
                               ("eq", np.equal, "==", True), ("ne", np.not_equal, "!=", True)):
        add(f"dcmp{name}", (D, D), Z, f, "{0} " + sym + " {1}", kind="cmp", commutative=comm, group="cmp")
    add("dite", (Z, D, D), D, lambda c, a, b: np.where(c, a, b), "{0} ? {1} : {2}", kind="ite", group="ite")
    add("i2d", (I,), D, lambda a: a.astype(f64), "(double) {0}", insns=("i2d",), group="cast")
    add("l2d", (J,), D, lambda a: a.astype(f64), "(double) {0}", insns=("l2d",), group="cast")
    add("d2i", (D,), I, _d2i(32), "(int) {0}", insns=("d2i",), group="cast")
    add("d2l", (D,), J, _d2i(64), "(long) {0}", insns=("d2l",), group="cast")
    add("i2l", (I,), J, lambda a: a.astype(i64), "(long) {0}", insns=("i2l",), group="cast")
    add("l2i", (J,), I, lambda a: a.astype(i32), "(int) {0}", insns=("l2i",), group="cast")
    add("and", (Z, Z), Z, lambda a, b: a & b, "{0} && {1}", kind="and", commutative=True, group="bool")
    add("or", (Z, Z), Z, lambda a, b: a | b, "{0} || {1}", kind="or", commutative=True, group="bool")
    add("not", (Z,), Z, lambda a: ~a, "!{0}", kind="not", group="bool")
    add("xor", (Z, Z), Z, lambda a, b: a ^ b, "{0} ^ {1}", insns=("ixor",), commutative=True, group="bool")
    add("zite", (Z, Z, Z), Z, lambda c, a, b: np.where(c, a, b), "{0} ? {1} : {2}", kind="ite", group="ite",
        default=False)
    return {o.key: o for o in ops}


OPS: dict[str, Op] = _build()

# Conditional expressions inside terms (``c ? a : b``) are off by default: the
# top-level conditionals come from unification (``unify.py``), which is far cheaper.
DEFAULT_OPS: frozenset[str] = frozenset(k for k, o in OPS.items() if o.default and o.kind != "ite")


# SMT-LIB bit-vector operators (SyGuS grammars) and the op keys that compute
# them on the JVM, for 32-bit (int) and 64-bit (long) vectors.  Where the two
# disagree the JVM wins and a benchmark must say so: shifts by the width or more
# (masked on the JVM, 0 or sign-fill in SMT-LIB) and division by zero (throws on
# the JVM, defined in SMT-LIB).  The long shifts take an int distance, as
# ``lshl`` does: a translation wraps a 64-bit distance in ``l2i``.
SMTLIB_BV: dict[int, dict[str, str]] = {
    bits: {
        "bvadd": f"{p}add", "bvsub": f"{p}sub", "bvmul": f"{p}mul", "bvneg": f"{p}neg", "bvnot": f"{p}not",
        "bvand": f"{p}and", "bvor": f"{p}or", "bvxor": f"{p}xor", "bvshl": f"{p}shl", "bvashr": f"{p}shr",
        "bvlshr": f"{p}ushr", "bvsdiv": f"{p}div", "bvsrem": f"{p}rem",
        "bvudiv": f"{box}.divideUnsigned({t},{t}){t}", "bvurem": f"{box}.remainderUnsigned({t},{t}){t}",
    }
    for bits, p, box, t in ((32, "i", "Integer", "int"), (64, "l", "Long", "long"))
}
