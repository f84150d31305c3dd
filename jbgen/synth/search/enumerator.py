"""Bottom-up enumeration of typed terms by size, with observational-equivalence pruning.

Terms live in *banks*, one per (type, size).  A bank holds the values of its
terms on every example (a numpy matrix, one row per term, one column per
example), where they throw, and how each row was built (op and child rows), so
that a term object is only made for the few rows that become answers.

Level ``s`` applies every op to every combination of child banks whose sizes
add up to ``s - 1``, as whole matrices at once (numpy broadcasting: an
``(n1, 1, E)`` by ``(1, n2, E)`` op gives all ``n1 * n2`` results).  Each
result row is hashed (a 64-bit mix of the values and the throws-mask); a row
whose hash was seen before is observationally equivalent, on the current
examples, to a term at most as large, and is dropped.  The first row of each
class in enumeration order is kept, so the smallest term of every behaviour
survives and the order, hence the answer, is deterministic.

Hash collisions (two different behaviours with one hash) would drop a term;
with 64 bits and a few million classes the chance is below 1e-6 per search,
and the checker re-checks every answer, so a collision can cost completeness,
never soundness.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from jbgen.synth.search.ops import OPS, Op
from jbgen.synth.search.problem import JType
from jbgen.synth.search.program import DTYPE, Term, combine_errors, double_keys

# Result elements computed per numpy batch: big enough to amortize the Python
# overhead, small enough to stay in cache-friendly tens of megabytes.
BATCH_ELEMENTS = 1 << 20

_rng = np.random.default_rng(0x5EED)
_MAX_COLS = 1 << 12
_M1 = _rng.integers(1, 1 << 63, _MAX_COLS, dtype=np.uint64) * np.uint64(2) + np.uint64(1)
_MERR = _rng.integers(1, 1 << 63, _MAX_COLS, dtype=np.uint64)
_MIX = np.uint64(0xBF58476D1CE4E5B9)
_S29, _S32 = np.uint64(29), np.uint64(32)


# Distinct covers kept for unification (the smallest term of each, in order):
# enough for any tree the learner would build, bounded for 100-example problems.
MAX_COVERS = 20_000


class Timeout(Exception):
    """The time budget ran out during enumeration."""


class TermLimit(Exception):
    """The bank grew past ``max_terms``."""


class Enough(Exception):
    """``max_enumerated`` terms were evaluated (a deterministic effort limit)."""


def rowhash(vals: np.ndarray, err: np.ndarray | None) -> np.ndarray:
    """A 64-bit hash of each row (values and throws-mask); never 0 (the empty slot)."""
    if vals.dtype == np.bool_:
        x = np.packbits(vals, axis=1)
        x = _words(x, 8)
    elif vals.dtype == np.int32:
        x = _words(vals, 2)  # two ints per word: half the work
    elif vals.dtype == np.float64:
        x = double_keys(vals)  # by their bits, every NaN one: -0.0 and 0.0 are two behaviours
    else:
        x = np.ascontiguousarray(vals).view(np.uint64)
    w = x.shape[1]
    # Per word: a multiply (low bits reach high ones) and a fold (high bits come
    # back down), so words that differ only in their upper half still differ.
    x = x * _M1[:w]
    x ^= x >> _S32
    h = x.sum(axis=1, dtype=np.uint64)
    if err is not None:
        e = _words(np.packbits(err, axis=1), 8)
        h += (e * _MERR[: e.shape[1]]).sum(axis=1, dtype=np.uint64)
    h ^= h >> _S29
    h *= _MIX
    h ^= h >> _S32
    h[h == 0] = 1
    return h


def _words(a: np.ndarray, per: int) -> np.ndarray:
    """Rows of ``a`` reinterpreted as uint64 words (zero-padded to a whole word)."""
    n = a.shape[1]
    pad = (-n) % per
    if pad:
        a = np.concatenate([a, np.zeros((a.shape[0], pad), a.dtype)], axis=1)
    return np.ascontiguousarray(a).view(np.uint64)


class HashSet64:
    """A set of nonzero 64-bit keys in an open-addressing numpy table, vectorized.

    ``add`` inserts a batch and says which keys were new; of equal keys in one
    batch only the first is new, so the earliest term of a behaviour wins.
    """

    def __init__(self, capacity: int = 1 << 14) -> None:
        self.table = np.zeros(capacity, np.uint64)
        self._owner = np.zeros(capacity, np.int64)
        self.payload = np.full(capacity, -1, np.int64)  # which term a key stands for (or -1)
        self.n = 0

    def add(self, keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Insert ``keys``; which were new, and the slot of each (valid where new)."""
        if 2 * (self.n + keys.size) > self.table.size:
            # Quadruple: each rehash costs as much as all the inserts before it.
            self._grow(8 * (self.n + keys.size))
        table, owner = self.table, self._owner
        mask = np.uint64(table.size - 1)
        new = np.zeros(keys.size, bool)
        where = np.zeros(keys.size, np.int64)
        pending = np.arange(keys.size)
        slots = keys & mask
        while pending.size:
            k = keys[pending]
            s = slots[pending]
            cur = table[s]
            hit = cur == k
            empty = cur == 0
            won = np.zeros(pending.size, bool)
            if empty.any():
                e_pos = np.nonzero(empty)[0]
                es = s[e_pos]
                # Several keys may claim one empty slot: write their positions in
                # reverse so that the first claimant's is the one left (numpy
                # assigns repeated indices in order), and only it wins.
                owner[es[::-1]] = e_pos[::-1]
                w = e_pos[owner[es] == e_pos]
                won[w] = True
                table[s[w]] = k[w]
                new[pending[w]] = True
                where[pending[w]] = s[w].astype(np.int64)
            move = ~hit & ~empty
            slots[pending[move]] = (s[move] + np.uint64(1)) & mask
            pending = pending[~(hit | won)]
        self.n += int(new.sum())
        return new, where

    def _grow(self, need: int) -> None:
        size = self.table.size
        while size < need:
            size *= 2
        full = self.table != 0
        old, old_payload = self.table[full], self.payload[full]
        self.table = np.zeros(size, np.uint64)
        self._owner = np.zeros(size, np.int64)
        self.payload = np.full(size, -1, np.int64)
        self.n = 0
        if old.size:
            _, slots = self.add(old)
            self.payload[slots] = old_payload

    def find(self, keys: np.ndarray) -> np.ndarray:
        """The slot of each key, or -1 where it is absent."""
        table = self.table
        mask = np.uint64(table.size - 1)
        out = np.full(keys.size, -1, np.int64)
        pending = np.arange(keys.size)
        slots = keys & mask
        while pending.size:
            s = slots[pending]
            cur = table[s]
            hit = cur == keys[pending]
            out[pending[hit]] = s[hit].astype(np.int64)
            move = ~hit & (cur != 0)
            slots[pending[move]] = (s[move] + np.uint64(1)) & mask
            pending = pending[move]
        return out

    def get(self, keys: np.ndarray) -> np.ndarray:
        """The payload of each key, -1 where it is absent or has none."""
        slots = self.find(keys)
        return np.where(slots >= 0, self.payload[np.maximum(slots, 0)], -1)


def _pick(idx: tuple[np.ndarray, ...]) -> Callable[[np.ndarray], tuple[np.ndarray, ...]]:
    """Result rows -> child rows, for a batch whose child rows were listed in ``idx``."""
    return lambda rows: tuple(i[rows] for i in idx)


@dataclass
class Segment:
    """Rows ``start..start+count`` of a bank: ``op`` applied to child rows."""

    start: int
    count: int
    op: str  # "leaf" for size-1 banks
    child_sizes: tuple[int, ...] = ()
    child_rows: tuple[np.ndarray, ...] = ()
    leaves: tuple[Term, ...] = ()


@dataclass
class Bank:
    type: JType
    size: int
    vals: np.ndarray
    err: np.ndarray | None
    segments: list[Segment] = field(default_factory=list)

    @property
    def count(self) -> int:
        return self.vals.shape[0]

    def err_rows(self, rows: Any) -> np.ndarray | None:
        return None if self.err is None else self.err[rows]


@dataclass
class Stats:
    enumerated: int = 0  # terms evaluated
    kept: int = 0  # distinct behaviours kept
    levels: int = 0


class Goal:
    """What a term of the return type must do on the examples.

    ``match(vals, err)`` -> bool per row: fits every example; ``covers`` -> bool
    (rows, E): which examples each row fits (for unification).
    """

    def __init__(self, fits: Callable[[np.ndarray, np.ndarray | None], np.ndarray]) -> None:
        self.fits = fits

    def covers(self, vals: np.ndarray, err: np.ndarray | None) -> np.ndarray:
        return self.fits(vals, err)


class InverseGoal:
    """Invertible roots for meet-in-the-middle: for each allowed op, the operand
    that makes ``op(known, other) == target`` (``other`` as a function of
    ``target`` and ``known``).  Only for a plain target (values, no exceptions)."""

    def __init__(self, target: np.ndarray, allowed: frozenset[str], long: bool) -> None:
        self.target = target
        p = "l" if long else "i"
        cands: list[tuple[str, Callable[[np.ndarray, np.ndarray], np.ndarray], bool]] = [
            (f"{p}add", lambda tg, k: tg - k, True),  # k + o == tg
            (f"{p}sub", lambda tg, k: k - tg, True),  # k - o == tg
            (f"{p}sub", lambda tg, k: tg + k, False),  # o - k == tg
            (f"{p}xor", lambda tg, k: tg ^ k, True),  # k ^ o == tg
        ]
        # Unary roots only need the target itself: tried once, against the whole table.
        self.rules = [c for c in cands if c[0] in allowed]
        self.unary = [(k, f) for k, f in ((f"{p}neg", lambda tg: -tg), (f"{p}not", lambda tg: ~tg))
                      if k in allowed]
        self._unary_wanted: list[tuple[str, int, np.ndarray]] | None = None

    def unary_wanted(self) -> list[tuple[str, int, np.ndarray]]:
        """``(key, hash, row)``: the row whose ``key`` is the target, for each unary root."""
        if self._unary_wanted is None:
            out = []
            with np.errstate(all="ignore"):
                for key, f in self.unary:
                    want = f(self.target)
                    out.append((key, int(rowhash(want[None, :], None)[0]), want))
            self._unary_wanted = out
        return self._unary_wanted


class Enumerator:
    """Grows the banks level by level on a fixed example set."""

    def __init__(
        self,
        types: Iterable[JType],
        ops: Sequence[Op],
        leaves: dict[JType, list[tuple[Term, np.ndarray]]],
        n_examples: int,
        goal_type: JType,
        goal: Goal,
        *,
        deadline: float = float("inf"),
        max_terms: int = 5_000_000,
        max_bytes: int = 2 << 30,
        want_covers: bool = True,
        computed_constants: bool = False,
    ) -> None:
        self.types = list(types)
        self.ops = list(ops)
        self.E = n_examples
        self.goal_type = goal_type
        self.goal = goal
        self.deadline = deadline
        self.max_terms = max_terms
        self.max_bytes = max_bytes
        self.bytes = 0
        self.max_enumerated = float("inf")
        self.want_covers = want_covers
        self.banks: dict[JType, list[Bank | None]] = {t: [None] for t in self.types}
        self.seen: dict[JType, HashSet64] = {t: HashSet64() for t in self.types}
        self.stats = Stats()
        self.level = 0
        self.found: tuple[JType, int, int] | None = None  # (type, size, row) of the first exact fit
        self.halt = False  # stop the level: an exact fit, or a meet-in-the-middle hit with early_inverse
        # Stop a level at its first meet-in-the-middle hit (its answer goes straight to a
        # checker); else the level is finished and its best hit kept.  A level stopped
        # early is incomplete: the enumeration must not grow on it.
        self.early_inverse = False
        self.inverse_below = 1 << 30  # only meet-in-the-middle answers smaller than this count
        self._inv_best: tuple[int, str, tuple[int, int], tuple[int, int], bool] | None = None
        self._pending: Iterator[None] | None = None  # the batches of a level not yet finished
        self._out: dict[JType, list[tuple[np.ndarray, np.ndarray | None, Segment]]] = {}
        self._counts: dict[JType, int] = {}
        # distinct covers of goal-typed terms: cover bytes -> (size, row, cover bool array)
        self.covers: dict[bytes, tuple[int, int, np.ndarray]] = {}
        self._leaves = leaves
        self.inverse: InverseGoal | None = None
        # A compound term with one value on every example is (almost surely) a
        # constant; constants come from the leaves, and folding them together
        # floods the banks (`3 << 16`, `8 - 31`, ...).  Needs a few examples to
        # tell a constant from a coincidence.
        self.prune_constants = not computed_constants and n_examples >= 3

    # ------------------------------------------------------------------ growth

    @property
    def complete(self) -> bool:
        """Whether the newest level is whole (not cut short by a halt or an effort limit)."""
        return self._pending is None

    def grow(self) -> bool:
        """Build the next level, or go on with the one a halt or a limit cut short; True when
        a term fitting every example was found.  A level is built batch by batch, and the
        time and effort limits are checked between batches, so a level cut short by
        :class:`Enough` or a halt can be resumed by calling ``grow`` again."""
        if self.found is not None:
            raise RuntimeError("the enumeration already found a term that fits")
        if self._pending is None:
            self.level += 1
            self.stats.levels = self.level
            self._out = {t: [] for t in self.types}
            self._counts = dict.fromkeys(self.types, 0)
            self._pending = self._batches(self.level)
        self.halt = False
        with np.errstate(all="ignore"):
            for _ in self._pending:  # each step: the next batch is about to be evaluated
                if self.halt:
                    return self.found is not None
                if time.monotonic() > self.deadline:
                    raise Timeout
                if self.stats.enumerated > self.max_enumerated:
                    raise Enough
        self._pending = None
        s = self.level
        for t in self.types:
            parts = self._out[t]
            if parts:
                vals = np.concatenate([p[0] for p in parts])
                errs = [p[1] for p in parts]
                err = None
                if any(e is not None for e in errs):
                    err = np.concatenate([e if e is not None else np.zeros(p[0].shape, bool) for e, p in zip(errs, parts, strict=True)])
                bank = Bank(t, s, vals, err, [p[2] for p in parts])
            else:
                bank = Bank(t, s, np.zeros((0, self.E), DTYPE[t]), None, [])
            self.banks[t].append(bank)
        return self.found is not None

    def _batches(self, s: int) -> Iterator[None]:
        """Build level ``s``, yielding before each batch."""
        if s == 1:
            for t in self.types:
                items = self._leaves.get(t, [])
                if items:
                    yield
                    leaf_vals: np.ndarray = np.stack([v for _, v in items]).astype(DTYPE[t])
                    self._offer(t, leaf_vals, None, self._leaf_segment(items))
        else:
            for op in self.ops:
                yield from self._apply(op, s)

    @staticmethod
    def _leaf_segment(items: list[tuple[Term, np.ndarray]]) -> Callable[[Any], Segment]:
        return lambda rows: Segment(0, 0, "leaf", leaves=tuple(items[i][0] for i in rows))

    def _apply(self, op: Op, s: int) -> Iterator[None]:
        k = op.arity
        if k == 1:
            yield from self._combine(op, (s - 1,))
        elif k == 2:
            for s1 in range(1, s - 1):
                s2 = s - 1 - s1
                if op.commutative and s1 > s2:
                    break
                yield from self._combine(op, (s1, s2))
        else:
            for s1 in range(1, s - 2):
                for s2 in range(1, s - 1 - s1):
                    s3 = s - 1 - s1 - s2
                    yield from self._combine(op, (s1, s2, s3))

    def _bank(self, t: JType, size: int) -> Bank | None:
        banks = self.banks.get(t)
        if banks is None or size >= len(banks):
            return None
        return banks[size]

    def _combine(self, op: Op, sizes: tuple[int, ...]) -> Iterator[None]:
        banks = [self._bank(t, sz) for t, sz in zip(op.args, sizes, strict=True)]
        if any(b is None or b.count == 0 for b in banks):
            return
        bs: list[Bank] = banks  # type: ignore[assignment]
        same = op.commutative and sizes[0] == sizes[1]
        E = self.E
        if len(bs) == 1:
            b = bs[0]
            step = max(1, BATCH_ELEMENTS // max(E, 1))
            for lo in range(0, b.count, step):
                rows = np.arange(lo, min(lo + step, b.count))
                yield
                self._eval(op, sizes, [b.vals[rows]], [b.err_rows(rows)], _pick((rows,)))
            return
        # Two or three children: the last one whole, the first ones in chunks of rows.
        last = bs[-1]
        inner = last.count
        if len(bs) == 3:
            inner *= bs[1].count
        step = max(1, BATCH_ELEMENTS // max(inner * E, 1))
        first = bs[0]
        for lo in range(0, first.count, step):
            hi = min(lo + step, first.count)
            if len(bs) == 2 and not same:
                # Broadcast (c, 1, E) by (1, n2, E): no copies of the child rows.
                n2 = last.count
                vals = [first.vals[lo:hi, None, :], last.vals[None, :, :]]
                errs = [None if first.err is None else first.err[lo:hi, None, :],
                        None if last.err is None else last.err[None, :, :]]

                def where(rows: np.ndarray, lo: int = lo, n2: int = n2) -> tuple[np.ndarray, ...]:
                    return (lo + rows // n2, rows % n2)

                yield
                self._eval(op, sizes, vals, errs, where)
                continue
            r0 = np.arange(lo, hi)
            idx: tuple[np.ndarray, ...]
            g: tuple[np.ndarray, ...]
            if len(bs) == 2:
                g = tuple(np.meshgrid(r0, np.arange(last.count), indexing="ij"))
                i0, i1 = g[0].ravel(), g[1].ravel()
                if same:
                    keep = i0 <= i1
                    i0, i1 = i0[keep], i1[keep]
                idx = (i0, i1)
            else:
                g = tuple(np.meshgrid(r0, np.arange(bs[1].count), np.arange(last.count), indexing="ij"))
                idx = tuple(x.ravel() for x in g)
            if idx[0].size == 0:
                continue
            yield
            self._eval(op, sizes, [b.vals[i] for b, i in zip(bs, idx, strict=True)],
                       [b.err_rows(i) for b, i in zip(bs, idx, strict=True)], _pick(idx))

    def _eval(self, op: Op, sizes: tuple[int, ...], vals: list[np.ndarray], errs: list[np.ndarray | None],
              where: Callable[[np.ndarray], tuple[np.ndarray, ...]]) -> None:
        """Apply ``op``; ``where(rows)`` maps result rows to the child rows they came from."""
        E = self.E
        out = op.vec(*vals)
        err = None
        if any(e is not None for e in errs) or op.throws is not None:
            zs = [e if e is not None else np.zeros((1,) * v.ndim, bool) for e, v in zip(errs, vals, strict=True)]
            err = combine_errors(op, vals, zs)
            if op.throws is not None:
                err = err | op.throws(*vals)
            err = np.broadcast_to(err, out.shape)
            if err.any():
                out = np.where(err, np.zeros((), out.dtype), out)
                err = np.ascontiguousarray(err).reshape(-1, E)
            else:
                err = None
        out = out.reshape(-1, E)
        self.stats.enumerated += out.shape[0]

        def seg(rows: np.ndarray) -> Segment:
            return Segment(0, 0, op.key, sizes, where(rows))

        self._offer(op.ret, out, err, seg)

    def _offer(self, t: JType, vals: np.ndarray, err: np.ndarray | None, make_seg: Callable[[Any], Segment]) -> None:
        """Keep the rows whose behaviour is new; record goal fits and covers."""
        keys = double_keys(vals) if vals.dtype == np.float64 else vals  # doubles: by their bits
        h = rowhash(keys, err)
        cand = None  # rows worth keeping if new (None: all)
        if err is not None:
            cand = ~err.all(axis=1)  # throws on every example: useless anywhere
        if self.prune_constants and self.level > 1:
            flat = (keys == keys[:, :1]).all(axis=1)
            if err is not None:
                flat &= ~err.any(axis=1)
            cand = ~flat if cand is None else cand & ~flat
        idx = np.arange(h.size) if cand is None else np.nonzero(cand)[0]
        new, slots = self.seen[t].add(h[idx])
        rows = idx[new]
        if rows.size == 0:
            return
        if t is self.goal_type and self.inverse is not None:
            # Remember which term each new key is, for the meet-in-the-middle lookups.
            self.seen[t].payload[slots[new]] = (self.level << 32) + self._counts[t] + np.arange(rows.size)
        rows_a = rows
        kv = vals[rows_a]
        ke = None if err is None else err[rows_a]
        if ke is not None and not ke.any():
            ke = None
        seg = make_seg(rows_a)
        bank_start = self._counts[t]
        seg.start, seg.count = bank_start, len(rows)
        self._counts[t] += len(rows)
        self._out[t].append((kv, ke, seg))
        self.stats.kept += len(rows)
        self.bytes += kv.nbytes + 8 * len(rows) * (1 + len(seg.child_rows)) + (0 if ke is None else ke.nbytes)
        if self.stats.kept > self.max_terms or self.bytes > self.max_bytes:
            raise TermLimit
        if t is self.goal_type:
            if self.inverse is not None:
                self._invert_batch(kv, ke, h[rows_a], bank_start)
            fit = self.goal.fits(kv, ke)  # (k, E)
            full = fit.all(axis=1)
            if full.any():
                self.found = (t, self.level, bank_start + int(np.argmax(full)))
                self.halt = True
                return
            if self.want_covers and len(self.covers) < MAX_COVERS:
                any_fit = fit.any(axis=1)
                if any_fit.any():
                    fitting = np.nonzero(any_fit)[0]
                    packed = np.packbits(fit[fitting], axis=1)
                    # The first row of each distinct cover, in order (a batch may hold many
                    # rows of few covers: every double term that is NaN on a NaN example).
                    words = _words(packed, 8)
                    if words.shape[1] == 1:  # up to 64 examples: one sort of plain numbers
                        _, first = np.unique(words[:, 0], return_index=True)
                    else:
                        _, first = np.unique(packed, axis=0, return_index=True)
                    for j in np.sort(first).tolist():
                        key = bytes(packed[j])
                        if key not in self.covers:
                            i = int(fitting[j])
                            self.covers[key] = (self.level, bank_start + i, fit[i])

    # ------------------------------------------------------------------ meet in the middle

    def _invert_batch(self, known: np.ndarray, known_err: np.ndarray | None, hashes: np.ndarray,
                      start: int) -> None:
        """Meet in the middle for a batch of new goal-typed rows (bank rows ``start..``): each
        as the known operand of an invertible root, the other looked up among all kept terms
        (earlier levels, and this level's rows so far).  Keeps the smallest hit."""
        inv = self.inverse
        assert inv is not None
        t = self.goal_type
        level = self.level
        ok_rows = np.ones(known.shape[0], bool) if known_err is None else ~known_err.any(axis=1)
        with np.errstate(all="ignore"):
            for key, want_hash, want in inv.unary_wanted():
                # ``key(row) == target``: the batch holds the row the target needs
                for i in np.nonzero((hashes == want_hash) & ok_rows)[0].tolist():
                    if np.array_equal(known[i], want):
                        self._inv_hit(1 + level, key, (level, start + i), (level, start + i), True)
            bound = self.inverse_below if self._inv_best is None else min(self.inverse_below, self._inv_best[0])
            if bound <= 2 + level:
                return  # no binary hit with this known operand can be smaller
            for key, need, known_first in inv.rules:
                want = need(inv.target, known)
                found = self.seen[t].get(rowhash(want, None))
                for i in np.nonzero((found >= 0) & ok_rows)[0].tolist():
                    size, row = int(found[i]) >> 32, int(found[i]) & 0xFFFFFFFF
                    total = 1 + level + size
                    if total >= self.inverse_below or self._inv_best is not None and total >= self._inv_best[0]:
                        continue
                    other = self._row(t, size, row)
                    if other is None or other[1] or not np.array_equal(other[0], want[i]):
                        continue  # throws somewhere, or a hash collision
                    kf = known_first
                    if OPS[key].commutative:
                        # The operands in the order enumeration would give them.
                        kf = (level, start + i) < (size, row)
                    self._inv_hit(total, key, (level, start + i), (size, row), kf)

    def _inv_hit(self, total: int, key: str, known: tuple[int, int], other: tuple[int, int], kf: bool) -> None:
        if total < self.inverse_below and (self._inv_best is None or total < self._inv_best[0]):
            self._inv_best = (total, key, known, other, kf)
            if self.early_inverse:
                self.halt = True

    def _row(self, t: JType, size: int, row: int) -> tuple[np.ndarray, bool] | None:
        """Values of one kept row and whether it throws anywhere (finished or current level)."""
        if size < len(self.banks[t]):
            bank = self.banks[t][size]
            if bank is None:
                return None
            return bank.vals[row], bool(bank.err is not None and bank.err[row].any())
        for vals, err, seg in self._out[t]:
            if seg.start <= row < seg.start + seg.count:
                i = row - seg.start
                return vals[i], bool(err is not None and err[i].any())
        return None

    def invert(self) -> tuple[int, Term] | None:
        """The smallest ``op(known, other)`` equal to the target found while building the
        newest level (``known`` in it, ``other`` any kept term), as ``(size, term)``, or None."""
        hit, self._inv_best = self._inv_best, None
        if hit is None:
            return None
        total, key, known, other, kf = hit
        t = self.goal_type
        k = self.term(t, *known)
        if OPS[key].arity == 1:
            return total, Term(key, t, (k,))
        o = self.term(t, *other)
        return total, Term(key, t, (k, o) if kf else (o, k))

    # ------------------------------------------------------------------ terms

    def term(self, t: JType, size: int, row: int) -> Term:
        """Rebuild the term object of one bank row."""
        segments = self._segments(t, size)
        if segments is None:
            raise KeyError((t, size, row))
        starts = [sg.start for sg in segments]
        k = int(np.searchsorted(starts, row, side="right")) - 1
        sg = segments[k]
        i = row - sg.start
        if sg.op == "leaf":
            return sg.leaves[i]
        op = OPS[sg.op]
        args = tuple(self.term(at, sz, int(r[i])) for at, sz, r in zip(op.args, sg.child_sizes, sg.child_rows, strict=True))
        return Term(op.key, op.ret, args)

    def _segments(self, t: JType, size: int) -> list[Segment] | None:
        """How the rows of a bank were built (of the level under construction too)."""
        if size < len(self.banks[t]):
            bank = self.banks[t][size]
            return None if bank is None else bank.segments
        if size == self.level and self._pending is not None:
            return [p[2] for p in self._out.get(t, [])]
        return None

    def found_term(self) -> Term | None:
        if self.found is None:
            return None
        return self.term(*self.found)

    def rows(self, t: JType, refs: Sequence[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        """Values (k, E) of kept rows ``(size, row)`` and whether each throws anywhere (k,)."""
        vals: np.ndarray = np.zeros((len(refs), self.E), DTYPE[t])
        throws = np.zeros(len(refs), bool)
        by_size: dict[int, list[int]] = {}
        for i, (size, _) in enumerate(refs):
            by_size.setdefault(size, []).append(i)
        for size, idx in by_size.items():
            rows = np.array([refs[i][1] for i in idx])
            bank = self.banks[t][size] if size < len(self.banks[t]) else None
            if bank is not None:
                vals[idx] = bank.vals[rows]
                if bank.err is not None:
                    throws[idx] = bank.err[rows].any(axis=1)
                continue
            for i in idx:  # the level under construction
                got = self._row(t, size, refs[i][1])
                if got is not None:
                    vals[i], throws[i] = got
                else:
                    throws[i] = True
        return vals, throws

    def bank_rows(self, t: JType) -> Iterable[tuple[int, Bank]]:
        for size, b in enumerate(self.banks.get(t, [])):
            if b is not None and b.count:
                yield size, b
