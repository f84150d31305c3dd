"""Java-style type names in assembly text <-> JVM internal names and descriptors.

The text says ``String``, ``int[]``, ``java.util.Map$Entry``; class files say
``java/lang/String``, ``[I``, ``java/util/Map$Entry``.  A :class:`Names` object
holds the rules for one class (its own package, its imports) and converts both
ways; the printer and the parser share it so that what one prints the other
reads back to the same name.

How a simple name (no ``.``) resolves, first match wins:

1. a primitive (``int``, ``void`` ...);
2. an ``.import`` of the file;
3. the simple name of the class being defined (when it is in a package);
4. a public top-level class of ``java.lang`` (the fixed list below, so the
   meaning of a text never depends on the JDK that reads it), also with a
   ``$Nested`` suffix (``Character$UnicodeBlock``);
5. otherwise a class in the package of the class being defined.

Must not import a JVM.
"""

from __future__ import annotations

import functools

PRIMITIVES = {
    "boolean": "Z",
    "byte": "B",
    "char": "C",
    "short": "S",
    "int": "I",
    "long": "J",
    "float": "F",
    "double": "D",
    "void": "V",
}
PRIMITIVE_BY_DESC = {v: k for k, v in PRIMITIVES.items()}

# java.lang's public top-level classes in JDK 25.  Fixed on purpose: a text means
# the same thing whichever JDK reads it.
JAVA_LANG = frozenset(
    ["AbstractMethodError", "Appendable", "ArithmeticException", "ArrayIndexOutOfBoundsException", "ArrayStoreException", "AssertionError", "AutoCloseable", "Boolean", "BootstrapMethodError", "Byte", "CharSequence", "Character", "Class", "ClassCastException", "ClassCircularityError", "ClassFormatError", "ClassLoader", "ClassNotFoundException", "ClassValue", "CloneNotSupportedException", "Cloneable", "Comparable", "Deprecated", "Double", "Enum", "EnumConstantNotPresentException", "Error", "Exception", "ExceptionInInitializerError", "Float", "FunctionalInterface", "IO", "IllegalAccessError", "IllegalAccessException", "IllegalArgumentException", "IllegalCallerException", "IllegalMonitorStateException", "IllegalStateException", "IllegalThreadStateException", "IncompatibleClassChangeError", "IndexOutOfBoundsException", "InheritableThreadLocal", "InstantiationError", "InstantiationException", "Integer", "InternalError", "InterruptedException", "Iterable", "LayerInstantiationException", "LinkageError", "Long", "MatchException", "Math", "Module", "ModuleLayer", "NegativeArraySizeException", "NoClassDefFoundError", "NoSuchFieldError", "NoSuchFieldException", "NoSuchMethodError", "NoSuchMethodException", "NullPointerException", "Number", "NumberFormatException", "Object", "OutOfMemoryError", "Override", "Package", "Process", "ProcessBuilder", "ProcessHandle", "Readable", "Record", "ReflectiveOperationException", "Runnable", "Runtime", "RuntimeException", "RuntimePermission", "SafeVarargs", "ScopedValue", "SecurityException", "SecurityManager", "Short", "StableValue", "StackOverflowError", "StackTraceElement", "StackWalker", "StrictMath", "String", "StringBuffer", "StringBuilder", "StringIndexOutOfBoundsException", "SuppressWarnings", "System", "Thread", "ThreadDeath", "ThreadGroup", "ThreadLocal", "Throwable", "TypeNotPresentException", "UnknownError", "UnsatisfiedLinkError", "UnsupportedClassVersionError", "UnsupportedOperationException", "VerifyError", "VirtualMachineError", "Void", "WrongThreadException"]
)

_CANDIDATES = sorted(PRIMITIVES) + sorted(JAVA_LANG)
_LOWER = {c.lower(): c for c in _CANDIDATES}
# near_miss's candidates by length: (name, its first letter in lower case, its last letter).
_BY_LENGTH: dict[int, list[tuple[str, str, str]]] = {}
for _c in _CANDIDATES:
    _BY_LENGTH.setdefault(len(_c), []).append((_c, _c[0].lower(), _c[-1]))
del _c

# Characters that may stand in a bare name in the text; anything else is quoted.
_BARE_OK = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_$-")


@functools.lru_cache(maxsize=1 << 16)
def is_bare_name(s: str) -> bool:
    """True when ``s`` can be written without quotes as a member or class-name segment."""
    # Cached: the printer asks about every member and class name it prints.
    if not s:
        return False
    if s in ("<init>", "<clinit>"):
        return True
    if s[0] in "0123456789-":
        return False
    return all(c in _BARE_OK or ord(c) > 127 and c.isidentifier() for c in s)


@functools.lru_cache(maxsize=1 << 16)
def near_miss(simple: str) -> str | None:
    """The primitive or java.lang name that ``simple`` is probably a typo of, if any.

    The parser refuses such a bare name (``Strng``, ``integer``), and the printer
    never prints one bare, so that a typo is caught and a real class of that name
    still round-trips (written qualified, or quoted in the default package).
    """
    if simple in PRIMITIVES or simple in JAVA_LANG or simple.split("$", 1)[0] in JAVA_LANG:
        return None
    import difflib

    # Typos keep roughly the length and usually the first or last letter; checking only
    # such candidates keeps this cheap on the disassembler's hot path.
    n = len(simple)
    first, last = simple[0].lower(), simple[-1].lower()
    pool = [
        c
        for k in range(n - 2, n + 3)
        for c, c_first, c_last in _BY_LENGTH.get(k, ())
        if c_first == first or c_last == last
    ]
    close = difflib.get_close_matches(simple, pool, n=1, cutoff=0.8) if pool else []
    if close and (close[0].lower() != simple.lower() or simple.islower()):
        return close[0]
    if simple.lower() in _LOWER:
        return _LOWER[simple.lower()]
    return None


class NameError_(ValueError):
    """A type name or descriptor that cannot be converted (the caller adds the location)."""


class Names:
    """Name rules for one class: its package and its imports."""

    __slots__ = (
        "package", "self_name", "self_simple", "imports", "_rev", "_text", "_desc", "_mdesc"
    )

    def __init__(self, this_class: str = "", imports: dict[str, str] | None = None) -> None:
        self.self_name = this_class
        slash = this_class.rfind("/")
        self.package = this_class[: slash + 1] if slash >= 0 else ""  # "java/lang/" or ""
        self.self_simple = this_class[slash + 1 :] if slash >= 0 else ""
        self.imports: dict[str, str] = dict(imports or {})
        self._rev: dict[str, str] = {v: k for k, v in self.imports.items()}
        # Texts already made (the printer asks for the same names again and again).
        self._text: dict[str, str] = {}
        self._desc: dict[str, str] = {}
        self._mdesc: dict[str, str] = {}

    def set_class(self, this_class: str) -> None:
        self.__init__(this_class, self.imports)  # type: ignore[misc]

    def add_import(self, internal: str) -> str:
        simple = internal[internal.rfind("/") + 1 :]
        self.imports[simple] = internal
        self._rev[internal] = simple
        self._text.clear()
        self._desc.clear()
        self._mdesc.clear()
        return simple

    # ------------------------------------------------------------------ text -> JVM

    def class_internal(self, name: str) -> str:
        """``java.util.List`` / ``String`` / ``Foo`` -> internal name."""
        if "/" in name:
            raise NameError_(f"write class names with dots, not slashes: `{name.replace('/', '.')}`")
        if "." in name:
            return name.replace(".", "/")
        imp = self.imports.get(name)
        if imp is not None:
            return imp
        if self.self_simple and name == self.self_simple:
            return self.self_name
        head = name.split("$", 1)[0]
        if head in JAVA_LANG:
            return "java/lang/" + name
        return self.package + name

    def type_desc(self, name: str, dims: int = 0) -> str:
        """A Java type (element name plus array dimensions) -> field descriptor."""
        prim = PRIMITIVES.get(name)
        if prim is not None:
            if prim == "V" and dims:
                raise NameError_("`void[]` is not a type")
            return "[" * dims + prim
        return "[" * dims + "L" + self.class_internal(name) + ";"

    def class_entry(self, name: str, dims: int = 0) -> str:
        """A type as a CONSTANT_Class name: internal name, or a descriptor for arrays."""
        if dims:
            return self.type_desc(name, dims)
        if name in PRIMITIVES:
            raise NameError_(f"`{name}` is a primitive type, not a class")
        return self.class_internal(name)

    # ------------------------------------------------------------------ JVM -> text

    def class_text(self, internal: str) -> str:
        """Internal name -> the shortest text that reads back to it."""
        t = self._text.get(internal)
        if t is None:
            t = self._text[internal] = self._class_text(internal)
        return t

    def _class_text(self, internal: str) -> str:
        rev = self._rev.get(internal)
        if rev is not None:
            return rev
        if internal == self.self_name and self.self_simple:
            return self.self_simple
        slash = internal.rfind("/")
        simple = internal[slash + 1 :]
        if simple != self.self_simple and simple not in self.imports:
            # The common case depends on the package only: shared by every class of it.
            return _package_class_text(self.package, internal)
        pkg = internal[: slash + 1] if slash >= 0 else ""
        if not is_bare_name(simple) or any(not is_bare_name(p) for p in pkg.split("/")[:-1]):
            return _quote(internal.replace("/", "."))
        if simple in PRIMITIVES or simple in self.imports:
            return internal.replace("/", ".") if pkg else _quote(simple)
        head = simple.split("$", 1)[0]
        if pkg == "java/lang/" and head in JAVA_LANG and simple != self.self_simple:
            return simple
        if pkg == self.package and head not in JAVA_LANG and simple != self.self_simple and near_miss(simple) is None:
            return simple
        if not pkg:
            # A default-package class seen from a packaged class: no way to write it
            # with a bare name, so import it implicitly by quoting its binary name.
            return _quote(simple)
        return internal.replace("/", ".")

    def desc_text(self, desc: str) -> str:
        """Field descriptor -> Java type text (``[Ljava/lang/String;`` -> ``String[]``)."""
        t = self._desc.get(desc)
        if t is None:
            t = self._desc[desc] = self._desc_text(desc)
        return t

    def _desc_text(self, desc: str) -> str:
        dims = 0
        while dims < len(desc) and desc[dims] == "[":
            dims += 1
        base = desc[dims:]
        prim = PRIMITIVE_BY_DESC.get(base)
        if prim is not None:
            text = prim
        elif len(base) > 2 and base[0] == "L" and base[-1] == ";":
            text = self.class_text(base[1:-1])
        else:
            raise NameError_(f"malformed descriptor `{desc}`")
        return text + "[]" * dims

    def class_entry_text(self, entry: str) -> str:
        """A CONSTANT_Class name (internal name or array descriptor) -> text."""
        if entry.startswith("["):
            return self.desc_text(entry)
        return self.class_text(entry)

    def method_desc_text(self, desc: str) -> str:
        """``(ILjava/lang/String;)V`` -> ``(int,String)void``."""
        t = self._mdesc.get(desc)
        if t is None:
            params, ret = _split_method_desc(desc)
            text = self.desc_text
            t = "(" + ",".join([text(p) for p in params]) + ")" + text(ret)
            self._mdesc[desc] = t
        return t


@functools.lru_cache(maxsize=1 << 16)
def _package_class_text(package: str, internal: str) -> str:
    """``Names._class_text`` for a class seen from ``package`` when no import or
    the simple name of the class being defined is involved."""
    slash = internal.rfind("/")
    simple = internal[slash + 1 :]
    pkg = internal[: slash + 1] if slash >= 0 else ""
    if not is_bare_name(simple) or any(not is_bare_name(p) for p in pkg.split("/")[:-1]):
        return _quote(internal.replace("/", "."))
    if simple in PRIMITIVES:
        return internal.replace("/", ".") if pkg else _quote(simple)
    head = simple.split("$", 1)[0]
    if pkg == "java/lang/" and head in JAVA_LANG:
        return simple
    if pkg == package and head not in JAVA_LANG and near_miss(simple) is None:
        return simple
    if not pkg:
        return _quote(simple)
    return internal.replace("/", ".")


def _quote(s: str) -> str:
    from jbgen.asm.literals import quote

    return quote(s)


def split_method_desc(desc: str) -> tuple[list[str], str]:
    """``(IJ[Ljava/lang/String;)V`` -> (["I", "J", "[Ljava/lang/String;"], "V")."""
    params, ret = _split_method_desc(desc)
    return list(params), ret


@functools.lru_cache(maxsize=1 << 16)
def _split_method_desc(desc: str) -> tuple[tuple[str, ...], str]:
    """``split_method_desc``, cached (with a tuple, which no caller can change)."""
    if not desc.startswith("("):
        raise NameError_(f"malformed method descriptor `{desc}`")
    params: list[str] = []
    i = 1
    n = len(desc)
    while i < n and desc[i] != ")":
        j = i
        while j < n and desc[j] == "[":
            j += 1
        if j >= n:
            raise NameError_(f"malformed method descriptor `{desc}`")
        if desc[j] == "L":
            k = desc.find(";", j)
            if k < 0:
                raise NameError_(f"malformed method descriptor `{desc}`")
            j = k
        elif desc[j] not in "ZBCSIJFD":
            raise NameError_(f"malformed method descriptor `{desc}`")
        params.append(desc[i : j + 1])
        i = j + 1
    if i >= n:
        raise NameError_(f"malformed method descriptor `{desc}`")
    ret = desc[i + 1 :]
    if not ret:
        raise NameError_(f"malformed method descriptor `{desc}`")
    return tuple(params), ret


def slot_size(desc: str) -> int:
    return 2 if desc in ("J", "D") else 1
