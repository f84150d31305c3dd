"""A stand-in checker for CEGIS: a Python reference with JVM semantics, run on seeded inputs.

The contract test runner will provide the real checker (Hypothesis with the
contract's properties and oracle, then the sandboxed JVM); this one lets the
search be driven and tested without it.  Inputs are boundary values first
(every combination of a small set when there are few parameters), then seeded
random ones mixing small, boundary and full-range values; the first input on
which the candidate differs from the reference is the counterexample.
"""

from __future__ import annotations

import itertools
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from jbgen.synth.search.problem import (
    THROWS,
    Example,
    JType,
    Param,
    Problem,
    check_value,
    value_key,
)
from jbgen.synth.search.program import Program, columns, run_vec, same_values
from jbgen.synth.search.semantics import (
    INT_MAX,
    INT_MIN,
    LONG_MAX,
    LONG_MIN,
    JavaArithmeticException,
)

_INT_EDGES = [0, 1, -1, 2, -2, 3, -3, 7, 8, 15, 16, 31, 32, 33, 63, 64, 100, -100, 255, 256, 1 << 16,
              -(1 << 16), 0x55555555, -0x55555556, 1 << 30, INT_MIN, INT_MIN + 1, INT_MAX, INT_MAX - 1]
_LONG_EXTRA = [INT_MIN - 1, INT_MAX + 1, 1 << 32, -(1 << 32), 1 << 62, LONG_MIN, LONG_MIN + 1, LONG_MAX, LONG_MAX - 1]
# Every array of up to three elements from -1, 0, 1: ties, signs and orders of every kind,
# which random arrays of wide values seldom have (a condition of a selection loop that
# forgets `|x|` for a negative `x` shows on `{0, 0, -1}`).
_SMALL_ARRAYS = [arr for n in range(4) for arr in itertools.product((-1, 0, 1), repeat=n)]
_SMALL: dict[JType, list[Any]] = {JType.INT: [0, 1, -1, 2, INT_MIN, INT_MAX], JType.LONG: [0, 1, -1, 2, LONG_MIN, LONG_MAX],
          JType.BOOLEAN: [False, True], JType.CHAR: [0, 1, 65535], JType.INT_ARRAY: _SMALL_ARRAYS,
          JType.DOUBLE: [0.0, -0.0, 1.0, -1.0, math.nan, math.inf, -math.inf]}
_MIN_NORMAL = 2.2250738585072014e-308
_DOUBLE_EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -2.5, 2.0, 3.0, 10.0, -10.0, 0.1, -0.1, 1.0 / 3, 100.0,
                 -100.0, 1e10, -1e10, 1e300, -1e300, 1e-300, math.nan, math.inf, -math.inf,
                 5e-324, -5e-324, 1e-310, _MIN_NORMAL, -_MIN_NORMAL, sys.float_info.max, -sys.float_info.max,
                 2147483647.0, 2147483647.5, 2147483648.0, -2147483648.0, -2147483648.5, -2147483649.0,
                 float(1 << 53), float((1 << 53) + 2), float(1 << 63), -float(1 << 63), 1e19, -1e19]


def _bounded(vals: Sequence[int], p: Param) -> list[int]:
    lo = p.lo if p.lo is not None else -(1 << 63)
    hi = p.hi if p.hi is not None else (1 << 63) - 1
    out = [v for v in vals if lo <= v <= hi]
    out += [v for v in (p.lo, p.hi) if v is not None and v not in out]
    return out


def _in_range(v: int, p: Param) -> bool:
    return (p.lo is None or v >= p.lo) and (p.hi is None or v <= p.hi)


def _range(p: Param) -> tuple[int, int]:
    full = {JType.INT: (INT_MIN, INT_MAX), JType.INT_ARRAY: (INT_MIN, INT_MAX), JType.LONG: (LONG_MIN, LONG_MAX),
            JType.CHAR: (0, 65535), JType.BOOLEAN: (0, 1)}[p.type]
    return (full[0] if p.lo is None else max(full[0], p.lo), full[1] if p.hi is None else min(full[1], p.hi))


def _draw(rng: np.random.Generator, p: Param, edges: list[int]) -> int:
    lo, hi = _range(p)
    r = rng.random()
    if r < 0.4:
        v = int(rng.integers(max(lo, -20), min(hi, 20) + 1)) if max(lo, -20) <= min(hi, 20) else lo
    elif r < 0.6 and edges:
        v = edges[int(rng.integers(len(edges)))]
    else:
        v = int(rng.integers(lo, hi, endpoint=True))
    return v


def _in_drange(v: float, p: Param) -> bool:
    if v != v:
        return p.dlo is None and p.dhi is None  # NaN is in no declared range
    return (p.dlo is None or v >= p.dlo) and (p.dhi is None or v <= p.dhi)


def _draw_double(rng: np.random.Generator, p: Param) -> float:
    """Small integers, plain decimals, edge values, any magnitude, any bit pattern; within
    ``dlo``..``dhi`` (a value drawn outside is replaced by a uniform one inside)."""
    r = rng.random()
    if r < 0.2:
        v = float(rng.integers(-20, 21))
    elif r < 0.4:
        v = float(rng.uniform(-1000.0, 1000.0))
    elif r < 0.6:
        v = _DOUBLE_EDGES[int(rng.integers(len(_DOUBLE_EDGES)))]
    elif r < 0.8:
        v = float(np.sign(rng.random() - 0.5) * 10.0 ** rng.uniform(-12.0, 20.0))
    else:
        v = float(rng.integers(0, 1 << 64, dtype=np.uint64, endpoint=False).view(np.float64))
        if v != v:
            v = math.nan  # one NaN: the JVM's payloads are no concern of the search
    if not _in_drange(v, p):
        lo = p.dlo if p.dlo is not None else -1e6
        hi = p.dhi if p.dhi is not None else 1e6
        v = float(rng.uniform(lo, hi)) if lo < hi else lo
    return v


def generate_inputs(params: Sequence[Param], seed: int = 0, n_random: int = 600) -> list[tuple[Any, ...]]:
    """Boundary combinations, then ``n_random`` seeded random input tuples (no duplicates)."""
    rng = np.random.default_rng(seed)
    edges: list[list[int]] = []
    for p in params:
        base = p.type if p.type is not JType.INT_ARRAY else JType.INT
        if base is JType.DOUBLE:
            edges.append([])  # drawn by _draw_double
            continue
        e = _INT_EDGES + (_LONG_EXTRA if base is JType.LONG else [])
        if base is JType.CHAR:
            e = [0, 1, 9, 32, 48, 57, 65, 90, 97, 122, 127, 128, 255, 32768, 65535]
        edges.append(_bounded(e, p) if base is not JType.BOOLEAN else [0, 1])
    out: list[tuple[Any, ...]] = []
    seen: set[Any] = set()

    def push(t: tuple[Any, ...]) -> None:
        k = value_key(t)  # doubles by their bits: -0.0 is another input than 0.0
        if k not in seen:
            seen.add(k)
            out.append(t)

    small: list[list[Any]] = []
    for p in params:
        s: list[Any] = list(_SMALL[p.type])
        if p.type in (JType.INT, JType.LONG, JType.CHAR):
            s = _bounded(s, p)
        elif p.type is JType.INT_ARRAY:
            s = [a for a in s if len(a) <= p.max_len and all(_in_range(v, p) for v in a)]
        elif p.type is JType.DOUBLE:
            s = [v for v in s if _in_drange(v, p)] + [v for v in (p.dlo, p.dhi) if v is not None]
        small.append(s)
    if math.prod(len(s) for s in small) <= 400:
        for combo in itertools.product(*small):
            push(tuple(_norm(p, v) for p, v in zip(params, combo, strict=True)))
    for _ in range(n_random):
        vals: list[Any] = []
        for p, e in zip(params, edges, strict=True):
            if p.type is JType.INT_ARRAY:
                n = int(rng.integers(0, p.max_len + 1))
                if rng.random() < 0.3:
                    # every element from a few small values: ties and near-ties everywhere
                    lo, hi = _range(p)
                    lo, hi = max(lo, -3), min(hi, 3)
                    vals.append(tuple(int(v) for v in rng.integers(lo, hi + 1, n)) if lo <= hi else
                                tuple(_draw(rng, p, e) for _ in range(n)))
                else:
                    vals.append(tuple(_draw(rng, p, e) for _ in range(n)))
            elif p.type is JType.BOOLEAN:
                vals.append(bool(rng.integers(2)))
            elif p.type is JType.DOUBLE:
                vals.append(_draw_double(rng, p))
            else:
                vals.append(_draw(rng, p, e))
        push(tuple(vals))
    return out


def _norm(p: Param, v: Any) -> Any:
    if p.type is JType.BOOLEAN:
        return bool(v)
    if p.type is JType.INT_ARRAY:
        return tuple(v)
    if p.type is JType.DOUBLE:
        return float(v)
    return int(v)


def call(reference: Callable[..., Any], inputs: Sequence[Any]) -> Any:
    """The reference's result, or :data:`THROWS` when it raises ArithmeticException."""
    try:
        return reference(*inputs)
    except JavaArithmeticException:
        return THROWS


class ReferenceChecker:
    """Compares a candidate with ``reference`` on seeded inputs, vectorized."""

    def __init__(self, params: Sequence[Param], returns: JType, reference: Callable[..., Any], *,
                 seed: int = 0, n_random: int = 600, inputs: Sequence[tuple[Any, ...]] | None = None,
                 per_round: int = 3) -> None:
        self.per_round = per_round
        self.params = tuple(params)
        self.returns = returns
        self.inputs = list(inputs) if inputs is not None else generate_inputs(params, seed, n_random)
        self.expected = [call(reference, i) for i in self.inputs]
        for i, e in zip(self.inputs, self.expected, strict=True):
            if e is not THROWS:
                check_value(e, returns, f"the reference's result on {i}")
        self._env = columns(self.params, self.inputs)
        self._throws = np.array([e is THROWS for e in self.expected], bool)
        dt = {JType.BOOLEAN: np.bool_, JType.DOUBLE: np.float64}.get(returns, np.int64)
        self._want: np.ndarray = np.array([0 if e is THROWS else e for e in self.expected], dt)
        self.calls = 0

    def __call__(self, program: Program) -> list[Example] | None:
        """None, or up to ``per_round`` counterexamples: the first failing input, then
        failing inputs spread over the rest (several per round save CEGIS rounds)."""
        self.calls += 1
        n = len(self.inputs)
        vals, err = run_vec(program, self._env, n, self.returns)
        bad = np.where(self._throws, ~err, err | ~same_values(vals.astype(self._want.dtype), self._want))
        if not bad.any():
            return None
        idx = np.nonzero(bad)[0]
        picks = [int(idx[0])]
        if self.per_round > 1 and idx.size > 1:
            spread = np.linspace(0, idx.size - 1, self.per_round).astype(int)[1:]
            picks += [int(idx[j]) for j in spread if int(idx[j]) not in picks]
        return [Example(self.inputs[i], self.expected[i]) for i in picks]


def reference_problem(name: str, params: Sequence[Param], returns: JType, reference: Callable[..., Any], *,
                      examples: Sequence[Example] = (), seed: int = 0, n_random: int = 600,
                      initial: int = 8, **kw: Any) -> Problem:
    """A problem specified by a Python reference: checker, reference and the first few checker
    inputs as examples (when none are given).  ``kw`` goes to :class:`Problem`."""
    checker = ReferenceChecker(params, returns, reference, seed=seed, n_random=n_random)
    # Spread the first examples over the boundary and random inputs.
    step = max(1, len(checker.inputs) // max(1, initial))
    picks = list(range(0, len(checker.inputs), step))[:initial]
    exs = tuple(examples) or tuple(Example(checker.inputs[i], checker.expected[i]) for i in picks)
    kw.setdefault("example_constants", bool(examples))  # generated examples carry no intent
    return Problem(name, tuple(params), returns, exs, checker=checker, reference=reference, seed=seed, **kw)
