"""Adapter: a contract's methods as search problems, and the found programs as the contract's class.

A method can be searched when its parameters and result are ``int``,
``long``, ``boolean``, ``char``, ``double`` (and ``int[]`` parameters) and the contract
says what it returns: by an oracle (the reference that drives the checker and
the loop templates) or, without one, by examples that give results (then the
answer fits the examples and the properties are checked on generated inputs,
but a property failure cannot teach the search anything: that ends the search
with status ``needs-oracle``).  Generated inputs honour the parameter ranges,
array lengths and ``assume``.  Exceptions other than ArithmeticException are
beyond the search.

The checker here is a stand-in: the contract test runner (Hypothesis, then the
sandboxed JVM) re-checks every answer.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from jbgen.synth.search.cegis import SearchOptions, SearchResult, synthesize
from jbgen.synth.search.checker import ReferenceChecker, generate_inputs
from jbgen.synth.search.lower import assemble_class, method_text
from jbgen.synth.search.problem import THROWS, Example, JType, Param, Problem, value_key
from jbgen.synth.search.program import Program, run
from jbgen.synth.search.semantics import JavaArithmeticException

if TYPE_CHECKING:
    from jbgen.contract.model import Contract, MethodSpec

_TYPES = {"I": JType.INT, "J": JType.LONG, "Z": JType.BOOLEAN, "C": JType.CHAR, "D": JType.DOUBLE,
          "[I": JType.INT_ARRAY}
_ARITHMETIC = "java/lang/ArithmeticException"
_NPE = "java/lang/NullPointerException"
_SEEDED = 8  # examples the search starts from, when an oracle can supply them
# ... at least this many of them from the oracle when a double is involved: a person's
# examples are round numbers, on which `5.0 * ((f - 32.0) / 9.0)` and
# `(5.0 * (f - 32.0)) / 9.0` agree; generated ones tell apart formulas that round
# differently, sparing a CEGIS round (a whole enumeration) per such formula.
_SEEDED_DOUBLE = 4


class Unsupported(ValueError):
    """The method is outside what the search synthesizer handles; the message says why."""


def _type(desc: str, what: str) -> JType:
    t = _TYPES.get(desc)
    if t is None:
        raise Unsupported(f"{what} has a type the search does not handle: {desc}")
    return t


def _to_search(v: Any, t: JType) -> Any:
    """A contract value (chars are one-character strings) -> a search value (chars are ints)."""
    if t is JType.CHAR:
        return ord(v)
    if t is JType.INT_ARRAY:
        return tuple(v)
    if t is JType.DOUBLE and isinstance(v, int) and not isinstance(v, bool):
        return float(v)  # an oracle may answer 0 for 0.0
    return v


def oracle_numbers(source: str) -> list[float]:
    """The numerals of an oracle's Python source, as doubles, in order (``(f - 32.0) * 5 / 9``:
    32.0, 5.0, 9.0).  They join the double constants of a method with doubles: the oracle
    is the specification, and its numerals are the constants a formula most likely needs
    (273.15, 1.8), which the examples and 0.0..10.0 may not hold.  A description's numerals
    are left out: free text, where a number is as likely a count or an example."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    found: list[tuple[int, int, int | float]] = []
    for n in ast.walk(tree):
        if isinstance(n, ast.Constant) and isinstance(n.value, int | float) and not isinstance(n.value, bool):
            found.append((n.lineno, n.col_offset, n.value))
    out = []
    for _, _, v in sorted(found, key=lambda f: f[:2]):
        try:
            out.append(float(v))
        except OverflowError:  # an int beyond the doubles
            continue
    return out


def _to_contract(v: Any, t: JType) -> Any:
    if t is JType.CHAR:
        return chr(v)
    return v


def problem_for(contract: Contract, method: MethodSpec, *, seed: int = 0, n_random: int = 600) -> Problem:
    """The search problem of one contract method; raises :class:`Unsupported`."""
    from jbgen.contract.values import Throws

    if contract.stateful is not None:
        raise Unsupported(f"{contract.binary_name} has state (a [stateful] model), which the search does not handle")
    params = []
    for p in method.params:
        t = _type(p.type.descriptor, f"parameter {p.name}")
        lo = hi = None
        dlo = dhi = None
        if p.range is not None and t is JType.DOUBLE:
            dlo, dhi = float(p.range[0]), float(p.range[1])
        elif p.range is not None:
            lo, hi = int(p.range[0]), int(p.range[1])
        max_len = p.length[1] if p.length is not None else 8
        params.append(Param(p.name, t, lo, hi, max_len=min(max_len, 16), dlo=dlo, dhi=dhi))
    ret = _type(method.return_type.descriptor, f"the result of {method.name}")
    names = method.param_names

    examples: list[Example] = []
    for ex in method.examples:
        if any(v is None for v in ex.args):
            if ex.throws == _NPE:
                # Null arrays are never generated; a program that reads its array
                # (every loop does, first thing) throws this, and the tests check it.
                continue
            raise Unsupported(f"example {ex.index} passes null, which the search does not handle")
        args = tuple(_to_search(v, p.type) for v, p in zip(ex.args, params, strict=True))
        if ex.throws is not None:
            if ex.throws != _ARITHMETIC:
                raise Unsupported(f"example {ex.index} expects {ex.throws.replace('/', '.')}, "
                                  "and the search only produces ArithmeticException")
            examples.append(Example(args, THROWS))
        elif ex.has_returns:
            examples.append(Example(args, _to_search(ex.returns, ret)))

    def as_contract(inputs: Sequence[Any]) -> list[Any]:
        return [_to_contract(v, p.type) for v, p in zip(inputs, params, strict=True)]

    def assumed(inputs: Sequence[Any]) -> bool:
        env = dict(zip(names, as_contract(inputs), strict=True))
        try:
            return all(bool(a.evaluate(env)) for a in method.assume)
        except Exception:  # an assumption that fails to evaluate excludes the input
            return False

    inputs = [ex.inputs for ex in examples]
    inputs += [i for i in generate_inputs(params, seed, n_random) if assumed(i)]
    unique: dict[Any, tuple[Any, ...]] = {}
    for i in inputs:
        unique.setdefault(value_key(i), i)  # doubles by their bits: -0.0 is another input than 0.0
    inputs = list(unique.values())

    reference: Callable[..., Any] | None = None
    checker: Any
    if method.oracle is not None:
        oracle = method.oracle.to_callable(names)

        def reference(*args: Any) -> Any:
            try:
                r = oracle(*as_contract(args))
            except Throws as exc:
                if exc.class_name == _ARITHMETIC:
                    raise JavaArithmeticException(exc.class_name) from None
                raise Unsupported(f"the oracle of {method.name} throws {exc.class_name.replace('/', '.')} "
                                  f"on {tuple(args)}, and the search only produces ArithmeticException") from None
            except (ArithmeticError, ValueError) as exc:
                # Python's float errors (1.0 / 0.0, math.sqrt(-1.0)), where Java gives an
                # infinity or NaN: the oracle does not say what the method returns there.
                raise Unsupported(f"the oracle of {method.name} raises {type(exc).__name__} ({exc}) on "
                                  f"{tuple(args)}; the search needs a result for every input "
                                  "(ddiv(a, b) divides as Java does)") from None
            return _to_search(r, ret)

        checker = ReferenceChecker(params, ret, reference, inputs=inputs)
    elif examples:
        checker = _PropertyChecker(params, ret, method, inputs, as_contract)
    else:
        raise Unsupported(f"{method.name} has neither an oracle nor examples with results")
    written = len(examples)
    doubles = JType.DOUBLE in {ret, *(p.type for p in params)}
    seeded = max(_SEEDED, len(examples) + _SEEDED_DOUBLE) if doubles else _SEEDED
    if reference is not None and len(examples) < seeded:
        # Top the examples up with inputs the oracle answers, spread over the boundary
        # and random ones: a few good examples save CEGIS rounds.
        known = {value_key(ex.inputs) for ex in examples}
        pairs = [(i, e) for i, e in zip(checker.inputs, checker.expected, strict=True) if value_key(i) not in known]
        step = max(1, len(pairs) // seeded)
        examples += [Example(i, e) for i, e in pairs[::step][: seeded - len(examples)]]
    constants: tuple[float, ...] = ()
    if method.oracle is not None and doubles:
        constants = tuple(oracle_numbers(method.oracle.source))
    return Problem(method.name, tuple(params), ret, tuple(examples), checker=checker, reference=reference,
                   class_name=contract.binary_name, seed=seed, example_constants=bool(method.examples),
                   constants=constants, written_examples=written)


class _PropertyChecker:
    """Without an oracle: the examples, then the properties on generated inputs."""

    def __init__(self, params: Sequence[Param], ret: JType, method: MethodSpec, inputs: list[tuple[Any, ...]],
                 as_contract: Callable[[Sequence[Any]], list[Any]]) -> None:
        self.params, self.ret, self.method, self.inputs, self.as_contract = params, ret, method, inputs, as_contract

    def __call__(self, program: Program) -> Example | None:
        for inp in self.inputs:
            got = run(program, self.params, inp, self.ret)
            env = dict(zip(self.method.param_names, self.as_contract(inp), strict=True))
            if got is THROWS:
                continue  # properties speak of calls that return; examples said where to throw
            env["result"] = _to_contract(got, self.ret)
            for prop in self.method.properties:
                try:
                    ok = bool(prop.evaluate(env))
                except Exception:
                    ok = False
                if not ok:
                    return Example(inp, None)
        return None


@dataclass
class ContractSearch:
    """The outcome for a whole contract: one result per method, and the class text when all were found."""

    results: dict[str, SearchResult] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # method -> why the search cannot do it
    text: str | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.text is not None


def synthesize_contract(contract: Contract, options: SearchOptions | None = None, *, seed: int = 0) -> ContractSearch:
    """Search every method of a contract within one time budget (``options.time_limit``)."""
    opts = options or SearchOptions()
    start = time.monotonic()
    out = ContractSearch()
    found: list[tuple[MethodSpec, Problem, Program]] = []
    for m in contract.methods:
        key = m.name + m.descriptor
        try:
            problem = problem_for(contract, m, seed=seed)
        except Unsupported as exc:
            out.skipped[key] = str(exc)
            continue
        left = opts.time_limit - (time.monotonic() - start)
        try:
            r = synthesize(problem, replace(opts, time_limit=max(0.0, left)))
        except Unsupported as exc:
            out.skipped[key] = str(exc)
            continue
        out.results[key] = r
        if r.program is not None:
            found.append((m, problem, r.program))
    if contract.methods and len(found) == len(contract.methods):
        methods = [method_text(p, prog, static=m.static) for m, p, prog in found]
        out.text = assemble_class(
            contract.binary_name, methods,
            extends=contract.superclass.replace("/", "."),
            implements=tuple(i.replace("/", ".") for i in contract.interfaces),
            final=contract.stateful is None,
        )
    out.seconds = time.monotonic() - start
    return out
