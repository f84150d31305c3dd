"""An interrupted build leaves the previous artifacts and lock intact; real subprocesses, killed mid-build.

Also: `jbgen build` end to end in a real subprocess (pipes, not a terminal),
and the commit journal that a kill during the final renames leaves behind.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from jbgen.build import commit as tx
from tests.build.conftest import ROOT, SESSIONS, copy_contracts, snapshot

# A pure int function the search handles but cannot find (a table lookup): it
# keeps searching until --search-time, which gives the test time to kill it.
SCRAMBLE = """\
schema = 1

[class]
name = "com.example.Scramble"

[[method]]
signature = "static int scramble(int x)"
oracle = "[3, 1, 4, 1, 5, 9, 2, 6][x & 7] * 1000003 + (x >> 3)"
"""


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANTHROPIC_", "JBGEN_MODEL"))}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def jbgen(*args: str, **kw: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "jbgen.cli", *args], capture_output=True, text=True, env=_env(),
                          timeout=240, **kw)  # type: ignore[call-overload]


def _descendants(pid: int) -> set[int]:
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tasks:
            try:
                kids = Path(f"/proc/{p}/task/{t}/children").read_text().split()
            except OSError:
                continue
            for k in map(int, kids):
                if k not in out:
                    out.add(k)
                    todo.append(k)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_real_subprocess_builds_offline(tmp_path: Path) -> None:
    src = copy_contracts(tmp_path / "contracts", "abs.toml", "palindrome.toml")
    out = tmp_path / "build"
    r = jbgen("build", str(src), "-o", str(out), "--replay", str(SESSIONS), "--max-examples", "20")
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("built      com.example.Abs  com/example/Abs.class  (search, 1 round)")
    assert lines[1].startswith("built      com.example.Palindrome  com/example/Palindrome.class  (replay (scripted)")
    # Not a terminal: no progress on stderr, only the notes and the summary line.
    assert "[1/2]" not in r.stderr
    assert r.stderr.splitlines()[-1].startswith("2 built in ")
    # --json is one document on stdout.
    r = jbgen("build", str(src), "-o", str(out), "--json", "--max-examples", "20")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert [c["status"] for c in doc["contracts"]] == ["verified", "verified"]


def _kill_mid_build(src: Path, out: Path, jar: Path, sig: signal.Signals) -> tuple[int, set[int], str]:
    """Start a build, wait until the search is busy on Scramble, send ``sig``; (exit code, children, stderr)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "jbgen.cli", "build", str(src), "-o", str(out), "--jar", str(jar), "--progress",
         "--search-time", "60", "--max-examples", "20"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=_env())
    try:
        assert proc.stderr is not None
        seen = []
        for line in proc.stderr:
            seen.append(line)
            if "com.example.Scramble: search round 1" in line:
                break
        else:
            raise AssertionError("the build ended before the search started:\n" + "".join(seen))
        time.sleep(0.3)
        assert proc.poll() is None, "".join(seen)
        children = _descendants(proc.pid)
        proc.send_signal(sig)
        code = proc.wait(timeout=60)
        return code, children, "".join(seen) + proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_an_interrupted_build_leaves_the_previous_build_intact(tmp_path: Path) -> None:
    src = copy_contracts(tmp_path / "contracts", "abs.toml")
    out = tmp_path / "build"
    jar = tmp_path / "app.jar"
    r = jbgen("build", str(src), "-o", str(out), "--jar", str(jar), "--max-examples", "20")
    assert r.returncode == 0, r.stderr
    before = snapshot(out)
    jar_before = jar.read_bytes()
    assert "jbgen.lock" in before and "com/example/Abs.class" in before

    # Abs changes (so it is synthesized and tested again, in a sandbox worker), and a
    # second contract keeps the search busy until the signal comes.
    (src / "scramble.toml").write_text(SCRAMBLE)
    with open(src / "abs.toml", "a") as fh:
        fh.write("# changed: its artifact will be synthesized again\n")
    for sig, expected in ((signal.SIGINT, 130), (signal.SIGKILL, -signal.SIGKILL)):
        code, children, stderr = _kill_mid_build(src, out, jar, sig)
        # Ctrl-C: the embedded JVM's own SIGINT handler ends the process with 130
        # (JPype installs it in a non-interactive Python); the files are safe either way.
        assert code == expected, stderr
        # The previous artifacts, reports, lock and jar, byte for byte; no staging left behind.
        assert snapshot(out) == before, sig
        assert jar.read_bytes() == jar_before
        assert not (out / tx.STAGING).exists() and not (out / tx.JOURNAL).exists()
        # The sandbox workers did not outlive the build (they leave on EOF of their parent's pipe).
        deadline = time.monotonic() + 15
        while any(_alive(c) for c in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not [c for c in children if _alive(c)], sig

    # The next build starts from the old lock: Abs is stale and is built again.
    (src / "scramble.toml").unlink()
    r = jbgen("build", str(src), "-o", str(out), "--json", "--max-examples", "20")
    assert r.returncode == 0, r.stderr
    [abs_] = json.loads(r.stdout)["contracts"]
    assert abs_["status"] == "built" and "the contract changed" in abs_["resynthesized"]


def test_a_kill_during_the_renames_is_completed_by_the_next_build(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.class").write_bytes(b"old a")
    (out / "jbgen.lock").write_text("old lock")
    t = tx.Transaction(str(out))
    t.stage(str(out / "a.class"), b"new a")
    t.stage(str(out / "pkg" / "b.class"), b"new b")
    t.stage(str(tmp_path / "app.jar"), b"new jar")  # outside the output folder
    t.stage(str(out / "jbgen.lock"), "new lock", last=True)
    assert t.targets[-1] == str(out / "jbgen.lock")
    real = os.replace
    calls = []

    def dies_on_the_second(src: str, dst: str) -> None:
        if src.endswith(".tmp"):
            return real(src, dst)  # atomic_write's own rename (staging, the journal)
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt  # stands for a kill in the middle of the renames
        return real(src, dst)

    monkeypatch.setattr(os, "replace", dies_on_the_second)
    with pytest.raises(KeyboardInterrupt):
        t.commit()
    monkeypatch.setattr(os, "replace", real)
    # Half done: the journal says what is left.
    assert tx.pending(str(out))
    assert (out / "a.class").read_bytes() == b"new a" and (out / "jbgen.lock").read_text() == "old lock"
    done = tx.recover(str(out))
    assert str(out / "jbgen.lock") in done
    assert (out / "pkg" / "b.class").read_bytes() == b"new b"
    assert (tmp_path / "app.jar").read_bytes() == b"new jar"
    assert (out / "jbgen.lock").read_text() == "new lock"
    assert not tx.pending(str(out)) and not (out / tx.STAGING).exists()


def test_a_kill_while_staging_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "jbgen.lock").write_text("old lock")
    t = tx.Transaction(str(out))
    t.stage(str(out / "jbgen.lock"), "new lock", last=True)
    # (killed here: no journal yet)
    assert not tx.pending(str(out))
    assert tx.recover(str(out)) == []
    assert (out / "jbgen.lock").read_text() == "old lock" and not (out / tx.STAGING).exists()
