"""`jbgen build contracts/ --synth replay --replay fixtures/sessions`: the bundled examples, byte for byte.

The sessions in fixtures/sessions are scripted (each reply is the hand-written
reference class in fixtures/reference), and say so in every file.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from jbgen.api import assemble_text
from jbgen.contract import find_contracts, load_contract
from tests.build.conftest import CONTRACTS, REFERENCE, SESSIONS, build_json, snapshot

pytestmark = pytest.mark.usefixtures("shared_pool")

# Fewer random inputs than the contracts ask for: this test is about the build's bytes.
OPTIONS = ["--synth", "replay", "--replay", str(SESSIONS), "--max-examples", "10"]


def test_every_session_is_marked_scripted() -> None:
    files = sorted(SESSIONS.rglob("*.json"))
    assert len(files) == len(find_contracts([str(CONTRACTS)]))
    for f in files:
        data = json.loads(f.read_text())
        assert data["scripted"] is True, f
        assert "not a real model's output" in data["note"], f
        assert data["model"] == "scripted" and data["synthesizer"] == "scripted", f
        reference = REFERENCE / (data["contract"]["class"].rsplit(".", 1)[1] + ".jbasm")
        assert "\n".join(data["proposal"]["jbasm_lines"]) == reference.read_text(), f


def test_the_sessions_match_the_contracts() -> None:
    """A contract changed since the sessions were made? Run `python -m tests.build.make_sessions`."""
    for path in find_contracts([str(CONTRACTS)]):
        c = load_contract(path)
        folder = SESSIONS / f"{c.binary_name}-{c.source_sha256[:12]}"
        assert folder.is_dir(), f"{path}: no session for this version of the contract (python -m tests.build.make_sessions)"


def test_replay_rebuilds_the_bundled_examples_byte_identically(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    code, doc = build_json(str(CONTRACTS), "-o", str(a), "--jar", str(tmp_path / "a.jar"), "-j", "2", *OPTIONS)
    assert code == 0, json.dumps(doc, indent=1)[:3000]
    assert doc["summary"]["built"] == len(find_contracts([str(CONTRACTS)]))
    code, doc2 = build_json(str(CONTRACTS), "-o", str(b), "--jar", str(tmp_path / "b.jar"), "-j", "1", *OPTIONS)
    assert code == 0
    # Everything but the provenance (it holds the build's times) is the same, byte for byte,
    # whatever -j was.
    sa, sb = snapshot(a), snapshot(b)
    for s in (sa, sb):
        del s["provenance.intoto.json"]
    assert sa.keys() == sb.keys()
    assert [k for k in sa if sa[k] != sb[k]] == []
    assert (tmp_path / "a.jar").read_bytes() == (tmp_path / "b.jar").read_bytes()
    # The classes are the references, assembled as `jbgen asm` writes them.
    for ref in sorted(REFERENCE.glob("*.jbasm")):
        [cls] = assemble_text(ref.read_text(), ref.name)
        assert sa[cls.cls.name + ".class"] == cls.data, ref.name
        assert sa[cls.cls.name + ".jbasm"] == ref.read_bytes(), ref.name
    lock = json.loads(sa["jbgen.lock"])
    for entry in lock["contracts"].values():
        assert entry["synthesizer"] == "replay" and entry["model"] == "scripted"
        assert entry["recorded"]["scripted"] is True
        assert entry["tokens"] == {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0}
    with zipfile.ZipFile(tmp_path / "a.jar") as zf:
        names = zf.namelist()
    assert names[0] == "META-INF/MANIFEST.MF" and names[1:] == sorted(names[1:])
    assert len(names) == 1 + len(lock["contracts"])


@pytest.mark.slow
def test_the_readme_command_builds_every_bundled_contract(tmp_path: Path) -> None:
    """The README's first set-up command, after `pip install -e .`, in a copy of the project's folders."""
    import os
    import re
    import shlex
    import shutil
    import subprocess
    import sys

    from tests.build.conftest import ROOT

    first = re.findall(r"```sh\n(pip install [^\n]+)\n```", (ROOT / "README.md").read_text())[0]
    install, command = first.split(" && ", 1)
    assert install == "pip install -e ."
    args = shlex.split(command)
    assert args[:2] == ["jbgen", "build"]
    shutil.copytree(CONTRACTS, tmp_path / "contracts")
    shutil.copytree(SESSIONS, tmp_path / "fixtures" / "sessions")
    env = {k: v for k, v in os.environ.items() if not k.startswith("ANTHROPIC_")}
    env["PYTHONPATH"] = str(ROOT)
    r = subprocess.run([sys.executable, "-m", "jbgen.cli", *args[1:]], cwd=tmp_path, env=env, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    lock = json.loads((tmp_path / "build" / "jbgen.lock").read_text())["contracts"]
    assert len(lock) == len(find_contracts([str(CONTRACTS)]))
    by = {name: e["synthesizer"] for name, e in lock.items()}
    # The search's easy ones are always its own; what it cannot handle is always replayed.
    for name in ("Abs", "Max", "Sign", "FloorDiv", "Bits", "ArraySum", "Clamp", "PowerOfTwo", "Midpoint",
                 "IndexOfMax", "Temperature"):
        assert by[f"com.example.{name}"] == "search", name
    for name in ("Palindrome", "Reverse", "IntStack", "BoundedCounter"):
        assert by[f"com.example.{name}"] == "replay", name
