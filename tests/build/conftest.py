"""Shared helpers of the build tests: the CLI in-process on one warm sandbox pool, folder snapshots."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from jbgen.cli import main
from jbgen.sandbox import WorkerPool
from tests.conftest import SharedPool

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "contracts"
REFERENCE = ROOT / "fixtures" / "reference"
SESSIONS = ROOT / "fixtures" / "sessions"
FAST = ["--max-examples", "20"]  # fewer random inputs: the tests are about the build, not the contracts


@pytest.fixture(scope="session")
def build_pool(pool: WorkerPool) -> WorkerPool:
    """The session's warm pool (tests/conftest.py), under the name the build tests use."""
    return pool


_SharedPool = SharedPool


@pytest.fixture(autouse=True)
def _no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    """Offline unless a test says otherwise: --synth auto picks the search."""
    for var in ("ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "JBGEN_MODEL", "SOURCE_DATE_EPOCH"):
        monkeypatch.delenv(var, raising=False)


def copy_contracts(dest: Path, *names: str) -> Path:
    """Copies of bundled contracts (byte for byte, so the recorded sessions still match them)."""
    dest.mkdir(parents=True, exist_ok=True)
    for n in names:
        shutil.copyfile(CONTRACTS / n, dest / n)
    return dest


def cli(*args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """``jbgen build ARGS`` in-process: (exit code, stdout, stderr); an unexpected exception is re-raised."""
    r = CliRunner().invoke(main, ["build", *args], env=env)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def build_json(*args: str, env: dict[str, str] | None = None) -> tuple[int, dict]:
    code, out, err = cli(*args, "--json", env=env)
    try:
        return code, json.loads(out)
    except ValueError:
        raise AssertionError(f"not JSON (exit {code}):\n{out}\n{err}") from None


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file below ``folder`` (relative path -> bytes)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}
