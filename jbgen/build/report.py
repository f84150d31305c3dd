"""The build's reports: one Markdown file per contract, a summary, and the transcript as JSON.

Rendering only: these functions return text and data; the driver writes
them.  Nothing here holds a time or a temporary path, so an unchanged build
writes the same bytes (the provenance file is the one place for times).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jbgen.build.driver import BuildResult, ContractOutcome
    from jbgen.build.loop import Attempt, LoopResult

__all__ = ["contract_report", "summary_report", "transcript_json"]

TRANSCRIPT_FORMAT = "jbgen-transcript/1"


def _tokens(u: Any) -> str:
    return (f"{u.input_tokens} input, {u.output_tokens} output, {u.cache_read_tokens} cache read, "
            f"{u.cache_write_tokens} cache write")


def _cost(cost: float | None) -> str:
    return "no estimate" if cost is None else f"${cost:.4f} (estimate)"


def _fence(text: str, lang: str = "") -> str:
    fence = "```"
    while fence in text:
        fence += "`"
    return f"{fence}{lang}\n{text.rstrip(chr(10))}\n{fence}"


def _attempt_md(n: int, a: Attempt, loop: LoopResult, shown: object = None) -> list[str]:
    head = f"### Attempt {n}: {a.synthesizer}" + (f" ({a.model})" if a.model else "")
    out = [head, ""]
    if a.skipped:
        out += [f"Not asked: {a.error}", ""]
        return out
    for r in a.rounds:
        p = r.proposal
        ev = r.evaluation
        out.append(f"#### Round {p.round} of {loop.budget.max_rounds}")
        out.append("")
        facts = [f"- result: **{'passed' if ev.passed else 'failed at ' + ev.stage}**"]
        if p.replayed_from:
            facts.append(f"- replayed from `{p.replayed_from}` (recorded synthesizer `{p.synthesizer}`, "
                         f"model `{p.model}`)")
        if p.usage.calls or p.usage.total_tokens:
            facts.append(f"- tokens: {_tokens(p.usage)}; cost {_cost(p.cost_usd)}")
        if p.notes:
            facts.append(f"- notes: {p.notes}")
        out += facts + [""]
        if p.malformed:
            out += [f"The reply could not be used: {p.malformed}", ""]
        if r is shown:
            out += ["Candidate and checks: as above.", ""]
        else:
            if p.jbasm is not None:
                out += ["Candidate:", "", _fence(p.jbasm, "jbasm"), ""]
            if ev.report:
                out += ["Checks:", "", _fence(ev.report, "text"), ""]
        if r.feedback_text is not None:
            out += ["Repair turn (what the synthesizer is sent about this round):", "", _fence(r.feedback_text, "text"),
                    ""]
    if a.error:
        out += [f"Stopped: {a.error}", ""]
    return out


def contract_report(o: ContractOutcome, artifact_rel: str | None) -> str:
    """``<Name>.report.md``: the result, the checks, the best candidate and the whole transcript."""
    lines = [f"# {o.binary_name}", ""]
    lines.append(f"- contract: `{o.path}` (sha256 `{o.sha256}`)")
    lines.append(f"- status: **{o.status}**" + (f": {o.message}" if o.message else ""))
    loop = o.loop
    if o.entry is not None and o.status == "built":
        lines.append(f"- artifact: `{artifact_rel}` (sha256 `{o.entry['artifact']['sha256']}`)")
        lines.append(f"- synthesizer: `{o.entry['synthesizer']}`" +
                     (f", model `{o.entry['model']}`" if o.entry.get("model") else ""))
        rec = o.entry.get("recorded")
        if rec:
            scripted = " (a scripted session, written by hand: not a model's output)" if rec.get("scripted") else ""
            lines.append(f"- recorded session: `{rec['file']}`{scripted}")
    if loop is not None:
        lines.append(f"- rounds: {loop.rounds} (limit {loop.budget.max_rounds} per synthesizer), "
                     f"tokens: {_tokens(loop.usage)}, cost: {_cost(loop.cost_usd)}")
    if o.resynthesized:
        lines.append(f"- synthesized again because {o.resynthesized}")
    lines.append("")
    if o.status == "failed" and loop is not None:
        lines += ["## Why it was not built", ""]
        lines += [f"- {e}" for e in loop.errors] or ["- no synthesizer was available"]
        lines.append("")
    best = loop.best if loop is not None else None
    if best is not None:
        a, r = best
        title = "Accepted candidate" if r.evaluation.passed else "Best candidate (not accepted)"
        lines += [f"## {title}", "", f"From {a.synthesizer}, round {r.proposal.round}; "
                  f"{'passed every check' if r.evaluation.passed else 'got as far as ' + r.evaluation.stage}.", ""]
        if r.proposal.jbasm is not None:
            lines += [_fence(r.proposal.jbasm, "jbasm"), ""]
        if r.evaluation.report:
            lines += [_fence(r.evaluation.report, "text"), ""]
    if loop is not None and loop.attempts:
        lines += ["## Transcript", ""]
        for n, a in enumerate(loop.attempts, 1):
            lines += _attempt_md(n, a, loop, best[1] if best is not None else None)
    return "\n".join(lines).rstrip("\n") + "\n"


def transcript_json(o: ContractOutcome) -> str:
    """``<Name>.transcript.json``: every round's proposal (with the raw exchange), feedback and repair turn."""
    loop = o.loop
    assert loop is not None
    attempts = []
    for a in loop.attempts:
        rounds = []
        for r in a.rounds:
            rounds.append({
                "proposal": r.proposal.to_json(),
                "stage": r.evaluation.stage,
                "feedback": [f.to_json() for f in r.evaluation.feedback],
                "feedback_text": r.feedback_text,
                "checks": r.evaluation.report,
            })
        attempts.append({"synthesizer": a.synthesizer, "model": a.model, "skipped": a.skipped, "error": a.error,
                         "rounds": rounds})
    doc = {
        "format": TRANSCRIPT_FORMAT,
        "contract": {"path": o.path, "class": o.binary_name, "sha256": o.sha256},
        "budget": loop.budget.to_json(),
        "status": o.status,
        "attempts": attempts,
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def summary_report(result: BuildResult, rows: Sequence[ContractOutcome]) -> str:
    """``<out>/report.md``: one line per contract of this build."""
    lines = ["# jbgen build", ""]
    lines += [f"- {n}" for n in result.notes]
    if result.notes:
        lines.append("")
    lines += ["| class | status | synthesizer | rounds | tokens | cost | detail |",
              "| --- | --- | --- | --- | --- | --- | --- |"]
    for o in rows:
        e = o.entry or {}
        toks = e.get("tokens") or {}
        total = sum(int(v) for v in toks.values()) if toks else 0
        cost = e.get("cost_usd")
        detail = o.message.replace("|", "\\|").replace("\n", " ") if o.status not in ("built", "verified") else ""
        synth = e.get("synthesizer", "") if o.status in ("built", "verified") else ""
        rounds = e.get("rounds", "") if o.status in ("built", "verified") else (o.loop.rounds if o.loop else "")
        lines.append(f"| `{o.binary_name or o.path}` | {o.status} | {synth} | {rounds} | {total if e else ''} | "
                     f"{'' if cost is None else f'{cost:.4f}'} | {detail} |")
    lines.append("")
    return "\n".join(lines)
