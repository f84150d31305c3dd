"""The project's own promises: the README's commands are what CI runs, and the code is lint-clean."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(pip install [^\n]+)\n```", text)


def test_readme_has_the_two_setup_commands() -> None:
    cmds = _readme_commands()
    assert len(cmds) == 2, cmds
    assert "jbgen" in cmds[0]
    assert "pytest" in cmds[1]


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert _readme_commands()[1] in ci


@pytest.mark.skipif(shutil.which("ruff") is None and not (ROOT / ".ci" / "venv").exists(), reason="ruff not installed")
def test_ruff_clean() -> None:
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "jbgen", "tests", "bench"], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def test_every_data_file_of_the_package_is_installed() -> None:
    """A non-editable install ships only what package-data lists: every non-Python file must match."""
    import fnmatch
    import tomllib

    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["jbgen"]
    pkg = ROOT / "jbgen"
    data = [p.relative_to(pkg).as_posix() for p in pkg.rglob("*")
            if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts]
    missing = [d for d in data if not any(fnmatch.fnmatch(d, g) for g in globs)]
    assert not missing, f"add to [tool.setuptools.package-data]: {missing}"
