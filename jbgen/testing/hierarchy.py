"""Is a thrown exception an instance of the expected class?  Superclass chains without loading code.

An expected exception matches "an instance of it or of a subclass", so the
test needs the superclass chain of what the code threw.  It is read, in
order, from the classes under test (as :class:`~jbgen.asm.model.ClassDef`),
from the class files on the classpath (with jbgen's reader: nothing of theirs
runs), and for the JDK's own classes from the jbgen process's JVM, which
loads them without initializing them (JDK code is trusted; only ``java.``,
``javax.``, ``jdk.`` and ``sun.`` names are looked up there).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable, Sequence

from jbgen.asm import model as m

__all__ = ["Hierarchy"]

_JDK_PREFIXES = ("java/", "javax/", "jdk/", "sun/")


class Hierarchy:
    """Superclasses of classes by internal name, cached."""

    def __init__(self, classes: Iterable[m.ClassDef] = (), classpath: Sequence[str] = ()) -> None:
        self._super: dict[str, str | None] = {c.name: c.super_name for c in classes}
        self._classpath = tuple(classpath)

    def is_subclass(self, name: str, ancestor: str) -> bool:
        """True when class ``name`` is ``ancestor`` or extends it (internal or binary names)."""
        name = name.replace(".", "/")
        ancestor = ancestor.replace(".", "/")
        seen: set[str] = set()
        cur: str | None = name
        while cur is not None and cur not in seen:
            if cur == ancestor:
                return True
            seen.add(cur)
            cur = self.superclass(cur)
        return False

    def superclass(self, name: str) -> str | None:
        """The internal name of the superclass, or None (Object, or not found)."""
        if name in self._super:
            return self._super[name]
        sup = self._from_classpath(name)
        if sup is _MISSING and name.startswith(_JDK_PREFIXES):
            sup = _jdk_superclass(name)
        result = None if sup is _MISSING else sup
        self._super[name] = result  # type: ignore[assignment]
        return result  # type: ignore[return-value]

    def _from_classpath(self, name: str) -> object:
        from jbgen.asm.reader import read_class
        from jbgen.errors import JbgenError

        rel = name + ".class"
        for entry in self._classpath:
            data: bytes | None = None
            try:
                if os.path.isdir(entry):
                    path = os.path.join(entry, *rel.split("/"))
                    if os.path.isfile(path):
                        with open(path, "rb") as fh:
                            data = fh.read()
                elif zipfile.is_zipfile(entry):
                    with zipfile.ZipFile(entry) as zf:
                        try:
                            data = zf.read(rel)
                        except KeyError:
                            data = None
            except OSError:
                continue
            if data is not None:
                try:
                    return read_class(data, rel).super_name
                except JbgenError:
                    return _MISSING
        return _MISSING


_MISSING = object()


def _jdk_superclass(name: str) -> object:
    from jbgen import jvm

    jvm.start()
    import jpype

    try:
        loader = jpype.JClass("java.lang.ClassLoader").getPlatformClassLoader()
        c = jpype.JClass("java.lang.Class").forName(name.replace("/", "."), False, loader)
    except Exception:  # noqa: BLE001 - ClassNotFoundException and friends: not a JDK class
        return _MISSING
    sup = c.getSuperclass()
    return None if sup is None else str(sup.getName()).replace(".", "/")
