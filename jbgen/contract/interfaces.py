"""The interfaces a contract implements, read from class files: their abstract methods.

A class is looked up first on the ``--classpath`` (jars and folders, read in
pure Python with :func:`jbgen.asm.reader.read_class`), then, for packages of
the JDK (``java.*``, ``javax.*``, ``jdk.*`` ...), in the embedded JDK through
``jrt:/``.  Only that last step needs the JVM: it starts on the first JDK
lookup, never at import, and each JDK class is read once per process.

The methods to implement are the abstract instance methods of the interface
and of its superinterfaces, minus those a more specific interface provides as
a default method and those ``java.lang.Object`` implements (``equals`` in
``Comparator``).  Descriptors are the erased ones of the class file; generic
signatures are ignored.
"""

from __future__ import annotations

import functools
import os
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass

from jbgen.asm.model import ACC_ABSTRACT, ACC_INTERFACE, ACC_STATIC, Attribute, ClassDef
from jbgen.errors import ClassFormatError, JbgenError

__all__ = ["AbstractMethod", "ClassPath", "LookupError_", "abstract_methods"]

# Packages the embedded JDK may hold: the only names worth starting a JVM for.
_JDK_PREFIXES = ("java/", "javax/", "jdk/", "sun/", "com/sun/", "org/w3c/", "org/xml/", "org/ietf/")

# Public methods of java.lang.Object: an interface may redeclare them abstractly
# (Comparator.equals), but every class already implements them.
_OBJECT_METHODS = frozenset(
    [("equals", "(Ljava/lang/Object;)Z"), ("hashCode", "()I"), ("toString", "()Ljava/lang/String;")]
)


class LookupError_(Exception):  # noqa: N801 - trailing underscore: the builtin LookupError
    """A class that cannot be found or read, or is not an interface; the loader adds the location."""


@dataclass(frozen=True)
class AbstractMethod:
    """An abstract method to implement: owner interface, name, descriptor, parameter names if known."""

    owner: str
    name: str
    descriptor: str
    param_names: tuple[str, ...] | None = None


class ClassPath:
    """Class lookup over classpath entries (jars and folders), then the JDK."""

    def __init__(self, entries: Sequence[str] = ()) -> None:
        self.entries = tuple(entries)
        self._cache: dict[str, ClassDef | None] = {}
        self._zips: dict[str, zipfile.ZipFile | None] = {}

    def find(self, internal: str) -> ClassDef | None:
        """The class of that internal name, or None when no entry has it."""
        if internal in self._cache:
            return self._cache[internal]
        found: ClassDef | None = None
        rel = internal + ".class"
        for entry in self.entries:
            data = self._read_entry(entry, rel)
            if data is not None:
                found = self._parse(data, f"{entry}!/{rel}" if not os.path.isdir(entry) else os.path.join(entry, rel))
                break
        else:
            if internal.startswith(_JDK_PREFIXES):
                data = jdk_class_bytes(internal)
                if data is not None:
                    found = self._parse(data, f"jrt:/{internal}.class")
        self._cache[internal] = found
        return found

    @staticmethod
    def _parse(data: bytes, shown: str) -> ClassDef:
        from jbgen.asm.reader import read_class

        try:
            return read_class(data, shown)
        except ClassFormatError as exc:
            raise LookupError_(f"{shown}: not a readable class file: {exc.message}") from None

    def _read_entry(self, entry: str, rel: str) -> bytes | None:
        if os.path.isdir(entry):
            full = os.path.join(entry, *rel.split("/"))
            try:
                with open(full, "rb") as fh:
                    return fh.read()
            except OSError:
                return None
        zf = self._zip(entry)
        if zf is None:
            return None
        try:
            return zf.read(rel)
        except KeyError:
            return None
        except (zipfile.BadZipFile, OSError, EOFError) as exc:
            raise LookupError_(f"{entry}!/{rel}: cannot read the entry: {exc}") from None

    def _zip(self, entry: str) -> zipfile.ZipFile | None:
        if entry in self._zips:
            return self._zips[entry]
        zf: zipfile.ZipFile | None
        try:
            zf = zipfile.ZipFile(entry)
        except FileNotFoundError:
            raise LookupError_(f"classpath entry {entry}: no such file or folder") from None
        except (zipfile.BadZipFile, OSError) as exc:
            raise LookupError_(f"classpath entry {entry}: not a jar or a folder ({exc})") from None
        self._zips[entry] = zf
        return zf

    def close(self) -> None:
        for zf in self._zips.values():
            if zf is not None:
                zf.close()
        self._zips.clear()


@functools.lru_cache(maxsize=1)
def _jdk_modules() -> tuple[str, ...]:
    """The modules of the embedded JDK, from its ``release`` file (no JVM needed)."""
    from jbgen import jvm

    try:
        home = jvm.find_java_home().home
        text = (home / "release").read_text(encoding="utf-8", errors="replace")
    except (JbgenError, OSError):
        return ("java.base",)
    for line in text.splitlines():
        if line.startswith("MODULES="):
            mods = line.split("=", 1)[1].strip().strip('"').split()
            # java.base first: it holds most of what contracts name.
            return ("java.base", *[m for m in mods if m != "java.base"])
    return ("java.base",)


@functools.lru_cache(maxsize=512)
def jdk_class_bytes(internal: str) -> bytes | None:
    """A class of the embedded JDK, or None.  Starts the JVM on the first call (JPype reads jrt:/)."""
    from jbgen.api import iter_classes
    from jbgen.errors import UsageError

    for module in _jdk_modules():
        try:
            for _, data in iter_classes([f"jrt:/{module}/{internal}.class"]):
                return data
        except UsageError:
            continue
    return None


def abstract_methods(interface: str, classpath: ClassPath) -> list[AbstractMethod]:
    """The methods a class must implement for ``interface`` (internal name), in declaration order.

    Raises :class:`LookupError_` when the interface (or a superinterface) cannot
    be found, or when the class found is not an interface.
    """
    top = _require(interface, classpath)
    if not top.flags & ACC_INTERFACE:
        raise LookupError_(f"{interface.replace('/', '.')} is a class, not an interface (use `extends`)")
    # Walk the interface and its superinterfaces, most specific first.
    order: list[ClassDef] = []
    seen: set[str] = set()
    queue = [top]
    while queue:
        c = queue.pop(0)
        if c.name in seen:
            continue
        seen.add(c.name)
        order.append(c)
        for sup in c.interfaces:
            queue.append(_require(sup, classpath, needed_by=c.name))
    concrete: set[tuple[str, str]] = set(_OBJECT_METHODS)
    found: dict[tuple[str, str], AbstractMethod] = {}
    for c in order:
        for m in c.methods:
            if m.name.startswith("<") or m.flags & ACC_STATIC:
                continue
            key = (m.name, m.descriptor)
            if not m.flags & ACC_ABSTRACT:
                concrete.add(key)  # a default method (or a private one)
                continue
            if key in concrete or key in found:
                continue
            found[key] = AbstractMethod(c.name, m.name, m.descriptor, _param_names(m.attributes, m.param_names))
    return list(found.values())


def _param_names(attributes: list[Attribute], known: tuple[str, ...] | None) -> tuple[str, ...] | None:
    if known:
        return known
    for a in attributes:
        if a.name == "MethodParameters" and isinstance(a.value, tuple):
            names = tuple(n for n, _ in a.value)
            if all(isinstance(n, str) and n for n in names):
                return names
    return None


def _require(internal: str, classpath: ClassPath, needed_by: str | None = None) -> ClassDef:
    c = classpath.find(internal)
    if c is None:
        shown = internal.replace("/", ".")
        where = "the classpath" if classpath.entries else "the classpath (none given: pass --classpath)"
        if internal.startswith(_JDK_PREFIXES):
            where += " or the JDK"
        by = f" (a superinterface of {needed_by.replace('/', '.')})" if needed_by else ""
        raise LookupError_(f"interface {shown}{by} not found on {where}")
    return c
