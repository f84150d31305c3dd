"""Judging one call: examples, properties, the oracle; and saying what went wrong, Java-style.

Each ``judge_*`` function takes the arguments and the sandbox's
:class:`~jbgen.sandbox.Outcome` of one call and returns :data:`OK`,
:data:`DISCARD` (the case says nothing about this check), or the failure
message: ``max(-1, 2) returned -1, expected 2``.  Nothing here runs Java.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from jbgen.contract.model import Expr, JType, MethodSpec
from jbgen.contract.values import CoerceError, Throws, coerce, same_value, to_java_literal
from jbgen.sandbox import Outcome
from jbgen.testing.hierarchy import Hierarchy

OK = "ok"
DISCARD = "discard"

# Outcomes in which the call did not finish on its own; the `runs` check reports them.
ABNORMAL = frozenset({"timeout", "crash", "oom", "skipped"})
# Outcomes in which the call threw (a StackOverflowError or OutOfMemoryError is a throw too).
THREW = frozenset({"throw", "stackoverflow", "oom"})

_MAX_SHOWN = 160


def normalize(value: object) -> object:
    """A value from the sandbox in the form of :func:`coerce` (lists become tuples)."""
    if isinstance(value, list):
        return tuple(normalize(v) for v in value)
    return value


def canonical(value: object) -> object:
    """``value`` with every surrogate pair in its strings joined into one character.

    Java and Python spell a supplementary character differently (two UTF-16
    units or one code point), and a string may cross the sandbox either way;
    values are compared in this one spelling.
    """
    if isinstance(value, str):
        if len(value) > 1 and any("\ud800" <= c <= "\udfff" for c in value):
            return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
        return value
    if isinstance(value, (tuple, list)):
        return tuple(canonical(v) for v in value)
    return value


def literal(value: object, jtype: JType) -> str:
    """A value as Java source, shortened for messages."""
    if value is not None and type(value).__name__ == "JavaObject":
        return str(value)
    try:
        text = to_java_literal(value, jtype)
    except Exception:  # noqa: BLE001 - a value of an unexpected shape: show it anyway
        text = repr(value)
    if len(text) > _MAX_SHOWN:
        text = text[: _MAX_SHOWN - 3] + "..."
    return text


def call_text(spec: MethodSpec, args: Sequence[object]) -> str:
    """``clamp(5, 3, 1)``, shortened when the arguments are long."""
    parts = [literal(a, p.type) for a, p in zip(args, spec.params, strict=False)]
    return f"{spec.name}({', '.join(parts)})"


def exception_name(outcome: Outcome) -> str:
    """The binary name of the thrown exception (``java.lang.ArithmeticException``)."""
    return (outcome.exception or "java.lang.Throwable").replace("/", ".")


def _dotted(internal: str) -> str:
    return internal.replace("/", ".")


def did(outcome: Outcome, spec: MethodSpec, call: str) -> str:
    """What the call did: ``returned -1``, ``threw java.lang.ArithmeticException: / by zero``."""
    kind = outcome.kind
    if kind == "return":
        if spec.return_type.is_void:
            return "returned"
        return f"returned {literal(normalize(outcome.value), spec.return_type)}"
    if kind in THREW:
        text = f"threw {exception_name(outcome)}"
        if outcome.message:
            msg = outcome.message.splitlines()[0] if outcome.message.strip() else outcome.message
            if len(msg) > _MAX_SHOWN:
                msg = msg[: _MAX_SHOWN - 3] + "..."
            text += f": {msg}"
        return text
    return outcome.detail or f"{kind} in {call}"


def abnormal_message(outcome: Outcome, call: str) -> str:
    """``timed out after 2.0 s in applyAsInt(41)``: the sandbox's own words, with the call."""
    if outcome.detail:
        return outcome.detail
    if outcome.kind == "timeout":
        return f"timed out in {call}"
    if outcome.kind == "skipped":
        return f"not run: {call}"
    return f"{outcome.message or outcome.kind} in {call}"


def _result_message(spec: MethodSpec, args: Sequence[object], outcome: Outcome, expected: str) -> str:
    call = call_text(spec, args)
    if outcome.kind in ABNORMAL:
        return abnormal_message(outcome, call)
    return f"{call} {did(outcome, spec, call)}, {expected}"


def _has_null(args: Sequence[object]) -> bool:
    return any(a is None or (isinstance(a, tuple) and _has_null(a)) for a in args)


# ----------------------------------------------------------------------------- expectations
# The call's text is made only when a check fails: rendering costs more than checking.


def expect_value(spec: MethodSpec, args: Sequence[object], outcome: Outcome, expected: object) -> str:
    """The call must return ``expected`` (already coerced to the return type)."""
    ret = spec.return_type
    if outcome.kind == "return":
        value = outcome.value
        if ret.is_void or value == expected and type(value) is type(expected) and type(value) is not float:
            return OK  # the common case, decided without the conversions below
        if same_value(canonical(expected), canonical(normalize(value))):
            return OK
        return _result_message(spec, args, outcome, f"expected {literal(expected, ret)}")
    shown = "to return normally" if ret.is_void else f"{literal(expected, ret)}"
    return _result_message(spec, args, outcome, f"expected {shown}")


def expect_throw(spec: MethodSpec, args: Sequence[object], outcome: Outcome, exc: str, hier: Hierarchy) -> str:
    """The call must throw an instance of ``exc`` (an internal name) or of a subclass."""
    if outcome.kind in THREW and hier.is_subclass(exception_name(outcome), exc):
        return OK
    return _result_message(spec, args, outcome, f"expected to throw {_dotted(exc)}")


def property_holds(prop: Expr, names: Sequence[str], args: Sequence[object], result: object) -> str | bool:
    """True or False, or the error text when evaluating the property raised."""
    env = dict(zip(names, args, strict=True))
    env["result"] = result
    try:
        return bool(prop.evaluate(env))
    except Throws as t:
        return f"raised Throws({_dotted(t.class_name)!r})"
    except Exception as exc:  # noqa: BLE001 - the contract's own Python
        return f"raised {type(exc).__name__}: {exc}"


def assume_holds(assumes: Sequence[Expr], names: Sequence[str], args: Sequence[object]) -> bool:
    """Whether every ``assume`` expression is true (one that raises counts as false)."""
    if not assumes:
        return True
    env = dict(zip(names, args, strict=True))
    for a in assumes:
        try:
            if not a.evaluate(env):
                return False
        except Exception:  # noqa: BLE001 - an assumption that cannot be evaluated excludes the input
            return False
    return True


# ----------------------------------------------------------------------------- judges


def judge_example(spec: MethodSpec, ex_index: int, outcome: Outcome, hier: Hierarchy) -> str:
    """One example: its ``returns``, its ``throws``, or a normal return and the properties."""
    ex = spec.examples[ex_index]
    if ex.throws is not None:
        return expect_throw(spec, ex.args, outcome, ex.throws, hier)
    if ex.has_returns:
        return expect_value(spec, ex.args, outcome, ex.returns)
    if outcome.kind != "return":
        return _result_message(spec, ex.args, outcome, "expected to return normally")
    result = normalize(outcome.value)
    names = spec.param_names
    for prop in spec.properties:
        held = property_holds(prop, names, ex.args, result)
        if held is not True:
            return _property_message(spec, ex.args, outcome, prop, held)
    return OK


def _property_message(spec: MethodSpec, args: Sequence[object], outcome: Outcome, prop: Expr,
                      held: str | bool) -> str:
    call = call_text(spec, args)
    what = "is false" if held is False else str(held)
    return f"{call} {did(outcome, spec, call)}, but the property `{prop.source.strip()}` {what}"


def judge_property(spec: MethodSpec, prop: Expr, args: Sequence[object], outcome: Outcome,
                   names: Sequence[str] | None = None) -> str:
    """A property, on a call that returned normally (others are discarded)."""
    if outcome.kind != "return":
        return DISCARD
    held = property_holds(prop, spec.param_names if names is None else names, args, normalize(outcome.value))
    if held is True:
        return OK
    if held is not False and _has_null(args):
        return DISCARD  # a property that does not speak of null
    return _property_message(spec, args, outcome, prop, held)


def judge_oracle(spec: MethodSpec, oracle: Callable[..., object], args: Sequence[object], outcome: Outcome,
                 hier: Hierarchy) -> str:
    """The oracle's answer: a value to return, or ``Throws`` for an exception to throw."""
    if outcome.kind in ABNORMAL:
        return DISCARD  # the runs check reports it
    try:
        expected = oracle(*args)
    except Throws as t:
        return expect_throw(spec, args, outcome, t.class_name, hier)
    except Exception as exc:  # noqa: BLE001 - the contract's own Python
        if _has_null(args):
            return DISCARD  # an oracle that does not speak of null
        return f"the oracle raised {type(exc).__name__}: {exc} for {call_text(spec, args)}"
    if spec.return_type.is_void:
        expected = None
    else:
        try:
            expected = coerce(expected, spec.return_type)
        except CoerceError as exc:
            return (f"the oracle's result for {call_text(spec, args)} is not {spec.return_type.java_name}: "
                    f"{exc.message}")
    return expect_value(spec, args, outcome, expected)


def judge_runs(spec: MethodSpec, args: Sequence[object], outcome: Outcome) -> str:
    """The call finished by itself: no timeout, crash, out of memory or stack overflow."""
    if outcome.kind in ABNORMAL:
        return abnormal_message(outcome, call_text(spec, args))
    if outcome.kind == "stackoverflow":
        call = call_text(spec, args)
        return f"{call} {did(outcome, spec, call)}"
    return OK


# ----------------------------------------------------------------------------- where in the class

_FRAME = re.compile(r"(?P<cls>[\w$.]+)\.(?P<method>[\w$<>]+)\((?P<file>[^:()]*):(?P<line>\d+)\)")


def frame_line(outcome: Outcome, class_name: str, file_name: str | None) -> int | None:
    """The line of the top stack frame in the class under test, when it has line numbers."""
    binary = class_name.replace("/", ".")
    for f in outcome.frames:
        for mt in _FRAME.finditer(f):
            if mt.group("cls") == binary and (file_name is None or mt.group("file") == file_name):
                return int(mt.group("line"))
    return None
