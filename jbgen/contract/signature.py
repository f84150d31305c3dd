"""Java syntax in contracts: type names and method signatures -> descriptors.

``static long discount(long total, int years)`` becomes the name ``discount``,
the descriptor ``(JI)J``, the parameter names and the static flag.  Types are
written as in Java and as in the assembly text (``docs/assembly.md``):
primitives, ``String`` and the other public ``java.lang`` classes by their
simple name, any other class by its qualified name (``java.util.List``), or by
a simple name listed in the contract's ``imports``; arrays with ``[]``;
varargs ``int...`` as an array; type arguments (``List<String>``) are erased.
A nested class is written ``java.util.Map.Entry`` or ``java.util.Map$Entry``:
segments after the first capitalised one are nested classes.

Errors are :class:`SignatureError` with the offset of the bad token in the
text, so that the loader can point at it.

Must not import a JVM.
"""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass

from jbgen.asm.names import JAVA_LANG, PRIMITIVES, near_miss

__all__ = ["ParsedSignature", "SignatureError", "TypeNames", "parse_signature"]

# Java's reserved words: not allowed as names.
_KEYWORD_TEXT = """
    abstract assert boolean break byte case catch char class const continue default do double
    else enum extends final finally float for goto if implements import instanceof int interface
    long native new package private protected public return short static strictfp super switch
    synchronized this throw throws transient try void volatile true false null _
"""
JAVA_KEYWORDS = frozenset(_KEYWORD_TEXT.split())
# Names the contract's Python expressions give a meaning of their own.
RESERVED_PARAM_NAMES = frozenset(["result"])

_TOKEN = re.compile(r"\s*(?:(?P<ident>[^\W\d][\w$]*|\$[\w$]*)|(?P<dots>\.\.\.)|(?P<punct>[.,()<>\[\]?&@]))", re.U)


class SignatureError(ValueError):
    """A bad signature or type name; ``offset``/``length`` locate the token in the text."""

    def __init__(self, message: str, offset: int = 0, length: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.length = max(1, length)


@dataclass(frozen=True)
class ParsedSignature:
    """A method signature: name, descriptor, parameters (name, descriptor) and flags."""

    name: str
    static: bool
    return_desc: str
    params: tuple[tuple[str, str], ...]
    # Offsets in the text, for messages: of the name, and of each parameter's type.
    name_offset: int = 0
    param_offsets: tuple[int, ...] = ()

    @property
    def descriptor(self) -> str:
        return "(" + "".join(d for _, d in self.params) + ")" + self.return_desc


class TypeNames:
    """How simple class names resolve in one contract: its own class and its ``imports``."""

    def __init__(self, this_class: str = "", imports: dict[str, str] | None = None) -> None:
        self.this_class = this_class
        self.imports = dict(imports or {})

    def class_internal(self, name: str, offset: int = 0) -> str:
        """``String`` / ``java.util.List`` / ``java.util.Map.Entry`` -> internal name."""
        if "/" in name:
            raise SignatureError(f"write class names with dots, not slashes: `{name.replace('/', '.')}`", offset, len(name))
        if "." in name:
            segs = name.split(".")
            if any(not s for s in segs):
                raise SignatureError(f"malformed class name `{name}`", offset, len(name))
            # Packages are lower case by convention; after the first class name, a
            # dot separates nested classes (`java.util.Map.Entry` is `Map$Entry`).
            for k, seg in enumerate(segs):
                if seg[:1].isupper() and k < len(segs) - 1:
                    return "/".join(segs[: k + 1]) + "$" + "$".join(segs[k + 1 :])
            return "/".join(segs)
        if name in self.imports:
            return self.imports[name]
        simple = self.this_class.rsplit("/", 1)[-1]
        if self.this_class and name == simple:
            return self.this_class
        if name.split("$", 1)[0] in JAVA_LANG:
            return "java/lang/" + name
        hint = near_miss(name)
        if hint is not None:
            raise SignatureError(f"unknown type `{name}`; did you mean `{hint}`?", offset, len(name))
        raise SignatureError(
            f"unknown type `{name}`: write its qualified name (with the package) or list it in [class] `imports`",
            offset,
            len(name),
        )

    def type_desc(self, text: str, offset: int = 0) -> str:
        """A whole type as text (``int[]``, ``java.util.List<String>``) -> field descriptor."""
        p = _Parser(text, self)
        p.offset_base = offset
        desc, _ = p.type_()
        if p.tok is not None:
            raise SignatureError(f"unexpected `{p.tok[1]}` after the type", offset + p.tok[2], len(p.tok[1]))
        return desc


def parse_signature(text: str, names: TypeNames) -> ParsedSignature:
    """Parse ``[public] [static] ReturnType name(Type a, Type b)``; SignatureError if malformed."""
    p = _Parser(text, names)
    return p.signature()


class _Parser:
    def __init__(self, text: str, names: TypeNames) -> None:
        self.text = text
        self.names = names
        self.offset_base = 0
        self.toks: list[tuple[str, str, int]] = []  # (kind, text, offset)
        i = 0
        n = len(text)
        while i < n:
            m = _TOKEN.match(text, i)
            if m is None:
                j = i
                while j < n and text[j].isspace():
                    j += 1
                if j >= n:
                    break
                raise SignatureError(f"unexpected character `{text[j]}`", j)
            kind = m.lastgroup or ""
            self.toks.append((kind, m.group(kind), m.start(kind)))
            i = m.end()
        self.k = 0

    @property
    def tok(self) -> tuple[str, str, int] | None:
        return self.toks[self.k] if self.k < len(self.toks) else None

    def err_at_tok(self, message: str) -> SignatureError:
        t = self.tok
        if t is None:
            return SignatureError(message + ", found the end of the signature", self.offset_base + len(self.text.rstrip()))
        return SignatureError(f"{message}, found `{t[1]}`", self.offset_base + t[2], len(t[1]))

    def expect(self, text: str, what: str) -> int:
        t = self.tok
        if t is None or t[1] != text:
            raise self.err_at_tok(f"expected {what}")
        self.k += 1
        return t[2]

    def ident(self, what: str) -> tuple[str, int]:
        t = self.tok
        if t is None or t[0] != "ident":
            raise self.err_at_tok(f"expected {what}")
        self.k += 1
        return t[1], t[2]

    def signature(self) -> ParsedSignature:
        static = False
        seen: set[str] = set()
        while self.tok is not None and self.tok[0] == "ident" and self.tok[1] in JAVA_KEYWORDS - set(PRIMITIVES):
            word, off = self.tok[1], self.tok[2]
            if word in seen:
                raise SignatureError(f"repeated modifier `{word}`", off, len(word))
            seen.add(word)
            if word == "static":
                static = True
            elif word == "public":
                pass  # every generated method is public
            elif word in ("private", "protected", "abstract", "native", "synchronized", "final", "default", "strictfp"):
                raise SignatureError(
                    f"modifier `{word}` is not supported: generated methods are public, and `static` is the only modifier",
                    off,
                    len(word),
                )
            else:
                break
            self.k += 1
        if self.tok is not None and self.tok[1] == "<":
            raise SignatureError("generic methods are not supported: write the erased types", self.tok[2])
        ret, _ = self.type_(allow_void=True)
        name, name_off = self.ident("a method name")
        _check_name(name, name_off, "method")
        self.expect("(", "`(` after the method name")
        params: list[tuple[str, str]] = []
        offsets: list[int] = []
        seen_names: dict[str, int] = {}
        if self.tok is not None and self.tok[1] == ")":
            self.k += 1
        else:
            while True:
                t = self.tok
                if t is not None and t[1] == "final":
                    self.k += 1
                    t = self.tok
                type_off = t[2] if t is not None else len(self.text)
                desc, varargs = self.type_(allow_varargs=True)
                pname, poff = self.ident("a parameter name")
                _check_name(pname, poff, "parameter")
                if pname in seen_names:
                    raise SignatureError(f"parameter `{pname}` is declared twice", poff, len(pname))
                seen_names[pname] = poff
                params.append((pname, desc))
                offsets.append(type_off)
                t = self.tok
                if t is not None and t[1] == ",":
                    if varargs:
                        raise SignatureError("a varargs parameter must be the last", type_off)
                    self.k += 1
                    continue
                self.expect(")", "`,` or `)` after a parameter")
                break
        if self.tok is not None:
            t = self.tok
            if t[1] == "throws":
                raise SignatureError(
                    "`throws` clauses are not part of a contract signature: give expected exceptions in examples",
                    t[2],
                    len(t[1]),
                )
            raise SignatureError(f"unexpected `{t[1]}` after the parameter list", t[2], len(t[1]))
        return ParsedSignature(name, static, ret, tuple(params), name_off, tuple(offsets))

    def type_(self, allow_void: bool = False, allow_varargs: bool = False) -> tuple[str, bool]:
        """One type: (descriptor, whether it was varargs)."""
        t = self.tok
        if t is None or t[0] != "ident":
            raise self.err_at_tok("expected a type")
        start = t[2]
        name = t[1]
        self.k += 1
        if name in JAVA_KEYWORDS and name not in PRIMITIVES:
            raise SignatureError(f"expected a type, found the keyword `{name}`", self.offset_base + start, len(name))
        while self.tok is not None and self.tok[1] == "." and self.k + 1 < len(self.toks) and self.toks[self.k + 1][0] == "ident":
            name += "." + self.toks[self.k + 1][1]
            self.k += 2
        if self.tok is not None and self.tok[1] == "<":
            if name in PRIMITIVES:
                raise SignatureError(f"`{name}` takes no type arguments", self.offset_base + self.tok[2])
            self.skip_type_arguments()
        dims = 0
        varargs = False
        while self.tok is not None and self.tok[1] in ("[", "..."):
            if self.tok[1] == "...":
                if not allow_varargs:
                    raise SignatureError("varargs `...` only for the last parameter", self.offset_base + self.tok[2], 3)
                varargs = True
                dims += 1
                self.k += 1
                break
            self.k += 1
            self.expect("]", "`]`")
            dims += 1
        if name in PRIMITIVES:
            desc = PRIMITIVES[name]
            if desc == "V":
                if not allow_void or dims:
                    raise SignatureError("`void` is only a return type", self.offset_base + start, 4)
                return "V", False
            return "[" * dims + desc, varargs
        internal = self.names.class_internal(name, self.offset_base + start)
        return "[" * dims + "L" + internal + ";", varargs

    def skip_type_arguments(self) -> None:
        """Skip ``<...>`` (balanced): contracts use erased types."""
        depth = 0
        start = self.tok[2] if self.tok else 0
        while self.tok is not None:
            if self.tok[1] == "<":
                depth += 1
            elif self.tok[1] == ">":
                depth -= 1
                if depth == 0:
                    self.k += 1
                    return
            self.k += 1
        raise SignatureError("unclosed `<` in type arguments", self.offset_base + start)


def _check_name(name: str, offset: int, what: str) -> None:
    if name in JAVA_KEYWORDS:
        raise SignatureError(f"`{name}` is a Java keyword, not a {what} name", offset, len(name))
    if "$" in name and what == "parameter":
        raise SignatureError(f"parameter name `{name}` must be a Python identifier too (no `$`)", offset, len(name))
    if what == "parameter" and keyword.iskeyword(name):
        raise SignatureError(
            f"parameter name `{name}` is a Python keyword: properties could not name it; rename it", offset, len(name)
        )
    if what == "parameter" and name in RESERVED_PARAM_NAMES:
        raise SignatureError(f"parameter name `{name}` is reserved for the return value in properties", offset, len(name))
