"""Literals of the assembly text: strings, integers, floats and doubles, bit-exact.

Strings use Java escapes (``\\n``, ``\\t``, ``\\"``, ``\\\\``, ``\\uXXXX``); a lone
surrogate is written ``\\uD800`` so that every CONSTANT_Utf8 survives a round trip.

Numbers: ``5`` int, ``5L`` long, ``1.5f`` float, ``1.5`` / ``1.5d`` double,
``0x1F`` hex, ``'a'`` a char as an int.  ``NaN``, ``Infinity``, ``-Infinity``
(with ``f`` for floats) and ``NaN(0x7ff8000000000001)`` / ``NaNf(0x7fc00001)``
for a NaN with another payload.  Printing always gives the shortest text that
parses back to the same bits.  Must not import a JVM.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

from jbgen.asm.model import Double, Float, Int, Long

_ESC = {"\n": "\\n", "\t": "\\t", "\r": "\\r", '"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f"}
_UNESC = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "b": "\b", "f": "\f", "'": "'", "0": "\0", "s": " "}


def quote(s: str) -> str:
    """A Java string literal for ``s`` (printable ASCII kept, the rest escaped)."""
    if s.isascii() and s.isprintable() and '"' not in s and "\\" not in s:
        return '"' + s + '"'
    s = utf16_units(s)
    out = ['"']
    for i, ch in enumerate(s):
        e = _ESC.get(ch)
        if e is not None:
            out.append(e)
        elif " " <= ch <= "~":
            out.append(ch)
        elif ord(ch) > 0xFFFF:
            v = ord(ch) - 0x10000
            out.append(f"\\u{0xD800 + (v >> 10):04x}\\u{0xDC00 + (v & 0x3FF):04x}")
        elif ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF:
            out.append(ch)
        elif ord(ch) < 8 and (i + 1 == len(s) or not "0" <= s[i + 1] <= "7"):
            # Java's short octal escape: string-concatenation recipes are full of \1.
            out.append(f"\\{ord(ch)}")
        else:
            out.append(f"\\u{ord(ch):04x}")
    out.append('"')
    return "".join(out)


def unquote(lit: str) -> str:
    """The value of a string literal including its quotes; raises ValueError on a bad escape."""
    body = lit[1:-1]
    if "\\" not in body:
        return utf16_units(body)
    out: list[str] = []
    i = 0
    n = len(body)
    while i < n:
        ch = body[i]
        if ch != "\\":
            out.append(ch)
            i += 1
            continue
        if i + 1 >= n:
            raise ValueError("string ends inside an escape")
        e = body[i + 1]
        if e == "u":
            j = i + 1
            while j < n and body[j] == "u":
                j += 1
            hexd = body[j : j + 4]
            if len(hexd) != 4 or any(c not in "0123456789abcdefABCDEF" for c in hexd):
                raise ValueError(f"bad unicode escape `\\u{hexd}`")
            out.append(chr(int(hexd, 16)))
            i = j + 4
        elif e in _UNESC:
            out.append(_UNESC[e])
            i += 2
        elif e in "01234567":
            j = i + 1
            while j < n and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i + 1 : j], 8)))
            i = j
        else:
            raise ValueError(f"unknown escape `\\{e}`")
    return utf16_units("".join(out))


def utf16_units(s: str) -> str:
    """``s`` with every character above U+FFFF split into its two surrogates.

    The model keeps strings as Java does, one Python character per UTF-16 code
    unit (the class-file reader decodes modified UTF-8 that way), so that a
    string typed with a literal emoji equals the one read back from the class.
    """
    if s.isascii() or all(ord(c) <= 0xFFFF for c in s):
        return s
    out = []
    for c in s:
        v = ord(c)
        if v > 0xFFFF:
            v -= 0x10000
            out.append(chr(0xD800 + (v >> 10)))
            out.append(chr(0xDC00 + (v & 0x3FF)))
        else:
            out.append(c)
    return "".join(out)


# ---------------------------------------------------------------------------- numbers


def _f32_bits(x: float) -> int:
    return struct.unpack("<I", struct.pack("<f", x))[0]


def _f32_from_bits(b: int) -> float:
    return struct.unpack("<f", struct.pack("<I", b))[0]


def _f64_bits(x: float) -> int:
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def _f64_from_bits(b: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", b))[0]


CANONICAL_FLOAT_NAN = 0x7FC00000
CANONICAL_DOUBLE_NAN = 0x7FF8000000000000


def format_int(v: int) -> str:
    return str(v)


def format_long(v: int) -> str:
    return f"{v}L"


def format_double(bits: int) -> str:
    x = _f64_from_bits(bits)
    if math.isnan(x):
        return "NaN" if bits == CANONICAL_DOUBLE_NAN else f"NaN(0x{bits:016x})"
    if math.isinf(x):
        return "Infinity" if x > 0 else "-Infinity"
    r = repr(x)
    if "e" in r or "." in r:
        return r
    return r + ".0"


def format_float(bits: int) -> str:
    x = _f32_from_bits(bits)
    if math.isnan(x):
        return "NaNf" if bits == CANONICAL_FLOAT_NAN else f"NaNf(0x{bits:08x})"
    if math.isinf(x):
        return "Infinityf" if x > 0 else "-Infinityf"
    for p in range(1, 18):
        s = f"{x:.{p}g}"
        if parse_float_bits(s) == bits:
            break
    if "e" not in s and "." not in s and "n" not in s:
        s += ".0"
    return s + "f"


_F32_MAX = Fraction(_f32_from_bits(0x7F7FFFFF))
# Decimal values at or beyond max + ulp/2 round to infinity (ulp at max = 2**104).
_F32_OVERFLOW = _F32_MAX + Fraction(2**104) / 2


def parse_float_bits(text: str) -> int:
    """Decimal text -> float32 bits with one correct rounding (no double rounding)."""
    x = float(text)
    if math.isinf(x) or x == 0.0:
        return _f32_bits(x)
    exact = Fraction(text.strip())
    if abs(exact) >= _F32_OVERFLOW:
        return _f32_bits(math.copysign(math.inf, x))
    # float(text) rounded once to double; rounding that to float32 may round twice.
    # Compare the float32 neighbours exactly and keep the nearest (ties to even).
    bits = _f32_bits(x)
    best, best_err = bits, abs(Fraction(_f32_from_bits(bits)) - exact)
    for cand in (bits - 1, bits + 1):
        if (cand & 0x7FFFFFFF) >= 0x7F800000 or cand < 0 or cand > 0xFFFFFFFF:
            continue
        err = abs(Fraction(_f32_from_bits(cand)) - exact)
        if err < best_err or (err == best_err and cand % 2 == 0):
            best, best_err = cand, err
    return best


def parse_number(text: str) -> Int | Long | Float | Double:
    """A numeric literal of the assembly text -> a typed constant; raises ValueError."""
    t = text
    if not t:
        raise ValueError("empty number")
    neg = t.startswith("-")
    body = t[1:] if neg or t.startswith("+") else t
    last = body[-1]
    # Special values.
    if body.startswith("NaN"):
        is_f = body.startswith("NaNf")
        rest = body[4:] if is_f else body[3:]
        if rest:
            if not (rest.startswith("(") and rest.endswith(")")):
                raise ValueError(f"malformed NaN literal `{text}`")
            bits = int(rest[1:-1], 0)
            if is_f:
                if not (0x7F800001 <= bits & 0x7FFFFFFF <= 0x7FFFFFFF) or bits > 0xFFFFFFFF:
                    raise ValueError(f"`{text}` is not a float NaN bit pattern")
                return Float(bits)
            if not (bits & 0x7FFFFFFFFFFFFFFF >= 0x7FF0000000000001) or bits > 0xFFFFFFFFFFFFFFFF:
                raise ValueError(f"`{text}` is not a double NaN bit pattern")
            return Double(bits)
        return Float(CANONICAL_FLOAT_NAN) if is_f else Double(CANONICAL_DOUBLE_NAN)
    if body in ("Infinity", "Infinityf"):
        inf = -math.inf if neg else math.inf
        return Float(_f32_bits(inf)) if body.endswith("f") else Double(_f64_bits(inf))
    is_hex = body[:2] in ("0x", "0X")
    if last in "lL":
        v = int(t[:-1], 16 if is_hex else 10)
        if not -(1 << 63) <= v < (1 << 64):
            raise ValueError(f"`{text}` does not fit in a long")
        if v >= 1 << 63:
            v -= 1 << 64  # hex literals such as 0xFFFFFFFFFFFFFFFFL, as in Java
        return Long(v)
    if is_hex:
        v = int(t, 16)
        if not -(1 << 31) <= v < (1 << 32):
            raise ValueError(f"`{text}` does not fit in an int (add L for a long)")
        if v >= 1 << 31:
            v -= 1 << 32
        return Int(v)
    if last in "fF":
        return Float(parse_float_bits(t[:-1]))
    if last in "dD":
        return Double(_f64_bits(float(t[:-1])))
    if any(c in body for c in ".eE"):
        return Double(_f64_bits(float(t)))
    v = int(t, 10)
    if not -(1 << 31) <= v < (1 << 31):
        raise ValueError(f"`{text}` does not fit in an int (add L for a long)")
    return Int(v)


def format_char(v: int) -> str:
    ch = chr(v) if 0 <= v <= 0xFFFF else ""
    if ch and " " <= ch <= "~" and ch not in "'\\":
        return f"'{ch}'"
    return f"(char){v}"
