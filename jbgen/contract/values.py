"""Java values in Python, with JVM semantics: coercion, equality, literals, arithmetic.

The mapping (see ``docs/contracts.md``):

=====================  ==========================================================
Java type              Python value
=====================  ==========================================================
boolean                ``bool``
byte, short, int, long ``int`` within the type's width (never wrapped on input)
float                  ``float`` rounded to float32 (``nan``, ``inf`` allowed)
double                 ``float``
char                   ``str`` of one UTF-16 code unit
String                 ``str``
T[]                    ``tuple`` of T's values (``None`` elements where T admits null)
Integer, Long, ...     as the primitive, or ``None`` (null)
other reference types  ``None`` only
=====================  ==========================================================

:func:`coerce` checks and normalizes a value read from TOML (or produced by a
test) to that form; :func:`to_java_literal` renders one as Java source for
messages; :func:`same_value` compares two as Java's ``equals`` / ``Arrays.equals``
would (NaN equals NaN, ``0.0`` differs from ``-0.0``).  :data:`EXPR_GLOBALS` is
the namespace of properties, preconditions, oracles and stateful models: ``math``,
width wrappers (``int32`` ...) and JVM arithmetic named after its opcodes
(``iadd``, ``idiv``, ``lushr``, ``d2i`` ...).

Must not import a JVM.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Callable, Sequence

from jbgen.contract.model import JType

__all__ = [
    "EXPR_GLOBALS",
    "NULL_KEY",
    "CoerceError",
    "Throws",
    "coerce",
    "describe_toml_value",
    "float32",
    "same_value",
    "to_java_literal",
]

# TOML has no null: a contract writes null as the inline table ``{ null = true }``.
NULL_KEY = "null"


class CoerceError(ValueError):
    """A value that does not fit a Java type.

    ``path`` holds the array indices from the outer value down to the bad
    element (empty when the value itself is wrong), so that the loader can
    point at the element.
    """

    def __init__(self, message: str, path: tuple[int, ...] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


class Throws(Exception):  # noqa: N818 - reads as a statement in an oracle: raise Throws(...)
    """Raised by an oracle or a stateful model: the Java call must throw this class.

    ``Throws("ArithmeticException")`` or ``Throws("java.util.NoSuchElementException")``;
    ``class_name`` is the internal name (a simple name means ``java.lang``).
    """

    def __init__(self, class_name: str) -> None:
        name = class_name.replace(".", "/")
        if "/" not in name:
            name = "java/lang/" + name
        super().__init__(name)
        self.class_name = name


# --------------------------------------------------------------------------- coercion


def describe_toml_value(value: object) -> str:
    """``a string `"x"```, ``an integer `3```, ``an array`` ... for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"a boolean `{'true' if value else 'false'}`"
    if isinstance(value, int):
        return f"an integer `{value}`"
    if isinstance(value, float):
        return f"a float `{_py_float_text(value)}`"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f"a string `{_json_str(shown)}`"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return f"a {type(value).__name__}"  # dates and times


def _json_str(s: str) -> str:
    import json

    return json.dumps(s, ensure_ascii=False)


def _py_float_text(x: float) -> str:
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return repr(x)


def _expected(jtype: JType) -> str:
    kind = jtype.value_kind
    name = jtype.java_name
    if kind == "C":
        return f"a {name} (a one-character string)"
    if kind == "[":
        return f"an {name} (an array)"
    article = "an" if name[0] in "aeiouAEIOU" else "a"
    return f"{article} {name}"


def _is_null(value: object) -> bool:
    return value is None or (isinstance(value, dict) and value == {NULL_KEY: True})


def coerce(value: object, jtype: JType) -> object:
    """``value`` (from TOML or a test) as the Python value of ``jtype``; CoerceError if it does not fit.

    Integral values must fit their width (no wraparound on input); floats are
    rounded to float32 (a value beyond float's range is an error, write ``inf``);
    integers are accepted for float and double; null (``{ null = true }`` or
    ``None``) only where the type is a reference type.
    """
    kind = jtype.value_kind
    if _is_null(value):
        if jtype.is_reference:
            return None
        raise CoerceError(f"`{jtype.java_name}` cannot be null")
    if isinstance(value, dict):
        if NULL_KEY in value:
            raise CoerceError("write null as `{ null = true }`")
        raise CoerceError(f"expected {_expected(jtype)}, found a table")
    if kind == "Z":
        if isinstance(value, bool):
            return value
    elif jtype.int_range is not None:
        if isinstance(value, int) and not isinstance(value, bool):
            lo, hi = jtype.int_range
            if not lo <= value <= hi:
                raise CoerceError(f"`{value}` does not fit in {_expected(jtype)} ({lo}..{hi})")
            return value
    elif kind in ("F", "D"):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            try:
                x = float(value)
            except OverflowError:
                raise CoerceError(f"`{value}` is beyond the range of {_expected(jtype)}") from None
            if kind == "F":
                try:
                    return _f32_checked(x)
                except OverflowError:
                    raise CoerceError(
                        f"`{_py_float_text(x)}` is beyond the range of a float (write inf for infinity)"
                    ) from None
            return x
    elif kind == "C":
        if isinstance(value, str):
            if len(value) == 1 and ord(value) <= 0xFFFF:
                return value
            if len(value) == 1:
                raise CoerceError(
                    f"`{_json_str(value)}` is outside the Basic Multilingual Plane: a Java char holds one UTF-16 unit"
                )
            raise CoerceError(f"a char is one character, found a string of length {len(value)}: `{_json_str(value)}`")
    elif kind == "T":
        if isinstance(value, str):
            return value
    elif kind == "[":
        if isinstance(value, (list, tuple)):
            elem = jtype.element
            out = []
            for i, v in enumerate(value):
                try:
                    out.append(coerce(v, elem))
                except CoerceError as exc:
                    raise CoerceError(exc.message, (i, *exc.path)) from None
            return tuple(out)
    elif kind == "V":
        raise CoerceError("a void method returns no value")
    else:
        raise CoerceError(
            f"values of type {jtype.java_name} cannot be written in a contract (only null): "
            "use primitives, String, boxed types or arrays of these"
        )
    raise CoerceError(f"expected {_expected(jtype)}, found {describe_toml_value(value)}")


# --------------------------------------------------------------------------- float32


def _f32_checked(x: float) -> float:
    """Round to the nearest float32; OverflowError if it rounds beyond the float range."""
    if math.isnan(x) or math.isinf(x):
        return x
    # struct rounds to nearest-even, as Java's (float) cast does, and refuses overflow.
    return struct.unpack("<f", struct.pack("<f", x))[0]


def float32(x: float) -> float:
    """``(float) x``: round to the nearest float32, overflowing to infinity as Java does."""
    x = float(x)
    try:
        return _f32_checked(x)
    except OverflowError:
        return math.copysign(math.inf, x)


# --------------------------------------------------------------------------- equality


def same_value(a: object, b: object) -> bool:
    """Java equality of two values of the same type, as ``Objects.equals`` / ``Arrays.deepEquals``.

    Floats compare as ``Double.equals`` does: NaN equals NaN, ``0.0`` differs
    from ``-0.0``.  Booleans and ints never equal each other.
    """
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    if isinstance(a, bool) != isinstance(b, bool):
        return False
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same_value(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (tuple, list)) or isinstance(b, (tuple, list)):
        return False
    return type(a) is type(b) and a == b or (a is None and b is None)


# --------------------------------------------------------------------------- literals

_CHAR_ESC = {"\n": "\\n", "\t": "\\t", "\r": "\\r", "\b": "\\b", "\f": "\\f", "'": "\\'", "\\": "\\\\"}


def _java_string(s: str) -> str:
    # The assembler's literals are Java's; the module is pure Python (no JVM).
    from jbgen.asm.literals import quote

    return quote(s)


def _java_char(c: str) -> str:
    e = _CHAR_ESC.get(c)
    if e is not None:
        return f"'{e}'"
    if (" " <= c <= "~") or (c.isprintable() and ord(c) > 127 and not 0xD800 <= ord(c) <= 0xDFFF):
        return f"'{c}'"
    return f"'\\u{ord(c):04x}'"


def _float_text(x: float, single: bool) -> str:
    if math.isnan(x):
        return "Float.NaN" if single else "Double.NaN"
    if math.isinf(x):
        box = "Float" if single else "Double"
        return f"{box}.{'POSITIVE' if x > 0 else 'NEGATIVE'}_INFINITY"
    if single:
        for p in range(1, 10):
            s = f"{x:.{p}g}"
            if float32(float(s)) == x:
                break
    else:
        s = repr(x)
    if "e" in s:
        mant, exp = s.split("e")
        s = f"{mant}e{int(exp)}"
    elif "." not in s:
        s += ".0"
    if x == 0 and math.copysign(1.0, x) < 0 and not s.startswith("-"):
        s = "-" + s
    return s + ("f" if single else "")


def to_java_literal(value: object, jtype: JType) -> str:
    """Java source for a value of ``jtype``: ``-1``, ``3L``, ``1.5f``, ``'c'``, ``"a\\n"``, ``new int[]{1, 2}``.

    byte and short values carry a cast (``(byte) 3``) so that a rendered call
    compiles; NaN and infinities use the ``Float``/``Double`` constants.
    """
    return _literal(value, jtype, nested=False)


def _literal(value: object, jtype: JType, nested: bool) -> str:
    if value is None:
        return "null"
    kind = jtype.value_kind
    if kind == "Z" and isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and not isinstance(value, bool):
        if kind == "J":
            return f"{value}L"
        if kind == "B":
            return f"(byte) {value}"
        if kind == "S":
            return f"(short) {value}"
        if kind in ("F", "D"):
            return _float_text(float(value), kind == "F")
        return str(value)
    if isinstance(value, float):
        return _float_text(value, kind == "F")
    if isinstance(value, str):
        if kind == "C" and len(value) == 1:
            return _java_char(value)
        return _java_string(value)
    if isinstance(value, (tuple, list)) and jtype.is_array:
        body = "{" + ", ".join(_literal(v, jtype.element, nested=True) for v in value) + "}"
        return body if nested else f"new {jtype.java_name}{body}"
    return repr(value)


# --------------------------------------------------------------------------- JVM arithmetic for expressions


def _wrap(bits: int) -> Callable[[int], int]:
    mask = (1 << bits) - 1
    sign = 1 << (bits - 1)

    def wrap(x: int) -> int:
        x = int(x) & mask
        return x - (1 << bits) if x & sign else x

    wrap.__name__ = f"int{bits}"
    wrap.__doc__ = f"Wrap an integer to {bits} bits, two's complement (Java's narrowing)."
    return wrap


int8 = _wrap(8)
int16 = _wrap(16)
int32 = _wrap(32)
int64 = _wrap(64)


def _int_div(bits: int) -> tuple[Callable[[int, int], int], Callable[[int, int], int]]:
    wrap = _wrap(bits)

    def div(a: int, b: int) -> int:
        if b == 0:
            raise Throws("java.lang.ArithmeticException")
        q = abs(a) // abs(b)
        return wrap(q if (a < 0) == (b < 0) else -q)

    def rem(a: int, b: int) -> int:
        if b == 0:
            raise Throws("java.lang.ArithmeticException")
        r = abs(a) % abs(b)
        return wrap(r if a >= 0 else -r)

    return div, rem


idiv, irem = _int_div(32)
ldiv, lrem = _int_div(64)


def to_integral(x: float, bits: int = 32) -> int:
    """Java's ``(int)``/``(long)`` of a floating value: NaN -> 0, saturating, toward zero."""
    if math.isnan(x):
        return 0
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    if x >= hi:
        return hi
    if x <= lo:
        return lo
    return int(x)


def _fdiv(a: float, b: float) -> float:
    a, b = float(a), float(b)
    if b == 0.0:
        if a == 0.0 or math.isnan(a):
            return math.nan
        neg = (math.copysign(1.0, a) < 0) != (math.copysign(1.0, b) < 0)
        return -math.inf if neg else math.inf
    return a / b


def _frem(a: float, b: float) -> float:
    a, b = float(a), float(b)
    if b == 0.0 or math.isinf(a) or math.isnan(a) or math.isnan(b):
        return math.nan
    if math.isinf(b):
        return a
    return math.fmod(a, b)


EXPR_GLOBALS: dict[str, object] = {
    "math": math,
    "Throws": Throws,
    "same_value": same_value,
    "int8": int8,
    "int16": int16,
    "int32": int32,
    "int64": int64,
    "float32": float32,
    # int arithmetic, wrapping at 32 bits
    "iadd": lambda a, b: int32(a + b),
    "isub": lambda a, b: int32(a - b),
    "imul": lambda a, b: int32(a * b),
    "idiv": idiv,
    "irem": irem,
    "ineg": lambda a: int32(-a),
    "ishl": lambda a, n: int32(a << (n & 31)),
    "ishr": lambda a, n: int32(a) >> (n & 31),
    "iushr": lambda a, n: int32((a & 0xFFFFFFFF) >> (n & 31)),
    # long arithmetic, wrapping at 64 bits
    "ladd": lambda a, b: int64(a + b),
    "lsub": lambda a, b: int64(a - b),
    "lmul": lambda a, b: int64(a * b),
    "ldiv": ldiv,
    "lrem": lrem,
    "lneg": lambda a: int64(-a),
    "lshl": lambda a, n: int64(a << (n & 63)),
    "lshr": lambda a, n: int64(a) >> (n & 63),
    "lushr": lambda a, n: int64((a & 0xFFFFFFFFFFFFFFFF) >> (n & 63)),
    # floating point, IEEE 754 as the JVM does it
    "fadd": lambda a, b: float32(float(a) + float(b)),
    "fsub": lambda a, b: float32(float(a) - float(b)),
    "fmul": lambda a, b: float32(float(a) * float(b)),
    "fdiv": lambda a, b: float32(_fdiv(a, b)),
    "frem": lambda a, b: float32(_frem(a, b)),
    "ddiv": _fdiv,
    "drem": _frem,
    # conversions
    "i2b": int8,
    "i2s": int16,
    "i2c": lambda a: chr(a & 0xFFFF),
    "l2i": int32,
    "f2i": lambda x: to_integral(x, 32),
    "d2i": lambda x: to_integral(x, 32),
    "f2l": lambda x: to_integral(x, 64),
    "d2l": lambda x: to_integral(x, 64),
    "i2f": float32,
    "l2f": float32,
    "d2f": float32,
}
"""The globals of every contract expression and model (besides Python's builtins)."""


def expr_names() -> Sequence[str]:
    """The names :data:`EXPR_GLOBALS` defines (for "did you mean" suggestions)."""
    return sorted(EXPR_GLOBALS)
