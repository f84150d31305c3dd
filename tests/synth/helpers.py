"""Test helpers: assemble and verify synthesized text; interpret it in Python.

The sandbox will run synthesized classes in a real JVM; until then (and to
keep test processes free of untrusted code) ``interpret`` executes the small
instruction subset the lowering emits, straight from the assembly text, so
the tests check that the text computes what the program does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from jbgen.synth.search.problem import THROWS, Problem
from jbgen.synth.search.semantics import SCALAR, JavaArithmeticException, i32

_BRANCH1 = {"eq": lambda v: v == 0, "ne": lambda v: v != 0, "lt": lambda v: v < 0, "ge": lambda v: v >= 0,
            "gt": lambda v: v > 0, "le": lambda v: v <= 0}
_BINARY = {"iadd", "isub", "imul", "idiv", "irem", "iand", "ior", "ixor", "ishl", "ishr", "iushr",
           "ladd", "lsub", "lmul", "ldiv", "lrem", "land", "lor", "lxor", "lshl", "lshr", "lushr"}


def assemble_and_verify(texts: Sequence[str]) -> None:
    """Assemble every text through the JDK and run jbgen's verifier on it; fail on any diagnostic."""
    from jbgen.api import assemble_text
    from jbgen.check.verify import ClassInput, verify_classes

    inputs = []
    for i, text in enumerate(texts):
        for a in assemble_text(text, f"synth{i}.jbasm"):
            inputs.append(ClassInput(f"synth{i}", a.data))
    for report in verify_classes(inputs):
        assert report.ok, "\n".join(d.render() for d in report.diagnostics)


def interpret(text: str, args: Sequence[Any], method: str | None = None) -> Any:
    """Run a method (the first one by default) of a synthesized class on ``args``;
    THROWS on ArithmeticException."""
    lines = [ln.split("//")[0].strip() for ln in text.splitlines()]
    head = next(i for i, ln in enumerate(lines)
                if ln.startswith("public ") and "(" in ln and (method is None or f" {method}(" in ln))
    params = re.search(r"\((.*)\)", lines[head]).group(1)  # type: ignore[union-attr]
    names = [p.split()[-1] for p in params.split(",") if p.strip()]
    body = []
    for ln in lines[head + 1 :]:
        if ln == "}":
            break
        if ln and not ln.startswith(".local"):
            body.append(ln)
    labels = {ln[:-1]: i for i, ln in enumerate(body) if ln.endswith(":")}
    env: dict[str, Any] = {n: (int(v) if isinstance(v, bool) else v) for n, v in zip(names, args, strict=True)}
    stack: list[Any] = []
    pc = 0
    try:
        while True:
            ln = body[pc]
            pc += 1
            if ln.endswith(":"):
                continue
            op, _, arg = ln.partition(" ")
            if op in ("iload", "lload", "aload"):
                stack.append(env[arg])
            elif op in ("istore", "lstore"):
                env[arg] = stack.pop()
            elif op == "push":
                stack.append(int(arg.rstrip("L")))
            elif op.startswith("iconst_"):
                stack.append(-1 if op == "iconst_m1" else int(op[7:]))
            elif op in _BINARY:
                b, a = stack.pop(), stack.pop()
                stack.append(SCALAR[op](a, b))  # type: ignore[operator]
            elif op in ("ineg", "lneg", "i2l", "l2i", "i2c"):
                stack.append(SCALAR[op](stack.pop()))  # type: ignore[operator]
            elif op == "invokestatic":
                fn = SCALAR[arg]
                n = arg[arg.index("(") + 1 : arg.index(")")].count(",") + 1
                xs = [stack.pop() for _ in range(n)][::-1]
                r = fn(*xs)  # type: ignore[operator]
                stack.append(int(r))
            elif op == "lcmp":
                b, a = stack.pop(), stack.pop()
                stack.append((a > b) - (a < b))
            elif op.startswith("if_icmp"):
                b, a = stack.pop(), stack.pop()
                if _BRANCH1[op[7:]](a - b):
                    pc = labels[arg]
            elif op.startswith("if"):
                if _BRANCH1[op[2:]](stack.pop()):
                    pc = labels[arg]
            elif op == "goto":
                pc = labels[arg]
            elif op == "arraylength":
                stack.append(len(stack.pop()))
            elif op == "iaload":
                i = stack.pop()
                stack.append(stack.pop()[i])
            elif op == "iinc":
                name, k = arg.split()
                env[name] = i32(env[name] + int(k))
            elif op in ("ireturn", "lreturn"):
                return stack.pop()
            else:
                raise AssertionError(f"the test interpreter does not know {ln!r}")
    except JavaArithmeticException:
        return THROWS


def check_against_reference(problem: Problem, text: str, inputs: Sequence[Sequence[Any]]) -> None:
    """The text computes the problem's reference on every input (booleans as 0/1)."""
    assert problem.reference is not None
    for inp in inputs:
        try:
            want = problem.reference(*inp)
        except JavaArithmeticException:
            want = THROWS
        got = interpret(text, inp)
        want = int(want) if isinstance(want, bool) else want
        assert got == want, f"{problem.name}{tuple(inp)}: text gives {got}, reference {want}\n{text}"
