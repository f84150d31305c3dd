"""A :class:`~jbgen.testing.pipeline.Verdict` as text for people and as JSON for pipelines.

Rendering only: these functions return strings, diagnostics and dicts; the CLI
prints them.  The text never holds timings, so the same seed gives the same
report; the JSON has them under ``timing``.
"""

from __future__ import annotations

from jbgen.errors import Diagnostic, Location
from jbgen.testing.model import CheckResult, Failure, TestReport
from jbgen.testing.pipeline import Verdict

__all__ = ["diagnostics", "failure_diagnostic", "render_text", "summary_line", "to_json"]

_KIND_TEXT = {
    "examples": "examples",
    "property": "property",
    "oracle": "oracle",
    "runs": "calls finish",
    "stateful": "stateful",
}
_STAGE_TEXT = {
    "policy": "policy",
    "verify": "verify (structure, ClassFile.verify)",
    "conformance": "conformance",
    "link": "link (HotSpot)",
    "tests": "tests",
}


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def _check_line(c: CheckResult) -> str:
    state = "ok    " if c.ok else "FAILED"
    if c.ok and c.cases == 0:
        state = "-     "  # nothing was checked (the calls threw, or the method's examples hung)
    if c.kind == "examples":
        what = f"{c.method}: {_plural(c.cases, 'example')}"
    elif c.kind == "stateful":
        what = f"stateful model {c.name}: {_plural(c.cases, 'sequence')}"
    elif c.kind == "runs":
        what = f"{c.method}: {_plural(c.cases, 'generated call')} {'finishes' if c.cases == 1 else 'finish'}"
    else:
        name = c.name.strip().splitlines()[0].rstrip(":") if c.name.strip() else c.name
        what = f"{c.method}: {c.kind} `{name}`: {_plural(c.cases, 'case')}"
        if c.discarded:
            what += f" ({c.discarded} discarded)"
    return f"  {state}  {what}"


def summary_line(report: TestReport) -> str:
    """``3 examples, 2 properties × 412 cases, oracle × 412 cases, stateful × 100 sequences``."""
    parts = []
    n_ex = report.cases("examples")
    if n_ex:
        parts.append(_plural(n_ex, "example"))
    props = [c for c in report.checks if c.kind == "property"]
    if props:
        cases = max(c.cases for c in props)
        parts.append(f"{_plural(len(props), 'property', 'properties')} × {_plural(cases, 'case')}")
    oracles = [c for c in report.checks if c.kind == "oracle"]
    if oracles:
        parts.append(f"{_plural(len(oracles), 'oracle')} × {_plural(max(c.cases for c in oracles), 'case')}")
    runs = report.cases("runs")
    if runs:
        parts.append(_plural(runs, "generated call"))
    for c in report.checks:
        if c.kind == "stateful":
            parts.append(f"stateful × {_plural(c.cases, 'sequence')}")
    return ", ".join(parts) or "nothing to test"


def render_text(verdict: Verdict) -> str:
    """The report for people (stdout): every stage and check, then one summary line."""
    lines = [f"{verdict.class_name} from {verdict.input} against {verdict.contract}"]
    for stage, state in verdict.stages:
        if stage == "tests":
            continue
        mark = {"ok": "ok    ", "failed": "FAILED", "skipped": "-     "}[state]
        lines.append(f"  {mark}  {_STAGE_TEXT[stage]}")
    tests = verdict.tests
    if tests is not None:
        lines.extend(_check_line(c) for c in tests.checks)
    code = verdict.exit_code
    if code == 0 and tests is not None:
        lines.append(f"passed: {summary_line(tests)} (seed {tests.seed})")
    elif code == 4 and tests is not None:
        n = len(tests.failures)
        lines.append(f"FAILED: {n} of {len(tests.checks)} checks; ran {summary_line(tests)} (seed {tests.seed})")
    else:
        stage = verdict.failed_stage or "?"
        lines.append(f"REFUSED by {stage}: {_plural(len(verdict.diagnostics), 'problem')}; no tests ran")
    return "\n".join(lines)


def failure_diagnostic(f: Failure, contract_path: str, seed: int) -> Diagnostic:
    """A test failure as ``file:line:col: error: kind: message``, at the ``.jbasm`` line when known."""
    kind = {"runs": "calls finish"}.get(f.kind, f.kind)
    message = f"{kind}: {f.message}"
    notes: list[str] = []
    if f.original is not None:
        notes.append(f"shrunk from {f.original}")
    if f.method is not None:
        notes.append(f"method: {f.method}")
    if f.contract_line:
        notes.append(f"contract: {contract_path}:{f.contract_line}")
    notes.append(f"reproduce with --seed {seed}")
    loc = None
    source_line = None
    if f.class_path is not None:
        loc = Location(f.class_path, f.class_line)
        source_line = _read_line(f.class_path, f.class_line)
    elif f.contract_line:
        loc = Location(contract_path, f.contract_line)
        source_line = _read_line(contract_path, f.contract_line)
    span = 1
    if loc is not None and source_line is not None:
        col = len(source_line) - len(source_line.lstrip()) + 1
        loc = Location(loc.path, loc.line, col)
        span = max(len(source_line.strip()), 1)
    return Diagnostic(message, loc, source_line, "error", span, tuple(notes))


def _read_line(path: str, line: int | None) -> str | None:
    if not line:
        return None
    try:
        with open(path, encoding="utf-8") as fh:
            for i, text in enumerate(fh, 1):
                if i == line:
                    return text.rstrip("\n")
    except OSError:
        return None
    return None


def diagnostics(verdict: Verdict) -> list[Diagnostic]:
    """Every problem of the verdict (stderr): stage diagnostics, then test failures."""
    out = list(verdict.diagnostics)
    if verdict.tests is not None:
        out.extend(verdict.tests.diagnostics)
        out.extend(failure_diagnostic(f, verdict.contract, verdict.tests.seed) for f in verdict.tests.failures)
    return out


def _failure_json(f: Failure) -> dict[str, object]:
    return {
        "kind": f.kind,
        "method": f.method,
        "call": f.call,
        "message": f.message,
        "outcome": f.outcome,
        "steps": list(f.steps),
        "shrunk_from": f.original,
        "contract_line": f.contract_line or None,
        "class_path": f.class_path,
        "class_line": f.class_line,
    }


def to_json(verdict: Verdict) -> dict[str, object]:
    """The verdict for pipelines; its shape is documented in ``docs/contracts.md`` (``## jbgen test``)."""
    tests = verdict.tests
    doc: dict[str, object] = {
        "ok": verdict.ok,
        "exit_code": verdict.exit_code,
        "contract": verdict.contract,
        "input": verdict.input,
        "class": verdict.class_name,
        "stages": dict(verdict.stages),
        "diagnostics": [d.to_json() for d in verdict.diagnostics],
        "tests": None,
        "timing": dict(verdict.timing),
    }
    if tests is not None:
        doc["tests"] = {
            "seed": tests.seed,
            "max_examples": tests.max_examples,
            "calls": tests.calls,
            "checks": [
                {
                    "kind": c.kind,
                    "method": c.method,
                    "name": c.name,
                    "ok": c.ok,
                    "cases": c.cases,
                    "discarded": c.discarded,
                    "contract_line": c.line or None,
                    "failure": None if c.failure is None else _failure_json(c.failure),
                }
                for c in tests.checks
            ],
            "summary": {
                "checks": len(tests.checks),
                "failed": len(tests.failures),
                "examples": tests.cases("examples"),
                "properties": tests.count("property"),
                "property_cases": max((c.cases for c in tests.checks if c.kind == "property"), default=0),
                "oracle_cases": tests.cases("oracle"),
                "generated_calls": tests.cases("runs"),
                "stateful_sequences": tests.cases("stateful"),
            },
        }
        timing = doc["timing"]
        assert isinstance(timing, dict)
        timing["tests_elapsed_s"] = round(tests.elapsed_s, 6)
    return doc
