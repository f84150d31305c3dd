"""Java values in Python, and their wire form between jbgen and a sandbox worker.

The Python side of a value follows JVM semantics exactly:

========================  ==================================================
Java                      Python
========================  ==================================================
int, long, short, byte    int (range-checked when sent)
double                    float (bit-exact, NaN payloads included)
float                     :class:`Float32` (a float that keeps its 32 bits);
                          a plain float argument is rounded to float32
char                      str of length 1 (one UTF-16 code unit; a lone
                          surrogate is a 1-character str too)
boolean                   bool
String                    str (lone surrogates kept; a high-then-low pair
                          comes back joined, ``"\\ud800\\udc00"`` as
                          ``"\\U00010000"``: the same Java string)
arrays                    list (a tuple is accepted as an argument)
Integer, Long, ...        as the primitive, or None
other objects             :class:`JavaObject` (class name and identity only:
                          no code of the object runs to describe it)
null                      None
========================  ==================================================

The wire form is JSON chosen by the declared type, so it needs no per-value
tags: floats and doubles travel as their raw bits (JSON has no NaN, and a
decimal text would lose payloads), chars as their code unit, strings as JSON
strings (which keep lone surrogates through Python's ``json``).  A value whose
declared type is a reference type other than String, a boxed primitive or an
array (``Object``, ``Number``, ``CharSequence``) travels tagged with its runtime
type: ``["I", 5]`` is a boxed Integer.

Pure Python, used by both the parent and the worker; no JVM.
"""

from __future__ import annotations

import functools
import math
import re
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass

# ----------------------------------------------------------------------------- types


class Float32(float):
    """A Java ``float``: a Python float that remembers its exact 32 bits.

    ``Float32(1.1)`` rounds to the nearest float32 as Java's ``(float)`` cast
    does (too large: infinity); ``Float32.from_bits(0x7fc00001)`` keeps a NaN
    payload that a conversion to double would change.
    """

    bits: int

    def __new__(cls, value: float = 0.0) -> Float32:
        if isinstance(value, Float32):
            return value
        return cls.from_bits(float_to_bits(float(value)))

    @classmethod
    def from_bits(cls, bits: int) -> Float32:
        bits &= 0xFFFF_FFFF
        obj = super().__new__(cls, struct.unpack("<f", struct.pack("<I", bits))[0])
        obj.bits = bits
        return obj

    def __repr__(self) -> str:
        if math.isnan(self) and self.bits != 0x7FC0_0000:
            return f"Float32.from_bits(0x{self.bits:08x})"
        return f"Float32({float.__repr__(self)})"

    def __reduce__(self) -> tuple:
        return (Float32.from_bits, (self.bits,))


@dataclass(frozen=True)
class JavaObject:
    """A returned object that is not a String, boxed primitive or array.

    Only its class name and identity hash are known: calling its ``toString``
    would run the untrusted class's code outside a call's limits.
    """

    class_name: str
    identity: int

    def __str__(self) -> str:
        return f"{self.class_name}@{self.identity:x}"


def float_to_bits(x: float) -> int:
    """The float32 bits of ``x`` rounded as Java's ``(float)`` does."""
    try:
        return struct.unpack("<I", struct.pack("<f", x))[0]
    except OverflowError:  # rounds to infinity
        return 0x7F80_0000 if x > 0 else 0xFF80_0000


def double_to_bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def bits_to_double(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits & 0xFFFF_FFFF_FFFF_FFFF))[0]


# ----------------------------------------------------------------------------- descriptors

_RANGES = {
    "B": (-(2**7), 2**7 - 1),
    "S": (-(2**15), 2**15 - 1),
    "I": (-(2**31), 2**31 - 1),
    "J": (-(2**63), 2**63 - 1),
}
_BOXES = {
    "Ljava/lang/Integer;": "I",
    "Ljava/lang/Long;": "J",
    "Ljava/lang/Short;": "S",
    "Ljava/lang/Byte;": "B",
    "Ljava/lang/Character;": "C",
    "Ljava/lang/Boolean;": "Z",
    "Ljava/lang/Float;": "F",
    "Ljava/lang/Double;": "D",
}
BOX_OF = {v: k for k, v in _BOXES.items()}
STRING = "Ljava/lang/String;"
_FIELD = re.compile(r"\[*(?:[BCDFIJSZ]|L[^;.\[]+;)")
_JAVA_NAMES = {
    "B": "byte", "C": "char", "D": "double", "F": "float", "I": "int",
    "J": "long", "S": "short", "Z": "boolean", "V": "void",
}


@functools.lru_cache(maxsize=4096)
def parse_method_descriptor(desc: str) -> tuple[tuple[str, ...], str]:
    """``(I[JLjava/lang/String;)V`` -> ``(("I", "[J", "Ljava/lang/String;"), "V")`` (cached)."""
    if not desc.startswith("("):
        raise ValueError(f"bad method descriptor: {desc!r}")
    params: list[str] = []
    pos = 1
    while pos < len(desc) and desc[pos] != ")":
        m = _FIELD.match(desc, pos)
        if m is None:
            raise ValueError(f"bad method descriptor: {desc!r}")
        params.append(m.group())
        pos = m.end()
    if pos >= len(desc):
        raise ValueError(f"bad method descriptor: {desc!r}")
    ret = desc[pos + 1 :]
    if ret != "V" and (_FIELD.fullmatch(ret) is None):
        raise ValueError(f"bad method descriptor: {desc!r}")
    return tuple(params), ret


def java_type_name(desc: str) -> str:
    """``[Ljava/lang/String;`` -> ``java.lang.String[]``."""
    dims = len(desc) - len(desc.lstrip("["))
    base = desc[dims:]
    name = _JAVA_NAMES.get(base) or base[1:-1].replace("/", ".")
    return name + "[]" * dims


# ----------------------------------------------------------------------------- Python -> wire


def encode(value: object, desc: str, where: str = "value") -> object:
    """A Python argument -> its wire form for the declared type ``desc``.

    Raises ValueError (or TypeError) naming ``where`` when the value does not fit.
    """
    if desc in _RANGES:
        if type(value) is bool or not isinstance(value, int):
            raise TypeError(f"{where}: {java_type_name(desc)} needs an int, got {type(value).__name__}")
        lo, hi = _RANGES[desc]
        if not lo <= value <= hi:
            raise ValueError(f"{where}: {java_type_name(desc)} out of range: {value}")
        return int(value)
    if desc == "Z":
        if type(value) is not bool:
            raise TypeError(f"{where}: boolean needs a bool, got {type(value).__name__}")
        return value
    if desc == "C":
        if not isinstance(value, str) or len(value) != 1 or ord(value) > 0xFFFF:
            raise TypeError(f"{where}: char needs a 1-character str of the Basic Multilingual Plane, got {value!r}")
        return ord(value)
    if desc == "F":
        if isinstance(value, Float32):
            return value.bits
        if type(value) is bool or not isinstance(value, (int, float)):
            raise TypeError(f"{where}: float needs a float, got {type(value).__name__}")
        return float_to_bits(float(value))
    if desc == "D":
        if type(value) is bool or not isinstance(value, (int, float)):
            raise TypeError(f"{where}: double needs a float, got {type(value).__name__}")
        return double_to_bits(float(value))
    # Reference types: null fits all.
    if value is None:
        return None
    if desc == STRING:
        if not isinstance(value, str):
            raise TypeError(f"{where}: String needs a str, got {type(value).__name__}")
        return value
    if desc in _BOXES:
        return encode(value, _BOXES[desc], where)
    if desc.startswith("["):
        if not isinstance(value, (list, tuple)):
            raise TypeError(f"{where}: {java_type_name(desc)} needs a list, got {type(value).__name__}")
        comp = desc[1:]
        return [encode(v, comp, f"{where}[{i}]") for i, v in enumerate(value)]
    # Object, Number, CharSequence, ...: tag with the runtime type.
    tag = _infer_tag(value, where)
    return [tag, encode(value, tag, where)]


def _infer_tag(value: object, where: str) -> str:
    if type(value) is bool:
        return "Z"
    if isinstance(value, Float32):
        return "F"
    if isinstance(value, int):
        return "I" if -(2**31) <= value < 2**31 else "J"
    if isinstance(value, float):
        return "D"
    if isinstance(value, str):
        return STRING
    if isinstance(value, (list, tuple)):
        return "[Ljava/lang/Object;"
    raise TypeError(f"{where}: cannot pass a {type(value).__name__} to Java")


def encode_args(args: Sequence[object], params: Sequence[str], what: str) -> list[object]:
    """Every argument of a call, checked against the parameter types."""
    if len(args) != len(params):
        raise ValueError(f"{what}: takes {len(params)} argument(s), got {len(args)}")
    fast = _fast_ints(tuple(params))
    if fast is not None and fast(args):
        return list(args)
    return [encode(a, p, f"{what}: argument {i + 1}") for i, (a, p) in enumerate(zip(args, params, strict=True))]


@functools.lru_cache(maxsize=1024)
def _fast_ints(params: tuple[str, ...]) -> Callable[[Sequence[object]], bool] | None:
    """For int-like parameters only: a quick check that the arguments need no conversion."""
    if not params or any(p not in _RANGES for p in params):
        return None
    bounds = [_RANGES[p] for p in params]

    def ok(args: Sequence[object]) -> bool:
        for a, (lo, hi) in zip(args, bounds, strict=True):
            if type(a) is not int or not lo <= a <= hi:
                return False
        return True

    return ok


# ----------------------------------------------------------------------------- wire -> Python


def decode(wire: object, desc: str) -> object:
    """A wire value of declared type ``desc`` -> its Python value (see the table above)."""
    if desc in ("I", "J", "S", "B"):
        return int(wire)  # type: ignore[call-overload]
    if desc == "Z":
        return bool(wire)
    if desc == "C":
        return chr(int(wire))  # type: ignore[call-overload]
    if desc == "F":
        return Float32.from_bits(int(wire))  # type: ignore[call-overload]
    if desc == "D":
        return bits_to_double(int(wire))  # type: ignore[call-overload]
    if desc == "V" or wire is None:
        return None
    if desc == STRING:
        if not isinstance(wire, str):
            raise ValueError("expected a string")
        return wire
    if desc in _BOXES:
        return decode(wire, _BOXES[desc])
    if desc.startswith("["):
        if not isinstance(wire, list):
            raise ValueError("expected a list")
        comp = desc[1:]
        return [decode(w, comp) for w in wire]
    return decode_tagged(wire)


@functools.lru_cache(maxsize=1024)
def decoder(desc: str) -> Callable[[object], object]:
    """:func:`decode` for one declared type, with a fast path for the int-like ones
    (which also refuses a value out of the type's range: the worker is not trusted)."""
    if desc in _RANGES:
        lo, hi = _RANGES[desc]

        def ints(w: object) -> object:
            if type(w) is int and lo <= w <= hi:
                return w
            raise ValueError("not an int of the type's range")

        return ints
    if desc == "Z":
        def booleans(w: object) -> object:
            if type(w) is bool:
                return w
            raise ValueError("not a boolean")

        return booleans
    if desc == "V":
        return lambda w: None
    return functools.partial(_decode_as, desc)


def _decode_as(desc: str, wire: object) -> object:
    return decode(wire, desc)


def decode_tagged(wire: object) -> object:
    """A ``[runtime type, value]`` pair, or ``{"class": ..., "id": ...}`` for other objects."""
    if isinstance(wire, dict):
        return JavaObject(str(wire.get("class")), int(wire.get("id", 0)))
    if not (isinstance(wire, list) and len(wire) == 2 and isinstance(wire[0], str)):
        raise ValueError("expected a tagged value")
    return decode(wire[1], wire[0])


# ----------------------------------------------------------------------------- rendering

_PLAIN_INTS = frozenset({"I", "S", "B", None})
_MAX_ITEMS = 8
_MAX_STRING = 40


def render_value(value: object, desc: str | None = None) -> str:
    """A value as a Java literal (shortened): ``5``, ``5L``, ``1.5f``, ``'a'``, ``"s"``, ``{1, 2}``."""
    if type(value) is int and desc in _PLAIN_INTS:
        return str(value)
    if value is None:
        return "null"
    if type(value) is bool:
        return "true" if value else "false"
    if isinstance(value, Float32) or desc == "F":
        f = value if isinstance(value, Float32) else Float32(value)  # type: ignore[arg-type]
        if math.isnan(f):
            return "Float.NaN"
        if math.isinf(f):
            return "Float.POSITIVE_INFINITY" if f > 0 else "Float.NEGATIVE_INFINITY"
        return _shortest_float32(f) + "f"
    if isinstance(value, float):
        if math.isnan(value):
            return "Double.NaN"
        if math.isinf(value):
            return "Double.POSITIVE_INFINITY" if value > 0 else "Double.NEGATIVE_INFINITY"
        return repr(value)
    if isinstance(value, int):
        base = desc.lstrip("[") if desc else None
        if desc in ("J", "Ljava/lang/Long;") or base == "J":
            return f"{value}L"
        return str(value)
    if isinstance(value, str):
        if desc in ("C", "Ljava/lang/Character;"):
            return "'" + _escape(value, "'") + "'"
        shown = value if len(value) <= _MAX_STRING else value[:_MAX_STRING]
        more = "" if len(value) <= _MAX_STRING else f"...({len(value)} chars)"
        return '"' + _escape(shown, '"') + '"' + more
    if isinstance(value, (list, tuple)):
        comp = desc[1:] if desc and desc.startswith("[") else None
        items = [render_value(v, comp) for v in value[:_MAX_ITEMS]]
        if len(value) > _MAX_ITEMS:
            items.append(f"...({len(value)} items)")
        return "{" + ", ".join(items) + "}"
    return str(value)


def _shortest_float32(f: Float32) -> str:
    for digits in range(1, 10):
        text = f"{float(f):.{digits}g}"
        if float_to_bits(float(text)) == f.bits:
            return text if any(c in text for c in ".en") else text + ".0"
    return repr(float(f))


def _escape(s: str, quote: str) -> str:
    out = []
    for ch in s:
        o = ord(ch)
        if ch == quote or ch == "\\":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or 0x7F <= o < 0xA0 or 0xD800 <= o <= 0xDFFF:
            out.append(f"\\u{o:04x}")
        elif o > 0xFFFF:
            o -= 0x10000
            out.append(f"\\u{0xD800 + (o >> 10):04x}\\u{0xDC00 + (o & 0x3FF):04x}")
        else:
            out.append(ch)
    return "".join(out)


def render_call(call: object) -> str:
    """A :class:`~jbgen.sandbox.Call` as Java: ``clamp(5, 0, 3)``, ``fib(100000)``."""
    method = getattr(call, "method", "?")
    desc = getattr(call, "descriptor", "()V")
    args = getattr(call, "args", ())
    try:
        params, _ = parse_method_descriptor(desc)
    except ValueError:
        params = ()
    shown = [render_value(a, params[i] if i < len(params) else None) for i, a in enumerate(args)]
    name = "new" if method == "<init>" else method
    return f"{name}({', '.join(shown)})"
