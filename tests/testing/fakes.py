"""A stand-in for a sandbox Session that runs Python code: engine tests without a worker."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from jbgen.sandbox import Call, Outcome, Results, render_call


class JavaThrow(Exception):  # noqa: N818 - stands for a Java exception
    """Raised by a fake implementation: the call threw ``cls`` (a binary name)."""

    def __init__(self, cls: str, message: str | None = None) -> None:
        super().__init__(cls)
        self.cls = cls
        self.message = message


class Hang(Exception):  # noqa: N818
    """Raised by a fake implementation: the call timed out."""


class FakeSession:
    """Runs calls on ``impl``: a dict of functions (static methods) or a class (instances).

    Records every batch in ``batches`` (a list of call lists).
    """

    def __init__(self, impl: dict[str, Callable[..., Any]] | type, timeout_s: float = 1.0) -> None:
        self.impl = impl
        self.timeout_s = timeout_s
        self.batches: list[list[Call]] = []

    @property
    def calls(self) -> list[Call]:
        return [c for b in self.batches for c in b]

    def run(self, calls: Sequence[Call], *, cls: str | None = None, instance: str = "batch",
            constructor: Call | None = None) -> Results:
        self.batches.append(list(calls))
        shared = None
        stop = False
        out = Results()
        for c in calls:
            if stop and not c.static:
                out.append(Outcome("skipped", detail=f"not run: {render_call(c)}"))
                continue
            if c.static:
                fn = self.impl[c.method]  # type: ignore[index]
            else:
                if instance == "call" or shared is None:
                    obj = self.impl()  # type: ignore[operator]
                    if instance == "batch":
                        shared = obj
                fn = getattr(shared if instance == "batch" else obj, c.method)
            try:
                value = fn(*c.args)
            except JavaThrow as t:
                out.append(Outcome("throw", exception=t.cls, message=t.message,
                                   detail=f"{render_call(c)} threw {t.cls}"))
                continue
            except Hang:
                out.append(Outcome("timeout", detail=f"timed out after {self.timeout_s} s in {render_call(c)}"))
                stop = instance == "batch"
                continue
            out.append(Outcome("return", value=value))
        return out
