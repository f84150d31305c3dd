"""`jbgen build` offline (the search synthesizer) through CliRunner: artifacts, lock, rebuild, --check, --locked, --json."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from jbgen.build.synthesizers import SearchSynthesizer
from tests.build.conftest import (
    FAST,
    SESSIONS,
    _SharedPool,
    build_json,
    cli,
    copy_contracts,
    snapshot,
)

NAMES = ("abs.toml", "max.toml", "palindrome.toml")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, build_pool) -> Iterator[tuple[Path, Path, dict]]:
    """One offline build of abs, max (search) and palindrome (strings: the search cannot), --json."""
    root = tmp_path_factory.mktemp("offline")
    src = copy_contracts(root / "contracts", *NAMES)
    out = root / "build"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("jbgen.sandbox.WorkerPool", lambda *a, **k: _SharedPool(build_pool))
        mp.delenv("ANTHROPIC_API_KEY", raising=False)
        code, doc = build_json(str(src), "-o", str(out), *FAST)
    assert code == 6, doc
    yield src, out, doc


def test_offline_build_writes_classes_reports_lock_and_provenance(built) -> None:
    src, out, doc = built
    by_class = {c["class"]: c for c in doc["contracts"]}
    assert by_class["com.example.Abs"]["status"] == "built"
    assert by_class["com.example.Abs"]["synthesizer"] == "search"
    assert by_class["com.example.Max"]["status"] == "built"
    pal = by_class["com.example.Palindrome"]
    assert pal["status"] == "failed" and pal["exit_code"] == 6
    # It says why, and what would work instead.
    assert "the search synthesizer does not handle com.example.Palindrome" in pal["message"]
    assert "String" in pal["message"] and "ANTHROPIC_API_KEY" in pal["message"]
    assert any("ANTHROPIC_API_KEY is not set" in n for n in doc["notes"])
    for name in ("Abs", "Max"):
        for suffix in (".class", ".jbasm", ".report.md", ".transcript.json"):
            assert (out / "com" / "example" / f"{name}{suffix}").is_file(), name + suffix
    assert (out / "com/example/Abs.class").read_bytes()[:4] == b"\xca\xfe\xba\xbe"
    # The failed contract has a report saying why, and no class.
    assert not (out / "com/example/Palindrome.class").exists()
    report = (out / "com/example/Palindrome.report.md").read_text()
    assert "**failed**" in report and "does not handle" in report
    lock = json.loads((out / "jbgen.lock").read_text())
    assert sorted(lock["contracts"]) == ["com.example.Abs", "com.example.Max"]
    assert lock["format"] == "jbgen-lock/1"
    assert (out / "provenance.intoto.json").is_file() and (out / "report.md").is_file()
    assert not (out / ".jbgen-staging").exists() and not (out / ".jbgen-commit.json").exists()


def test_lock_entry_format(built) -> None:
    _, out, _ = built
    text = (out / "jbgen.lock").read_text()
    lock = json.loads(text)
    # Sorted keys, two-space indent, a final newline: the bytes are a function of the content.
    assert text == json.dumps(lock, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    e = lock["contracts"]["com.example.Abs"]
    assert set(e) == {"artifact", "checks", "contract", "cost_usd", "jbasm", "jbgen", "jdk", "model", "other_classes",
                      "recorded", "rounds", "synthesizer", "tests", "tokens"}
    assert e["contract"]["path"] == "../contracts/abs.toml"  # relative to the lock's folder
    assert e["artifact"]["path"] == "com/example/Abs.class"
    import hashlib

    assert e["artifact"]["sha256"] == hashlib.sha256((out / "com/example/Abs.class").read_bytes()).hexdigest()
    assert e["jbasm"]["sha256"] == hashlib.sha256((out / "com/example/Abs.jbasm").read_bytes()).hexdigest()
    assert e["synthesizer"] == "search" and e["model"] is None and e["rounds"] == 1
    assert e["tokens"] == {"input": 0, "output": 0, "cache_read": 0, "cache_write": 0} and e["cost_usd"] == 0.0
    assert e["checks"] == ["policy", "verify", "conformance", "link", "tests"]
    assert e["tests"]["seed"] == 0 and e["tests"]["max_examples"] == 20
    assert e["jbgen"] == "0.1.0" and e["jdk"].startswith("2")


def test_json_shape(built) -> None:
    _, _, doc = built
    assert set(doc) >= {"ok", "exit_code", "mode", "out", "lock", "jar", "provenance", "synthesizers", "notes",
                        "contracts", "summary", "written", "seconds", "jbgen", "jdk"}
    assert doc["ok"] is False and doc["exit_code"] == 6 and doc["mode"] == "build"
    assert doc["synthesizers"] == ["search"]
    assert doc["summary"]["contracts"] == 3 and doc["summary"]["built"] == 2 and doc["summary"]["failed"] == 1
    c = doc["contracts"][0]
    assert set(c) >= {"contract", "class", "sha256", "status", "exit_code", "message", "artifact", "synthesizer",
                      "model", "rounds", "tokens", "cost_usd", "checks", "attempts", "seconds"}
    assert c["attempts"][0]["rounds"][0]["stage"] == "passed"
    assert any(w.endswith("jbgen.lock") for w in doc["written"])
    assert doc["written"][-1].endswith("jbgen.lock")  # the lock is renamed into place last


def test_unchanged_contracts_are_not_synthesized_again(built, shared_pool, monkeypatch) -> None:
    src, out, _ = built
    lock_before = (out / "jbgen.lock").read_bytes()
    classes_before = {p: (out / p).read_bytes() for p in ("com/example/Abs.class", "com/example/Max.class")}
    asked: list[str] = []
    real = SearchSynthesizer.propose

    def spy(self, request):
        asked.append(request.contract.binary_name)
        return real(self, request)

    monkeypatch.setattr(SearchSynthesizer, "propose", spy)
    code, doc = build_json(str(src), "-o", str(out), *FAST)
    assert code == 6
    # Only the contract without a locked artifact was asked for again.
    assert asked == ["com.example.Palindrome"]
    status = {c["class"]: c["status"] for c in doc["contracts"]}
    assert status == {"com.example.Abs": "verified", "com.example.Max": "verified", "com.example.Palindrome": "failed"}
    # Re-verified and re-tested: the verdict is in the result.
    abs_ = next(c for c in doc["contracts"] if c["class"] == "com.example.Abs")
    assert abs_["tests"]["checks"] >= 1 and abs_["tests"]["passed"] == abs_["tests"]["checks"]
    assert (out / "jbgen.lock").read_bytes() == lock_before
    assert {p: (out / p).read_bytes() for p in classes_before} == classes_before


def test_check_and_locked_on_a_fresh_build(built, shared_pool, tmp_path) -> None:
    src, out, _ = built
    abs_only = copy_contracts(tmp_path / "c", "abs.toml", "max.toml")
    # The contract folder moved: the lock keys on the class and the hash, not the path.
    before = snapshot(out)
    code, stdout, _ = cli(str(src / "abs.toml"), str(src / "max.toml"), "-o", str(out), "--check")
    assert code == 0, stdout
    assert stdout.splitlines()[0].startswith("up-to-date com.example.Abs")
    assert snapshot(out) == before  # --check writes nothing
    jar = tmp_path / "app.jar"
    code, doc = build_json(str(abs_only), "-o", str(out), "--locked", "--jar", str(jar), *FAST)
    assert code == 0, doc
    assert [c["status"] for c in doc["contracts"]] == ["verified", "verified"]
    assert jar.is_file()
    assert (out / "jbgen.lock").read_bytes() == before["jbgen.lock"]  # --locked never writes the lock


def test_check_and_locked_with_a_stale_contract(built, shared_pool, tmp_path) -> None:
    src, out, _ = built
    changed = copy_contracts(tmp_path / "c", "abs.toml", "max.toml")
    with open(changed / "abs.toml", "a") as fh:
        fh.write("# a changed contract\n")
    before = snapshot(out)

    code, stdout, stderr = cli(str(changed), "-o", str(out), "--check")
    assert code == 5, stdout + stderr
    lines = stdout.splitlines()
    assert lines[0].startswith("stale      com.example.Abs") and "the contract changed" in lines[0]
    assert lines[1].startswith("up-to-date com.example.Max")
    assert snapshot(out) == before

    code, doc = build_json(str(changed), "-o", str(out), "--locked", "--jar", str(tmp_path / "x.jar"))
    assert code == 5
    assert doc["contracts"][0]["status"] == "stale" and doc["contracts"][0]["exit_code"] == 5
    assert snapshot(out) == before and not (tmp_path / "x.jar").exists()  # --locked wrote nothing

    # A missing artifact is stale too.
    os.rename(out / "com/example/Max.class", tmp_path / "Max.class")
    try:
        code, doc = build_json(str(src / "max.toml"), "-o", str(out), "--check")
        assert code == 5
        assert doc["contracts"][0]["problems"] == ["com/example/Max.class is missing"]
    finally:
        os.rename(tmp_path / "Max.class", out / "com/example/Max.class")


def test_locked_without_a_lock_exits_5(tmp_path) -> None:
    src = copy_contracts(tmp_path / "c", "abs.toml")
    code, _, stderr = cli(str(src), "-o", str(tmp_path / "out"), "--locked")
    assert code == 5
    assert "no lock" in stderr


def test_check_of_a_folder_never_built(tmp_path) -> None:
    src = copy_contracts(tmp_path / "c", "abs.toml")
    code, doc = build_json(str(src), "-o", str(tmp_path / "out"), "--check")
    assert code == 5 and doc["contracts"][0]["problems"] == ["not in the lock: never built"]
    assert not (tmp_path / "out").exists()


def test_the_replay_fallback_builds_what_the_search_cannot(shared_pool, tmp_path) -> None:
    """--replay with --synth auto: the search first, then the recorded (scripted) session."""
    src = copy_contracts(tmp_path / "c", "abs.toml", "palindrome.toml")
    out = tmp_path / "out"
    code, doc = build_json(str(src), "-o", str(out), "--replay", str(SESSIONS), *FAST)
    assert code == 0, doc
    assert doc["synthesizers"] == ["search", "replay"]
    pal = next(c for c in doc["contracts"] if c["class"] == "com.example.Palindrome")
    assert pal["status"] == "built" and pal["synthesizer"] == "replay" and pal["model"] == "scripted"
    assert [a["synthesizer"] for a in pal["attempts"]] == ["search", "replay"]
    entry = json.loads((out / "jbgen.lock").read_text())["contracts"]["com.example.Palindrome"]
    assert entry["recorded"] == {"file": pal["attempts"][1]["rounds"][0]["replayed_from"],
                                 "synthesizer": "scripted", "scripted": True}
    report = (out / "com/example/Palindrome.report.md").read_text()
    assert "a scripted session, written by hand: not a model's output" in report
    assert "the search synthesizer does not handle" in report


def test_the_search_builds_index_of_max_offline(shared_pool, tmp_path) -> None:
    """A selection loop (two accumulators, a synthesized condition): verified and tested like any class,
    with the contract's own tests (ties, the empty array, null), no recorded session needed."""
    src = copy_contracts(tmp_path / "c", "index-of-max.toml")
    out = tmp_path / "out"
    code, doc = build_json(str(src), "-o", str(out), "--synth", "search")
    assert code == 0, doc
    [c] = doc["contracts"]
    assert c["status"] == "built" and c["synthesizer"] == "search" and c["rounds"] == 1, c
    text = (out / "com/example/IndexOfMax.jbasm").read_text()
    assert "if ((acc$ < 0) || (best$ < x$)) { acc$ = i$; best$ = x$; }" in text


def test_the_search_builds_temperature_offline(shared_pool, tmp_path) -> None:
    """Doubles: `(5.0 * (fahrenheit - 32.0)) / 9.0`, exact on the contract's NaN and infinity
    examples and its generated inputs, verified and tested in the JVM like any class."""
    src = copy_contracts(tmp_path / "c", "temperature.toml")
    out = tmp_path / "out"
    code, doc = build_json(str(src), "-o", str(out), "--synth", "search")
    assert code == 0, doc
    [c] = doc["contracts"]
    assert c["status"] == "built" and c["synthesizer"] == "search" and c["rounds"] == 1, c
    text = (out / "com/example/Temperature.jbasm").read_text()
    assert "// synthesized by jbgen search: return (5.0 * (fahrenheit - 32.0)) / 9.0;" in text
    assert "dreturn" in text


def test_contract_errors_and_bad_usage(tmp_path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("schema = 1\n[class]\nname = 'x.Y'\n[[method]]\nsignature = 'static int f(int x'\n")
    code, out, err = cli(str(bad), "-o", str(tmp_path / "out"))
    assert code == 2
    assert "error   " in out and "bad.toml" in err
    assert cli(str(tmp_path / "missing.toml"))[0] == 2
    assert cli(str(bad), "--locked", "--check")[0] == 2
    code, _, err = cli(str(bad), "--synth", "replay", "-o", str(tmp_path / "o2"))
    assert code == 2 and "--synth replay needs --replay DIR" in err


def test_synth_claude_without_a_key_exits_6(tmp_path) -> None:
    src = copy_contracts(tmp_path / "c", "abs.toml")
    code, _, err = cli(str(src), "--synth", "claude", "-o", str(tmp_path / "out"))
    assert code == 6
    assert "ANTHROPIC_API_KEY" in err


def test_docs_show_the_real_lock_and_json_shapes(built) -> None:
    """docs/build.md's lock and --json examples have exactly the keys a build writes."""
    import re

    from tests.build.conftest import ROOT

    _, out, doc = built
    blocks = re.findall(r"```json\n(.*?)```", (ROOT / "docs" / "build.md").read_text(), re.S)
    lock_doc, json_doc = json.loads(blocks[0]), json.loads(blocks[1])
    real = json.loads((out / "jbgen.lock").read_text())
    assert set(lock_doc) == set(real)
    assert set(lock_doc["contracts"]["com.example.Abs"]) == set(real["contracts"]["com.example.Abs"])
    assert set(json_doc) == set(doc)
    assert set(json_doc["contracts"][0]) == set(doc["contracts"][0])
    assert set(json_doc["summary"]) == set(doc["summary"])
    assert set(json_doc["contracts"][0]["attempts"][0]) == set(doc["contracts"][0]["attempts"][0])
