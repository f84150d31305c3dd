"""The ``claude`` synthesizer: Claude writes the class, through the official ``anthropic`` SDK.

One call per round to the Messages API:

- ``system``: :data:`jbgen.synth.prompt.SYSTEM_PROMPT` (language summary,
  policy, reply protocol, one worked example), marked with ``cache_control``;
  with the tool definition before it, it is the cached static prefix;
- ``tools``: one strict tool, ``submit_class``, whose input is
  ``{"jbasm": string, "notes"?: string}``;
- ``tool_choice``: forced to that tool, except on models that refuse forced
  tool use (they get ``auto``, and the system prompt's "always answer by
  calling submit_class"; a reply without the call is a malformed proposal);
- ``messages``: the contract (:func:`jbgen.synth.prompt.render_contract`),
  then per earlier round the model's own reply and a ``tool_result`` carrying
  :func:`jbgen.synth.protocol.render_feedback`'s text.  The newest turn is a
  second cache breakpoint when another round may follow.

Robustness is the SDK's: ``max_retries`` retries 408/409/429/5xx/529 and
timeouts with exponential back-off, honouring ``retry-after``.  jbgen adds one
SDK middleware that (a) logs each HTTP attempt for the transcript and (b) marks
a 429 that is a *spend limit* (``error.details.error_code`` such as
``enforced_spend_limit_reached``, or a billing/credit message) as not to be
retried, so it fails at once with :class:`SynthesisUnavailable`.  When the
retries run out the call raises :class:`~jbgen.errors.SynthesisError` naming
the contract, the attempts and the last error.  Exceptions are raised ``from
None`` and never carry the request (whose headers hold the key).

The API key comes only from ``ANTHROPIC_API_KEY`` and is handed to the SDK
explicitly (so the SDK reads no credential file); jbgen never logs, records
or prints it.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import anthropic

from jbgen.synth.prompt import SYSTEM_PROMPT, TOOL_NAME, render_contract
from jbgen.synth.protocol import (
    Attempt,
    BudgetExhausted,
    Exchange,
    Proposal,
    Round,
    SynthesisError,
    SynthesisUnavailable,
    SynthRequest,
    Usage,
)

__all__ = [
    "DEFAULT_MODEL",
    "PRICES",
    "TOOL",
    "ClaudeConfig",
    "ClaudeSynthesizer",
    "Price",
    "estimate_cost",
    "is_spend_limit",
    "parse_reply",
    "resolve_model",
]

DEFAULT_MODEL = "claude-sonnet-5"
"""The model used when neither ``--model``, ``JBGEN_MODEL`` nor the config names one.

``claude-sonnet-5`` is the newest model id we could confirm in more than one
published API reference when this was written; a model the API does not know
fails the build at once with a clear message (set ``--model``/``JBGEN_MODEL``).
"""

MODEL_ENV = "JBGEN_MODEL"
KEY_ENV = "ANTHROPIC_API_KEY"

TOOL: dict[str, Any] = {
    "name": TOOL_NAME,
    "description": "Submit the complete class as one jbgen assembly file.",
    "strict": True,
    "input_schema": {
        "type": "object",
        "properties": {
            "jbasm": {"type": "string", "description": "The whole .jbasm file."},
            "notes": {"type": "string", "description": "Optional: one short sentence on the approach or the fix."},
        },
        "required": ["jbasm"],
        "additionalProperties": False,
    },
}

# Models that refuse a forced tool_choice (400) because their thinking cannot be
# turned off: Claude Sonnet 5.5's migration notes list "forced tool use returns
# an error".  Other models start forced and fall back to auto on such a 400.
_NO_FORCED_TOOL_CHOICE = ("claude-sonnet-5-5",)  # prefix match: not "claude-sonnet-5" itself

# A reply shorter than this is not worth a call: the budget counts as spent.
MIN_REPLY_TOKENS = 1024

# Characters per token for the budget's estimate of a request's input: lower
# than the real ratio (about 3.5 for this text), so the estimate errs high.
_CHARS_PER_TOKEN = 3.0


# --------------------------------------------------------------------------- models and prices


def resolve_model(model: str | None = None, config_model: str | None = None) -> str:
    """``--model``, else ``JBGEN_MODEL``, else the config's model, else :data:`DEFAULT_MODEL`."""
    for candidate in (model, os.environ.get(MODEL_ENV), config_model):
        if candidate and candidate.strip():
            return candidate.strip()
    return DEFAULT_MODEL


@dataclass(frozen=True)
class Price:
    """USD per million tokens: uncached input, output, 5-minute cache write, cache read."""

    input: float
    output: float
    cache_write: float
    cache_read: float


# Published list prices (standard tier, USD per million tokens), read from
# Anthropic's pricing and model pages in October 2026.  They are estimates for
# the report, not a bill: prices change, and discounts, batch and regional
# pricing are not modelled.  Claude Haiku 5.5 is priced for prompts up to
# 100,000 tokens (jbgen's are far shorter).  Sonnet 5.5's cache reads were cut
# from $0.20 to $0.10 on 2026-10-07.
PRICES: dict[str, Price] = {
    "claude-fable-5-1": Price(10.0, 50.0, 12.5, 0.25),
    "claude-mythos-5-1": Price(10.0, 50.0, 12.5, 0.25),
    "claude-fable-5": Price(10.0, 50.0, 12.5, 1.0),
    "claude-mythos-5": Price(10.0, 50.0, 12.5, 1.0),
    "claude-opus-5-5": Price(4.0, 20.0, 5.0, 0.20),
    "claude-opus-5": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-8": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-7": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-6": Price(5.0, 25.0, 6.25, 0.50),
    "claude-opus-4-5": Price(5.0, 25.0, 6.25, 0.50),
    "claude-sonnet-5-5": Price(2.0, 10.0, 2.5, 0.10),
    "claude-sonnet-5": Price(2.0, 10.0, 2.5, 0.20),
    "claude-sonnet-4-6": Price(3.0, 15.0, 3.75, 0.30),
    "claude-sonnet-4-5": Price(3.0, 15.0, 3.75, 0.30),
    "claude-haiku-5-5": Price(0.10, 0.50, 0.125, 0.01),
    "claude-haiku-4-5": Price(1.0, 5.0, 1.25, 0.10),
}

_DATED = re.compile(r"-\d{8}$")


def estimate_cost(model: str | None, usage: Usage) -> float | None:
    """The estimated cost in USD of ``usage`` on ``model``; None when :data:`PRICES` has no price for it.

    A dated model id (``claude-haiku-4-5-20251001``) has its alias's price.
    """
    if not model:
        return None
    price = PRICES.get(model) or PRICES.get(_DATED.sub("", model))
    if price is None:
        return None
    cost = (
        usage.input_tokens * price.input
        + usage.output_tokens * price.output
        + usage.cache_write_tokens * price.cache_write
        + usage.cache_read_tokens * price.cache_read
    ) / 1_000_000
    return round(cost, 6)


# --------------------------------------------------------------------------- errors the API sends

_SPEND_CODES = ("spend_limit_reached", "billing_unavailable")
_SPEND_WORDS = re.compile(r"spend(ing)? limit|usage limits?|credit balance|billing|insufficient credit", re.I)


def _error_fields(body: object) -> tuple[str | None, str | None, str | None]:
    """``(error.type, error.message, error.details.error_code)`` of an error body, where present."""
    if not isinstance(body, Mapping):
        return None, None, None
    err = body.get("error")
    if not isinstance(err, Mapping):
        return None, None, None
    details = err.get("details")
    code = details.get("error_code") if isinstance(details, Mapping) else None
    etype, msg = err.get("type"), err.get("message")
    return (etype if isinstance(etype, str) else None, msg if isinstance(msg, str) else None,
            code if isinstance(code, str) else None)


def is_spend_limit(status: int, body: object) -> bool:
    """Is this error response a spend or billing limit (retrying cannot help) rather than a rate limit?

    The API says so with ``error.details.error_code``
    (``enforced_spend_limit_reached``, ``contract_spend_limit_reached``, ...),
    with ``error.type`` ``billing_error``, or in the message ("You have reached
    your specified API usage limits", "Your credit balance is too low").  A
    ``ramp_limit_exceeded`` 429 is a rate limit: it comes with ``retry-after``.
    """
    etype, msg, code = _error_fields(body)
    if code is not None:
        return code.endswith(_SPEND_CODES)
    if etype == "billing_error" or status == 402:
        return True
    return bool(msg and _SPEND_WORDS.search(msg))


def _body_of(response: Any) -> object:
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None


# --------------------------------------------------------------------------- reading a reply

_FENCE = re.compile(r"\A\s*```[\w-]*[^\S\n]*\n(.*?)\n?```\s*\Z", re.S)
_CLASS_HEADER = re.compile(r"^[^\S\n]*(?:[\w$.]+[^\S\n]+)*(?:class|interface|@interface)[^\S\n]+\S+[^\n]*\{", re.M)


def _prose(text: str, limit: int = 80) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


def parse_reply(data: object) -> tuple[str | None, str, str | None]:
    """``(jbasm, notes, malformed)`` from a Messages API response body.

    ``malformed`` says why the reply cannot be used, in words the model is
    sent back: no ``submit_class`` call (prose, a refusal, cut off at
    ``max_tokens``), a call to another tool, an input that breaks the schema,
    an empty text, or a text with no class declaration.  A single Markdown
    fence around the text is removed.
    """
    if not isinstance(data, Mapping) or data.get("type") != "message" or not isinstance(data.get("content"), list):
        return None, "", "the API returned a body that is not a Messages API message"
    blocks = [b for b in data["content"] if isinstance(b, Mapping)]
    stop = data.get("stop_reason")
    uses = [b for b in blocks if b.get("type") == "tool_use"]
    if stop == "refusal":
        return None, "", "the model declined to answer (stop_reason `refusal`)"
    if not uses:
        if stop == "max_tokens":
            return None, "", f"the reply was cut off at max_tokens before it called {TOOL_NAME}"
        text = "".join(b.get("text", "") for b in blocks if b.get("type") == "text" and isinstance(b.get("text"), str))
        if text.strip():
            return None, "", f"the reply has no {TOOL_NAME} call: it answered in prose (\"{_prose(text)}\")"
        return None, "", f"the reply has no {TOOL_NAME} call"
    calls = [u for u in uses if u.get("name") == TOOL_NAME]
    if not calls:
        return None, "", f"the reply called an unknown tool `{uses[-1].get('name')}` instead of {TOOL_NAME}"
    inp = calls[-1].get("input")
    if not isinstance(inp, Mapping):
        return None, "", f"the {TOOL_NAME} input is not an object"
    extra = sorted(set(inp) - {"jbasm", "notes"})
    if extra:
        return None, "", (f"the {TOOL_NAME} input has unknown fields {', '.join(extra)} "
                          "(expected `jbasm` and an optional `notes`)")
    jbasm = inp.get("jbasm")
    if not isinstance(jbasm, str):
        return None, "", f"the {TOOL_NAME} input has no `jbasm` string"
    notes = inp.get("notes")
    notes = notes if isinstance(notes, str) else ""
    fenced = _FENCE.match(jbasm)
    if fenced:
        jbasm = fenced.group(1) + "\n"
    if not jbasm.strip():
        return None, notes, "the `jbasm` text is empty"
    if not _CLASS_HEADER.search(jbasm):
        return None, notes, ("the `jbasm` text has no class declaration (`public class pkg.Name {`): "
                             f"prose instead of assembly? It starts: \"{_prose(jbasm)}\"")
    return jbasm, notes, None


def _usage(data: object) -> Usage:
    u = data.get("usage") if isinstance(data, Mapping) else None
    if not isinstance(u, Mapping):
        return Usage(calls=1)

    def n(key: str) -> int:
        v = u.get(key)
        return v if isinstance(v, int) and not isinstance(v, bool) and v >= 0 else 0

    return Usage(n("input_tokens"), n("output_tokens"), n("cache_read_input_tokens"),
                 n("cache_creation_input_tokens"), 1)


# --------------------------------------------------------------------------- configuration


@dataclass(frozen=True)
class ClaudeConfig:
    """How the ``claude`` synthesizer talks to the API.

    ``model``: None takes ``JBGEN_MODEL``, then :data:`DEFAULT_MODEL` (see
    :func:`resolve_model`).  ``base_url``: None takes the SDK's
    (``ANTHROPIC_BASE_URL``, else ``https://api.anthropic.com``).
    ``max_retries`` is the SDK's retry count per call (default 4: up to five
    attempts); ``timeout_s`` bounds one attempt (reading the whole reply),
    ``connect_timeout_s`` its connection.  ``tool_choice`` is ``"forced"``,
    ``"auto"``, or ``"default"`` (forced unless the model refuses forced tool
    use).  ``effort`` (``low`` ... ``max``) is sent as ``output_config.effort``
    when set; None leaves the model's default.  A 429 or 5xx whose
    ``retry-after`` asks for a longer wait than ``max_retry_after_s`` is not
    retried (the SDK would sleep as long as it is told).
    """

    model: str | None = None
    base_url: str | None = None
    max_retries: int = 4
    timeout_s: float = 600.0
    connect_timeout_s: float = 10.0
    tool_choice: str = "default"
    effort: str | None = None
    max_retry_after_s: float = 120.0

    def __post_init__(self) -> None:
        if self.tool_choice not in ("default", "forced", "auto"):
            raise ValueError(f"tool_choice must be default, forced or auto, got {self.tool_choice!r}")
        if self.max_retries < 0:
            raise ValueError(f"max_retries must be 0 or more, got {self.max_retries}")


# --------------------------------------------------------------------------- the synthesizer


class _AttemptLog(threading.local):
    attempts: list[Attempt] | None = None


def _retry_after_s(headers: Mapping[str, str]) -> float | None:
    """The wait a response asks for, in seconds (``retry-after-ms``, ``retry-after`` seconds or date)."""
    try:
        return float(headers["retry-after-ms"]) / 1000
    except (KeyError, ValueError):
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        try:
            return email.utils.parsedate_to_datetime(value).timestamp() - time.time()
        except (TypeError, ValueError):
            return None


def _make_middleware(log: _AttemptLog, max_wait_s: float) -> Any:
    """An SDK middleware: log each attempt; make a spend-limit 429, or a very long retry-after, final."""

    class _JbgenAttempts(anthropic.Middleware):
        def handle(self, request: Any, call_next: Any) -> Any:
            started = time.monotonic()
            attempts = log.attempts
            try:
                response = call_next(request)
            except anthropic.APITimeoutError:
                if attempts is not None:
                    attempts.append(Attempt(None, "timeout", None, time.monotonic() - started))
                raise
            except anthropic.APIConnectionError:
                if attempts is not None:
                    attempts.append(Attempt(None, "connection error", None, time.monotonic() - started))
                raise
            http = response.http_response
            error = None
            if http.status_code >= 400:
                body = _body_of(http)
                etype, _, code = _error_fields(body)
                error = code or etype or f"HTTP {http.status_code}"
                wait = _retry_after_s(http.headers)
                if http.status_code == 429 and is_spend_limit(429, body):
                    # The SDK retries every 429 unless told otherwise; a spend limit
                    # will not lift in seconds, so say so the way the API can.
                    http.headers["x-should-retry"] = "false"
                elif wait is not None and wait > max_wait_s:
                    http.headers["x-should-retry"] = "false"  # the SDK would sleep that long
            if attempts is not None:
                attempts.append(Attempt(http.status_code, error, http.headers.get("retry-after"),
                                        time.monotonic() - started))
            return response

    return _JbgenAttempts()


class ClaudeSynthesizer:
    """The ``claude`` backend of the :class:`~jbgen.synth.protocol.Synthesizer` protocol.

    ``ClaudeSynthesizer(ClaudeConfig(model=...))``; raises
    :class:`SynthesisUnavailable` when ``ANTHROPIC_API_KEY`` is not set.  One
    instance serves a whole build and may be called from several threads.
    Call :meth:`close` (or use it as a context manager) to release its
    connections.
    """

    name = "claude"

    def __init__(self, config: ClaudeConfig | None = None) -> None:
        self.config = config or ClaudeConfig()
        self.model: str = resolve_model(self.config.model)
        key = os.environ.get(KEY_ENV, "").strip()
        if not key:
            raise SynthesisUnavailable(
                f"the claude synthesizer needs an API key: set {KEY_ENV} (it is read from the environment only)"
            )
        self._log = _AttemptLog()
        options: dict[str, Any] = {}
        if hasattr(anthropic, "Middleware"):
            options["middleware"] = [_make_middleware(self._log, self.config.max_retry_after_s)]
        self._client = anthropic.Anthropic(
            api_key=key,
            base_url=self.config.base_url,
            max_retries=self.config.max_retries,
            timeout=anthropic.Timeout(self.config.timeout_s, connect=self.config.connect_timeout_s),
            **options,
        )
        self.endpoint = str(self._client.base_url).rstrip("/")
        mode = self.config.tool_choice
        if mode == "default":
            mode = "auto" if self.model.startswith(_NO_FORCED_TOOL_CHOICE) else "forced"
        self._forced = mode == "forced"
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ClaudeSynthesizer(model={self.model!r}, endpoint={self.endpoint!r})"

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> ClaudeSynthesizer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- the request

    def build_request(self, request: SynthRequest, max_tokens: int | None = None) -> dict[str, Any]:
        """The JSON body of the Messages API call for ``request`` (no headers, no key)."""
        messages = self._messages(request)
        if request.rounds_left > 0:
            # A second cache breakpoint: the next round re-sends this conversation.
            last = dict(messages[-1]["content"][-1])
            last["cache_control"] = {"type": "ephemeral"}
            messages[-1] = {"role": "user", "content": [*messages[-1]["content"][:-1], last]}
        body: dict[str, Any] = {
            "model": self.model,
            "max_tokens": max_tokens if max_tokens is not None else request.budget.max_output_tokens,
            "system": [{"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}],
            "tools": [TOOL],
            "tool_choice": ({"type": "tool", "name": TOOL_NAME, "disable_parallel_tool_use": True}
                            if self._forced else {"type": "auto", "disable_parallel_tool_use": True}),
            "messages": messages,
        }
        if self.config.effort:
            body["output_config"] = {"effort": self.config.effort}
        return body

    def _messages(self, request: SynthRequest) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = [
            {"role": "user", "content": [{"type": "text", "text": render_contract(request.contract)}]}
        ]
        for r in request.history:
            assistant = self._assistant_turn(r)
            if assistant is None:
                continue  # the model never said anything (a garbage response): nothing to answer
            messages.append({"role": "assistant", "content": assistant})
            text = r.feedback_text(request.budget.max_rounds)
            ids = [b["id"] for b in assistant if b["type"] == "tool_use"]
            if ids:
                content: list[dict[str, Any]] = [
                    {"type": "tool_result", "tool_use_id": i, "content": "superseded by the later call"}
                    for i in ids[:-1]
                ]
                content.append({"type": "tool_result", "tool_use_id": ids[-1], "content": text, "is_error": True})
            else:
                content = [{"type": "text", "text": text}]
            messages.append({"role": "user", "content": content})
        return messages

    def _assistant_turn(self, r: Round) -> list[dict[str, Any]] | None:
        """The model's earlier reply as it must be sent back, or a stand-in for another synthesizer's."""
        p = r.proposal
        response = p.exchange.response if p.exchange else None
        if p.synthesizer == self.name and isinstance(response, Mapping) and isinstance(response.get("content"), list):
            same_model = p.model == self.model
            blocks = [b for b in (_clean_block(x, same_model) for x in response["content"]) if b is not None]
            # Thinking alone (a reply cut off while thinking) is no turn to answer: skip the round.
            return blocks if any(b["type"] in ("text", "tool_use") for b in blocks) else None
        if p.jbasm is not None:
            # A candidate from elsewhere (search, a person): show it as if the model had sent it.
            return [{"type": "tool_use", "id": f"toolu_jbgen_round_{p.round}", "name": TOOL_NAME,
                     "input": {"jbasm": p.jbasm}}]
        return None

    # ----------------------------------------------------------------- the call

    def _max_tokens(self, request: SynthRequest, body: dict[str, Any]) -> int:
        budget = request.budget
        spent = request.spent.total_tokens
        estimate = int(len(json.dumps(body, ensure_ascii=False)) / _CHARS_PER_TOKEN) + 1
        room = budget.max_tokens - spent - estimate
        if room < MIN_REPLY_TOKENS:
            raise BudgetExhausted(
                f"{request.contract.path}: the token budget of {budget.max_tokens} for "
                f"{request.contract.binary_name} is spent: {spent} used in {len(request.history)} round(s), "
                f"and round {request.round} needs about {estimate} input tokens plus a reply"
            )
        return min(budget.max_output_tokens, room)

    def propose(self, request: SynthRequest) -> Proposal:
        """One call to the Messages API for ``request.round``; see the module docstring."""
        request.check_rounds()
        body = self.build_request(request)
        body["max_tokens"] = self._max_tokens(request, body)
        attempts: list[Attempt] = []
        self._log.attempts = attempts
        try:
            http = self._call(body, request)
        except anthropic.BadRequestError as exc:
            if not (self._forced and "tool_choice" in (exc.message or "").lower()):
                raise self._error(exc, request, attempts) from None
            with self._lock:
                self._forced = False  # this model refuses forced tool use: ask with auto from now on
            body = self.build_request(request, body["max_tokens"])
            try:
                http = self._call(body, request)
            except anthropic.APIError as exc2:
                raise self._error(exc2, request, attempts) from None
        except anthropic.APIError as exc:
            raise self._error(exc, request, attempts) from None
        finally:
            self._log.attempts = None
        return self._proposal(request, body, http, attempts)

    def _call(self, body: dict[str, Any], request: SynthRequest) -> Any:
        raw = self._client.messages.with_raw_response.create(**body)
        return raw.http_response

    def _proposal(self, request: SynthRequest, body: dict[str, Any], http: Any, attempts: list[Attempt]) -> Proposal:
        data = _body_of(http)
        raw_text = None
        if not isinstance(data, Mapping):
            raw_text = http.content[:2000].decode("utf-8", "replace")
            data = None
        jbasm, notes, malformed = parse_reply(data)
        if data is None:
            malformed = f"the API returned a body that is not JSON (HTTP {http.status_code})"
        usage = _usage(data)
        return Proposal(
            synthesizer=self.name,
            model=self.model,
            round=request.round,
            jbasm=jbasm,
            notes=notes,
            malformed=malformed,
            usage=usage,
            cost_usd=estimate_cost(self.model, usage),
            exchange=Exchange(body, data, raw_text, tuple(attempts), self.endpoint),
        )

    def _error(self, exc: anthropic.APIError, request: SynthRequest, attempts: Sequence[Attempt]) -> SynthesisError:
        """A SynthesisError for an SDK error, naming the contract, the attempts and the API's words."""
        where = f"{request.contract.path}: {request.contract.binary_name} round {request.round}"
        n = len(attempts) or 1
        tries = f"{n} attempt{'s' if n != 1 else ''}"
        if isinstance(exc, anthropic.APITimeoutError):
            return SynthesisError(f"{where}: the API at {self.endpoint} did not answer within "
                                  f"{self.config.timeout_s:g} s ({tries})")
        if isinstance(exc, anthropic.APIConnectionError):
            return SynthesisError(f"{where}: cannot reach the API at {self.endpoint} ({tries})")
        if isinstance(exc, anthropic.APIStatusError):
            body = exc.body
            etype, msg, code = _error_fields(body)
            said = (f"{exc.status_code} {code or etype}" if code or etype else f"HTTP {exc.status_code}") + (
                f": {msg}" if msg else "")
            if exc.status_code in (401, 403):
                return SynthesisUnavailable(f"{where}: the API refused the key in {KEY_ENV} ({said})")
            if is_spend_limit(exc.status_code, body) and exc.status_code in (400, 402, 429):
                return SynthesisUnavailable(f"{where}: a spend or billing limit was reached, so the call was "
                                            f"not retried ({said})")
            if exc.status_code == 404:
                return SynthesisUnavailable(f"{where}: the API does not know the model {self.model!r} ({said})")
            if exc.status_code in (408, 409, 429) or exc.status_code >= 500:
                wait = _retry_after_s(exc.response.headers)
                if wait is not None and wait > self.config.max_retry_after_s:
                    return SynthesisError(f"{where}: the API asked to wait {wait:.0f} s before retrying, longer "
                                          f"than jbgen waits ({self.config.max_retry_after_s:g} s); gave up after "
                                          f"{tries} ({said})")
                return SynthesisError(f"{where}: the API kept failing; gave up after {tries} ({said})")
            return SynthesisError(f"{where}: the API refused the request ({said})")
        return SynthesisError(f"{where}: {type(exc).__name__}: {exc.message}")


def _clean_block(block: object, same_model: bool) -> dict[str, Any] | None:
    """A response content block as a request content block (only the fields the API takes back)."""
    if not isinstance(block, Mapping):
        return None
    kind = block.get("type")
    if kind == "text" and isinstance(block.get("text"), str) and block["text"]:
        return {"type": "text", "text": block["text"]}
    if kind == "tool_use" and isinstance(block.get("id"), str):
        return {"type": "tool_use", "id": block["id"], "name": block.get("name"), "input": block.get("input")}
    # Thinking blocks are signed for one model and conversation: send them back only to it.
    if kind == "thinking" and same_model:
        return {"type": "thinking", "thinking": block.get("thinking", ""), "signature": block.get("signature", "")}
    if kind == "redacted_thinking" and same_model:
        return {"type": "redacted_thinking", "data": block.get("data", "")}
    return None
