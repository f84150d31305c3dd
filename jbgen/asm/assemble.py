"""``ClassDef`` -> class-file bytes, through the JDK's ``java.lang.classfile`` API.

This module owns the lowering of the symbolic model (:mod:`jbgen.asm.model`)
onto ``java.lang.classfile``: it turns every model value into the JDK's
constant-pool entries, instructions, pseudo-instructions and attributes, lets
the JDK write the class (constant pool, branch offsets, max stack/locals and
stack map frames), and turns every JDK failure into an
:class:`~jbgen.errors.AssemblyError` whose diagnostics point at the assembly
line of the instruction, method, field or class at fault.  It never encodes
class-file bytes itself, and it must not print.

Public API: :func:`assemble` and :func:`make_resolver`.

How it is fast.  A call from Python into Java through JPype costs 1.5-5 us,
and java.base has ~1.9M instructions, so the design minimises calls:

* Instructions are immutable values.  Every instruction without a label
  operand is built once, keyed by ``(op, args)``, and reused across methods
  and classes.  Those that refer to the constant pool are built over one
  long-lived ``ConstantPoolBuilder`` (``_Pool``): when the JDK writes an
  entry of a foreign pool it copies it (and only it) into the class's own
  pool (``AbstractPoolEntry.maybeClone``), so the output holds no junk from
  other classes (``tests/asm/test_assemble.py`` checks this).
* A method's code is handed to the JDK as one list of prebuilt elements
  (``Arrays.asList``: one call, ~0.2 us per element) and
  ``list.forEach(codeBuilder)`` (a CodeBuilder is a ``Consumer<CodeElement>``):
  one Python callback per method.  A ``Label`` made by ``cb.newLabel()`` is
  also a ``LabelTarget``, so the label object itself in the list binds it.
  Labels belong to one code builder, so they, and the branches, switches,
  handlers, local-variable entries and code type annotations that name them,
  are made inside the callback.
* Methods and fields without attributes use the callback-free
  ``withMethodBody`` / ``withField(name, type, flags)`` / a Java no-op handler.
* Once a process has assembled ``_FEEDER_AFTER`` classes, it assembles a
  helper class, ``ClassFeeder.jbasm``, with this very assembler: the lowered
  class is then handed to the JDK as one array of JDK objects and one int
  program, and the helper does in Java what the callbacks above do in Python
  (labels, branches, switches, handlers, members), the same calls in the same
  order, so both paths write the same bytes.  The Python path stays for
  diagnosis, code type annotations and processes that assemble a few classes.
* Python's cyclic garbage collector is paused while a class is assembled
  (``_no_gc``).

When the JDK refuses a class (for instance it cannot compute the stack map
frames), the class is rebuilt one method at a time, feeding the elements one
by one, to find every failing method and the instruction at fault
(:meth:`_ClassJob._diagnose`); that slow path only runs on errors.

JDK behaviour worth knowing (checked by the tests):

* Stack maps: the default ``STACK_MAPS_WHEN_REQUIRED`` generates frames for
  version >= 50; for version 50 a failure falls back to no frames (the JVM's
  old verifier accepts version 50 without them); below 50 there are none,
  and max stack/locals come from the JDK's stack counter.
* ``jsr``/``ret`` are written as given.  The frame generator cannot handle
  them, so they assemble in classes of version < 50 and exactly 50 (where the
  fallback above drops the frames); in version >= 51 they are an error
  located at the ``jsr``/``ret``.
* Unreachable code is replaced by ``nop``s ending in ``athrow`` when frames
  are generated (the JDK's default ``PATCH_DEAD_CODE``), as javac never emits
  any; it is kept as written below version 50.
* NaNs: the JDK writes a float or double constant given as a value with
  ``Float.floatToIntBits`` / ``Double.doubleToLongBits``, which turns every
  NaN into the canonical one.  It copies verbatim the entries of a pool it
  parsed, so a class with NaN constants is built over a pool parsed from a
  carrier class file that holds them bit for bit (``_ClassJob._isolate``):
  every payload survives, signalling NaNs included.  (JPype itself keeps the
  bits: ``Float.intBitsToFloat`` comes back as a ``JFloat`` that passes the
  same bits back to Java.)
* ``ldc`` vs ``ldc_w``: the JDK picks the form from the constant's pool
  index, both ways.  The constants of ``ldc`` are put first in the class's
  pool so that they stay below 256 (with many, through a carrier pool
  that puts the Strings before their Utf8s, as javac does); an ``ldc_w``
  whose constant lands below 256 is written as ``ldc``.  That adapting only
  happens for an entry of another pool: an instruction over the class's own
  pool is written with the opcode it was given, so there an ``ldc`` whose
  constant lands at 256 or above is made an ``ldc_w`` here (``_make_insn``).
* ``iinc`` vs ``iinc_w``: ``IncrementInstruction`` has no opcode and the JDK
  writes ``iinc`` whenever the operands fit a byte; an ``iinc_w`` with small
  operands is kept wide by reusing a parsed instruction (``_wide_iinc``).
* Line numbers: the JDK drops a ``LineNumber`` that repeats the line before
  it, and keeps the last of several at one position.
* Unknown attributes (``Attribute("Unknown:<name>", bytes)`` or any other
  name with a ``bytes`` value) cannot be made with the public factories
  (``CustomAttribute`` needs a Java subclass).  They are written by parsing a
  tiny carrier class that holds the attribute (``_unknown_attribute``): the
  JDK's ``UnknownAttribute`` re-emits its name and contents verbatim.  A name
  the JDK knows (``Unknown:SourceFile`` on a method, say) cannot be written
  that way: an error, which the caller may turn into a warning.
"""

from __future__ import annotations

import array
import collections
import contextlib
import copy
import dataclasses
import difflib
import os
import re
import sys
import tempfile
import threading
from collections.abc import MutableMapping, Sequence
from typing import Any

from jbgen._gc import paused
from jbgen.asm import model as m
from jbgen.asm import ops
from jbgen.asm._jdk import jdk
from jbgen.errors import AssemblyError, Diagnostic, Location

__all__ = ["assemble", "make_resolver"]

# One assembly at a time: the shared pool and caches are not thread-safe, and
# JPype proxies call back into this module's state.
_lock = threading.RLock()

# Start again with an empty shared pool when it gets this big (memory bound for
# long-running processes; java.base needs ~1M entries).
_POOL_LIMIT = 3_000_000

_CONDITIONAL_BRANCHES = frozenset(
    op for op, fam in ops.FAMILY.items() if fam == ops.BRANCH and op[:2] == "if"
)
_BRANCHES = _CONDITIONAL_BRANCHES | {"goto", "goto_w"}
_JSRS = frozenset({"jsr", "jsr_w"})
# Hole kinds in a code template (filled inside the code callback, where labels exist).
_BIND, _BRANCH, _JSR, _TABLE, _LOOKUP = range(5)
_LABEL_OPS = {op: _BRANCH for op in _BRANCHES}
_LABEL_OPS.update({"jsr": _JSR, "jsr_w": _JSR, "tableswitch": _TABLE, "lookupswitch": _LOOKUP})

_NEWARRAY_TYPES = ("boolean", "char", "float", "double", "byte", "short", "int", "long")

# Where each known attribute may appear (JVMS table 4.7-C); "code" is the Code attribute.
_TYPE_ANNOS = ("RuntimeVisibleTypeAnnotations", "RuntimeInvisibleTypeAnnotations")
_ANNOS = ("RuntimeVisibleAnnotations", "RuntimeInvisibleAnnotations")
_COMMON = ("Signature", "Synthetic", "Deprecated", *_ANNOS, *_TYPE_ANNOS)
_ALLOWED = {
    "class": frozenset(
        (
            *_COMMON,
            "SourceFile",
            "InnerClasses",
            "EnclosingMethod",
            "SourceDebugExtension",
            "Module",
            "ModulePackages",
            "ModuleMainClass",
            "ModuleTarget",
            "ModuleResolution",
            "ModuleHashes",
            "NestHost",
            "NestMembers",
            "Record",
            "PermittedSubclasses",
            "SourceID",
            "CompilationID",
        )
    ),
    "field": frozenset((*_COMMON, "ConstantValue")),
    "method": frozenset(
        (
            *_COMMON,
            "Exceptions",
            "RuntimeVisibleParameterAnnotations",
            "RuntimeInvisibleParameterAnnotations",
            "AnnotationDefault",
            "MethodParameters",
        )
    ),
    "record component": frozenset(("Signature", *_ANNOS, *_TYPE_ANNOS)),
    "code": frozenset(_TYPE_ANNOS),
}
_KNOWN_ATTRIBUTES = frozenset().union(*_ALLOWED.values())
_NAME_LISTS = frozenset(("Exceptions", "NestMembers", "PermittedSubclasses", "ModulePackages"))


class _Bad(Exception):
    """A model value that cannot be lowered; the message is the diagnostic text."""


class _OwnPool(Exception):
    """This class needs a constant pool of its own (see _ClassJob._isolate)."""


# --------------------------------------------------------------------------- public API


def make_resolver(classpath: Sequence[str]) -> Any:
    """A cached ``ClassHierarchyResolver`` for ``classpath`` (jars and folders), reused.

    The classes of the class path are found by parsing their class files
    (``ofResourceParsing`` over a ``URLClassLoader`` whose parent is the boot
    loader, so nothing is loaded and jbgen's own class path does not leak in),
    then the JDK's default resolver (the running JDK's classes), all cached.
    One resolver is kept per distinct class path.  A single string is split
    at ``os.pathsep``, as on a ``java -cp`` command line.
    """
    key = _classpath_key(classpath)
    with _lock:
        s = _session()
        r = s.resolvers.get(key)
        if r is None:
            J = s.J
            base = J.ClassHierarchyResolver.defaultResolver()
            if key:
                # File.toURI adds the trailing "/" that makes URLClassLoader treat a
                # folder as a folder rather than as a jar.
                urls = J.JArray(J.URL)([J.File(p).toURI().toURL() for p in key])
                loader = J.URLClassLoader(urls, None)
                r = J.ClassHierarchyResolver.ofResourceParsing(loader).orElse(base).cached()
            else:
                r = base.cached()
            s.resolvers[key] = r
        return r


# Packages of the JDK's own classes, which the default resolver already knows.
_JDK_PACKAGES = ("java/", "javax/", "jdk/", "sun/", "com/sun/")


def assemble(
    cls: m.ClassDef, *, classpath: Sequence[str] = (), path: str = "<input>", peers: Sequence[m.ClassDef] = ()
) -> bytes:
    """Write ``cls`` as class-file bytes with the JDK; stack maps and max stack/locals are computed.

    ``classpath`` (jars and folders) is where the classes the code refers to
    are looked up when the stack map frames need their hierarchy (the running
    JDK's classes are always visible).  ``path`` names the assembly source in
    diagnostics.  ``peers`` are classes assembled together with ``cls`` (the
    other classes of the same text; ``cls`` itself may be among them): their
    hierarchy is known to the stack map generator before the class path's,
    which matters when frames merge a class under construction with another
    (``demo.Sub`` and ``demo.Base`` both written in the same run).

    Raises :class:`~jbgen.errors.AssemblyError` with one diagnostic per
    problem found (all the failing methods of the class, not just the first),
    each located at the ``line`` of the instruction, method, field or class.
    """
    key = _classpath_key(classpath)
    with _lock, _no_gc():
        s = _session()
        s.maybe_reset()
        if s.feeder is None:
            s.assembled += 1
            if s.assembled > _FEEDER_AFTER:
                _load_feeder(s)
        if peers or cls.super_name is not None:
            cf, cf_nomaps = s.classfiles_with_peers(key, [cls, *[p for p in peers if p is not cls]])
        else:
            cf, cf_nomaps = s.classfiles(key)
        return _ClassJob(s, cf, cf_nomaps, cls, path).run()


# Classes a process assembles through the Python path before it gets ClassFeeder:
# assembling the helper costs about as much as ~30 classes, which a process that
# assembles a file or two never gets back.
_FEEDER_AFTER = 64


def _load_feeder(s: _Session) -> None:
    """Assemble ClassFeeder.jbasm with this assembler and load it: ``s.feeder``.

    ``s.feeder`` is False while this runs (the helper itself is assembled the
    Python way) and stays False if it fails: the Python path is always there.
    """
    s.feeder = False
    try:
        from jbgen.asm.parser import parse

        path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ClassFeeder.jbasm")
        with open(path, encoding="utf-8") as fh:
            model = parse(fh.read(), path)
        data = assemble(model, path=path)
        J = s.J
        with tempfile.TemporaryDirectory(prefix="jbgen-feeder-") as root:
            folder = os.path.join(root, "jbgen", "asm")
            os.makedirs(folder)
            with open(os.path.join(folder, "ClassFeeder.class"), "wb") as fh:
                fh.write(data)
            # A loader of its own whose parent sees the JDK only; the class is
            # read (and initialized) before the folder goes.
            urls = J.JArray(J.URL)([J.File(root).toURI().toURL()])
            loader = J.URLClassLoader(urls, J.ClassLoader.getPlatformClassLoader())
            cls = J.Class.forName("jbgen.asm.ClassFeeder", True, loader)
        s.feeder = J.JClass(cls)
    except Exception:  # the Python path does the same work, only slower
        s.feeder = False


def _classpath_key(classpath: Sequence[str] | str) -> tuple[str, ...]:
    if isinstance(classpath, str):
        return tuple(p for p in classpath.split(os.pathsep) if p)
    return tuple(str(p) for p in classpath)


# Assembling allocates hundreds of thousands of short-lived JPype wrappers, which
# would trigger collections that traverse every object of the process (see jbgen._gc).
_no_gc = paused


# --------------------------------------------------------------------------- session state


_state: _Session | None = None


def _session() -> _Session:
    global _state
    if _state is None:
        _state = _Session()
    return _state


def _java_message(exc: BaseException) -> str:
    """The message of a Java exception, without class name, stack trace or method dump."""
    msg = None
    try:
        msg = exc.getMessage()  # type: ignore[attr-defined]
    except Exception:
        msg = None
    if msg is None:
        try:
            return str(exc.getClass().getSimpleName())  # type: ignore[attr-defined]
        except Exception:
            return str(exc)
    text = str(msg)
    # The stack map generator appends a dump of the method after the first line.
    return text.split("\n", 1)[0].strip()


def _jstr(s: str) -> Any:
    """``s`` as a java.lang.String, lone surrogates included.

    JPype converts str through UTF-8, which refuses lone surrogates (legal in
    class files); those strings go through a char[] of UTF-16 code units.
    """
    J = jdk()
    units = array.array("H")
    units.frombytes(s.encode("utf-16-le", "surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    return J.String(J.JArray(J.JChar)(memoryview(units)))


def _signed(value: int, bits: int) -> int:
    value &= (1 << bits) - 1
    return value - (1 << bits) if value >> (bits - 1) else value


class _Pool:
    """Model constants -> entries of a ConstantPoolBuilder, interned in dicts.

    Normally one long-lived pool shared by all classes.  Some classes get a
    pool of their own, started from a parsed carrier pool whose entries
    (``preset``) the JDK copies verbatim (see ``_ClassJob._isolate``).
    """

    _DICTS = (
        "utf8s",
        "classes",
        "nats",
        "members",
        "loadables",
        "bsms",
        "callsites",
        "modules",
        "packages",
        "float_values",
    )

    def __init__(self, J: Any) -> None:
        self.J = J
        self.cp = J.ConstantPoolBuilder.of()
        self._bind()
        self.own = False  # a pool of one class's own (see own_pool)
        self.utf8s: MutableMapping[str, Any] = {}
        self.classes: MutableMapping[str, Any] = {}
        self.nats: MutableMapping[tuple[str, str], Any] = {}
        self.members: MutableMapping[m.MemberRef, Any] = {}
        self.loadables: MutableMapping[object, Any] = {}
        self.bsms: MutableMapping[m.Bootstrap, Any] = {}
        self.callsites: MutableMapping[m.CallSite, Any] = {}
        self.modules: MutableMapping[str, Any] = {}
        self.packages: MutableMapping[str, Any] = {}
        self.float_values: MutableMapping[int, Any] = {}

    def own_pool(self, cp: Any, preset: dict[object, Any]) -> _Pool:
        """A pool for one class over ``cp``: reads this one's entries, adds its own to ``cp``.

        The shared entries it reads are copied into ``cp`` by the JDK when
        written, found by value among the carrier's (parsed) entries when they
        are there.  What it makes stays out of the shared dicts: it may hold a
        NaN from ``preset``, which only ``cp`` can write.
        """
        p = copy.copy(self)
        p.cp = cp
        p._bind()
        p.own = True
        for name in self._DICTS:
            setattr(p, name, collections.ChainMap({}, getattr(self, name)))
        p.loadables.update(preset)
        return p

    def _bind(self) -> None:
        # The most used factories of ``cp``, bound once (JPype looks a method up
        # on every attribute access: a few microseconds each time).
        cp = self.cp
        self.utf8_entry = cp.utf8Entry
        self.class_entry = cp.classEntry
        self.string_entry = cp.stringEntry
        self.int_entry = cp.intEntry

    def size(self) -> int:
        return int(self.cp.size())

    def utf8(self, s: str) -> Any:
        e = self.utf8s.get(s)
        if e is None:
            if not isinstance(s, str):
                raise _Bad(f"expected a string, got {type(s).__name__} {s!r}")
            try:
                e = self.utf8_entry(s)
            except UnicodeEncodeError:
                e = self.utf8_entry(_jstr(s))
            self.utf8s[s] = e
        return e

    def cls(self, name: str) -> Any:
        e = self.classes.get(name)
        if e is None:
            if not isinstance(name, str) or not name:
                raise _Bad(f"expected a class name, got {name!r}")
            e = self.classes[name] = self.class_entry(self.utf8(name))
        return e

    def nat(self, name: str, descriptor: str) -> Any:
        key = (name, descriptor)
        e = self.nats.get(key)
        if e is None:
            e = self.nats[key] = self.cp.nameAndTypeEntry(self.utf8(name), self.utf8(descriptor))
        return e

    def member(self, ref: m.MemberRef) -> Any:
        e = self.members.get(ref)
        if e is None:
            if not isinstance(ref, m.MemberRef):
                raise _Bad(f"expected a field or method reference, got {ref!r}")
            owner = self.cls(ref.owner)
            nat = self.nat(ref.name, ref.descriptor)
            if ref.kind == "field":
                e = self.cp.fieldRefEntry(owner, nat)
            elif ref.kind == "method":
                e = self.cp.methodRefEntry(owner, nat)
            elif ref.kind == "imethod":
                e = self.cp.interfaceMethodRefEntry(owner, nat)
            else:
                raise _Bad(
                    f"member reference kind must be field, method or imethod, got {ref.kind!r}"
                )
            self.members[ref] = e
        return e

    def module(self, name: str) -> Any:
        e = self.modules.get(name)
        if e is None:
            e = self.modules[name] = self.cp.moduleEntry(self.utf8(name))
        return e

    def package(self, name: str) -> Any:
        e = self.packages.get(name)
        if e is None:
            e = self.packages[name] = self.cp.packageEntry(self.utf8(name))
        return e

    def float_value(self, bits: int) -> Any:
        """The Java float with these bits (NaNs never get here: see ``loadable``)."""
        v = self.float_values.get(bits)
        if v is None:
            v = self.float_values[bits] = self.J.Float.intBitsToFloat(_signed(bits, 32))
        return v

    def loadable(self, c: object) -> Any:
        e = self.loadables.get(c)
        if e is not None:
            return e
        cp = self.cp
        t = type(c)
        if t is m.Int:
            v = c.value  # type: ignore[attr-defined]
            if not isinstance(v, int) or not -(1 << 31) <= v < (1 << 31):
                raise _Bad(f"int constant out of range: {v!r}")
            e = self.int_entry(v)
        elif t is m.Str:
            v = c.value  # type: ignore[attr-defined]
            if not isinstance(v, str):
                raise _Bad(f"string constant must be a str, got {v!r}")
            try:
                e = self.string_entry(v)  # one call: the JDK makes the Utf8 entry
            except UnicodeEncodeError:
                e = self.string_entry(self.utf8(v))
        elif t is m.ClassConst:
            e = self.cls(c.name)  # type: ignore[attr-defined]
        elif t is m.Long:
            v = c.value  # type: ignore[attr-defined]
            if not isinstance(v, int) or not -(1 << 63) <= v < (1 << 63):
                raise _Bad(f"long constant out of range: {v!r}")
            e = cp.longEntry(v)
        elif t is m.Float or t is m.Double:
            if _is_nan(c):
                # The JDK writes floats with floatToIntBits (doubles alike), which
                # turns every NaN into the canonical one; only entries parsed from
                # a class file keep their bytes, so NaNs come from a carrier pool
                # (preset in self.loadables when self.own).
                if self.own:
                    raise _Bad(f"NaN constant {c!r} missing from the carrier pool")
                raise _OwnPool
            if t is m.Float:
                e = cp.floatEntry(self.float_value(c.bits))  # type: ignore[attr-defined]
            else:
                e = cp.doubleEntry(self.J.Double.longBitsToDouble(_signed(c.bits, 64)))  # type: ignore[attr-defined]
        elif t is m.MethodTypeConst:
            e = cp.methodTypeEntry(self.utf8(c.descriptor))  # type: ignore[attr-defined]
        elif t is m.MethodHandleConst:
            e = self.method_handle(c)  # type: ignore[arg-type]
        elif t is m.DynamicConst:
            e = cp.constantDynamicEntry(
                self.bootstrap(c.bootstrap),  # type: ignore[attr-defined]
                self.nat(c.name, c.descriptor),  # type: ignore[attr-defined]
            )
        else:
            raise _Bad(f"expected a loadable constant, got {c!r}")
        self.loadables[c] = e
        return e

    def method_handle(self, h: m.MethodHandleConst) -> Any:
        if h.ref_kind not in m.REF_KINDS:
            raise _Bad(f"method handle kind must be 1..9, got {h.ref_kind!r}")
        return self.cp.methodHandleEntry(h.ref_kind, self.member(h.ref))

    def bootstrap(self, b: m.Bootstrap) -> Any:
        e = self.bsms.get(b)
        if e is None:
            if not isinstance(b, m.Bootstrap):
                raise _Bad(f"expected a bootstrap method, got {b!r}")
            args = self.J.Arrays.asList([self.loadable(a) for a in b.args])
            e = self.bsms[b] = self.cp.bsmEntry(self.method_handle(b.handle), args)
        return e

    def call_site(self, c: m.CallSite) -> Any:
        e = self.callsites.get(c)
        if e is None:
            if not isinstance(c, m.CallSite):
                raise _Bad(f"invokedynamic operand must be a call site, got {c!r}")
            e = self.callsites[c] = self.cp.invokeDynamicEntry(
                self.bootstrap(c.bootstrap), self.nat(c.name, c.descriptor)
            )
        return e

    def copy_into(self, cp: Any, c: object) -> None:
        """Put the entry of constant ``c`` into class pool ``cp`` (an ``ldc`` target)."""
        e = self.loadable(c)
        t = type(c)
        if t is m.Int:
            cp.intEntry(c.value)  # type: ignore[attr-defined]
        elif t is m.Str:
            try:
                cp.stringEntry(c.value)  # type: ignore[attr-defined]
            except UnicodeEncodeError:
                cp.stringEntry(self.utf8(c.value))  # type: ignore[attr-defined]
        elif t is m.ClassConst:
            cp.classEntry(self.utf8(c.name))  # type: ignore[attr-defined]
        elif t is m.Float:
            cp.floatEntry(self.float_value(c.bits))  # type: ignore[attr-defined]
        elif t is m.MethodTypeConst:
            cp.methodTypeEntry(self.utf8(c.descriptor))  # type: ignore[attr-defined]
        elif t is m.MethodHandleConst:
            cp.methodHandleEntry(c.ref_kind, e.reference())  # type: ignore[attr-defined]
        elif t is m.DynamicConst:
            cp.constantDynamicEntry(e.bootstrap(), e.nameAndType())


# _make_insn's instruction factories: Opcode.Kind (or ConstantInstruction form) ->
# (class in _jdk, static method).
_FACTORIES = {
    "LOAD": ("LoadInstruction", "of"),
    "STORE": ("StoreInstruction", "of"),
    "ARRAY_LOAD": ("ArrayLoadInstruction", "of"),
    "ARRAY_STORE": ("ArrayStoreInstruction", "of"),
    "STACK": ("StackInstruction", "of"),
    "OPERATOR": ("OperatorInstruction", "of"),
    "CONVERT": ("ConvertInstruction", "of"),
    "RETURN": ("ReturnInstruction", "of"),
    "MONITOR": ("MonitorInstruction", "of"),
    "FIELD_ACCESS": ("FieldInstruction", "of"),
    "INVOKE": ("InvokeInstruction", "of"),
    "NEW_OBJECT": ("NewObjectInstruction", "of"),
    "NEW_REF_ARRAY": ("NewReferenceArrayInstruction", "of"),
    "TYPE_CHECK": ("TypeCheckInstruction", "of"),
    "argument": ("ConstantInstruction", "ofArgument"),
    "load": ("ConstantInstruction", "ofLoad"),
    "intrinsic": ("ConstantInstruction", "ofIntrinsic"),
}


class _Session:
    """Process-wide JDK handles, the shared pool and the instruction caches."""

    def __init__(self) -> None:
        J = self.J = jdk()
        self.resolvers: dict[tuple[str, ...], Any] = {}
        self._classfiles: dict[tuple[str, ...], tuple[Any, Any]] = {}
        self.ops: dict[str, tuple[Any, str, int]] = {}
        self.ordinals: dict[str, int] = {}  # Opcode.ordinal(), for ClassFeeder's code programs
        for o in J.Opcode.values():
            name = str(o.name()).lower()
            self.ops[name] = (o, str(o.kind().name()), int(o.sizeIfFixed()))
            self.ordinals[name] = int(o.ordinal())
        self.type_kinds = {n: J.TypeKind.valueOf(n.upper()) for n in _NEWARRAY_TYPES}
        # Bound once: looking a static method up on a JPype class costs each time.
        self.branch_of = J.BranchInstruction.of
        self.as_list = J.Arrays.asList
        self.int_array = J.JArray(J.JInt)
        # Instruction factories for _make_insn, bound on first use (see factory).
        self.factories: dict[str, Any] = {}
        self.target_types = {int(t.targetTypeValue()): t for t in J.TargetType.values()}
        self.path_kinds = {int(k.tag()): k for k in J.TypePathKind.values()}
        # bytecode -> instruction length for the fixed-size opcodes (for _code_offsets)
        self.lengths: dict[int, int] = {}
        for o, _kind, size in self.ops.values():
            if not o.isWide() and size > 0:
                self.lengths[int(o.bytecode()) & 0xFF] = size
        # ClassFeeder (see _load_feeder): None until this process has assembled
        # _FEEDER_AFTER classes, then the Java class, or False when it cannot be had.
        self.feeder: Any = None
        self.assembled = 0
        self.batch_fallbacks = 0  # batches ClassFeeder.make refused (see _make_batch)
        self.reset()
        (
            self.code_consumer,
            self.method_consumer,
            self.field_consumer,
            self.class_consumer,
        ) = _make_proxies(J)

    def factory(self, name: str) -> Any:
        """The JDK factory ``_FACTORIES[name]`` (an Opcode.Kind or a ConstantInstruction
        form), bound once: the classes are only loaded when a path needs them."""
        f = self.factories.get(name)
        if f is None:
            cls, method = _FACTORIES[name]
            f = self.factories[name] = getattr(getattr(self.J, cls), method)
        return f

    def reset(self) -> None:
        self.pool = _Pool(self.J)
        self.insns: dict[tuple, Any] = {}
        # An isolated session's instructions are its own; it reads the shared ones
        # here (looked up second, by hand: a ChainMap's get is ten times slower).
        self.base_insns: dict[tuple, Any] | None = None
        self.line_numbers: dict[int, Any] = {}
        self.attrs: MutableMapping[tuple, Any] = {}

    def isolated(self, pool: _Pool) -> _Session:
        """This session over a pool of one class's own: reads the shared caches, adds to its own."""
        iso = copy.copy(self)
        iso.pool = pool
        iso.insns = {}
        iso.base_insns = self.insns
        iso.attrs = collections.ChainMap({}, self.attrs)
        return iso

    def maybe_reset(self) -> None:
        if len(self.pool.utf8s) + len(self.pool.members) + len(self.insns) > _POOL_LIMIT:
            self.reset()

    def classfiles(self, key: tuple[str, ...]) -> tuple[Any, Any]:
        """``ClassFile`` contexts for a class path: the normal one and one without stack maps."""
        cfs = self._classfiles.get(key)
        if cfs is None:
            J = self.J
            res = J.ClassHierarchyResolverOption.of(make_resolver(key))
            cf = J.ClassFile.of(res, J.ShortJumpsOption.FIX_SHORT_JUMPS)
            cfs = (cf, cf.withOptions(J.StackMapsOption.DROP_STACK_MAPS))
            self._classfiles[key] = cfs
        return cfs

    def classfiles_with_peers(self, key: tuple[str, ...], peers: Sequence[m.ClassDef]) -> tuple[Any, Any]:
        """``classfiles`` whose resolver first knows the hierarchy of ``peers`` (not cached).

        The class being written is not on any class path yet, so without this
        the frame generator cannot tell that ``demo.Sub`` is a ``demo.Base``.
        Classes the JDK already has (the java.base round trip) need nothing
        extra, and keep the cached contexts.
        """
        unknown = [p for p in peers if not p.name.startswith(_JDK_PACKAGES)]
        if not unknown:
            return self.classfiles(key)
        J = self.J
        interfaces = J.ArrayList()
        supers = J.HashMap()
        for p in unknown:
            desc = J.ClassDesc.ofInternalName(p.name)
            if p.flags & m.ACC_INTERFACE:
                interfaces.add(desc)
            elif p.super_name is not None:
                supers.put(desc, J.ClassDesc.ofInternalName(p.super_name))
        res = J.ClassHierarchyResolver.of(interfaces, supers).orElse(make_resolver(key))
        cf = J.ClassFile.of(J.ClassHierarchyResolverOption.of(res), J.ShortJumpsOption.FIX_SHORT_JUMPS)
        return cf, cf.withOptions(J.StackMapsOption.DROP_STACK_MAPS)

    def line_number(self, line: int) -> Any:
        e = self.line_numbers.get(line)
        if e is None:
            if not isinstance(line, int) or not 0 <= line <= 0xFFFF:
                raise _Bad(f"line number must be 0..65535, got {line!r}")
            e = self.line_numbers[line] = self.J.LineNumber.of(line)
        return e


# --------------------------------------------------------------------------- JPype proxies
#
# One instance of each, reused: the job to run is set on it just before the
# Java call that invokes it (the builders call their handler synchronously).
# The classes are made on first use because JImplements needs a running JVM.


def _make_proxies(J: Any) -> tuple[Any, Any, Any, Any]:
    """The four Consumer proxies (code, method, field, class); needs a running JVM."""

    @J.JImplements(J.Consumer)
    class CodeConsumer:
        def __init__(self) -> None:
            self.plan: _CodePlan | None = None

        @J.JOverride
        def accept(self, cb: Any) -> None:
            self.plan.emit(cb)  # type: ignore[union-attr]

    @J.JImplements(J.Consumer)
    class MethodConsumer:
        def __init__(self, code: Any) -> None:
            self.code = code
            self.plan: _MethodPlan | None = None

        @J.JOverride
        def accept(self, mb: Any) -> None:
            plan = self.plan
            assert plan is not None
            if plan.code is not None:
                self.code.plan = plan.code
                mb.withCode(self.code)
            for a in plan.attrs:
                mb.with_(a)

    @J.JImplements(J.Consumer)
    class FieldConsumer:
        def __init__(self) -> None:
            self.flags = 0
            self.attrs: list[Any] = []

        @J.JOverride
        def accept(self, fb: Any) -> None:
            fb.withFlags(self.flags)
            for a in self.attrs:
                fb.with_(a)

    @J.JImplements(J.Consumer)
    class ClassConsumer:
        def __init__(self) -> None:
            self.job: _ClassJob | None = None

        @J.JOverride
        def accept(self, clb: Any) -> None:
            self.job.fill(clb)  # type: ignore[union-attr]

    code = CodeConsumer()
    return code, MethodConsumer(code), FieldConsumer(), ClassConsumer()


# --------------------------------------------------------------------------- code


class _CodePlan:
    """A method's code, lowered as far as possible without a CodeBuilder.

    ``template`` has one slot per model element (``None`` for the holes that
    need labels); ``holes`` says how to fill them once the labels exist.
    """

    __slots__ = (
        "s",
        "code",
        "template",
        "holes",
        "nlabels",
        "handlers",
        "locals",
        "attrs",
        "type_annos",
        "slow",
        "failed_at",
    )

    def __init__(self, s: _Session, code: m.Code) -> None:
        self.s = s
        self.code = code
        self.template: list[Any] = []
        self.holes: list[tuple] = []
        self.nlabels = 0
        self.handlers: list[tuple] = []
        self.locals: list[tuple] = []
        self.attrs: list[Any] = []  # label-free code attributes
        self.type_annos: list[tuple[bool, tuple]] = []
        # Diagnostic mode: feed the elements one by one and remember which one failed.
        self.slow = False
        self.failed_at = -1

    def emit(self, cb: Any) -> None:
        """The code callback: make the labels, fill the holes, hand everything to ``cb``.

        With ``FIX_SHORT_JUMPS`` the JDK calls this twice when a forward branch
        overflows, with a fresh builder: everything label-related is redone.
        """
        s = self.s
        J = s.J
        t = self.template
        labels: list[Any] = []
        if self.nlabels:
            new_label = cb.newLabel
            labels = [new_label() for _ in range(self.nlabels)]
            branch_of = s.branch_of
            for pos, kind, opc, a, _ordinal in self.holes:
                if kind == _BIND:
                    t[pos] = labels[a]
                elif kind == _BRANCH:
                    t[pos] = branch_of(opc, labels[a])
                elif kind == _JSR:
                    t[pos] = J.JsrInstruction.of(opc, labels[a])
                elif kind == _TABLE:
                    low, high, dflt, targets = a
                    case = J.SwitchCase.of
                    cases = [case(low + i, labels[x]) for i, x in enumerate(targets)]
                    t[pos] = J.TableSwitchInstruction.of(
                        low, high, labels[dflt], J.Arrays.asList(cases)
                    )
                else:
                    dflt, pairs = a
                    case = J.SwitchCase.of
                    cases = [case(v, labels[x]) for v, x in pairs]
                    t[pos] = J.LookupSwitchInstruction.of(labels[dflt], J.Arrays.asList(cases))
        elements = t
        if self.handlers or self.locals or self.type_annos or self.attrs:
            elements = t + self._extra(labels)
        if not self.slow:
            s.as_list(elements).forEach(cb)
            return
        for i, e in enumerate(elements):
            try:
                cb.with_(e)
            except J.JException:
                self.failed_at = i
                raise

    def encode(self, objs: list[Any]) -> list[int]:
        """This code as a ClassFeeder code program; its objects are appended to ``objs``."""
        base = len(objs)
        t = self.template
        objs += t
        code = [base, self.nlabels, len(t), len(self.holes)]
        for pos, kind, _opc, a, ordinal in self.holes:
            if kind == _BIND:
                code += (pos, kind, a)
            elif kind in (_BRANCH, _JSR):
                code += (pos, kind, ordinal, a)
            elif kind == _TABLE:
                low, high, dflt, targets = a
                code += (pos, kind, low, high, dflt)
                code += targets
            else:
                dflt, pairs = a
                code += (pos, kind, dflt, len(pairs))
                for key, x in pairs:
                    code += (key, x)
        code.append(len(self.handlers) + len(self.locals) + len(self.attrs))
        empty = self.s.J.Optional_empty
        for start, end, handler, opt, _line in self.handlers:
            code += (0, handler, start, end, len(objs) - base)
            objs.append(empty if opt is None else opt)
        for slot, name, desc, start, end, sig in self.locals:
            r = len(objs) - base
            objs += (name, desc)
            code += (2 if sig else 1, slot, r, r + 1, start, end)
        for a in self.attrs:
            code += (3, len(objs) - base)
            objs.append(a)
        return code

    def _extra(self, labels: list[Any]) -> list[Any]:
        """Handlers, local variable entries and code attributes, after the instructions."""
        J = self.s.J
        extra: list[Any] = []
        catch = J.ExceptionCatch.of
        for start, end, handler, opt, _line in self.handlers:
            if opt is None:
                extra.append(catch(labels[handler], labels[start], labels[end]))
            else:
                extra.append(catch(labels[handler], labels[start], labels[end], opt))
        for slot, name, desc, start, end, sig in self.locals:
            f = J.LocalVariableType.of if sig else J.LocalVariable.of
            extra.append(f(slot, name, desc, labels[start], labels[end]))
        for visible, annos in self.type_annos:
            extra.append(_code_type_annotations(self.s, visible, annos, labels))
        extra.extend(self.attrs)
        return extra


def _code_type_annotations(s: _Session, visible: bool, annos: tuple, labels: list) -> Any:
    J = s.J
    items = [_type_annotation(s, ta, labels) for ta in annos]
    cls = (
        J.RuntimeVisibleTypeAnnotationsAttribute
        if visible
        else J.RuntimeInvisibleTypeAnnotationsAttribute
    )
    return cls.of(J.Arrays.asList(items))


def _type_annotation(s: _Session, ta: m.TypeAnnotation, labels: list | None) -> Any:
    """A TypeAnnotation; ``labels`` maps label indices to Labels for code targets (else None)."""
    if not isinstance(ta, m.TypeAnnotation):
        raise _Bad(f"expected a TypeAnnotation, got {ta!r}")
    J = s.J
    TI = J.TargetInfo
    tt = s.target_types.get(ta.target_type)
    if tt is None:
        raise _Bad(f"unknown type annotation target type 0x{ta.target_type:02x}")
    info = ta.target_info
    v = ta.target_type
    code_target = v >= 0x40
    if code_target and labels is None:
        raise _Bad(f"type annotation target 0x{v:02x} is only allowed on code")
    if not code_target and labels is not None:
        raise _Bad(f"type annotation target 0x{v:02x} is not allowed on code")
    if v in (0x00, 0x01):
        ti = TI.ofTypeParameter(tt, info[0])
    elif v == 0x10:
        ti = TI.ofClassExtends(info[0])
    elif v in (0x11, 0x12):
        ti = TI.ofTypeParameterBound(tt, info[0], info[1])
    elif v in (0x13, 0x14, 0x15):
        ti = TI.of(tt)
    elif v == 0x16:
        ti = TI.ofMethodFormalParameter(info[0])
    elif v == 0x17:
        ti = TI.ofThrows(info[0])
    elif v in (0x40, 0x41):
        assert labels is not None
        ranges = [
            J.LocalVarTargetInfo.of(labels[start], labels[end], slot)
            for start, end, slot in info[0]
        ]
        ti = TI.ofVariable(tt, J.Arrays.asList(ranges))
    elif v == 0x42:
        ti = TI.ofExceptionParameter(info[0])
    elif v in (0x43, 0x44, 0x45, 0x46):
        assert labels is not None
        ti = TI.ofOffset(tt, labels[info[0]])
    else:
        assert labels is not None
        ti = TI.ofTypeArgument(tt, labels[info[0]], info[1])
    path = []
    for kind, index in ta.type_path:  # shape errors are caught by _attribute
        k = s.path_kinds.get(kind)
        if k is None:
            raise _Bad(f"type path kind must be 0..3, got {kind!r}")
        path.append(J.TypePathComponent.of(k, index))
    return J.TypeAnnotation.of(ti, J.Arrays.asList(path), _annotation(s, ta.annotation))


# --------------------------------------------------------------------------- annotations


def _annotation(s: _Session, a: m.Annotation) -> Any:
    key = ("@", a)
    j = s.attrs.get(key)
    if j is None:
        if not isinstance(a, m.Annotation):
            raise _Bad(f"expected an annotation, got {a!r}")
        J = s.J
        p = s.pool
        elements = [J.AnnotationElement.of(p.utf8(n), _element_value(s, v)) for n, v in a.elements]
        j = s.attrs[key] = J.Annotation.of(p.utf8(a.descriptor), J.Arrays.asList(elements))
    return j


def _element_value(s: _Session, ev: m.ElementValue) -> Any:
    if not isinstance(ev, m.ElementValue):
        raise _Bad(f"expected an annotation element value, got {ev!r}")
    J = s.J
    AV = J.AnnotationValue
    p = s.pool
    tag, v = ev.tag, ev.value
    if tag in "BCISZ" and len(tag) == 1:
        if type(v) is not m.Int:
            raise _Bad(f"element value of tag {tag!r} must be an Int, got {v!r}")
        e = p.loadable(v)
        f = {"B": AV.ofByte, "C": AV.ofChar, "I": AV.ofInt, "S": AV.ofShort, "Z": AV.ofBoolean}
        return f[tag](e)
    if tag == "J":
        if type(v) is not m.Long:
            raise _Bad(f"element value of tag 'J' must be a Long, got {v!r}")
        return AV.ofLong(p.loadable(v))
    if tag == "F":
        if type(v) is not m.Float:
            raise _Bad(f"element value of tag 'F' must be a Float, got {v!r}")
        return AV.ofFloat(p.loadable(v))
    if tag == "D":
        if type(v) is not m.Double:
            raise _Bad(f"element value of tag 'D' must be a Double, got {v!r}")
        return AV.ofDouble(p.loadable(v))
    if tag == "s":
        return AV.ofString(p.utf8(v))  # type: ignore[arg-type]
    if tag == "e":
        pair: Any = v
        type_desc, const = pair
        return AV.ofEnum(p.utf8(type_desc), p.utf8(const))
    if tag == "c":
        return AV.ofClass(p.utf8(v))  # type: ignore[arg-type]
    if tag == "@":
        return AV.ofAnnotation(_annotation(s, v))  # type: ignore[arg-type]
    if tag == "[":
        return AV.ofArray(J.Arrays.asList([_element_value(s, x) for x in v]))  # type: ignore[attr-defined]
    raise _Bad(f"unknown annotation element value tag {tag!r}")


# --------------------------------------------------------------------------- attributes


def _unknown_attribute(s: _Session, name: str, data: bytes | bytearray) -> Any:
    """An attribute the JDK does not know, written verbatim.

    The public API has no factory for it (``CustomAttribute`` needs a Java
    subclass), so a minimal class file holding the attribute is made here and
    parsed by the JDK; the resulting ``UnknownAttribute`` writes its name and
    contents verbatim into any class.
    """
    key = ("?", name, data)
    j = s.attrs.get(key)
    if j is not None:
        return j
    if not isinstance(data, (bytes, bytearray)):
        raise _Bad(f"unknown attribute {name!r} needs bytes, got {type(data).__name__}")
    J = s.J
    name_bytes = _modified_utf8(name)
    pool = b"".join(
        (
            b"\x01" + len(b"C").to_bytes(2, "big") + b"C",  # 1: Utf8 "C"
            b"\x07\x00\x01",  # 2: Class #1
            b"\x01" + len(name_bytes).to_bytes(2, "big") + name_bytes,  # 3: Utf8 name
        )
    )
    carrier = b"".join(
        (
            b"\xca\xfe\xba\xbe\x00\x00\x00\x45",
            (4).to_bytes(2, "big"),
            pool,
            b"\x00\x01\x00\x02\x00\x00",  # access, this_class, super_class
            b"\x00\x00\x00\x00\x00\x00",  # interfaces, fields, methods
            b"\x00\x01\x00\x03",
            len(data).to_bytes(4, "big"),
            bytes(data),
        )
    )
    try:
        model = J.ClassFile.of().parse(J.JArray(J.JByte)(carrier))
        j = model.attributes().get(0)
    except J.JException as exc:
        raise _Bad(f"attribute {name!r} cannot be written: {_java_message(exc)}") from None
    if not isinstance(j, J.UnknownAttribute):
        # A name the JDK knows (SourceFile on a method, StackMapTable ...): the JDK
        # would decode the bytes against the carrier's pool, so it cannot be copied.
        raise _Bad(
            f"attribute {name} cannot be written here: the JDK knows the name and would "
            "reinterpret its bytes"
        )
    s.attrs[key] = j
    return j


def _modified_utf8(s: str) -> bytes:
    """Java's modified UTF-8 (NUL as two bytes, supplementary characters as surrogate pairs)."""
    if s.isascii():
        data = s.encode("ascii")
        return data.replace(b"\x00", b"\xc0\x80") if b"\x00" in data else data
    if max(s) <= "\uffff":
        # UTF-8 of each UTF-16 unit, a surrogate on its own (three bytes) included.
        return s.encode("utf-8", "surrogatepass").replace(b"\x00", b"\xc0\x80")
    out = bytearray()
    units = s.encode("utf-16-le", "surrogatepass")
    for i in range(0, len(units), 2):
        c = units[i] | units[i + 1] << 8
        if 0 < c < 0x80:
            out.append(c)
        elif c < 0x800:
            out += bytes((0xC0 | c >> 6, 0x80 | c & 0x3F))
        else:
            out += bytes((0xE0 | c >> 12, 0x80 | c >> 6 & 0x3F, 0x80 | c & 0x3F))
    return bytes(out)


def _attribute(s: _Session, a: m.Attribute, where: str) -> Any:
    """A model attribute as a JDK attribute, for the given context (class, field ...)."""
    if not isinstance(a, m.Attribute):
        raise _Bad(f"expected an Attribute, got {a!r}")
    name, v = a.name, a.value
    if name.startswith("Unknown:"):
        return _unknown_attribute(s, name[len("Unknown:") :], v)  # type: ignore[arg-type]
    if name not in _KNOWN_ATTRIBUTES:
        if isinstance(v, (bytes, bytearray)):
            return _unknown_attribute(s, name, v)
        raise _Bad(f"unknown attribute {name!r} (no such attribute in the model)")
    if name not in _ALLOWED[where]:
        raise _Bad(f"attribute {name} is not allowed on a {where}")
    try:
        key = (name, v)
        hash(key)
    except TypeError:
        key = None
    if key is not None:
        j = s.attrs.get(key)
        if j is not None:
            return j
    try:
        j = _make_attribute(s, name, v)
    except (TypeError, ValueError, AttributeError, IndexError, KeyError) as exc:
        # A malformed value (wrong tuple shape, a str where a tuple goes ...).
        raise _Bad(f"malformed {name} attribute value {v!r}: {exc}") from None
    if key is not None:
        s.attrs[key] = j
    return j


def _make_attribute(s: _Session, name: str, v: Any) -> Any:
    J = s.J
    p = s.pool
    AL = J.Arrays.asList
    opt = J.Optional
    empty = J.Optional_empty
    if name == "SourceFile":
        return J.SourceFileAttribute.of(p.utf8(v))
    if name == "Signature":
        return J.SignatureAttribute.of(p.utf8(v))
    if name == "ConstantValue":
        if type(v) not in (m.Int, m.Long, m.Float, m.Double, m.Str):
            raise _Bad(f"ConstantValue must be an Int, Long, Float, Double or Str, got {v!r}")
        return J.ConstantValueAttribute.of(p.loadable(v))
    if name in _NAME_LISTS and not isinstance(v, (tuple, list)):
        raise _Bad(f"{name} needs a tuple of class names, got {v!r}")
    if name == "Exceptions":
        return J.ExceptionsAttribute.of(AL([p.cls(c) for c in v]))
    if name == "InnerClasses":
        infos = [
            J.InnerClassInfo.of(
                p.cls(inner),
                empty if outer is None else opt.of(p.cls(outer)),
                empty if simple is None else opt.of(p.utf8(simple)),
                flags,
            )
            for inner, outer, simple, flags in v
        ]
        return J.InnerClassesAttribute.of(AL(infos))
    if name == "EnclosingMethod":
        owner, mname, mdesc = v
        if (mname is None) != (mdesc is None):
            raise _Bad("EnclosingMethod needs both a method name and descriptor, or neither")
        nat = empty if mname is None else opt.of(p.nat(mname, mdesc))
        return J.EnclosingMethodAttribute.of(p.cls(owner), nat)
    if name == "NestHost":
        return J.NestHostAttribute.of(p.cls(v))
    if name == "NestMembers":
        return J.NestMembersAttribute.of(AL([p.cls(c) for c in v]))
    if name == "PermittedSubclasses":
        return J.PermittedSubclassesAttribute.of(AL([p.cls(c) for c in v]))
    if name == "Record":
        comps = []
        for rc in v:
            if not isinstance(rc, m.RecordComponent):
                raise _Bad(f"Record components must be RecordComponent, got {rc!r}")
            attrs = [_attribute(s, x, "record component") for x in rc.attributes]
            comps.append(
                J.RecordComponentInfo.of(p.utf8(rc.name), p.utf8(rc.descriptor), AL(attrs))
            )
        return J.RecordAttribute.of(AL(comps))
    if name == "MethodParameters":
        params = [
            J.MethodParameterInfo.of(empty if n is None else opt.of(p.utf8(n)), flags)
            for n, flags in v
        ]
        return J.MethodParametersAttribute.of(AL(params))
    if name in _ANNOS:
        cls = (
            J.RuntimeVisibleAnnotationsAttribute
            if name[7] == "V"
            else J.RuntimeInvisibleAnnotationsAttribute
        )
        return cls.of(AL([_annotation(s, x) for x in v]))
    if name in ("RuntimeVisibleParameterAnnotations", "RuntimeInvisibleParameterAnnotations"):
        cls = (
            J.RuntimeVisibleParameterAnnotationsAttribute
            if name[7] == "V"
            else J.RuntimeInvisibleParameterAnnotationsAttribute
        )
        return cls.of(AL([AL([_annotation(s, x) for x in param]) for param in v]))
    if name in _TYPE_ANNOS:
        cls = (
            J.RuntimeVisibleTypeAnnotationsAttribute
            if name[7] == "V"
            else J.RuntimeInvisibleTypeAnnotationsAttribute
        )
        return cls.of(AL([_type_annotation(s, x, None) for x in v]))
    if name == "AnnotationDefault":
        return J.AnnotationDefaultAttribute.of(_element_value(s, v))
    if name == "Deprecated":
        return J.DeprecatedAttribute.of()
    if name == "Synthetic":
        return J.SyntheticAttribute.of()
    if name == "SourceDebugExtension":
        return J.SourceDebugExtensionAttribute.of(J.JArray(J.JByte)(bytes(v)))
    if name == "Module":
        return _module_attribute(s, v)
    if name == "ModulePackages":
        return J.ModulePackagesAttribute.of(AL([p.package(x) for x in v]))
    if name == "ModuleMainClass":
        return J.ModuleMainClassAttribute.of(p.cls(v))
    if name == "ModuleTarget":
        return J.ModuleTargetAttribute.of(p.utf8(v))
    if name == "ModuleResolution":
        return J.ModuleResolutionAttribute.of(v)
    if name == "ModuleHashes":
        algorithm, hashes = v
        infos = [
            J.ModuleHashInfo.of(p.module(mod), J.JArray(J.JByte)(bytes(h))) for mod, h in hashes
        ]
        return J.ModuleHashesAttribute.of(p.utf8(algorithm), AL(infos))
    if name == "SourceID":
        return J.SourceIDAttribute.of(p.utf8(v))
    if name == "CompilationID":
        return J.CompilationIDAttribute.of(p.utf8(v))
    raise _Bad(f"attribute {name} cannot be written")  # pragma: no cover


def _module_attribute(s: _Session, mi: m.ModuleInfo) -> Any:
    if not isinstance(mi, m.ModuleInfo):
        raise _Bad(f"Module attribute value must be a ModuleInfo, got {mi!r}")
    J = s.J
    p = s.pool
    AL = J.Arrays.asList

    def ver(x: str | None) -> Any:
        return None if x is None else p.utf8(x)

    requires = [J.ModuleRequireInfo.of(p.module(n), f, ver(v)) for n, f, v in mi.requires]
    exports = [
        J.ModuleExportInfo.of(p.package(pk), f, AL([p.module(t) for t in to]))
        for pk, f, to in mi.exports
    ]
    opens = [
        J.ModuleOpenInfo.of(p.package(pk), f, AL([p.module(t) for t in to]))
        for pk, f, to in mi.opens
    ]
    uses = [p.cls(c) for c in mi.uses]
    provides = [
        J.ModuleProvideInfo.of(p.cls(svc), AL([p.cls(c) for c in impls]))
        for svc, impls in mi.provides
    ]
    return J.ModuleAttribute.of(
        p.module(mi.name),
        mi.flags,
        ver(mi.version),
        AL(requires),
        AL(exports),
        AL(opens),
        AL(uses),
        AL(provides),
    )


# --------------------------------------------------------------------------- class job


# What ClassFeeder.make can make (see ClassFeeder.jbasm), by opcode.
_MAKE_FIELD, _MAKE_INVOKE, _MAKE_LDC_STRING, _MAKE_LDC_INT, _MAKE_LDC_CLASS = 0, 1, 2, 3, 4
_MAKE_ARG, _MAKE_NEW, _MAKE_ANEWARRAY, _MAKE_TYPECHECK = 5, 6, 7, 8
_MAKE_LDC = -1  # ldc and ldc_w: one of the three above, by constant
_MAKE_KINDS = {
    **dict.fromkeys(("getfield", "putfield", "getstatic", "putstatic"), _MAKE_FIELD),
    **dict.fromkeys(("invokevirtual", "invokespecial", "invokestatic", "invokeinterface"), _MAKE_INVOKE),
    "ldc": _MAKE_LDC,
    "ldc_w": _MAKE_LDC,
    "bipush": _MAKE_ARG,
    "sipush": _MAKE_ARG,
    "new": _MAKE_NEW,
    "anewarray": _MAKE_ANEWARRAY,
    "checkcast": _MAKE_TYPECHECK,
    "instanceof": _MAKE_TYPECHECK,
}
_INT_RANGE = range(-(1 << 31), 1 << 31)
_ARG_RANGE = {"bipush": range(-128, 128), "sipush": range(-(1 << 15), 1 << 15)}


class _Batch:
    """A class's new instructions, for ClassFeeder.make to make in one call.

    Only well-formed instructions of the common kinds with ASCII names are
    taken (``add`` returns -1 for the rest, which ``_make_insn`` makes and
    checks one by one): the batch makes the same instructions over the same
    shared pool as ``_make_insn`` would.
    """

    __slots__ = ("ordinals", "keys", "items", "slots", "prog", "strs", "str_index")

    def __init__(self, ordinals: dict[str, int]) -> None:
        self.ordinals = ordinals
        self.keys: dict[tuple, int] = {}
        self.items: list[tuple[m.MethodDef, m.Insn]] = []  # one per instruction to make
        self.slots: list[tuple[list[Any], int, int]] = []  # (template, position, item)
        self.prog = array.array("i", (0,))
        self.strs: list[str] = []
        self.str_index: dict[str, int] = {}

    def _str(self, text: str) -> int:
        k = self.str_index.get(text)
        if k is None:
            k = self.str_index[text] = len(self.strs)
            self.strs.append(text)
        return k

    def add(self, md: m.MethodDef, e: m.Insn) -> int:
        """The index of ``e``'s instruction in the batch, or -1 if the batch cannot make it."""
        op, args = e.op, e.args
        key = (op, args)
        try:
            k = self.keys.get(key)
        except TypeError:  # unhashable operands: _make_insn reports them
            return -1
        if k is not None:
            return k
        kind = _MAKE_KINDS.get(op)
        if kind is None or type(args) is not tuple or len(args) != 1:
            return -1
        a = args[0]
        ta = type(a)
        s = self._str
        if kind in (_MAKE_FIELD, _MAKE_INVOKE):
            if ta is not m.MemberRef:
                return -1
            ref_kind, owner, name, desc = a.kind, a.owner, a.name, a.descriptor
            if not (_ascii(owner) and owner and _ascii(name) and _ascii(desc)):
                return -1
            if kind == _MAKE_FIELD:
                if ref_kind != "field":
                    return -1
                code: tuple = (kind, self.ordinals[op], s(owner), s(name), s(desc))
            else:
                # The operand checks of _make_insn, which reports these.
                if ref_kind not in ("method", "imethod"):
                    return -1
                if op == "invokeinterface" and ref_kind != "imethod":
                    return -1
                if op == "invokevirtual" and ref_kind != "method":
                    return -1
                code = (kind, self.ordinals[op], s(owner), s(name), s(desc), ref_kind == "imethod")
        elif kind == _MAKE_LDC:
            if ta is m.Str and _ascii(a.value):
                code = (_MAKE_LDC_STRING, self.ordinals[op], s(a.value))
            elif ta is m.Int and type(a.value) is int and a.value in _INT_RANGE:
                code = (_MAKE_LDC_INT, self.ordinals[op], a.value)
            elif ta is m.ClassConst and _ascii(a.name) and a.name:
                code = (_MAKE_LDC_CLASS, self.ordinals[op], s(a.name))
            else:
                return -1
        elif kind == _MAKE_ARG:
            if ta is not int or a not in _ARG_RANGE[op]:
                return -1
            code = (kind, self.ordinals[op], a)
        else:
            if ta is not str or not a or not a.isascii():
                return -1
            if kind == _MAKE_TYPECHECK:
                code = (kind, self.ordinals[op], s(a))
            else:
                code = (kind, s(a))
        self.prog.extend(code)
        k = self.keys[key] = len(self.items)
        self.items.append((md, e))
        return k


def _ascii(x: object) -> bool:
    return type(x) is str and x.isascii()


class _MethodPlan:
    __slots__ = ("md", "name", "desc", "attrs", "code", "ok")

    def __init__(self, md: m.MethodDef) -> None:
        self.md = md
        self.name: Any = None
        self.desc: Any = None
        self.attrs: list[Any] = []
        self.code: _CodePlan | None = None
        self.ok = True


class _ClassJob:
    """Assembles one ClassDef: lower in Python, build with the JDK, diagnose failures."""

    def __init__(self, s: _Session, cf: Any, cf_nomaps: Any, cls: m.ClassDef, path: str) -> None:
        self.s = s
        self.shared = s  # self.s becomes an isolated session in _isolate
        self.J = s.J
        self.cf = cf
        self.cf_nomaps = cf_nomaps
        self.cls = cls
        self.path = path
        self.errors: list[Diagnostic] = []
        # Constants of narrow ldc instructions, in first-use order (dict as ordered set).
        self.narrow_ldc: dict[object, None] = {}
        # Their count at which _check_narrow looks again whether they still fit.
        self.narrow_check = _NARROW_SLOTS // _MAX_SLOTS
        self.fields: list[tuple[Any, Any, int, list[Any]]] = []
        self.methods: list[_MethodPlan] = []
        self.class_attrs: list[Any] = []
        self.only: _MethodPlan | None = None  # when set, build a class with just this method
        # New instructions for ClassFeeder.make (over the shared pool only).
        self.batch: _Batch | None = _Batch(s.ordinals) if s.feeder else None

    # ---- diagnostics

    def _line(self, *lines: int) -> int | None:
        for ln in lines:
            if isinstance(ln, int) and ln > 0:
                return ln
        return None

    def error(self, message: str, *lines: int, notes: tuple[str, ...] = ()) -> None:
        loc = Location(self.path, self._line(*lines, self.cls.line))
        self.errors.append(Diagnostic(message, loc, notes=notes))

    def _method_name(self, md: m.MethodDef) -> str:
        return f"{md.name}{md.descriptor}"

    # ---- driver

    def run(self) -> bytes:
        cls = self.cls
        if not isinstance(cls, m.ClassDef):
            raise AssemblyError(f"expected a ClassDef, got {type(cls).__name__}")
        try:
            self._lower()
            if _pool_slots(self.narrow_ldc) > _NARROW_SLOTS:
                raise _OwnPool
        except _OwnPool:
            self._isolate()
            self._lower()
        if self.errors:
            # Still look for the JDK's complaints about the methods that lowered fine.
            self._diagnose(None)
            raise self._failure()
        try:
            return bytes(self._build(self.cf))
        except self.J.JException as exc:
            self._diagnose(exc)
            raise self._failure() from None

    def _isolate(self) -> None:
        """Start again over a constant pool of this class's own, begun from a carrier.

        Two things the shared pool cannot do.  NaNs: the JDK writes a float or
        double given as a value with ``floatToIntBits`` (``doubleToLongBits``),
        which makes every NaN the canonical one, but it copies the entries of a
        pool it parsed verbatim.  Many ``ldc``: their constants must sit below
        index 256, and a String added to a pool brings its Utf8 first, so at
        most ~127 strings fit; javac puts the Strings first and their Utf8s
        after.  So a carrier class file is made whose pool starts with the
        constants of ``ldc`` (one slot each, their Utf8s after them), then
        every NaN, and this class is built over ``ConstantPoolBuilder.of``
        that carrier, everything else added to the same pool.  Such a class
        reads the shared caches but adds nothing to them (see ``own_pool``).
        """
        J = self.J
        nans: dict[object, None] = {}
        narrow: dict[object, None] = {}
        _scan_constants(self.cls, nans, narrow)
        firsts = [c for c in narrow if type(c) in _CARRIED and _carriable(c)]
        firsts += [c for c in nans if c not in narrow]
        utf8_index: dict[str, int] = {}
        strings: list[str] = []

        def utf8(text: str) -> int:
            k = utf8_index.get(text)
            if k is None:
                k = utf8_index[text] = len(strings)
                strings.append(text)
            return k

        slots = 1 + sum(2 if type(c) is m.Double else 1 for c in firsts)
        this_class = slots  # the Class entry of this class, then the Utf8s
        first_utf8 = slots + 1
        entries = []
        for c in firsts:
            t = type(c)
            if t is m.Int:
                entries.append(b"\x03" + (c.value & 0xFFFFFFFF).to_bytes(4, "big"))  # type: ignore[attr-defined]
            elif t is m.Float:
                entries.append(b"\x04" + (c.bits & 0xFFFFFFFF).to_bytes(4, "big"))  # type: ignore[attr-defined]
            elif t is m.Double:
                entries.append(b"\x06" + (c.bits & (1 << 64) - 1).to_bytes(8, "big"))  # type: ignore[attr-defined]
            else:
                tag, text = {
                    m.Str: (8, getattr(c, "value", "")),
                    m.ClassConst: (7, getattr(c, "name", "")),
                    m.MethodTypeConst: (16, getattr(c, "descriptor", "")),
                }[t]
                entries.append(bytes((tag,)) + (first_utf8 + utf8(text)).to_bytes(2, "big"))
        entries.append(b"\x07" + (first_utf8 + utf8(self.cls.name)).to_bytes(2, "big"))
        for text in strings:
            data = _modified_utf8(text)
            if len(data) > 0xFFFF:
                raise AssemblyError(f"constant string too long ({len(data)} bytes in UTF-8)")
            entries.append(b"\x01" + len(data).to_bytes(2, "big") + data)
        carrier = b"".join(
            (
                b"\xca\xfe\xba\xbe\x00\x00\x00\x45",
                (first_utf8 + len(strings)).to_bytes(2, "big"),
                *entries,
                b"\x00\x21" + this_class.to_bytes(2, "big") + b"\x00\x00",
                b"\x00\x00" * 4,
            )
        )
        cp = J.ConstantPoolBuilder.of(J.ClassFile.of().parse(J.JArray(J.JByte)(carrier)))
        preset: dict[object, Any] = {}
        index = 1
        for c in firsts:
            preset[c] = cp.entryByIndex(index)
            index += 2 if type(c) is m.Double else 1
        self.s = self.s.isolated(self.s.pool.own_pool(cp, preset))
        self.errors = []
        self.narrow_ldc = {}
        self.narrow_check = sys.maxsize
        self.fields = []
        self.methods = []
        self.class_attrs = []
        self.batch = _Batch(self.s.ordinals) if self.s.feeder else None

    def _check_narrow(self) -> None:
        """Raise _OwnPool as soon as the constants of ``ldc`` may not fit below index 256.

        Checked while lowering (not after the last method) so that a class that
        needs a pool of its own is not lowered twice in full.
        """
        if self.s.pool.own:
            self.narrow_check = sys.maxsize
            return
        slots = _pool_slots(self.narrow_ldc)
        if slots > _NARROW_SLOTS:
            raise _OwnPool
        # Each new constant takes at most _MAX_SLOTS slots.
        self.narrow_check = len(self.narrow_ldc) + (_NARROW_SLOTS - slots) // _MAX_SLOTS

    def _failure(self) -> AssemblyError:
        n = len(self.errors)
        first = self.errors[0].message
        msg = first if n == 1 else f"{first} (and {n - 1} more error{'s' if n > 2 else ''})"
        return AssemblyError(msg, list(self.errors))

    # ---- lowering (Python side, before any builder exists)

    def _lower(self) -> None:
        s = self.s
        p = s.pool
        cls = self.cls
        try:
            self.this_entry = p.cls(cls.name)
            self.super_entry = None if cls.super_name is None else p.cls(cls.super_name)
            self.interfaces = [p.cls(i) for i in cls.interfaces]
            for name, value in (("major", cls.major), ("minor", cls.minor), ("flags", cls.flags)):
                if not isinstance(value, int) or not 0 <= value <= 0xFFFF:
                    raise _Bad(f"class {name} must be 0..65535, got {value!r}")
        except _Bad as exc:
            self.error(str(exc), cls.line)
            return
        if (
            cls.super_name is None
            and cls.name != "java/lang/Object"
            and not (cls.flags & m.ACC_MODULE)
        ):
            self.error(
                f"class {cls.name} has no superclass (only java/lang/Object and module-info may)",
                cls.line,
            )
        for a in cls.attributes:
            try:
                self.class_attrs.append(_attribute(s, a, "class"))
            except _Bad as exc:
                self.error(str(exc), cls.line)
        for fd in cls.fields:
            try:
                attrs = [_attribute(s, a, "field") for a in fd.attributes]
                self._check_flags(fd.flags, "field")
                self.fields.append((p.utf8(fd.name), p.utf8(fd.descriptor), fd.flags, attrs))
            except _Bad as exc:
                self.error(str(exc), fd.line)
        for md in cls.methods:
            self.methods.append(self._lower_method(md))
        if self.batch is not None and self.batch.items:
            self._make_batch()

    def _make_batch(self) -> None:
        """Make the batch's instructions (one call), put them in place and in the cache.

        They are made over the shared pool and kept in the shared cache, also for
        a class over a pool of its own: the batch holds no NaN (see _insn).
        """
        b = self.batch
        assert b is not None
        self.batch = None
        s = self.shared
        b.prog[0] = len(b.items)
        try:
            made = list(s.feeder.make(s.pool.cp, s.int_array(b.prog), b.strs))
        except Exception:
            # Java refused one (a bad descriptor, say): make each the checking way,
            # which reports the culprit at its line.
            s.batch_fallbacks += 1
            made = [self._insn(md, e, None) for md, e in b.items]
        else:
            cache = s.insns
            for (_md, e), j in zip(b.items, made, strict=True):
                cache[(e.op, e.args)] = j
        for template, pos, k in b.slots:
            template[pos] = made[k]

    def _check_flags(self, flags: int, what: str) -> None:
        if not isinstance(flags, int) or not 0 <= flags <= 0xFFFF:
            raise _Bad(f"{what} flags must be 0..65535, got {flags!r}")

    def _lower_method(self, md: m.MethodDef) -> _MethodPlan:
        s = self.s
        mp = _MethodPlan(md)
        try:
            self._check_flags(md.flags, "method")
            mp.name = s.pool.utf8(md.name)
            mp.desc = s.pool.utf8(md.descriptor)
        except _Bad as exc:
            self.error(str(exc), md.line)
            mp.ok = False
            return mp
        for a in md.attributes:
            try:
                mp.attrs.append(_attribute(s, a, "method"))
            except _Bad as exc:
                self.error(str(exc), md.line)
                mp.ok = False
        if md.code is not None:
            if md.flags & (m.ACC_ABSTRACT | m.ACC_NATIVE):
                kind = "abstract" if md.flags & m.ACC_ABSTRACT else "native"
                self.error(f"{kind} method {md.name} cannot have code", md.line)
                mp.ok = False
            else:
                n = len(self.errors)
                mp.code = self._lower_code(md, md.code)
                if len(self.errors) > n:
                    mp.ok = False
        elif not md.flags & (m.ACC_ABSTRACT | m.ACC_NATIVE):
            self.error(
                f"method {md.name} has no code (only abstract and native methods may)", md.line
            )
            mp.ok = False
        return mp

    def _lower_code(self, md: m.MethodDef, code: m.Code) -> _CodePlan:
        """Lower a method's code to a _CodePlan; record errors (with lines) as it goes."""
        s = self.s
        plan = _CodePlan(s, code)
        template = plan.template
        append = template.append
        holes = plan.holes
        cache_get = s.insns.get
        base_get = None if s.base_insns is None else s.base_insns.get
        batch = self.batch
        line_numbers = s.line_numbers
        label_ids: dict[Any, int] = {}
        placed: set[int] = set()
        # Any: the loop dispatches on type(e) itself, faster than isinstance narrowing.
        elements: list[Any] = code.elements
        narrow = self.narrow_ldc
        Insn, Label, LineNumber = m.Insn, m.Label, m.LineNumber
        label_ops = _LABEL_OPS

        def label_id(lab: object, insn: m.Insn) -> int:
            if type(lab) is not Label:
                raise _Bad(f"{insn.op} target must be a label, got {lab!r}")
            i = label_ids.get(lab)
            if i is None:
                i = label_ids[lab] = len(label_ids)
            return i

        for e in elements:
            t = type(e)
            if t is Insn:
                # The hot path: ~95% of the elements are instructions already cached.
                op = e.op
                args = e.args
                try:
                    j = cache_get((op, args))
                    if j is None and base_get is not None:
                        j = base_get((op, args))
                except TypeError:  # unhashable operands: _insn reports them
                    j = None
                if j is not None:
                    if op == "ldc":
                        narrow[args[0]] = None
                        if len(narrow) > self.narrow_check:
                            self._check_narrow()
                    append(j)
                    continue
                kind = label_ops.get(op)
                if kind is None:
                    if batch is not None:
                        k = batch.add(md, e)
                        if k >= 0:
                            batch.slots.append((template, len(template), k))
                            append(None)
                            if op == "ldc":
                                narrow[args[0]] = None
                                if len(narrow) > self.narrow_check:
                                    self._check_narrow()
                            continue
                    append(self._insn(md, e, plan))
                    continue
                try:
                    opc = s.ops[op][0]
                    ordinal = s.ordinals[op]
                    operand: int | tuple
                    if kind in (_BRANCH, _JSR):
                        if len(args) != 1:
                            raise _Bad(f"{op} takes one operand (a label), got {len(args)}")
                        operand = label_id(args[0], e)
                    elif kind == _TABLE:
                        operand = self._tableswitch(e, label_id)
                    else:
                        operand = self._lookupswitch(e, label_id)
                    holes.append((len(template), kind, opc, operand, ordinal))
                except (_Bad, TypeError, ValueError) as exc:
                    self.error(f"{exc}", e.line, md.line)
                append(None)
            elif t is Label:
                i = label_ids.get(e)
                if i is None:
                    i = label_ids[e] = len(label_ids)
                if i in placed:
                    name = f" {e.name}" if e.name else ""
                    self.error(
                        f"label{name} is placed twice in method {md.name}",
                        self._next_line(code, len(template)),
                        md.line,
                    )
                placed.add(i)
                holes.append((len(template), _BIND, None, i, 0))
                append(None)
            elif t is LineNumber:
                j = line_numbers.get(e.line)
                if j is None:
                    try:
                        j = s.line_number(e.line)
                    except _Bad as exc:
                        self.error(str(exc), md.line)
                append(j)
            else:
                self.error(f"unexpected code element {e!r}", md.line)
                append(None)

        for h in code.handlers:
            try:
                if not isinstance(h, m.Handler):
                    raise _Bad(f"expected an exception handler, got {h!r}")
                ids = []
                for lab in (h.start, h.end, h.handler):
                    if type(lab) is not Label:
                        raise _Bad(f"exception handler label must be a Label, got {lab!r}")
                    ids.append(label_ids.setdefault(lab, len(label_ids)))
                opt = None
                if h.catch_type is not None:
                    opt = s.J.Optional.of(s.pool.cls(h.catch_type))
                plan.handlers.append((ids[0], ids[1], ids[2], opt, h.line))
            except _Bad as exc:
                self.error(str(exc), getattr(h, "line", 0), md.line)
        for lv in code.locals:
            try:
                if not isinstance(lv, m.LocalVar):
                    raise _Bad(f"expected a local variable entry, got {lv!r}")
                if not isinstance(lv.slot, int) or not 0 <= lv.slot <= 0xFFFF:
                    raise _Bad(f"local variable slot must be 0..65535, got {lv.slot!r}")
                ids = []
                for lab in (lv.start, lv.end):
                    if type(lab) is not Label:
                        raise _Bad(f"local variable range must be labels, got {lab!r}")
                    ids.append(label_ids.setdefault(lab, len(label_ids)))
                plan.locals.append(
                    (
                        lv.slot,
                        s.pool.utf8(lv.name),
                        s.pool.utf8(lv.descriptor),
                        ids[0],
                        ids[1],
                        bool(lv.signature),
                    )
                )
            except _Bad as exc:
                self.error(f"{exc}", md.line)
        for a in code.attributes:
            try:
                if isinstance(a, m.Attribute) and a.name in _TYPE_ANNOS:
                    plan.type_annos.append(
                        (a.name[7] == "V", self._code_type_annos(a, label_ids, md))
                    )
                else:
                    plan.attrs.append(_attribute(s, a, "code"))
            except _Bad as exc:
                self.error(str(exc), md.line)
        plan.nlabels = len(label_ids)
        if len(placed) < len(label_ids):
            self._unplaced_labels(md, code, label_ids, placed)
        return plan

    def _code_type_annos(self, a: m.Attribute, label_ids: dict, md: m.MethodDef) -> tuple:
        """Code type annotations with their labels replaced by label indices (shapes checked)."""

        def lid(lab: object) -> int:
            if type(lab) is not m.Label:
                raise _Bad(f"type annotation target needs a label, got {lab!r}")
            return label_ids.setdefault(lab, len(label_ids))

        def integer(x: object) -> int:
            if type(x) is not int or not 0 <= x <= 0xFFFF:
                raise _Bad(f"type annotation target index must be 0..65535, got {x!r}")
            return x

        out = []
        for ta in a.value:  # type: ignore[attr-defined]
            if not isinstance(ta, m.TypeAnnotation):
                raise _Bad(f"expected a TypeAnnotation, got {ta!r}")
            info = ta.target_info
            v = ta.target_type
            if v < 0x40:
                raise _Bad(f"type annotation target 0x{v:02x} is not allowed on code")
            try:
                if v in (0x40, 0x41):
                    (ranges,) = info
                    info = (tuple((lid(s0), lid(e0), integer(slot)) for s0, e0, slot in ranges),)
                elif v == 0x42:
                    (index,) = info
                    info = (integer(index),)
                elif v <= 0x46:
                    (lab,) = info
                    info = (lid(lab),)
                else:
                    lab, index = info
                    info = (lid(lab), integer(index))
            except (TypeError, ValueError):
                raise _Bad(
                    f"malformed target_info {ta.target_info!r} for type annotation target 0x{v:02x}"
                ) from None
            out.append(m.TypeAnnotation(v, info, ta.type_path, ta.annotation))
        return tuple(out)

    def _unplaced_labels(
        self, md: m.MethodDef, code: m.Code, label_ids: dict, placed: set[int]
    ) -> None:
        """Report each label that is used but never placed, at its first user's line."""
        missing = {i for i in label_ids.values() if i not in placed}
        by_id = {i: lab for lab, i in label_ids.items()}
        users: dict[int, int] = {}

        def use(lab: object, line: int) -> None:
            i = label_ids.get(lab)
            if i is not None and i in missing and i not in users:
                users[i] = line

        for e in code.elements:
            if type(e) is m.Insn and e.op in _LABEL_OPS:
                for a in e.args:
                    if isinstance(a, tuple):
                        for x in a:
                            use(x[1] if isinstance(x, tuple) else x, e.line)
                    else:
                        use(a, e.line)
        for h in code.handlers:
            for lab in (h.start, h.end, h.handler):
                use(lab, h.line)
        for i in sorted(missing):
            lab = by_id[i]
            name = f" {lab.name}" if lab.name else ""
            self.error(
                f"label{name} is used but never placed in method {md.name}",
                users.get(i, 0),
                md.line,
            )

    def _next_line(self, code: m.Code, index: int) -> int:
        """The line of the first instruction at or after element ``index`` (labels have none)."""
        for e in code.elements[index:]:
            if type(e) is m.Insn and e.line > 0:
                return e.line
        return 0

    def _tableswitch(self, e: m.Insn, label_id: Any) -> tuple:
        if len(e.args) != 4:
            raise _Bad("tableswitch takes (low, high, default, targets)")
        low, high, dflt, targets = e.args
        if not isinstance(low, int) or not isinstance(high, int):
            raise _Bad(f"tableswitch bounds must be ints, got {low!r}, {high!r}")
        if not -(1 << 31) <= low <= high < (1 << 31):
            raise _Bad(f"tableswitch needs low <= high (ints), got {low}, {high}")
        if len(targets) != high - low + 1:
            raise _Bad(
                f"tableswitch {low}..{high} needs {high - low + 1} targets, got {len(targets)}"
            )
        return (low, high, label_id(dflt, e), [label_id(x, e) for x in targets])

    def _lookupswitch(self, e: m.Insn, label_id: Any) -> tuple:
        if len(e.args) != 2:
            raise _Bad("lookupswitch takes (default, ((key, label), ...))")
        dflt, pairs = e.args
        keys = [k for k, _ in pairs]
        if any(not isinstance(k, int) or not -(1 << 31) <= k < (1 << 31) for k in keys):
            raise _Bad("lookupswitch keys must be ints")
        if len(set(keys)) != len(keys):
            raise _Bad("lookupswitch has duplicate keys")
        return (label_id(dflt, e), [(k, label_id(x, e)) for k, x in pairs])

    def _insn(self, md: m.MethodDef, e: m.Insn, plan: _CodePlan | None) -> Any:
        """Build (and cache) a label-free instruction; on error record it and return None."""
        s = self.s
        cache = s.insns
        try:
            if s.base_insns is None:
                j = _make_insn(s, e)
            else:
                # A class over a pool of its own (see _isolate) still makes its
                # instructions over the shared pool, for the next classes to reuse,
                # unless they need an entry only its own pool has (a NaN).
                try:
                    j = _make_insn(self.shared, e)
                    cache = self.shared.insns
                except _OwnPool:
                    j = _make_insn(s, e)
        except _Bad as exc:
            self.error(str(exc), e.line, md.line)
            return None
        except s.J.JException as exc:
            self.error(f"{e.op}: {_java_message(exc)}", e.line, md.line)
            return None
        except (TypeError, ValueError, OverflowError) as exc:
            self.error(f"{e.op}: bad operands {e.args!r}: {exc}", e.line, md.line)
            return None
        if e.op == "ldc":
            self.narrow_ldc[e.args[0]] = None
            if len(self.narrow_ldc) > self.narrow_check:
                self._check_narrow()
        with contextlib.suppress(TypeError):  # unhashable operands: not cached
            cache[(e.op, e.args)] = j
        return j

    # ---- building (Java side)

    def _build(self, cf: Any) -> Any:
        J = self.J
        pool = self.s.pool
        if pool.own:
            cp = pool.cp  # a pool of this class's own (see _isolate)
        else:
            cp = J.ConstantPoolBuilder.of()
            # The constants of narrow ldc instructions go first, so that their
            # index stays below 256 and the JDK does not widen the ldc to ldc_w.
            for c in self.narrow_ldc:
                pool.copy_into(cp, c)
        feeder = self.s.feeder
        if feeder and self.only is None and not any(
            mp.code is not None and (mp.code.type_annos or mp.code.slow) for mp in self.methods
        ):
            objs, prog = self._encode()
            return cf.build(self.this_entry, cp, feeder(objs, self.s.int_array(prog)))
        consumer = self.s.class_consumer
        consumer.job = self
        try:
            return cf.build(self.this_entry, cp, consumer)
        finally:
            consumer.job = None

    def _encode(self) -> tuple[list[Any], array.array]:
        """The class for ClassFeeder: the JDK objects and the program (see ClassFeeder.jbasm).

        It gives the builders what ``fill`` and ``_CodePlan.emit`` give them, in
        the same order, so both paths write the same bytes.
        """
        cls = self.cls
        objs: list[Any] = []
        prog = array.array("i", (cls.major, cls.minor, cls.flags))
        if self.super_entry is None:
            prog.append(-1)
        else:
            prog.append(len(objs))
            objs.append(self.super_entry)
        if self.interfaces:
            prog.append(len(objs))
            objs.append(self.s.as_list(self.interfaces))
        else:
            prog.append(-1)
        prog.append(len(self.fields))
        for name, desc, flags, attrs in self.fields:
            k = len(objs)
            objs += (name, desc)
            objs += attrs
            prog.extend((k, k + 1, flags, len(attrs)))
            prog.extend(range(k + 2, k + 2 + len(attrs)))
        methods = [mp for mp in self.methods if mp.ok]
        prog.append(len(methods))
        for mp in methods:
            k = len(objs)
            objs += (mp.name, mp.desc)
            prog.extend((k, k + 1, mp.md.flags))
            if mp.code is None:
                prog.append(-1)
            else:
                code = mp.code.encode(objs)
                prog.append(len(code))
                prog.extend(code)
            k = len(objs)
            objs += mp.attrs
            prog.append(len(mp.attrs))
            prog.extend(range(k, k + len(mp.attrs)))
        k = len(objs)
        objs += self.class_attrs
        prog.append(len(self.class_attrs))
        prog.extend(range(k, k + len(self.class_attrs)))
        return objs, prog

    def fill(self, clb: Any) -> None:
        """The class callback: header, fields, methods, attributes, in model order."""
        s = self.s
        cls = self.cls
        J = self.J
        clb.withVersion(cls.major, cls.minor)
        clb.withFlags(cls.flags)
        if self.super_entry is not None:
            clb.withSuperclass(self.super_entry)
        if self.interfaces:
            clb.withInterfaces(J.Arrays.asList(self.interfaces))
        only = self.only
        if only is None:
            fc = s.field_consumer
            for name, desc, flags, attrs in self.fields:
                if attrs:
                    fc.flags = flags
                    fc.attrs = attrs
                    clb.withField(name, desc, fc)
                else:
                    clb.withField(name, desc, flags)
        code_consumer = s.code_consumer
        method_consumer = s.method_consumer
        noop = J.noop_consumer
        for mp in self.methods:
            if only is not None and mp is not only:
                continue
            if not mp.ok:
                continue
            flags = mp.md.flags
            if mp.code is not None and not mp.attrs:
                code_consumer.plan = mp.code
                clb.withMethodBody(mp.name, mp.desc, flags, code_consumer)
            elif mp.code is None and not mp.attrs:
                clb.withMethod(mp.name, mp.desc, flags, noop)
            else:
                method_consumer.plan = mp
                clb.withMethod(mp.name, mp.desc, flags, method_consumer)
        if only is None:
            for a in self.class_attrs:
                clb.with_(a)

    # ---- diagnosis (only when something failed)

    def _diagnose(self, exc: Any) -> None:
        """Build each method alone to find every method the JDK refuses, and where."""
        J = self.J
        before = len(self.errors)
        for mp in self.methods:
            if not mp.ok or mp.code is None:
                continue
            mp.code.slow = True
            mp.code.failed_at = -1
            self.only = mp
            try:
                self._build(self.cf)
            except J.JException as e:
                self._method_error(mp, e)
            finally:
                mp.code.slow = False
                self.only = None
        if exc is not None and len(self.errors) == before:
            self.error(
                f"cannot assemble class {self.cls.name}: {_java_message(exc)}", self.cls.line
            )

    _OFFSET = re.compile(r"^(.*?) at bytecode offset (\d+) of method .*$", re.S)

    def _method_error(self, mp: _MethodPlan, exc: Any) -> None:
        md = mp.md
        code = mp.code
        assert code is not None
        msg = _java_message(exc)
        where = f"in method {self._method_name(md)}"
        if code.failed_at >= 0:
            line, note = self._element_line(md, code, code.failed_at)
            self.error(f"{msg}", line, md.line, notes=(where + note,))
            return
        mo = self._OFFSET.match(msg)
        if mo:
            reason, bci = mo.group(1), int(mo.group(2))
            insn = self._insn_at(mp, bci)
            self.error(
                f"cannot compute stack map frames: {_lower_first(reason)}",
                insn.line if insn is not None else 0,
                md.line,
                notes=(f"{where} at bci {bci}" + (f" ({insn.op})" if insn is not None else ""),),
            )
            return
        if msg.startswith("Could not resolve class"):
            # The JDK names the class by its simple name only; find the full name
            # among the classes the method refers to.
            shown = msg[len("Could not resolve class") :].strip()
            full = _find_class(md, self.cls, shown)
            self.error(
                f"cannot compute stack map frames: could not resolve class {full or shown}"
                " (add the jar or folder that holds it to the class path)",
                md.line,
                notes=(where,),
            )
            return
        mo = _CODE_LENGTH.match(msg)
        if mo:
            if int(mo.group(1)) == 0:
                self.error(f"method {md.name} has no instructions", md.line)
            else:
                self.error(
                    f"method {md.name} is too large: {mo.group(1)} bytes of code (at most 65535)",
                    md.line,
                )
            return
        # A message without a bytecode offset may still name an operand (a bad
        # descriptor): point at the first instruction that has it.
        mo = _NAMED.search(msg)
        insn = _insn_with(md, mo.group(1)) if mo else None
        line = insn.line if insn is not None else 0
        self.error(_lower_first(msg), line, md.line, notes=(where,))

    def _element_line(self, md: m.MethodDef, code: _CodePlan, i: int) -> tuple[int, str]:
        elements = code.code.elements
        if i < len(elements):
            e = elements[i]
            if type(e) is m.Insn:
                return e.line, f" ({e.op})"
            if type(e) is m.Label:
                return self._next_line(code.code, i), ""
            return 0, ""
        i -= len(elements)
        if i < len(code.handlers):
            return code.handlers[i][4], " (exception handler)"
        return 0, ""

    def _insn_at(self, mp: _MethodPlan, bci: int) -> m.Insn | None:
        """The instruction of ``mp`` at bytecode offset ``bci`` in the written code.

        The method is written again without stack maps (which cannot fail the
        same way), its code bytes are walked, and the written instructions are
        matched one to one with the model's, allowing for the JDK's rewrites
        (a conditional branch inflated to ``if<not> +8; goto_w`` when
        FIX_SHORT_JUMPS applies).
        """
        J = self.J
        code = mp.code
        assert code is not None
        self.only = mp
        code.slow = False
        try:
            data = self._build(self.cf_nomaps)
            cm = self.cf.parse(data)
            raw = bytes(cm.methods().get(0).code().get().codeArray())
        except J.JException:
            return None
        finally:
            self.only = None
        offsets = _code_offsets(self.s, raw)
        k = 0
        for e in code.code.elements:
            if type(e) is not m.Insn:
                continue
            if k >= len(offsets):
                return None
            start, opcode = offsets[k]
            k += 1
            if e.op in _CONDITIONAL_BRANCHES:
                mine = int(self.s.ops[e.op][0].bytecode()) & 0xFF
                if opcode != mine and k < len(offsets) and offsets[k][1] == 0xC8:
                    k += 1  # the goto_w of an inflated branch
            end = offsets[k][0] if k < len(offsets) else len(raw)
            if start <= bci < end:
                return e
        return None


# ldc constants that a carrier pool holds in one slot each (Utf8s after them).
_CARRIED = (m.Int, m.Float, m.Str, m.ClassConst, m.MethodTypeConst)
# Pool slots the constants of narrow ldc may take before their indices could
# reach 256 (the rest of the class needs a few: its name, super ...).
_NARROW_SLOTS = 240
# The most slots one such constant is counted for (a method handle or dynamic
# constant with the entries it refers to).
_MAX_SLOTS = 12


def _carriable(c: object) -> bool:
    """A well-formed constant for a carrier pool (a bad one is reported by _lower)."""
    if type(c) is m.Int:
        return type(c.value) is int and -(1 << 31) <= c.value < (1 << 31)
    if type(c) is m.Float:
        return type(c.bits) is int
    return isinstance(getattr(c, "value", getattr(c, "name", getattr(c, "descriptor", None))), str)


def _pool_slots(constants: dict[object, None]) -> int:
    """An upper bound of the pool slots the constants of ``ldc`` take when added first."""
    n = 0
    for c in constants:
        t = type(c)
        n += 1 if t is m.Int or t is m.Float else 2 if t in _CARRIED else _MAX_SLOTS
    return n


def _scan_constants(cls: m.ClassDef, nans: dict[object, None], narrow: dict[object, None]) -> None:
    """Collect the NaN constants of a class, and the operands of its ``ldc`` instructions."""

    def walk(v: object) -> None:
        # Generic, for attribute values and bootstrap arguments (small).
        t = type(v)
        if t in _NO_FLOATS:
            return
        if t is m.Float or t is m.Double:
            if _is_nan(v):
                nans[v] = None
        elif t is tuple or t is list:
            for x in v:  # type: ignore[attr-defined]
                walk(x)
        elif t is not m.Insn and dataclasses.is_dataclass(v):
            names = _FIELD_NAMES.get(t)
            if names is None:
                names = _FIELD_NAMES[t] = tuple(f.name for f in dataclasses.fields(v))
            for name in names:
                walk(getattr(v, name))

    walk(cls.attributes)
    for fd in cls.fields:
        walk(fd.attributes)
    for md in cls.methods:
        walk(md.attributes)
        if md.code is None:
            continue
        walk(md.code.attributes)
        for e in md.code.elements:
            if type(e) is m.Insn:
                op = e.op
                if op in ("ldc", "ldc_w", "ldc2_w", "invokedynamic") and len(e.args) == 1:
                    c = e.args[0]
                    if op == "ldc":
                        narrow[c] = None
                    walk(c)


# Values that cannot hold a float or double constant (_scan_constants skips them).
_NO_FLOATS = frozenset(
    (str, int, bool, bytes, type(None), m.Int, m.Long, m.Str, m.ClassConst, m.MethodTypeConst, m.MemberRef)
)
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _is_nan(c: object) -> bool:
    """A Float or Double constant whose bits are a NaN (any payload)."""
    t = type(c)
    if t is m.Float:
        bits = c.bits  # type: ignore[attr-defined]
        return (bits & 0x7F800000) == 0x7F800000 and bool(bits & 0x7FFFFF)
    if t is m.Double:
        bits = c.bits  # type: ignore[attr-defined]
        return (bits & 0x7FF0000000000000) == 0x7FF0000000000000 and bool(bits & 0xFFFFFFFFFFFFF)
    return False


_DESC_CLASS = re.compile(r"L([^;<>]+);")
_CODE_LENGTH = re.compile(r"Code length (\d+) is outside the allowed range")
_NAMED = re.compile(r"(?:descriptor|class|name): (\S+)\s*$")


def _insn_with(md: m.MethodDef, text: str) -> m.Insn | None:
    """The first instruction of ``md`` with an operand (or part of one) equal to ``text``."""

    def has(v: object) -> bool:
        if v == text:
            return True
        if isinstance(v, tuple):
            return any(has(x) for x in v)
        if dataclasses.is_dataclass(v) and not isinstance(v, type):
            return any(has(getattr(v, f.name)) for f in dataclasses.fields(v))
        return False

    if md.code is not None:
        for e in md.code.elements:
            if type(e) is m.Insn and has(e.args):
                return e
    return None


def _find_class(md: m.MethodDef, cls: m.ClassDef, shown: str) -> str | None:
    """The Java name of the class the method refers to whose simple name is ``shown``."""
    shown = shown.removesuffix("[]")
    names: list[str] = [md.descriptor, cls.name, cls.super_name or "", *cls.interfaces]
    if md.code is not None:
        names += [h.catch_type for h in md.code.handlers if h.catch_type]
        for e in md.code.elements:
            if type(e) is m.Insn:
                for a in e.args:
                    if isinstance(a, m.MemberRef):
                        names += [a.owner, a.descriptor]
                    elif isinstance(a, str):
                        names.append(a)
    for text in names:
        for name in [text, *_DESC_CLASS.findall(text)]:
            name = name.lstrip("[")
            if name.startswith("L") and name.endswith(";"):
                name = name[1:-1]
            if name.rsplit("/", 1)[-1] == shown:
                return name.replace("/", ".")
    return None


def _lower_first(s: str) -> str:
    return s[:1].lower() + s[1:] if s[:2] != s[:2].upper() else s


def _code_offsets(s: _Session, code: bytes) -> list[tuple[int, int]]:
    """``(bci, opcode)`` of each instruction in raw bytecode."""
    out = []
    pc = 0
    n = len(code)
    lengths = s.lengths
    while pc < n:
        op = code[pc]
        out.append((pc, op))
        if op == 0xC4:  # wide
            pc += 6 if pc + 1 < n and code[pc + 1] == 0x84 else 4
        elif op in (0xAA, 0xAB):  # tableswitch, lookupswitch
            q = pc + 1 + (-(pc + 1) % 4)
            if op == 0xAA:
                low = int.from_bytes(code[q + 4 : q + 8], "big", signed=True)
                high = int.from_bytes(code[q + 8 : q + 12], "big", signed=True)
                pc = q + 12 + 4 * (high - low + 1)
            else:
                npairs = int.from_bytes(code[q + 4 : q + 8], "big", signed=True)
                pc = q + 8 + 8 * npairs
        else:
            pc += lengths.get(op, 1)
    return out


def _make_insn(s: _Session, e: m.Insn) -> Any:
    """A label-free instruction from its model; raises _Bad with a readable message."""
    J = s.J
    op = e.op
    args = e.args
    info = s.ops.get(op) if isinstance(op, str) else None
    if info is None:
        near = difflib.get_close_matches(str(op), list(s.ops), n=1)
        hint = f" (did you mean {near[0]}?)" if near else ""
        raise _Bad(f"unknown instruction {op!r}{hint}")
    if not isinstance(args, tuple):
        raise _Bad(f"{op} operands must be a tuple, got {type(args).__name__}")
    opc, kind, size = info
    p = s.pool

    def want(n: int, what: str) -> None:
        if len(args) != n:
            if n == 0:
                raise _Bad(f"{op} takes no operand, got {len(args)}")
            raise _Bad(f"{op} takes {what}, got {len(args)} operand{'s' if len(args) != 1 else ''}")

    def integer(x: object, what: str) -> int:
        if type(x) is not int:
            raise _Bad(f"{op} {what} must be an int, got {type(x).__name__} {x!r}")
        return x

    def name(x: object, what: str) -> str:
        if not isinstance(x, str) or not x:
            raise _Bad(f"{op} operand must be {what}, got {x!r}")
        return x

    f = s.factory
    if kind in ("LOAD", "STORE"):
        load_store = f(kind)
        if size == 1:  # iload_0 ... astore_3: the slot is in the name
            want(0, "")
            return load_store(opc, int(op[-1]))
        want(1, "a local variable slot")
        return load_store(opc, integer(args[0], "slot"))
    if kind in (
        "ARRAY_LOAD",
        "ARRAY_STORE",
        "STACK",
        "OPERATOR",
        "CONVERT",
        "RETURN",
        "MONITOR",
    ):
        want(0, "")
        return f(kind)(opc)
    if kind == "NOP":
        want(0, "")
        return J.NopInstruction.of()
    if kind == "THROW_EXCEPTION":
        want(0, "")
        return J.ThrowInstruction.of()
    if kind == "CONSTANT":
        if op in ("bipush", "sipush"):
            want(1, "an int")
            v = integer(args[0], "operand")
            lim = 1 << (7 if op == "bipush" else 15)
            if not -lim <= v < lim:
                raise _Bad(f"{op} operand out of range {-lim}..{lim - 1}: {v}")
            return f("argument")(opc, v)
        if op in ("ldc", "ldc_w", "ldc2_w"):
            want(1, "a constant")
            c = args[0]
            wide = type(c) in (m.Long, m.Double)
            if op == "ldc2_w" and not wide:
                raise _Bad(f"ldc2_w loads a long or double, got {c!r}")
            if op != "ldc2_w" and wide:
                raise _Bad(f"{op} cannot load a long or double (use ldc2_w): {c!r}")
            entry = p.loadable(c)
            if p.own and op == "ldc" and int(entry.index()) >= 256:
                # An entry of the class's own pool is written with the opcode as
                # given (the JDK adapts ldc/ldc_w only for entries of another pool),
                # and a narrow ldc would keep the low byte of the index.
                opc = s.ops["ldc_w"][0]
            return f("load")(opc, entry)
        want(0, "")
        return f("intrinsic")(opc)
    if kind == "INCREMENT":
        want(2, "(slot, delta)")
        slot = integer(args[0], "slot")
        delta = integer(args[1], "delta")
        _check_iinc(op, slot, delta)
        if op == "iinc_w" and _iinc_fits(slot, delta):
            return _wide_iinc(s, slot, delta)
        return J.IncrementInstruction.of(slot, delta)
    if kind == "FIELD_ACCESS":
        want(1, "a field reference")
        ref = args[0]
        if not isinstance(ref, m.MemberRef) or ref.kind != "field":
            raise _Bad(f"{op} needs a field reference, got {ref!r}")
        # The (owner, name, type) factories make the Fieldref/Methodref and its
        # NameAndType in the owner's pool in one call instead of three.
        return f(kind)(opc, p.cls(ref.owner), p.utf8(ref.name), p.utf8(ref.descriptor))
    if kind == "INVOKE":
        want(1, "a method reference")
        ref = args[0]
        if not isinstance(ref, m.MemberRef) or ref.kind not in ("method", "imethod"):
            raise _Bad(f"{op} needs a method reference, got {ref!r}")
        if op == "invokeinterface" and ref.kind != "imethod":
            raise _Bad("invokeinterface needs an interface method reference (imethod)")
        if op == "invokevirtual" and ref.kind != "method":
            raise _Bad("invokevirtual needs a class method reference, not an interface method")
        return f(kind)(
            opc, p.cls(ref.owner), p.utf8(ref.name), p.utf8(ref.descriptor), ref.kind == "imethod"
        )
    if kind == "INVOKE_DYNAMIC":
        want(1, "a call site")
        return J.InvokeDynamicInstruction.of(p.call_site(args[0]))
    if kind in ("NEW_OBJECT", "NEW_REF_ARRAY", "TYPE_CHECK"):
        want(1, "a class name")
        entry = p.cls(name(args[0], "a class name"))
        if kind == "TYPE_CHECK":
            return f(kind)(opc, entry)
        return f(kind)(entry)
    if kind == "NEW_PRIMITIVE_ARRAY":
        want(1, "a primitive type name")
        tk = s.type_kinds.get(args[0])
        if tk is None:
            raise _Bad(
                f"newarray element type must be one of {', '.join(_NEWARRAY_TYPES)}, got {args[0]!r}"
            )
        return J.NewPrimitiveArrayInstruction.of(tk)
    if kind == "NEW_MULTI_ARRAY":
        want(2, "(array descriptor, dimensions)")
        desc = name(args[0], "an array descriptor")
        dims = integer(args[1], "dimensions")
        if not 1 <= dims <= 255:
            raise _Bad(f"multianewarray dimensions must be 1..255, got {dims}")
        return J.NewMultiArrayInstruction.of(p.cls(desc), dims)
    if kind == "DISCONTINUED_RET":
        want(1, "a local variable slot")
        return J.RetInstruction.of(opc, integer(args[0], "slot"))
    raise _Bad(f"{op} needs label operands")  # pragma: no cover  (handled by the caller)


def _check_iinc(op: str, slot: int, delta: int) -> None:
    """Refuse iinc operands out of range, and a narrow iinc whose operands need iinc_w."""
    if not 0 <= slot <= 0xFFFF:
        raise _Bad(f"{op} slot must be 0..65535, got {slot}")
    if not -(1 << 15) <= delta < (1 << 15):
        raise _Bad(f"{op} delta must be -32768..32767, got {delta}")
    if op == "iinc" and not _iinc_fits(slot, delta):
        raise _Bad(f"iinc operands do not fit in a byte (slot {slot}, delta {delta}): use iinc_w")


def _iinc_fits(slot: int, delta: int) -> bool:
    return slot < 256 and -128 <= delta <= 127


def _wide_iinc(s: _Session, slot: int, delta: int) -> Any:
    """An ``iinc_w`` the JDK keeps wide although its operands would fit ``iinc``.

    ``IncrementInstruction.of(slot, delta)`` has no opcode: the JDK writes the
    narrow form whenever the operands fit.  An instruction *parsed* from a class
    file is written by copying its bytes (``BoundInstruction.writeTo``, for
    instructions without pool references or labels), so a one-method carrier
    class holding ``wide iinc`` is parsed and its instruction reused.
    """
    J = s.J
    code = b"\xc4\x84" + slot.to_bytes(2, "big") + delta.to_bytes(2, "big", signed=True) + b"\xb1"
    body = (
        b"\x00\x00"  # max_stack
        + (slot + 1).to_bytes(2, "big")  # max_locals
        + len(code).to_bytes(4, "big")
        + code
        + b"\x00\x00\x00\x00"  # exception table, attributes
    )
    utf8 = [b"C", b"m", b"()V", b"Code"]
    pool = b"".join(b"\x01" + len(u).to_bytes(2, "big") + u for u in utf8) + b"\x07\x00\x01"
    carrier = b"".join(
        (
            b"\xca\xfe\xba\xbe\x00\x00\x00\x31",  # version 49: no stack maps needed
            (len(utf8) + 2).to_bytes(2, "big"),
            pool,
            b"\x00\x00\x00\x05\x00\x00",  # access, this_class #5, super_class 0
            b"\x00\x00\x00\x00\x00\x01",  # interfaces, fields, one method
            b"\x00\x09\x00\x02\x00\x03\x00\x01",  # public static m()V, one attribute
            b"\x00\x04" + len(body).to_bytes(4, "big") + body,
            b"\x00\x00",
        )
    )
    model = J.ClassFile.of().parse(J.JArray(J.JByte)(carrier))
    return model.methods().get(0).code().get().elementList().get(0)
