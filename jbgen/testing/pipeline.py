"""``jbgen test``: one class (or ``.jbasm``) against one contract, from assembly to verdict.

:func:`check_and_test` runs the stages in order and stops at the first that fails:

1. **read**: a ``.jbasm`` is assembled (an error here raises
   :class:`~jbgen.errors.AssemblyError`, exit 2, as ``jbgen asm`` does); a
   ``.class``, jar or folder is read;
2. **policy**: :func:`jbgen.check.policy.check_policy` on every class, widened
   by the contract's ``[policy] allow``;
3. **verify**: structure and ``ClassFile.verify`` (:mod:`jbgen.check.verify`);
4. **conformance**: the class is the contract's, public, extends and
   implements what the contract says, and has each of its methods with the
   right descriptor, public, static or not, with a body, and a public
   no-argument constructor when instance methods are tested;
5. **link**: HotSpot link-time verification in a sandbox worker;
6. **tests**: :func:`jbgen.testing.engine.run_contract_tests` in that worker.

Returns a :class:`Verdict`; its ``exit_code`` is 0 (passed), 3 (a policy,
verification, conformance or link problem) or 4 (a test failed).

For a ``.jbasm`` input, the class that runs in the sandbox is assembled a
second time with a LineNumberTable whose lines are the ``.jbasm``'s (and
``SourceFile`` set to its name), so that a stack trace names the assembly
line that threw.  Only debug attributes differ: the checks of stages 2 to 4
run on the class exactly as ``jbgen asm`` writes it.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Sequence
from dataclasses import dataclass

from jbgen.asm import model as m
from jbgen.contract.model import Contract
from jbgen.errors import Diagnostic, Location
from jbgen.testing.model import TestOptions, TestReport

__all__ = ["ClassUnderTest", "Verdict", "load_classes", "check_and_test"]

ACC_PUBLIC = 0x0001
ACC_STATIC = 0x0008
ACC_INTERFACE = 0x0200
ACC_ABSTRACT = 0x0400

STAGES = ("policy", "verify", "conformance", "link", "tests")


@dataclass(frozen=True)
class Verdict:
    """What ``jbgen test`` found: the stages, their problems, the test report, the timings.

    ``stages`` pairs each stage of :data:`STAGES` with ``ok``, ``failed`` or
    ``skipped`` (after an earlier failure).  ``diagnostics`` are the policy,
    verification, conformance and link problems.  ``tests`` is None when the
    tests did not run.  ``timing`` pairs ``assemble``, ``policy``, ``verify``,
    ``session`` (loading the class into a worker), ``link`` and ``tests`` with
    seconds.
    """

    contract: str
    input: str
    class_name: str
    stages: tuple[tuple[str, str], ...]
    diagnostics: tuple[Diagnostic, ...] = ()
    tests: TestReport | None = None
    timing: tuple[tuple[str, float], ...] = ()

    @property
    def ok(self) -> bool:
        return all(state == "ok" for _, state in self.stages)

    @property
    def failed_stage(self) -> str | None:
        for stage, state in self.stages:
            if state == "failed":
                return stage
        return None

    @property
    def exit_code(self) -> int:
        """0 passed, 3 refused by the policy or verification (conformance, link), 4 a test failed."""
        stage = self.failed_stage
        if stage is None:
            return 0
        return 4 if stage == "tests" else 3

    def stage(self, name: str) -> str:
        return dict(self.stages).get(name, "skipped")


@dataclass
class ClassUnderTest:
    """One class of the input: as checked (``data``), as run (``run_data``), parsed, and its source map."""

    display: str
    data: bytes
    cls: m.ClassDef
    source: object | None = None  # jbgen.check.verify.SourceMap for a .jbasm
    run_data: bytes = b""
    written: m.ClassDef | None = None  # read back from ``data`` (a .jbasm's implied constructor is there)

    @property
    def binary_name(self) -> str:
        return self.cls.name.replace("/", ".")


# ----------------------------------------------------------------------------- reading


def load_classes(path: str, classpath: Sequence[str] = ()) -> list[ClassUnderTest]:
    """The classes of a ``.jbasm`` (assembled), ``.class``, jar or folder."""
    from jbgen import api
    from jbgen.asm.reader import read_class
    from jbgen.check.verify import SourceMap

    out: list[ClassUnderTest] = []
    if path.endswith(".jbasm"):
        text = api.read_text(path)
        shown = "<stdin>" if path == "-" else path
        for a in api.assemble_text(text, shown, classpath):
            back = read_class(a.data, shown)
            source = SourceMap.build(shown, text, a.cls, back)
            run_data = _with_line_numbers(a.cls, shown, classpath) or a.data
            out.append(ClassUnderTest(shown, a.data, a.cls, source, run_data, back))
        return out
    for display, data in api.iter_classes([path]):
        out.append(ClassUnderTest(display, data, read_class(data, display), None, data))
    return out


def _with_line_numbers(cls: m.ClassDef, path: str, classpath: Sequence[str]) -> bytes | None:
    """The class assembled again with its ``.jbasm`` lines as line numbers (None if that fails)."""
    from jbgen.asm.assemble import assemble
    from jbgen.errors import JbgenError

    c = copy.deepcopy(cls)
    changed = False
    for md in c.methods:
        code = md.code
        if code is None or any(type(e) is m.LineNumber for e in code.elements):
            continue
        elements: list[object] = []
        last = 0
        for e in code.elements:
            line = getattr(e, "line", 0) if type(e) is m.Insn else 0
            if line and line != last:
                elements.append(m.LineNumber(line))
                last = line
            elements.append(e)
        code.elements = elements  # type: ignore[assignment]
        changed = True
    if not changed:
        return None
    c.attributes = [a for a in c.attributes if a.name != "SourceFile"]
    c.attributes.append(m.Attribute("SourceFile", os.path.basename(path)))
    try:
        return assemble(c, classpath=classpath, path=path)
    except JbgenError:
        return None
    except Exception:  # noqa: BLE001 - debug info is a convenience: test the class as written
        return None


# ----------------------------------------------------------------------------- conformance


def conformance(contract: Contract, inputs: Sequence[ClassUnderTest], path: str) -> list[Diagnostic]:
    """Is the input the contract's class, with the contract's methods?  One diagnostic per problem."""
    target = next((c for c in inputs if c.cls.name == contract.class_name), None)
    if target is None:
        found = ", ".join(c.binary_name for c in inputs) or "no class"
        return [Diagnostic(f"the input holds no class {contract.binary_name} (it holds {found})", Location(path),
                           notes=("the contract's [class] name must be the class under test",))]
    cls = target.written or target.cls
    out: list[Diagnostic] = []
    source_methods: dict[tuple[str, str], tuple[int, object]] = getattr(target.source, "methods", None) or {}

    def diag(message: str, line: int = 0, notes: tuple[str, ...] = ()) -> None:
        out.append(_located(target, message, line or target.cls.line, notes))

    name = contract.binary_name
    if not cls.flags & ACC_PUBLIC:
        diag(f"class {name} is not public")
    if cls.flags & (ACC_INTERFACE | ACC_ABSTRACT):
        diag(f"class {name} is abstract or an interface: it cannot be instantiated")
    if cls.major > contract.major_version:
        diag(f"class {name} has class-file version {cls.major}, newer than the contract's release "
             f"{contract.release} ({contract.major_version})",
             notes=(f"write `.version {contract.major_version}` or raise the contract's [class] release",))
    if (cls.super_name or "") != contract.superclass:
        sup = (cls.super_name or "none").replace("/", ".")
        diag(f"class {name} extends {sup}, but the contract says {contract.superclass.replace('/', '.')}")
    for itf in contract.interfaces:
        if itf not in cls.interfaces:
            diag(f"class {name} does not implement {itf.replace('/', '.')}")
    methods = {(md.name, md.descriptor): md for md in cls.methods}
    for spec in contract.methods:
        md = methods.get((spec.name, spec.descriptor))
        line = source_methods.get((spec.name, spec.descriptor), (0, None))[0]
        if md is None:
            others = [f"{x.name}{x.descriptor}" for x in cls.methods if x.name == spec.name]
            notes = (f"the contract's descriptor is {spec.descriptor}; the class has {', '.join(others)}",) if others else ()
            diag(f"class {name} has no method {spec.signature}", notes=notes)
            continue
        if not md.flags & ACC_PUBLIC:
            diag(f"method {spec.name}{spec.descriptor} is not public", line)
        if bool(md.flags & ACC_STATIC) != spec.static:
            want = "static" if spec.static else "an instance method"
            diag(f"method {spec.name}{spec.descriptor} must be {want}", line,
                 notes=(f"the contract declares `{spec.signature}`",))
        if md.code is None:
            diag(f"method {spec.name}{spec.descriptor} has no code (abstract or native)", line)
    needs_instance = any(not s.static for s in contract.methods) or contract.stateful is not None
    if needs_instance:
        ctor = methods.get(("<init>", "()V"))
        if ctor is None or not ctor.flags & ACC_PUBLIC:
            diag(f"class {name} has no public no-argument constructor, which the tests of its instance methods need")
    return out


def _located(target: ClassUnderTest, message: str, line: int, notes: tuple[str, ...]) -> Diagnostic:
    src = target.source
    lines: list[str] = list(getattr(src, "lines", None) or [])
    if src is not None and line and 0 < line <= len(lines):
        text = lines[line - 1]
        col = len(text) - len(text.lstrip()) + 1
        return Diagnostic(message, Location(target.display, line, col), text, span=max(len(text.strip()), 1),
                          notes=notes)
    return Diagnostic(message, Location(target.display), notes=notes)


# ----------------------------------------------------------------------------- the pipeline


def check_and_test(
    contract: Contract,
    path: str,
    *,
    classpath: Sequence[str] = (),
    options: TestOptions | None = None,
    pool: object | None = None,
    inputs: Sequence[ClassUnderTest] | None = None,
) -> Verdict:
    """Policy, verification, conformance, link, then the contract tests, for the class(es) at ``path``.

    ``pool`` is a :class:`jbgen.sandbox.WorkerPool` to reuse (one is made,
    and closed, when None).  ``inputs`` skips reading ``path`` (it is then
    only shown in messages).
    """
    from jbgen.check.policy import check_policy
    from jbgen.check.verify import ClassInput, verify_classes

    timing: dict[str, float] = {}
    stages: dict[str, str] = {s: "skipped" for s in STAGES}
    shown = "<stdin>" if path == "-" else path
    t0 = time.perf_counter()
    classes = list(inputs) if inputs is not None else load_classes(path, classpath)
    timing["assemble"] = time.perf_counter() - t0

    def verdict(diags: Sequence[Diagnostic] = (), tests: TestReport | None = None) -> Verdict:
        return Verdict(contract.path, shown, contract.binary_name, tuple(stages.items()), tuple(diags), tests,
                       tuple((k, round(v, 6)) for k, v in timing.items()))

    # 2. policy
    t0 = time.perf_counter()
    diags: list[Diagnostic] = []
    for c in classes:
        others = [o.cls for o in classes if o is not c]
        diags.extend(check_policy(c.cls, contract.policy, source=c.source, path=c.display,  # type: ignore[arg-type]
                                  classes=others))
    timing["policy"] = time.perf_counter() - t0
    stages["policy"] = "failed" if diags else "ok"
    if diags:
        return verdict(diags)

    # 3. structure and ClassFile.verify (link comes in the sandbox)
    t0 = time.perf_counter()
    reports = verify_classes([ClassInput(c.display, c.data, c.source) for c in classes], classpath,  # type: ignore[arg-type]
                             link_check=False)
    for r in reports:
        diags.extend(r.diagnostics)
    timing["verify"] = time.perf_counter() - t0
    stages["verify"] = "failed" if diags else "ok"
    if diags:
        return verdict(diags)

    # 4. conformance
    diags = conformance(contract, classes, shown)
    stages["conformance"] = "failed" if diags else "ok"
    if diags:
        return verdict(diags)

    # 5 and 6: link and test in a sandbox worker
    from jbgen.sandbox import Limits, WorkerPool
    from jbgen.testing.engine import run_contract_tests

    own_pool = pool is None
    worker_pool = WorkerPool() if pool is None else pool
    try:
        p = contract.policy
        limits = Limits(heap_mb=p.heap_mb, call_timeout_s=p.call_timeout_s, contract_timeout_s=p.contract_timeout_s)
        target = next(c for c in classes if c.cls.name == contract.class_name)
        t0 = time.perf_counter()
        session = worker_pool.session(  # type: ignore[attr-defined]
            {c.binary_name: c.run_data for c in classes}, limits, classpath,
            sources={c.binary_name: c.source for c in classes if c.source is not None},
        )
        timing["session"] = time.perf_counter() - t0
        with session:
            t0 = time.perf_counter()
            diags = list(session.link())
            timing["link"] = time.perf_counter() - t0
            stages["link"] = "failed" if diags else "ok"
            if diags:
                return verdict(diags)
            t0 = time.perf_counter()
            report = run_contract_tests(contract, session, classes=[c.cls for c in classes], classpath=classpath,
                                        options=options, source=target.source)
            timing["tests"] = time.perf_counter() - t0
    finally:
        if own_pool:
            worker_pool.close()  # type: ignore[attr-defined]
    stages["tests"] = "ok" if report.ok else "failed"
    return verdict((), report)
