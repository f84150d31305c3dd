"""Which synthesizers a build uses (``--synth``), and the search synthesizer behind the protocol.

``--synth auto`` is ``claude`` when ``ANTHROPIC_API_KEY`` is set and the
offline ``search`` synthesizer otherwise.  ``--replay DIR`` with any
synthesizer but ``replay`` adds the recorded sessions as a *fallback*: a
contract the first synthesizer does not solve is answered from ``DIR``.
``--record DIR`` wraps the first synthesizer in a
:class:`~jbgen.synth.replay.Recorder`.

:class:`SearchSynthesizer` adapts :func:`jbgen.synth.search.contract.synthesize_contract`
to the :class:`~jbgen.synth.protocol.Synthesizer` protocol: one proposal per
contract (the search is deterministic: asking again gives the same answer,
so it has no repair round), and a :class:`~jbgen.errors.SynthesisError` that
says why when the contract is outside what it handles (strings, doubles,
state) or when nothing was found in its time budget.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path

from jbgen.errors import SynthesisError, UsageError
from jbgen.synth.protocol import Proposal, SynthesisUnavailable, Synthesizer, SynthRequest, Usage

__all__ = ["SYNTH_CHOICES", "SearchSynthesizer", "SearchUnsupported", "Slot", "make_synthesizers"]

SYNTH_CHOICES = ("auto", "claude", "search", "replay")
KEY_ENV = "ANTHROPIC_API_KEY"


class SearchUnsupported(SynthesisError):
    """The contract is outside what the search synthesizer handles (the message says what)."""


class SearchSynthesizer:
    """The offline search synthesizer as a :class:`~jbgen.synth.protocol.Synthesizer`.

    ``time_limit`` is the search's wall-clock budget per contract (all its
    methods together); ``seed`` fixes its generated inputs.  Round 1 only: a
    repair round raises :class:`SynthesisError`, since the same contract
    gives the same answer.
    """

    name = "search"
    model: str | None = None

    def __init__(self, time_limit: float = 10.0, seed: int = 0) -> None:
        self.time_limit = time_limit
        self.seed = seed

    def propose(self, request: SynthRequest) -> Proposal:
        from jbgen.synth.search import SearchOptions
        from jbgen.synth.search.contract import synthesize_contract

        c = request.contract
        if request.round > 1:
            raise SynthesisError(
                f"{c.path}: the search synthesizer has no repair round for {c.binary_name}: it is deterministic, "
                "and the JVM's tests refused the program it found (the feedback above says how)"
            )
        result = synthesize_contract(c, SearchOptions(time_limit=self.time_limit), seed=self.seed)
        if result.ok:
            assert result.text is not None
            # The programs, as Java: deterministic (no timings), so reports stay reproducible.
            notes = "; ".join(f"{key}: {r.program}" for key, r in result.results.items())
            return Proposal(self.name, None, request.round, jbasm=result.text, notes=notes, usage=Usage())
        if result.skipped:
            why = "; ".join(f"{key}: {reason}" for key, reason in result.skipped.items())
            raise SearchUnsupported(
                f"{c.path}: the search synthesizer does not handle {c.binary_name} ({why}); "
                f"a model can: set {KEY_ENV} for --synth claude, or give recorded sessions with --replay DIR"
            )
        missed = "; ".join(
            f"{key}: {r.status}" + (f" ({r.message})" if getattr(r, "message", "") else "")
            for key, r in result.results.items() if r.program is None
        )
        raise SynthesisError(
            f"{c.path}: the search synthesizer found no program for {c.binary_name} within "
            f"{self.time_limit:g} s ({missed})"
        )


@dataclass
class Slot:
    """One synthesizer of a build, shared by every contract's loop.

    ``role`` is ``primary`` or ``fallback``.  Once the synthesizer raises
    :class:`SynthesisUnavailable` (no key, a refused key, a spend limit) it
    is :attr:`unavailable` for the rest of the build, with the reason.
    """

    synth: Synthesizer
    role: str = "primary"
    unavailable: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def name(self) -> str:
        return self.synth.name

    def mark_unavailable(self, reason: str) -> None:
        with self._lock:
            if self.unavailable is None:
                self.unavailable = reason


def make_synthesizers(
    kind: str,
    *,
    model: str | None = None,
    record: str | None = None,
    replay: str | None = None,
    search_time: float = 10.0,
) -> tuple[list[Slot], list[str]]:
    """The synthesizers for ``--synth kind``, in the order they are tried, and notes for the report.

    Raises :class:`UsageError` for impossible combinations and
    :class:`SynthesisUnavailable` (exit 6) for ``--synth claude`` without a key.
    """
    if kind not in SYNTH_CHOICES:
        raise UsageError(f"--synth: unknown synthesizer {kind!r} (choose from {', '.join(SYNTH_CHOICES)})")
    notes: list[str] = []
    if kind == "replay":
        if replay is None:
            raise UsageError("--synth replay needs --replay DIR (the recorded sessions)")
        if record is not None:
            raise UsageError("--record cannot record a replay: it records the calls of another synthesizer")
    if replay is not None and not Path(replay).is_dir():
        raise UsageError(f"--replay: {replay}: no such folder")
    if kind == "auto":
        if os.environ.get(KEY_ENV, "").strip():
            kind = "claude"
            notes.append(f"--synth auto: {KEY_ENV} is set, so the claude synthesizer is used")
        else:
            kind = "search"
            notes.append(f"--synth auto: {KEY_ENV} is not set, so the offline search synthesizer is used "
                         "(it handles pure methods over int, long, boolean, char and int[])")
    primary: Synthesizer
    if kind == "claude":
        from jbgen.synth.claude import ClaudeConfig, ClaudeSynthesizer

        primary = ClaudeSynthesizer(ClaudeConfig(model=model))  # type: ignore[assignment]  # raises without a key
    elif kind == "search":
        if model is not None:
            notes.append(f"--model {model} is ignored by the search synthesizer")
        primary = SearchSynthesizer(time_limit=search_time)
    else:
        from jbgen.synth.replay import ReplaySynthesizer

        assert replay is not None
        primary = ReplaySynthesizer(replay, model=model)
    if record is not None:
        from jbgen.synth.replay import Recorder

        primary = Recorder(primary, record)
    slots = [Slot(primary)]
    if replay is not None and kind != "replay":
        from jbgen.synth.replay import ReplaySynthesizer

        slots.append(Slot(ReplaySynthesizer(replay, model=model if kind == "claude" else None), "fallback"))
        notes.append(f"--replay {replay}: contracts the {kind} synthesizer does not solve are replayed "
                     "from the recorded sessions there")
    return slots, notes


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, SynthesisUnavailable)
