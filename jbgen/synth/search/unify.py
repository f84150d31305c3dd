"""Conditionals by unification: a decision tree of predicates over terms that each fit some examples.

As in EUSolver, enumeration yields *terms* (each fits a subset of the examples,
its cover) and *predicates* (boolean terms); when the covers together span all
examples, a decision tree ``p ? t1 : (q ? t2 : t3)`` picks a term per leaf
and a predicate per node.  The learner here prefers small trees:

1. a single term that covers the examples at hand is a leaf (the smallest);
2. else the best one-predicate split whose two sides are each covered by one
   term, minimizing ``1 + |p| + |t1| + |t2|`` (exhaustive, vectorized);
3. else a greedy split: the predicate whose one side is covered by a single
   term and is as large as possible (a decision list, the shape of
   clamps and sign functions), falling back to information gain.

A predicate may only split examples on which it does not throw; a leaf's
cover already excludes the examples where its term throws.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from jbgen.synth.search.enumerator import Timeout

Ref = tuple[int, int]  # (size, row) in a bank


@dataclass(frozen=True)
class Leaf:
    ref: Ref
    size: int


@dataclass(frozen=True)
class Node:
    pred: Ref
    pred_size: int
    then: Tree
    else_: Tree

    @property
    def size(self) -> int:
        return 1 + self.pred_size + self.then.size + self.else_.size


Tree = Leaf | Node


def _pack(m: np.ndarray) -> np.ndarray:
    """Boolean rows as bit sets: (rows, E) bool -> (rows, ceil(E / 64)) uint64."""
    b = np.packbits(m, axis=-1)
    pad = (-b.shape[-1]) % 8
    if pad:
        b = np.concatenate([b, np.zeros((*b.shape[:-1], pad), np.uint8)], axis=-1)
    return np.ascontiguousarray(b).view(np.uint64)


def _prune_dominated(cov: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """Indices of covers not contained in another cover of at most the same size."""
    order = np.lexsort((np.arange(len(sizes)), sizes))
    kept: list[int] = []
    kept_mat = np.zeros((0, cov.shape[1]), bool)
    for i in order.tolist():
        c = cov[i]
        if kept and bool((~c | kept_mat).all(axis=1).any()):
            continue
        kept.append(i)
        kept_mat = np.vstack([kept_mat, c[None, :]])
    return np.asarray(kept, int)


class Unifier:
    """Learns a decision tree from covers (terms) and predicates on ``E`` examples."""

    def __init__(self, cover: np.ndarray, cover_size: np.ndarray, cover_ref: Sequence[Ref],
                 pred: np.ndarray, pred_err: np.ndarray | None, pred_size: np.ndarray, pred_ref: Sequence[Ref],
                 max_depth: int = 8, deadline: float = float("inf")) -> None:
        self.deadline = deadline
        keep = _prune_dominated(cover, cover_size)
        self.C = cover[keep]
        self.cs = cover_size[keep]
        self.cref = [cover_ref[i] for i in keep.tolist()]
        self.P = pred
        self.Perr = pred_err
        self.ps = pred_size
        self.pref = list(pred_ref)
        self.max_depth = max_depth
        # (T, W): bit sets of the examples each term misses.  Bit operations, not a matrix
        # product: numpy's BLAS runs products on every core and spins when they are busy.
        self._miss = _pack(~self.C)

    def learn(self, S: np.ndarray | None = None) -> Tree | None:
        E = self.C.shape[1]
        return self._learn(np.ones(E, bool) if S is None else S, 0)

    # ------------------------------------------------------------------

    def _leaf(self, S: np.ndarray) -> Leaf | None:
        ok = (self.C | ~S).all(axis=1)
        if not ok.any():
            return None
        cand = np.nonzero(ok)[0]
        best = cand[np.argmin(self.cs[cand])]
        return Leaf(self.cref[best], int(self.cs[best]))

    def _usable(self, S: np.ndarray) -> np.ndarray:
        """Predicates that do not throw on S and split it into two non-empty parts."""
        n_true = (self.P & S).sum(axis=1)
        ok = (n_true > 0) & (n_true < S.sum())
        if self.Perr is not None:
            ok &= ~(self.Perr & S).any(axis=1)
        return np.nonzero(ok)[0]

    def _best_cover(self, sides: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """For each row of ``sides`` (k, E), the smallest covering term's size (inf if none)."""
        side = _pack(sides)  # (k, W)
        missed = np.zeros((side.shape[0], self._miss.shape[0]), bool)  # (k, T): a term misses the side
        for w in range(side.shape[1]):
            missed |= (side[:, w, None] & self._miss[None, :, w]) != 0
        sz = np.where(missed, np.inf, self.cs[None, :].astype(np.float64))
        return sz.min(axis=1), sz.argmin(axis=1)

    def _learn(self, S: np.ndarray, depth: int) -> Tree | None:
        leaf = self._leaf(S)
        if leaf is not None:
            return leaf
        if depth >= self.max_depth:
            return None
        usable = self._usable(S)
        if usable.size == 0:
            return None
        best_total = np.inf
        best: tuple[int, int, int] | None = None
        greedy: tuple[float, float, int, bool] | None = None  # (-covered, size, pred, then-side-covered)
        chunk = max(1, (1 << 22) // max(1, self.C.shape[0] * 2))
        for lo in range(0, usable.size, chunk):
            if time.monotonic() > self.deadline:
                raise Timeout
            ids = usable[lo : lo + chunk]
            L = self.P[ids] & S
            R = ~self.P[ids] & S
            szL, tL = self._best_cover(L)
            szR, tR = self._best_cover(R)
            total = 1 + self.ps[ids] + szL + szR
            k = int(np.argmin(total))
            if total[k] < best_total:
                best_total = float(total[k])
                best = (int(ids[k]), int(tL[k]), int(tR[k]))
            if best is None:
                nL, nR = L.sum(axis=1), R.sum(axis=1)
                covered = np.where(np.isfinite(szL), nL, 0), np.where(np.isfinite(szR), nR, 0)
                for side, cov, sz in ((True, covered[0], szL), (False, covered[1], szR)):
                    if cov.max() > 0:
                        score = -cov + 0.0
                        cost = np.where(np.isfinite(sz), sz, 0) + self.ps[ids]
                        j = int(np.lexsort((cost, score))[0])
                        cand = (float(score[j]), float(cost[j]), int(ids[j]), side)
                        if greedy is None or cand[:2] < greedy[:2]:
                            greedy = cand
        if best is not None:
            p, a, b = best
            return Node(self.pref[p], int(self.ps[p]), Leaf(self.cref[a], int(self.cs[a])),
                        Leaf(self.cref[b], int(self.cs[b])))
        if greedy is not None:
            p, then_covered = greedy[2], greedy[3]
            L, R = self.P[p] & S, ~self.P[p] & S
            then: Tree | None
            else_: Tree | None
            if then_covered:
                then, else_ = self._leaf(L), self._learn(R, depth + 1)
            else:
                then, else_ = self._learn(L, depth + 1), self._leaf(R)
            if then is None or else_ is None:
                return None
            return Node(self.pref[p], int(self.ps[p]), then, else_)
        # No side of any split is covered by one term: split by information gain.
        p = self._by_gain(S, usable)
        yes = self._learn(self.P[p] & S, depth + 1)
        if yes is None:
            return None
        no = self._learn(~self.P[p] & S, depth + 1)
        if no is None:
            return None
        return Node(self.pref[p], int(self.ps[p]), yes, no)

    def _by_gain(self, S: np.ndarray, usable: np.ndarray) -> int:
        # Label each example with the term that covers most of S among those covering it.
        inS = self.C & S
        weight = inS.sum(axis=1)
        lab = np.where(inS, weight[:, None], -1).argmax(axis=0)  # (E,)
        labels = np.unique(lab[S])
        onehot = (lab[None, :] == labels[:, None]) & S  # (K, E)

        def entropy(cnt: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            tot = cnt.sum(axis=1, keepdims=True)
            p = np.where(tot > 0, cnt / np.maximum(tot, 1), 0)
            return -(np.where(p > 0, p * np.log2(np.where(p > 0, p, 1)), 0)).sum(axis=1), tot[:, 0]

        P = _pack(self.P[usable])  # (k, W)
        notP = _pack(~self.P[usable])
        lab_bits = _pack(onehot)  # (K, W)
        # examples of each label on each side of each predicate, counted on bit sets
        cL = np.bitwise_count(P[:, None, :] & lab_bits[None, :, :]).sum(axis=2, dtype=np.int64).astype(np.float64)
        cR = np.bitwise_count(notP[:, None, :] & lab_bits[None, :, :]).sum(axis=2, dtype=np.int64).astype(np.float64)
        hL, nL = entropy(cL)
        hR, nR = entropy(cR)
        cond = (nL * hL + nR * hR) / max(1, int(S.sum()))
        j = int(np.lexsort((self.ps[usable], cond))[0])
        return int(usable[j])
