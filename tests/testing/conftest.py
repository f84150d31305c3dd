"""Shared fixtures of the contract-test tests: one warm sandbox pool, contracts and references, mutants."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jbgen.contract import Contract, load_contract
from jbgen.sandbox import WorkerPool
from jbgen.testing import TestOptions, Verdict, check_and_test

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
REFERENCE = ROOT / "fixtures" / "reference"


def contract_files() -> list[Path]:
    return sorted(CONTRACTS.glob("*.toml"))


def reference_of(contract: Contract) -> Path:
    """``fixtures/reference/<SimpleName>.jbasm``."""
    return REFERENCE / f"{contract.simple_name}.jbasm"


@pytest.fixture(scope="session")
def pool() -> Iterator[WorkerPool]:
    with WorkerPool() as p:
        yield p


class SharedPool:
    """A pool that ``close`` leaves open: hands the session's warm workers to code that makes its own."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pool = pool

    def session(self, *args: object, **kwargs: object) -> object:
        return self.pool.session(*args, **kwargs)  # type: ignore[arg-type]

    def close(self) -> None:
        pass


@pytest.fixture
def shared_pool(pool: WorkerPool, monkeypatch: pytest.MonkeyPatch) -> SharedPool:
    """Make ``jbgen test`` (in-process) use the session's pool instead of starting workers."""
    shared = SharedPool(pool)
    monkeypatch.setattr("jbgen.sandbox.WorkerPool", lambda *a, **k: shared)
    return shared


def run(pool: WorkerPool, contract: str | Path, jbasm: str | Path, **options: object) -> Verdict:
    """``jbgen test`` as a library call, on the shared pool."""
    c = load_contract(str(contract))
    return check_and_test(c, str(jbasm), pool=pool, options=TestOptions(**options))  # type: ignore[arg-type]


def mutant(tmp_path: Path, reference: str, old: str, new: str, name: str | None = None) -> Path:
    """A copy of ``fixtures/reference/<reference>`` with ``old`` replaced by ``new`` (once)."""
    text = (REFERENCE / reference).read_text(encoding="utf-8")
    assert old in text, f"{old!r} is not in {reference}"
    out = tmp_path / (name or reference)
    out.write_text(text.replace(old, new, 1), encoding="utf-8")
    return out
