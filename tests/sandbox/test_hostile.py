"""The hostile corpus (fixtures/hostile/run-*.jbasm) run through the sandbox, policy off.

Each class has a static ``run()`` and, on its first line,
``// expect: KIND`` (an outcome kind) or ``// expect: TEXT`` (a substring of
the outcome's detail); ``A|B`` accepts either.  Calls have 0.5 s where a
timeout is expected, 5 s elsewhere, and a 64 MB heap.  Optional lines:
``// limits: name=value`` overrides the suite's small limits, ``// needs:
landlock`` marks a class that only Landlock contains (skipped, and said so,
where the kernel has none), ``// after: threads|tainted`` says the session must
have found threads left running or changed JVM-wide state (so its worker is
recycled, not reused).

For every class: the verdict is the expected one, this process is alive, no
file appeared outside the worker's folder, and no secret reached the outcome
or the captured output.
"""

from __future__ import annotations

import dataclasses
import glob
import os
import re
import tempfile
from pathlib import Path

import pytest

from jbgen.sandbox import Call, Limits

from .conftest import ROOT, assembled, classes

HOSTILE = sorted(glob.glob(str(ROOT / "fixtures" / "hostile" / "run-*.jbasm")))
KINDS = {"return", "throw", "timeout", "crash", "oom", "stackoverflow", "skipped"}
SUITE_LIMITS = Limits(heap_mb=64, call_timeout_s=0.5, contract_timeout_s=20.0, output_limit=64_000)

# Where the corpus tries to write (and the folder a relative escape lands in).
ESCAPES = ["/tmp/jbgen-hostile-*", os.path.join(tempfile.gettempdir(), "jbgen-hostile-*"),
           str(ROOT / "jbgen-hostile-*"), os.path.expanduser("~/jbgen-hostile-*")]


def header(path: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        m = re.match(r"//\s*(expect|limits|needs|after):\s*(.*)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
        elif not line.startswith("//"):
            break
    return out


def escaped_files() -> set[str]:
    return {f for pattern in ESCAPES for f in glob.glob(pattern)}


def test_the_corpus_is_there():
    assert len(HOSTILE) >= 20
    for path in HOSTILE:
        assert "expect" in header(path), f"{path}: no '// expect:' line"


@pytest.mark.parametrize("path", HOSTILE, ids=lambda p: Path(p).stem)
def test_hostile_class_is_contained(pool, secrets, confinement, path):
    head = header(path)
    if head.get("needs") == "landlock" and not confinement.fs_confined:
        pytest.skip("NOT CONTAINED on this machine: no Landlock (Linux 5.13+) to confine the worker")
    if head.get("needs") == "network-isolation" and not (confinement.tcp_denied or confinement.network_namespace):
        pytest.skip("NOT CONTAINED on this machine: neither Landlock TCP rules (Linux 6.7+) nor a network namespace")
    # A tight call limit where a timeout is the verdict; room elsewhere, so that a
    # loaded machine does not turn a slow return into a timeout.
    limits = SUITE_LIMITS if "timed out" in head["expect"] else dataclasses.replace(SUITE_LIMITS, call_timeout_s=5.0)
    if "limits" in head:
        changes = dict(kv.split("=") for kv in head["limits"].split())
        limits = dataclasses.replace(limits, **{k: type(getattr(limits, k))(v) for k, v in changes.items()})
    for f in escaped_files():
        os.remove(f)
    ((name, data),) = assembled(path)
    with pool.session({name: data}, limits) as s:
        assert s.link() == [], "the hostile classes are valid classes: they must pass verification"
        results = s.run([Call("run", _run_descriptor(path))])
    o = results[0]
    expect = head["expect"]
    shown = f"{o.kind}: {o.detail}"
    assert any(_matches(o, e.strip()) for e in expect.split("|")), f"expected {expect!r}, got {shown}"

    # The jbgen process survived (we are here), and it still runs code in the sandbox.
    assert os.getpid() > 0
    # Nothing escaped to the file system.
    assert escaped_files() == set(), f"{shown}: wrote outside its folder"
    # No secret reached the outcome or the output.
    seen = repr(o) + str(o.value) + o.detail + results.stdout + results.stderr + "".join(o.frames)
    for key, value in secrets.items():
        assert value not in seen, f"{key} leaked into the outcome of {Path(path).name}"
    if head.get("after") == "threads":
        assert s.left_threads, "the session should have found threads left running"
    if head.get("after") == "tainted":
        assert s.tainted, "the session should have found JVM-wide state changed"
    if "return" in expect.split("|") and o.kind == "return" and "flood" in path:
        assert results.truncated and len(results.stdout.encode()) <= limits.output_limit


def test_shutdown_hooks_never_run(secrets):
    """Workers are SIGKILLed, never shut down: a hook registered by a call does not run."""
    from jbgen.sandbox import WorkerPool

    path = str(ROOT / "fixtures" / "hostile" / "run-shutdown-hook.jbasm")
    ((name, data),) = assembled(path)
    for f in escaped_files():
        os.remove(f)
    with WorkerPool(max_idle=0) as own, own.session({name: data}, SUITE_LIMITS) as s:
        r = s.run([Call("run", "()I")])
        assert r[0].kind == "return"
    # The pool is closed: its worker was killed; a hook would have printed or written by now.
    assert "HOOK" not in r.stdout + r.stderr
    assert escaped_files() == set()


def test_the_pool_still_works_after_the_corpus(pool):
    with pool.session(classes("Values"), SUITE_LIMITS) as s:
        r = s.run([Call("add", "(II)I", (2**31 - 1, 1))])
    assert r[0].kind == "return" and r[0].value == -(2**31)


def _matches(o, expect: str) -> bool:
    if expect in KINDS:
        return o.kind == expect
    return expect in o.detail or expect == (o.exception or "")


def _run_descriptor(path: str) -> str:
    from jbgen.asm.parser import parse_all

    (cls,) = parse_all(Path(path).read_text(encoding="utf-8"), path)
    (md,) = [m for m in cls.methods if m.name == "run" and m.flags & 0x0008]
    return md.descriptor
