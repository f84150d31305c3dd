"""Shrinking a failing input with Hypothesis, starting from the input a batch found.

The batches are generated without Hypothesis (it costs about a millisecond
per example, and a batch must cost microseconds), so Hypothesis has never seen
the failing input.  To have its shrinker start from it anyway, the input is
written as the choice sequence that makes the method's strategy produce it
(:meth:`~jbgen.testing.generate.ArgsGen.choices`) into an in-memory example
database, under the *secondary* key: Hypothesis replays those entries first
and, unlike entries under the primary key, shrinks them.  ``find`` then asks
for ever smaller inputs, one call each.

This leans on three details of Hypothesis that are not part of its documented
API (the ``.secondary`` key, ``choices_to_bytes``, and seeding the engine
through ``hypothesis.core.global_force_seed``).  If either changes,
the replay does not reproduce the failure, ``find`` finds nothing, and the
failure is reported as found, unshrunk; ``tests/testing`` checks the replay
for every kind of value so that an upgrade that breaks it is noticed.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from jbgen.testing.generate import ArgsGen, value_key

__all__ = ["OutOfTime", "shrink_args"]


class OutOfTime(BaseException):  # noqa: N818 - a signal, not an error
    """Raised inside a Hypothesis run when the shrinking budget is spent.

    A BaseException, so that Hypothesis does not take it for a failure of the
    test and shrink it, but stops and lets it through; the caller keeps the
    smallest failing input seen so far.
    """

_seed_lock = threading.Lock()


@contextlib.contextmanager
def _forced_seed(seed: int) -> Iterator[None]:
    """Seed the Hypothesis engine that ``find`` starts.

    ``@seed`` and ``derandomize`` would both turn the example database off, and
    with it the replay of the failing input; ``hypothesis.core.global_force_seed``
    (what pytest's ``--hypothesis-seed`` sets) seeds the engine and keeps the
    database.
    """
    import hypothesis.core as core

    with _seed_lock:
        old = getattr(core, "global_force_seed", None)
        core.global_force_seed = seed  # type: ignore[assignment]
        try:
            yield
        finally:
            core.global_force_seed = old


def shrink_args(
    gen: ArgsGen,
    failing: tuple[object, ...],
    fails: Callable[[tuple[object, ...]], bool],
    *,
    seed: int = 0,
    max_runs: int = 1000,
    budget_s: float = 30.0,
) -> tuple[tuple[object, ...], bool]:
    """The smallest input Hypothesis finds for which ``fails`` is true, from ``failing``.

    ``fails`` runs one candidate (and must check the contract's ``assume``
    itself); it is called at most once per distinct input, and shrinking
    stops after ``max_runs`` calls or ``budget_s`` seconds.  Returns the input and whether it differs from
    ``failing``.  ``seed`` fixes the shrinker's random choices.
    """
    try:
        from hypothesis import HealthCheck, Phase, Verbosity, find, settings
        from hypothesis.database import InMemoryExampleDatabase, choices_to_bytes
    except ImportError:  # a Hypothesis without choice sequences: report unshrunk
        return failing, False

    cache: dict[object, bool] = {value_key(failing): True}
    best: list[tuple[object, ...]] = [failing]
    deadline = time.monotonic() + budget_s
    runs = [0]

    def condition(args: Sequence[object]) -> bool:
        args = tuple(args)
        k = value_key(args)
        hit = cache.get(k)
        if hit is None:
            if runs[0] >= max_runs or time.monotonic() > deadline:
                raise OutOfTime
            runs[0] += 1
            hit = cache[k] = bool(fails(args))
        if hit:
            # Hypothesis only tries candidates smaller than its current best,
            # so the last failing input seen is the smallest so far.
            best[0] = args
        return hit

    db = InMemoryExampleDatabase()
    key = b"jbgen-shrink"
    try:
        db.save(key + b".secondary", choices_to_bytes(gen.choices(failing)))  # type: ignore[arg-type]
        conf = settings(
            database=db,
            phases=[Phase.reuse, Phase.shrink],
            max_examples=100,
            deadline=None,
            verbosity=Verbosity.quiet,
            suppress_health_check=list(HealthCheck),
        )
        with _forced_seed(seed):
            found: Any = find(gen.strategy(), condition, settings=conf, database_key=key)
        result = tuple(found)
    except (Exception, OutOfTime):  # noqa: BLE001 - NoSuchExample, Flaky, out of time: keep the best seen
        result = best[0]
    return result, value_key(result) != value_key(failing)
