"""Verification of class bytes: structural parse, ``ClassFile.verify``, HotSpot link-time.

Three layers, each a function that returns diagnostics (it never raises for a
bad class, and never prints):

1. :func:`structural` reads the bytes with jbgen's strict reader and with the
   JDK's ``ClassFile.parse``;
2. :func:`classfile_verify` runs ``java.lang.classfile``'s verifier (the
   JDK's port of HotSpot's type-checking verifier; no class loading);
3. :func:`link` defines the classes in a throwaway class loader and links them
   without initializing them, so HotSpot's own verifier runs and none of the
   class's code does (no ``<clinit>``, no method).

Diagnostics name class, method and bci, and when the class came from assembly
text (a :class:`SourceMap`), the ``.jbasm`` line of the instruction at fault.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from jbgen.asm import model as m
from jbgen.asm.names import Names
from jbgen.errors import ClassFormatError, Diagnostic, Location

if TYPE_CHECKING:
    from jbgen.check.policy import Policy


@dataclass
class SourceMap:
    """Where the instructions of an assembled class came from.

    ``methods`` maps ``(name, descriptor)`` to the method's header line and a
    map from bci to assembly line.
    """

    path: str
    lines: list[str]
    class_line: int = 0
    methods: dict[tuple[str, str], tuple[int, dict[int, int]]] = field(default_factory=dict)

    @staticmethod
    def build(path: str, text: str, source: m.ClassDef, assembled: m.ClassDef) -> SourceMap:
        """Pair the parsed class (lines) with the class read back from its bytes (bcis)."""
        sm = SourceMap(path, text.splitlines(), source.line)
        by_key = {(md.name, md.descriptor): md for md in assembled.methods}
        for md in source.methods:
            bcis: dict[int, int] = {}
            out = by_key.get((md.name, md.descriptor))
            if md.code is not None and out is not None and out.code is not None:
                src = [e for e in md.code.elements if type(e) is m.Insn]
                got = [e for e in out.code.elements if type(e) is m.Insn]
                if len(src) == len(got):
                    for a, b in zip(src, got, strict=True):
                        bcis[b.bci] = a.line
            sm.methods[(md.name, md.descriptor)] = (md.line, bcis)
        return sm

    def locate(self, method: tuple[str, str] | None, bci: int | None) -> Location:
        line = self.class_line
        if method is not None:
            entry = self.methods.get(method)
            if entry is not None:
                line = entry[0] or line
                if bci is not None:
                    exact = entry[1].get(bci)
                    if exact is None and entry[1]:
                        # A bci inside an instruction (or a frame position): the one before.
                        before = [b for b in entry[1] if b <= bci]
                        exact = entry[1][max(before)] if before else None
                    line = exact or line
        col = None
        if line and 0 < line <= len(self.lines):
            src = self.lines[line - 1]
            col = len(src) - len(src.lstrip()) + 1
        return Location(self.path, line or None, col)

    def source_line(self, loc: Location) -> str | None:
        if loc.line and 0 < loc.line <= len(self.lines):
            return self.lines[loc.line - 1]
        return None


@dataclass
class ClassInput:
    """One class to check: where it is shown from, its bytes, and its source when known."""

    display: str
    data: bytes
    source: SourceMap | None = None
    name: str | None = None  # internal name, once read


@dataclass
class CheckReport:
    """The outcome of the three checks for one class."""

    display: str
    name: str | None
    checks: dict[str, str] = field(default_factory=dict)  # check -> ok|failed|skipped
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(v != "failed" for v in self.checks.values())

    def to_json(self) -> dict[str, object]:
        return {
            "input": self.display,
            "class": self.name.replace("/", ".") if self.name else None,
            "ok": self.ok,
            "checks": dict(self.checks),
            "diagnostics": [d.to_json() for d in self.diagnostics],
        }


def _diag(inp: ClassInput, message: str, method: tuple[str, str] | None = None, bci: int | None = None,
          notes: tuple[str, ...] = ()) -> Diagnostic:
    where = ""
    if method is not None:
        names = Names(inp.name or "")
        try:
            shown = f"{method[0]}{names.method_desc_text(method[1])}"
        except ValueError:
            shown = f"{method[0]}{method[1]}"
        where = f"in {shown}" + (f" at bci {bci}" if bci is not None else "") + ": "
    if inp.source is not None:
        loc = inp.source.locate(method, bci)
        cls_note = (f"class {inp.name.replace('/', '.')}",) if inp.name else ()
        return Diagnostic(where + message, loc, inp.source.source_line(loc), notes=cls_note + notes)
    prefix = f"{inp.name.replace('/', '.')}: " if inp.name else ""
    return Diagnostic(prefix + where + message, Location(inp.display), notes=notes)


# ----------------------------------------------------------------------------- 1. structure


def structural(inp: ClassInput) -> tuple[m.ClassDef | None, list[Diagnostic]]:
    """Read the class strictly (jbgen's reader, then the JDK's parser)."""
    from jbgen.asm.reader import read_class

    try:
        cls = read_class(inp.data, inp.display)
    except ClassFormatError as exc:
        return None, [Diagnostic(d.message, Location(inp.display)) for d in exc.diagnostics]
    inp.name = cls.name
    return cls, []


# ----------------------------------------------------------------------------- 2. ClassFile.verify

# "Bad type on operand stack in demo/Foo::f(int) @2 (integer_type is not assignable ...)"
_CF_VERIFY = re.compile(r"^(?P<msg>.*?) in (?P<cls>[^\s:]+)::(?P<name>[^\s(]+)\((?P<params>[^)]*)\)(?: @(?P<bci>\d+))?(?P<rest>.*)$", re.S)


def classfile_verify(inp: ClassInput, cls: m.ClassDef | None, classfile: object | None = None) -> list[Diagnostic]:
    """``ClassFile.verify(bytes)``: every error, mapped to method, bci and line.

    ``classfile`` is a ``ClassFile`` whose class hierarchy resolver knows the
    classes under test and the class path (see :func:`_staged`); the verifier
    needs it to check assignments between those classes.
    """
    from jbgen.asm._jdk import jdk

    if cls is not None and cls.major < 50:
        # The type-checking verifier needs stack maps (version 50+); HotSpot's
        # old type-inferencing verifier covers older classes at link time.
        return []
    cf = classfile if classfile is not None else jdk().ClassFile.of()
    try:
        errors = cf.verify(inp.data)  # type: ignore[attr-defined]
    except Exception as exc:  # a JDK bug or a class it cannot even read
        return [_diag(inp, f"ClassFile.verify failed: {exc}")]
    out = []
    for e in errors:
        msg = str(e.getMessage())
        out.append(_map_cf_message(inp, cls, msg))
    return out


def _map_cf_message(inp: ClassInput, cls: m.ClassDef | None, msg: str) -> Diagnostic:
    mt = _CF_VERIFY.match(msg.strip())
    if mt is None or cls is None:
        return _diag(inp, msg.strip())
    name = mt.group("name")
    params = [p.strip() for p in mt.group("params").split(",") if p.strip()]
    method = _find_method(cls, name, params)
    bci = int(mt.group("bci")) if mt.group("bci") else None
    text = mt.group("msg").strip()
    rest = mt.group("rest").strip()
    if rest:
        text += " " + rest
    return _diag(inp, text, method, bci)


def _find_method(cls: m.ClassDef, name: str, params: list[str]) -> tuple[str, str] | None:
    """The method a JDK message names as ``name(int, String)``."""
    candidates = [md for md in cls.methods if md.name == name]
    if len(candidates) == 1:
        return (name, candidates[0].descriptor)
    names = Names(cls.name)
    for md in candidates:
        try:
            shown = names.method_desc_text(md.descriptor)
        except ValueError:
            continue
        inner = shown[1 : shown.index(")")]
        got = [p for p in inner.split(",") if p]
        if len(got) == len(params) and all(
            g == p or p.endswith("." + g) or g.endswith(p.rsplit(".", 1)[-1]) for g, p in zip(got, params, strict=True)
        ):
            return (name, md.descriptor)
    return (name, candidates[0].descriptor) if candidates else None


# ----------------------------------------------------------------------------- 3. HotSpot link

# HotSpot: "Location:\n    demo/Foo.f(I)I @2: ireturn\n  Reason:\n    Type ... "
_HS_LOCATION = re.compile(r"Location:\s*\n\s*(?P<cls>\S+?)\.(?P<name>[^.(\s]+)(?P<desc>\([^\s]*)\s+@(?P<bci>\d+)")
_HS_REASON = re.compile(r"Reason:\s*\n\s*(?P<reason>.+)")


def _linkable(name: str | None) -> bool:
    # Only the boot loader may define java.* classes; module-info is not a class.
    return name is not None and not (
        name.startswith("java/") or name == "module-info" or name.endswith(("/module-info", "package-info"))
    )


class _Staged:
    """The classes under test written to a private folder under their binary names,
    for the link check's throwaway ``URLClassLoader`` (only classes a user
    class loader may define are written).
    """

    def __init__(self, inputs: Sequence[ClassInput], classpath: Sequence[str]) -> None:
        self.dir = tempfile.mkdtemp(prefix="jbgen-verify-")
        self.classpath = list(classpath)
        for inp in inputs:
            if not _linkable(inp.name):
                continue
            assert inp.name is not None
            dest = os.path.join(self.dir, *inp.name.split("/")) + ".class"
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as fh:
                fh.write(inp.data)

    def urls(self) -> object:
        import jpype

        File = jpype.JClass("java.io.File")
        URL = jpype.JClass("java.net.URL")
        return jpype.JArray(URL)([File(p).toURI().toURL() for p in [self.dir, *self.classpath]])

    def close(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)


def _verifier(parsed: Sequence[m.ClassDef | None], classpath: Sequence[str]) -> object:
    """A ``ClassFile`` whose resolver knows the classes under test, then the class path and the JDK.

    The classes under test are described from their parsed models (no files,
    no class loading); the class path's classes are found by parsing their
    class files; the JDK's own through its default resolver, all cached.
    """
    from jbgen.asm._jdk import jdk
    from jbgen.asm.assemble import make_resolver

    J = jdk()
    interfaces = J.ArrayList()
    supers = J.HashMap()
    for cls in parsed:
        if cls is None or cls.name.endswith("module-info"):
            continue
        desc = J.ClassDesc.ofInternalName(cls.name)
        if cls.flags & m.ACC_INTERFACE:
            interfaces.add(desc)
        elif cls.super_name is not None:
            supers.put(desc, J.ClassDesc.ofInternalName(cls.super_name))
    resolver = J.ClassHierarchyResolver.of(interfaces, supers).orElse(make_resolver(classpath))
    return J.ClassFile.of(J.ClassHierarchyResolverOption.of(resolver))


def link(inputs: Sequence[ClassInput], classpath: Sequence[str] = (), staged: _Staged | None = None) -> dict[int, list[Diagnostic] | None]:
    """Define and link every class in one throwaway loader; ``None`` means skipped.

    The classes are written to a private temporary folder under their binary
    names and loaded by a fresh ``URLClassLoader`` whose parent sees only the
    platform classes, with the class path after the classes under test, so
    they win over same-named classes elsewhere.  ``Class.forName(name, false,
    loader)`` loads without initializing; ``getDeclaredMethods()`` then links
    the class, which runs HotSpot's verifier; no code of the class runs.
    """
    import jpype

    from jbgen.asm._jdk import jdk

    jdk()
    URLClassLoader = jpype.JClass("java.net.URLClassLoader")
    ClassLoader = jpype.JClass("java.lang.ClassLoader")
    JClassCls = jpype.JClass("java.lang.Class")
    own = staged is None
    st = staged if staged is not None else _Staged(inputs, classpath)
    results: dict[int, list[Diagnostic] | None] = {}
    try:
        todo = []
        for i, inp in enumerate(inputs):
            if _linkable(inp.name):
                todo.append((i, inp))
            else:
                results[i] = None
        if not todo:
            return results
        loader = URLClassLoader(st.urls(), ClassLoader.getPlatformClassLoader())
        try:
            for i, inp in todo:
                results[i] = _link_one(inp, loader, JClassCls)
        finally:
            loader.close()
    finally:
        if own:
            st.close()
    return results


def _link_one(inp: ClassInput, loader: object, JClassCls: object) -> list[Diagnostic] | None:
    """Link one class; None (skipped) when the JDK already defines a class of that name."""
    import jpype

    name = (inp.name or "").replace("/", ".")
    try:
        c = JClassCls.forName(name, False, loader)  # type: ignore[attr-defined]
        owner = c.getClassLoader()  # None for the boot loader
        if owner is None or not owner.equals(loader):
            # Delegation found the JDK's own class of this name (jdk.internal.*, sun.*):
            # linking it would check the JDK's bytes, not these.
            return None
        c.getDeclaredMethods()
        c.getDeclaredFields()
        c.getDeclaredConstructors()
    except jpype.JException as exc:
        return [_map_link_error(inp, exc)]
    return []


def _map_link_error(inp: ClassInput, exc: BaseException) -> Diagnostic:
    jcls = str(exc.getClass().getName())  # type: ignore[attr-defined]
    msg = str(exc.getMessage() or "")  # type: ignore[attr-defined]
    kind = jcls.rsplit(".", 1)[-1]
    loc = _HS_LOCATION.search(msg)
    if loc is not None:
        reason = _HS_REASON.search(msg)
        head = msg.split("\n", 1)[0].strip()
        text = f"{kind}: {head}"
        if reason is not None:
            text += f": {reason.group('reason').strip()}"
        return _diag(inp, text, (loc.group("name"), loc.group("desc")), int(loc.group("bci")))
    if kind == "NoClassDefFoundError":
        return _diag(inp, f"cannot link: class {msg.replace('/', '.')} is not on the classpath",
                     notes=("pass the jars or folders it needs with --classpath",))
    return _diag(inp, f"{kind}: {msg.strip()}")


# ----------------------------------------------------------------------------- all three


def verify_classes(inputs: Sequence[ClassInput], classpath: Sequence[str] = (), *, link_check: bool = True,
                   policy: Policy | None = None) -> list[CheckReport]:
    """Run the three checks on every input; one report per input, in order.

    With a ``policy`` (:class:`~jbgen.check.policy.Policy`), the policy check
    runs too, as the ``policy`` check, on every class that could be read; the
    classes of all inputs are checked together (references between them are
    allowed).  The cyclic garbage collector is paused meanwhile: the parsed
    models of every input stay alive until the end, and collections over them
    cost more than the checks (see ``jbgen._gc``).
    """
    from jbgen._gc import paused

    with paused():
        return _verify_classes(inputs, classpath, link_check=link_check, policy=policy)


def _verify_classes(inputs: Sequence[ClassInput], classpath: Sequence[str] = (), *, link_check: bool = True,
                   policy: Policy | None = None) -> list[CheckReport]:
    """Run the three checks on every input; one report per input, in order.

    With a ``policy`` (:class:`~jbgen.check.policy.Policy`), the policy check
    runs too, as the ``policy`` check, on every class that could be read; the
    classes of all inputs are checked together (references between them are
    allowed).
    """
    reports: list[CheckReport] = []
    parsed: list[m.ClassDef | None] = []
    for inp in inputs:
        cls, diags = structural(inp)
        rep = CheckReport(inp.display, inp.name)
        rep.checks["structure"] = "failed" if diags else "ok"
        rep.diagnostics.extend(diags)
        reports.append(rep)
        parsed.append(cls)
    return _checks(inputs, parsed, reports, classpath, link_check, policy)


def _checks(inputs: Sequence[ClassInput], parsed: list[m.ClassDef | None], reports: list[CheckReport],
            classpath: Sequence[str], link_check: bool, policy: Policy | None) -> list[CheckReport]:
    cf = _verifier(parsed, classpath) if any(c is not None and c.major >= 50 for c in parsed) else None
    for inp, cls, rep in zip(inputs, parsed, reports, strict=True):
        if cls is None:
            rep.checks["classfile-verify"] = "skipped"
            continue
        if cls.major < 50:
            rep.checks["classfile-verify"] = "skipped"
            continue
        diags = classfile_verify(inp, cls, cf)
        rep.checks["classfile-verify"] = "failed" if diags else "ok"
        rep.diagnostics.extend(diags)
    if policy is not None:
        from jbgen.check.policy import check_policy

        together = {c.name: c for c in parsed if c is not None}
        for inp, cls, rep in zip(inputs, parsed, reports, strict=True):
            if cls is None:
                rep.checks["policy"] = "skipped"
                continue
            diags = check_policy(cls, policy, source=inp.source, path=inp.display, classes=together)
            rep.checks["policy"] = "failed" if diags else "ok"
            rep.diagnostics.extend(diags)
    if link_check:
        linked = link(inputs, classpath)
        for i, rep in enumerate(reports):
            res = linked.get(i)
            if res is None:
                rep.checks["link"] = "skipped"
            else:
                rep.checks["link"] = "failed" if res else "ok"
                rep.diagnostics.extend(res)
    return reports
