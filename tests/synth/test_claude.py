"""The claude synthesizer against a fake Messages API on 127.0.0.1, through the real SDK.

Every reply here is scripted by the test (tests/synth/fake_api.py); none is a
model's output.  The SDK's retry back-off is shortened so that the retry
scenarios take milliseconds, except where a test checks that ``retry-after``
is honoured.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
from pathlib import Path

import anthropic
import pytest

from jbgen.contract import load_contract
from jbgen.errors import AssemblyError, SynthesisError
from jbgen.synth.claude import (
    DEFAULT_MODEL,
    TOOL,
    ClaudeConfig,
    ClaudeSynthesizer,
    estimate_cost,
    is_spend_limit,
    parse_reply,
    resolve_model,
)
from jbgen.synth.prompt import SYSTEM_PROMPT, WORKED_EXAMPLE_JBASM, render_contract
from jbgen.synth.protocol import (
    AssemblyFeedback,
    Budget,
    BudgetExhausted,
    FailedCase,
    MalformedFeedback,
    PolicyFeedback,
    Proposal,
    SynthesisUnavailable,
    Synthesizer,
    SynthRequest,
    TestFeedback,
    Usage,
    VerifyFeedback,
    candidate_path,
    feedback_for_malformed,
    feedback_from_assembly_error,
    feedback_from_verdict,
    render_feedback,
)
from jbgen.synth.replay import Recorder
from tests.synth.fake_api import FakeMessagesAPI, error, message, raw, slow, text_reply, tool_reply

ROOT = Path(__file__).resolve().parents[2]
CONTRACTS = ROOT / "fixtures" / "contracts"
KEY = "sk-ant-test-" + secrets.token_hex(16)

CLAMP_OK = """\
.version 61
public class com.example.Clamp {
    public static int clamp(int x, int lo, int hi) {
        iload x
        iload lo
        invokestatic Math.max(int,int)int
        iload hi
        invokestatic Math.min(int,int)int
        ireturn
    }
}
"""
CLAMP_WRONG = CLAMP_OK.replace("        iload lo\n        invokestatic Math.max(int,int)int\n"
                               "        iload hi\n        invokestatic Math.min(int,int)int\n", "")
CLAMP_TYPO = CLAMP_OK.replace("        ireturn", "        iretrun")


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.setenv("ANTHROPIC_API_KEY", KEY)
    for var in ("JBGEN_MODEL", "ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS", "ANTHROPIC_AUTH_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    # The SDK's back-off between retries (not retry-after, which it always honours).
    monkeypatch.setattr(anthropic._base_client, "INITIAL_RETRY_DELAY", 0.01)
    monkeypatch.setattr(anthropic._base_client, "MAX_RETRY_DELAY", 0.02)
    # Everything the SDK and httpx log, at debug level, to check the key never shows.
    caplog.set_level(logging.DEBUG)


@pytest.fixture(autouse=True)
def _no_key_in_logs(caplog: pytest.LogCaptureFixture):
    yield
    assert KEY not in caplog.text
    assert KEY[12:] not in caplog.text


@pytest.fixture(scope="module")
def clamp():
    return load_contract(str(CONTRACTS / "clamp.toml"))


@pytest.fixture(scope="module")
def stack():
    return load_contract(str(CONTRACTS / "int-stack.toml"))


def synth(api: FakeMessagesAPI, **kw) -> ClaudeSynthesizer:
    kw.setdefault("max_retries", 2)
    kw.setdefault("timeout_s", 5.0)
    return ClaudeSynthesizer(ClaudeConfig(base_url=api.base_url, **kw))


def last_user_text(body: dict) -> str:
    """The text of the last user turn: a tool_result's content or a text block."""
    block = body["messages"][-1]["content"][-1]
    return block["content"] if block["type"] == "tool_result" else block["text"]


def no_secret(*texts: str) -> None:
    for t in texts:
        assert KEY not in t


# --------------------------------------------------------------------------- the request


def test_success_at_the_first_try(clamp) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_OK, "min of max")]) as api:
        s = synth(api)
        assert isinstance(s, Synthesizer)
        p = s.propose(SynthRequest(clamp))
    assert p.ok and p.malformed is None
    assert p.jbasm == CLAMP_OK and p.notes == "min of max"
    assert (p.synthesizer, p.model, p.round) == ("claude", DEFAULT_MODEL, 1)
    assert len(api.requests) == 1
    sent = api.requests[0]
    # What was sent is what the transcript says was sent.
    assert p.exchange is not None and p.exchange.request == sent.body
    assert p.exchange.response["content"][0]["input"]["jbasm"] == CLAMP_OK
    assert [a.status for a in p.exchange.attempts] == [200]
    assert p.exchange.endpoint == api.base_url
    # Usage and cost come from the response's usage block.
    u = p.exchange.response["usage"]
    assert p.usage == Usage(u["input_tokens"], u["output_tokens"], u["cache_read_input_tokens"],
                            u["cache_creation_input_tokens"], 1)
    assert p.usage.cache_write_tokens > 0 and p.cost_usd == estimate_cost(DEFAULT_MODEL, p.usage) > 0
    # The key went out in the auth header, and nowhere else.
    headers = {k.lower(): v for k, v in sent.headers.items()}
    assert headers.get("x-api-key") == KEY or headers.get("authorization") == f"Bearer {KEY}"
    assert "anthropic-version" in headers
    assert KEY not in sent.raw_body.decode()
    no_secret(json.dumps(p.to_json()), repr(s))


def test_request_shape(clamp) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_OK)]) as api:
        synth(api, model="claude-opus-5-5").propose(SynthRequest(clamp, budget=Budget(max_output_tokens=4000)))
    body = api.requests[0].body
    assert body["model"] == "claude-opus-5-5"
    assert body["max_tokens"] == 4000
    # The static prefix: the system prompt, marked for prompt caching (tools come before it).
    assert body["system"] == [{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}]
    # One strict tool with a closed schema {"jbasm": string, "notes"?: string}.
    assert body["tools"] == [TOOL]
    tool = body["tools"][0]
    assert tool["strict"] is True
    schema = tool["input_schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["jbasm"]
    assert schema["properties"]["jbasm"]["type"] == "string" and schema["properties"]["notes"]["type"] == "string"
    # Forced to that tool on a model that accepts it.
    assert body["tool_choice"] == {"type": "tool", "name": "submit_class", "disable_parallel_tool_use": True}
    # The contract is the first user turn; another round may follow, so it is a cache breakpoint too.
    assert body["messages"] == [{"role": "user", "content": [
        {"type": "text", "text": render_contract(clamp), "cache_control": {"type": "ephemeral"}}]}]
    assert "output_config" not in body


def test_sonnet_5_5_is_not_forced(clamp) -> None:
    # Claude Sonnet 5.5 refuses a forced tool_choice; the system prompt asks for the call instead.
    with FakeMessagesAPI([tool_reply(CLAMP_OK)]) as api:
        p = synth(api, model="claude-sonnet-5-5", effort="low").propose(SynthRequest(clamp))
    assert p.ok
    body = api.requests[0].body
    assert body["tool_choice"] == {"type": "auto", "disable_parallel_tool_use": True}
    assert body["output_config"] == {"effort": "low"}


def test_forced_tool_choice_refused_falls_back_to_auto(clamp) -> None:
    def refuse_forced(rec):
        if rec.body.get("tool_choice", {}).get("type") == "tool":
            return "tool_choice: forced tool use is not supported with this model"
        return None

    with FakeMessagesAPI([tool_reply(CLAMP_OK), tool_reply(CLAMP_OK)], check=refuse_forced) as api:
        s = synth(api, model="claude-future-1")
        assert s.propose(SynthRequest(clamp)).ok
        assert s.propose(SynthRequest(clamp)).ok
    kinds = [r.body["tool_choice"]["type"] for r in api.requests]
    assert kinds == ["tool", "auto", "auto"]  # one refusal, then auto for the rest of the build


# --------------------------------------------------------------------------- repair rounds


def test_wrong_code_then_a_repair_that_passes(clamp) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_WRONG, "return x"), tool_reply(CLAMP_OK, "clamp with max/min")]) as api:
        s = synth(api)
        req = SynthRequest(clamp)
        first = s.propose(req)
        assert first.ok and first.jbasm == CLAMP_WRONG
        # The build loop found a failing example; it sends it back.
        failure = FailedCase("clamp(42, 0, 10) returned 42, expected 10", "example", call="clamp(42, 0, 10)")
        req2 = req.next_round(first, [TestFeedback((failure,), passed=3, total=4)])
        second = s.propose(req2)
    assert second.ok and second.jbasm == CLAMP_OK and second.round == 2
    expected = (
        "Round 1 of 3 failed: the class fails contract tests.\n"
        "\n"
        "Failing tests (shrunk inputs, as Java calls):\n"
        "- example: clamp(42, 0, 10) returned 42, expected 10\n"
        "\n"
        "Fix every problem and send the whole corrected class again."
    )
    assert req2.feedback_text() == expected
    body = api.requests[1].body
    msgs = body["messages"]
    assert [m["role"] for m in msgs] == ["user", "assistant", "user"]
    # The model's own reply goes back as it was, and the feedback answers its tool call.
    tool_use = first.exchange.response["content"][0]
    assert msgs[1]["content"] == [{"type": "tool_use", "id": tool_use["id"], "name": "submit_class",
                                   "input": {"jbasm": CLAMP_WRONG, "notes": "return x"}}]
    assert msgs[2]["content"] == [{"type": "tool_result", "tool_use_id": tool_use["id"], "content": expected,
                                   "is_error": True, "cache_control": {"type": "ephemeral"}}]
    assert last_user_text(body) == expected
    # The contract turn is no longer the newest: no breakpoint there now.
    assert "cache_control" not in msgs[0]["content"][0]
    # The cached prefix was read on the second call (the fake server simulates the cache).
    assert first.usage.cache_write_tokens > 0 and second.usage.cache_read_tokens == first.usage.cache_write_tokens
    assert req2.spent == first.usage


def test_wrong_code_found_by_the_real_contract_tests_then_a_repair(clamp, tmp_path) -> None:
    """The whole repair round with jbgen's own checks: assemble, policy, verify, link, test in the sandbox."""
    from jbgen.sandbox import WorkerPool
    from jbgen.testing import TestOptions, check_and_test

    def check(jbasm: str):
        path = tmp_path / candidate_path(clamp)
        path.write_text(jbasm)
        return feedback_from_verdict(check_and_test(clamp, str(path), pool=pool,
                                                    options=TestOptions(max_examples=20)), candidate_path(clamp))

    pool = WorkerPool()
    with FakeMessagesAPI([tool_reply(CLAMP_WRONG), tool_reply(CLAMP_OK)]) as api:
        s = synth(api)
        req = SynthRequest(clamp)
        first = s.propose(req)
        feedback = check(first.jbasm)
        assert [f.kind for f in feedback] == ["test"]
        second = s.propose(req.next_round(first, feedback))
        assert check(second.jbasm) == ()
    pool.close()
    sent = last_user_text(api.requests[1].body)
    assert sent.startswith("Round 1 of 3 failed: the class fails contract tests.\n\n"
                           "Failing tests (shrunk inputs, as Java calls):\n"
                           "- example: clamp(-3, 0, 10) returned -3, expected 0\n")
    assert "- oracle: clamp(1, 0, 0) returned 1, expected 0" in sent
    assert "- property: clamp(1, 0, 0) returned 1, but the property `lo <= result <= hi` is false" in sent
    assert str(tmp_path) not in sent


def test_feedback_from_a_policy_verdict(clamp, tmp_path) -> None:
    from jbgen.testing import check_and_test

    path = tmp_path / "Clamp.jbasm"
    path.write_text(CLAMP_OK.replace("invokestatic Math.max(int,int)int",
                                     "invokestatic System.exit(int)void\n        iload lo"))
    [fb] = feedback_from_verdict(check_and_test(clamp, str(path)), "Clamp.jbasm")
    assert isinstance(fb, PolicyFeedback)
    text = render_feedback([fb], round=1, max_rounds=3)
    assert "Clamp.jbasm:6:9: error: policy: invokestatic java.lang.System.exit(int)void is not allowed" in text
    assert str(tmp_path) not in text


def test_assembly_error_then_a_fix(clamp) -> None:
    from jbgen.api import assemble_text

    path = candidate_path(clamp)
    assert path == "Clamp.jbasm"
    with FakeMessagesAPI([tool_reply(CLAMP_TYPO), tool_reply(CLAMP_OK)]) as api:
        s = synth(api)
        req = SynthRequest(clamp)
        first = s.propose(req)
        with pytest.raises(AssemblyError) as info:
            assemble_text(first.jbasm, "/tmp/elsewhere/x.jbasm")
        feedback = feedback_from_assembly_error(info.value, path)
        assert isinstance(feedback[0], AssemblyFeedback)
        req2 = req.next_round(first, feedback)
        second = s.propose(req2)
    [assembled] = assemble_text(second.jbasm, path)
    assert assembled.cls.name == "com/example/Clamp"
    sent = last_user_text(api.requests[1].body)
    assert sent == (
        "Round 1 of 3 failed: the class does not assemble.\n"
        "\n"
        "Assembly errors:\n"
        "Clamp.jbasm:9:9: error: unknown instruction or local `iretrun`\n"
        "            iretrun\n"
        "            ^~~~~~~\n"
        "note: did you mean `ireturn`?\n"
        "\n"
        "Fix every problem and send the whole corrected class again."
    )


def test_three_rounds_and_every_kind_of_feedback(stack) -> None:
    from jbgen.errors import Diagnostic, Location

    verify = Diagnostic("Bad type on operand stack in iadd", Location("IntStack.jbasm", 12, 9), "        iadd")
    policy = Diagnostic("policy: getstatic java.lang.System.out:java.io.PrintStream is not allowed (standard streams)",
                        Location("IntStack.jbasm", 20, 9), "        getstatic System.out:java.io.PrintStream",
                        notes=("in com.example.IntStack.push(int)void",
                               'allow it in the contract\'s [policy] allow list: "java.lang.System.out"'))
    stateful = FailedCase("pop() returned 1, expected 2", "stateful model", steps=("push(1)", "push(2)"))
    fb = [PolicyFeedback((policy,)), VerifyFeedback((verify,)), TestFeedback((stateful,))]
    with FakeMessagesAPI([tool_reply("class x {}"), tool_reply("class x {}"), tool_reply("class x {}")]) as api:
        s = synth(api)
        req = SynthRequest(stack)
        p1 = s.propose(req)
        req = req.next_round(p1, fb)
        p2 = s.propose(req)
        req = req.next_round(p2, [MalformedFeedback("the reply has no submit_class call")])
        s.propose(req)
        assert req.rounds_left == 0
        with pytest.raises(BudgetExhausted, match="round 4 is past the limit of 3"):
            s.propose(req.next_round(p2, [MalformedFeedback("x")]))
    assert len(api.requests) == 3
    text = api.requests[1].body["messages"][-1]["content"][-1]["content"]
    assert text == (
        "Round 1 of 3 failed: the class uses APIs the policy refuses.\n"
        "\n"
        "Policy refusals (the class may not use these):\n"
        "IntStack.jbasm:20:9: error: policy: getstatic java.lang.System.out:java.io.PrintStream is not allowed "
        "(standard streams)\n"
        "            getstatic System.out:java.io.PrintStream\n"
        "            ^\n"
        "note: in com.example.IntStack.push(int)void\n"
        "\n"
        "Verifier errors:\n"
        "IntStack.jbasm:12:9: error: Bad type on operand stack in iadd\n"
        "            iadd\n"
        "            ^\n"
        "\n"
        "Failing tests (shrunk inputs, as Java calls):\n"
        "- stateful model: pop() returned 1, expected 2\n"
        "  calls before it on the same instance: push(1); push(2)\n"
        "\n"
        "Fix every problem and send the whole corrected class again."
    )
    # The last round: the conversation holds both repairs and no new cache breakpoint.
    last = api.requests[2].body["messages"]
    assert [m["role"] for m in last] == ["user", "assistant", "user", "assistant", "user"]
    assert last[-1]["content"][-1]["content"].startswith("Round 2 of 3 failed: your reply could not be used.")
    assert "cache_control" not in last[-1]["content"][-1]


def test_thinking_blocks_go_back_to_the_same_model_only(clamp) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_WRONG, thinking="think"), tool_reply(CLAMP_OK),
                          tool_reply(CLAMP_OK)]) as api:
        s = synth(api)
        req = SynthRequest(clamp)
        p = s.propose(req)
        req2 = req.next_round(p, [MalformedFeedback("x")])
        s.propose(req2)
        other = synth(api, model="claude-opus-5-5")
        other.propose(req2)
    same = api.requests[1].body["messages"][1]["content"]
    assert [b["type"] for b in same] == ["thinking", "tool_use"]
    assert same[0] == {"type": "thinking", "thinking": "think", "signature": "sig-fake-5"}
    assert [b["type"] for b in api.requests[2].body["messages"][1]["content"]] == ["tool_use"]


def test_a_candidate_from_another_synthesizer_is_shown_as_a_tool_call(clamp) -> None:
    scripted = Proposal("scripted", "scripted", 1, jbasm=CLAMP_WRONG)
    req = SynthRequest(clamp).next_round(scripted, [MalformedFeedback("x")])
    with FakeMessagesAPI([tool_reply(CLAMP_OK)]) as api:
        assert synth(api).propose(req).ok
    msgs = api.requests[0].body["messages"]
    assert msgs[1]["content"] == [{"type": "tool_use", "id": "toolu_jbgen_round_1", "name": "submit_class",
                                   "input": {"jbasm": CLAMP_WRONG}}]
    assert msgs[2]["content"][0]["tool_use_id"] == "toolu_jbgen_round_1"


# --------------------------------------------------------------------------- malformed replies


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        (text_reply("Here is the class you asked for: it clamps x."),
         'the reply has no submit_class call: it answered in prose ("Here is the class you asked for: it clamps x.")'),
        (tool_reply("I would use Math.max and Math.min here."),
         "the `jbasm` text has no class declaration (`public class pkg.Name {`): prose instead of assembly? "
         'It starts: "I would use Math.max and Math.min here."'),
        (tool_reply(CLAMP_OK, name="write_file"), "the reply called an unknown tool `write_file` instead of submit_class"),
        (tool_reply(CLAMP_OK, extra_input={"language": "java"}),
         "the submit_class input has unknown fields language (expected `jbasm` and an optional `notes`)"),
        (message([{"type": "tool_use", "id": "", "name": "submit_class", "input": {"code": CLAMP_OK}}], "tool_use"),
         "the submit_class input has unknown fields code (expected `jbasm` and an optional `notes`)"),
        (message([{"type": "tool_use", "id": "", "name": "submit_class", "input": {"jbasm": 42}}], "tool_use"),
         "the submit_class input has no `jbasm` string"),
        (tool_reply("   \n"), "the `jbasm` text is empty"),
        (text_reply("public class com.example.Clamp {", "max_tokens"),
         "the reply was cut off at max_tokens before it called submit_class"),
        (message([], "refusal"), "the model declined to answer (stop_reason `refusal`)"),
    ],
)
def test_a_malformed_reply_is_a_failed_round_not_a_crash(clamp, reply, reason) -> None:
    with FakeMessagesAPI([reply, tool_reply(CLAMP_OK)]) as api:
        s = synth(api)
        req = SynthRequest(clamp)
        p = s.propose(req)
        assert not p.ok and p.jbasm is None and p.malformed == reason
        req2 = req.next_round(p, feedback_for_malformed(p))
        assert s.propose(req2).ok
    if not p.exchange.response["content"]:
        # A refusal without content: there is no turn to answer, so the model is asked again.
        assert len(api.requests[1].body["messages"]) == 1
        return
    sent = last_user_text(api.requests[1].body)
    assert sent == (f"Round 1 of 3 failed: your reply could not be used.\n\nYour reply could not be used:\n{reason}"
                    "\n\nFix every problem and send the whole corrected class again.")


def test_a_fenced_text_is_unwrapped() -> None:
    data = {"type": "message", "stop_reason": "tool_use", "content": [
        {"type": "tool_use", "id": "t", "name": "submit_class", "input": {"jbasm": "```jbasm\n" + CLAMP_OK + "```\n"}}]}
    assert parse_reply(data) == (CLAMP_OK, "", None)


def test_a_prose_reply_is_answered_with_text_not_a_tool_result(clamp) -> None:
    with FakeMessagesAPI([text_reply("Sure!"), tool_reply(CLAMP_OK)]) as api:
        s = synth(api)
        req = SynthRequest(clamp)
        p = s.propose(req)
        s.propose(req.next_round(p, feedback_for_malformed(p)))
    msgs = api.requests[1].body["messages"]
    assert msgs[1] == {"role": "assistant", "content": [{"type": "text", "text": "Sure!"}]}
    assert msgs[2]["content"][0]["type"] == "text"


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"<html><body>502 Bad Gateway</body></html>", "the API returned a body that is not JSON (HTTP 200)"),
        (b'{"hello": "world"}', "the API returned a body that is not a Messages API message"),
        (b'{"type": "message", "content": "text"}', "the API returned a body that is not a Messages API message"),
    ],
)
def test_a_garbage_body(clamp, body, reason) -> None:
    with FakeMessagesAPI([raw(body), tool_reply(CLAMP_OK)]) as api:
        s = synth(api)
        req = SynthRequest(clamp)
        p = s.propose(req)
        assert p.malformed == reason and p.usage == Usage(calls=1)
        if p.exchange.response is None:
            assert p.exchange.raw_response == body.decode()
        # The model never saw that reply, so the next round does not show it.
        s.propose(req.next_round(p, feedback_for_malformed(p)))
    assert len(api.requests[1].body["messages"]) == 1


def test_a_garbage_error_body_is_retried_then_reported(clamp) -> None:
    with FakeMessagesAPI([raw(b"upstream error", 502, "text/plain")] * 3) as api, pytest.raises(SynthesisError) as info:
        synth(api).propose(SynthRequest(clamp))
    assert len(api.requests) == 3
    assert str(info.value) == (f"{clamp.path}: com.example.Clamp round 1: the API kept failing; "
                               "gave up after 3 attempts (HTTP 502)")


# --------------------------------------------------------------------------- retries and limits


def test_429_with_retry_after_then_success(clamp) -> None:
    with FakeMessagesAPI([error(429, "rate_limit_error", "Number of request tokens has exceeded your rate limit",
                                retry_after="1"), tool_reply(CLAMP_OK)]) as api:
        started = time.monotonic()
        p = synth(api).propose(SynthRequest(clamp))
        elapsed = time.monotonic() - started
    assert p.ok
    assert elapsed >= 1.0  # the SDK waited as retry-after said (its own back-off is 10 ms here)
    assert len(api.requests) == 2
    assert [(a.status, a.error, a.retry_after) for a in p.exchange.attempts] == [
        (429, "rate_limit_error", "1"), (200, None, None)]
    assert api.requests[1].headers.get("x-stainless-retry-count") == "1"


def test_a_retry_after_longer_than_jbgen_waits_is_not_retried(clamp) -> None:
    with FakeMessagesAPI([error(429, "rate_limit_error", "Slow down", retry_after="3600"),
                          tool_reply(CLAMP_OK)]) as api, pytest.raises(SynthesisError) as info:
        synth(api).propose(SynthRequest(clamp))
    assert len(api.requests) == 1
    assert str(info.value) == (f"{clamp.path}: com.example.Clamp round 1: the API asked to wait 3600 s before "
                               "retrying, longer than jbgen waits (120 s); gave up after 1 attempt "
                               "(429 rate_limit_error: Slow down)")


def test_529_overloaded_is_retried(clamp) -> None:
    overloaded = error(529, "overloaded_error", "Overloaded")
    with FakeMessagesAPI([overloaded, overloaded, tool_reply(CLAMP_OK)]) as api:
        p = synth(api).propose(SynthRequest(clamp))
    assert p.ok and len(api.requests) == 3
    assert [a.status for a in p.exchange.attempts] == [529, 529, 200]


def test_529_until_the_retries_run_out(clamp) -> None:
    with FakeMessagesAPI([error(529, "overloaded_error", "Overloaded")] * 3) as api, pytest.raises(SynthesisError) as info:
        synth(api).propose(SynthRequest(clamp))
    assert not isinstance(info.value, SynthesisUnavailable)
    assert info.value.exit_code == 6
    assert str(info.value) == (f"{clamp.path}: com.example.Clamp round 1: the API kept failing; "
                               "gave up after 3 attempts (529 overloaded_error: Overloaded)")
    assert len(api.requests) == 3
    no_secret(str(info.value), info.value.render(), repr(info.value))
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_a_timeout_is_retried(clamp) -> None:
    with FakeMessagesAPI([slow(tool_reply(CLAMP_WRONG), 3.0), tool_reply(CLAMP_OK)]) as api:
        p = synth(api, timeout_s=0.3).propose(SynthRequest(clamp))
    assert p.ok and p.jbasm == CLAMP_OK
    assert len(api.requests) == 2
    assert [(a.status, a.error) for a in p.exchange.attempts] == [(None, "timeout"), (200, None)]


def test_a_timeout_that_persists_is_a_clear_error(clamp) -> None:
    with FakeMessagesAPI([slow(tool_reply(CLAMP_OK), 3.0)] * 3) as api, pytest.raises(SynthesisError) as info:
        synth(api, timeout_s=0.3).propose(SynthRequest(clamp))
    assert str(info.value) == (f"{clamp.path}: com.example.Clamp round 1: the API at {api.base_url} "
                               "did not answer within 0.3 s (3 attempts)")
    assert len(api.requests) == 3


@pytest.mark.parametrize(
    "reply",
    [
        error(429, "rate_limit_error", "This request would exceed your organization's monthly spend limit.",
              error_code="enforced_spend_limit_reached"),
        error(429, "rate_limit_error", "Your organization has reached the spend limit of its contract.",
              error_code="contract_spend_limit_reached"),
        error(429, "rate_limit_error", "You have reached your specified API usage limits. You will regain access "
              "on 2026-12-01 at 00:00 UTC."),
        error(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API."),
        error(402, "billing_error", "Payment required."),
    ],
)
def test_a_spend_limit_is_not_retried(clamp, reply) -> None:
    with FakeMessagesAPI([reply, tool_reply(CLAMP_OK)]) as api, pytest.raises(SynthesisUnavailable, match="spend or billing limit was reached, so the call was not "
                                                        "retried") as info:
        synth(api).propose(SynthRequest(clamp))
    assert len(api.requests) == 1  # exactly one: no retry
    no_secret(str(info.value))


def test_a_rate_limit_is_not_a_spend_limit() -> None:
    body = {"type": "error", "error": {"type": "rate_limit_error", "message": "Number of request tokens has exceeded "
                                       "your per-minute rate limit"}}
    assert not is_spend_limit(429, body)
    ramp = {"type": "error", "error": {"type": "rate_limit_error", "message": "ramp",
                                       "details": {"error_code": "ramp_limit_exceeded"}}}
    assert not is_spend_limit(429, ramp)
    assert not is_spend_limit(529, {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})


def test_a_refused_key_stops_the_synthesizer(clamp) -> None:
    with FakeMessagesAPI([error(401, "authentication_error", "invalid x-api-key")]) as api, pytest.raises(SynthesisUnavailable) as info:
        synth(api).propose(SynthRequest(clamp))
    assert len(api.requests) == 1
    assert "the API refused the key in ANTHROPIC_API_KEY (401 authentication_error: invalid x-api-key)" in str(info.value)
    no_secret(str(info.value))


def test_no_key_no_synthesizer(monkeypatch) -> None:
    monkeypatch.delenv("ANTHROPIC_API_KEY")
    with pytest.raises(SynthesisUnavailable, match="set ANTHROPIC_API_KEY"):
        ClaudeSynthesizer()


# --------------------------------------------------------------------------- budgets


def test_an_exhausted_token_budget_stops_before_calling(clamp) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_OK)]) as api, pytest.raises(BudgetExhausted) as info:
        synth(api).propose(SynthRequest(clamp, budget=Budget(max_tokens=2000)))
    assert api.requests == []
    assert "the token budget of 2000 for com.example.Clamp is spent: 0 used in 0 round(s)" in str(info.value)
    assert info.value.exit_code == 6


def test_the_budget_counts_earlier_rounds(clamp) -> None:
    with FakeMessagesAPI([tool_reply(CLAMP_WRONG), tool_reply(CLAMP_OK)]) as api:
        s = synth(api)
        req = SynthRequest(clamp, budget=Budget(max_tokens=9000, max_output_tokens=8000))
        p = s.propose(req)
        # The room left for a reply lowers max_tokens: budget - estimated input - nothing spent yet.
        first_max = api.requests[0].body["max_tokens"]
        assert first_max < 8000
        heavy = Proposal(p.synthesizer, p.model, 1, p.jbasm, usage=Usage(5000, 1500, 0, 0, 1),
                         exchange=p.exchange)
        with pytest.raises(BudgetExhausted, match="6500 used in 1 round"):
            s.propose(req.next_round(heavy, [MalformedFeedback("x")]))
    assert len(api.requests) == 1


# --------------------------------------------------------------------------- the key, models, prices, prompt


def test_the_key_never_leaks(clamp, tmp_path, caplog) -> None:
    """Errors, transcripts, recordings and logs of every kind of call never hold the key."""
    script = [
        tool_reply(CLAMP_OK),
        error(529, "overloaded_error", "Overloaded"), text_reply("no"),
        raw(b"garbage"),
        error(400, "invalid_request_error", "messages: bad"),
        error(429, "rate_limit_error", "spend", error_code="enforced_spend_limit_reached"),
    ]
    texts: list[str] = []
    with FakeMessagesAPI(script) as api:
        s = Recorder(synth(api, max_retries=1), tmp_path, scripted=True)
        for _ in range(5):
            try:
                p = s.propose(SynthRequest(clamp))
                texts.append(json.dumps(p.to_json()))
            except SynthesisError as exc:
                texts += [str(exc), exc.render(), repr(exc), repr(exc.__context__)]
    assert all(KEY in r.text() for r in api.requests)
    texts += [f.read_text() for f in tmp_path.rglob("*.json")]
    texts.append(caplog.text)
    assert len(texts) > 8
    no_secret(*texts)


def test_model_resolution(monkeypatch) -> None:
    assert resolve_model() == DEFAULT_MODEL
    assert resolve_model(config_model="claude-haiku-5-5") == "claude-haiku-5-5"
    monkeypatch.setenv("JBGEN_MODEL", "claude-opus-5-5")
    assert resolve_model(config_model="claude-haiku-5-5") == "claude-opus-5-5"
    assert resolve_model("claude-fable-5-1") == "claude-fable-5-1"
    with FakeMessagesAPI() as api:
        assert synth(api).model == "claude-opus-5-5"


def test_cost_estimates() -> None:
    million = Usage(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1)
    assert estimate_cost("claude-sonnet-5-5", million) == 2.0 + 10.0 + 0.10 + 2.5
    assert estimate_cost("claude-haiku-4-5-20251001", Usage(output_tokens=1000)) == 0.005
    assert estimate_cost("claude-unknown-9", million) is None
    assert estimate_cost(None, million) is None


def test_the_prompt_is_short_and_cacheable() -> None:
    # About 4 characters per token: the static prefix must stay cheap, but be at least the
    # 1,024 tokens below which the API does not cache a prefix.
    prefix = len(SYSTEM_PROMPT) + len(json.dumps(TOOL))
    assert 1024 * 4 < prefix < 2500 * 4


def test_the_worked_example_assembles_verifies_and_passes_the_policy(tmp_path) -> None:
    from jbgen.api import verify_paths
    from jbgen.check.policy import Policy

    path = tmp_path / "Tally.jbasm"
    path.write_text(WORKED_EXAMPLE_JBASM)
    [report] = verify_paths([str(path)], policy=Policy())
    assert report.ok, [d.render() for d in report.diagnostics]


def test_render_feedback_limits_what_it_sends() -> None:
    cases = tuple(FailedCase(f"f({i}) returned 0, expected 1", "example") for i in range(7))
    text = render_feedback([TestFeedback(cases)], round=2, max_rounds=3)
    assert text.count("\n- example: ") == 5
    assert "... and 2 more" in text
    assert text.startswith("Round 2 of 3 failed: the class fails contract tests.")
