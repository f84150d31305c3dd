"""One exception hierarchy for jbgen.

Every error a user can cause carries an exit code and, where there is one, a
location (file, line, column) and the source line, so that the CLI can render
``file:line:col: error: message`` with a caret underneath.  The CLI is the one
place that turns these into exit codes; library code raises, never exits.

Importable from anywhere: this module imports nothing from jbgen.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """A place in an input: a path, and optionally a 1-based line and column."""

    path: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        parts = [self.path]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)


@dataclass(frozen=True)
class Diagnostic:
    """One error or warning with its location and, when known, the source line."""

    message: str
    location: Location | None = None
    source_line: str | None = None
    severity: str = "error"
    # The width of the caret underline (1 = a single ``^``).
    span: int = 1
    notes: tuple[str, ...] = field(default_factory=tuple)

    def render(self) -> str:
        """The ``file:line:col: error: message`` block with source line and caret."""
        head = f"{self.severity}: {self.message}"
        if self.location is not None:
            head = f"{self.location}: {head}"
        lines = [head]
        if self.source_line is not None and self.location is not None:
            src = self.source_line.rstrip("\n").expandtabs(1)
            lines.append(f"    {src}")
            if self.location.col is not None:
                pad = " " * (self.location.col - 1)
                lines.append(f"    {pad}{'^' + '~' * (max(self.span, 1) - 1)}")
        lines.extend(f"note: {n}" for n in self.notes)
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        loc = self.location
        return {
            "severity": self.severity,
            "message": self.message,
            "path": loc.path if loc else None,
            "line": loc.line if loc else None,
            "col": loc.col if loc else None,
            "notes": list(self.notes),
        }


class JbgenError(Exception):
    """Base of every error jbgen expects; ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str, diagnostics: list[Diagnostic] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.diagnostics: list[Diagnostic] = diagnostics or [Diagnostic(message)]

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


class UsageError(JbgenError):
    """Bad command-line usage or a missing input file."""

    exit_code = 2


class ContractError(JbgenError):
    """A contract that cannot be loaded."""

    exit_code = 2


class AssemblyError(JbgenError):
    """Assembly text that cannot be parsed or assembled (one or more diagnostics)."""

    exit_code = 2


class ClassFormatError(JbgenError):
    """Bytes that are not a readable class file (bad magic, truncated, bad tag ...)."""

    exit_code = 2


class VerificationError(JbgenError):
    """A class that fails verification or the policy check."""

    exit_code = 3


class ContractTestFailure(JbgenError):
    exit_code = 4


class OutOfDateError(JbgenError):
    exit_code = 5


class SynthesisError(JbgenError):
    exit_code = 6


class JvmError(JbgenError):
    """The embedded JVM cannot be found or started, or is too old."""

    exit_code = 7


def error_at(
    message: str,
    path: str,
    line: int | None = None,
    col: int | None = None,
    source_line: str | None = None,
    span: int = 1,
    notes: tuple[str, ...] = (),
) -> Diagnostic:
    """Shorthand for an error diagnostic at a place."""
    return Diagnostic(message, Location(path, line, col), source_line, "error", span, notes)
