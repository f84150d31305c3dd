"""Shared fixtures: the embedded JVM, samples of java.base, golden-file updates."""

from __future__ import annotations

import os
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
