"""Shared fixtures of the contract-test tests: one warm sandbox pool, contracts and references, mutants."""

from __future__ import annotations

from pathlib import Path

from jbgen.contract import Contract, load_contract
from jbgen.testing import TestOptions, Verdict, check_and_test
from tests.conftest import SharedPool  # noqa: F401  (the pool fixtures live in tests/conftest.py)

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
REFERENCE = ROOT / "fixtures" / "reference"


def contract_files() -> list[Path]:
    return sorted(CONTRACTS.glob("*.toml"))


def reference_of(contract: Contract) -> Path:
    """``fixtures/reference/<SimpleName>.jbasm``."""
    return REFERENCE / f"{contract.simple_name}.jbasm"



def run(pool: object, contract: str | Path, jbasm: str | Path, **options: object) -> Verdict:
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
