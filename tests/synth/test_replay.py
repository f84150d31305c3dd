"""Recording sessions and playing them back: same proposals, byte for byte, with no network.

The sessions recorded here come from the fake Messages API (tests/synth/fake_api.py)
or from ScriptedSynthesizer: written by hand, and marked so in every file.
"""

from __future__ import annotations

import json
import secrets
import socket
from pathlib import Path

import anthropic
import pytest

from jbgen.contract import load_contract, load_contract_text
from jbgen.errors import SynthesisError
from jbgen.synth.claude import ClaudeConfig, ClaudeSynthesizer
from jbgen.synth.protocol import (
    Budget,
    BudgetExhausted,
    FailedCase,
    MalformedFeedback,
    Proposal,
    ReplayMiss,
    Synthesizer,
    SynthRequest,
    TestFeedback,
)
from jbgen.synth.replay import (
    FORMAT,
    SCRIPTED_NOTE,
    Recorder,
    ReplaySynthesizer,
    ScriptedSynthesizer,
    recording_path,
)
from tests.synth.fake_api import FakeMessagesAPI, error, text_reply, tool_reply
from tests.synth.test_claude import CLAMP_OK, CLAMP_WRONG

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-ant-test-" + secrets.token_hex(16)
FEEDBACK = [TestFeedback((FailedCase("clamp(42, 0, 10) returned 42, expected 10", "example"),))]


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    for var in ("JBGEN_MODEL", "ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(anthropic._base_client, "INITIAL_RETRY_DELAY", 0.01)


@pytest.fixture(scope="module")
def clamp():
    return load_contract(str(ROOT / "fixtures" / "contracts" / "clamp.toml"))


def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args, **kwargs):
        raise AssertionError("replay must not touch the network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def drive(synth: Synthesizer, contract, rounds: int) -> list:
    """Two or three rounds as a build loop would drive them: each failing with FEEDBACK."""
    req = SynthRequest(contract)
    out = []
    for _ in range(rounds):
        p = synth.propose(req)
        out.append(p)
        if req.rounds_left:
            req = req.next_round(p, FEEDBACK if p.ok else [MalformedFeedback(p.malformed)])
    return out


def test_record_then_replay_gives_identical_proposals(clamp, tmp_path, monkeypatch) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_WRONG, "first"), text_reply("Let me think."),
                          tool_reply(CLAMP_OK, "fixed")]) as api:
        claude = ClaudeSynthesizer(ClaudeConfig(base_url=api.base_url, max_retries=0))
        # The fake server's replies are scripted: the recording must say so.
        recorded = drive(Recorder(claude, tmp_path, scripted=True), clamp, 3)
    assert [p.ok for p in recorded] == [True, False, True]

    no_network(monkeypatch)
    monkeypatch.delenv("ANTHROPIC_API_KEY")  # replay needs no key either
    replayed = drive(ReplaySynthesizer(tmp_path), clamp, 3)
    for a, b in zip(recorded, replayed, strict=True):
        assert b.replayed_from == f"com.example.Clamp-{clamp.source_sha256[:12]}/claude-sonnet-5.round-{a.round}.json"
        assert a.jbasm == b.jbasm and (a.jbasm or "").encode() == (b.jbasm or "").encode()
        ja, jb = a.to_json(), b.to_json()
        jb["replayed_from"] = None
        assert ja == jb
    # Twice the same: a replayed build is reproducible.
    again = drive(ReplaySynthesizer(tmp_path, model="claude-sonnet-5", strict=True), clamp, 3)
    assert [p.to_json() for p in again] == [p.to_json() for p in replayed]


def test_the_recording_is_readable_and_says_what_it_is(clamp, tmp_path) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_WRONG), tool_reply(CLAMP_OK)]) as api:
        rec = Recorder(ClaudeSynthesizer(ClaudeConfig(base_url=api.base_url)), tmp_path, scripted=True)
        drive(rec, clamp, 2)
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json"))
    folder = f"com.example.Clamp-{clamp.source_sha256[:12]}"
    assert files == [f"{folder}/claude-sonnet-5.round-1.json", f"{folder}/claude-sonnet-5.round-2.json"]
    text = (tmp_path / files[1]).read_text()
    assert KEY not in text
    data = json.loads(text)
    assert data["format"] == FORMAT
    assert data["scripted"] is True and data["note"] == SCRIPTED_NOTE
    assert data["contract"] == {"path": clamp.path, "class": "com.example.Clamp", "sha256": clamp.source_sha256}
    assert (data["round"], data["max_rounds"], data["synthesizer"], data["model"]) == (2, 3, "claude",
                                                                                       "claude-sonnet-5")
    assert data["sent_feedback"].startswith("Round 1 of 3 failed: the class fails contract tests.")
    assert data["proposal"]["jbasm_lines"] == CLAMP_OK.split("\n")
    assert data["exchange"]["request"]["messages"][-1]["content"][0]["content"] == data["sent_feedback"]
    assert data["exchange"]["response"]["type"] == "message"
    assert data["error"] is None
    assert text.endswith("}\n") and "\n  \"round\": 2," in text  # indented, one key a line


def test_a_recording_of_an_unscripted_synthesizer_makes_no_claim_it_is_scripted(clamp, tmp_path) -> None:
    class Person:
        name, model = "person", None

        def propose(self, request):
            return Proposal("person", None, request.round, jbasm=CLAMP_OK)

    Recorder(Person(), tmp_path).propose(SynthRequest(clamp))
    [path] = tmp_path.rglob("*.json")
    data = json.loads(path.read_text())
    assert data["scripted"] is False and "note" not in data
    assert path.name == "none.round-1.json"


def test_scripted_sessions_say_so(clamp, tmp_path) -> None:
    script = ScriptedSynthesizer({"com.example.Clamp": [CLAMP_WRONG, CLAMP_OK]})
    drive(Recorder(script, tmp_path), clamp, 2)
    for path in tmp_path.rglob("*.json"):
        data = json.loads(path.read_text())
        assert data["scripted"] is True and data["note"] == "written by hand for tests; not a real model's output"
        assert data["model"] == "scripted" and data["synthesizer"] == "scripted"
    replayed = drive(ReplaySynthesizer(tmp_path), clamp, 2)
    assert [p.jbasm for p in replayed] == [CLAMP_WRONG, CLAMP_OK]
    with pytest.raises(ReplayMiss, match="the script has no candidate for com.example.Clamp round 3"):
        script.propose(SynthRequest(clamp, budget=Budget(max_rounds=5)).next_round(replayed[0], FEEDBACK)
                       .next_round(replayed[1], FEEDBACK))


def test_a_replay_miss_names_the_contract_and_the_round(clamp, tmp_path) -> None:
    drive(Recorder(ScriptedSynthesizer({"com.example.Clamp": [CLAMP_WRONG]}), tmp_path), clamp, 1)
    replay = ReplaySynthesizer(tmp_path)
    first = replay.propose(SynthRequest(clamp))
    with pytest.raises(ReplayMiss) as info:
        replay.propose(SynthRequest(clamp).next_round(first, FEEDBACK))
    assert str(info.value) == (
        f"{clamp.path}: no recording for com.example.Clamp (contract sha256 {clamp.source_sha256[:12]}) round 2 "
        f"in {tmp_path}; the recorded session has 1 file(s), none for this round")
    assert info.value.exit_code == 6
    # The contract changed since it was recorded.
    changed = load_contract_text((ROOT / "fixtures" / "contracts" / "clamp.toml").read_text() + "\n# edited\n",
                                 "clamp.toml")
    with pytest.raises(ReplayMiss, match=r"round 1 in .*; the directory has recordings of other versions of this "
                                         r"contract \(com.example.Clamp-"):
        replay.propose(SynthRequest(changed))
    with pytest.raises(ReplayMiss, match="no recording of model claude-opus-5-5 for com.example.Clamp"):
        ReplaySynthesizer(tmp_path, model="claude-opus-5-5").propose(SynthRequest(clamp))
    with pytest.raises(ReplayMiss, match="no recording for"):
        ReplaySynthesizer(tmp_path / "missing").propose(SynthRequest(clamp))


def test_recorded_errors_are_replayed(clamp, tmp_path) -> None:
    first = ScriptedSynthesizer({"com.example.Clamp": [CLAMP_OK]}).propose(SynthRequest(clamp))
    over_budget = SynthRequest(clamp, budget=Budget(max_rounds=2, max_tokens=100)).next_round(first, FEEDBACK)
    with FakeMessagesAPI([error(529, "overloaded_error", "Overloaded")]) as api:
        rec = Recorder(ClaudeSynthesizer(ClaudeConfig(base_url=api.base_url, max_retries=0)), tmp_path, scripted=True)
        with pytest.raises(SynthesisError) as live:
            rec.propose(SynthRequest(clamp))
        with pytest.raises(BudgetExhausted) as budget:
            rec.propose(over_budget)
    assert len(api.requests) == 1
    replay = ReplaySynthesizer(tmp_path)
    with pytest.raises(SynthesisError) as again:
        replay.propose(SynthRequest(clamp))
    assert type(again.value) is SynthesisError and again.value.message == live.value.message
    with pytest.raises(BudgetExhausted) as again2:
        replay.propose(over_budget)
    assert again2.value.message == budget.value.message


def test_strict_replay_checks_the_conversation(clamp, tmp_path) -> None:
    drive(Recorder(ScriptedSynthesizer({"com.example.Clamp": [CLAMP_WRONG, CLAMP_OK]}), tmp_path), clamp, 2)
    strict = ReplaySynthesizer(tmp_path, strict=True)
    first = strict.propose(SynthRequest(clamp))
    other = [TestFeedback((FailedCase("clamp(0, 5, 1) returned 0, expected 5", "example"),))]
    with pytest.raises(ReplayMiss, match="the conversation before round 2 of com.example.Clamp differs"):
        strict.propose(SynthRequest(clamp).next_round(first, other))
    # Not strict: the recorded answer is given whatever the feedback was.
    assert ReplaySynthesizer(tmp_path).propose(SynthRequest(clamp).next_round(first, other)).jbasm == CLAMP_OK


def test_several_models_need_a_choice(clamp, tmp_path) -> None:
    Recorder(ScriptedSynthesizer({"com.example.Clamp": [CLAMP_OK]}), tmp_path).propose(SynthRequest(clamp))
    Recorder(ScriptedSynthesizer({"com.example.Clamp": [CLAMP_WRONG]}, model="scripted-b"),
             tmp_path).propose(SynthRequest(clamp))
    with pytest.raises(ReplayMiss, match=r"several models .* \(scripted-b, scripted\): choose one with --model"):
        ReplaySynthesizer(tmp_path).propose(SynthRequest(clamp))
    assert ReplaySynthesizer(tmp_path, model="scripted-b").propose(SynthRequest(clamp)).jbasm == CLAMP_WRONG
    assert recording_path(tmp_path, clamp, 1, "a/b c").name == "a_b_c.round-1.json"


def test_a_file_that_is_not_a_recording(clamp, tmp_path) -> None:
    path = recording_path(tmp_path, clamp, 1, "scripted")
    path.parent.mkdir(parents=True)
    path.write_text('{"hello": 1}')
    with pytest.raises(SynthesisError, match="not a jbgen recording"):
        ReplaySynthesizer(tmp_path).propose(SynthRequest(clamp))
    path.write_text("{")
    with pytest.raises(SynthesisError, match="cannot read the recording"):
        ReplaySynthesizer(tmp_path).propose(SynthRequest(clamp))
