"""Sandbox: worker processes that load and run untrusted classes under limits.

Generated code never runs in the jbgen process.  A *worker* is a separate
Python process (spawned with ``subprocess``, never forked from a process that
has a JVM) with its own JVM, started with a heap cap and a stack size, a
scrubbed environment, a private working folder as its cwd, POSIX resource
limits and, where the kernel has them, Landlock rules and an empty network
namespace.  The parent talks to it over two pipes in length-prefixed JSON (never
pickle: a compromised worker must not be able to run code in jbgen).

Use::

    with WorkerPool() as pool:
        with pool.session({"demo.Clamp": data}, Limits(call_timeout_s=1)) as s:
            problems = s.link()          # HotSpot link-time verification
            results = s.run([Call("clamp", "(III)I", (5, 0, 3))])
            results[0].value             # 3

A worker that hangs, exits, crashes or runs out of memory is killed and
replaced; the outcome says what happened and in which call.

Imports: ``jbgen.errors`` and ``jbgen.check.verify`` (for diagnostics) in the
parent; the worker (``python -m jbgen.sandbox.worker``) imports ``jbgen.jvm``
and ``jbgen.api`` (to assemble its helper class).  Nothing here imports the
JVM into the parent process.
"""

from jbgen.sandbox.model import Call, Confinement, Limits, Outcome, Results
from jbgen.sandbox.pool import SandboxError, Session, WorkerPool
from jbgen.sandbox.values import Float32, JavaObject, render_call

__all__ = [
    "Call",
    "Confinement",
    "Float32",
    "JavaObject",
    "Limits",
    "Outcome",
    "Results",
    "SandboxError",
    "Session",
    "WorkerPool",
    "render_call",
]
