"""Scalar JVM semantics in pure Python: the reference the vectorized evaluator is tested against.

Values are Python ``int`` (int, long, char), ``bool`` (boolean) and ``float``
(double).  Every function returns the exact value the JVM computes, including
wraparound, masked shift distances and truncating division; division by zero raises
:class:`JavaArithmeticException` as ``idiv``/``ldiv`` do.  Python's floats are
IEEE 754 doubles rounded to nearest, as the JVM's (strict since Java 17); only
division by zero (an infinity or NaN on the JVM, an exception in Python), the
conversions to int and long (saturating, NaN to 0) and ``Math.min``/``max``
(``-0.0`` below ``0.0``, NaN wins) are written out.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from jbgen.contract.values import to_integral

INT_MIN = -(1 << 31)
INT_MAX = (1 << 31) - 1
LONG_MIN = -(1 << 63)
LONG_MAX = (1 << 63) - 1
M32 = (1 << 32) - 1
M64 = (1 << 64) - 1


class JavaArithmeticException(Exception):
    """``java.lang.ArithmeticException`` raised by a scalar JVM operation (``/ by zero``)."""


def i32(x: int) -> int:
    """Wrap to a signed 32-bit value, as every int instruction does."""
    x &= M32
    return x - (1 << 32) if x & 0x80000000 else x


def i64(x: int) -> int:
    """Wrap to a signed 64-bit value."""
    x &= M64
    return x - (1 << 64) if x & (1 << 63) else x


def u32(x: int) -> int:
    return x & M32


def u64(x: int) -> int:
    return x & M64


def _tdiv(a: int, b: int) -> int:
    """Division truncating toward zero (Python's // floors)."""
    if b == 0:
        raise JavaArithmeticException("/ by zero")
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


def _trem(a: int, b: int) -> int:
    return a - b * _tdiv(a, b)


def _fdiv(a: int, b: int) -> int:
    if b == 0:
        raise JavaArithmeticException("/ by zero")
    return a // b


def _udiv(a: int, b: int, mask: int) -> int:
    if b == 0:
        raise JavaArithmeticException("/ by zero")
    return (a & mask) // (b & mask)


def _urem(a: int, b: int, mask: int) -> int:
    if b == 0:
        raise JavaArithmeticException("/ by zero")
    return (a & mask) % (b & mask)


def _cmp(a: int, b: int) -> int:
    return -1 if a < b else (0 if a == b else 1)


def _nlz(x: int, bits: int) -> int:
    x &= (1 << bits) - 1
    return bits - x.bit_length()


def _ntz(x: int, bits: int) -> int:
    x &= (1 << bits) - 1
    return bits if x == 0 else (x & -x).bit_length() - 1


def _highest(x: int, bits: int) -> int:
    x &= (1 << bits) - 1
    return 0 if x == 0 else 1 << (x.bit_length() - 1)


def _reverse(x: int, bits: int) -> int:
    x &= (1 << bits) - 1
    return int(format(x, f"0{bits}b")[::-1], 2)


def _reverse_bytes(x: int, bits: int) -> int:
    return int.from_bytes((x & ((1 << bits) - 1)).to_bytes(bits // 8, "big"), "little")


def _rotl(x: int, d: int, bits: int) -> int:
    x &= (1 << bits) - 1
    d &= bits - 1
    return (x << d) | (x >> ((bits - d) & (bits - 1))) if d else x


def _width_ops(p: str, box: str, t: str, wrap: Callable[[int], int], unsigned: Callable[[int], int], bits: int) -> dict[str, object]:
    """The int (p="i", 32 bits) or long (p="l", 64 bits) operators: one definition, two widths."""
    mask = (1 << bits) - 1
    sh = bits - 1  # shift distances are masked to 5 or 6 bits
    return {
        f"{p}add": lambda a, b: wrap(a + b),
        f"{p}sub": lambda a, b: wrap(a - b),
        f"{p}mul": lambda a, b: wrap(a * b),
        f"{p}div": lambda a, b: wrap(_tdiv(a, b)),  # MIN / -1 wraps to MIN
        f"{p}rem": lambda a, b: wrap(_trem(a, b)),
        f"{p}neg": lambda a: wrap(-a),
        f"{p}and": lambda a, b: a & b,
        f"{p}or": lambda a, b: a | b,
        f"{p}xor": lambda a, b: a ^ b,
        f"{p}not": lambda a: ~a,
        f"{p}shl": lambda a, b: wrap(a << (b & sh)),
        f"{p}shr": lambda a, b: a >> (b & sh),
        f"{p}ushr": lambda a, b: wrap(unsigned(a) >> (b & sh)),
        f"Math.abs({t}){t}": lambda a: wrap(abs(a)),
        f"Math.min({t},{t}){t}": min,
        f"Math.max({t},{t}){t}": max,
        f"Math.floorDiv({t},{t}){t}": lambda a, b: wrap(_fdiv(a, b)),
        f"Math.floorMod({t},{t}){t}": lambda a, b: wrap(a - b * _fdiv(a, b)),
        f"{box}.bitCount({t})int": lambda a: bin(unsigned(a)).count("1"),
        f"{box}.numberOfLeadingZeros({t})int": lambda a: _nlz(a, bits),
        f"{box}.numberOfTrailingZeros({t})int": lambda a: _ntz(a, bits),
        f"{box}.highestOneBit({t}){t}": lambda a: wrap(_highest(a, bits)),
        f"{box}.lowestOneBit({t}){t}": lambda a: wrap(a & -a),
        f"{box}.reverse({t}){t}": lambda a: wrap(_reverse(a, bits)),
        f"{box}.reverseBytes({t}){t}": lambda a: wrap(_reverse_bytes(a, bits)),
        f"{box}.rotateLeft({t},int){t}": lambda a, d: wrap(_rotl(a, d, bits)),
        f"{box}.rotateRight({t},int){t}": lambda a, d: wrap(_rotl(a, -d, bits)),
        f"{box}.signum({t})int": lambda a: _cmp(a, 0),
        f"{box}.compare({t},{t})int": _cmp,
        f"{box}.compareUnsigned({t},{t})int": lambda a, b: _cmp(unsigned(a), unsigned(b)),
        f"{box}.divideUnsigned({t},{t}){t}": lambda a, b: wrap(_udiv(a, b, mask)),
        f"{box}.remainderUnsigned({t},{t}){t}": lambda a, b: wrap(_urem(a, b, mask)),
    }


def _ddiv(a: float, b: float) -> float:
    """``ddiv``: IEEE division, where Python raises on a zero divisor."""
    if b == 0.0:
        if a == 0.0 or a != a:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def _drem(a: float, b: float) -> float:
    """``drem``: the remainder of the truncating division, exact (C's fmod)."""
    if b == 0.0 or a != a or b != b or math.isinf(a):
        return math.nan
    return a if math.isinf(b) else math.fmod(a, b)


# ``d2i`` (``d2l`` with bits=64): toward zero, saturating at MIN/MAX, NaN to 0: the
# contract values' conversion, so the search and the contract tests agree by construction.
d2i = to_integral


def _dmin(a: float, b: float) -> float:
    """``Math.min(double,double)``: NaN if either is NaN, ``-0.0`` below ``0.0``."""
    if a != a or b != b:
        return math.nan
    if a == b:
        return a if math.copysign(1.0, a) < 0 else b
    return a if a < b else b


def _dmax(a: float, b: float) -> float:
    if a != a or b != b:
        return math.nan
    if a == b:
        return b if math.copysign(1.0, a) < 0 else a
    return a if a > b else b


_DOUBLE_OPS: dict[str, object] = {
    "dadd": lambda a, b: a + b,
    "dsub": lambda a, b: a - b,
    "dmul": lambda a, b: a * b,
    "ddiv": _ddiv,
    "drem": _drem,
    "dneg": lambda a: -a,
    "Math.abs(double)double": lambda a: math.fabs(a),  # clears the sign bit: abs(-0.0) is 0.0
    "Math.min(double,double)double": _dmin,
    "Math.max(double,double)double": _dmax,
    "i2d": float,
    "l2d": float,  # rounds to nearest, ties to even, as l2d does
    "d2i": d2i,
    "d2l": lambda a: d2i(a, 64),
    # NaN compares false with everything, and unequal to everything
    "dcmplt": lambda a, b: a < b,
    "dcmple": lambda a, b: a <= b,
    "dcmpeq": lambda a, b: a == b,
    "dcmpne": lambda a, b: a != b,
}


# Each entry: op key -> scalar function on Python ints/bools/floats.  The keys are the
# op keys of ``ops.py``; results are already wrapped to the result type.
SCALAR: dict[str, object] = {
    **_width_ops("i", "Integer", "int", i32, u32, 32),
    **_width_ops("l", "Long", "long", i64, u64, 64),
    **_DOUBLE_OPS,
    # conversions
    "i2l": lambda a: a,
    "l2i": i32,
    "i2c": lambda a: a & 0xFFFF,
    # comparisons
    "icmplt": lambda a, b: a < b,
    "icmple": lambda a, b: a <= b,
    "icmpeq": lambda a, b: a == b,
    "icmpne": lambda a, b: a != b,
    "lcmplt": lambda a, b: a < b,
    "lcmple": lambda a, b: a <= b,
    "lcmpeq": lambda a, b: a == b,
    "lcmpne": lambda a, b: a != b,
    # boolean (and/or short-circuit: see terms.eval_scalar)
    "not": lambda a: not a,
    "xor": lambda a, b: a != b,
    "beq": lambda a, b: a == b,
}
