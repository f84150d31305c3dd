"""Parse jbgen assembly text into a :class:`~jbgen.asm.model.ClassDef`.

The grammar is in ``docs/assembly.md``; ``printer`` is the inverse.  The parser
reports every error of a file it can find in one run, each as
``file:line:col: error: message`` with the source line and a caret, with a
"did you mean" for unknown mnemonics, directives, flags and near-miss types.
It recovers line by line: a bad line is skipped, the rest still checked.

Must not import a JVM: parsing is pure text work.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from jbgen.asm import model as m
from jbgen.asm import ops
from jbgen.asm.literals import parse_number, unquote
from jbgen.asm.names import PRIMITIVES, NameError_, Names, near_miss, split_method_desc
from jbgen.errors import AssemblyError, Diagnostic, error_at

_TOKEN = re.compile(
    r"""\s*(?:
      ("(?:[^"\\]|\\.)*")          # 1 string
    | ('(?:[^'\\]|\\.)*')          # 2 char
    | ([(){}\[\],:=@])             # 3 punctuation
    | ([^\s(){}\[\],:=@"']+)       # 4 word
    | (["'])                       # 5 unterminated quote
    )""",
    re.X,
)
_IDENT = re.compile(r"^[A-Za-z_$][\w$]*$")
# A local's name that code can use: one word of the tokenizer, not read as a slot number,
# a literal or a directive.  Other names (`.var "a b" ...`, `.var 3 ...`) only label the
# LocalVariableTable; binding them would turn a literal `3` into a load.
_CODE_NAME = re.compile(r"[^\s(){}\[\],:=@\"'0-9+.-][^\s(){}\[\],:=@\"']*\Z")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)$")
# The common `.line N`, read without the tokenizer (`.line 010` and `.line ²` are left to it).
_LINE = re.compile(r"\.line (0|[1-9][0-9]*)\Z")
# Code lines read as whitespace-separated words: no quotes, braces, comments.
_WORD_LINE = re.compile(r"^[^\"'{}@=/]*$")
# A member reference as one word: `Owner.name(int,String)void`, `Owner.f:int`.
_MEMBER_WORD = re.compile(
    r"^([\w$.\[\]]+)\.([\w$]+|<init>|<clinit>)(?::([\w$.\[\]]+)|\(([\w$.\[\],]*)\)([\w$.\[\]]+))$"
)
# A constant written as one word on a word line (numbers, `Type.class`); others need the tokenizer.
_WORD_CONST = re.compile(r"^(?:[-+]?[0-9][\w.+-]*|-?(?:NaN|Infinity)f?|[\w$-]+(?:\.[\w$-]+)*\.class)$")
_FAST_NAME = re.compile(r"^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*$")

STR, CHR, PUNCT, WORD = 1, 2, 3, 4
_T = TypeVar("_T")


class _Err(Exception):
    """A parse error at a column of the current line (1-based), spanning ``span`` chars."""

    def __init__(self, msg: str, col: int = 0, span: int = 1, notes: tuple[str, ...] = ()) -> None:
        super().__init__(msg)
        self.msg = msg
        self.col = col
        self.span = span
        self.notes = notes


@dataclass(slots=True)
class Tok:
    kind: int
    text: str
    col: int  # 1-based


def _unq(t: Tok) -> str:
    """The value of a string token; a bad escape is an error at the token."""
    try:
        return unquote(t.text)
    except ValueError as exc:
        raise _Err(str(exc), t.col, len(t.text)) from None


def _quoted_type(c: Cur) -> bool:
    """Whether the string at the cursor is a quoted class name: `"Foo".class`, `"Foo"[].class`, `"E".A`."""
    t, nxt = c.peek(), c.peek(1)
    return (t is not None and nxt is not None and nxt.col == t.col + len(t.text)
            and (nxt.text == "[" or nxt.kind == WORD and nxt.text[0] == "."))


def tokenize(line: str) -> list[Tok]:
    toks: list[Tok] = []
    pos = 0
    n = len(line)
    while pos < n:
        mt = _TOKEN.match(line, pos)
        if mt is None or mt.end() == pos:
            break
        kind = mt.lastindex
        if kind is None:
            break
        if kind == 5:
            raise _Err("unterminated string or character literal", mt.start(5) + 1)
        toks.append(Tok(kind, mt.group(kind), mt.start(kind) + 1))
        pos = mt.end()
    return toks


def strip_comment(line: str) -> str:
    i = line.find("//")
    if i < 0:
        return line
    if '"' not in line and "'" not in line:
        return line[:i]
    # A // inside a string literal is not a comment.
    quote = ""
    j = 0
    n = len(line)
    while j < n:
        c = line[j]
        if quote:
            if c == "\\":
                j += 2
                continue
            if c == quote:
                quote = ""
        elif c in "\"'":
            quote = c
        elif c == "/" and j + 1 < n and line[j + 1] == "/":
            return line[:j]
        j += 1
    return line


# --------------------------------------------------------------------------- token cursor


class Cur:
    """A cursor over one line's tokens."""

    __slots__ = ("toks", "i", "end_col")

    def __init__(self, toks: list[Tok], end_col: int) -> None:
        self.toks = toks
        self.i = 0
        self.end_col = end_col

    def peek(self, k: int = 0) -> Tok | None:
        j = self.i + k
        return self.toks[j] if j < len(self.toks) else None

    def next(self, what: str) -> Tok:
        if self.i >= len(self.toks):
            raise _Err(f"expected {what} at the end of the line", self.end_col)
        t = self.toks[self.i]
        self.i += 1
        return t

    def at_end(self) -> bool:
        return self.i >= len(self.toks)

    def col(self) -> int:
        t = self.peek()
        return t.col if t else self.end_col

    def accept(self, text: str) -> bool:
        t = self.peek()
        if t is not None and t.text == text and t.kind in (PUNCT, WORD):
            self.i += 1
            return True
        return False

    def expect(self, text: str) -> Tok:
        t = self.peek()
        if t is None or t.text != text or t.kind not in (PUNCT, WORD):
            got = f"`{t.text}`" if t else "the end of the line"
            raise _Err(f"expected `{text}`, found {got}", t.col if t else self.end_col)
        self.i += 1
        return t

    def word(self, what: str) -> Tok:
        t = self.next(what)
        if t.kind != WORD:
            raise _Err(f"expected {what}, found `{t.text}`", t.col)
        return t

    def end(self) -> None:
        t = self.peek()
        if t is not None:
            raise _Err(f"unexpected `{t.text}` after the end of the statement", t.col, len(t.text))


# --------------------------------------------------------------------------- vocabularies

_FLAG_TABLES = {
    # `interface` and `module` are kinds in a class header (`public interface Foo`), not flags.
    "class": {k: v for k, v in m.CLASS_FLAGS if k not in ("interface", "module")},
    "field": dict(m.FIELD_FLAGS),
    "method": dict(m.METHOD_FLAGS),
    "inner": dict(m.INNER_FLAGS),
    "param": dict(m.PARAM_FLAGS),
    "module": dict(m.MODULE_FLAGS),
    "requires": dict(m.REQUIRES_FLAGS),
    "exports": dict(m.EXPORTS_FLAGS),
}
_ALL_FLAG_WORDS = frozenset(w for t in _FLAG_TABLES.values() for w in t) | {
    "transitive",
    "open",
    "default",
}
_KINDS = ("class", "interface", "module")

CLASS_DIRECTIVES = {
    ".noconstructor", ".version", ".import", ".flags", ".source", ".signature", ".innerclass", ".innerclasses",
    ".enclosing", ".nesthost", ".nestmembers", ".permits", ".record", ".component",
    ".deprecated", ".synthetic", ".sourcedebugextension", ".sourceid", ".compilationid",
    ".module", ".requires", ".exports", ".opens", ".uses", ".provides", ".packages",
    ".mainclass", ".moduletarget", ".moduleresolution", ".modulehashes", ".typeannotation",
    ".typeannotations", ".annotations", ".attribute",
}
MEMBER_DIRECTIVES = {
    ".signature", ".deprecated", ".synthetic", ".typeannotation", ".typeannotations",
    ".annotations", ".parameters", ".paramannotations", ".default", ".attribute",
}
CODE_DIRECTIVES = {".line", ".var", ".vartype", ".catch", ".local", ".typeannotation", ".typeannotations", ".attribute"}
ALL_DIRECTIVES = sorted(CLASS_DIRECTIVES | MEMBER_DIRECTIVES | CODE_DIRECTIVES)

_NEWARRAY_TYPES = ("boolean", "char", "float", "double", "byte", "short", "int", "long")
# The kind letter of a descriptor's first character (`load`/`store`/`return` pick the typed form by it).
_KIND_OF = {"I": "i", "Z": "i", "B": "i", "C": "i", "S": "i", "J": "l", "F": "f", "D": "d", "L": "a", "[": "a"}
_PSEUDO = frozenset({"push", "load", "store", "wide", "exact"})
_DECLARING = frozenset({"istore", "lstore", "fstore", "dstore", "astore"})
_LOCAL_BASES = {
    "iload", "lload", "fload", "dload", "aload", "istore", "lstore", "fstore", "dstore", "astore", "ret",
}


def _suggest(word: str, choices: object, cutoff: float = 0.6) -> tuple[str, ...]:
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=cutoff)  # type: ignore[arg-type]
    return (f"did you mean `{close[0]}`?",) if close else ()


# --------------------------------------------------------------------------- the parser


class _MethodState:
    def __init__(self, meth: m.MethodDef, static: bool, param_descs: list[str], param_names: list[str | None]) -> None:
        self.meth = meth
        self.code = m.Code()
        self.labels: dict[str, m.Label] = {}
        self.label_defined: dict[str, int] = {}
        self.label_uses: dict[str, tuple[int, int]] = {}
        self.locals: dict[str, int] = {}
        # The kind of value a named local holds (`i`, `l`, `f`, `d`, `a`; `?` when
        # declared with several), for `load NAME`, `store NAME` and a bare name.
        self.kinds: dict[str, str] = {}
        self.ambiguous: set[str] = set()
        self.next_slot = 0 if static else 1
        ret = meth.descriptor[meth.descriptor.rindex(")") + 1 :]
        self.ret_op = None if ret == "V" else _KIND_OF[ret[0]] + "return"
        if not static:
            self.locals["this"] = 0
            self.kinds["this"] = "a"
        for d, nm in zip(param_descs, param_names, strict=True):
            if nm is not None:
                self.bind(nm, self.next_slot, d)
            self.next_slot += 2 if d in ("J", "D") else 1
        self.type_annos: dict[str, list[m.TypeAnnotation]] = {}
        self.switch: tuple[str, list, int] | None = None  # (op, cases, line)
        self.switch_default: m.Label | None = None

    def bind(self, name: str, slot: int, desc: str | None) -> None:
        if not _CODE_NAME.match(name):
            return
        old = self.locals.get(name)
        if old is not None and old != slot:
            self.ambiguous.add(name)
        else:
            self.locals[name] = slot
        if desc is not None:
            kind = _KIND_OF[desc[0]]
            if self.kinds.setdefault(name, kind) != kind:
                self.kinds[name] = "?"

    def label(self, name: str, line: int, col: int) -> m.Label:
        lab = self.labels.get(name)
        if lab is None:
            lab = self.labels[name] = m.Label(name)
        self.label_uses.setdefault(name, (line, col))
        return lab


class Parser:
    def __init__(self, text: str, path: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.diags: list[Diagnostic] = []
        self.names = Names()
        self.lineno = 0
        self.line = ""
        self._desc_cache: dict[str, str] = {}
        # Instruction lines whose meaning does not depend on the method (no locals, no
        # labels): text -> (op, args).  Args are immutable, so sharing them is safe.
        self._member_cache: dict[tuple[str, str], m.MemberRef] = {}
        self._class_cache: dict[str, str] = {}

    # ---------------------------------------------------------------- errors

    def err(self, e: _Err) -> None:
        self.diags.append(
            error_at(e.msg, self.path, self.lineno, e.col or None, self.line, e.span, e.notes)
        )

    # ---------------------------------------------------------------- types

    def type_(self, c: Cur, what: str = "a type") -> tuple[str, int, int]:
        """A Java type at the cursor: (element name, dims, column); quoted = literal binary name."""
        t = c.next(what)
        if t.kind == STR:
            name = "\0" + _unq(t)
        elif t.kind == WORD:
            name = t.text
        else:
            raise _Err(f"expected {what}, found `{t.text}`", t.col)
        dims = 0
        end = t.col + len(t.text)
        while True:
            # Array brackets hug the type (`int[]`); a `[` after a space opens a list
            # (bootstrap arguments), which may itself be empty: `CallSite []`.
            p = c.peek()
            if p is not None and p.kind == PUNCT and p.text == "[" and p.col == end:
                q = c.peek(1)
                if q is None or q.text != "]":
                    raise _Err("expected `]`", q.col if q else c.end_col)
                c.i += 2
                dims += 1
                end = q.col + 1
            else:
                break
        return name, dims, t.col

    def _internal(self, name: str, col: int) -> str:
        if name.startswith("\0"):
            return name[1:].replace(".", "/")
        self._check_simple(name, col)
        try:
            return self.names.class_internal(name)
        except NameError_ as exc:
            raise _Err(str(exc), col, len(name)) from None

    def _check_simple(self, name: str, col: int) -> None:
        if "." in name or name in self.names.imports or name == self.names.self_simple:
            return
        close = near_miss(name)
        if close is not None:
            raise _Err(
                f"unknown type `{name}`",
                col,
                len(name),
                (f"did you mean `{close}`? (to name a class of this package, add `.import {name}`)",),
            )

    def desc(self, name: str, dims: int, col: int) -> str:
        if name.startswith("\0"):
            return "[" * dims + "L" + name[1:].replace(".", "/") + ";"
        prim = PRIMITIVES.get(name)
        if prim is not None:
            if prim == "V" and dims:
                raise _Err("`void[]` is not a type", col)
            return "[" * dims + prim
        return "[" * dims + "L" + self._internal(name, col) + ";"

    def field_type(self, c: Cur, what: str = "a type") -> str:
        name, dims, col = self.type_(c, what)
        d = self.desc(name, dims, col)
        if d == "V":
            raise _Err("`void` is only a return type", col)
        return d

    def class_entry(self, c: Cur, what: str = "a class name") -> str:
        name, dims, col = self.type_(c, what)
        if dims:
            return self.desc(name, dims, col)
        if name in PRIMITIVES:
            raise _Err(f"`{name}` is a primitive type, not a class", col)
        return self._internal(name, col)

    def class_list(self, c: Cur) -> list[str]:
        out = [self.class_entry(c)]
        while c.accept(","):
            out.append(self.class_entry(c))
        return out

    def method_desc(self, c: Cur) -> str:
        """``(int, String)void`` at the cursor -> ``(ILjava/lang/String;)V``."""
        c.expect("(")
        parts = self.items(c, ")", lambda: self.field_type(c, "a parameter type"))
        t = c.peek()
        if t is not None and t.col > c.toks[c.i - 1].col + 1 and (t.text in ops.FAMILY or t.text in _PSEUDO):
            # `invokestatic Math.max(int,int) ireturn`: the next instruction is no return type.
            raise _Err(f"expected a return type after `)`, found the instruction `{t.text}`", t.col, len(t.text))
        name, dims, col = self.type_(c, "a return type")
        return "(" + "".join(parts) + ")" + self.desc(name, dims, col)

    def items(self, c: Cur, close: str, item: Callable[[], _T]) -> list[_T]:
        """``item, item, ... close`` at the cursor (the opening bracket already read)."""
        out: list[_T] = []
        if c.accept(close):
            return out
        while True:
            out.append(item())
            if c.accept(close):
                return out
            c.expect(",")

    def member_name(self, c: Cur) -> tuple[str, str, int]:
        """``Owner.name`` (owner may be an array type or quoted) -> (owner entry, name, col)."""
        t = c.next("a member reference `Owner.name`")
        col = t.col
        if t.kind == STR:
            owner = _unq(t).replace(".", "/")
            nt = c.word("`.name` after the quoted owner")
            if not nt.text.startswith("."):
                raise _Err("expected `.name` after the owner", nt.col)
            rest = nt.text[1:]
            name = rest if rest else self._str_name(c)
            return owner, name, col
        if t.kind != WORD:
            raise _Err(f"expected a member reference `Owner.name`, found `{t.text}`", t.col)
        text = t.text
        p = c.peek()
        if p is not None and p.text == "[":
            # An array owner: int[].clone
            dims = 0
            while c.accept("["):
                c.expect("]")
                dims += 1
            nt = c.word("`.name` after the array type")
            if not nt.text.startswith("."):
                raise _Err("expected `.name` after the array type", nt.col)
            return self.desc(text, dims, col), nt.text[1:] or self._str_name(c), col
        if text.endswith("."):
            return self._internal(text[:-1], col), self._str_name(c), col
        dot = text.rfind(".")
        if dot <= 0:
            raise _Err(f"`{text}` is not a member reference: write `Owner.name`", col, len(text))
        return self._internal(text[:dot], col), text[dot + 1 :], col

    def _str_name(self, c: Cur) -> str:
        t = c.next("a quoted member name")
        if t.kind != STR:
            raise _Err("expected a quoted member name", t.col)
        return _unq(t)

    def member_ref(self, c: Cur, kind: str) -> m.MemberRef:
        """``Owner.name:Type`` for fields, ``Owner.name(params)ret`` for methods."""
        owner, name, _ = self.member_name(c)
        if kind == "field":
            c.expect(":")
            return m.MemberRef("field", owner, name, self.field_type(c))
        return m.MemberRef(kind, owner, name, self.method_desc(c))

    def name_tok(self, c: Cur, what: str) -> str:
        t = c.next(what)
        if t.kind == STR:
            return _unq(t)
        if t.kind != WORD:
            raise _Err(f"expected {what}, found `{t.text}`", t.col)
        return t.text

    # ---------------------------------------------------------------- constants

    def handle(self, c: Cur) -> m.MethodHandleConst:
        t = c.word("a method handle kind such as `invokeStatic`")
        kind = m.REF_KIND_BY_NAME.get(t.text)
        if kind is None:
            raise _Err(
                f"unknown method handle kind `{t.text}`", t.col, len(t.text), _suggest(t.text, m.REF_KIND_BY_NAME)
            )
        itf = c.accept("interface")
        if kind <= 4:
            ref = self.member_ref(c, "field")
        else:
            ref = self.member_ref(c, "imethod" if itf or kind == 9 else "method")
        return m.MethodHandleConst(kind, ref)

    def bootstrap(self, c: Cur) -> m.Bootstrap:
        h = self.handle(c)
        c.expect("[")
        return m.Bootstrap(h, tuple(self.items(c, "]", lambda: self.const(c))))

    def const(self, c: Cur) -> m.Loadable:
        t = c.peek()
        if t is None:
            raise _Err("expected a constant at the end of the line", c.end_col)
        if t.kind == STR and not _quoted_type(c):
            c.i += 1
            return m.Str(_unq(t))
        if t.kind == CHR:
            c.i += 1
            return m.Int(self._char(t))
        if t.kind == WORD:
            w = t.text
            nxt = c.peek(1)
            if nxt is not None and nxt.text == "[" and nxt.col == t.col + len(w):
                pass  # `MethodHandle[].class`: a type, not a keyword
            elif w == "MethodType":
                c.i += 1
                return m.MethodTypeConst(self.method_desc(c))
            elif w == "MethodHandle":
                c.i += 1
                return self.handle(c)
            elif w == "Dynamic":
                c.i += 1
                name = self.name_tok(c, "the constant's name")
                c.expect(":")
                desc = self.field_type(c)
                return m.DynamicConst(self.bootstrap(c), name, desc)
            elif w[0] in "0123456789-+" or w.startswith(("NaN", "Infinity")):
                c.i += 1
                if w.startswith(("NaN", "-NaN")) and c.peek() is not None and c.peek().text == "(":  # type: ignore[union-attr]
                    c.i += 1
                    bits = c.word("NaN bits")
                    c.expect(")")
                    w = f"{w}({bits.text})"
                try:
                    return parse_number(w)
                except ValueError as exc:
                    # parse_number's own messages name the literal; Python's (`invalid literal for int()`) do not.
                    msg = str(exc) if "`" in str(exc) else f"bad number `{w}`"
                    raise _Err(msg, t.col, len(w)) from None
        if t.kind == PUNCT and t.text == "(":
            raise _Err("expected a constant; write `MethodType (...)ret` for a method type", t.col)
        # Type.class
        name, dims, col = self.type_(c, "a constant")
        cls_tok = None
        if dims:
            cls_tok = c.word("`.class`")
            if cls_tok.text != ".class":
                raise _Err("expected `.class` after the array type", cls_tok.col)
            return m.ClassConst(self.desc(name, dims, col))
        if name.endswith(".class"):
            base = name[: -len(".class")]
            if base in PRIMITIVES:
                raise _Err(f"`{base}.class` cannot be loaded with ldc (use getstatic {base.title()}.TYPE)", col)
            return m.ClassConst(self._internal(base, col))
        if name.startswith("\0"):
            nt = c.word("`.class`")
            if nt.text != ".class":
                raise _Err("expected `.class`", nt.col)
            return m.ClassConst(name[1:].replace(".", "/"))
        raise _Err(f"expected a constant, found `{name}`", col, len(name))

    def _char(self, t: Tok) -> int:
        try:
            s = unquote('"' + t.text[1:-1].replace('"', '\\"') + '"')
        except ValueError as exc:
            raise _Err(str(exc), t.col, len(t.text)) from None
        if len(s) != 1:
            raise _Err("a character literal holds one UTF-16 unit", t.col, len(t.text))
        return ord(s)

    # ---------------------------------------------------------------- annotations

    def annotation(self, c: Cur) -> m.Annotation:
        c.expect("@")
        desc = self.field_type(c, "an annotation type")
        elems: list[tuple[str, m.ElementValue]] = []
        if c.accept("("):  # noqa: SIM102  (accept() consumes; the two tests are not one)
            if not c.accept(")"):
                first = True
                while True:
                    p, q = c.peek(), c.peek(1)
                    if first and not (p is not None and q is not None and q.text == "=" and p.kind in (WORD, STR)):
                        elems.append(("value", self.element(c)))
                    else:
                        name = self.name_tok(c, "an element name")
                        c.expect("=")
                        elems.append((name, self.element(c)))
                    first = False
                    if c.accept(")"):
                        break
                    c.expect(",")
        return m.Annotation(desc, tuple(elems))

    def element(self, c: Cur) -> m.ElementValue:
        t = c.peek()
        if t is None:
            raise _Err("expected an element value", c.end_col)
        if t.kind == STR and not _quoted_type(c):
            c.i += 1
            return m.ElementValue("s", _unq(t))
        if t.kind == CHR:
            c.i += 1
            return m.ElementValue("C", m.Int(self._char(t)))
        if t.kind == PUNCT:
            if t.text == "{":
                c.i += 1
                return m.ElementValue("[", tuple(self.items(c, "}", lambda: self.element(c))))
            if t.text == "@":
                return m.ElementValue("@", self.annotation(c))
            if t.text == "(":
                c.i += 1
                cast = c.word("a cast type")
                c.expect(")")
                tag = {"byte": "B", "short": "S", "char": "C", "boolean": "Z"}.get(cast.text)
                if tag is None:
                    raise _Err("expected (byte), (short), (char) or (boolean)", cast.col)
                v = self.const(c)
                if type(v) is not m.Int:
                    raise _Err(f"({cast.text}) needs an int value", cast.col)
                return m.ElementValue(tag, v)
        if t.kind == WORD:
            w = t.text
            if w in ("true", "false"):
                c.i += 1
                return m.ElementValue("Z", m.Int(1 if w == "true" else 0))
            if w[0] in "0123456789-+" or w.startswith(("NaN", "Infinity")):
                v = self.const(c)
                tag = {m.Int: "I", m.Long: "J", m.Float: "F", m.Double: "D"}[type(v)]  # type: ignore[index]
                return m.ElementValue(tag, v)
        # Type.class (any type, even void) or Enum.CONSTANT
        name, dims, col = self.type_(c, "an element value")
        if dims:
            ct = c.word("`.class`")
            if ct.text != ".class":
                raise _Err("expected `.class`", ct.col)
            return m.ElementValue("c", self.desc(name, dims, col))
        if name.startswith("\0"):
            nt = c.word("`.CONSTANT` or `.class`")
            if nt.text == ".class":
                return m.ElementValue("c", "L" + name[1:].replace(".", "/") + ";")
            tdesc = "L" + name[1:].replace(".", "/") + ";"
            rest = nt.text[1:] or self._str_name(c)
            return m.ElementValue("e", (tdesc, rest))
        if name.endswith(".class"):
            base = name[:-6]
            return m.ElementValue("c", self.desc(base, 0, col))
        if name.endswith("."):
            return m.ElementValue("e", (self.desc(name[:-1], 0, col), self._str_name(c)))
        dot = name.rfind(".")
        if dot <= 0:
            raise _Err(f"expected an element value, found `{name}`", col, len(name))
        return m.ElementValue("e", (self.desc(name[:dot], 0, col), name[dot + 1 :]))

    def type_annotation(self, c: Cur, st: _MethodState | None) -> tuple[m.TypeAnnotation, bool]:
        tt_tok = c.word("a target type such as 0x13")
        try:
            tt = int(tt_tok.text, 0)
        except ValueError:
            raise _Err("expected a target type number such as 0x13", tt_tok.col) from None

        def label() -> m.Label:
            t = c.word("a label")
            if st is None:
                raise _Err("labels in a type annotation are only allowed inside code", t.col)
            return st.label(t.text, self.lineno, t.col)

        def integer() -> int:
            t = c.word("a number")
            try:
                return int(t.text, 0)
            except ValueError:
                raise _Err(f"expected a number, found `{t.text}`", t.col) from None

        info: tuple
        if tt in (0x00, 0x01, 0x10, 0x16, 0x17, 0x42):
            info = (integer(),)
        elif tt in (0x11, 0x12):
            info = (integer(), integer())
        elif tt in (0x13, 0x14, 0x15):
            info = ()
        elif tt in (0x40, 0x41):
            c.expect("{")
            info = (tuple(self.items(c, "}", lambda: (label(), label(), integer()))),)
        elif tt in (0x43, 0x44, 0x45, 0x46):
            info = (label(),)
        elif tt in (0x47, 0x48, 0x49, 0x4A, 0x4B):
            info = (label(), integer())
        else:
            raise _Err(f"unknown type annotation target type 0x{tt:02x}", tt_tok.col)
        path: list[tuple[int, int]] = []
        if c.accept("path"):
            pt = c.next("a type path string")
            if pt.kind != STR:
                raise _Err("expected a quoted type path such as \"[*\"", pt.col)
            s = _unq(pt)
            for mt in re.finditer(r"\[|\.|\*|(\d+);|(.)", s):
                if mt.group(2) is not None:
                    raise _Err(f"bad type path step `{mt.group(2)}`", pt.col)
                g = mt.group(0)
                path.append((0, 0) if g == "[" else (1, 0) if g == "." else (2, 0) if g == "*" else (3, int(mt.group(1))))
        ann = self.annotation(c)
        invisible = c.accept("invisible")
        return m.TypeAnnotation(tt, info, tuple(path), ann), invisible

    # ---------------------------------------------------------------- flags

    def flags(self, c: Cur, table: str) -> int:
        """Leading flag words (and hex words) of ``table``; stops at the first other word."""
        tab = _FLAG_TABLES[table]
        v = 0
        while True:
            t = c.peek()
            if t is None or t.kind != WORD:
                return v
            bit = tab.get(t.text)
            if t.text in _KINDS and table == "class":
                return v
            if bit is not None:
                v |= bit
            elif t.text.startswith("0x") and c.peek(1) is not None:
                try:
                    v |= int(t.text, 16)
                except ValueError:
                    raise _Err(f"bad flags `{t.text}`", t.col) from None
            elif t.text in _ALL_FLAG_WORDS and c.peek(1) is not None and c.peek(1).kind == WORD:  # type: ignore[union-attr]
                raise _Err(f"`{t.text}` is not a {table} flag", t.col, len(t.text))
            else:
                return v
            c.i += 1

    # ---------------------------------------------------------------- top level

    def parse_all(self) -> list[m.ClassDef]:
        """Every class of the text, in order (a text may hold several, as ``disasm`` prints)."""
        out: list[m.ClassDef] = []
        start = 0
        while True:
            cls, start = self.parse_one(start)
            if cls is None:
                break
            out.append(cls)
        if not out and not self.diags:
            self.diags.append(error_at("no class header (such as `public class Foo {`) in the file", self.path, 1 if self.lines else None, None))
        if self.diags:
            self.diags.sort(key=lambda d: d.location.line or 0 if d.location else 0)
            raise AssemblyError(f"{len(self.diags)} error(s)", self.diags)
        return out

    def parse_one(self, start: int) -> tuple[m.ClassDef | None, int]:
        """The class whose text starts at line index ``start``, and the index after it."""
        header_idx = self._find_header(start)
        if header_idx is None:
            for i in range(start, len(self.lines)):
                s = strip_comment(self.lines[i]).strip()
                if s:
                    self.lineno, self.line = i + 1, self.lines[i]
                    self.err(_Err("directives or annotations with no class header after them", 1))
                    break
            return None, len(self.lines)
        self._class_closed_inline = False
        cls = m.ClassDef(name="", flags=0, super_name=None)
        self.names = Names()
        self._desc_cache.clear()
        self._class_cache.clear()
        self._member_cache.clear()
        # Pass 1: the header line, for the class name that name resolution needs.
        pre = self._pre_header(start, header_idx, cls)
        self.lineno = header_idx + 1
        self.line = self.lines[header_idx]
        try:
            self._header(cls, self._cur(self.line))
        except _Err as e:
            self.err(e)
        self.names.set_class(cls.name)
        # Pass 2: the directives above the header, now that names resolve.
        class_attrs: list[m.Attribute] = []
        pending: list[m.Attribute] = []
        explicit_flags: int | None = None
        no_constructor = False
        record: m.Attribute | None = None
        module: dict | None = None
        for idx, toks in pre:
            self.lineno = idx + 1
            self.line = self.lines[idx]
            c = Cur(toks, len(self.line) + 1)
            try:
                head = toks[0]
                if head.kind == PUNCT and head.text == "@":
                    ann = self.annotation(c)
                    invisible = c.accept("invisible")
                    c.end()
                    _add_annotation(pending, ann, invisible)
                    continue
                d = head.text
                c.i = 1
                if d in (".version", ".import"):
                    continue  # handled in pass 1
                if d == ".flags":
                    ft = c.word("flags such as 0x0021")
                    try:
                        explicit_flags = int(ft.text, 0)
                    except ValueError:
                        raise _Err(f"bad flags `{ft.text}`", ft.col) from None
                    c.end()
                elif d == ".noconstructor":
                    c.end()
                    no_constructor = True
                elif d == ".record":
                    c.end()
                    class_attrs.extend(pending)
                    pending = []
                    record = m.Attribute("Record", [])
                    class_attrs.append(record)
                elif d == ".component":
                    if record is None:
                        raise _Err("`.component` comes after `.record`", head.col)
                    desc = self.field_type(c)
                    name = self.name_tok(c, "the component name")
                    c.end()
                    record.value.append(m.RecordComponent(name, desc, tuple(pending)))  # type: ignore[union-attr]
                    pending = []
                elif d in (".module", ".requires", ".exports", ".opens", ".uses", ".provides"):
                    module = self._module_directive(d, c, head, module, pending)
                elif d in CLASS_DIRECTIVES:
                    self._attr_directive(d, c, head, pending, "class", None)
                else:
                    self._unknown_directive(head, "before the class header")
            except _Err as e:
                self.err(e)
        class_attrs.extend(pending)
        if record is not None:
            record.value = tuple(record.value)  # type: ignore[arg-type]
        if module is not None:
            mod_attr = module["attr"]
            mod_attr.value = m.ModuleInfo(
                module["name"], module["flags"], module["version"], tuple(module["requires"]),
                tuple(module["exports"]), tuple(module["opens"]), tuple(module["uses"]), tuple(module["provides"]),
            )
        cls.attributes = _merge_annotation_attrs(class_attrs)
        if explicit_flags is not None:
            cls.flags = explicit_flags
        end = self._body(cls, header_idx + 1)
        if not no_constructor and not cls.flags & (m.ACC_INTERFACE | m.ACC_MODULE):
            _add_default_constructor(cls)
        return cls, end

    def _cur(self, line: str) -> Cur:
        return Cur(tokenize(strip_comment(line)), len(line.rstrip()) + 1)

    def _find_header(self, start: int) -> int | None:
        for i in range(start, len(self.lines)):
            s = strip_comment(self.lines[i]).strip()
            if not s or s[0] == "." or s[0] == "@" and not re.match(r"@interface\b", s):
                continue
            return i
        return None

    def _pre_header(self, start: int, header_idx: int, cls: m.ClassDef) -> list[tuple[int, list[Tok]]]:
        out = []
        for i in range(start, header_idx):
            self.lineno = i + 1
            self.line = self.lines[i]
            try:
                toks = tokenize(strip_comment(self.line))
            except _Err as e:
                self.err(e)
                continue
            if not toks:
                continue
            c = Cur(toks, len(self.line) + 1)
            try:
                if toks[0].text == ".version":
                    c.i = 1
                    t = c.word("a class-file version such as 69 or 52.0")
                    mt = re.fullmatch(r"(\d+)(?:\.(\d+))?", t.text)
                    if not mt:
                        raise _Err(f"bad version `{t.text}`: write MAJOR or MAJOR.MINOR", t.col)
                    cls.major = int(mt.group(1))
                    cls.minor = int(mt.group(2) or 0)
                    if not 45 <= cls.major <= 0xFFFF or cls.minor > 0xFFFF:
                        raise _Err(f"class-file version {t.text} is out of range", t.col)
                    c.end()
                    continue
                if toks[0].text == ".import":
                    c.i = 1
                    t = c.next("a class name to import")
                    name = _unq(t) if t.kind == STR else t.text
                    c.end()
                    self.names.add_import(name.replace(".", "/"))
                    continue
            except _Err as e:
                self.err(e)
                continue
            out.append((i, toks))
        return out

    def _header(self, cls: m.ClassDef, c: Cur) -> None:
        cls.line = self.lineno
        flags = self.flags(c, "class")
        t = c.next("`class`, `interface`, `@interface` or `module`")
        if t.text == "@":
            c.expect("interface")
            flags |= m.ACC_INTERFACE | m.ACC_ABSTRACT | m.ACC_ANNOTATION
        elif t.text == "class":
            flags |= m.ACC_SUPER
        elif t.text == "interface":
            flags |= m.ACC_INTERFACE | m.ACC_ABSTRACT
        elif t.text == "module":
            flags |= m.ACC_MODULE
        else:
            raise _Err(
                f"expected `class`, `interface`, `@interface` or `module`, found `{t.text}`",
                t.col,
                len(t.text),
                _suggest(t.text, [*_KINDS, *_FLAG_TABLES["class"]]),
            )
        nt = c.next("the class name")
        if nt.kind == STR:
            cls.name = _unq(nt).replace(".", "/")
        elif nt.kind == WORD:
            if "/" in nt.text:
                raise _Err("write the class name with dots: `com.example.Foo`", nt.col)
            cls.name = nt.text.replace(".", "/")
        else:
            raise _Err(f"expected the class name, found `{nt.text}`", nt.col)
        cls.flags = flags
        self.names.set_class(cls.name)
        cls.super_name = None if flags & m.ACC_MODULE or cls.name == "java/lang/Object" else "java/lang/Object"
        if c.accept("extends"):
            if c.accept("none"):
                cls.super_name = None
            else:
                cls.super_name = self.class_entry(c)
        if c.accept("implements"):
            cls.interfaces = self.class_list(c)
        c.expect("{")
        if c.accept("}"):
            self._class_closed_inline = True
        c.end()

    _class_closed_inline = False

    def _unknown_directive(self, head: Tok, where: str) -> None:
        if head.text in CLASS_DIRECTIVES | MEMBER_DIRECTIVES | CODE_DIRECTIVES:
            raise _Err(f"`{head.text}` is not allowed {where}", head.col, len(head.text))
        raise _Err(f"unknown directive `{head.text}`", head.col, len(head.text), _suggest(head.text, ALL_DIRECTIVES))

    def _attr_directive(self, d: str, c: Cur, head: Tok, pending: list[m.Attribute], target: str, st: _MethodState | None) -> None:
        """Directives that become one attribute of the next declaration (or of the code)."""
        if d in (".signature", ".source", ".sourceid", ".compilationid", ".moduletarget"):
            t = c.next("a quoted string")
            if t.kind != STR:
                raise _Err(f"`{d}` takes a quoted string", t.col)
            c.end()
            name = {".signature": "Signature", ".source": "SourceFile", ".sourceid": "SourceID",
                    ".compilationid": "CompilationID", ".moduletarget": "ModuleTarget"}[d]
            pending.append(m.Attribute(name, _unq(t)))
        elif d == ".deprecated":
            c.end()
            pending.append(m.Attribute("Deprecated"))
        elif d == ".synthetic":
            c.end()
            pending.append(m.Attribute("Synthetic"))
        elif d == ".annotations":
            invisible = c.accept("invisible")
            c.end()
            pending.append(m.Attribute("RuntimeInvisibleAnnotations" if invisible else "RuntimeVisibleAnnotations", []))
        elif d == ".typeannotations":
            invisible = c.accept("invisible")
            c.end()
            pending.append(m.Attribute("RuntimeInvisibleTypeAnnotations" if invisible else "RuntimeVisibleTypeAnnotations", []))
        elif d == ".typeannotation":
            ta, invisible = self.type_annotation(c, st)
            c.end()
            name = "RuntimeInvisibleTypeAnnotations" if invisible else "RuntimeVisibleTypeAnnotations"
            _append_to(pending, name, ta)
        elif d == ".innerclass":
            flags = self.flags(c, "inner")
            inner = self.class_entry(c)
            outer = self.class_entry(c) if c.accept("of") else None
            simple = self.name_tok(c, "the simple name") if c.accept("as") else None
            c.end()
            _append_to(pending, "InnerClasses", (inner, outer, simple, flags))
        elif d == ".innerclasses":
            c.end()
            pending.append(m.Attribute("InnerClasses", []))
        elif d == ".enclosing":
            t = c.peek()
            nxt = c.peek(1)
            is_method = t is not None and t.kind == WORD and (t.text.endswith(".") or nxt is not None and nxt.text == "(")
            if is_method:
                owner, name, _ = self.member_name(c)
                pending.append(m.Attribute("EnclosingMethod", (owner, name, self.method_desc(c))))
            else:
                pending.append(m.Attribute("EnclosingMethod", (self.class_entry(c), None, None)))
            c.end()
        elif d == ".nesthost":
            pending.append(m.Attribute("NestHost", self.class_entry(c)))
            c.end()
        elif d == ".mainclass":
            pending.append(m.Attribute("ModuleMainClass", self.class_entry(c)))
            c.end()
        elif d in (".nestmembers", ".permits"):
            lst = self.class_list(c) if not c.at_end() else []
            c.end()
            pending.append(m.Attribute("NestMembers" if d == ".nestmembers" else "PermittedSubclasses", tuple(lst)))
        elif d == ".packages":
            pk = []
            if not c.at_end():
                while True:
                    pk.append(self.name_tok(c, "a package name").replace(".", "/"))
                    if not c.accept(","):
                        break
            c.end()
            pending.append(m.Attribute("ModulePackages", tuple(pk)))
        elif d == ".moduleresolution":
            t = c.word("resolution flags")
            try:
                pending.append(m.Attribute("ModuleResolution", int(t.text, 0)))
            except ValueError:
                raise _Err("expected a number", t.col) from None
            c.end()
        elif d == ".modulehashes":
            alg = self.name_tok(c, "the hash algorithm")
            c.expect("[")
            hashes = []
            if not c.accept("]"):
                while True:
                    mod = self.name_tok(c, "a module name")
                    ht = c.next("the hash as a quoted hex string")
                    if ht.kind != STR:
                        raise _Err("expected the hash as a quoted hex string", ht.col)
                    try:
                        hashes.append((mod, bytes.fromhex(_unq(ht))))
                    except ValueError:
                        raise _Err("bad hex string", ht.col) from None
                    if c.accept("]"):
                        break
                    c.expect(",")
            c.end()
            pending.append(m.Attribute("ModuleHashes", (alg, tuple(hashes))))
        elif d == ".sourcedebugextension":
            t = c.next("a quoted hex string")
            if t.kind != STR:
                raise _Err("expected a quoted hex string", t.col)
            try:
                data = bytes.fromhex(_unq(t))
            except ValueError:
                raise _Err("bad hex string", t.col) from None
            c.end()
            pending.append(m.Attribute("SourceDebugExtension", data))
        elif d == ".parameters":
            ps = []
            if not c.at_end():
                while True:
                    fl = self.flags(c, "param")
                    nm = self.name_tok(c, "a parameter name or `_`")
                    ps.append((None if nm == "_" else nm, fl))
                    if not c.accept(","):
                        break
            c.end()
            pending.append(m.Attribute("MethodParameters", tuple(ps)))
        elif d == ".paramannotations":
            invisible = c.accept("invisible")
            groups = []
            while not c.at_end():
                c.expect("[")
                g = []
                while not c.accept("]"):
                    g.append(self.annotation(c))
                groups.append(tuple(g))
                if not c.accept(","):
                    break
            c.end()
            name = "RuntimeInvisibleParameterAnnotations" if invisible else "RuntimeVisibleParameterAnnotations"
            pending.append(m.Attribute(name, tuple(groups)))
        elif d == ".default":
            pending.append(m.Attribute("AnnotationDefault", self.element(c)))
            c.end()
        elif d == ".attribute":
            nt = c.next("the attribute name as a quoted string")
            ht = c.next("the attribute's bytes as a quoted hex string")
            if nt.kind != STR or ht.kind != STR:
                raise _Err('write `.attribute "Name" "hex bytes"`', nt.col)
            try:
                data = bytes.fromhex(_unq(ht))
            except ValueError:
                raise _Err("bad hex string", ht.col, len(ht.text)) from None
            c.end()
            pending.append(m.Attribute("Unknown:" + _unq(nt), data))
        else:
            self._unknown_directive(head, f"on a {target}")

    def _module_directive(self, d: str, c: Cur, head: Tok, module: dict | None, pending: list[m.Attribute]) -> dict:
        if d == ".module":
            flags = self.flags(c, "module")
            name = self.name_tok(c, "the module name")
            version = None
            if c.accept("version"):
                version = self.name_tok(c, "a version string")
            c.end()
            attr = m.Attribute("Module", None)
            pending.append(attr)
            return {"attr": attr, "name": name, "flags": flags, "version": version, "requires": [],
                    "exports": [], "opens": [], "uses": [], "provides": []}
        if module is None:
            raise _Err(f"`{d}` comes after `.module`", head.col, len(head.text))
        if d == ".requires":
            flags = self.flags(c, "requires")
            name = self.name_tok(c, "a module name")
            version = self.name_tok(c, "a version string") if c.accept("version") else None
            module["requires"].append((name, flags, version))
        elif d in (".exports", ".opens"):
            flags = self.flags(c, "exports")
            pkg = self.name_tok(c, "a package name").replace(".", "/")
            to: list[str] = []
            if c.accept("to"):
                while True:
                    to.append(self.name_tok(c, "a module name"))
                    if not c.accept(","):
                        break
            module["exports" if d == ".exports" else "opens"].append((pkg, flags, tuple(to)))
        elif d == ".uses":
            module["uses"].append(self.class_entry(c))
        elif d == ".provides":
            svc = self.class_entry(c)
            c.expect("with")
            module["provides"].append((svc, tuple(self.class_list(c))))
        c.end()
        return module

    # ---------------------------------------------------------------- class body

    def _body(self, cls: m.ClassDef, start: int) -> int:
        """Members up to the class's closing brace; returns the index of the next line."""
        pending: list[m.Attribute] = []
        st: _MethodState | None = None
        closed = self._class_closed_inline
        i = start
        lines = self.lines
        n = len(lines)
        while i < n:
            if closed:
                return i
            raw = lines[i]
            i += 1
            if st is not None:
                # Fast path for the common instruction line.
                s = raw.strip()
                if not s or s.startswith("//"):
                    continue
                self.lineno, self.line = i, raw
                try:
                    if s[0] == "}" and st.switch is None and (s == "}" or strip_comment(s).rstrip() == "}"):
                        self._end_method(st)
                        st = None
                        continue
                    self._code_line(st, s, raw)
                except _Err as e:
                    self.err(e)
                continue
            if not raw or raw.isspace():
                continue
            self.lineno, self.line = i, raw
            try:
                toks = tokenize(strip_comment(raw))
            except _Err as e:
                self.err(e)
                continue
            if not toks:
                continue
            c = Cur(toks, len(raw.rstrip()) + 1)
            head = toks[0]
            try:
                if head.kind == PUNCT and head.text == "}":
                    c.i = 1
                    c.end()
                    if pending:
                        raise _Err("directives or annotations with no member after them", head.col)
                    closed = True
                    continue
                if head.kind == PUNCT and head.text == "@":
                    ann = self.annotation(c)
                    invisible = c.accept("invisible")
                    c.end()
                    _add_annotation(pending, ann, invisible)
                    continue
                if head.kind == WORD and head.text.startswith("."):
                    c.i = 1
                    if head.text in MEMBER_DIRECTIVES:
                        self._attr_directive(head.text, c, head, pending, "member", None)
                    else:
                        self._unknown_directive(head, "on a field or method (class directives go above the class header)")
                    continue
                st = self._member(cls, c, pending)
                pending = []
            except _Err as e:
                self.err(e)
                pending = []
                if strip_comment(raw).rstrip().endswith("{"):
                    # Keep checking the body of a method whose header is broken.
                    st = self._recover_method(raw)
        if st is not None:
            self.lineno, self.line = n, lines[-1] if lines else ""
            self.err(_Err(f"method `{st.meth.name}` is not closed with `}}`", 1))
            self._end_method(st)
        if not closed:
            self.lineno = n
            self.line = lines[-1] if lines else ""
            self.err(_Err("the class is not closed with `}`", 1))
        return n

    def _member(self, cls: m.ClassDef, c: Cur, pending: list[m.Attribute]) -> _MethodState | None:
        line = self.lineno
        # A method has `(` before any `=` (a field's constant may be `NaNf(0x...)`).
        is_method = False
        for t in c.toks:
            if t.kind == PUNCT and t.text in "(=":
                is_method = t.text == "("
                break
        if not is_method:
            flags = self.flags(c, "field")
            desc = self.field_type(c, "the field type")
            name = self.name_tok(c, "the field name")
            attrs = list(pending)
            if c.accept("="):
                ct = c.peek()
                v: m.Loadable
                if ct is not None and ct.kind == WORD and ct.text in ("true", "false"):
                    c.i += 1
                    v = m.Int(1 if ct.text == "true" else 0)
                else:
                    v = self.const(c)
                    if type(v) not in (m.Int, m.Long, m.Float, m.Double, m.Str):
                        raise _Err("a field's constant value is a number or a string", ct.col if ct else 0)
                want = {"I": m.Int, "Z": m.Int, "B": m.Int, "C": m.Int, "S": m.Int, "J": m.Long,
                        "F": m.Float, "D": m.Double, "Ljava/lang/String;": m.Str}.get(desc)
                if want is not None and type(v) is not want and ct is not None:
                    raise _Err(f"constant `{ct.text}` does not fit a field of type {self.names.desc_text(desc)}", ct.col, len(ct.text))
                attrs.append(m.Attribute("ConstantValue", v))
            c.end()
            cls.fields.append(m.FieldDef(flags, name, desc, _merge_annotation_attrs(attrs), line))
            return None
        flags = self.flags(c, "method")
        # [return type] name ( params ) [throws ...] [{]
        t0 = c.peek()
        ret: str
        p1 = c.peek(1)
        if t0 is not None and p1 is not None and p1.text == "(":
            name = self.name_tok(c, "the method name")
            if name not in ("<init>", "<clinit>"):
                raise _Err(f"method `{name}` needs a return type", t0.col, len(t0.text))
            ret = "V"
        else:
            rn, rd, rc = self.type_(c, "the return type")
            ret = self.desc(rn, rd, rc)
            name = self.name_tok(c, "the method name")
        c.expect("(")
        pdescs: list[str] = []
        pnames: list[str | None] = []
        if not c.accept(")"):
            while True:
                pdescs.append(self.field_type(c, "a parameter type"))
                p = c.peek()
                if p is not None and p.kind in (WORD, STR) and p.text not in (",", ")"):
                    pnames.append(self.name_tok(c, "a parameter name"))
                else:
                    pnames.append(None)
                if c.accept(")"):
                    break
                c.expect(",")
        desc = "(" + "".join(pdescs) + ")" + ret
        attrs = list(pending)
        if c.accept("throws"):
            if c.accept("none"):
                attrs.append(m.Attribute("Exceptions", ()))
            else:
                attrs.append(m.Attribute("Exceptions", tuple(self.class_list(c))))
        has_body = c.accept("{")
        c.accept(";")
        c.end()
        meth = m.MethodDef(flags, name, desc, None, _merge_annotation_attrs(attrs), None, line)
        if any(pnames):
            meth.param_names = tuple(p or "" for p in pnames)
        cls.methods.append(meth)
        if not has_body:
            if not flags & (m.ACC_ABSTRACT | m.ACC_NATIVE):
                raise _Err(f"method `{name}` has no body: add `{{ ... }}`, or make it abstract or native", c.end_col)
            return None
        return _MethodState(meth, bool(flags & m.ACC_STATIC), pdescs, pnames)

    def _recover_method(self, raw: str) -> _MethodState:
        """A stand-in method for a body whose header did not parse: names from `(...)` words."""
        mt = re.search(r"\(([^)]*)\)", raw)
        names: list[str | None] = []
        for part in (mt.group(1).split(",") if mt and mt.group(1).strip() else []):
            words = part.split()
            names.append(words[-1] if len(words) >= 2 else None)
        static = re.search(r"\bstatic\b", raw.split("(")[0]) is not None
        meth = m.MethodDef(0, "<broken>", "()V", None, [], None, self.lineno)
        return _MethodState(meth, static, ["I"] * len(names), names)

    # ---------------------------------------------------------------- code

    def _code_line(self, st: _MethodState, s: str, raw: str) -> None:
        """One line of a method body: a directive, or an optional label and any number of instructions."""
        if st.switch is not None:
            self._switch_line(st, s, raw)
            return
        if s[0] == ".":
            mt = _LINE.match(s)
            if mt is not None and int(mt.group(1)) <= 0xFFFF:
                st.code.elements.append(m.LineNumber(int(mt.group(1))))
                return
        elif _WORD_LINE.match(s) and self._fast_words(st, s.split()):
            return
        toks = tokenize(strip_comment(raw))
        if not toks:
            return
        c = Cur(toks, len(raw.rstrip()) + 1)
        head = toks[0]
        if head.kind == WORD and len(toks) >= 2 and toks[1].text == ":" and toks[1].kind == PUNCT:
            name = head.text
            if name in st.label_defined:
                raise _Err(f"label `{name}` is already defined on line {st.label_defined[name]}", head.col, len(name))
            self._define_label(st, name)
            c.i = 2
            head = c.peek()  # type: ignore[assignment]
            if head is None:
                return
        if head.kind == WORD and head.text.startswith(".") and len(head.text) > 1:
            c.i += 1
            self._code_directive(st, head, c)
            return
        self._insns(st, c)

    def _define_label(self, st: _MethodState, name: str) -> None:
        st.label_defined[name] = self.lineno
        lab = st.labels.get(name)
        if lab is None:
            lab = st.labels[name] = m.Label(name)
        st.code.elements.append(lab)

    def _insns(self, st: _MethodState, c: Cur) -> None:
        """The instructions at the cursor, to the end of the line.

        A word is an instruction (with its operands after it), a pseudo-instruction
        (`push`, `load`, `store`, and the prefixes `wide`/`exact`), a local's name (a
        load) or a literal (a push), in that order of precedence.
        """
        els = st.code.elements
        line = self.lineno
        prev = None
        while not c.at_end():
            t = c.next("an instruction")
            if t.kind == WORD:
                w = t.text
                fam = ops.FAMILY.get(w)
                if fam is not None:
                    self._insn(st, w, fam, t, c, None)
                    prev = w if fam == ops.NONE else None
                    continue
                if w in _PSEUDO:
                    if w == "push":
                        els.extend(_push(self.const(c), line))
                    elif w in ("load", "store"):
                        nt = c.word("a local variable name")
                        els.append(self._named_local(st, w, nt))
                    else:
                        nt = c.word("an instruction")
                        fam = ops.FAMILY.get(nt.text)
                        if fam is None or (nt.text not in _LOCAL_BASES and nt.text != "iinc"
                                           and not (w == "exact" and nt.text == "return")):
                            raise _Err(f"`{w}` goes with a local-variable instruction or iinc"
                                       f"{' (or `return`)' if w == 'exact' else ''}, not `{nt.text}`", nt.col, len(nt.text))
                        self._insn(st, nt.text, fam, nt, c, w)
                    continue
                if w in st.locals and w not in st.ambiguous:
                    els.append(self._named_local(st, "load", t))
                    continue
                if w[0] in "0123456789-+":
                    c.i -= 1
                    els.extend(_push(self.const(c), line))
                    continue
                if w[0] == ".":
                    raise _Err(f"a directive goes on a line of its own: `{w}`", t.col, len(w))
                if c.peek() is not None and c.peek().text == ":":  # type: ignore[union-attr]
                    raise _Err(f"a label goes at the start of a line: `{w}:`", t.col, len(w))
                notes = _suggest(w, (*ops.MNEMONICS, *_PSEUDO, *st.locals))
                if prev is not None:
                    notes = (f"`{prev}` takes no operand; a word after it is the next instruction",)
                if w in st.ambiguous:
                    raise _Err(f"local name `{w}` stands for several slots: use the slot number", t.col, len(w))
                raise _Err(f"unknown instruction or local `{w}`", t.col, len(w), notes)
            if t.kind in (STR, CHR):
                c.i -= 1
                els.extend(_push(self.const(c), line))
                continue
            raise _Err(f"expected an instruction, found `{t.text}`", t.col, len(t.text))

    def _named_local(self, st: _MethodState, what: str, t: Tok) -> m.Insn:
        """`load NAME` / `store NAME` (and a bare name): the typed instruction for the local's type."""
        name = t.text
        if name[0] in "0123456789":
            raise _Err(f"`{what}` takes a local's name, not a slot: write the typed instruction such as "
                       f"`i{what} {name}`", t.col, len(name))
        slot = self._local(st, name, t.col)  # an unknown or ambiguous name: its error
        kind = st.kinds.get(name, "?")  # every way of naming a local gives it a kind
        if kind == "?":
            raise _Err(f"local `{name}` is declared with several types: write the typed instruction "
                       f"(`i{what}`, `a{what}`, ...)", t.col, len(name))
        exact = ops.canonical_local_op(kind + what, slot)
        return m.Insn(exact, () if exact in ops.COMPACT else (slot,), self.lineno)

    def _insn(self, st: _MethodState, op: str, fam: str, head: Tok, c: Cur, prefix: str | None) -> None:
        """One instruction and its operands at the cursor."""
        line = self.lineno
        els = st.code.elements
        if fam == ops.NONE:
            if op == "return" and prefix is None and st.ret_op is not None:
                op = st.ret_op
            els.append(m.Insn(op, (), line))
            return
        if fam == ops.LOCAL:
            if op[-2:] == "_w":  # iload_w: the JDK's name of `wide iload`
                op, prefix = op[:-2], "wide"
            t = c.word("a local variable")
            name = t.text
            if (prefix is None and op in _DECLARING and name not in st.locals and _CODE_NAME.match(name)
                    and name not in ops.FAMILY and name not in _PSEUDO):
                # A typed store to a new name declares it, at the next free slot.
                st.locals[name] = st.next_slot
                st.kinds[name] = op[0]
                st.next_slot += 2 if op[0] in "ld" else 1
            slot = self._local(st, name, t.col)
            if prefix == "wide":
                exact = op + "_w"
            elif prefix == "exact":
                exact = op
                if slot > 255:
                    raise _Err(f"slot {slot} needs `wide {op}`", t.col, len(t.text))
            elif op == "ret":
                exact = "ret_w" if slot > 255 else "ret"
            else:
                exact = ops.canonical_local_op(op, slot)
            els.append(m.Insn(exact, () if exact in ops.COMPACT else (slot,), line))
            return
        if fam == ops.BRANCH:
            t = c.word("a label")
            els.append(m.Insn(op, (st.label(t.text, line, t.col),), line))
            return
        if fam == ops.IINC:
            t = c.word("a local variable")
            slot = self._local(st, t.text, t.col)
            dt = c.word("the increment")
            try:
                delta = int(dt.text, 0)
            except ValueError:
                raise _Err(f"iinc needs an integer increment, found `{dt.text}`", dt.col, len(dt.text)) from None
            if not -32768 <= delta <= 32767:
                raise _Err(f"iinc increment {delta} is out of range (-32768 to 32767)", dt.col, len(dt.text))
            if prefix == "wide":
                opx = "iinc_w"
            elif prefix == "exact":
                opx = "iinc"
                if slot > 255 or not -128 <= delta <= 127:
                    raise _Err("operands too large for the short iinc: use `wide iinc`", t.col)
            else:
                opx = ops.canonical_iinc(slot, delta)
            els.append(m.Insn(opx, (slot, delta), line))
            return
        if fam == ops.PUSH:
            t = c.word("an integer")
            try:
                v = int(t.text, 0)
            except ValueError:
                raise _Err(f"{op} needs an integer, found `{t.text}`", t.col, len(t.text)) from None
            lo, hi = (-128, 127) if op == "bipush" else (-32768, 32767)
            if not lo <= v <= hi:
                raise _Err(f"{op} value {v} is out of range ({lo} to {hi})", t.col, len(t.text),
                           ("use sipush or ldc, or `push` to let jbgen choose",))
            els.append(m.Insn(op, (v,), line))
            return
        if fam == ops.NEWARRAY:
            t = c.word("a primitive type")
            if t.text not in _NEWARRAY_TYPES:
                raise _Err(f"newarray takes a primitive type, found `{t.text}`", t.col, len(t.text),
                           _suggest(t.text, _NEWARRAY_TYPES) or ("use anewarray for arrays of objects",))
            els.append(m.Insn(op, (t.text,), line))
            return
        if fam == ops.CLASS:
            els.append(m.Insn(op, (self.class_entry(c),), line))
            return
        if fam == ops.FIELD or fam == ops.METHOD:
            itf = c.accept("interface") or op == "invokeinterface"
            kind = "field" if fam == ops.FIELD else "imethod" if itf else "method"
            els.append(m.Insn(op, (self.member_ref(c, kind),), line))
            return
        if fam == ops.LDC:
            k = self.const(c)
            wide = type(k) in (m.Long, m.Double) or (type(k) is m.DynamicConst and k.descriptor in ("J", "D"))  # type: ignore[union-attr]
            if op == "ldc2_w" and not wide:
                raise _Err("ldc2_w loads a long or double; use ldc", head.col, len(op))
            els.append(m.Insn("ldc2_w" if wide else op, (k,), line))
            return
        if fam == ops.MULTIANEWARRAY:
            name, dims, col = self.type_(c, "an array type")
            d = self.desc(name, dims, col) if dims else ""
            if dims == 0:
                raise _Err("multianewarray takes an array type such as `int[][]`", col)
            n = self._int(c, "the number of dimensions", 1, 255)
            if n > dims:
                raise _Err(f"{n} dimensions for a {dims}-dimensional array type", col)
            els.append(m.Insn(op, (d, n), line))
            return
        if fam == ops.INDY:
            name = self.name_tok(c, "the call site name")
            desc = self.method_desc(c)
            nxt = c.peek()
            if name == "concat" and nxt is not None and nxt.kind == STR:
                # invokedynamic concat(String,int)String "recipe \1" [, constants...]
                bargs: list[m.Loadable] = [m.Str(_unq(nxt))]
                c.i += 1
                while c.accept(","):
                    bargs.append(self.const(c))
                bsm = m.Bootstrap(m.MethodHandleConst(6, ops.CONCAT_BSM), tuple(bargs))  # type: ignore[arg-type]
                cs = m.CallSite(bsm, "makeConcatWithConstants", desc)
            elif c.accept("lambda"):
                # invokedynamic apply()Function lambda <impl handle> <sam type> <instantiated type>
                impl = self.handle(c)
                sam = m.MethodTypeConst(self.method_desc(c))
                inst = m.MethodTypeConst(self.method_desc(c))
                bsm = m.Bootstrap(m.MethodHandleConst(6, ops.LAMBDA_BSM), (sam, impl, inst))  # type: ignore[arg-type]
                cs = m.CallSite(bsm, name, desc)
            else:
                cs = m.CallSite(self.bootstrap(c), name, desc)
            els.append(m.Insn(op, (cs,), line))
            return
        # tableswitch / lookupswitch: the cases follow, one per line, up to `}`.
        c.expect("{")
        c.end()
        st.switch = (op, [], line)

    def _fast_words(self, st: _MethodState, words: list[str]) -> bool:
        """The common code line, split at spaces, without the tokenizer; False: "use the general path".

        It reads an optional label and the instructions whose operands are plain
        words (a member reference is one word: ``Owner.name(int,String)void``);
        anything else, including every error, makes it give up before changing
        the method (it may have made the labels it refers to), and the general
        path (``_insns``) reads the line again and reports with columns.
        ``tests/asm/test_lines.py`` checks that both paths agree on java.base,
        ``tests/asm/test_lines_fuzz.py`` on random lines.
        """
        line = self.lineno
        fam_of = ops.FAMILY
        loc = st.locals
        new: list[m.Insn] = []
        add = new.append
        i = 0
        n = len(words)
        label = None
        w = words[0]
        if w[-1] == ":":
            label = w[:-1]
            if not _IDENT.match(label) or label in st.label_defined:
                return False
            i = 1
        try:
            while i < n:
                w = words[i]
                i += 1
                f = fam_of.get(w)
                if f is ops.NONE:
                    if w == "return" and st.ret_op is not None:
                        w = st.ret_op
                    add(m.Insn(w, (), line))
                    continue
                if f is None:
                    if w in _PSEUDO and (w != "store" or i >= n):
                        return False
                    if w == "store":
                        w = words[i]
                        i += 1
                        what = "store"
                    else:
                        what = "load"
                    if w in loc:
                        add(self._named_local(st, what, Tok(WORD, w, 0)))  # its _Err: the general path
                        continue
                    if what == "load" and _DECIMAL.match(w):
                        v = int(w)
                        if not -0x80000000 <= v <= 0x7FFFFFFF:
                            return False
                        new += _push(m.Int(v), line)
                        continue
                    return False
                if i >= n:
                    return False
                x = words[i]
                i += 1
                if f is ops.LOCAL:
                    if w[-2:] == "_w" or x not in loc and x[0] not in "0123456789":
                        return False  # iload_w, or a new name (which a typed store declares)
                    slot = self._local(st, x, 0)
                    op = ops.canonical_local_op(w, slot) if w != "ret" else ("ret_w" if slot > 255 else "ret")
                    add(m.Insn(op, () if op in ops.COMPACT else (slot,), line))
                elif f is ops.BRANCH:
                    if not _IDENT.match(x):
                        return False
                    add(m.Insn(w, (st.label(x, line, 0),), line))
                elif f is ops.METHOD or f is ops.FIELD:
                    itf = w == "invokeinterface"
                    if x == "interface" and i < n:
                        x = words[i]
                        i += 1
                        itf = True
                    kind = "field" if f is ops.FIELD else "imethod" if itf else "method"
                    if f is ops.FIELD and itf:
                        return False
                    add(m.Insn(w, (self._fast_member(x, kind),), line))
                elif f is ops.CLASS:
                    add(m.Insn(w, (self._fast_class_entry(x),), line))
                elif f is ops.IINC and i < n:
                    if x not in loc and x[0] not in "0123456789":
                        return False
                    slot = self._local(st, x, 0)
                    delta = int(words[i], 0)
                    i += 1
                    if not -32768 <= delta <= 32767:
                        return False
                    add(m.Insn(ops.canonical_iinc(slot, delta), (slot, delta), line))
                elif f is ops.PUSH:
                    v = int(x, 0)
                    if not (-128 <= v <= 127 if w == "bipush" else -32768 <= v <= 32767):
                        return False
                    add(m.Insn(w, (v,), line))
                else:
                    return False
        except (_Err, ValueError):
            return False
        if label is not None:
            self._define_label(st, label)
        st.code.elements += new
        return True

    def _fast_member(self, text: str, kind: str) -> m.MemberRef:
        """A member reference written as one word (``Owner.name(int,String)void``, ``Owner.f:int``), cached."""
        key = (text, kind)
        ref = self._member_cache.get(key)
        if ref is not None:
            return ref
        mt = _MEMBER_WORD.match(text)
        if mt is None:
            raise _Err("not a word line")
        owner = self._fast_owner(mt.group(1))
        if mt.group(3) is not None:
            if kind != "field":
                raise _Err("not a word line")
            ref = m.MemberRef("field", owner, mt.group(2), self._fast_desc(mt.group(3)))
        else:
            if kind == "field":
                raise _Err("not a word line")
            params = mt.group(4)
            pd = "".join(self._fast_desc(p) for p in params.split(",")) if params else ""
            ref = m.MemberRef(kind, owner, mt.group(2), "(" + pd + ")" + self._fast_desc(mt.group(5), True))
        self._member_cache[key] = ref
        return ref

    def _fast_desc(self, text: str, ret: bool = False) -> str:
        """A type text (``String``, ``int[][]``) -> descriptor, cached; raises _Err."""
        d = self._desc_cache.get(text)
        if d is None:
            t = text.strip()
            dims = 0
            while t.endswith("[]"):
                t = t[:-2]
                dims += 1
            if not t or not _FAST_NAME.match(t):
                raise _Err("slow path")
            d = self.desc(t, dims, 0)
            self._desc_cache[text] = d
        if d == "V" and not ret:
            raise _Err("slow path")
        return d

    def _fast_owner(self, text: str) -> str:
        if text.endswith("]"):
            return self._fast_desc(text)
        return self._fast_class_entry(text)

    def _fast_class_entry(self, text: str) -> str:
        e = self._class_cache.get(text)
        if e is None:
            if text.endswith("]"):
                e = self._fast_desc(text)
            else:
                if not _FAST_NAME.match(text) or text in PRIMITIVES:
                    raise _Err("slow path")
                e = self._internal(text, 0)
            self._class_cache[text] = e
        return e

    def _switch_line(self, st: _MethodState, s: str, raw: str) -> None:
        toks = tokenize(strip_comment(raw))
        if not toks:
            return
        c = Cur(toks, len(raw.rstrip()) + 1)
        op, cases, line = st.switch  # type: ignore[misc]
        if toks[0].text == "}":
            st.switch = None  # closed, even if what follows is an error
            c.i = 1
            c.end()
            if st.switch_default is None:
                raise _Err(f"{op} has no `default:` case", toks[0].col)
            ins_line = line
            if op == "tableswitch":
                if not cases:
                    raise _Err("tableswitch needs at least one case", toks[0].col)
                keys = [k for k, _, _ in cases]
                low = keys[0]
                for j, (k, _, case_line) in enumerate(cases):
                    if k != low + j:
                        raise _Err(
                            f"tableswitch keys must be consecutive: the case on line {case_line} is {k}, expected {low + j}",
                            toks[0].col,
                            1,
                            ("use lookupswitch for sparse keys",),
                        )
                args: tuple = (low, keys[-1], st.switch_default, tuple(lab for _, lab, _ in cases))
            else:
                keys = [k for k, _, _ in cases]
                if len(set(keys)) != len(keys):
                    raise _Err("lookupswitch has a duplicate key", toks[0].col)
                pairs = sorted(((k, lab) for k, lab, _ in cases), key=lambda p: p[0])
                args = (st.switch_default, tuple(pairs))
            st.code.elements.append(m.Insn(op, args, ins_line))
            st.switch = None
            st.switch_default = None
            return
        kt = c.next("a case `KEY: LABEL` or `default: LABEL`")
        c.expect(":")
        lt = c.word("a label")
        c.end()
        lab = st.label(lt.text, self.lineno, lt.col)
        if kt.text == "default":
            if st.switch_default is not None:
                raise _Err("a second `default:` case", kt.col)
            st.switch_default = lab
            return
        try:
            key = int(kt.text, 0) if kt.kind == WORD else self._char(kt) if kt.kind == CHR else None
        except ValueError:
            key = None
        if key is None or not -(1 << 31) <= key < (1 << 31):
            raise _Err(f"a switch key is an int, found `{kt.text}`", kt.col)
        cases.append((key, lab, self.lineno))

    def _code_directive(self, st: _MethodState, head: Tok, c: Cur) -> None:
        d = head.text
        code = st.code
        if d == ".line":
            t = c.word("a line number")
            try:
                n = int(t.text, 0)
            except ValueError:
                raise _Err(f"expected a line number, found `{t.text}`", t.col) from None
            if not 0 <= n <= 0xFFFF:
                raise _Err("a line number is 0 to 65535", t.col)
            c.end()
            code.elements.append(m.LineNumber(n))
        elif d in (".var", ".vartype"):
            name = self.name_tok(c, "the variable name")
            if d == ".var":
                desc = self.field_type(c, "the variable type")
            else:
                t = c.next("the quoted generic signature")
                if t.kind != STR:
                    raise _Err("`.vartype` takes a quoted signature", t.col)
                desc = _unq(t)
            c.expect("slot")
            slot = self._int(c, "the slot number", 0, 0xFFFF)
            c.expect("from")
            t1 = c.word("the start label")
            c.expect("to")
            t2 = c.word("the end label")
            c.end()
            code.locals.append(m.LocalVar(slot, name, desc, st.label(t1.text, self.lineno, t1.col),
                                          st.label(t2.text, self.lineno, t2.col), d == ".vartype"))
            if d == ".var":
                st.bind(name, slot, desc)
        elif d == ".local":
            desc = self.field_type(c, "the local's type")
            col = c.col()
            name = self.name_tok(c, "the local's name")
            if not _CODE_NAME.match(name):
                raise _Err(f"`{name}` cannot name a local: code would not read it as a name", col,
                           len(c.toks[c.i - 1].text), ("a local's name is a word such as `count`",))
            if c.accept("slot"):
                slot = self._int(c, "the slot number", 0, 0xFFFF)
            else:
                slot = st.next_slot
            if name in st.locals:
                raise _Err(f"local `{name}` is already declared", head.col)
            c.end()
            st.locals[name] = slot
            st.kinds[name] = _KIND_OF[desc[0]]
            st.next_slot = max(st.next_slot, slot + (2 if desc in ("J", "D") else 1))
        elif d == ".catch":
            if c.accept("any"):
                ctype = None
            else:
                ctype = self.class_entry(c, "the exception class or `any`")
            c.expect("from")
            t1 = c.word("the start label")
            c.expect("to")
            t2 = c.word("the end label")
            c.expect("using")
            t3 = c.word("the handler label")
            c.end()
            code.handlers.append(m.Handler(st.label(t1.text, self.lineno, t1.col), st.label(t2.text, self.lineno, t2.col),
                                           st.label(t3.text, self.lineno, t3.col), ctype, self.lineno))
        elif d in (".typeannotation", ".typeannotations", ".attribute"):
            self._attr_directive(d, c, head, code.attributes, "code", st)
        else:
            self._unknown_directive(head, "inside a method body")

    def _int(self, c: Cur, what: str, lo: int, hi: int) -> int:
        t = c.word(what)
        try:
            v = int(t.text, 0)
        except ValueError:
            raise _Err(f"expected {what}, found `{t.text}`", t.col, len(t.text)) from None
        if not lo <= v <= hi:
            raise _Err(f"{what} must be {lo} to {hi}, found {v}", t.col, len(t.text))
        return v

    def _local(self, st: _MethodState, text: str, col: int) -> int:
        if text[0] in "0123456789":
            try:
                v = int(text, 0)
            except ValueError:
                raise _Err(f"bad local variable `{text}`", col, len(text)) from None
            if v > 0xFFFF:
                raise _Err(f"local variable slot {v} is out of range (0 to 65535)", col, len(text))
            return v
        if text in st.ambiguous:
            raise _Err(f"local name `{text}` stands for several slots: use the slot number", col, len(text))
        slot = st.locals.get(text)
        if slot is None and (text in ops.FAMILY or text in _PSEUDO):
            # `iload iadd`: an operand forgotten before the next instruction of the line.
            raise _Err(f"expected a local variable, found the instruction `{text}`", col, len(text))
        if slot is None:
            raise _Err(f"unknown local variable `{text}`", col, len(text),
                       _suggest(text, st.locals)
                       or ("declare it with `.local TYPE NAME`, or by a typed store such as `istore NAME`",))
        return slot

    def _end_method(self, st: _MethodState) -> None:
        for name, (line, col) in st.label_uses.items():
            if name not in st.label_defined:
                if not col:  # recorded by the fast path, which does not track columns
                    text = self.lines[line - 1]
                    found = re.search(r"(?<![\w$])" + re.escape(name) + r"(?![\w$])", text.lstrip())
                    col = (len(text) - len(text.lstrip()) + found.start() + 1) if found else 1
                self.diags.append(error_at(f"label `{name}` is never defined", self.path, line, col,
                                           self.lines[line - 1], len(name), _suggest(name, st.label_defined)))
        code = st.code
        code.attributes = _merge_annotation_attrs(code.attributes)
        st.meth.code = code


def _add_default_constructor(cls: m.ClassDef) -> None:
    """A class written without a constructor gets Java's default one: ``super()``, public.

    ``.noconstructor`` above the header keeps a class without any (the
    disassembler prints it for the rare class file that has none).
    """
    if any(md.name == "<init>" for md in cls.methods) or cls.super_name is None:
        return
    code = m.Code(
        [
            m.Insn("aload_0", (), cls.line),
            m.Insn("invokespecial", (m.MemberRef("method", cls.super_name, "<init>", "()V"),), cls.line),
            m.Insn("return", (), cls.line),
        ]
    )
    cls.methods.insert(0, m.MethodDef(m.ACC_PUBLIC, "<init>", "()V", code, [], None, cls.line))


def _push(v: m.Loadable, line: int) -> list[m.Insn]:
    """The shortest instruction that pushes constant ``v`` (the `push` pseudo-instruction)."""
    t = type(v)
    if t is m.Int:
        x = v.value  # type: ignore[union-attr]
        if -1 <= x <= 5:
            return [m.Insn("iconst_m1" if x == -1 else f"iconst_{x}", (), line)]
        if -128 <= x <= 127:
            return [m.Insn("bipush", (x,), line)]
        if -32768 <= x <= 32767:
            return [m.Insn("sipush", (x,), line)]
        return [m.Insn("ldc", (v,), line)]
    if t is m.Long:
        x = v.value  # type: ignore[union-attr]
        return [m.Insn(f"lconst_{x}", (), line)] if x in (0, 1) else [m.Insn("ldc2_w", (v,), line)]
    if t is m.Float:
        b = v.bits  # type: ignore[union-attr]
        consts = {0x00000000: "fconst_0", 0x3F800000: "fconst_1", 0x40000000: "fconst_2"}
        return [m.Insn(consts[b], (), line)] if b in consts else [m.Insn("ldc", (v,), line)]
    if t is m.Double:
        b = v.bits  # type: ignore[union-attr]
        dconsts = {0: "dconst_0", 0x3FF0000000000000: "dconst_1"}
        return [m.Insn(dconsts[b], (), line)] if b in dconsts else [m.Insn("ldc2_w", (v,), line)]
    if t is m.DynamicConst and v.descriptor in ("J", "D"):  # type: ignore[union-attr]
        return [m.Insn("ldc2_w", (v,), line)]
    return [m.Insn("ldc", (v,), line)]


_ANN_NAMES = {False: "RuntimeVisibleAnnotations", True: "RuntimeInvisibleAnnotations"}


def _add_annotation(pending: list[m.Attribute], ann: m.Annotation, invisible: bool) -> None:
    _append_to(pending, _ANN_NAMES[invisible], ann)


def _append_to(pending: list[m.Attribute], name: str, item: object) -> None:
    """Append to the last attribute of that name in ``pending``, or start one."""
    for a in reversed(pending):
        if a.name == name:
            a.value.append(item)  # type: ignore[union-attr]
            return
    pending.append(m.Attribute(name, [item]))


def _merge_annotation_attrs(attrs: list[m.Attribute]) -> list[m.Attribute]:
    """Freeze list values into tuples, merging repeated attributes of one name into the first."""
    out: list[m.Attribute] = []
    seen: dict[str, m.Attribute] = {}
    for a in attrs:
        if isinstance(a.value, list):
            prev = seen.get(a.name)
            if prev is not None:
                prev.value = (*prev.value, *a.value)  # type: ignore[misc]
                continue
            a.value = tuple(a.value)
            seen[a.name] = a
        out.append(a)
    return out


def parse(text: str, path: str = "<input>") -> m.ClassDef:
    """Parse the one class of an assembly text; raise :class:`AssemblyError` with every diagnostic."""
    classes = Parser(text, path).parse_all()
    if len(classes) != 1:
        second = classes[1].line
        raise AssemblyError("several classes", [error_at(f"expected one class, found {len(classes)}", path, second or None)])
    return classes[0]


def parse_all(text: str, path: str = "<input>") -> list[m.ClassDef]:
    """Parse every class of an assembly text; raise :class:`AssemblyError` with every diagnostic."""
    from jbgen._gc import paused

    with paused():  # a jar's worth of classes stays alive until the end (see jbgen._gc)
        return Parser(text, path).parse_all()


def method_param_descs(desc: str) -> list[str]:
    return split_method_desc(desc)[0]
