"""Scalar JVM semantics in pure Python: the reference the vectorized evaluator is tested against.

Values are Python ``int`` (int, long, char) and ``bool`` (boolean).  Every
function returns the exact value the JVM computes, including wraparound,
masked shift distances and truncating division; division by zero raises
:class:`JavaArithmeticException` as ``idiv``/``ldiv`` do.
"""

from __future__ import annotations

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


# Each entry: op key -> scalar function on Python ints/bools.  The keys are the
# op keys of ``ops.py``; results are already wrapped to the result type.
SCALAR: dict[str, object] = {
    # int
    "iadd": lambda a, b: i32(a + b),
    "isub": lambda a, b: i32(a - b),
    "imul": lambda a, b: i32(a * b),
    "idiv": lambda a, b: i32(_tdiv(a, b)),  # MIN / -1 wraps to MIN
    "irem": lambda a, b: i32(_trem(a, b)),
    "ineg": lambda a: i32(-a),
    "iand": lambda a, b: a & b,
    "ior": lambda a, b: a | b,
    "ixor": lambda a, b: a ^ b,
    "inot": lambda a: ~a,
    "ishl": lambda a, b: i32(a << (b & 31)),
    "ishr": lambda a, b: a >> (b & 31),
    "iushr": lambda a, b: i32(u32(a) >> (b & 31)),
    "Math.abs(int)int": lambda a: i32(abs(a)),
    "Math.min(int,int)int": min,
    "Math.max(int,int)int": max,
    "Math.floorDiv(int,int)int": lambda a, b: i32(_fdiv(a, b)),
    "Math.floorMod(int,int)int": lambda a, b: i32(a - b * _fdiv(a, b)),
    "Integer.bitCount(int)int": lambda a: bin(u32(a)).count("1"),
    "Integer.numberOfLeadingZeros(int)int": lambda a: _nlz(a, 32),
    "Integer.numberOfTrailingZeros(int)int": lambda a: _ntz(a, 32),
    "Integer.highestOneBit(int)int": lambda a: i32(_highest(a, 32)),
    "Integer.lowestOneBit(int)int": lambda a: i32(a & -a),
    "Integer.reverse(int)int": lambda a: i32(_reverse(a, 32)),
    "Integer.reverseBytes(int)int": lambda a: i32(_reverse_bytes(a, 32)),
    "Integer.rotateLeft(int,int)int": lambda a, d: i32(_rotl(a, d, 32)),
    "Integer.rotateRight(int,int)int": lambda a, d: i32(_rotl(a, -d, 32)),
    "Integer.signum(int)int": lambda a: _cmp(a, 0),
    "Integer.compare(int,int)int": _cmp,
    "Integer.compareUnsigned(int,int)int": lambda a, b: _cmp(u32(a), u32(b)),
    "Integer.divideUnsigned(int,int)int": lambda a, b: i32(_udiv(a, b, M32)),
    "Integer.remainderUnsigned(int,int)int": lambda a, b: i32(_urem(a, b, M32)),
    # long
    "ladd": lambda a, b: i64(a + b),
    "lsub": lambda a, b: i64(a - b),
    "lmul": lambda a, b: i64(a * b),
    "ldiv": lambda a, b: i64(_tdiv(a, b)),
    "lrem": lambda a, b: i64(_trem(a, b)),
    "lneg": lambda a: i64(-a),
    "land": lambda a, b: a & b,
    "lor": lambda a, b: a | b,
    "lxor": lambda a, b: a ^ b,
    "lnot": lambda a: ~a,
    "lshl": lambda a, b: i64(a << (b & 63)),
    "lshr": lambda a, b: a >> (b & 63),
    "lushr": lambda a, b: i64(u64(a) >> (b & 63)),
    "Math.abs(long)long": lambda a: i64(abs(a)),
    "Math.min(long,long)long": min,
    "Math.max(long,long)long": max,
    "Math.floorDiv(long,long)long": lambda a, b: i64(_fdiv(a, b)),
    "Math.floorMod(long,long)long": lambda a, b: i64(a - b * _fdiv(a, b)),
    "Long.bitCount(long)int": lambda a: bin(u64(a)).count("1"),
    "Long.numberOfLeadingZeros(long)int": lambda a: _nlz(a, 64),
    "Long.numberOfTrailingZeros(long)int": lambda a: _ntz(a, 64),
    "Long.highestOneBit(long)long": lambda a: i64(_highest(a, 64)),
    "Long.lowestOneBit(long)long": lambda a: i64(a & -a),
    "Long.reverse(long)long": lambda a: i64(_reverse(a, 64)),
    "Long.reverseBytes(long)long": lambda a: i64(_reverse_bytes(a, 64)),
    "Long.rotateLeft(long,int)long": lambda a, d: i64(_rotl(a, d, 64)),
    "Long.rotateRight(long,int)long": lambda a, d: i64(_rotl(a, -d, 64)),
    "Long.signum(long)int": lambda a: _cmp(a, 0),
    "Long.compare(long,long)int": _cmp,
    "Long.compareUnsigned(long,long)int": lambda a, b: _cmp(u64(a), u64(b)),
    "Long.divideUnsigned(long,long)long": lambda a, b: i64(_udiv(a, b, M64)),
    "Long.remainderUnsigned(long,long)long": lambda a, b: i64(_urem(a, b, M64)),
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
