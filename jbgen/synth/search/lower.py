"""Lowering: a synthesized program to jbgen assembly text (a whole class with one method).

Expressions become stack code in evaluation order; library helpers become
``invokestatic``; booleans are compiled as jumps (``&&``/``||``
short-circuit, comparisons with zero use the one-operand ``if<cond>`` forms)
and are only materialized as ``0``/``1`` where a value is needed.  A
top-level conditional returns from each branch; a nested one joins at a label.
Loops use named locals (``acc$``, ``best$``, ``i$``, ``x$``: ``$`` keeps them apart
from parameter names).  The assembler computes frames and max stack/locals.
"""

from __future__ import annotations

import math

from jbgen.synth.search.ops import OPS
from jbgen.synth.search.problem import JType, Problem
from jbgen.synth.search.program import (
    ACC,
    BEST,
    ELEM,
    INDEX,
    Loop,
    Program,
    Term,
    canonical_distance,
    double_text,
    java,
)

_CMP = {  # op suffix -> (jump if true, jump if false)
    "lt": ("lt", "ge"),
    "le": ("le", "gt"),
    "eq": ("eq", "ne"),
    "ne": ("ne", "eq"),
}


_LOAD = {JType.LONG: "lload", JType.DOUBLE: "dload"}
_RETURN = {JType.LONG: "lreturn", JType.DOUBLE: "dreturn"}


def _double_literal(v: float) -> str:
    """A double for ``push``: ``5.0``, ``-0.0``, ``1e+16``, ``NaN``, ``-Infinity``."""
    if v != v:
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return double_text(v)


class _Emitter:
    def __init__(self) -> None:
        self.code: list[str] = []
        self._n = 0

    def label(self) -> str:
        self._n += 1
        return f"L{self._n}"

    def emit(self, insn: str) -> None:
        self.code.append(insn)

    def place(self, label: str) -> None:
        self.code.append(f"{label}:")

    # ------------------------------------------------------------------ values

    def value(self, t: Term) -> None:
        op = t.op
        if op == "var":
            self.emit(f"{_LOAD.get(t.type, 'iload')} {t.value}")
        elif op == "const":
            if t.type is JType.BOOLEAN:
                self.emit("iconst_1" if t.value else "iconst_0")
            elif t.type is JType.LONG:
                self.emit(f"push {t.value}L")
            elif t.type is JType.DOUBLE:
                self.emit(f"push {_double_literal(t.value)}")
            else:
                self.emit(f"push {t.value}")
        elif op == "len":
            self.emit(f"aload {t.value}")
            self.emit("arraylength")
        else:
            o = OPS[op]
            if o.kind == "plain":
                for i in range(len(t.args)):
                    self.value(canonical_distance(t, i))
                for insn in o.insns:
                    self.emit(insn)
            elif o.kind == "not":
                self.value(t.args[0])
                self.emit("iconst_1")
                self.emit("ixor")
            elif o.kind == "ite":
                other, end = self.label(), self.label()
                self.cond(t.args[0], False, other)
                self.value(t.args[1])
                self.emit(f"goto {end}")
                self.place(other)
                self.value(t.args[2])
                self.place(end)
            else:  # a comparison or && / ||: materialize 0 or 1
                no, end = self.label(), self.label()
                self.cond(t, False, no)
                self.emit("iconst_1")
                self.emit(f"goto {end}")
                self.place(no)
                self.emit("iconst_0")
                self.place(end)

    # ------------------------------------------------------------------ jumps

    def cond(self, t: Term, jump_if: bool, target: str) -> None:
        """Jump to ``target`` when ``t`` evaluates to ``jump_if``; fall through otherwise."""
        op = t.op
        o = OPS.get(op)
        kind = o.kind if o is not None else ""
        if kind == "cmp":
            a, b = t.args
            rel = _CMP[op[-2:]][0 if jump_if else 1]
            if op.startswith("d"):
                # dcmpg gives 1 when either is NaN: `<` and `<=` are then false (iflt/ifle
                # do not jump, ifge/ifgt do), `==` false and `!=` true, as Java says.
                self.value(a)
                self.value(b)
                self.emit("dcmpg")
                self.emit(f"if{rel} {target}")
            elif op.startswith("i"):
                if b.op == "const" and b.value == 0:
                    self.value(a)
                    self.emit(f"if{rel} {target}")
                else:
                    self.value(a)
                    self.value(b)
                    self.emit(f"if_icmp{rel} {target}")
            else:
                self.value(a)
                self.value(b)
                self.emit("lcmp")
                self.emit(f"if{rel} {target}")
        elif kind == "not":
            self.cond(t.args[0], not jump_if, target)
        elif kind in ("and", "or"):
            a, b = t.args
            short = kind == "and"  # && stops at the first false, || at the first true
            if jump_if != short:
                # (a && b) false: a false or b false; (a || b) true: a true or b true
                self.cond(a, jump_if, target)
                self.cond(b, jump_if, target)
            else:
                skip = self.label()
                self.cond(a, not short, skip)
                self.cond(b, jump_if, target)
                self.place(skip)
        else:
            self.value(t)
            self.emit(f"{'ifne' if jump_if else 'ifeq'} {target}")

    # ------------------------------------------------------------------ returns

    def ret(self, t: Term, returns: JType) -> None:
        if t.op in ("iite", "lite", "zite", "dite"):
            other = self.label()
            self.cond(t.args[0], False, other)
            self.ret(t.args[1], returns)
            self.place(other)
            self.ret(t.args[2], returns)
            return
        self.value(t)
        self.return_(returns)

    def return_(self, returns: JType) -> None:
        if returns is JType.CHAR:
            self.emit("i2c")
        self.emit(_RETURN.get(returns, "ireturn"))

    def loop(self, lp: Loop, returns: JType) -> None:
        t = "long" if lp.type is JType.LONG else "int"
        load, store = ("lload", "lstore") if lp.type is JType.LONG else ("iload", "istore")
        self.emit(f".local {t} {ACC}")
        if lp.best_init is not None:
            self.emit(f".local int {BEST}")
        self.emit(f".local int {INDEX}")
        if lp.kind == "array":
            self.emit(f".local int {ELEM}")
        self.value(lp.init)
        self.emit(f"{store} {ACC}")
        if lp.best_init is not None:
            self.value(lp.best_init)
            self.emit(f"istore {BEST}")
        self.emit("iconst_0")
        self.emit(f"istore {INDEX}")
        head, done = self.label(), self.label()
        self.place(head)
        self.emit(f"iload {INDEX}")
        if lp.kind == "array":
            self.emit(f"aload {lp.over}")
            self.emit("arraylength")
        else:
            self.emit(f"iload {lp.over}")
        self.emit(f"if_icmpge {done}")
        if lp.kind == "array":
            self.emit(f"aload {lp.over}")
            self.emit(f"iload {INDEX}")
            self.emit("iaload")
            self.emit(f"istore {ELEM}")
        if lp.cond is not None:
            skip = self.label()
            self.cond(lp.cond, False, skip)
            self.value(lp.step)
            if lp.keep is not None:
                # Both new values are computed before either is stored (neither reads the other).
                self.value(lp.keep)
                self.emit(f"istore {BEST}")
            self.emit(f"{store} {ACC}")
            self.place(skip)
        else:
            self.value(lp.step)
            self.emit(f"{store} {ACC}")
        self.emit(f"iinc {INDEX} 1")
        self.emit(f"goto {head}")
        self.place(done)
        self.emit(f"{load} {ACC}")
        self.return_(returns)


def method_body(program: Program, returns: JType) -> list[str]:
    """The instructions and labels of the method body, one per line, unindented."""
    em = _Emitter()
    if isinstance(program, Loop):
        em.loop(program, returns)
    else:
        em.ret(program, returns)
    return em.code


def describe(program: Program) -> str:
    return str(program) if isinstance(program, Loop) else f"return {java(program)};"


def method_text(problem: Problem, program: Program, *, static: bool = True) -> list[str]:
    """The method's lines (a comment with the program, header, body, ``}``), indented for a class."""
    params = ", ".join(f"{p.type.java} {p.name}" for p in problem.params)
    flags = "public static" if static else "public"
    lines = [
        f"    // synthesized by jbgen search: {describe(program)}",
        f"    {flags} {problem.returns.java} {problem.name}({params}) {{",
    ]
    for line in method_body(program, problem.returns):
        lines.append(("    " if line.endswith(":") else "        ") + line)
    lines.append("    }")
    return lines


def class_text(problem: Problem, program: Program) -> str:
    """``public final class NAME { public static R name(params) { ... } }`` as jbgen assembly."""
    return assemble_class(problem.class_name, [method_text(problem, program)])


def assemble_class(name: str, methods: list[list[str]], *, extends: str | None = None,
                   implements: tuple[str, ...] = (), final: bool = True) -> str:
    """A class text around method texts (the assembler adds the default constructor)."""
    head = f"public {'final ' if final else ''}class {name}"
    if extends and extends != "java.lang.Object":
        head += f" extends {extends}"
    if implements:
        head += " implements " + ", ".join(implements)
    lines = [head + " {"]
    for i, m in enumerate(methods):
        if i:
            lines.append("")
        lines += m
    lines += ["}", ""]
    return "\n".join(lines)
