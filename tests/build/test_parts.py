"""The build's parts on their own: the jar, the lock file, provenance, choosing synthesizers, the search adapter."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from jbgen.build import jar, provenance
from jbgen.build.lock import FORMAT, Lock, freshness
from jbgen.build.synthesizers import (
    SearchSynthesizer,
    SearchUnsupported,
    make_synthesizers,
)
from jbgen.contract import load_contract
from jbgen.errors import OutOfDateError, SynthesisError, UsageError
from jbgen.synth.protocol import Budget, SynthesisUnavailable, SynthRequest
from tests.build.conftest import CONTRACTS, SESSIONS

CLASSES = {"com/example/B.class": b"\xca\xfe\xba\xbe B", "com/example/A.class": b"\xca\xfe\xba\xbe A"}


# ----------------------------------------------------------------------------- jar


def test_jar_is_reproducible_and_ordered() -> None:
    a = jar.jar_bytes(CLASSES, epoch=jar.DEFAULT_EPOCH)
    b = jar.jar_bytes(dict(reversed(list(CLASSES.items()))), epoch=jar.DEFAULT_EPOCH)
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == ["META-INF/MANIFEST.MF", "com/example/A.class", "com/example/B.class"]
        assert zf.read("META-INF/MANIFEST.MF") == jar.MANIFEST
        for i in infos:
            assert i.date_time == (1980, 1, 1, 0, 0, 0)
            assert i.compress_type == zipfile.ZIP_STORED
            assert i.external_attr >> 16 == 0o100644 and i.create_system == 3
            assert i.extra == b"" and i.comment == b""


def test_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    data = jar.jar_bytes(CLASSES)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert zf.infolist()[0].date_time == (2023, 11, 14, 22, 13, 20)
    assert data == jar.jar_bytes(CLASSES)
    assert data != jar.jar_bytes(CLASSES, epoch=jar.DEFAULT_EPOCH)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "0")  # before 1980: the earliest a zip holds
    assert jar.source_date_epoch() == jar.DEFAULT_EPOCH
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError):
        jar.source_date_epoch()


# ----------------------------------------------------------------------------- lock


def test_lock_round_trip_and_errors(tmp_path: Path) -> None:
    lock = Lock({"b.B": {"x": 1}, "a.A": {"y": [2]}})
    p = tmp_path / "jbgen.lock"
    p.write_text(lock.to_text())
    assert Lock.read(str(p)) == lock
    assert lock.to_text() == json.dumps({"contracts": lock.entries, "format": FORMAT}, indent=2, sort_keys=True) + "\n"
    assert Lock.read(str(tmp_path / "none")) is None
    p.write_text("{not json")
    with pytest.raises(OutOfDateError, match="not JSON"):
        Lock.read(str(p))
    p.write_text(json.dumps({"format": "jbgen-lock/99", "contracts": {}}))
    with pytest.raises(OutOfDateError, match="jbgen-lock/99"):
        Lock.read(str(p))


def test_freshness(tmp_path: Path) -> None:
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "A.class").write_bytes(b"class")
    (tmp_path / "p" / "A.jbasm").write_bytes(b"text")
    import hashlib

    def h(b: bytes) -> str:
        return hashlib.sha256(b).hexdigest()

    entry = {"contract": {"path": "a.toml", "sha256": "c0"}, "artifact": {"path": "p/A.class", "sha256": h(b"class")},
             "jbasm": {"path": "p/A.jbasm", "sha256": h(b"text")}, "other_classes": []}
    lock = Lock({"p.A": entry})
    assert freshness(lock, "p.A", "c0", str(tmp_path)).fresh
    assert freshness(lock, "p.A", "c1", str(tmp_path)).problems[0].startswith("the contract changed")
    assert freshness(None, "p.A", "c0", str(tmp_path)).problems == ("not in the lock: never built",)
    (tmp_path / "p" / "A.jbasm").write_bytes(b"edited")
    assert freshness(lock, "p.A", "c0", str(tmp_path)).problems[0].startswith("p/A.jbasm changed")


# ----------------------------------------------------------------------------- provenance


def test_provenance_statement() -> None:
    doc = provenance.statement(
        subjects=[("com/example/A.class", "ab" * 32)],
        contracts=[{"path": "contracts/a.toml", "sha256": "cd" * 32, "class": "com.example.A",
                    "synthesizer": "search", "model": None}],
        external={"synth": "auto"}, jbgen_version="0.1.0", jdk_version="25.0.2", started=0.0, finished=61.0,
        byproducts=[("jbgen.lock", "ef" * 32)])
    assert doc["_type"] == "https://in-toto.io/Statement/v1"
    assert doc["predicateType"] == "https://slsa.dev/provenance/v1"
    assert doc["subject"] == [{"name": "com/example/A.class", "digest": {"sha256": "ab" * 32}}]
    bd = doc["predicate"]["buildDefinition"]
    assert bd["buildType"] == provenance.BUILD_TYPE
    assert bd["resolvedDependencies"][0]["digest"] == {"sha256": "cd" * 32}
    assert bd["resolvedDependencies"][0]["annotations"]["synthesizer"] == "search"
    assert bd["internalParameters"]["jbgen"] == "0.1.0" and bd["internalParameters"]["jdk"] == "25.0.2"
    rd = doc["predicate"]["runDetails"]
    assert rd["builder"]["id"] == provenance.BUILDER_ID
    assert rd["metadata"] == {"startedOn": "1970-01-01T00:00:00Z", "finishedOn": "1970-01-01T00:01:01Z"}


# ----------------------------------------------------------------------------- synthesizers


def test_auto_picks_claude_with_a_key_and_search_without(monkeypatch: pytest.MonkeyPatch) -> None:
    slots, notes = make_synthesizers("auto")
    assert [s.name for s in slots] == ["search"] and "not set" in notes[0]
    slots, _ = make_synthesizers("auto", replay=str(SESSIONS))
    assert [(s.name, s.role) for s in slots] == [("search", "primary"), ("replay", "fallback")]
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-test-not-a-key")
    slots, notes = make_synthesizers("auto", model="claude-haiku-5-5")
    assert [s.name for s in slots] == ["claude"] and slots[0].synth.model == "claude-haiku-5-5"
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(SynthesisUnavailable, match="ANTHROPIC_API_KEY"):
        make_synthesizers("claude")
    with pytest.raises(UsageError):
        make_synthesizers("replay")
    with pytest.raises(UsageError):
        make_synthesizers("replay", replay=str(SESSIONS), record="x")
    with pytest.raises(UsageError):
        make_synthesizers("search", replay="/no/such/folder")


def test_search_adapter() -> None:
    s = SearchSynthesizer(time_limit=5)
    abs_ = load_contract(CONTRACTS / "abs.toml")
    p = s.propose(SynthRequest(abs_, budget=Budget()))
    assert p.ok and p.synthesizer == "search" and p.model is None and "Math.abs(x)" in p.notes
    assert "invokestatic Math.abs(int)int" in (p.jbasm or "")
    with pytest.raises(SynthesisError, match="no repair round"):
        from jbgen.synth.protocol import TestFeedback

        s.propose(SynthRequest(abs_, budget=Budget()).next_round(p, [TestFeedback(())]))
    with pytest.raises(SearchUnsupported, match="has state"):
        s.propose(SynthRequest(load_contract(CONTRACTS / "int-stack.toml"), budget=Budget()))
