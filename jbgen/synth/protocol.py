"""The synthesizer protocol: what a build loop sends a synthesizer and what comes back.

A *synthesizer* turns a contract (and, in a repair round, the conversation so
far) into one candidate class as jbgen assembly text.  It does not assemble,
verify or test anything: the build loop does, and sends what failed back as
:data:`Feedback` in the next :class:`SynthRequest`::

    request = SynthRequest(contract, budget=Budget(max_rounds=3))
    while True:
        proposal = synth.propose(request)            # may raise SynthesisError
        feedback = check(proposal)                   # the loop: assemble, verify, policy, test
        if not feedback:
            break                                    # proposal.jbasm is the answer
        if request.rounds_left == 0:
            break                                    # keep the best candidate
        request = request.next_round(proposal, feedback)

A reply that cannot be used (no tool call, wrong schema, prose instead of
assembly) is not an exception: ``propose`` returns a :class:`Proposal` with
``malformed`` set, and the loop sends ``MalformedFeedback(proposal.malformed)``
back like any other failure (:func:`feedback_for_malformed`).

Everything here is a frozen value that can be written as JSON (``to_json``) for
the build report and the transcript.  The text the model is sent in a repair
turn is :func:`render_feedback`'s, exactly.

Imports no JVM and no SDK.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Protocol, runtime_checkable

from jbgen.contract.model import Contract
from jbgen.errors import Diagnostic, SynthesisError

__all__ = [
    "AssemblyFeedback",
    "Attempt",
    "Budget",
    "BudgetExhausted",
    "ConformanceFeedback",
    "Exchange",
    "FailedCase",
    "Feedback",
    "MalformedFeedback",
    "NoteFeedback",
    "PolicyFeedback",
    "Proposal",
    "ReplayMiss",
    "Round",
    "SynthRequest",
    "SynthesisUnavailable",
    "Synthesizer",
    "TestFeedback",
    "Usage",
    "VerifyFeedback",
    "candidate_path",
    "feedback_for_malformed",
    "feedback_from_assembly_error",
    "feedback_from_verdict",
    "render_feedback",
]


# --------------------------------------------------------------------------- errors


class SynthesisUnavailable(SynthesisError):
    """The synthesizer cannot work at all (no API key, a key the API refuses, a spend limit).

    Unlike a plain :class:`~jbgen.errors.SynthesisError` (this contract could
    not be synthesized: retries ran out, the API kept failing), this one will
    fail the same way for every other contract: stop using the synthesizer.
    """


class BudgetExhausted(SynthesisError):
    """The contract's token budget or round limit does not allow another call."""


class ReplayMiss(SynthesisError):
    """A replayed session has no recording for this contract and round."""


# --------------------------------------------------------------------------- usage and budgets


@dataclass(frozen=True)
class Usage:
    """Tokens of one call, or summed over calls (``+``).

    ``input_tokens`` are the input tokens not read from or written to the
    prompt cache; ``cache_read_tokens`` and ``cache_write_tokens`` are the
    cached ones (the API's ``cache_read_input_tokens`` and
    ``cache_creation_input_tokens``).  ``calls`` counts API calls (HTTP
    retries inside one call are not counted).
    """

    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    calls: int = 0

    @property
    def total_tokens(self) -> int:
        """Every token processed: input (cached or not) and output.  Budgets count this."""
        return self.input_tokens + self.output_tokens + self.cache_read_tokens + self.cache_write_tokens

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.input_tokens + other.input_tokens,
            self.output_tokens + other.output_tokens,
            self.cache_read_tokens + other.cache_read_tokens,
            self.cache_write_tokens + other.cache_write_tokens,
            self.calls + other.calls,
        )

    def to_json(self) -> dict[str, int]:
        return {
            "input_tokens": self.input_tokens,
            "output_tokens": self.output_tokens,
            "cache_read_tokens": self.cache_read_tokens,
            "cache_write_tokens": self.cache_write_tokens,
            "calls": self.calls,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Usage:
        return Usage(
            int(data.get("input_tokens", 0)),
            int(data.get("output_tokens", 0)),
            int(data.get("cache_read_tokens", 0)),
            int(data.get("cache_write_tokens", 0)),
            int(data.get("calls", 0)),
        )


@dataclass(frozen=True)
class Budget:
    """Limits per contract.

    ``max_rounds`` is the most proposals for one contract (the first and the
    repairs; default 3, as most of the gain of self-repair comes in the first
    two repair rounds).  ``max_tokens`` caps :attr:`Usage.total_tokens` summed
    over the contract's calls; a synthesizer refuses to start a call that could
    go past it (:class:`BudgetExhausted`).  ``max_output_tokens`` is one
    call's ``max_tokens`` (the reply's length, thinking included), lowered when
    less of the budget is left.
    """

    max_rounds: int = 3
    max_tokens: int = 200_000
    max_output_tokens: int = 16_000

    def __post_init__(self) -> None:
        if self.max_rounds < 1:
            raise ValueError(f"max_rounds must be at least 1, got {self.max_rounds}")
        if self.max_tokens < 1 or self.max_output_tokens < 1:
            raise ValueError("token budgets must be positive")

    def to_json(self) -> dict[str, int]:
        return {"max_rounds": self.max_rounds, "max_tokens": self.max_tokens,
                "max_output_tokens": self.max_output_tokens}


# --------------------------------------------------------------------------- feedback


def _diag_json(d: Diagnostic) -> dict[str, Any]:
    out = d.to_json()
    out["rendered"] = d.render()
    return out


def _render_diags(diags: Sequence[Diagnostic], limit: int, drop_note_prefixes: tuple[str, ...] = ()) -> list[str]:
    out = []
    for d in diags[:limit]:
        if drop_note_prefixes and d.notes:
            d = replace(d, notes=tuple(n for n in d.notes if not n.startswith(drop_note_prefixes)))
        out.append(d.render())
    if len(diags) > limit:
        out.append(f"... and {len(diags) - limit} more")
    return out


@dataclass(frozen=True)
class AssemblyFeedback:
    """The text does not parse or assemble: ``file:line:col`` diagnostics with the caret."""

    diagnostics: tuple[Diagnostic, ...]
    kind: ClassVar[str] = "assembly"
    title: ClassVar[str] = "Assembly errors:"

    def render_items(self, limit: int = 10) -> list[str]:
        return _render_diags(self.diagnostics, limit)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "diagnostics": [_diag_json(d) for d in self.diagnostics]}


@dataclass(frozen=True)
class VerifyFeedback:
    """The class assembled but the verifier refused it (errors mapped to ``.jbasm`` lines)."""

    diagnostics: tuple[Diagnostic, ...]
    kind: ClassVar[str] = "verify"
    title: ClassVar[str] = "Verifier errors:"

    def render_items(self, limit: int = 10) -> list[str]:
        return _render_diags(self.diagnostics, limit)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "diagnostics": [_diag_json(d) for d in self.diagnostics]}


@dataclass(frozen=True)
class PolicyFeedback:
    """The class uses APIs the policy refuses.

    The policy checker's "allow it in the contract's [policy] allow list" note
    is meant for the contract's author, not for the model, and is not sent.
    """

    diagnostics: tuple[Diagnostic, ...]
    kind: ClassVar[str] = "policy"
    title: ClassVar[str] = "Policy refusals (the class may not use these):"

    def render_items(self, limit: int = 10) -> list[str]:
        return _render_diags(self.diagnostics, limit, ("allow it in the contract",))

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "diagnostics": [_diag_json(d) for d in self.diagnostics]}


@dataclass(frozen=True)
class ConformanceFeedback:
    """The class does not match the contract: a missing or extra method, a wrong name or flag."""

    diagnostics: tuple[Diagnostic, ...]
    kind: ClassVar[str] = "conformance"
    title: ClassVar[str] = "The class does not match the contract:"

    def render_items(self, limit: int = 10) -> list[str]:
        return _render_diags(self.diagnostics, limit)

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "diagnostics": [_diag_json(d) for d in self.diagnostics]}


@dataclass(frozen=True)
class FailedCase:
    """One failing test on its shrunk input, as a Java call.

    ``message`` is one line naming the call: ``clamp(42, 0, 10) returned 42,
    expected 10``.  ``check`` says what was checked (``example``, ``property
    `lo <= result <= hi```, ``oracle``, ``stateful model``); ``steps`` are the
    calls made before it on the same instance (stateful tests).
    """

    message: str
    check: str = ""
    steps: tuple[str, ...] = ()
    call: str = ""
    class_line: int | None = None

    @staticmethod
    def from_failure(failure: Any, check: str | None = None) -> FailedCase:
        """From a :class:`jbgen.testing.model.Failure` (read by attribute, so no import)."""
        kind = getattr(failure, "kind", "")
        return FailedCase(
            message=failure.message,
            check=check if check is not None else _CHECK_LABELS.get(kind, kind),
            steps=tuple(getattr(failure, "steps", ()) or ()),
            call=getattr(failure, "call", "") or "",
            class_line=getattr(failure, "class_line", None),
        )

    def render(self) -> str:
        head = f"- {self.check}: {self.message}" if self.check else f"- {self.message}"
        if self.steps:
            head += "\n  calls before it on the same instance: " + "; ".join(self.steps)
        return head

    def to_json(self) -> dict[str, Any]:
        return {"message": self.message, "check": self.check, "steps": list(self.steps),
                "call": self.call, "class_line": self.class_line}


_CHECK_LABELS = {"examples": "example", "oracle": "oracle", "runs": "run", "stateful": "stateful model"}


def _check_label(kind: str, name: str) -> str:
    if kind == "property":
        return f"property `{name}`"
    return _CHECK_LABELS.get(kind, kind)


@dataclass(frozen=True)
class TestFeedback:
    """The class ran but contract tests failed; each case shrunk to a small failing call.

    ``passed`` and ``total`` count checks (examples of a method, a property,
    the oracle, the stateful model), when known.
    """

    failures: tuple[FailedCase, ...]
    passed: int | None = None
    total: int | None = None
    kind: ClassVar[str] = "test"
    title: ClassVar[str] = "Failing tests (shrunk inputs, as Java calls):"
    __test__: ClassVar[bool] = False  # not a pytest test class

    @staticmethod
    def from_report(report: Any) -> TestFeedback:
        """From a :class:`jbgen.testing.model.TestReport` (read by attribute, so no import)."""
        cases = []
        for c in report.checks:
            if c.failure is not None:
                label = _check_label(c.kind, c.name)
                if c.kind == "property" and f"`{c.name}`" in c.failure.message:
                    label = "property"  # the message names it already
                cases.append(FailedCase.from_failure(c.failure, label))
        for d in getattr(report, "diagnostics", ()):
            cases.append(FailedCase(d.message, "tests could not run"))
        total = len(report.checks)
        return TestFeedback(tuple(cases), total - sum(1 for c in report.checks if c.failure), total)

    def render_items(self, limit: int = 5) -> list[str]:
        out = [f.render() for f in self.failures[:limit]]
        if len(self.failures) > limit:
            out.append(f"... and {len(self.failures) - limit} more")
        return out

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "failures": [f.to_json() for f in self.failures],
                "passed": self.passed, "total": self.total}


@dataclass(frozen=True)
class MalformedFeedback:
    """The previous reply could not be used at all (no tool call, wrong schema, prose)."""

    reason: str
    kind: ClassVar[str] = "malformed"
    title: ClassVar[str] = "Your reply could not be used:"

    def render_items(self, limit: int = 1) -> list[str]:
        return [self.reason]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "reason": self.reason}


@dataclass(frozen=True)
class NoteFeedback:
    """Anything else the loop wants to say, as plain text."""

    text: str
    kind: ClassVar[str] = "note"
    title: ClassVar[str] = "Other problems:"

    def render_items(self, limit: int = 1) -> list[str]:
        return [self.text]

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "text": self.text}


Feedback = (AssemblyFeedback | PolicyFeedback | VerifyFeedback | ConformanceFeedback | TestFeedback
            | MalformedFeedback | NoteFeedback)
"""One problem report about a candidate; a repair round carries a tuple of them."""

# The order sections appear in a repair turn: the pipeline's, earliest stage first.
_ORDER = ("malformed", "assembly", "policy", "verify", "conformance", "test", "note")
_HEADLINES = {
    "malformed": "your reply could not be used",
    "assembly": "the class does not assemble",
    "policy": "the class uses APIs the policy refuses",
    "verify": "the verifier refused the class",
    "conformance": "the class does not match the contract",
    "test": "the class fails contract tests",
    "note": "the class was not accepted",
}


def feedback_for_malformed(proposal: Proposal) -> tuple[Feedback, ...]:
    """The feedback for a proposal whose reply could not be used (empty when it could)."""
    return (MalformedFeedback(proposal.malformed),) if proposal.malformed else ()


def _shown_at(diags: Sequence[Diagnostic], path: str | None) -> tuple[Diagnostic, ...]:
    if path is None:
        return tuple(diags)
    return tuple(replace(d, location=replace(d.location, path=path)) if d.location is not None else d for d in diags)


def feedback_from_verdict(verdict: Any, path: str | None = None) -> tuple[Feedback, ...]:
    """The feedback for a failed :class:`jbgen.testing.Verdict` (empty when it passed).

    The verdict's failed stage decides the kind: ``policy``, ``verify`` and
    ``link`` (HotSpot's verifier), ``conformance``, ``tests``.  ``path``
    replaces the file name of every diagnostic (the model knows its file as
    :func:`candidate_path`, not as a temporary path).  Read by attribute, so
    this module does not import the test runner.
    """
    stage = verdict.failed_stage
    diags = _shown_at(verdict.diagnostics, path)
    if stage is None:
        return ()
    if stage == "policy":
        return (PolicyFeedback(diags),)
    if stage in ("verify", "link"):
        return (VerifyFeedback(diags),)
    if stage == "conformance":
        return (ConformanceFeedback(diags),)
    if stage == "tests" and verdict.tests is not None:
        return (TestFeedback.from_report(verdict.tests),)
    return (NoteFeedback(f"the {stage} stage failed"),)


def feedback_from_assembly_error(error: Any, path: str | None = None) -> tuple[Feedback, ...]:
    """The feedback for a :class:`~jbgen.errors.AssemblyError` raised on the candidate's text."""
    return (AssemblyFeedback(_shown_at(error.diagnostics, path)),)


def render_feedback(feedback: Sequence[Feedback], *, round: int, max_rounds: int) -> str:
    """The text of the repair turn that reports ``feedback`` on round ``round``'s candidate.

    Exactly what the model is sent (tests assert it)::

        Round 1 of 3 failed: the class does not assemble.

        Assembly errors:
        Clamp.jbasm:8:9: error: unknown instruction or local `iretrun`
            iretrun
            ^~~~~~~
        note: did you mean `ireturn`?

        Fix every problem and send the whole corrected class again.

    Sections come in pipeline order (unusable reply, assembly, policy,
    verifier, conformance, tests, other); at most 10 diagnostics and 5
    failing cases each.
    """
    items = sorted(feedback, key=lambda f: _ORDER.index(f.kind))
    headline = _HEADLINES[items[0].kind] if items else "the class was not accepted"
    parts = [f"Round {round} of {max_rounds} failed: {headline}."]
    for kind in _ORDER:
        group = [f for f in items if f.kind == kind]
        if not group:
            continue
        lines = [group[0].title]
        for f in group:
            lines.extend(f.render_items())
        parts.append("\n".join(lines))
    parts.append("Fix every problem and send the whole corrected class again.")
    return "\n\n".join(parts)


# --------------------------------------------------------------------------- proposals


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt of a call: its status (None when no response came) and why it was retried."""

    status: int | None
    error: str | None = None
    retry_after: str | None = None
    elapsed_s: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "error": self.error, "retry_after": self.retry_after,
                "elapsed_s": round(self.elapsed_s, 3)}

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Attempt:
        return Attempt(data.get("status"), data.get("error"), data.get("retry_after"),
                       float(data.get("elapsed_s", 0.0)))


@dataclass(frozen=True)
class Exchange:
    """The raw exchange behind a proposal, for the transcript.

    ``request`` is the JSON body sent (never headers, so never the API key);
    ``response`` the JSON body received (None when it was not JSON, then
    ``raw_response`` holds the start of the body).  ``attempts`` lists the
    HTTP attempts, retries included.  ``endpoint`` is where it was sent.
    """

    request: Mapping[str, Any]
    response: Mapping[str, Any] | None = None
    raw_response: str | None = None
    attempts: tuple[Attempt, ...] = ()
    endpoint: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "endpoint": self.endpoint,
            "request": self.request,
            "response": self.response,
            "raw_response": self.raw_response,
            "attempts": [a.to_json() for a in self.attempts],
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Exchange:
        return Exchange(
            request=data.get("request") or {},
            response=data.get("response"),
            raw_response=data.get("raw_response"),
            attempts=tuple(Attempt.from_json(a) for a in data.get("attempts", ())),
            endpoint=data.get("endpoint", ""),
        )


@dataclass(frozen=True)
class Proposal:
    """One candidate from a synthesizer, or the reason its reply could not be used.

    ``jbasm`` is the whole assembly file (None when ``malformed``);
    ``malformed`` says why the reply could not be used ("the reply has no
    submit_class call ..."): a failed round, to be reported back with
    :class:`MalformedFeedback`.  ``notes`` is the model's optional short note.
    ``usage`` and ``cost_usd`` (an estimate from a price table; None when the
    model has no price) are this call's.  ``exchange`` is the raw request and
    response for the transcript.  ``round`` is the 1-based round it answers.
    ``replayed_from`` names the recording file when it was replayed (usage
    and cost are then the recorded call's; the replay itself spent nothing).
    """

    synthesizer: str
    model: str | None
    round: int
    jbasm: str | None = None
    notes: str = ""
    malformed: str | None = None
    usage: Usage = field(default_factory=Usage)
    cost_usd: float | None = None
    exchange: Exchange | None = None
    replayed_from: str | None = None

    @property
    def ok(self) -> bool:
        """A usable candidate (the text still has to assemble, verify and pass)."""
        return self.malformed is None and self.jbasm is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "synthesizer": self.synthesizer,
            "model": self.model,
            "round": self.round,
            "jbasm": self.jbasm,
            "notes": self.notes,
            "malformed": self.malformed,
            "usage": self.usage.to_json(),
            "cost_usd": self.cost_usd,
            "exchange": self.exchange.to_json() if self.exchange else None,
            "replayed_from": self.replayed_from,
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Proposal:
        ex = data.get("exchange")
        return Proposal(
            synthesizer=data["synthesizer"],
            model=data.get("model"),
            round=int(data["round"]),
            jbasm=data.get("jbasm"),
            notes=data.get("notes", ""),
            malformed=data.get("malformed"),
            usage=Usage.from_json(data.get("usage") or {}),
            cost_usd=data.get("cost_usd"),
            exchange=Exchange.from_json(ex) if ex else None,
            replayed_from=data.get("replayed_from"),
        )


@dataclass(frozen=True)
class Round:
    """A past round: the proposal and what was wrong with it."""

    proposal: Proposal
    feedback: tuple[Feedback, ...]

    def feedback_text(self, max_rounds: int) -> str:
        """The repair turn that reported this round (:func:`render_feedback`)."""
        return render_feedback(self.feedback, round=self.proposal.round, max_rounds=max_rounds)

    def to_json(self, max_rounds: int) -> dict[str, Any]:
        return {"proposal": self.proposal.to_json(), "feedback": [f.to_json() for f in self.feedback],
                "feedback_text": self.feedback_text(max_rounds)}


@dataclass(frozen=True)
class SynthRequest:
    """What a synthesizer is asked: the contract, the conversation so far, the budget.

    ``history`` holds the earlier rounds of this contract, oldest first, each
    with the feedback on its candidate; the next proposal answers round
    ``len(history) + 1``.  Build the next request with :meth:`next_round`.
    """

    contract: Contract
    history: tuple[Round, ...] = ()
    budget: Budget = field(default_factory=Budget)

    @property
    def round(self) -> int:
        """The 1-based round the next proposal answers."""
        return len(self.history) + 1

    @property
    def rounds_left(self) -> int:
        """Rounds still allowed after this one."""
        return max(0, self.budget.max_rounds - self.round)

    @property
    def spent(self) -> Usage:
        """The usage of every earlier round of this contract."""
        total = Usage()
        for r in self.history:
            total = total + r.proposal.usage
        return total

    def next_round(self, proposal: Proposal, feedback: Iterable[Feedback]) -> SynthRequest:
        """The request for the round after ``proposal``, which failed with ``feedback``."""
        fb = tuple(feedback)
        if not fb:
            raise ValueError("a repair round needs feedback: the proposal did not fail")
        return replace(self, history=(*self.history, Round(proposal, fb)))

    def feedback_text(self) -> str | None:
        """The repair turn this request sends (None in round 1)."""
        return self.history[-1].feedback_text(self.budget.max_rounds) if self.history else None

    def history_sha256(self) -> str:
        """A hash of the conversation so far (candidates and feedback texts), to check a replay."""
        h = hashlib.sha256()
        for r in self.history:
            h.update(json.dumps([r.proposal.jbasm, r.proposal.malformed,
                                 r.feedback_text(self.budget.max_rounds)]).encode())
        return h.hexdigest()

    def check_rounds(self) -> None:
        """Raise :class:`BudgetExhausted` when this round is past ``budget.max_rounds``."""
        if self.round > self.budget.max_rounds:
            raise BudgetExhausted(
                f"{self.contract.path}: round {self.round} is past the limit of {self.budget.max_rounds} "
                f"rounds for {self.contract.binary_name}"
            )


def candidate_path(contract: Contract) -> str:
    """The file name a candidate is assembled as, so that diagnostics read ``Clamp.jbasm:8:9``."""
    return f"{contract.simple_name}.jbasm"


# --------------------------------------------------------------------------- the protocol


@runtime_checkable
class Synthesizer(Protocol):
    """Anything that proposes a class for a contract.

    ``name`` identifies the backend (``claude``, ``search``, ``replay``) and
    ``model`` what it runs (a model id; None when there is none).  ``propose``
    returns one :class:`Proposal` for ``request.round``; it raises
    :class:`~jbgen.errors.SynthesisError` when it cannot answer (the API keeps
    failing, the budget is spent: :class:`BudgetExhausted`; nothing can work:
    :class:`SynthesisUnavailable`), never for a bad reply.  Implementations
    are safe to call from several threads.
    """

    name: str
    model: str | None

    def propose(self, request: SynthRequest) -> Proposal: ...
