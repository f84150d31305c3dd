"""The parent side: a pool of warm workers, and sessions of loaded classes on them.

The parent enforces every limit that matters for its own survival: it never
waits on a worker without a deadline, kills a worker's whole process group
(SIGKILL) when it is late, and treats everything the worker sends as untrusted
data.  A worker's own watchdog usually reports a call that runs too long first
(with the stack it was stopped in); the parent's deadline, a little later, is
the backstop that does not depend on the worker's cooperation.
"""

from __future__ import annotations

import atexit
import base64
import contextlib
import itertools
import mmap
import os
import select
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import weakref
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from jbgen.errors import Diagnostic, JbgenError
from jbgen.sandbox import confine, protocol
from jbgen.sandbox.model import Call, Confinement, InstanceMode, Limits, Outcome, Results, returned
from jbgen.sandbox.values import (
    decoder,
    encode_args,
    parse_method_descriptor,
    render_call,
)

_PROGRESS = struct.Struct(">iiq")  # batch, index, start: written by BatchRunner in the worker
_CHUNK = 4096  # calls per message when the calls are independent
_BATCH_IDS = itertools.count(1)
_START_TIMEOUT_S = 60.0  # a worker's start-up (slow on a loaded machine)
_IO_TIMEOUT_S = 30.0  # load/unload: no untrusted code runs in them
# Committed memory besides the heap (measured: ~160 MB of VmData in a warm worker with
# 13 threads): metaspace, code cache, malloc, Python, and thread stacks (-Xss each).
_NATIVE_MB = 512


class SandboxError(JbgenError):
    """A worker could not be started or used at all (not something the code under test did)."""

    exit_code = 70


# ----------------------------------------------------------------------------- one worker


class _Died(Exception):
    """The worker exited, was killed, or broke the protocol; ``index``: the call it was in."""

    def __init__(self, status: str, index: int | None, timed_out: bool = False, frames: Sequence[str] = (),
                 results: list | None = None, contract: bool = False) -> None:
        super().__init__(status)
        self.status = status
        self.index = index
        self.timed_out = timed_out
        self.frames = tuple(frames)
        self.results = results or []
        self.contract = contract


def _jvm_options(limits: Limits, workdir: str) -> list[str]:
    return [
        f"-Xmx{limits.heap_mb}m",
        f"-Xms{min(limits.heap_mb, 16)}m",
        f"-Xss{limits.stack_kb}k",
        "-XX:MaxMetaspaceSize=128m",
        "-XX:CompressedClassSpaceSize=64m",
        "-XX:ReservedCodeCacheSize=48m",
        "-XX:MaxDirectMemorySize=16m",
        "-XX:+UseSerialGC",
        "-XX:ActiveProcessorCount=1",
        "-XX:-UsePerfData",  # no hsperfdata file in /tmp
        "-XX:-CreateCoredumpOnCrash",
        "-XX:+DisableAttachMechanism",
        f"-XX:ErrorFile={workdir}/hs_err.log",
        f"-Djava.io.tmpdir={workdir}",
        f"-Duser.home={workdir}",
        "-Djava.security.manager=disallow",
        "--finalization=disabled",  # finalize() never runs
    ]


def _fsize(limits: Limits) -> int:
    """RLIMIT_FSIZE of a worker: room for class files (the worker writes them), not for a disk filler."""
    return 4 << 20


def _data_limit(limits: Limits) -> int:
    """RLIMIT_DATA of a worker: the heap, plus room for the rest of the JVM and Python."""
    return (limits.heap_mb + _NATIVE_MB) << 20


_WORKDIR_PREFIX = "jbgen-worker-"


def _tmp_root() -> str:
    root = tempfile.gettempdir()
    return "/tmp" if any(c.isspace() for c in root) else root  # the JVM options are split on whitespace


def sweep_stale_workdirs() -> int:
    """Remove the work folders of jbgen processes that died without closing their pools.

    A worker cannot remove its own folder (Landlock gives it no rights on the
    folder above), and a parent killed with SIGKILL cannot either.  Folders are
    named ``jbgen-worker-<parent pid>-*``; those of a parent that no longer
    exists (and owned by this user) go.  Returns how many were removed.
    """
    root = _tmp_root()
    removed = 0
    try:
        entries = list(os.scandir(root))
    except OSError:
        return 0
    for e in entries:
        if not e.name.startswith(_WORKDIR_PREFIX):
            continue
        pid_text = e.name[len(_WORKDIR_PREFIX):].split("-", 1)[0]
        if not pid_text.isdigit():
            continue
        try:
            if e.stat(follow_symlinks=False).st_uid != os.getuid() or not e.is_dir(follow_symlinks=False):
                continue
            os.kill(int(pid_text), 0)
            continue  # the parent lives (or its pid was reused): leave it
        except ProcessLookupError:
            pass
        except (PermissionError, OSError):
            continue
        shutil.rmtree(e.path, ignore_errors=True)
        removed += 1
    return removed


class _Worker:
    """One worker process and the parent's ends of its pipes, output files and progress memory."""

    _ids = itertools.count(1)

    def __init__(self, key: tuple, limits: Limits, classpath: Sequence[str], confine_it: bool,
                 runner: bytes | None) -> None:
        self.key = key
        self.limits = limits
        self.id = next(self._ids)
        self.sessions_served = 0
        self.ready = False
        self.dead = False
        self.java = ""
        self.startup_s = 0.0
        self.phases: dict[str, float] = {}  # the worker's start-up, phase by phase (seconds)
        self.confinement = Confinement()
        self.runner_bytes: bytes | None = None
        self._reader = protocol.Reader()
        self._sids = itertools.count(1)
        tmp_root = _tmp_root()
        # The parent's pid in the name: a later pool removes the folders of dead parents.
        self.workdir = tempfile.mkdtemp(prefix=f"{_WORKDIR_PREFIX}{os.getpid()}-", dir=tmp_root)  # mode 0700
        os.chmod(self.workdir, 0o700)
        req_r, self._req_w = os.pipe()
        self._resp_r, resp_w = os.pipe()
        if hasattr(os, "memfd_create"):
            self._progress_fd = os.memfd_create("jbgen-progress", 0)
        else:  # not Linux: an unlinked file does the same
            fd, path = tempfile.mkstemp(prefix="jbgen-progress-")
            os.unlink(path)
            self._progress_fd = fd
        os.ftruncate(self._progress_fd, _PROGRESS.size)
        self.progress = mmap.mmap(self._progress_fd, _PROGRESS.size)
        # stdout and stderr: pipes the parent drains whenever it waits for the
        # worker, keeping the first output_limit bytes of each and counting the rest
        # (a flood costs the worker nothing but the writes, and never blocks it for long).
        self._out, child_out = os.pipe()
        self._err, child_err = os.pipe()
        for fd in (self._out, self._err):
            os.set_blocking(fd, False)
        self._kept = [bytearray(), bytearray()]
        self._dropped = [0, 0]
        self.output_limit = limits.output_limit
        argv = [sys.executable, "-m", "jbgen.sandbox.worker", "--in", str(req_r), "--out", str(resp_w),
                "--progress", str(self._progress_fd), "--parent", str(os.getpid()),
                "--fsize", str(_fsize(limits)), "--data", str(_data_limit(limits)),
                "--stack-kb", str(limits.stack_kb)]
        if confine_it:
            argv.append("--confine")
        for p in classpath:
            argv += ["--read", p]
        if runner is not None:
            path = os.path.join(self.workdir, ".runner.class")
            with open(path, "wb") as fh:
                fh.write(runner)
            argv += ["--runner", path]
        env = confine.worker_env(self.workdir, _jvm_options(limits, self.workdir))
        try:
            self.proc = subprocess.Popen(
                argv, cwd=self.workdir, env=env, stdin=subprocess.DEVNULL, stdout=child_out, stderr=child_err,
                pass_fds=(req_r, resp_w, self._progress_fd), start_new_session=True, close_fds=True,
            )
        except OSError as exc:
            self._close_fds()
            shutil.rmtree(self.workdir, ignore_errors=True)
            raise SandboxError(f"cannot start a sandbox worker: {exc}") from None
        finally:
            for fd in (req_r, resp_w, child_out, child_err):
                os.close(fd)
        self.started_at = time.monotonic()

    # ------------------------------------------------------------------ lifecycle

    def wait_ready(self, timeout: float = _START_TIMEOUT_S) -> None:
        if self.ready:
            return
        try:
            msg = self._recv(time.monotonic() + timeout)
        except _Died as died:
            out, err, _ = self.take_output(4000)
            self.kill()
            raise SandboxError(f"a sandbox worker did not start: {died.status}\n{err or out}".rstrip()) from None
        if msg.get("op") != "ready":
            self.kill()
            raise SandboxError(f"a sandbox worker did not start: {msg.get('message', msg.get('op'))}")
        self.ready = True
        self.java = str(msg.get("java", ""))
        self.startup_s = float(msg.get("startup_s", 0.0))
        phases = msg.get("phases")
        self.phases = {str(k): float(v) for k, v in phases.items()} if isinstance(phases, dict) else {}
        rep = msg.get("confinement") or {}
        self.confinement = Confinement(
            landlock_abi=int(rep.get("landlock_abi", 0)) if rep.get("fs_confined") else 0,
            fs_confined=bool(rep.get("fs_confined")), exec_denied=bool(rep.get("exec_denied")),
            tcp_denied=bool(rep.get("tcp_denied")), network_namespace=bool(rep.get("network_namespace")),
            signals_scoped=bool(rep.get("signals_scoped")),
            rlimits={str(k): int(v) for k, v in (rep.get("rlimits") or {}).items()},
        )
        if "runner" in msg:
            self.runner_bytes = base64.b64decode(msg["runner"])
        # Whatever the worker printed while starting is not any session's output.
        self.take_output(0)

    def alive(self) -> bool:
        return not self.dead and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL the worker's whole process group, reap it, remove its folder."""
        if not self.dead:
            self.dead = True
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=10)
            self._drain_to_end(0.2)
            self._close_fds()
            shutil.rmtree(self.workdir, ignore_errors=True)

    def _close_fds(self) -> None:
        for name in ("_req_w", "_resp_r", "_progress_fd", "_out", "_err"):
            fd = getattr(self, name, None)
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, None)
        with contextlib.suppress(AttributeError, ValueError, BufferError):
            self.progress.close()

    def exit_status(self) -> str:
        """How the process ended, for people: ``the JVM exited with status 3``."""
        try:
            code = self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            return "the worker stopped answering"
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:
                name = "?"
            return f"the JVM was killed by signal {-code} ({name})"
        return f"the JVM exited with status {code}"

    # ------------------------------------------------------------------ output

    def _drain(self, fds: Sequence[int] | None = None) -> None:
        """Read what the worker printed so far, without blocking."""
        for i, fd in enumerate((self._out, self._err)):
            if fd is None or (fds is not None and fd not in fds):
                continue
            while True:
                try:
                    data = os.read(fd, 1 << 16)
                except (BlockingIOError, InterruptedError):
                    break
                except OSError:
                    data = b""
                if not data:
                    break
                room = self.output_limit - len(self._kept[i])
                if room > 0:
                    self._kept[i] += data[:room]
                self._dropped[i] += max(len(data) - max(room, 0), 0)

    def take_output(self, limit: int | None = None) -> tuple[str, str, bool]:
        """What the worker printed since the last call (each cut at ``limit`` bytes)."""
        self._drain()
        limit = self.output_limit if limit is None else limit
        texts = [bytes(k[:limit]).decode("utf-8", "replace") for k in self._kept]
        truncated = any(self._dropped) or any(len(k) > limit for k in self._kept)
        self._kept = [bytearray(), bytearray()]
        self._dropped = [0, 0]
        return texts[0], texts[1], truncated

    def _drain_to_end(self, timeout: float = 1.0) -> None:
        """After the worker died: what is left in its pipes (up to their end, or ``timeout``)."""
        end = time.monotonic() + timeout
        open_fds = [fd for fd in (self._out, self._err) if fd is not None]
        while open_fds and time.monotonic() < end:
            try:
                ready, _, _ = select.select(open_fds, [], [], max(end - time.monotonic(), 0))
            except (OSError, ValueError):
                return
            if not ready:
                return
            for fd in ready:
                i = 0 if fd == self._out else 1
                try:
                    data = os.read(fd, 1 << 16)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError:
                    data = b""
                if not data:
                    open_fds.remove(fd)
                    continue
                room = self.output_limit - len(self._kept[i])
                if room > 0:
                    self._kept[i] += data[:room]
                self._dropped[i] += max(len(data) - max(room, 0), 0)

    # ------------------------------------------------------------------ messages

    def send(self, msg: dict) -> None:
        try:
            protocol.send(self._req_w, msg)
        except (OSError, TypeError) as exc:
            raise _Died(self._death(f"the worker's pipe broke ({exc})"), None) from None

    def _death(self, fallback: str) -> str:
        if self.proc.poll() is not None or self.dead:
            return self.exit_status()
        return fallback

    def _recv(self, deadline: float, watch: _Watch | None = None) -> dict:
        """The next message, or _Died when the worker dies, lies or is late (then it is killed)."""
        while True:
            try:
                msg = self._reader.take()
            except protocol.ProtocolError as exc:
                self.kill()
                raise _Died(f"the worker broke the protocol: {exc}", watch.index() if watch else None) from None
            if msg is not None:
                return msg
            now = time.monotonic()
            wait = deadline - now
            if watch is not None:
                late = watch.late(now)
                if late is not None:
                    idx, contract = late
                    if self.proc.poll() is not None:  # it exited just now: say how, not "late"
                        status = self.exit_status()
                        self._drain_to_end()
                        status = _crash_banner(self._kept[0] + self._kept[1], status)
                        self.kill()
                        raise _Died(status, idx)
                    self.kill()
                    raise _Died("timed out", idx, timed_out=True, contract=contract)
                wait = min(wait, watch.poll)
            if now >= deadline:
                idx = watch.index() if watch else None
                self.kill()
                raise _Died("timed out", idx, timed_out=True, contract=watch is not None)
            fds = [fd for fd in (self._resp_r, self._out, self._err) if fd is not None]
            try:
                ready, _, _ = select.select(fds, [], [], max(wait, 0.001))
            except (OSError, ValueError, TypeError):
                ready = [self._resp_r]
            if self._out in ready or self._err in ready:
                self._drain(ready)
            if self._resp_r in ready:
                try:
                    data = os.read(self._resp_r, 1 << 20)
                except (OSError, TypeError):
                    data = b""
                if not data:
                    idx = watch.index() if watch else None
                    status = self.exit_status()
                    self._drain_to_end()
                    status = _crash_banner(self._kept[0] + self._kept[1], status)
                    self.kill()
                    raise _Died(status, idx)
                self._reader.feed(data)

    def request(self, msg: dict, timeout: float = _IO_TIMEOUT_S, watch: _Watch | None = None) -> dict:
        self.send(msg)
        reply = self._recv(time.monotonic() + timeout, watch)
        op = reply.get("op")
        if op == "timeout":
            idx = reply.get("index")
            frames = reply.get("frames") or []
            results = reply.get("results") or []
            self.kill()
            raise _Died("timed out", idx if isinstance(idx, int) else None, timed_out=True,
                        frames=[str(f) for f in frames][:16], results=results if isinstance(results, list) else [],
                        contract=bool(reply.get("contract")))
        if op == "error":
            self.kill()
            raise _Died(f"the worker failed: {reply.get('message')}", None)
        return reply


@dataclass
class _Watch:
    """The parent's backstop deadlines for one batch, from the worker's shared progress memory."""

    worker: _Worker
    batch: int
    n: int
    limit_s: float
    deadline: float  # the contract's remaining time, as a monotonic time
    grace: float
    poll: float = field(init=False)

    def __post_init__(self) -> None:
        self.poll = max(0.01, min(0.1, self.limit_s / 4))

    def index(self) -> int | None:
        try:
            b, idx, _ = _PROGRESS.unpack_from(self.worker.progress, 0)
        except (ValueError, TypeError, struct.error):
            return None
        return idx if b == self.batch and 0 <= idx < self.n else None

    def late(self, now: float) -> tuple[int | None, bool] | None:
        if now > self.deadline + self.grace:
            return self.index(), True
        try:
            b, idx, started = _PROGRESS.unpack_from(self.worker.progress, 0)
        except (ValueError, TypeError, struct.error):
            return None
        if b == self.batch and 0 <= idx < self.n:
            ran = time.monotonic_ns() - started
            if ran > (self.limit_s + self.grace) * 1e9:
                return idx, False
        return None


# ----------------------------------------------------------------------------- sessions


@dataclass
class _Entry:
    """One call as the worker runs it: ``pos`` in the caller's list (-1: the batch's constructor)."""

    pos: int
    method: int
    args: list
    mode: int  # bit 1: on the batch's instance; bit 2: makes the instance


class _JavaError:
    """A Java exception as :func:`jbgen.check.verify._map_link_error` reads one (class name, message)."""

    def __init__(self, cls: str, message: str | None) -> None:
        self._cls, self._message = cls, message

    def getClass(self) -> _JavaError:  # noqa: N802 (Java's names)
        return self

    def getName(self) -> str:  # noqa: N802
        return self._cls

    def getMessage(self) -> str | None:  # noqa: N802
        return self._message


class Session:
    """One set of classes loaded in one worker, in a class loader of their own.

    Made by :meth:`WorkerPool.session`; the classes are sent and linked when
    it is made.  While a session is open its worker runs nothing else.  Its
    clock (``Limits.contract_timeout_s``) counts the time its code runs (link
    and calls), not the time spent starting replacement workers.
    """

    def __init__(self, pool: WorkerPool, classes: Mapping[str, bytes], limits: Limits, classpath: Sequence[str],
                 sources: Mapping[str, Any] | None) -> None:
        if not classes:
            raise ValueError("a session needs at least one class")
        self.pool = pool
        self.limits = limits
        self.classpath = tuple(classpath)
        self.classes = {k.replace("/", "."): bytes(v) for k, v in classes.items()}
        self.main = next(iter(self.classes))
        self.sources = dict(sources or {})
        self.used_s = 0.0
        self.closed = False
        self.recycle = False
        self._batches = _BATCH_IDS  # unique per process: a worker's progress memory outlives sessions
        self._diagnostics: list[Diagnostic] = []
        self._worker: _Worker | None = None
        self._sid = 0
        self.workers_used = 0
        self.left_threads: list[str] = []
        self.tainted: list[str] = []
        self._attach(first=True)

    # ------------------------------------------------------------------ worker handling

    @property
    def remaining_s(self) -> float:
        return self.limits.contract_timeout_s - self.used_s

    @property
    def expired(self) -> bool:
        """True once the contract's time is used up (every later call is ``skipped``)."""
        return self.remaining_s <= 0

    def _attach(self, first: bool = False) -> None:
        """Get a worker from the pool and load the classes into it."""
        w = self.pool._take(self.limits, self.classpath)
        self.workers_used += 1
        sid = next(w._sids)
        msg = {"op": "load", "sid": sid, "dir": f"s{sid}",
               "classes": {k: base64.b64encode(v).decode("ascii") for k, v in self.classes.items()},
               "classpath": [os.path.abspath(p) for p in self.classpath]}
        t0 = time.monotonic()
        try:
            reply = w.request(msg, timeout=max(min(self.remaining_s, _IO_TIMEOUT_S), 1.0))
        except _Died as died:
            self.pool._give_back(w, recycle=True)
            raise SandboxError(f"the sandbox worker could not load the classes: {died.status}") from None
        finally:
            self.used_s += time.monotonic() - t0
        w.take_output(0)
        w.output_limit = self.limits.output_limit
        self._worker, self._sid = w, sid
        if first:
            errors = reply.get("errors")
            if not isinstance(errors, list):
                errors = []
            self._diagnostics = [self._link_diagnostic(e) for e in errors if isinstance(e, dict)]

    def _link_diagnostic(self, e: dict) -> Diagnostic:
        from jbgen.check.verify import ClassInput, _map_link_error

        name = str(e.get("class", "?"))
        src = self.sources.get(name)
        inp = ClassInput(src.path if src is not None else name, self.classes.get(name, b""), src, name.replace(".", "/"))
        return _map_link_error(inp, _JavaError(str(e.get("exception", "java.lang.LinkageError")),  # type: ignore[arg-type]
                                               e.get("message") if isinstance(e.get("message"), str) else None))

    def _replace_worker(self) -> None:
        if self._worker is not None:
            self.pool._give_back(self._worker, recycle=True)
            self._worker = None
        self._attach()

    # ------------------------------------------------------------------ API

    def link(self) -> list[Diagnostic]:
        """HotSpot link-time verification of every class: one diagnostic per class that fails.

        The classes are defined in a fresh ``URLClassLoader`` (parent: the
        platform loader, then ``classpath``) and linked without being
        initialized, as :func:`jbgen.check.verify.link` does; no code of
        theirs runs.  An empty list means they all linked.
        """
        return list(self._diagnostics)

    def run(self, calls: Sequence[Call], *, cls: str | None = None, instance: InstanceMode = "batch",
            constructor: Call | None = None) -> Results:
        """Run ``calls`` on class ``cls`` (default: the session's first class), in order.

        The whole list crosses to the worker as one batch (or a few, for
        thousands of independent calls) and runs in one loop inside the JVM.
        Instance calls (``static=False``) need an object:

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
        if self.closed:
            raise ValueError("the session is closed")
        if instance not in ("batch", "call"):
            raise ValueError(f"instance must be 'batch' or 'call', got {instance!r}")
        target = (cls or self.main).replace("/", ".")
        ctor = constructor or Call("<init>", "()V", (), static=False)
        if ctor.method != "<init>" or not ctor.descriptor.endswith(")V"):
            raise ValueError(f"constructor must be a Call of <init> returning void, got {ctor}")
        calls = list(calls)
        t_start = time.monotonic()
        # Methods by (name, descriptor, static); arguments checked and encoded now.
        methods: list[list] = []
        index: dict[tuple, int] = {}
        rets: list[str] = []

        def method_id(c: Call) -> int:
            key = (c.method, c.descriptor, bool(c.static))
            if key not in index:
                index[key] = len(methods)
                methods.append([c.method, c.descriptor, bool(c.static)])
                rets.append(parse_method_descriptor(c.descriptor)[1])
            return index[key]

        entries: list[_Entry] = []
        shared = instance == "batch" and any(not c.static for c in calls)
        ctor_entry_pos = None
        for pos, c in enumerate(calls):
            if not isinstance(c, Call):
                raise TypeError(f"call {pos}: expected a Call, got {type(c).__name__}")
            if c.method == "<init>":
                raise ValueError(f"call {pos}: pass constructors as constructor=, not in the calls")
            params, _ = parse_method_descriptor(c.descriptor)
            wire = encode_args(c.args, params, f"{c.method}{c.descriptor}")
            if shared and not c.static and ctor_entry_pos is None:
                cparams, _ = parse_method_descriptor(ctor.descriptor)
                ctor_entry_pos = len(entries)
                entries.append(_Entry(-1, method_id(ctor), encode_args(ctor.args, cparams, f"<init>{ctor.descriptor}"), 2))
            mode = 1 if (shared and not c.static) else 0
            entries.append(_Entry(pos, method_id(c), wire, mode))
        fresh = None
        if instance == "call" and any(not c.static for c in calls):
            cparams, _ = parse_method_descriptor(ctor.descriptor)
            fresh = [ctor.descriptor, encode_args(ctor.args, cparams, f"<init>{ctor.descriptor}")]

        outcomes: list[Outcome | None] = [None] * len(calls)
        ctor_outcome: list[Outcome | None] = [None]
        out_parts: list[str] = []
        err_parts: list[str] = []
        truncated = [False]

        def collect_output() -> None:
            w = self._worker
            if w is None:
                return
            budget = max(self.limits.output_limit - sum(len(p) for p in out_parts), 0)
            o, e, t = w.take_output()
            if len(o) > budget or len(e) > max(self.limits.output_limit - sum(len(p) for p in err_parts), 0):
                t = True
            out_parts.append(o[:budget])
            err_parts.append(e[: max(self.limits.output_limit - sum(len(p) for p in err_parts), 0)])
            truncated[0] = truncated[0] or t

        def call_of(entry: _Entry) -> Call:
            return ctor if entry.pos < 0 else calls[entry.pos]

        def settle(entry: _Entry, outcome: Outcome) -> None:
            if entry.pos < 0:
                ctor_outcome[0] = outcome
            else:
                outcomes[entry.pos] = outcome

        def settle_wire(entry: _Entry, r: object) -> None:
            settle(entry, self._outcome(call_of(entry), rets[entry.method], r, ctor_outcome[0], ctor))

        # Independent calls go in chunks; calls on one shared instance in one batch.
        todo: list[list[_Entry]]
        if shared:
            todo = [entries]
        else:
            todo = [entries[i : i + _CHUNK] for i in range(0, len(entries), _CHUNK)]
        shared_retries = 0
        while todo:
            batch_entries = todo.pop(0)
            if not batch_entries:
                continue
            if self.expired:
                for e in batch_entries:
                    settle(e, self._skipped(call_of(e), "the contract's time limit of "
                                            f"{_secs(self.limits.contract_timeout_s)} was used up"))
                continue
            if self._worker is None or not self._worker.alive():
                self._replace_worker()
            w = self._worker
            assert w is not None
            batch = next(self._batches) % (1 << 31)  # BatchRunner keeps it in an int
            n = len(batch_entries)
            msg = {"op": "run", "sid": self._sid, "batch": batch, "class": target, "methods": methods,
                   "calls": [[e.method, e.args, e.mode] for e in batch_entries], "ctor": fresh,
                   "limit_ns": int(self.limits.call_timeout_s * 1e9),
                   "deadline_ns": max(int(self.remaining_s * 1e9), 1)}
            t0 = time.monotonic()
            grace = max(0.5, self.limits.call_timeout_s * 0.5)
            watch = _Watch(w, batch, n, self.limits.call_timeout_s, t0 + self.remaining_s, grace)
            try:
                reply = w.request(msg, timeout=self.remaining_s + grace + _IO_TIMEOUT_S, watch=watch)
                died = None
            except _Died as d:
                died = d
                reply = {}
            finally:
                self.used_s += time.monotonic() - t0
            collect_output()
            if died is None:
                results = reply.get("results")
                if reply.get("op") != "ran" or not isinstance(results, list) or len(results) != n:
                    died = _Died("the worker broke the protocol: bad results", None)
                    w.kill()
                else:
                    oom = False
                    for e, r in zip(batch_entries, results, strict=True):
                        settle_wire(e, r)
                        o = outcomes[e.pos] if e.pos >= 0 else ctor_outcome[0]
                        oom = oom or (o is not None and o.kind == "oom")
                    if oom:
                        # The heap may be fragmented or half full of the bomb's debris.
                        self.pool._give_back(w, recycle=True)
                        self._worker = None
                    continue
            # The worker is gone.  What ran before the failing call is known when the
            # worker's watchdog reported it; otherwise it is run again.
            self._worker = None
            self.recycle = True
            k = died.index
            if k is None or not 0 <= k < n:
                if n == 1:
                    k = 0
                else:
                    # Unknown culprit: one call at a time (each in a fresh worker if need be).
                    if shared:
                        shared_retries += 1
                        if shared_retries > 2:
                            for e in batch_entries:
                                settle(e, self._crash(call_of(e), died.status))
                        else:
                            todo.insert(0, batch_entries)  # the whole sequence again
                        continue
                    todo[0:0] = [[e] for e in batch_entries]
                    continue
            culprit = batch_entries[k]
            call = call_of(culprit)
            if died.timed_out:
                settle(culprit, self._timeout(call, died))
            else:
                settle(culprit, self._crash(call, died.status))
            prefix = batch_entries[:k]
            known = died.results if died.timed_out else []
            if len(known) == len(prefix) and all(isinstance(r, list) for r in known):
                for e, r in zip(prefix, known, strict=True):
                    settle_wire(e, r)
                prefix = []
            rest = batch_entries[k + 1 :]
            if shared:
                why = f"not run: {self._show(call)} " \
                      f"{'timed out' if died.timed_out else 'crashed the JVM'} before it on the same instance"
                for e in rest:
                    settle(e, self._skipped(call_of(e), why))
                rest = []
            if died.contract:
                for e in prefix + rest:
                    settle(e, self._skipped(call_of(e), "the contract's time limit of "
                                            f"{_secs(self.limits.contract_timeout_s)} was used up"))
                continue
            again = prefix + rest
            if again:
                todo.insert(0, again)
        # Instance calls whose constructor failed take its outcome.
        final = []
        for pos, o in enumerate(outcomes):
            if o is None:
                o = self._skipped(calls[pos], "not run")
            final.append(o)
        return Results(final, "".join(out_parts), "".join(err_parts), truncated[0], time.monotonic() - t_start)

    def close(self) -> None:
        """Unload the classes; give the worker back to the pool (or recycle it).

        A worker is recycled, never reused, when the session's code crashed it,
        timed out or ran out of memory in it, left threads running, or changed
        JVM-wide state (System.out/err/in, system properties, the default
        locale, time zone or uncaught-exception handler): ``left_threads`` and
        ``tainted`` say what was found.
        """
        if self.closed:
            return
        self.closed = True
        w = self._worker
        self._worker = None
        if w is None:
            return
        recycle = self.recycle
        if w.alive():
            try:
                reply = w.request({"op": "unload", "sid": self._sid}, timeout=10.0)
                threads = reply.get("threads")
                tainted = reply.get("tainted")
                self.left_threads = [str(t) for t in threads] if isinstance(threads, list) else ["?"]
                self.tainted = [str(t) for t in tainted] if isinstance(tainted, list) else ["?"]
                recycle = recycle or bool(self.left_threads) or bool(self.tainted)
            except _Died:
                recycle = True
        self.pool._give_back(w, recycle=recycle)

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ outcomes

    def _outcome(self, call: Call, ret: str, r: object, ctor_outcome: Outcome | None, ctor: Call) -> Outcome:
        if type(r) is not list or not r or r[0] not in (0, 1, 2):
            return self._crash(call, "the worker sent a malformed result")
        if r[0] == 0 and len(r) == 2:
            try:
                value = decoder(ret)(r[1])
            except Exception:  # anything a compromised worker could craft (deep tags too)
                return self._crash(call, "the worker sent a malformed value")
            return returned(value, call)  # its detail is made when read
        shown = self._show(call)
        if r[0] == 1 and len(r) == 4:
            exc = str(r[1])
            msg = r[2] if isinstance(r[2], str) else None
            frames = _user_frames(str(r[3] or ""))
            if exc == "java.lang.StackOverflowError":
                return Outcome("stackoverflow", None, exc, msg, f"StackOverflowError in {shown}", frames, call)
            if exc == "java.lang.OutOfMemoryError":
                return Outcome("oom", None, exc, msg, f"OutOfMemoryError in {shown}" + (f": {msg}" if msg else ""),
                               frames, call)
            return Outcome("throw", None, exc, msg, f"{shown} threw {exc}" + (f": {msg}" if msg is not None else ""),
                           frames, call)
        if r[0] == 2:
            if ctor_outcome is None:
                return self._skipped(call, "not run: no instance")
            return Outcome(ctor_outcome.kind if ctor_outcome.kind != "return" else "skipped", None,
                           ctor_outcome.exception, ctor_outcome.message,
                           f"no instance for {shown}: {ctor_outcome.detail}", ctor_outcome.frames, call)
        return self._crash(call, "the worker sent a malformed result")

    def _show(self, call: Call, cls: str | None = None) -> str:
        """``clamp(5, 0, 3)``; a constructor as ``new Clamp()``."""
        text = render_call(call)
        if call.method == "<init>":
            simple = (cls or self.main).rsplit(".", 1)[-1]
            text = f"new {simple}{text[len('new'):]}"
        return text

    def _timeout(self, call: Call, died: _Died) -> Outcome:
        if died.contract:
            detail = f"the contract's time limit of {_secs(self.limits.contract_timeout_s)} ran out in {self._show(call)}"
        else:
            detail = f"timed out after {_secs(self.limits.call_timeout_s)} in {self._show(call)}"
        frames = _user_frames("\n".join(died.frames))
        clinit = next((f for f in frames if ".<clinit>(" in f), None)
        if clinit is not None:
            detail += f", in the static initializer of {clinit.split('.<clinit>(')[0].split('/')[-1]}"
        return Outcome("timeout", None, None, None, detail, frames, call)

    def _crash(self, call: Call, status: str) -> Outcome:
        return Outcome("crash", None, None, status, f"{status} in {self._show(call)}", (), call)

    def _skipped(self, call: Call, why: str) -> Outcome:
        shown = self._show(call)
        return Outcome("skipped", None, None, None, f"{shown} {why}" if why.startswith("not run") else
                       f"{shown} not run: {why}", (), call)


def _crash_banner(stderr: bytes | bytearray, status: str) -> str:
    """HotSpot's fatal-error banner, when it printed one: ``the JVM crashed: SIGSEGV (0xb) at pc=...``."""
    text = bytes(stderr).decode("utf-8", "replace")
    if "A fatal error has been detected" not in text:
        return status
    for line in text.splitlines():
        line = line.strip("# ").strip()
        if line.startswith(("SIG", "EXCEPTION_", "Internal Error", "Out of Memory Error")):
            return f"the JVM crashed ({line.split(', pid=')[0]}) and {status.removeprefix('the JVM ')}"
    return f"the JVM crashed and {status.removeprefix('the JVM ')}"


def _secs(s: float) -> str:
    return f"{s:g} s" if s != int(s) else f"{s:.1f} s"


def _user_frames(text: str, limit: int = 8) -> tuple[str, ...]:
    """The frames above the sandbox's own (method handles, BatchRunner, threads)."""
    out = []
    for f in text.splitlines():
        f = f.strip()
        if not f:
            continue
        if "jbgen.sandbox.BatchRunner" in f or "java.lang.invoke." in f:
            break
        out.append(f)
        if len(out) >= limit:
            break
    return tuple(out)


# ----------------------------------------------------------------------------- the pool


class WorkerPool:
    """Warm sandbox workers, reused across sessions.

    Up to ``max_idle`` workers are kept warm per (heap, stack, output limit,
    classpath).  A worker is recycled (killed; a fresh one is started in the
    background) after a crash, a timeout, an ``OutOfMemoryError``, a session
    that left threads running, or ``sessions_per_worker`` sessions.
    ``confine=False`` turns off the Landlock and network-namespace
    confinement (for debugging; the resource limits and the scrubbed
    environment stay).  Thread-safe; a session is used by one thread at a time.
    """

    def __init__(self, *, max_idle: int = 2, sessions_per_worker: int = 50, confine: bool = True) -> None:
        self.max_idle = max_idle
        self.sessions_per_worker = sessions_per_worker
        self.confine = confine
        self._idle: dict[tuple, list[_Worker]] = {}
        self._all: set[_Worker] = set()
        self._runner: bytes | None = None
        self._lock = threading.Lock()
        self._closed = False
        self.started = 0  # workers started, for tests and benchmarks
        sweep_stale_workdirs()
        _open_pools.add(self)

    @staticmethod
    def _key(limits: Limits, classpath: Sequence[str]) -> tuple:
        return (limits.heap_mb, limits.stack_kb, _fsize(limits), tuple(os.path.abspath(p) for p in classpath))

    def _spawn(self, limits: Limits, classpath: Sequence[str]) -> _Worker:
        w = _Worker(self._key(limits, classpath), limits, [os.path.abspath(p) for p in classpath], self.confine,
                    self._runner)
        with self._lock:
            self._all.add(w)
            self.started += 1
        return w

    def _take(self, limits: Limits, classpath: Sequence[str]) -> _Worker:
        if self._closed:
            raise SandboxError("the worker pool is closed")
        key = self._key(limits, classpath)
        while True:
            with self._lock:
                idle = self._idle.get(key, [])
                w = idle.pop(0) if idle else None
            if w is None:
                w = self._spawn(limits, classpath)
            try:
                w.wait_ready()
            except SandboxError:
                with self._lock:
                    self._all.discard(w)
                raise
            if not w.alive():  # died while idle (its parent thread ended, or it was killed)
                self._discard(w)
                continue
            if w.runner_bytes is not None and self._runner is None:
                self._runner = w.runner_bytes
            return w

    def _discard(self, w: _Worker) -> None:
        w.kill()
        with self._lock:
            self._all.discard(w)

    def _give_back(self, w: _Worker, recycle: bool) -> None:
        w.sessions_served += 1
        if recycle or not w.alive() or w.sessions_served >= self.sessions_per_worker or self._closed:
            self._discard(w)
            if not self._closed:
                self._refill(w.key, w.limits)
            return
        with self._lock:
            idle = self._idle.setdefault(w.key, [])
            if len(idle) < self.max_idle:
                idle.append(w)
                return
        self._discard(w)

    def _refill(self, key: tuple, limits: Limits) -> None:
        """Start a replacement in the background so the next session finds it warm."""
        with self._lock:
            if len(self._idle.get(key, [])) >= 1 or self.max_idle < 1:
                return
        try:
            w = self._spawn(limits, key[3])
        except SandboxError:
            return
        with self._lock:
            self._idle.setdefault(key, []).append(w)

    def session(self, classes: Mapping[str, bytes], limits: Limits | None = None, classpath: Sequence[str] = (),
                *, sources: Mapping[str, Any] | None = None) -> Session:
        """Load ``classes`` (binary name -> class bytes) into a worker; a context manager.

        ``classpath`` lists jars and folders the classes may use (read-only in
        the worker).  ``sources`` maps a class name to its
        :class:`jbgen.check.verify.SourceMap`, so that link diagnostics point at
        ``.jbasm`` lines.  Blocks until a worker is ready (a cold start takes
        about a second).
        """
        return Session(self, classes, limits or Limits(), classpath, sources)

    def prestart(self, limits: Limits | None = None, classpath: Sequence[str] = ()) -> None:
        """Start a worker for these limits in the background (returns at once)."""
        limits = limits or Limits()
        key = self._key(limits, classpath)
        w = self._spawn(limits, classpath)
        with self._lock:
            self._idle.setdefault(key, []).append(w)

    def confinement(self, limits: Limits | None = None) -> Confinement:
        """What confinement a worker gets on this machine (starts one if none is warm)."""
        limits = limits or Limits()
        w = self._take(limits, ())
        try:
            return w.confinement
        finally:
            with self._lock:
                self._idle.setdefault(w.key, []).insert(0, w)

    def close(self) -> None:
        """Kill every worker of the pool and remove their folders."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
            self._idle.clear()
        for w in workers:
            w.kill()

    def __enter__(self) -> WorkerPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:  # (and _close_all_pools at exit)
        try:
            if not self._closed:
                self.close()
        except Exception:
            pass


# Pools that a program forgot to close are closed when it exits, so that no work
# folder stays behind (the workers themselves exit when their pipe closes).
_open_pools: weakref.WeakSet[WorkerPool] = weakref.WeakSet()


@atexit.register
def _close_all_pools() -> None:
    for p in list(_open_pools):
        with contextlib.suppress(Exception):
            p.close()
