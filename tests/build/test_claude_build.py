"""`jbgen build --synth claude` against the fake Messages API (tests/synth/fake_api.py), through the real SDK.

Every reply here is written by the test; none is a model's output.  The
recordings made here are marked ``"scripted": true``.
"""

from __future__ import annotations

import json
import secrets
import shutil
from pathlib import Path

import pytest

from tests.build.conftest import ROOT, build_json
from tests.synth.fake_api import FakeMessagesAPI, tool_reply
from tests.synth.test_claude import CLAMP_OK, CLAMP_TYPO, CLAMP_WRONG

pytestmark = pytest.mark.usefixtures("shared_pool")

KEY = "sk-ant-test-" + secrets.token_hex(16)


@pytest.fixture
def contracts(tmp_path: Path) -> Path:
    src = tmp_path / "contracts"
    src.mkdir()
    shutil.copyfile(ROOT / "fixtures" / "contracts" / "clamp.toml", src / "clamp.toml")
    return src


def _env(api: FakeMessagesAPI) -> dict[str, str]:
    return {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": api.base_url}


def _last_user_text(body: dict) -> str:
    block = body["messages"][-1]["content"][-1]
    return block["content"] if block["type"] == "tool_result" else block["text"]


def test_a_claude_build_with_one_repair_round(contracts: Path, tmp_path: Path, monkeypatch) -> None:
    from jbgen.synth.claude import ClaudeSynthesizer

    # The fake server's replies are scripted: the recording must say so.
    monkeypatch.setattr(ClaudeSynthesizer, "scripted", True, raising=False)
    out, rec = tmp_path / "out", tmp_path / "sessions"
    with FakeMessagesAPI([tool_reply(CLAMP_WRONG, "return x"), tool_reply(CLAMP_OK, "max then min")]) as api:
        code, doc = build_json(str(contracts), "-o", str(out), "--synth", "auto", "--record", str(rec),
                               "--max-examples", "20", env=_env(api))
    assert code == 0, json.dumps(doc, indent=1)[:3000]
    assert doc["synthesizers"] == ["claude"]  # auto, with a key
    [c] = doc["contracts"]
    assert c["status"] == "built" and c["synthesizer"] == "claude" and c["model"] == "claude-sonnet-5"
    assert c["rounds"] == 2
    assert [r["stage"] for r in c["attempts"][0]["rounds"]] == ["tests", "passed"]

    # What the model was sent in the repair turn: the shrunk failing cases, as Java calls.
    assert len(api.requests) == 2
    sent = _last_user_text(api.requests[1].body)
    assert sent.startswith("Round 1 of 3 failed: the class fails contract tests.\n\n"
                           "Failing tests (shrunk inputs, as Java calls):\n"
                           "- example: clamp(-3, 0, 10) returned -3, expected 0\n")
    assert sent.endswith("Fix every problem and send the whole corrected class again.")
    assert str(tmp_path) not in sent
    assert c["attempts"][0]["rounds"][0]["feedback_text"] == sent
    # Its own first reply went back before it.
    assert api.requests[1].body["messages"][1]["content"][0]["input"]["jbasm"] == CLAMP_WRONG

    # Tokens and cost are summed over both calls, in the lock.
    entry = json.loads((out / "jbgen.lock").read_text())["contracts"]["com.example.Clamp"]
    toks = entry["tokens"]
    assert toks["input"] > 0 and toks["output"] > 0 and toks["cache_write"] > 0 and toks["cache_read"] > 0
    assert entry["cost_usd"] > 0 and entry["rounds"] == 2 and entry["recorded"] is None
    assert (out / "com/example/Clamp.jbasm").read_text() == CLAMP_OK
    report = (out / "com/example/Clamp.report.md").read_text()
    assert "Repair turn (what the synthesizer is sent about this round)" in report and sent in report
    transcript = json.loads((out / "com/example/Clamp.transcript.json").read_text())
    assert transcript["attempts"][0]["rounds"][1]["proposal"]["exchange"]["request"]["messages"]
    assert KEY not in (out / "com/example/Clamp.transcript.json").read_text()

    # The recording replays with no network into the same class, byte for byte.
    files = sorted(rec.rglob("*.json"))
    assert [f.name for f in files] == ["claude-sonnet-5.round-1.json", "claude-sonnet-5.round-2.json"]
    assert all(json.loads(f.read_text())["scripted"] is True for f in files)
    out2 = tmp_path / "out2"
    code, doc2 = build_json(str(contracts), "-o", str(out2), "--synth", "replay", "--replay", str(rec),
                            "--max-examples", "20")
    assert code == 0, doc2
    [c2] = doc2["contracts"]
    assert c2["synthesizer"] == "replay" and c2["rounds"] == 2
    assert (out2 / "com/example/Clamp.class").read_bytes() == (out / "com/example/Clamp.class").read_bytes()
    entry2 = json.loads((out2 / "jbgen.lock").read_text())["contracts"]["com.example.Clamp"]
    assert entry2["tokens"] == entry["tokens"]  # the recorded calls' usage
    assert entry2["recorded"]["synthesizer"] == "claude" and entry2["recorded"]["scripted"] is True


def test_no_candidate_passes_the_best_one_is_reported(contracts: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    script = [tool_reply(CLAMP_TYPO), tool_reply(CLAMP_WRONG), tool_reply(CLAMP_WRONG)]
    with FakeMessagesAPI(script) as api:
        code, doc = build_json(str(contracts), "-o", str(out), "--synth", "claude", "--max-examples", "20",
                               env=_env(api))
    assert code == 6
    [c] = doc["contracts"]
    assert c["status"] == "failed" and "no candidate passed in 3 rounds" in c["message"]
    assert [r["stage"] for r in c["attempts"][0]["rounds"]] == ["assembly", "tests", "tests"]
    # The assembly error went back with file:line:col and the caret.
    sent = _last_user_text(api.requests[1].body)
    assert sent.startswith("Round 1 of 3 failed: the class does not assemble.\n\nAssembly errors:\n"
                           "Clamp.jbasm:9:9: error: unknown instruction or local `iretrun`\n"
                           "            iretrun\n"
                           "            ^~~~~~~\n"
                           "note: did you mean `ireturn`?\n")
    assert _last_user_text(api.requests[2].body).startswith("Round 2 of 3 failed: the class fails contract tests.")
    report = (out / "com/example/Clamp.report.md").read_text()
    assert "## Best candidate (not accepted)" in report
    assert "From claude, round 2; got as far as tests." in report
    assert not (out / "com/example/Clamp.class").exists()
    assert json.loads((out / "jbgen.lock").read_text())["contracts"] == {}


def test_a_spent_token_budget_stops_before_calling(contracts: Path, tmp_path: Path) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_OK)]) as api:
        code, doc = build_json(str(contracts), "-o", str(tmp_path / "out"), "--synth", "claude",
                               "--max-tokens", "1500", env=_env(api))
    assert code == 6
    assert api.requests == []
    assert "token budget of 1500" in doc["contracts"][0]["message"]
