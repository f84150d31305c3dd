"""Shared fixtures of the sandbox tests: fake secrets, one warm pool, assembled test classes.

Every worker a test module starts is killed when the module ends, and the
module's last test fails if one is left running.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from jbgen.sandbox import Limits, WorkerPool

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data"

# Set in the test process's environment before any worker starts: no worker may see them.
FAKE_SECRETS = {
    "ANTHROPIC_API_KEY": "sk-ant-api03-FAKE-sandbox-test-0123456789abcdef",
    "GITHUB_TOKEN": "ghp_FAKEsandboxTEST0123456789",
    "AWS_SECRET_ACCESS_KEY": "FAKEawsSECRETsandbox0123456789",
    "MY_SERVICE_PASSWORD": "FAKE-password-sandbox",
}

# Small heap; calls that should return get time to spare on a loaded machine (the
# tests of timeouts set their own limits).
FAST = Limits(heap_mb=64, call_timeout_s=3.0, contract_timeout_s=60.0)


def live_workers() -> list[int]:
    """Pids of this process's sandbox workers that still run (not zombies)."""
    me = str(os.getpid())
    pids = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as fh:
                argv = fh.read().split(b"\0")
            with open(f"/proc/{pid}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if b"jbgen.sandbox.worker" in argv and b"--parent" in argv:
            i = argv.index(b"--parent")
            if i + 1 < len(argv) and argv[i + 1].decode() == me and state != b"Z":
                pids.append(int(pid))
    return pids


@pytest.fixture(scope="module")
def secrets():
    """The fake credentials, in os.environ while a sandbox test module runs (only: other
    modules, the synthesizer's among them, must not see a fake API key)."""
    saved = {k: os.environ.get(k) for k in FAKE_SECRETS}
    os.environ.update(FAKE_SECRETS)
    yield FAKE_SECRETS
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope="module")
def pool(secrets):
    """One pool per test module (workers are reused across its tests, as in production)."""
    before = set(live_workers())  # the session-wide pool's workers (tests/conftest.py) are not ours
    p = WorkerPool(max_idle=1)
    yield p
    p.close()
    assert set(live_workers()) <= before, "sandbox workers left running"


@pytest.fixture(scope="module")
def confinement(pool):
    return pool.confinement(FAST)


@functools.cache
def assembled(path: str) -> tuple[tuple[str, bytes], ...]:
    """(binary name, class bytes) of every class in a .jbasm file."""
    from jbgen.api import assemble_text

    text = Path(path).read_text(encoding="utf-8")
    return tuple((a.cls.name.replace("/", "."), a.data) for a in assemble_text(text, path))


def classes(*names: str) -> dict[str, bytes]:
    """The classes of tests/sandbox/data/NAME.jbasm (or a path), in order."""
    out: dict[str, bytes] = {}
    for n in names:
        path = n if "/" in n else str(DATA / f"{n}.jbasm")
        out.update(assembled(path))
    return out
