"""The constants of the class under test, to seed generated inputs (as EvoSuite does).

Code that special-cases a magic value (``if (x == 1337) return 0``) passes
random testing almost surely; the value is right there in the class file,
though.  :func:`class_constants` collects every int, long, float, double and
String constant a class holds (``bipush``, ``sipush``, ``ldc``, switch keys,
field initial values, bootstrap arguments of string concatenation recipes are
left out as they are not values) and :func:`neighbours` adds the values one
either side, where off-by-one mistakes live.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable
from dataclasses import dataclass

from jbgen.asm import model as m

__all__ = ["Constants", "class_constants", "neighbours"]

# Small constants (iconst_m1..iconst_5, lconst, fconst, dconst) are boundary
# values already; only what the class spells out with an operand counts.
_INT_OPS = ("bipush", "sipush")


@dataclass(frozen=True)
class Constants:
    """Constants found in a class, by kind, in first-seen order, without duplicates."""

    ints: tuple[int, ...] = ()
    longs: tuple[int, ...] = ()
    floats: tuple[float, ...] = ()
    doubles: tuple[float, ...] = ()
    strings: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.ints or self.longs or self.floats or self.doubles or self.strings)

    def __len__(self) -> int:
        return len(self.ints) + len(self.longs) + len(self.floats) + len(self.doubles) + len(self.strings)


def _f32(bits: int) -> float:
    return struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0]


def _f64(bits: int) -> float:
    return struct.unpack("<d", struct.pack("<Q", bits & 0xFFFFFFFFFFFFFFFF))[0]


class _Collector:
    def __init__(self) -> None:
        self.seen: dict[str, dict[object, object]] = {k: {} for k in ("I", "J", "F", "D", "T")}

    def add(self, kind: str, value: object) -> None:
        # Key floats by their bits so that 0.0 and -0.0 (and NaNs) stay apart.
        key: object = value
        if isinstance(value, float):
            key = struct.pack("<d", value)
        self.seen[kind].setdefault(key, value)

    def loadable(self, c: object) -> None:
        if isinstance(c, m.Int):
            self.add("I", c.value)
        elif isinstance(c, m.Long):
            self.add("J", c.value)
        elif isinstance(c, m.Float):
            self.add("F", _f32(c.bits))
        elif isinstance(c, m.Double):
            self.add("D", _f64(c.bits))
        elif isinstance(c, m.Str):
            self.add("T", c.value)

    def insn(self, insn: m.Insn) -> None:
        op = insn.op
        if op in _INT_OPS:
            self.add("I", insn.args[0])
        elif op in ("ldc", "ldc_w", "ldc2_w"):
            self.loadable(insn.args[0])
        elif op == "tableswitch":
            low, high = insn.args[0], insn.args[1]
            if high - low <= 64:
                for k in range(low, high + 1):
                    self.add("I", k)
            else:
                self.add("I", low)
                self.add("I", high)
        elif op == "lookupswitch":
            for key, _ in insn.args[1]:
                self.add("I", key)
        elif op == "iinc" or op == "iinc_w":
            delta = insn.args[1]
            if not -1 <= delta <= 1:
                self.add("I", delta)

    def result(self) -> Constants:
        s = self.seen
        return Constants(
            tuple(s["I"].values()),  # type: ignore[arg-type]
            tuple(s["J"].values()),  # type: ignore[arg-type]
            tuple(s["F"].values()),  # type: ignore[arg-type]
            tuple(s["D"].values()),  # type: ignore[arg-type]
            tuple(s["T"].values()),  # type: ignore[arg-type]
        )


def class_constants(classes: Iterable[m.ClassDef]) -> Constants:
    """Every int, long, float, double and String constant in the code and fields of ``classes``."""
    col = _Collector()
    for cls in classes:
        for f in cls.fields:
            for a in f.attributes:
                if a.name == "ConstantValue":
                    col.loadable(a.value)
        for md in cls.methods:
            if md.code is None:
                continue
            for e in md.code.elements:
                if type(e) is m.Insn:
                    col.insn(e)
    return col.result()


def neighbours(values: Iterable[int], lo: int, hi: int) -> list[int]:
    """Each value and the values one either side, kept within ``[lo, hi]``."""
    out: list[int] = []
    seen: set[int] = set()
    for v in values:
        for w in (v, v - 1, v + 1):
            if lo <= w <= hi and w not in seen:
                seen.add(w)
                out.append(w)
    return out


def float_neighbours(values: Iterable[float], single: bool) -> list[float]:
    """Each value and the nearest representable values either side (float32 when ``single``)."""
    out: list[float] = []
    for v in values:
        out.append(v)
        if math.isnan(v) or math.isinf(v):
            continue
        if single:
            bits = struct.unpack("<I", struct.pack("<f", v))[0]
            for b in (bits - 1, bits + 1):
                if 0 <= b <= 0xFFFFFFFF:
                    w = _f32(b)
                    if not (math.isnan(w) or math.isinf(w)):
                        out.append(w)
        else:
            out.append(math.nextafter(v, -math.inf))
            out.append(math.nextafter(v, math.inf))
    return out
