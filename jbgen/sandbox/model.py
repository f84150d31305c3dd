"""The sandbox's data: limits, calls and their outcomes (frozen values, no JVM, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

OutcomeKind = Literal["return", "throw", "timeout", "crash", "oom", "stackoverflow", "skipped"]

# How instance calls find their receiver (see Session.run).
InstanceMode = Literal["batch", "call"]


@dataclass(frozen=True)
class Limits:
    """What one contract's code may use.

    ``heap_mb`` and ``stack_kb`` are JVM start-up options (``-Xmx``, ``-Xss``
    and the stack size of the thread that runs the calls), so workers are
    pooled per heap and stack size.  ``call_timeout_s`` bounds each call (its
    wall-clock time from the moment it starts), ``contract_timeout_s`` all the
    calls of one :class:`~jbgen.sandbox.Session` together, link included.
    ``output_limit`` is the number of bytes of stdout and of stderr kept per
    batch (the rest is dropped, and the worker's own file-size limit stops a
    flood early).
    """

    heap_mb: int = 256
    call_timeout_s: float = 2.0
    contract_timeout_s: float = 60.0
    stack_kb: int = 1024
    output_limit: int = 64_000

    def __post_init__(self) -> None:
        if not 16 <= self.heap_mb <= 65_536:
            raise ValueError(f"heap_mb must be in 16..65536, got {self.heap_mb}")
        if not 64 <= self.stack_kb <= 1_048_576:
            raise ValueError(f"stack_kb must be in 64..1048576, got {self.stack_kb}")
        if not self.call_timeout_s > 0:
            raise ValueError(f"call_timeout_s must be positive, got {self.call_timeout_s}")
        if not self.contract_timeout_s > 0:
            raise ValueError(f"contract_timeout_s must be positive, got {self.contract_timeout_s}")
        if not 0 <= self.output_limit <= 64 * 1024 * 1024:
            raise ValueError(f"output_limit must be in 0..67108864, got {self.output_limit}")


@dataclass(frozen=True)
class Call:
    """One call of a method of the class under test.

    ``descriptor`` is the JVM method descriptor (``(II)I``); ``args`` are
    Python values with JVM meaning (see :mod:`jbgen.sandbox.values`): int for
    int/long/short/byte (range-checked), float for double, float (rounded to
    float32, or a :class:`~jbgen.sandbox.values.Float32` for exact bits) for
    float, a 1-character str for char, bool, str for String, list (or tuple)
    for arrays, None for null.

    ``static=False`` calls an instance method; how the instance is made is the
    batch's choice (``Session.run(instance=...)``).  A call with method
    ``<init>`` is a constructor call: it is used as ``constructor=`` of
    ``Session.run``, not in the call list.
    """

    method: str
    descriptor: str
    args: tuple = ()
    static: bool = True


class _Detail:
    """``Outcome.detail``: as given, or (left empty) made from the call on first use.

    Rendering thousands of Java-style calls that nobody reads cost half of the
    parent's time per call, so a ``return`` outcome renders its line lazily.
    """

    def __get__(self, obj: object, owner: type | None = None) -> str:
        if obj is None:
            return ""  # the dataclass default
        text = obj.__dict__.get("_detail", "")
        if not text and obj.__dict__.get("call") is not None:
            text = _describe(obj)  # type: ignore[arg-type]
            obj.__dict__["_detail"] = text
        return text

    def __set__(self, obj: object, value: str) -> None:
        obj.__dict__["_detail"] = value


def _describe(o: Outcome) -> str:
    from jbgen.sandbox.values import parse_method_descriptor, render_call, render_value

    assert o.call is not None
    shown = render_call(o.call)
    if o.kind != "return":
        return f"{o.kind} in {shown}"
    ret = parse_method_descriptor(o.call.descriptor)[1]
    return f"{shown} returned" if ret == "V" else f"{shown} returned {render_value(o.value, ret)}"


@dataclass(frozen=True)
class Outcome:
    """What one call did.

    ``kind``:

    - ``return``: ``value`` is the result (None for void);
    - ``throw``: ``exception`` is the class name, ``message`` its message
      (None when it had none), ``frames`` the top stack frames;
    - ``stackoverflow`` / ``oom``: a ``StackOverflowError`` / ``OutOfMemoryError``
      (``exception`` and ``message`` set as for ``throw``);
    - ``timeout``: the call (or the contract's whole time) ran out of time;
      ``frames`` says where it was when stopped, when the worker could tell;
    - ``crash``: the worker's JVM exited, was killed or broke the protocol
      during this call (``message``: ``the JVM exited with status 3``);
    - ``skipped``: not run, because a call before it on the same instance
      timed out or crashed, or the contract's time was used up.

    ``detail`` is one line for people, naming the call Java-style:
    ``timed out after 2.0 s in applyAsInt(41)``.  ``call`` is the call the
    outcome is for.
    """

    kind: OutcomeKind
    value: object = None
    exception: str | None = None
    message: str | None = None
    detail: str = _Detail()  # type: ignore[assignment]
    frames: tuple[str, ...] = ()
    call: Call | None = field(default=None, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        """True when the call returned normally."""
        return self.kind == "return"


def returned(value: object, call: Call) -> Outcome:
    """``Outcome("return", value, call=call)``, made without the frozen dataclass's
    ``__init__`` (a third of the parent's time per call in a large batch)."""
    o = object.__new__(Outcome)
    o.__dict__.update(kind="return", value=value, exception=None, message=None, _detail="", frames=(), call=call)
    return o


class Results(list[Outcome]):
    """The outcomes of one ``Session.run``, in call order, and the output it printed.

    A list of :class:`Outcome`; ``stdout`` and ``stderr`` are what the code
    wrote during the batch (decoded as UTF-8 with replacement, each cut at
    ``Limits.output_limit`` bytes; ``truncated`` says whether anything was
    cut), ``elapsed_s`` the wall-clock time of the batch.
    """

    stdout: str
    stderr: str
    truncated: bool
    elapsed_s: float

    def __init__(self, outcomes: list[Outcome] | None = None, stdout: str = "", stderr: str = "",
                 truncated: bool = False, elapsed_s: float = 0.0) -> None:
        super().__init__(outcomes or [])
        self.stdout = stdout
        self.stderr = stderr
        self.truncated = truncated
        self.elapsed_s = elapsed_s


@dataclass(frozen=True)
class Confinement:
    """What a worker's operating-system confinement achieved (reported by the worker)."""

    landlock_abi: int = 0  # 0: not available or not applied
    fs_confined: bool = False  # writes only in the work folder, reads only from an allowlist
    exec_denied: bool = False  # execve refused (no ProcessBuilder)
    tcp_denied: bool = False  # TCP bind/connect refused by Landlock
    network_namespace: bool = False  # in an empty network namespace (no UDP either)
    signals_scoped: bool = False  # cannot signal processes outside the sandbox
    rlimits: dict[str, int] = field(default_factory=dict)
