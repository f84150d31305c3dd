"""Broken contracts: each gives its expected diagnostics (golden files), as a ContractError (exit 2).

Set JBGEN_UPDATE_GOLDEN=1 to rewrite the ``.expected`` files from the current output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from jbgen.contract import load_contract
from jbgen.errors import ContractError
from tests.conftest import FIXTURES, UPDATE_GOLDEN

CASES = sorted((FIXTURES / "broken-contracts").glob("*.toml"))


@pytest.mark.parametrize("src", CASES, ids=[p.stem for p in CASES])
def test_broken_contract(src: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(src.parent)
    with pytest.raises(ContractError) as info:
        load_contract(src.name)
    err = info.value
    assert err.exit_code == 2
    rendered = err.render() + "\n"
    expected = src.with_suffix(".expected")
    if UPDATE_GOLDEN or not expected.exists():
        expected.write_text(rendered)
    assert rendered == expected.read_text()
    # Every diagnostic has the file:line:col shape, with the source line and a caret.
    for d in err.diagnostics:
        assert d.location is not None and d.location.path == src.name
        assert d.location.line is not None and d.location.col is not None, d.render()
        assert d.source_line is not None, d.render()


def test_all_cases_have_golden_files() -> None:
    missing = [p.name for p in CASES if not p.with_suffix(".expected").exists()]
    assert not missing or os.environ.get("CI") != "true", f"no expected output for {missing}"


def test_corpus_covers_every_error_kind() -> None:
    stems = {p.stem for p in CASES}
    for kind in ("toml-syntax", "unknown-key", "wrong-type", "schema-unsupported", "signature-interface-type",
                 "interface-method-missing", "example-arity", "example-type", "example-int-range",
                 "property-syntax", "oracle-syntax", "assume-result", "stateful-unknown-method", "policy-bad-pattern"):
        assert kind in stems
