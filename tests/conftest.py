"""Shared fixtures: the embedded JVM, samples of java.base, golden-file updates."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"

# Set JBGEN_UPDATE_GOLDEN=1 to rewrite expected-output files from the current output.
UPDATE_GOLDEN = os.environ.get("JBGEN_UPDATE_GOLDEN") == "1"


@pytest.fixture(scope="session")
def jvm() -> None:
    from jbgen import jvm as _jvm

    _jvm.start()


_JAVA_BASE: list[tuple[str, bytes]] | None = None


def java_base_classes() -> list[tuple[str, bytes]]:
    """Every class of the embedded JDK's java.base as (path, bytes), sorted by path."""
    global _JAVA_BASE
    if _JAVA_BASE is None:
        from jbgen.api import iter_classes

        _JAVA_BASE = list(iter_classes(["jrt:/java.base"]))
    return _JAVA_BASE


def java_base_sample(step: int) -> list[tuple[str, bytes]]:
    """Every ``step``-th class of java.base: a deterministic sample."""
    return java_base_classes()[::step]


@pytest.fixture(scope="session")
def pool() -> Iterator[object]:
    """One warm sandbox worker pool for the whole test session."""
    from jbgen.sandbox import WorkerPool

    with WorkerPool(max_idle=2) as p:
        yield p


class SharedPool:
    """A pool that ``close`` leaves open: hands the session's warm workers to code that makes its own."""

    def __init__(self, pool: object) -> None:
        self.pool = pool

    def session(self, *args: object, **kwargs: object) -> object:
        return self.pool.session(*args, **kwargs)  # type: ignore[attr-defined]

    def close(self) -> None:
        pass


@pytest.fixture
def shared_pool(pool: object, monkeypatch: pytest.MonkeyPatch) -> SharedPool:
    """Make in-process `jbgen test`/`jbgen build` runs use the session's pool instead of starting workers."""
    shared = SharedPool(pool)
    monkeypatch.setattr("jbgen.sandbox.WorkerPool", lambda *a, **k: shared)
    return shared
