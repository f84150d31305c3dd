"""Broken assembly files: each gives its expected diagnostics (golden files), exit 2, no traceback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from jbgen.cli import main
from tests.conftest import FIXTURES, UPDATE_GOLDEN

CASES = sorted((FIXTURES / "broken-jbasm").glob("*.jbasm"))


@pytest.mark.parametrize("src", CASES, ids=[p.stem for p in CASES])
def test_broken_jbasm(src: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(src.parent)
    result = CliRunner().invoke(main, ["asm", src.name, "-o", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.rglob("*.class")), "a failed assembly must not write class files"
    expected = src.with_suffix(".expected")
    if UPDATE_GOLDEN or not expected.exists():
        expected.write_text(result.stderr)
    assert result.stderr == expected.read_text()
    # Every diagnostic has the file:line:col shape (or file:line where no column is known).
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{src.name}:"), first


def test_all_cases_have_golden_files() -> None:
    missing = [p.name for p in CASES if not p.with_suffix(".expected").exists()]
    assert not missing or os.environ.get("CI") != "true", f"no expected output for {missing}"
