"""The parent side: a pool of warm workers, and sessions of loaded classes on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from jbgen.errors import Diagnostic, JbgenError
from jbgen.sandbox.model import Call, InstanceMode, Limits, Results


class SandboxError(JbgenError):
    """A worker could not be started or used at all (not something the code under test did)."""

    exit_code = 70


class Session:
    """One set of classes loaded in one worker, in a class loader of their own.

    Made by :meth:`WorkerPool.session`; the classes are sent and linked when
    it is made.  While a session is open its worker runs nothing else.  Its
    clock (``Limits.contract_timeout_s``) starts when it is made.
    """

    def link(self) -> list[Diagnostic]:
        """HotSpot link-time verification of every class: one diagnostic per class that fails.

        The classes are defined in a fresh ``URLClassLoader`` (parent: the
        platform loader, then ``classpath``) and linked without being
        initialized, as :func:`jbgen.check.verify.link` does; no code of
        theirs runs.  An empty list means they all linked.
        """
        raise NotImplementedError

    def run(self, calls: Sequence[Call], *, cls: str | None = None, instance: InstanceMode = "batch",
            constructor: Call | None = None) -> Results:
        """Run ``calls`` on class ``cls`` (default: the session's first class), in order.

        The whole list crosses to the worker as one batch and runs in one loop
        inside the JVM.  Instance calls (``static=False``) need an object:

        - ``instance="batch"``: one object for the whole batch, made by
          ``constructor`` (default: ``Call("<init>", "()V")``) just before the
          first instance call; every instance call of the batch runs on it, in
          order (stateful testing).  If the constructor fails, every instance
          call's outcome is the constructor's.
        - ``instance="call"``: a fresh object for every instance call, made by
          ``constructor`` each time (independent cases).

        Each call is limited by ``Limits.call_timeout_s`` and all calls of the
        session together by ``Limits.contract_timeout_s``.  A call that times
        out or crashes the worker gets that outcome; the worker is replaced
        and the other calls of the batch still get theirs (those after it on a
        shared instance are ``skipped``).  Never raises for what the code does;
        raises ValueError/TypeError for arguments that do not fit their
        descriptor, and :class:`SandboxError` if no worker can be started.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Unload the classes; give the worker back to the pool (or recycle it)."""
        raise NotImplementedError

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class WorkerPool:
    """Warm sandbox workers, reused across sessions.

    ``max_idle`` workers are kept warm per (heap, stack, output limit,
    classpath).  A worker is recycled (killed; a fresh one is started in the
    background) after a crash, a timeout, an ``OutOfMemoryError``, a session
    that left threads running, or ``sessions_per_worker`` sessions.
    ``confine=False`` turns off the Landlock and network-namespace
    confinement (for debugging; the resource limits and the scrubbed
    environment stay).
    """

    def __init__(self, *, max_idle: int = 2, sessions_per_worker: int = 50, confine: bool = True) -> None:
        self.max_idle = max_idle
        self.sessions_per_worker = sessions_per_worker
        self.confine = confine

    def session(self, classes: Mapping[str, bytes], limits: Limits | None = None, classpath: Sequence[str] = (),
                *, sources: Mapping[str, Any] | None = None) -> Session:
        """Load ``classes`` (binary name -> class bytes) into a worker; a context manager.

        ``classpath`` lists jars and folders the classes may use (read-only in
        the worker).  ``sources`` maps a class name to its
        :class:`jbgen.check.verify.SourceMap`, so that link diagnostics point at
        ``.jbasm`` lines.
        """
        raise NotImplementedError

    def prestart(self, limits: Limits | None = None, classpath: Sequence[str] = ()) -> None:
        """Start a worker for these limits in the background (returns at once)."""
        raise NotImplementedError

    def close(self) -> None:
        """Kill every worker of the pool and remove their folders."""
        raise NotImplementedError

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
