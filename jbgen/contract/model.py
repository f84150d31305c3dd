"""The contract model: frozen dataclasses that every later stage reads.

A :class:`Contract` is what ``load_contract`` returns for one ``.toml`` file:
the class to generate, the methods it must have (from interfaces and from
signatures written in Java syntax), and how to test and confine it (examples,
properties, an oracle, a stateful model, a policy).

Names follow the class-file conventions: class names are JVM *internal* names
(``com/example/Clamp``), method types are descriptors (``(III)I``); each class
has a property for the Java spelling where messages need one.  Values are the
Python values of :mod:`jbgen.contract.values` (JVM semantics: ints that fit
their width, floats rounded to float32, chars as one-character strings, arrays
as tuples, ``None`` for null).

Everything here is immutable and picklable (sources are kept as text, and
compiled lazily), so that a contract can be handed to a sandbox worker.

Must not import a JVM.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import CodeType

__all__ = [
    "AllowRule",
    "Contract",
    "Example",
    "Expr",
    "JType",
    "MethodSpec",
    "Oracle",
    "Param",
    "Policy",
    "StatefulSpec",
]

# --------------------------------------------------------------------------- types

_PRIMITIVE_NAMES = {
    "Z": "boolean",
    "B": "byte",
    "C": "char",
    "S": "short",
    "I": "int",
    "J": "long",
    "F": "float",
    "D": "double",
    "V": "void",
}
_BOX = {
    "Z": "java/lang/Boolean",
    "B": "java/lang/Byte",
    "C": "java/lang/Character",
    "S": "java/lang/Short",
    "I": "java/lang/Integer",
    "J": "java/lang/Long",
    "F": "java/lang/Float",
    "D": "java/lang/Double",
}
_UNBOX = {v: k for k, v in _BOX.items()}
# Inclusive value ranges of the integral types (char is a one-character string instead).
_INT_RANGE = {
    "B": (-(2**7), 2**7 - 1),
    "S": (-(2**15), 2**15 - 1),
    "I": (-(2**31), 2**31 - 1),
    "J": (-(2**63), 2**63 - 1),
}


@dataclass(frozen=True)
class JType:
    """A Java type, held as its field descriptor (``I``, ``[J``, ``Ljava/lang/String;``, or ``V``).

    Values of a type, in Python (see :func:`jbgen.contract.values.coerce`):
    ``boolean`` -> bool; ``byte short int long`` -> int within the width;
    ``float`` -> float rounded to float32; ``double`` -> float; ``char`` -> a
    one-character str; ``String`` -> str; arrays -> tuples; boxed types -> the
    primitive's value or ``None``; any other reference type -> ``None`` only.
    """

    descriptor: str

    def __str__(self) -> str:
        return self.java_name

    @property
    def is_void(self) -> bool:
        return self.descriptor == "V"

    @property
    def is_primitive(self) -> bool:
        """``boolean``, ``byte``, ``char``, ``short``, ``int``, ``long``, ``float``, ``double`` (not ``void``)."""
        return len(self.descriptor) == 1 and self.descriptor != "V"

    @property
    def is_reference(self) -> bool:
        """A class or array type: it admits null."""
        return self.descriptor[0] in "L["

    @property
    def is_array(self) -> bool:
        return self.descriptor.startswith("[")

    @property
    def dims(self) -> int:
        """The number of array dimensions (0 for a non-array)."""
        return len(self.descriptor) - len(self.descriptor.lstrip("["))

    @property
    def element(self) -> JType:
        """The component type of an array (``int[][]`` -> ``int[]``)."""
        if not self.is_array:
            raise ValueError(f"{self.java_name} is not an array type")
        return JType(self.descriptor[1:])

    @property
    def base(self) -> JType:
        """The type with every array dimension removed (``int[][]`` -> ``int``)."""
        return JType(self.descriptor.lstrip("["))

    @property
    def class_name(self) -> str | None:
        """The internal name of a class type (``java/lang/String``); None for others."""
        d = self.descriptor
        return d[1:-1] if d.startswith("L") else None

    @property
    def is_string(self) -> bool:
        return self.descriptor == "Ljava/lang/String;"

    @property
    def is_boxed(self) -> bool:
        """A wrapper class of a primitive (``Integer``, ``Character`` ...)."""
        return self.class_name in _UNBOX

    @property
    def boxed(self) -> JType:
        """The wrapper type of a primitive (``int`` -> ``Integer``); other types unchanged."""
        box = _BOX.get(self.descriptor)
        return JType(f"L{box};") if box else self

    @property
    def unboxed(self) -> JType:
        """The primitive of a wrapper type (``Integer`` -> ``int``); other types unchanged."""
        prim = _UNBOX.get(self.class_name or "")
        return JType(prim) if prim else self

    @property
    def value_kind(self) -> str:
        """The descriptor letter that decides a value's Python form.

        The primitive letter for primitives and their boxes (``I`` for ``int``
        and ``Integer``), ``T`` for String, ``[`` for arrays, ``L`` for every
        other reference type (whose only value jbgen can write is null), and
        ``V`` for void.
        """
        d = self.unboxed.descriptor
        if len(d) == 1:
            return d
        if self.is_string:
            return "T"
        return d[0]

    @property
    def int_range(self) -> tuple[int, int] | None:
        """The inclusive range of ``byte``/``short``/``int``/``long`` (and boxes), else None."""
        return _INT_RANGE.get(self.unboxed.descriptor)

    @property
    def is_integral(self) -> bool:
        """``byte``, ``short``, ``int``, ``long`` or their boxes (``char`` is not: it is a str here)."""
        return self.int_range is not None

    @property
    def is_floating(self) -> bool:
        """``float``, ``double`` or their boxes."""
        return self.unboxed.descriptor in ("F", "D")

    @property
    def is_numeric(self) -> bool:
        return self.is_integral or self.is_floating

    @property
    def supported(self) -> bool:
        """True when jbgen can write and generate values of this type.

        Primitives, String, the boxes, and arrays of these.  Other reference
        types may appear in signatures, but their only value is null.
        """
        b = self.base
        return b.is_primitive or b.is_string or b.is_boxed

    @property
    def java_name(self) -> str:
        """The Java spelling: ``int``, ``int[]``, ``String``, ``java.util.List``, ``java.util.Map$Entry``.

        ``java.lang`` classes are written by their simple name, as in the assembly text.
        """
        d = self.descriptor
        dims = self.dims
        base = d[dims:]
        if base in _PRIMITIVE_NAMES:
            text = _PRIMITIVE_NAMES[base]
        else:
            internal = base[1:-1]
            if internal.startswith("java/lang/") and "/" not in internal[len("java/lang/") :]:
                text = internal[len("java/lang/") :]
            else:
                text = internal.replace("/", ".")
        return text + "[]" * dims


# Frequently used types.
BOOLEAN = JType("Z")
BYTE = JType("B")
CHAR = JType("C")
SHORT = JType("S")
INT = JType("I")
LONG = JType("J")
FLOAT = JType("F")
DOUBLE = JType("D")
VOID = JType("V")
STRING = JType("Ljava/lang/String;")
OBJECT = JType("Ljava/lang/Object;")


# --------------------------------------------------------------------------- Python snippets


@functools.lru_cache(maxsize=4096)
def _compile(source: str, mode: str, filename: str) -> CodeType:
    return compile(source, filename, mode, dont_inherit=True)


@dataclass(frozen=True)
class Expr:
    """A Python expression from the contract (a property, a precondition, an expression oracle).

    ``line``/``col`` are where its text starts in the contract file (1-based).
    The loader has compiled it and checked that every free name is a parameter,
    ``result`` (properties only), or a name of
    :data:`jbgen.contract.values.EXPR_GLOBALS` or the builtins.
    """

    source: str
    line: int = 0
    col: int = 0

    @property
    def code(self) -> CodeType:
        """The compiled expression (cached per source text)."""
        return _compile(self.source, "eval", f"<contract line {self.line}>")

    def evaluate(self, env: Mapping[str, object]) -> object:
        """Evaluate with ``env`` (argument names, ``result``) over :data:`EXPR_GLOBALS`."""
        from jbgen.contract.values import EXPR_GLOBALS

        return eval(self.code, dict(EXPR_GLOBALS), dict(env))


@dataclass(frozen=True)
class Oracle:
    """A reference implementation in Python, for differential testing.

    Either an expression over the parameter names (``max(lo, min(x, hi))``) or
    the source of a module defining a function (``def oracle(x, lo, hi): ...``)
    that takes the parameters positionally; ``function`` names that function
    (None for an expression).  The oracle gets and returns values in the form
    :func:`~jbgen.contract.values.coerce` gives, and may ``raise Throws(...)``
    to say that the Java method must throw.
    """

    source: str
    function: str | None = None
    line: int = 0
    col: int = 0

    @property
    def is_function(self) -> bool:
        return self.function is not None

    def to_callable(self, param_names: tuple[str, ...]) -> Callable[..., object]:
        """A Python callable taking the arguments positionally."""
        from jbgen.contract.values import EXPR_GLOBALS

        if self.function is None:
            code = _compile(self.source, "eval", f"<oracle line {self.line}>")

            def call(*args: object) -> object:
                return eval(code, dict(EXPR_GLOBALS), dict(zip(param_names, args, strict=True)))

            return call
        ns: dict[str, object] = dict(EXPR_GLOBALS)
        exec(_compile(self.source, "exec", f"<oracle line {self.line}>"), ns)
        fn = ns[self.function]
        assert callable(fn)
        return fn


# --------------------------------------------------------------------------- methods


@dataclass(frozen=True)
class Param:
    """One method parameter.

    ``range`` bounds the values of a numeric parameter (each element of a numeric
    array), both ends inclusive; ``length`` bounds the length of a String or an
    array.  Both are None when the contract gives none; they limit generated
    inputs only, not examples.
    """

    name: str
    type: JType
    range: tuple[int | float, int | float] | None = None
    length: tuple[int, int] | None = None


@dataclass(frozen=True)
class Example:
    """One example call: the arguments, and what must happen.

    ``returns`` is the expected result when ``has_returns`` (``None`` is null);
    ``throws`` is the internal name of an exception class the call must throw
    (an instance of it or of a subclass).  With neither, the call must complete
    normally (and the method's properties are checked on it).
    ``line`` is the line of the example in the contract; ``index`` its position
    in the method's list (0-based).
    """

    args: tuple[object, ...]
    returns: object = None
    has_returns: bool = False
    throws: str | None = None
    line: int = 0
    index: int = 0


@dataclass(frozen=True)
class MethodSpec:
    """A method the generated class must have, with its tests.

    ``descriptor`` is the erased JVM descriptor (``(III)I``).  Every method is
    public; ``static`` is the ACC_STATIC flag.  ``from_interface`` is the
    internal name of the interface whose abstract method this implements (None
    for a method written only as a signature).  ``properties`` must hold for
    every call that returns normally and satisfies ``assume``.
    """

    name: str
    descriptor: str
    params: tuple[Param, ...]
    return_type: JType
    static: bool = False
    description: str = ""
    examples: tuple[Example, ...] = ()
    properties: tuple[Expr, ...] = ()
    assume: tuple[Expr, ...] = ()
    oracle: Oracle | None = None
    from_interface: str | None = None
    line: int = 0

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.params)

    @property
    def param_types(self) -> tuple[JType, ...]:
        return tuple(p.type for p in self.params)

    @property
    def signature(self) -> str:
        """The Java declaration: ``static int clamp(int x, int lo, int hi)``."""
        params = ", ".join(f"{p.type.java_name} {p.name}" for p in self.params)
        prefix = "static " if self.static else ""
        return f"{prefix}{self.return_type.java_name} {self.name}({params})"

    def call_text(self, args: tuple[object, ...] | list[object]) -> str:
        """A Java-style call for messages: ``clamp(-1, 0, 10)``."""
        from jbgen.contract.values import to_java_literal

        parts = [to_java_literal(a, p.type) for a, p in zip(args, self.params, strict=False)]
        return f"{self.name}({', '.join(parts)})"


# --------------------------------------------------------------------------- stateful


@dataclass(frozen=True)
class StatefulSpec:
    """A Python model of the class's state, for sequences of calls on one instance.

    ``source`` is Python source text defining the class ``model_class``; a fresh
    model and a fresh Java instance (public no-argument constructor) start each
    sequence.  Each step calls one of ``methods`` (instance methods of the
    contract) with generated arguments on both, and the results must be equal;
    a model method may ``raise Throws(...)`` to say the Java call must throw.
    A model method named like a Java method takes the same parameters after
    ``self``.  ``steps`` is the maximum number of calls in a sequence.
    """

    source: str
    model_class: str
    methods: tuple[str, ...]
    steps: int = 50
    description: str = ""
    line: int = 0

    def new_model(self) -> object:
        """Execute the source (with :data:`EXPR_GLOBALS`) and return a new model instance."""
        from jbgen.contract.values import EXPR_GLOBALS

        ns: dict[str, object] = dict(EXPR_GLOBALS)
        exec(_compile(self.source, "exec", f"<stateful model line {self.line}>"), ns)
        cls = ns[self.model_class]
        assert callable(cls)
        return cls()


# --------------------------------------------------------------------------- policy


@dataclass(frozen=True)
class AllowRule:
    """One pattern of ``policy.allow``, parsed.

    ``pattern`` is the pattern as the policy checker reads it (spaces removed).
    ``kind`` is ``"package"`` (``java.util.*``: the classes of that package;
    ``java.util.**``: also of its subpackages, ``recursive``), ``"class"``
    (``java.util.HashMap``: every member of that class), ``"member"``
    (``java.util.Random.nextInt``, optionally with parameter types
    ``java.util.Random.nextInt(int)``: those methods or that field; the member
    may be a glob, ``java.lang.Character.is*``), or ``"glob"`` (any other
    pattern with ``*`` or ``**``, matched against binary names with dots).
    ``owner`` is an internal name (the package ``java/util`` or the class), or
    for a glob the pattern's name part.  ``params`` holds parameter
    descriptors when the pattern lists them.
    """

    pattern: str
    kind: str
    owner: str
    member: str | None = None
    params: tuple[str, ...] | None = None
    recursive: bool = False

    def matches(self, owner: str, member: str | None = None, descriptor: str | None = None) -> bool:
        """Does this rule allow ``owner`` (an internal name) or its ``member`` of ``descriptor``?"""
        if self.kind == "package":
            pkg = owner.rsplit("/", 1)[0] if "/" in owner else ""
            return pkg == self.owner or (self.recursive and pkg.startswith(self.owner + "/"))
        if self.kind == "glob":
            rx = _glob_regex(self.owner)
            dotted = owner.replace("/", ".")
            if self.params is None and rx.fullmatch(dotted):
                return True
            if member is None or not rx.fullmatch(f"{dotted}.{member}"):
                return False
        elif owner != self.owner:
            return False
        elif self.kind == "class":
            return True
        elif member is None or not fnmatch.fnmatchcase(member, self.member or ""):
            return False
        if self.params is None or descriptor is None:
            return True
        return descriptor.startswith("(" + "".join(self.params) + ")")


@functools.lru_cache(maxsize=256)
def _glob_regex(glob: str) -> re.Pattern[str]:
    """``java.*.Foo`` / ``java.**`` -> a regex over dotted names (``*``: within a segment)."""
    parts = []
    for seg in glob.split("."):
        if seg == "**":
            parts.append(r"[^.]+(?:\.[^.]+)*")
        else:
            parts.append("[^.]*".join(re.escape(p) for p in seg.split("*")))
    return re.compile(r"\.".join(parts))


@dataclass(frozen=True)
class Policy:
    """What the generated class may use beyond the default allowlist, and its limits.

    ``allow`` widens the policy checker's default allowlist (it never narrows
    it).  ``heap_mb`` caps the sandbox worker's heap; ``call_timeout_s`` limits
    one call and ``contract_timeout_s`` all tests of the contract (wall clock);
    ``max_examples`` is the number of generated inputs per property (and of
    sequences for the stateful test).
    """

    allow: tuple[AllowRule, ...] = ()
    heap_mb: int = 256
    call_timeout_s: float = 2.0
    contract_timeout_s: float = 60.0
    max_examples: int = 200


# --------------------------------------------------------------------------- the contract


@dataclass(frozen=True)
class Contract:
    """One loaded contract: the class to generate, its methods, tests and policy.

    ``path`` is the file as given (``<stdin>`` for ``-``); ``source_sha256`` the
    hex SHA-256 of its bytes (the lock file's key).  ``class_name``,
    ``superclass`` and ``interfaces`` are internal names.  ``major_version`` is
    the class-file major version (``release`` + 44).  ``methods`` lists every
    method to generate: the abstract methods of the interfaces (with what the
    contract says about them) in interface order, then the contract's own.
    """

    path: str
    source_sha256: str
    schema: int
    class_name: str
    superclass: str = "java/lang/Object"
    interfaces: tuple[str, ...] = ()
    major_version: int = 69
    description: str = ""
    methods: tuple[MethodSpec, ...] = ()
    stateful: StatefulSpec | None = None
    policy: Policy = field(default_factory=Policy)

    @property
    def binary_name(self) -> str:
        """``com.example.Clamp``."""
        return self.class_name.replace("/", ".")

    @property
    def simple_name(self) -> str:
        return self.class_name.rsplit("/", 1)[-1]

    @property
    def package(self) -> str:
        """The internal package name (``com/example``), ``""`` for the default package."""
        return self.class_name.rsplit("/", 1)[0] if "/" in self.class_name else ""

    @property
    def release(self) -> int:
        """The Java release of ``major_version`` (69 -> 25)."""
        return self.major_version - 44

    def method(self, name: str, descriptor: str | None = None) -> MethodSpec:
        """The method of that name (and descriptor, for overloads); KeyError if none."""
        for m in self.methods:
            if m.name == name and (descriptor is None or m.descriptor == descriptor):
                return m
        raise KeyError(name if descriptor is None else name + descriptor)
