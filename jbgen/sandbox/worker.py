"""A sandbox worker: ``python -m jbgen.sandbox.worker`` (started by :mod:`jbgen.sandbox.pool`).

The worker confines itself (:mod:`jbgen.sandbox.confine`) before it starts
its JVM, assembles its helper class ``BatchRunner`` (or takes the bytes the
pool got from the first worker), then serves requests (see
:mod:`jbgen.sandbox.protocol`) one at a time.

Untrusted code runs only on a ``jbgen-batch`` Java thread, inside
``BatchRunner.run``; the main thread watches it and reports a call that runs
past its limit, with the batch thread's stack, then exits (a Java thread
cannot be stopped; the parent kills the whole process group).  Nothing else
here calls a method of an object the untrusted code made, except on final JDK
classes (String, the boxes, arrays, ``Class.getName``): a hostile ``toString``
or ``getMessage`` gets no chance to run outside a call's limits.
"""

from __future__ import annotations

import argparse
import array
import base64
import contextlib
import json
import mmap
import os
import struct
import sys
import time
import traceback

from jbgen.sandbox import confine, protocol
from jbgen.sandbox.values import BOX_OF, STRING, parse_method_descriptor

_PROGRESS = struct.Struct(">iiq")  # batch, index, start (System.nanoTime / CLOCK_MONOTONIC)
_BOX_LETTERS = {
    "java.lang.Integer": "I", "java.lang.Long": "J", "java.lang.Short": "S", "java.lang.Byte": "B",
    "java.lang.Character": "C", "java.lang.Boolean": "Z", "java.lang.Float": "F", "java.lang.Double": "D",
}
_NATIVE_UTF16 = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"


class Worker:
    """The worker's state: its JVM's helper classes and the loaded sessions."""

    def __init__(self, rfd: int, wfd: int, progress: mmap.mmap, stack_kb: int, runner_bytes: bytes,
                 parent: int = 0) -> None:
        import jpype

        self.jpype = jpype
        self.rfd, self.wfd = rfd, wfd
        self.parent = parent or os.getppid()
        self.mm = progress
        self.stack_bytes = stack_kb * 1024
        J = jpype.JClass
        self.Object = J("java.lang.Object")
        self.String = J("java.lang.String")
        self.Class = J("java.lang.Class")
        self.Thread = J("java.lang.Thread")
        self.File = J("java.io.File")
        self.URL = J("java.net.URL")
        self.URLClassLoader = J("java.net.URLClassLoader")
        self.ClassLoader = J("java.lang.ClassLoader")
        self.MethodHandle = J("java.lang.invoke.MethodHandle")
        self.MethodHandles = J("java.lang.invoke.MethodHandles")
        self.MethodType = J("java.lang.invoke.MethodType")
        self.Modifier = J("java.lang.reflect.Modifier")
        self.Float = J("java.lang.Float")
        self.Double = J("java.lang.Double")
        self.System = J("java.lang.System")
        self.JArray = jpype.JArray
        self.prims = {
            "I": jpype.JInt, "J": jpype.JLong, "S": jpype.JShort, "B": jpype.JByte,
            "Z": jpype.JBoolean, "C": jpype.JChar, "F": jpype.JFloat, "D": jpype.JDouble,
        }
        self.lookup = self.MethodHandles.publicLookup()
        self.ObjectArray = jpype.JArray(self.Object)
        self.ObjectArray2 = jpype.JArray(self.Object, 2)
        self.IntArray = jpype.JArray(jpype.JInt)
        self.ByteArray = jpype.JArray(jpype.JByte)
        self.HandleArray = jpype.JArray(self.MethodHandle)
        self.prim_arrays = {k: jpype.JArray(v) for k, v in self.prims.items()}
        # One thread runs every batch, with the stack size of the limits (a new
        # thread per batch cost 0.2-0.6 ms, a hand-over to this one ~50 us).
        factory = self.Thread.ofPlatform().name("jbgen-batch").daemon(True).stackSize(self.stack_bytes).factory()
        self.executor = J("java.util.concurrent.Executors").newSingleThreadExecutor(factory)
        self.progress_buf = jpype.nio.convertToDirectBuffer(progress)
        self.Runner = self._define_runner(runner_bytes)
        # Start the batch thread now (an empty batch), so it is part of the baseline.
        empty = self.Runner(0, self.progress_buf, self.HandleArray(0), self.ObjectArray2(0), self.ByteArray(0))
        self.executor.submit(empty).get()
        self.batch_thread = empty.thread
        self.sessions: dict[int, dict] = {}
        self.baseline_threads = {int(t.threadId()) for t in self._threads()}
        self.baseline_state = self._global_state()

    # ------------------------------------------------------------------ set-up

    def _define_runner(self, data: bytes):  # -> JClass
        d = os.path.join(os.getcwd(), ".runner", "jbgen", "sandbox")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "BatchRunner.class"), "wb") as fh:
            fh.write(data)
        root = self.File(os.path.join(os.getcwd(), ".runner")).toURI().toURL()
        loader = self.URLClassLoader(self.JArray(self.URL)([root]), self.ClassLoader.getPlatformClassLoader())
        cls = self.Class.forName("jbgen.sandbox.BatchRunner", True, loader)
        self._runner_loader = loader
        return self.jpype.JClass(cls)

    def _global_state(self) -> dict:
        """JVM-wide state a class could change for every later session of this worker."""
        jp = self.jpype
        S = self.System
        # TimeZone.getDefault() sets user.timezone the first time: ask it first.
        tz = str(jp.JClass("java.util.TimeZone").getDefault().getID())
        props = S.getProperties()
        state: dict[str, object] = {
            "out": S.out, "err": S.err, "in": S.in_, "props": props,
            "locale": jp.JClass("java.util.Locale").getDefault(),
            "handler": self.Thread.getDefaultUncaughtExceptionHandler(),
            # The batch thread is reused: what a call can change about it.
            "tccl": self.batch_thread.getContextClassLoader(),
            "thread handler": self.batch_thread.getUncaughtExceptionHandler(),
        }
        state["thread"] = (str(self.batch_thread.getName()), int(self.batch_thread.getPriority()),
                           bool(self.batch_thread.isDaemon()), bool(self.batch_thread.isAlive()))
        values = {}
        for k in props.stringPropertyNames():
            values[str(k)] = _jstr(props.getProperty(k))
        state["values"] = values
        state["tz"] = tz
        return state

    def _tainted(self) -> list[str]:
        """What JVM-wide state differs from the worker's start (then the worker is not reused)."""
        try:
            now = self._global_state()
        except Exception as exc:  # a property table a class broke
            return [f"global state unreadable: {exc}"]
        base = self.baseline_state
        changed = [k for k in ("out", "err", "in", "props", "locale", "handler", "tccl", "thread handler")
                   if not bool(self.Runner.same(now[k], base[k]))]
        if now["thread"] != base["thread"]:
            changed.append("batch thread")
        if now["values"] != base["values"]:
            new, old = now["values"], base["values"]
            assert isinstance(new, dict) and isinstance(old, dict)
            keys = sorted(k for k in set(new) | set(old) if new.get(k) != old.get(k))
            changed.append("system properties " + ", ".join(keys[:5]) + (" ..." if len(keys) > 5 else ""))
        if now["tz"] != base["tz"]:
            changed.append("default time zone")
        return changed

    def _threads(self) -> list:
        group = self.Thread.currentThread().getThreadGroup()
        while group.getParent() is not None:
            group = group.getParent()
        arr = self.JArray(self.Thread)(group.activeCount() + 64)
        n = group.enumerate(arr, True)
        return [arr[i] for i in range(n)]

    # ------------------------------------------------------------------ loop

    def serve(self) -> None:
        while True:
            try:
                msg = protocol.recv(self.rfd)
            except protocol.ProtocolError:
                os._exit(0)  # the parent hung up
            op = msg["op"]
            if op == "exit":
                os._exit(0)
            handler = getattr(self, "op_" + op, None)
            if handler is None:
                reply = {"op": "error", "message": f"unknown op {op!r}"}
            else:
                try:
                    reply = handler(msg)
                except Exception as exc:  # a bug here, not in the code under test
                    reply = {"op": "error", "message": f"{type(exc).__name__}: {exc}",
                             "traceback": traceback.format_exc(limit=8)}
            protocol.send(self.wfd, reply)

    # ------------------------------------------------------------------ load / unload

    def op_load(self, msg: dict) -> dict:
        jp = self.jpype
        folder = os.path.join(os.getcwd(), msg["dir"])
        # The worker writes the class files itself: it is confined to its folder,
        # so nothing its earlier sessions left there (a symlink) can redirect a write.
        for name, b64 in msg["classes"].items():
            dest = os.path.join(folder, *name.split(".")) + ".class"
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as fh:
                fh.write(base64.b64decode(b64))
        urls = [self.File(folder).toURI().toURL()] + [self.File(p).toURI().toURL() for p in msg.get("classpath", [])]
        loader = self.URLClassLoader(self.JArray(self.URL)(urls), self.ClassLoader.getPlatformClassLoader())
        classes: dict[str, object] = {}
        errors = []
        for name in msg["classes"]:
            try:
                # Loaded but not initialized; reflection links it (HotSpot's verifier
                # runs) and still runs none of its code, as jbgen.check.verify.link does.
                c = self.Class.forName(name, False, loader)
                c.getDeclaredMethods()
                c.getDeclaredFields()
                c.getDeclaredConstructors()
                classes[name] = c
            except jp.JException as exc:
                errors.append({"class": name, "exception": str(exc.getClass().getName()),
                               "message": _jstr(exc.getMessage())})
        self.sessions[msg["sid"]] = {"loader": loader, "classes": classes, "errors": {e["class"]: e for e in errors}}
        return {"op": "loaded", "sid": msg["sid"], "errors": errors}

    def op_unload(self, msg: dict) -> dict:
        sess = self.sessions.pop(msg["sid"], None)
        if sess is not None:
            with contextlib.suppress(self.jpype.JException):
                sess["loader"].close()
        left = []
        for t in self._threads():
            if int(t.threadId()) not in self.baseline_threads and t.isAlive():
                left.append(str(t.getName()) + (" (daemon)" if t.isDaemon() else ""))
        return {"op": "unloaded", "sid": msg["sid"], "threads": left, "tainted": self._tainted()}

    # ------------------------------------------------------------------ run

    def op_run(self, msg: dict) -> dict:
        sess = self.sessions[msg["sid"]]
        batch = int(msg["batch"])
        cname = msg["class"]
        cls, cls_error = self._class(sess, cname)
        methods = msg["methods"]
        calls = msg["calls"]
        n = len(calls)
        ctor = msg.get("ctor")  # fresh instance per instance call: [desc, args]
        handles = []
        cache = sess.setdefault("handles", {})
        for name, desc, static in methods:
            key = (cname, name, desc, bool(static), json.dumps(ctor) if ctor and not static else None)
            h = cache.get(key)
            if h is None:
                h = cache[key] = self._handle(cls, cls_error, sess["loader"], name, desc, static, ctor)
            handles.append(h)
        # Arguments: grouped by method, converted column by column, made rows in Java.
        rows = self.ObjectArray2(n)
        groups: dict[int, list[int]] = {}
        for i, (mi, _args, _mode) in enumerate(calls):
            groups.setdefault(mi, []).append(i)
        modes = bytearray(n)
        for i, (_mi, _args, mode) in enumerate(calls):
            modes[i] = int(mode) & 3
        for mi, at in groups.items():
            name, desc, static = methods[mi]
            params, _ = parse_method_descriptor(desc)
            lead = 1 if any(modes[i] & 1 for i in at) else 0
            columns = self.ObjectArray(len(params))
            for c, p in enumerate(params):
                columns[c] = self._column([calls[i][1][c] for i in at], p, sess["loader"])
            self.Runner.fill(rows, self.IntArray(at), columns, lead)
        handle_arr = self.HandleArray([handles[calls[i][0]][0] for i in range(n)])
        runner = self.Runner(batch, self.progress_buf, handle_arr, rows, self.ByteArray(bytes(modes)))
        limit_ns = int(msg["limit_ns"])
        deadline = time.monotonic_ns() + int(msg["deadline_ns"])
        poll = max(2, min(50, limit_ns // 8_000_000))
        _PROGRESS.pack_into(self.mm, 0, batch, -1, 0)  # nothing of an earlier batch can look like this one
        future = self.executor.submit(runner)
        # Wait without calling into Java: if a call runs System.exit, JPype's context
        # goes away under a thread that is inside a JPype call, and _jpype.so crashes
        # (seen: SIGSEGV instead of the exit status).  BatchRunner's progress in
        # shared memory says when it is done; the nap doubles up to `poll`.
        nap, poll_s = 20e-6, poll / 1000
        while True:
            b, idx, started = _PROGRESS.unpack_from(self.mm, 0)
            if b == batch and idx >= n:
                break
            now = time.monotonic_ns()
            over_call = b == batch and 0 <= idx < n and now - started > limit_ns
            if over_call or now > deadline:
                # Re-read: the runner writes the start time before the index, but
                # the two stores are not one atomic write.
                time.sleep(0.002)
                b2, idx2, started2 = _PROGRESS.unpack_from(self.mm, 0)
                if b2 == batch and idx2 >= n:
                    break
                if over_call and (idx2, started2) != (idx, started):
                    continue
                thread = runner.thread
                frames = [str(f) for f in thread.getStackTrace()[:16]] if thread is not None else []
                if any("java.lang.Shutdown." in f for f in frames):
                    # System.exit is under way: from any thread but the main one HotSpot
                    # waits ~0.3 s for threads in native code (ours) before it exits.
                    # Let it finish; the parent's own deadline still bounds the wait.
                    while True:
                        time.sleep(1)
                done = int(runner.done)
                results = self._results(runner, methods, calls, min(done, n))
                protocol.send(self.wfd, {"op": "timeout", "batch": batch, "index": idx2 if 0 <= idx2 < n else done,
                                         "contract": not over_call, "frames": frames, "results": results})
                os._exit(0)
            time.sleep(nap)
            nap = min(nap * 2, poll_s)
            if nap == poll_s and not confine.parent_alive(self.parent):
                os._exit(0)  # jbgen is gone: nobody waits for this batch
        future.get()  # done: this orders the results' writes before our reads
        if runner.escaped is not None:
            raise RuntimeError(f"the batch loop failed after {int(runner.done)} calls: "
                               f"{runner.escaped.getClass().getName()}")
        return {"op": "ran", "batch": batch, "results": self._results(runner, methods, calls, n)}

    def _class(self, sess: dict, name: str) -> tuple[object, dict | None]:
        c = sess["classes"].get(name)
        if c is not None:
            return c, None
        if name in sess["errors"]:
            return None, sess["errors"][name]
        try:
            c = self.Class.forName(name, False, sess["loader"])
            sess["classes"][name] = c
            return c, None
        except self.jpype.JException as exc:
            return None, {"exception": str(exc.getClass().getName()), "message": _jstr(exc.getMessage())}

    def _handle(self, cls, cls_error, loader, name: str, desc: str, static: bool, ctor) -> tuple[object, str | None]:
        """A MethodHandle for the method, or one that throws why there is none."""
        jp = self.jpype
        try:
            if cls is None:
                raise _Unresolved(cls_error["exception"], cls_error["message"])
            mt = self.MethodType.fromMethodDescriptorString(desc, loader)
            if name == "<init>":
                k = cls.getDeclaredConstructor(mt.parameterArray())
                k.setAccessible(True)
                return self.lookup.unreflectConstructor(k), None
            m = self._find_method(cls, name, mt)
            if m is None:
                raise _Unresolved("java.lang.NoSuchMethodError",
                                  f"{cls.getName()}.{name}{desc}")
            is_static = self.Modifier.isStatic(m.getModifiers())
            if bool(is_static) != bool(static):
                raise _Unresolved("java.lang.IncompatibleClassChangeError",
                                  f"{cls.getName()}.{name}{desc} is {'' if is_static else 'not '}static")
            with contextlib.suppress(jp.JException):
                m.setAccessible(True)
            h = self.lookup.unreflect(m)
            if not static and ctor is not None:
                h = self._fresh_instance(cls, loader, h, ctor)
            return h, None
        except _Unresolved as u:
            return self._thrower(u.args[0], u.args[1], name, desc, static), u.args[0]
        except jp.JException as exc:
            return self._thrower(str(exc.getClass().getName()), _jstr(exc.getMessage()), name, desc, static), "error"

    def _find_method(self, cls, name: str, mt):
        c = cls
        while c is not None:
            for m in c.getDeclaredMethods():
                if str(m.getName()) == name and self.MethodType.methodType(m.getReturnType(), m.getParameterTypes()).equals(mt):
                    return m
            c = c.getSuperclass()
        for m in cls.getMethods():  # interface default methods
            if str(m.getName()) == name and self.MethodType.methodType(m.getReturnType(), m.getParameterTypes()).equals(mt):
                return m
        return None

    def _fresh_instance(self, cls, loader, h, ctor):
        """``h(receiver, args...)`` -> ``(args...)`` on a new object made by the constructor each call."""
        cdesc, cargs = ctor
        cmt = self.MethodType.fromMethodDescriptorString(cdesc, loader)
        k = cls.getDeclaredConstructor(cmt.parameterArray())
        k.setAccessible(True)
        kh = self.lookup.unreflectConstructor(k)
        params, _ = parse_method_descriptor(cdesc)
        if params:
            vals = self.JArray(self.Object)([self._to_java(v, p, loader) for v, p in zip(cargs, params, strict=True)])
            kh = self.MethodHandles.insertArguments(kh, 0, vals)
        kh = kh.asType(kh.type().changeReturnType(h.type().parameterType(0)))
        return self.MethodHandles.collectArguments(h, 0, kh)

    def _thrower(self, exc_class: str, message: str | None, name: str, desc: str, static: bool):
        """A handle that takes a call's arguments and throws ``exc_class(message)`` (a LinkageError)."""
        jp = self.jpype
        try:
            t = jp.JClass(exc_class)(message or "")
        except Exception:
            t = jp.JClass("java.lang.LinkageError")(f"{exc_class}: {message or ''}")
        h = self.MethodHandles.throwException(self.Object, jp.JClass("java.lang.Throwable")).bindTo(t)
        params, _ = parse_method_descriptor(desc)
        arity = len(params) + (0 if static or name == "<init>" else 1)
        if arity:
            h = self.MethodHandles.dropArguments(h, 0, self.JArray(self.Class)([self.Object.class_] * arity))
        return h

    # ------------------------------------------------------------------ Python -> Java

    def _column(self, values: list, desc: str, loader):
        """One parameter's values for every call of a group, as one Java array."""
        jp = self.jpype
        if desc in ("I", "J", "S", "B"):
            return self.JArray(self.prims[desc])(values)
        if desc == "Z":
            return self.JArray(jp.JBoolean)([bool(v) for v in values])
        if desc == "C":
            return self.JArray(jp.JChar)(memoryview(array.array("H", values)))
        if desc == "F":
            return self.JArray(jp.JFloat)(memoryview(array.array("I", values).tobytes()).cast("f"))
        if desc == "D":
            return self.JArray(jp.JDouble)(memoryview(array.array("Q", values).tobytes()).cast("d"))
        return self.JArray(self.Object)([self._to_java(v, desc, loader) for v in values])

    def _to_java(self, v, desc: str, loader):
        """A wire value -> a Java object (boxed for primitives) of type ``desc``."""
        jp = self.jpype
        if v is None:
            return None
        if desc == STRING:
            return self._jstring(v)
        if desc in _BOX_DESCS:
            desc = _BOX_DESCS[desc]
        if desc in ("I", "J", "S", "B", "Z", "C"):
            if desc == "C":
                return jp.JObject(jp.JChar(chr(v)), jp.JClass("java.lang.Character"))
            box = jp.JClass(BOX_OF[desc].replace("/", ".")[1:-1])
            return jp.JObject(self.prims[desc](v), box)
        if desc == "F":
            return self.Float.valueOf(self.Float.intBitsToFloat(jp.JInt(_signed(v, 32))))
        if desc == "D":
            return self.Double.valueOf(self.Double.longBitsToDouble(jp.JLong(_signed(v, 64))))
        if desc.startswith("["):
            comp = desc[1:]
            if comp in self.prims:
                return self._column(v, comp, loader)
            comp_cls = self.Class.forName(_binary(comp), False, loader) if comp.startswith("L") else \
                self.MethodType.fromMethodDescriptorString(f"(){comp}", loader).returnType()
            arr = jp.JClass("java.lang.reflect.Array").newInstance(comp_cls, len(v))
            for i, e in enumerate(v):
                arr[i] = self._to_java(e, comp, loader)
            return arr
        tag, value = v  # another reference type: tagged with the runtime type
        return self._to_java(value, tag, loader)

    def _jstring(self, s: str):
        try:
            return self.jpype.JString(s)
        except UnicodeEncodeError:  # lone surrogates: through UTF-16 code units
            units = memoryview(s.encode(_NATIVE_UTF16, "surrogatepass")).cast("H")
            return self.String(self.JArray(self.jpype.JChar)(units))

    # ------------------------------------------------------------------ Java -> wire

    def _results(self, runner, methods: list, calls: list, upto: int) -> list:
        n = len(calls)
        kinds_arr = self.ByteArray(n)
        bits = _prims(self.Runner.bits(runner.results, runner.status, kinds_arr), "q")
        kinds = bytes(memoryview(kinds_arr))
        out: list = []
        results = runner.results
        info = runner.info
        status = bytes(memoryview(runner.status))
        rets = [parse_method_descriptor(desc)[1] if name != "<init>" else "<init>" for name, desc, _ in methods]
        for i in range(upto):
            st = status[i]
            if st == 2:
                out.append([2])
                continue
            if st == 1:
                out.append([1, _jstr(info[3 * i]), _jstr(info[3 * i + 1]), _jstr(info[3 * i + 2]) or ""])
                continue
            ret = rets[calls[i][0]]
            k = kinds[i]
            if ret == "<init>":  # the instance stays in the worker
                out.append([0, None])
                continue
            if ret == "V" or k == 0:
                out.append([0, None])
            elif ret in ("I", "J", "S", "B", "C"):
                out.append([0, bits[i]])
            elif ret == "Z":
                out.append([0, bool(bits[i])])
            elif ret == "F":
                out.append([0, bits[i] & 0xFFFF_FFFF])
            elif ret == "D":
                out.append([0, bits[i] & 0xFFFF_FFFF_FFFF_FFFF])
            else:
                out.append([0, self._obj_to_wire(results[i], ret, k, bits[i])])
        return out

    def _obj_to_wire(self, o, declared: str, kind: int | None = None, bits: int = 0):
        if o is None:
            return None
        if kind is None or kind == ord("s") or kind == ord("["):
            cname = str(o.getClass().getName())
        else:
            cname = ""
        if kind is not None and 65 <= kind <= 90:  # a box, unboxed in bulk
            letter = chr(kind)
            value = _box_value(letter, bits)
        elif kind is None and cname in _BOX_LETTERS:
            letter = _BOX_LETTERS[cname]
            value = self._unbox(o, letter)
        else:
            letter = None
        if letter is not None:
            return value if declared == BOX_OF.get(letter) else [letter, value]
        if cname == "java.lang.String":
            s = _jstr(o)
            return s if declared == STRING else [STRING, s]
        if cname.startswith("["):
            runtime = cname.replace(".", "/")
            if declared.startswith("["):
                return self._array_to_wire(o, declared)
            return [runtime, self._array_to_wire(o, runtime)]
        if not cname:
            cname = str(o.getClass().getName())
        return {"class": cname, "id": int(self.System.identityHashCode(o))}

    def _unbox(self, o, letter: str):
        if letter == "F":
            return int(self.Float.floatToRawIntBits(o.floatValue())) & 0xFFFF_FFFF
        if letter == "D":
            return int(self.Double.doubleToRawLongBits(o.doubleValue())) & 0xFFFF_FFFF_FFFF_FFFF
        if letter == "Z":
            return bool(o.booleanValue())
        if letter == "C":
            return ord(str(o.charValue()))
        return int(o.longValue())

    def _array_to_wire(self, arr, desc: str) -> list:
        comp = desc[1:]
        code = _ARRAY_CODES.get(comp)
        if code == "?":
            return [bool(x) for x in _prims(arr, "B")]
        if code is not None:
            return _prims(arr, code)
        return [self._obj_to_wire(arr[i], comp) for i in range(len(arr))]


class _Unresolved(Exception):
    pass


_BOX_DESCS = {v: k for k, v in BOX_OF.items()}


# How a primitive array's memory reads: F and D as their raw bits.
_ARRAY_CODES = {"I": "i", "J": "q", "S": "h", "B": "b", "C": "H", "F": "I", "D": "Q", "Z": "?"}


def _prims(jarr, code: str) -> list:
    """A Java primitive array -> list, by copying its memory (JPype exposes it as a buffer)."""
    out = array.array(code)
    out.frombytes(bytes(memoryview(jarr)))
    return out.tolist()


def _box_value(letter: str, bits: int):
    if letter == "Z":
        return bool(bits)
    if letter == "F":
        return bits & 0xFFFF_FFFF
    if letter == "D":
        return bits & 0xFFFF_FFFF_FFFF_FFFF
    return bits


def _signed(v: int, width: int) -> int:
    v &= (1 << width) - 1
    return v - (1 << width) if v >> (width - 1) else v


def _binary(desc: str) -> str:
    """A field descriptor -> the name Class.forName takes (``[I``, ``java.lang.String``, ``[Ljava.lang.String;``)."""
    if desc.startswith("["):
        return desc.replace("/", ".")
    return desc[1:-1].replace("/", ".")


def _jstr(s) -> str | None:
    """A java.lang.String -> str, exactly: lone surrogates kept, pairs joined.

    JPype's own conversion refuses a lone surrogate, and (worse) turns a
    low-then-high sequence into an astral character; so its result is trusted
    only when it has no astral character, else the UTF-16 units are decoded here.
    """
    if s is None:
        return None
    try:
        text = str(s)
        if text.isascii() or max(text) <= "\uffff":
            return text
    except UnicodeDecodeError:
        pass
    return bytes(memoryview(s.toCharArray())).decode(_NATIVE_UTF16, "surrogatepass")


# ----------------------------------------------------------------------------- start-up


def _assemble_runner() -> bytes:
    from jbgen.api import assemble_text

    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "BatchRunner.jbasm")
    try:
        with open(path, encoding="utf-8") as fh:
            text = fh.read()
    except FileNotFoundError:
        raise RuntimeError(f"{path} is missing: the jbgen package was installed without its "
                           "package data (jbgen/sandbox/*.jbasm)") from None
    (assembled,) = assemble_text(text, path)
    return assembled.data


def main(argv: list[str] | None = None) -> None:
    t0 = time.monotonic()
    ap = argparse.ArgumentParser(prog="python -m jbgen.sandbox.worker")
    ap.add_argument("--in", dest="rfd", type=int, required=True)
    ap.add_argument("--out", dest="wfd", type=int, required=True)
    ap.add_argument("--progress", type=int, required=True)
    ap.add_argument("--parent", type=int, required=True)
    ap.add_argument("--fsize", type=int, required=True)
    ap.add_argument("--data", type=int, default=None)
    ap.add_argument("--stack-kb", type=int, required=True)
    ap.add_argument("--confine", action="store_true")
    ap.add_argument("--read", action="append", default=[])
    ap.add_argument("--runner", default=None, help="a file with BatchRunner's bytes (else assemble it)")
    a = ap.parse_args(argv)

    if not confine.parent_alive(a.parent):
        os._exit(0)
    phases: dict[str, float] = {}

    def phase(name: str, since: list[float] = [t0]) -> None:  # noqa: B006 (a running clock)
        now = time.monotonic()
        phases[name] = round(now - since[0], 4)
        since[0] = now

    phase("python")
    report: dict[str, object] = {"rlimits": confine.set_rlimits(a.fsize, a.data)}
    # Everything the worker imports later must be readable once it is confined;
    # import it now, while nothing is restricted.
    import jpype
    import jpype.imports  # noqa: F401
    import jpype.nio  # noqa: F401

    from jbgen import jvm

    runner_bytes = None
    if a.runner:
        with open(a.runner, "rb") as fh:
            runner_bytes = fh.read()
    else:
        import jbgen.api  # noqa: F401
        import jbgen.asm.assemble  # noqa: F401
    phase("imports")
    if a.confine:
        report["network_namespace"] = confine.no_network()
        report.update(confine.landlock(os.getcwd(), confine.default_read_paths() + list(a.read)))
    phase("confine")
    try:
        jvm.start()
    except Exception as exc:
        protocol.send(a.wfd, {"op": "failed", "message": f"cannot start the JVM: {exc}"})
        os._exit(1)
    phase("jvm")
    assembled = runner_bytes is None
    if runner_bytes is None:
        runner_bytes = _assemble_runner()
        phase("assemble")
    mm = mmap.mmap(a.progress, _PROGRESS.size)
    worker = Worker(a.rfd, a.wfd, mm, a.stack_kb, runner_bytes, a.parent)
    phase("helper")
    ready = {"op": "ready", "pid": os.getpid(), "java": jvm.java_version(), "confinement": report,
             "startup_s": round(time.monotonic() - t0, 4), "phases": phases}
    if assembled:
        ready["runner"] = base64.b64encode(runner_bytes).decode("ascii")
    protocol.send(a.wfd, ready)
    worker.serve()


if __name__ == "__main__":
    main()
