"""Adapter: a contract's methods as search problems, and the found programs as the contract's class.

A method can be searched when its parameters and result are ``int``,
``long``, ``boolean``, ``char`` (and ``int[]`` parameters) and the contract
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
from jbgen.synth.search.problem import THROWS, Example, JType, Param, Problem
from jbgen.synth.search.program import Program, run
from jbgen.synth.search.semantics import JavaArithmeticException

if TYPE_CHECKING:
    from jbgen.contract.model import Contract, MethodSpec

_TYPES = {"I": JType.INT, "J": JType.LONG, "Z": JType.BOOLEAN, "C": JType.CHAR, "[I": JType.INT_ARRAY}
_ARITHMETIC = "java/lang/ArithmeticException"
_NPE = "java/lang/NullPointerException"
_SEEDED = 8  # examples the search starts from, when an oracle can supply them


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
    return v


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
        if p.range is not None:
            lo, hi = int(p.range[0]), int(p.range[1])
        max_len = p.length[1] if p.length is not None else 8
        params.append(Param(p.name, t, lo, hi, max_len=min(max_len, 16)))
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
    inputs = list(dict.fromkeys(inputs))

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
            return _to_search(r, ret)

        checker = ReferenceChecker(params, ret, reference, inputs=inputs)
    elif examples:
        checker = _PropertyChecker(params, ret, method, inputs, as_contract)
    else:
        raise Unsupported(f"{method.name} has neither an oracle nor examples with results")
    if reference is not None and len(examples) < _SEEDED:
        # Top the examples up with inputs the oracle answers, spread over the boundary
        # and random ones: a few good examples save CEGIS rounds.
        known = {ex.inputs for ex in examples}
        pairs = [(i, e) for i, e in zip(checker.inputs, checker.expected, strict=True) if i not in known]
        step = max(1, len(pairs) // _SEEDED)
        examples += [Example(i, e) for i, e in pairs[::step][: _SEEDED - len(examples)]]
    return Problem(method.name, tuple(params), ret, tuple(examples), checker=checker, reference=reference,
                   class_name=contract.binary_name, seed=seed, example_constants=bool(method.examples))


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
