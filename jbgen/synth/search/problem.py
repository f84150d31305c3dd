"""The synthesizer's own problem type: typed parameters, examples and a checker.

Kept independent of the contract model (``jbgen.contract``) so the search core
can be driven by a contract, a SyGuS file or a test alike; ``contract.py``
(once there) adapts one to the other.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jbgen.synth.search.program import Program


class JType(enum.Enum):
    """The JVM types the search handles (descriptor letter as value)."""

    INT = "I"
    LONG = "J"
    BOOLEAN = "Z"
    CHAR = "C"
    DOUBLE = "D"
    INT_ARRAY = "[I"

    @property
    def java(self) -> str:
        return _JAVA[self]

    @property
    def bank(self) -> JType:
        """The type whose term bank holds values of this type (char lives in the int bank)."""
        return JType.INT if self is JType.CHAR else self

    @staticmethod
    def parse(text: str) -> JType:
        for t, name in _JAVA.items():
            if name == text:
                return t
        raise ValueError(f"type not supported by the search synthesizer: {text!r}")


_JAVA = {
    JType.INT: "int",
    JType.LONG: "long",
    JType.BOOLEAN: "boolean",
    JType.CHAR: "char",
    JType.DOUBLE: "double",
    JType.INT_ARRAY: "int[]",
}


_RANGE = {
    JType.INT: (-(1 << 31), (1 << 31) - 1),
    JType.LONG: (-(1 << 63), (1 << 63) - 1),
    JType.CHAR: (0, 0xFFFF),
    JType.INT_ARRAY: (-(1 << 31), (1 << 31) - 1),
}


def check_value(v: Any, t: JType, what: str) -> None:
    """Raise ValueError unless ``v`` is a value of JVM type ``t``."""
    if t is JType.BOOLEAN:
        if not isinstance(v, bool):
            raise ValueError(f"{what} must be a boolean, got {v!r}")
        return
    if t is JType.DOUBLE:
        if not isinstance(v, float):
            raise ValueError(f"{what} must be a double (a Python float), got {v!r}")
        return
    items = v if t is JType.INT_ARRAY else (v,)
    if t is JType.INT_ARRAY and not isinstance(v, tuple | list):
        raise ValueError(f"{what} must be an int[] (a tuple), got {v!r}")
    lo, hi = _RANGE[t]
    for x in items:
        if isinstance(x, bool) or not isinstance(x, int) or not lo <= x <= hi:
            raise ValueError(f"{what} must be a {t.java} in [{lo}, {hi}], got {x!r}")


def double_bits(x: float) -> int:
    """``Double.doubleToLongBits``: the bits of a double, every NaN the canonical one
    (so that NaN equals NaN and ``-0.0`` differs from ``0.0``, as ``Double.equals`` says)."""
    if x != x:
        return 0x7FF8000000000000
    return struct.unpack("<q", struct.pack("<d", x))[0]


def value_key(v: Any) -> Any:
    """A hashable key equal for two values exactly when Java's ``equals`` says so: doubles
    by :func:`double_bits` (Python's ``0.0 == -0.0`` and ``nan != nan`` would merge two
    inputs or split one), tuples element by element, anything else as itself."""
    if isinstance(v, float):
        return ("D", double_bits(v))
    if isinstance(v, tuple | list):
        return tuple(value_key(x) for x in v)
    return v


def same_value(a: Any, b: Any) -> bool:
    """Whether two values (or :data:`THROWS`) are the same outcome, doubles compared by
    :func:`double_bits`."""
    return type(a) is type(b) and value_key(a) == value_key(b)


class _Throws:
    """The expected outcome "throws java.lang.ArithmeticException"."""

    _inst: _Throws | None = None

    def __new__(cls) -> _Throws:
        if cls._inst is None:
            cls._inst = super().__new__(cls)
        return cls._inst

    def __repr__(self) -> str:
        return "THROWS"

    def __reduce__(self) -> str:
        return "THROWS"


THROWS = _Throws()


@dataclass(frozen=True)
class Param:
    """A method parameter.  ``lo``/``hi`` bound the values drawn for it (for an
    ``int[]``, its elements; ``max_len`` its length), and let a counted-loop
    template use an int parameter as a trip count."""

    name: str
    type: JType
    lo: int | None = None
    hi: int | None = None
    max_len: int = 8
    # A double parameter's bounds (``lo``/``hi`` are for the integral types).
    dlo: float | None = None
    dhi: float | None = None


@dataclass(frozen=True)
class Example:
    """Inputs (one value per parameter, in order) and the expected output.

    ``output`` is a value of the return type, or :data:`THROWS` when the
    method must throw ``ArithmeticException``.  ``None`` means "no single
    expected value": only a relational :attr:`Problem.spec` can judge it.
    """

    inputs: tuple[Any, ...]
    output: Any = None


# Given a candidate program, return an input on which it is wrong (with the
# expected output), or several, or None when the checker found nothing.
Checker = Callable[["Program"], "Example | Sequence[Example] | None"]

# A relational specification, vectorized: given the input columns (one array of
# shape (E,) per parameter, arrays as lists) and candidate outputs of shape
# (..., E), say which outputs are acceptable.
Spec = Callable[[Sequence[Any], Any], Any]


@dataclass(frozen=True)
class Problem:
    """One method to synthesize.

    ``ops`` restricts the operators (op keys of :mod:`.ops`, e.g. ``"iadd"``,
    ``"Math.max(int,int)int"``); ``None`` allows all.  ``constants`` are extra
    constants for the grammar; with ``default_constants`` false they are the
    only ones (as a SyGuS grammar demands); ``example_constants`` adds the
    values seen in the examples (turn it off when the examples were generated).  ``reference`` is an optional
    Python function with JVM semantics (raising
    :class:`~.semantics.JavaArithmeticException`) that the loop templates
    use to split a loop into its step; ``checker`` closes the CEGIS loop.
    """

    name: str
    params: tuple[Param, ...]
    returns: JType
    examples: tuple[Example, ...] = ()
    checker: Checker | None = None
    spec: Spec | None = None
    reference: Callable[..., Any] | None = None
    class_name: str = "Synth"
    ops: frozenset[str] | None = None
    constants: tuple[int | float, ...] = ()  # a float is a double constant
    default_constants: bool = True
    example_constants: bool = True  # the ints in the examples join the grammar
    # How many of the examples (the first ones) a person wrote; None: all.  Only their
    # doubles join the grammar (an oracle's top-up draws doubles like 1193046453.0555556).
    written_examples: int | None = None
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        names = [p.name for p in self.params]
        if len(set(names)) != len(names):
            raise ValueError(f"duplicate parameter names: {names}")
        if self.returns is JType.INT_ARRAY:
            raise ValueError("the search synthesizer cannot return arrays")
        for ex in self.examples:
            if len(ex.inputs) != len(self.params):
                raise ValueError(f"example {ex} has {len(ex.inputs)} inputs, expected {len(self.params)}")
            for p, v in zip(self.params, ex.inputs, strict=True):
                check_value(v, p.type, f"input {p.name} of example {ex.inputs}")
            if ex.output is not None and ex.output is not THROWS:
                check_value(ex.output, self.returns, f"output of example {ex.inputs}")

    @property
    def descriptor(self) -> str:
        return "(" + "".join(p.type.value for p in self.params) + ")" + self.returns.value

    def signature(self) -> str:
        """``int name(int a, int b)``: the Java-style header of the method."""
        ps = ", ".join(f"{p.type.java} {p.name}" for p in self.params)
        return f"{self.returns.java} {self.name}({ps})"
