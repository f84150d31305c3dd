"""A reader for the SyGuS-IF 2.x subset of the benchmark files: S-expressions and the file model.

Covers ``set-logic``, ``define-fun``, ``synth-fun`` (with an optional
grammar), ``declare-var``, ``constraint`` and ``check-synth``; sorts ``Int``,
``Bool`` and ``(_ BitVec N)``; literals ``#x..``, ``#b..`` and decimals.
Nothing here knows jbgen: ``sygus_translate`` turns a :class:`SygusFile`
into a search problem.  Used by ``bench/sygus.py`` only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Union

# An S-expression: an atom (a str; literals stay text) or a list of them.
SExp = Union[str, list["SExp"]]

_TOKEN = re.compile(r"\s+|;[^\n]*|(\()|(\))|(\|[^|]*\|)|(\"(?:[^\"]|\"\")*\")|([^\s()|\";]+)")


class SygusError(ValueError):
    """A file this reader does not accept, with where and why."""


def parse_sexps(text: str, where: str = "<text>") -> list[SExp]:
    """Every top-level S-expression of ``text``."""
    stack: list[list[SExp]] = [[]]
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None:
            line = text.count("\n", 0, pos) + 1
            raise SygusError(f"{where}:{line}: unexpected character {text[pos]!r}")
        pos = m.end()
        if m.group(1):
            stack.append([])
        elif m.group(2):
            if len(stack) == 1:
                line = text.count("\n", 0, pos) + 1
                raise SygusError(f"{where}:{line}: unbalanced ')'")
            done = stack.pop()
            stack[-1].append(done)
        elif m.group(3) or m.group(4) or m.group(5):
            atom = m.group(3) or m.group(4) or m.group(5)
            stack[-1].append(atom[1:-1] if atom.startswith("|") else atom)
    if len(stack) != 1:
        raise SygusError(f"{where}: {len(stack) - 1} unclosed '('")
    return stack[0]


def show(e: SExp) -> str:
    """The S-expression as text again (one line)."""
    if isinstance(e, str):
        return e
    return "(" + " ".join(show(x) for x in e) + ")"


# ----------------------------------------------------------------------------- sorts and literals


@dataclass(frozen=True)
class Sort:
    """``Int``, ``Bool`` or a bit-vector of ``width`` bits."""

    kind: str  # "Int" | "Bool" | "BitVec"
    width: int = 0

    def __str__(self) -> str:
        return f"(_ BitVec {self.width})" if self.kind == "BitVec" else self.kind


INT, BOOL = Sort("Int"), Sort("Bool")


def parse_sort(e: SExp) -> Sort:
    if e == "Int":
        return INT
    if e == "Bool":
        return BOOL
    if isinstance(e, list) and len(e) == 3 and e[0] == "_" and e[1] == "BitVec" and isinstance(e[2], str):
        return Sort("BitVec", int(e[2]))
    raise SygusError(f"sort not supported: {show(e)}")


def literal(atom: str) -> tuple[int, Sort] | None:
    """``(value, sort)`` of a literal (bit-vectors unsigned), or None for a symbol."""
    if atom.startswith("#x"):
        return int(atom[2:], 16), Sort("BitVec", 4 * (len(atom) - 2))
    if atom.startswith("#b"):
        return int(atom[2:], 2), Sort("BitVec", len(atom) - 2)
    if atom.isdigit():
        return int(atom), INT
    if atom in ("true", "false"):
        return int(atom == "true"), BOOL
    return None


# ----------------------------------------------------------------------------- the file model


@dataclass(frozen=True)
class Define:
    """``(define-fun name ((p sort) ...) sort body)``."""

    name: str
    params: tuple[tuple[str, Sort], ...]
    sort: Sort
    body: SExp


@dataclass(frozen=True)
class Grammar:
    """Non-terminals in order (the first is the start symbol) and their productions."""

    nonterminals: tuple[tuple[str, Sort], ...]
    rules: dict[str, tuple[SExp, ...]]


@dataclass(frozen=True)
class SynthFun:
    name: str
    params: tuple[tuple[str, Sort], ...]
    sort: Sort
    grammar: Grammar | None


@dataclass
class SygusFile:
    """One ``.sl`` problem: exactly one function to synthesize."""

    path: Path
    logic: str
    synth: SynthFun
    defines: dict[str, Define] = field(default_factory=dict)
    vars: dict[str, Sort] = field(default_factory=dict)
    constraints: list[SExp] = field(default_factory=list)
    text: str = ""

    @property
    def track(self) -> str:
        """``hd``, ``CLIA`` or ``PBE_BV``: from the benchmark folder (or the logic)."""
        parts = self.path.parts
        if "CLIA_Track" in parts:
            return "CLIA"
        if "PBE_BV_Track" in parts:
            return "PBE_BV"
        if "General_Track" in parts or self.path.name.startswith("hd-"):
            return "hd"
        return "CLIA" if "IA" in self.logic else "BV"


def _params(e: SExp, what: str) -> tuple[tuple[str, Sort], ...]:
    if not isinstance(e, list):
        raise SygusError(f"{what}: expected a parameter list, got {show(e)}")
    out = []
    for p in e:
        if not (isinstance(p, list) and len(p) == 2 and isinstance(p[0], str)):
            raise SygusError(f"{what}: bad parameter {show(p)}")
        out.append((p[0], parse_sort(p[1])))
    return tuple(out)


def _grammar(decls: SExp, rules: SExp, name: str) -> Grammar:
    if not isinstance(decls, list) or not isinstance(rules, list):
        raise SygusError(f"synth-fun {name}: bad grammar")
    nts = []
    for d in decls:
        if not (isinstance(d, list) and len(d) == 2 and isinstance(d[0], str)):
            raise SygusError(f"synth-fun {name}: bad non-terminal {show(d)}")
        nts.append((d[0], parse_sort(d[1])))
    out: dict[str, tuple[SExp, ...]] = {}
    for r in rules:
        if not (isinstance(r, list) and len(r) == 3 and isinstance(r[0], str) and isinstance(r[2], list)):
            raise SygusError(f"synth-fun {name}: bad grammar rule {show(r)}")
        out[r[0]] = tuple(r[2])
    return Grammar(tuple(nts), out)


def parse_file(path: Path | str) -> SygusFile:
    """Read a ``.sl`` file; raises :class:`SygusError` for anything outside the subset."""
    path = Path(path)
    text = path.read_text()
    logic = ""
    synth: SynthFun | None = None
    defines: dict[str, Define] = {}
    vars_: dict[str, Sort] = {}
    constraints: list[SExp] = []
    for cmd in parse_sexps(text, str(path)):
        if not isinstance(cmd, list) or not cmd or not isinstance(cmd[0], str):
            raise SygusError(f"{path}: not a command: {show(cmd)}")
        head = cmd[0]
        if head == "set-logic":
            logic = str(cmd[1])
        elif head == "define-fun":
            name = str(cmd[1])
            defines[name] = Define(name, _params(cmd[2], name), parse_sort(cmd[3]), cmd[4])
        elif head == "synth-fun":
            if synth is not None:
                raise SygusError(f"{path}: more than one synth-fun")
            name = str(cmd[1])
            grammar = _grammar(cmd[4], cmd[5], name) if len(cmd) >= 6 else None
            synth = SynthFun(name, _params(cmd[2], name), parse_sort(cmd[3]), grammar)
        elif head == "declare-var":
            vars_[str(cmd[1])] = parse_sort(cmd[2])
        elif head == "constraint":
            constraints.append(cmd[1])
        elif head in ("check-synth", "set-option", "set-info"):
            pass
        else:
            raise SygusError(f"{path}: command not supported: {head}")
    if synth is None:
        raise SygusError(f"{path}: no synth-fun")
    return SygusFile(path, logic, synth, defines, vars_, constraints, text)


def expand(e: SExp, defines: dict[str, Define], env: dict[str, SExp] | None = None) -> SExp:
    """``e`` with every ``define-fun`` application (and constant) replaced by its body."""
    if isinstance(e, str):
        if env is not None and e in env:
            return env[e]
        d = defines.get(e)
        if d is not None and not d.params:
            return expand(d.body, defines)
        return e
    if e and isinstance(e[0], str) and e[0] in defines:
        d = defines[e[0]]
        args = [expand(a, defines, env) for a in e[1:]]
        if len(args) != len(d.params):
            raise SygusError(f"{d.name} takes {len(d.params)} arguments, got {show(e)}")
        return expand(d.body, defines, {p: a for (p, _), a in zip(d.params, args, strict=True)})
    return [expand(x, defines, env) for x in e]


def unlet(e: SExp, env: dict[str, SExp] | None = None) -> SExp:
    """``e`` with every ``(let ((v t) ...) body)`` substituted (as cvc5 prints shared subterms)."""
    env = env or {}
    if isinstance(e, str):
        return env.get(e, e)
    if e and e[0] == "let" and len(e) == 3 and isinstance(e[1], list):
        inner = dict(env)
        for b in e[1]:
            if isinstance(b, list) and len(b) == 2 and isinstance(b[0], str):
                inner[b[0]] = unlet(b[1], env)
        return unlet(e[2], inner)
    return [unlet(x, env) for x in e]


def smt_size(e: SExp) -> int:
    """Nodes of an SMT-LIB term: an atom or an indexed symbol ``(_ ...)`` is one."""
    if isinstance(e, str):
        return 1
    if e and e[0] == "_":
        return 1
    head = e[0]
    return (smt_size(head) if isinstance(head, list) else 1) + sum(smt_size(x) for x in e[1:])


def smt_size_of_define(e: SExp) -> int | None:
    """The body size of ``(define-fun f (...) sort body)`` (after ``let`` expansion), searching nested lists."""
    if isinstance(e, str):
        return None
    if e and e[0] == "define-fun" and len(e) == 5:
        return smt_size(unlet(e[4]))
    for x in e:
        got = smt_size_of_define(x)
        if got is not None:
            return got
    return None
