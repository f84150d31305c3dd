"""The repair loop: propose, assemble, check, test; send back what failed; at most N rounds.

For one contract, :func:`synthesize` asks each synthesizer of the build in
turn (``--synth``'s, then the ``--replay`` fallback) for a candidate.  Each
candidate goes through :class:`CandidateChecker`: assembled as
``<Name>.jbasm`` (so diagnostics read ``Clamp.jbasm:8:9``), then
:func:`jbgen.testing.check_and_test` (policy, ``ClassFile.verify``,
conformance, HotSpot link and the contract tests in a sandbox worker).  What
failed becomes the :data:`~jbgen.synth.protocol.Feedback` of the next round
(:func:`~jbgen.synth.protocol.feedback_from_assembly_error`,
:func:`~jbgen.synth.protocol.feedback_from_verdict`), until a candidate
passes, ``Budget.max_rounds`` is reached, or the synthesizer cannot answer
(:class:`~jbgen.errors.SynthesisError`, including a spent token budget).

Every round is kept (:class:`LoopResult`): the build report shows the whole
transcript and the best candidate, the one that got furthest through the
checks (later stages beat earlier ones; among test failures, more passing
checks win; the earliest wins a tie).
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from jbgen.contract.model import Contract
from jbgen.errors import AssemblyError, JbgenError
from jbgen.synth.protocol import (
    Budget,
    Feedback,
    NoteFeedback,
    Proposal,
    SynthesisUnavailable,
    SynthRequest,
    Usage,
    candidate_path,
    feedback_for_malformed,
    feedback_from_assembly_error,
    feedback_from_verdict,
    render_feedback,
)

__all__ = [
    "STAGES",
    "Attempt",
    "CandidateChecker",
    "Evaluation",
    "LoopResult",
    "RoundResult",
    "synthesize",
]

# How far a candidate got, worst first; "passed" is accepted.
STAGES = ("malformed", "assembly", "policy", "verify", "conformance", "link", "tests", "passed")


@dataclass(frozen=True)
class Evaluation:
    """What the checks said about one candidate.

    ``stage`` is where it stopped (one of :data:`STAGES`; ``passed`` when it
    was accepted).  ``feedback`` is what the next round is told (empty when
    it passed).  ``classes`` maps each class's internal name to its bytes as
    ``jbgen asm`` writes them (the artifact).  ``report`` is the test
    pipeline's text report (``jbgen test``'s), with the candidate shown as
    ``shown``.  ``passed_checks`` and ``total_checks`` count contract tests.
    """

    stage: str
    feedback: tuple[Feedback, ...] = ()
    classes: tuple[tuple[str, bytes], ...] = ()
    report: str = ""
    passed_checks: int = 0
    total_checks: int = 0
    stages: tuple[tuple[str, str], ...] = ()
    test_summary: dict[str, object] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.stage == "passed"

    @property
    def score(self) -> tuple[int, float]:
        frac = self.passed_checks / self.total_checks if self.total_checks else 0.0
        return STAGES.index(self.stage), frac


class CandidateChecker:
    """Assembles, checks and tests candidates; shared by every contract of a build (thread-safe).

    ``pool`` is the build's :class:`jbgen.sandbox.WorkerPool`; ``options`` the
    :class:`jbgen.testing.TestOptions` (seed, examples per method).
    """

    def __init__(self, pool: object, classpath: Sequence[str] = (), options: object | None = None) -> None:
        from jbgen.testing import TestOptions

        self.pool = pool
        self.classpath = list(classpath)
        self.options = options if options is not None else TestOptions()

    def check_text(self, contract: Contract, text: str, shown: str | None = None) -> Evaluation:
        """A candidate's text: written to a private folder as ``<Name>.jbasm`` and checked there.

        Diagnostics sent back name the file ``<Name>.jbasm``; the report shows
        it as ``shown`` (the artifact's path), so it holds no temporary path.
        """
        from jbgen.testing.pipeline import load_classes

        name = candidate_path(contract)
        shown = shown or name
        with tempfile.TemporaryDirectory(prefix="jbgen-candidate-") as tmp:
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8", newline="") as fh:
                fh.write(text)
            try:
                inputs = load_classes(path, self.classpath)
            except AssemblyError as exc:
                return Evaluation("assembly", feedback_from_assembly_error(exc, name))
            except JbgenError as exc:
                return Evaluation("assembly", (NoteFeedback(exc.render().replace(path, name)),))
            return self._run(contract, path, inputs, name, shown)

    def check_artifact(self, contract: Contract, jbasm_path: str, class_files: Sequence[str]) -> Evaluation:
        """A locked artifact: the class files as they are, with the ``.jbasm``'s lines when it assembles to them."""
        from jbgen.testing.pipeline import load_classes

        on_disk = {}
        for f in class_files:
            with open(f, "rb") as fh:
                on_disk[f] = fh.read()
        inputs = []
        try:
            inputs = load_classes(jbasm_path, self.classpath)
        except JbgenError:
            inputs = []
        if sorted(c.data for c in inputs) != sorted(on_disk.values()):
            # The text no longer assembles to these bytes (another JDK): test the bytes.
            inputs = [c for f in class_files for c in load_classes(f, self.classpath)]
        return self._run(contract, jbasm_path, inputs, jbasm_path, jbasm_path)

    def _run(self, contract: Contract, path: str, inputs: Sequence[object], name: str, shown: str) -> Evaluation:
        from jbgen.testing import check_and_test
        from jbgen.testing import report as rep

        verdict = check_and_test(contract, path, classpath=self.classpath, options=self.options,  # type: ignore[arg-type]
                                 pool=self.pool, inputs=inputs)  # type: ignore[arg-type]
        text = rep.render_text(verdict).replace(path, shown)
        classes = tuple(sorted((c.cls.name, c.data) for c in inputs))  # type: ignore[attr-defined]
        tests = verdict.tests
        passed = total = 0
        summary: dict[str, object] = {}
        if tests is not None:
            total = len(tests.checks)
            passed = sum(1 for c in tests.checks if c.ok)
            summary = {"seed": tests.seed, "max_examples": tests.max_examples, "checks": total,
                       "passed": passed, "summary": rep.summary_line(tests)}
        if verdict.ok:
            return Evaluation("passed", (), classes, text, passed, total, verdict.stages, summary)
        feedback = feedback_from_verdict(verdict, name)
        return Evaluation(verdict.failed_stage or "tests", feedback, classes, text, passed, total, verdict.stages,
                          summary)


@dataclass(frozen=True)
class RoundResult:
    """One round: the proposal, what the checks said, and the repair turn that reported it (if any)."""

    proposal: Proposal
    evaluation: Evaluation
    feedback_text: str | None = None


@dataclass
class Attempt:
    """One synthesizer's rounds on one contract; ``error`` says why it stopped without a pass."""

    synthesizer: str
    model: str | None
    rounds: list[RoundResult] = field(default_factory=list)
    error: str | None = None
    skipped: bool = False  # not asked: unavailable for this build

    @property
    def accepted(self) -> RoundResult | None:
        return next((r for r in self.rounds if r.evaluation.passed), None)


@dataclass
class LoopResult:
    """Every attempt on one contract, the accepted round (if any), and the totals."""

    contract: Contract
    budget: Budget
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def accepted(self) -> tuple[Attempt, RoundResult] | None:
        for a in self.attempts:
            r = a.accepted
            if r is not None:
                return a, r
        return None

    @property
    def best(self) -> tuple[Attempt, RoundResult] | None:
        """The accepted round, else the candidate that got furthest (the earliest on a tie)."""
        best: tuple[Attempt, RoundResult] | None = None
        for a in self.attempts:
            for r in a.rounds:
                if best is None or r.evaluation.score > best[1].evaluation.score:
                    best = (a, r)
        return best

    @property
    def rounds(self) -> int:
        return sum(len(a.rounds) for a in self.attempts)

    @property
    def usage(self) -> Usage:
        total = Usage()
        for a in self.attempts:
            for r in a.rounds:
                total = total + r.proposal.usage
        return total

    @property
    def cost_usd(self) -> float | None:
        """The summed estimate; None when a call's model has no price."""
        cost = 0.0
        for a in self.attempts:
            for r in a.rounds:
                p = r.proposal
                if p.cost_usd is not None:
                    cost += p.cost_usd
                elif p.usage.calls or p.usage.total_tokens:
                    return None
        return round(cost, 6)

    @property
    def errors(self) -> list[str]:
        return [f"{a.synthesizer}: {a.error}" for a in self.attempts if a.error]


def synthesize(
    contract: Contract,
    slots: Sequence[object],
    checker: CandidateChecker,
    budget: Budget,
    *,
    on_event: Callable[[str], None] | None = None,
    cancel: threading.Event | None = None,
) -> LoopResult:
    """Run the repair loop for ``contract`` with each synthesizer slot in turn until one passes."""
    from jbgen.build.synthesizers import Slot

    result = LoopResult(contract, budget)
    shown = candidate_path(contract)

    def say(msg: str) -> None:
        if on_event is not None:
            on_event(msg)

    for slot in slots:
        assert isinstance(slot, Slot)
        synth = slot.synth
        attempt = Attempt(synth.name, synth.model)
        result.attempts.append(attempt)
        if slot.unavailable is not None:
            attempt.skipped = True
            attempt.error = f"not used: {slot.unavailable}"
            continue
        request = SynthRequest(contract, budget=budget)
        while True:
            if cancel is not None and cancel.is_set():
                attempt.error = "the build was interrupted"
                return result
            say(f"{synth.name} round {request.round}")
            try:
                proposal = synth.propose(request)
            except SynthesisUnavailable as exc:
                slot.mark_unavailable(exc.message)
                attempt.error = exc.message
                break
            except JbgenError as exc:
                attempt.error = exc.message
                break
            if attempt.model is None and proposal.model is not None:
                attempt.model = proposal.model
            if not proposal.ok:
                evaluation = Evaluation("malformed", feedback_for_malformed(proposal))
            else:
                assert proposal.jbasm is not None
                evaluation = checker.check_text(contract, proposal.jbasm, shown)
            if evaluation.passed:
                attempt.rounds.append(RoundResult(proposal, evaluation))
                say(f"{synth.name} round {request.round}: passed")
                return result
            text = render_feedback(evaluation.feedback, round=request.round, max_rounds=budget.max_rounds)
            attempt.rounds.append(RoundResult(proposal, evaluation, text))
            say(f"{synth.name} round {request.round}: failed at {evaluation.stage}")
            if request.rounds_left == 0:
                attempt.error = (f"no candidate passed in {budget.max_rounds} round"
                                 f"{'s' if budget.max_rounds != 1 else ''}")
                break
            request = request.next_round(proposal, evaluation.feedback)
    return result
