"""Inputs from Java types: boundary values, seeded constants, fast random draws, Hypothesis strategies.

One :class:`ValueGen` per parameter (and per array element type) knows three
things about the values of its type, within the contract's ``ranges`` and
``lengths``:

* :attr:`ValueGen.specials`: the JVM boundary values (0, ±1, MIN/MAX, NaN,
  ±0.0, ±Infinity, empty strings and arrays, null where the type admits it,
  chars at the ASCII and surrogate edges) and the class's constants with
  their neighbours;
* :meth:`ValueGen.draw`: a random value from a seeded :class:`random.Random`,
  mixing specials, small values and values spread over the whole range.  This
  is how the large batches are made: it costs microseconds, where a
  Hypothesis example costs about a millisecond;
* :meth:`ValueGen.strategy` and :meth:`ValueGen.choices`: a Hypothesis
  strategy covering every value ``draw`` can give, and the choice sequence
  that makes the strategy produce a given value, so that Hypothesis's shrinker
  can start from a failing input found in a batch (see :mod:`.shrink`).

Strategies are built from the few primitives whose choice sequences are
simple (integers, booleans, floats, and length-prefixed tuples), and every
value is in the form :func:`jbgen.contract.values.coerce` gives (tuples for
arrays, one-character strings for chars, float32-exact floats for float).

Generated strings never hold two adjacent surrogates: a pair crosses to Java
as one supplementary character and may come back as one Python character,
which would make equal strings look different; lone surrogates are fine and
are generated on purpose.
"""

from __future__ import annotations

import math
import random
import struct
from collections.abc import Sequence
from typing import Any, Literal

from hypothesis import strategies as st

from jbgen.contract.model import JType, Param
from jbgen.contract.values import float32
from jbgen.testing.constants import Constants, float_neighbours, neighbours

__all__ = ["ArgsGen", "ValueGen", "break_pairs"]

# Lengths of generated strings and arrays when the contract gives no bounds:
# what draw() uses, and the (larger) limit of the shrinking strategies.
DEFAULT_STRING_LENGTH = (0, 20)
DEFAULT_ARRAY_LENGTH = (0, 10)
STRATEGY_MAX_LENGTH = 64

_INT_BOUNDARIES = (
    0, 1, -1, 2, -2, 3, 7, 8, 10, 100, -100,
    127, 128, -128, -129, 255, 256, 32767, 32768, -32768, -32769, 65535, 65536,
    2**31 - 1, 2**31 - 2, -(2**31), -(2**31) + 1, 2**31, -(2**31) - 1, 2**32 - 1, 2**32,
    2**53, 2**53 + 1, 2**63 - 1, 2**63 - 2, -(2**63), -(2**63) + 1,
)
_F32_MAX = float32(3.4028234663852886e38)
_F32_MIN = 1.401298464324817e-45
_F32_MIN_NORMAL = 1.1754943508222875e-38
_FLOAT_BOUNDARIES = (0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, 0.1, -0.1, 100.0, math.nan, math.inf, -math.inf)
_F32_EXTRA = (_F32_MIN, -_F32_MIN, _F32_MIN_NORMAL, _F32_MAX, -_F32_MAX, 16777216.0, 2147483648.0, -2147483648.0)
_F64_EXTRA = (
    5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, -1.7976931348623157e308,
    9007199254740992.0, 2147483647.0, -2147483648.0, 2147483648.0, 9.223372036854776e18,
)
_CHAR_BOUNDARIES = (
    "a", "\x00", "\x01", " ", "0", "9", "A", "Z", "z", "\x7f", "\x80", "\xff", "\u0100",
    "\ud7ff", "\ud800", "\udbff", "\udc00", "\udfff", "\ue000", "\ufffe", "\uffff",
)
_STRING_BOUNDARIES = (
    "", "a", " ", "A", "0", "ab", "aa", "aba", "abc", "Hello, World!", "\x00", "\n\t", "\u00e9", "\uffff",
    "\ud800", "a\udfff", "  x  ", "0123456789",
)
_CHAR_SHIFT = 97  # chars shrink towards 'a'


def break_pairs(s: str) -> str:
    """``s`` with every surrogate that follows another surrogate replaced by '?'.

    No two surrogates are adjacent afterwards, so no pair can form (in either
    order: the sandbox has been seen to turn a low-then-high sequence into a pair).
    """
    if not any("\ud800" <= c <= "\udfff" for c in s):
        return s
    out = list(s)
    for i in range(1, len(out)):
        if "\ud800" <= out[i] <= "\udfff" and "\ud800" <= out[i - 1] <= "\udfff":
            out[i] = "?"
    return "".join(out)


def _f32_bounds(lo: float, hi: float) -> tuple[float, float]:
    """The float32 values nearest inside ``[lo, hi]``."""
    a, b = float32(lo), float32(hi)
    if a < lo:
        a = _next_f32(a, up=True)
    if b > hi:
        b = _next_f32(b, up=False)
    return a, b


def _next_f32(x: float, up: bool) -> float:
    bits = struct.unpack("<I", struct.pack("<f", x))[0]
    if x == 0:
        return _F32_MIN if up else -_F32_MIN
    step = 1 if (x > 0) == up else -1
    return struct.unpack("<f", struct.pack("<I", bits + step))[0]


def _dedupe(values: Sequence[object]) -> list[object]:
    out: list[object] = []
    seen: set[object] = set()
    for v in values:
        k = value_key(v)
        if k not in seen:
            seen.add(k)
            out.append(v)
    return out


def value_key(v: object) -> object:
    """A hashable key that tells apart what Java tells apart (0.0 and -0.0, NaN equal to NaN)."""
    t = type(v)
    if t is int or t is str or v is None:
        return v
    if t is tuple or t is list:
        return ("a", tuple(map(value_key, v)))  # type: ignore[call-overload]
    if isinstance(v, float):
        return ("f", struct.pack("<d", v) if not math.isnan(v) else b"nan")
    if t is bool:
        return ("z", v)
    return v


class ValueGen:
    """The values of one Java type within optional bounds: specials, random draws, a strategy.

    ``vrange`` bounds numbers (for arrays, their elements), ``length`` the
    length of a String or array.  ``nullable`` says whether null is a value
    (reference types).  ``constants`` are added to the specials of the types
    they fit.
    """

    def __init__(self, jtype: JType, vrange: tuple[Any, Any] | None = None, length: tuple[int, int] | None = None,
                 constants: Constants | None = None, *, nullable: bool | None = None) -> None:
        self.jtype = jtype
        self.kind = jtype.value_kind
        self.nullable = jtype.is_reference if nullable is None else nullable
        self.boxed = jtype.is_boxed
        self.constants = constants or Constants()
        self.element: ValueGen | None = None
        self.explicit_length = length is not None
        self.lo: Any = None
        self.hi: Any = None
        k = self.kind
        if k == "[":
            lo_len, hi_len = length if length is not None else DEFAULT_ARRAY_LENGTH
            self.len_lo, self.len_hi = lo_len, hi_len
            self.strategy_len_hi = hi_len if length is not None else max(hi_len, STRATEGY_MAX_LENGTH)
            self.element = ValueGen(jtype.element, vrange, None, constants)
        elif k == "T":
            lo_len, hi_len = length if length is not None else DEFAULT_STRING_LENGTH
            self.len_lo, self.len_hi = lo_len, hi_len
            self.strategy_len_hi = hi_len if length is not None else max(hi_len, STRATEGY_MAX_LENGTH)
        elif jtype.int_range is not None:
            tlo, thi = jtype.int_range
            self.lo, self.hi = (tlo, thi) if vrange is None else (max(tlo, int(vrange[0])), min(thi, int(vrange[1])))
        elif k in ("F", "D") and vrange is not None:
            lo, hi = float(vrange[0]), float(vrange[1])
            self.lo, self.hi = _f32_bounds(lo, hi) if k == "F" else (lo, hi)
        self.specials = self._specials()

    # ------------------------------------------------------------------ specials

    def _specials(self) -> list[object]:
        k = self.kind
        c = self.constants
        out: Sequence[object] = []
        if k == "Z":
            out = [False, True]
        elif self.lo is not None and isinstance(self.lo, int):
            lo, hi = self.lo, self.hi
            base = [v for v in _INT_BOUNDARIES if lo <= v <= hi]
            base += neighbours([lo, hi], lo, hi)
            out = base + neighbours([*c.ints, *c.longs], lo, hi)
        elif k in ("F", "D"):
            single = k == "F"
            vals = list(_FLOAT_BOUNDARIES) + list(_F32_EXTRA if single else _F64_EXTRA)
            consts = list(c.floats) + list(c.doubles) + [float(v) for v in c.ints]
            vals += float_neighbours(consts, single)
            if single:
                vals = [float32(v) for v in vals]
            if self.lo is not None:
                vals = [v for v in vals if not math.isnan(v) and self.lo <= v <= self.hi]
                vals += [self.lo, self.hi]
            out = vals
        elif k == "C":
            chars = list(_CHAR_BOUNDARIES)
            chars += [chr(v) for v in neighbours(c.ints, 0, 0xFFFF)]
            chars += [s for s in c.strings if len(s) == 1]
            out = chars
        elif k == "T":
            strs = list(_STRING_BOUNDARIES)
            for s in c.strings:
                strs += [s, s + "a", s[:-1], s[1:], " " + s, s.upper(), s + s]
            strs += [str(v) for v in c.ints[:8]]
            strs += ["a" * self.len_lo, "ab" * (self.len_hi // 2) + "a" * (self.len_hi % 2)]
            out = [s for s in strs if self.len_lo <= len(s) <= self.len_hi]
        elif k == "[":
            assert self.element is not None
            es = [e for e in self.element.specials if e is not None]
            arrays: list[tuple[object, ...]] = [()]
            arrays += [(e,) for e in es[:12]]
            arrays += [tuple(es[:3]), tuple(es[:8]), tuple(reversed(es[:5]))]
            e = self.element
            if isinstance(e.lo, int):  # the extremes, alone and together (overflowing sums)
                arrays += [(e.lo,), (e.hi,), (e.hi, e.hi), (e.lo, e.lo), (e.lo, e.hi)]
            if len(es) > 1:
                arrays += [(es[0], es[0]), (es[1], es[0], es[1])]
            if self.element.nullable:
                arrays.append((None,))
            out = [self._fit_length(a) for a in arrays]
        if self.nullable:
            out = [None, *out]
        return _dedupe(out)

    def _fit_length(self, a: tuple[object, ...]) -> tuple[object, ...]:
        if len(a) > self.len_hi:
            return a[: self.len_hi]
        if len(a) < self.len_lo:
            assert self.element is not None
            return a + (self.element.default,) * (self.len_lo - len(a))
        return a

    @property
    def default(self) -> object:
        """The simplest value: 0, false, 'a', "", an empty array (within the bounds)."""
        k = self.kind
        if k == "Z":
            return False
        if self.lo is not None:
            if isinstance(self.lo, int):
                return min(max(0, self.lo), self.hi)
            return min(max(0.0, self.lo), self.hi)
        if k in ("F", "D"):
            return 0.0
        if k == "C":
            return "a"
        if k == "T":
            return "a" * self.len_lo
        if k == "[":
            assert self.element is not None
            return (self.element.default,) * self.len_lo
        return None

    def admits(self, value: object) -> bool:
        """Whether ``value`` is within the contract's bounds (``ranges``, ``lengths``, null)."""
        if value is None:
            return self.nullable
        if self.lo is not None:
            try:
                return bool(self.lo <= value <= self.hi)
            except TypeError:
                return False
        if self.kind in ("T", "["):
            if not isinstance(value, (str, tuple, list)):
                return False
            if self.explicit_length and not self.len_lo <= len(value) <= self.len_hi:
                return False
            if self.element is not None:
                return all(self.element.admits(e) for e in value)
        return True

    # ------------------------------------------------------------------ random draws

    def draw(self, rng: random.Random) -> object:
        """One random value (null now and then where the type admits it)."""
        if self.nullable and rng.random() < 0.04:
            return None
        if rng.random() < 0.2:
            v = rng.choice(self.specials)
            if v is not None or self.kind == "L":
                return v
        k = self.kind
        if k == "Z":
            return rng.random() < 0.5
        if isinstance(self.lo, int):
            return self._draw_int(rng)
        if k in ("F", "D"):
            return self._draw_float(rng)
        if k == "C":
            return self._draw_char(rng, rng.random())
        if k == "T":
            return self._draw_string(rng)
        if k == "[":
            return self._draw_array(rng)
        return None

    def _draw_int(self, rng: random.Random) -> int:
        lo, hi = self.lo, self.hi
        if hi - lo <= 2048:
            return rng.randint(lo, hi)
        r = rng.random()
        if r < 0.35:
            v = rng.randint(-64, 64)
            if lo <= v <= hi:
                return v
            return rng.randint(lo, min(hi, lo + 64)) if v < lo else rng.randint(max(lo, hi - 64), hi)
        width = max(lo.bit_length(), hi.bit_length())
        bits = rng.randint(1, width)
        v = rng.getrandbits(bits)
        if rng.random() < 0.5:
            v = -v
        return v if lo <= v <= hi else rng.randint(lo, hi)

    def _draw_float(self, rng: random.Random) -> float:
        single = self.kind == "F"
        r = rng.random()
        if self.lo is not None:
            lo, hi = self.lo, self.hi
            if r < 0.3 and math.ceil(lo) <= math.floor(hi):
                v = float(rng.randint(math.ceil(max(lo, -1e15)), math.floor(min(hi, 1e15))))
            else:
                v = rng.uniform(lo, hi)
            v = float32(v) if single else v
            return min(max(v, lo), hi)
        if r < 0.3:
            v = float(rng.randint(-100, 100))
        elif r < 0.55:
            v = round(rng.uniform(-1000, 1000), rng.randint(0, 6))
        elif r < 0.85:
            v = rng.uniform(1, 2) * 2.0 ** rng.randint(-40 if single else -300, 40 if single else 300)
            if rng.random() < 0.5:
                v = -v
        else:
            if single:
                v = struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0]
            else:
                v = struct.unpack("<d", struct.pack("<Q", rng.getrandbits(64)))[0]
            if math.isnan(v):
                v = math.nan
        return float32(v) if single else v

    def _draw_char(self, rng: random.Random, r: float) -> str:
        if r < 0.5:
            return chr(rng.randint(0x20, 0x7E))
        if r < 0.7:
            return rng.choice("abcde")
        if r < 0.85:
            return rng.choice(_CHAR_BOUNDARIES)
        v = rng.randint(0x80, 0xFFFF - 0x800)
        return chr(v if v < 0xD800 else v + 0x800)

    def _length(self, rng: random.Random) -> int:
        lo, hi = self.len_lo, self.len_hi
        r = rng.random()
        if r < 0.1:
            return lo
        if r < 0.15:
            return hi
        return rng.randint(lo, min(hi, lo + 12))

    def _draw_string(self, rng: random.Random) -> str:
        n = self._length(rng)
        r = rng.random()
        if r < 0.35:
            alphabet = rng.choice(("ab", "abc", "aA0 ", "xy"))
            s = "".join(rng.choice(alphabet) for _ in range(n))
        elif r < 0.8:
            s = "".join(chr(rng.randint(0x20, 0x7E)) for _ in range(n))
        else:
            s = "".join(self._draw_char(rng, rng.random()) for _ in range(n))
        return break_pairs(s)

    def _draw_array(self, rng: random.Random) -> tuple[object, ...]:
        assert self.element is not None
        n = self._length(rng)
        if n > 1 and rng.random() < 0.2:
            pool = [self.element.draw(rng) for _ in range(2)]
            return tuple(rng.choice(pool) for _ in range(n))
        return tuple(self.element.draw(rng) for _ in range(n))

    # ------------------------------------------------------------------ Hypothesis

    def strategy(self) -> st.SearchStrategy[Any]:
        """A strategy that can produce every value of :meth:`draw` and :attr:`specials`."""
        base = self._base_strategy()
        if self.nullable and self.kind != "L":
            return st.tuples(st.booleans(), base).map(lambda t: None if t[0] else t[1])
        return base

    def _base_strategy(self) -> st.SearchStrategy[Any]:
        k = self.kind
        if k == "Z":
            return st.booleans()
        if isinstance(self.lo, int):
            return st.integers(self.lo, self.hi)
        if k in ("F", "D"):
            width: Literal[32, 64] = 32 if k == "F" else 64
            if self.lo is not None:
                return st.floats(min_value=self.lo, max_value=self.hi, width=width)
            return st.floats(width=width, allow_nan=True, allow_infinity=True)
        if k == "C":
            return _chars()
        if k == "T":
            return _sized(_chars(), self.len_lo, self.strategy_len_hi).map("".join).map(break_pairs)
        if k == "[":
            assert self.element is not None
            return _sized(self.element.strategy(), self.len_lo, self.strategy_len_hi)
        return st.none()

    def choices(self, value: object) -> list[object]:
        """The Hypothesis choices that make :meth:`strategy` produce ``value``."""
        if self.nullable and self.kind != "L":
            if value is None:
                return [True, *self._base_choices(self.default)]
            return [False, *self._base_choices(value)]
        return self._base_choices(value)

    def _base_choices(self, value: object) -> list[object]:
        k = self.kind
        if k == "Z":
            return [bool(value)]
        if isinstance(self.lo, int):
            return [value]
        if k in ("F", "D"):
            return [float(value)]  # type: ignore[arg-type]
        if k == "C":
            return [_char_choice(value)]  # type: ignore[arg-type]
        if k == "T":
            s: str = value  # type: ignore[assignment]
            return [len(s), *(_char_choice(c) for c in s)]
        if k == "[":
            assert self.element is not None
            items: tuple[object, ...] = value  # type: ignore[assignment]
            out: list[object] = [len(items)]
            for e in items:
                out.extend(self.element.choices(e))
            return out
        return []


def _char_choice(c: str) -> int:
    return (ord(c) - _CHAR_SHIFT) & 0xFFFF


def _chars() -> st.SearchStrategy[str]:
    return st.integers(0, 0xFFFF).map(lambda i: chr((i + _CHAR_SHIFT) & 0xFFFF))


def _sized(elem: st.SearchStrategy[Any], lo: int, hi: int) -> st.SearchStrategy[tuple[Any, ...]]:
    # A length, then that many elements: a choice sequence that is easy to write
    # for a given value (see ValueGen.choices), unlike st.lists'.
    return st.integers(lo, hi).flatmap(lambda n: st.tuples(*([elem] * n)))


class ArgsGen:
    """Argument tuples for one method: edge cases, random batches, a strategy, choices."""

    def __init__(self, params: Sequence[Param], constants: Constants | None = None) -> None:
        self.params = tuple(params)
        self.gens = tuple(ValueGen(p.type, p.range, p.length, constants) for p in self.params)

    def edges(self, rng: random.Random, combos: int) -> list[tuple[object, ...]]:
        """Boundary cases: each special of each parameter with the others at their
        defaults, then ``combos`` random combinations of specials."""
        if not self.gens:
            return [()]
        defaults = tuple(g.default for g in self.gens)
        out: list[tuple[object, ...]] = [defaults]
        for i, g in enumerate(self.gens):
            for s in g.specials:
                args = list(defaults)
                args[i] = s
                out.append(tuple(args))
        if len(self.gens) > 1:
            for _ in range(combos):
                out.append(tuple(rng.choice(g.specials) for g in self.gens))
        return out

    def draw(self, rng: random.Random) -> tuple[object, ...]:
        return tuple(g.draw(rng) for g in self.gens)

    def admits(self, args: Sequence[object]) -> bool:
        """Whether every argument is within the contract's bounds."""
        return len(args) == len(self.gens) and all(g.admits(a) for g, a in zip(self.gens, args, strict=True))

    def strategy(self) -> st.SearchStrategy[tuple[Any, ...]]:
        return st.tuples(*(g.strategy() for g in self.gens))

    def choices(self, args: Sequence[object]) -> list[object]:
        out: list[object] = []
        for g, a in zip(self.gens, args, strict=True):
            out.extend(g.choices(a))
        return out
