"""TOML text -> :class:`~jbgen.contract.model.Contract`, with every problem located.

The loader reads the text with ``tomllib``, locates keys and values with
:mod:`jbgen.contract.locate`, then checks the data section by section,
collecting a :class:`~jbgen.errors.Diagnostic` for each problem and carrying
on where it can (a bad example does not hide a bad property).  If anything was
wrong it raises one :class:`~jbgen.errors.ContractError` holding every
diagnostic, sorted by position; otherwise it returns the frozen contract.

The format itself is specified in ``docs/contracts.md``.

Must not import a JVM: only a contract that implements a JDK interface starts
one, through :mod:`jbgen.contract.interfaces`.
"""

from __future__ import annotations

import difflib
import hashlib
import math
import re
import sys
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jbgen.contract import snippets
from jbgen.contract.interfaces import AbstractMethod, ClassPath, LookupError_, abstract_methods
from jbgen.contract.locate import TomlLocations, locate
from jbgen.contract.model import (
    AllowRule,
    Contract,
    Example,
    Expr,
    JType,
    MethodSpec,
    Oracle,
    Param,
    Policy,
    StatefulSpec,
)
from jbgen.contract.signature import (
    JAVA_KEYWORDS,
    ParsedSignature,
    SignatureError,
    TypeNames,
    parse_signature,
)
from jbgen.contract.values import CoerceError, coerce, describe_toml_value
from jbgen.errors import ContractError, Diagnostic, Location, UsageError

__all__ = ["SCHEMA_VERSION", "find_contracts", "load_contract", "load_contract_text"]

SCHEMA_VERSION = 1
DEFAULT_RELEASE = 25
MIN_RELEASE = 8

KeyPath = tuple[str | int, ...]

# The keys of each table, in the order the documentation gives them.
TOP_KEYS = ("schema", "class", "method", "stateful", "policy")
CLASS_KEYS = ("name", "description", "extends", "implements", "imports", "release")
METHOD_KEYS = ("name", "signature", "description", "examples", "ranges", "lengths", "assume", "properties", "oracle")
EXAMPLE_KEYS = ("args", "returns", "throws")
STATEFUL_KEYS = ("model", "model_class", "methods", "steps", "description")
POLICY_KEYS = ("allow", "heap_mb", "call_timeout_s", "contract_timeout_s", "max_examples")

_JAVA_IDENT = re.compile(r"[^\W\d][\w$]*|\$[\w$]*", re.U)
_GLOB_SEGMENT = re.compile(r"[\w$]*\*[\w$*]*", re.U)
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")
_TOML_END = re.compile(r"\s*\(at end of document\)\s*$")


# --------------------------------------------------------------------------- entry points


def find_contracts(paths: Sequence[str]) -> list[Path]:
    """The contract files named by ``paths``.

    A file is taken as given (whatever its suffix); a folder contributes every
    ``*.toml`` below it, sorted; ``-`` stands for stdin and is kept as
    ``Path("-")``.  A path that does not exist is a :class:`UsageError`.
    """
    out: list[Path] = []
    seen: set[Path] = set()
    for p in paths:
        if p == "-":
            found = [Path("-")]
        else:
            path = Path(p)
            if path.is_dir():
                found = sorted(f for f in path.rglob("*.toml") if f.is_file())
            elif path.exists():
                found = [path]
            else:
                raise UsageError(f"{p}: no such file or folder")
        for f in found:
            if f not in seen:
                seen.add(f)
                out.append(f)
    return out


def load_contract(path: str | Path, classpath: Sequence[str] = ()) -> Contract:
    """Load and check one contract file (``-`` reads stdin); raises ContractError listing every problem.

    ``classpath`` holds jars and folders in which the interfaces the contract
    implements are looked up (before the JDK).
    """
    p = str(path)
    shown = "<stdin>" if p == "-" else p
    try:
        data = sys.stdin.buffer.read() if p == "-" else Path(p).read_bytes()
    except FileNotFoundError:
        raise UsageError(f"{shown}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{shown}: is a folder") from None
    except OSError as exc:
        raise UsageError(f"{shown}: cannot read: {exc.strerror}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        src = data.splitlines()[line - 1].decode("utf-8", "replace") if data.splitlines() else None
        diag = Diagnostic(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x})", Location(shown, line, col), src)
        raise ContractError(f"{shown}: not UTF-8", [diag]) from None
    return _Loader(text, shown, classpath, hashlib.sha256(data).hexdigest()).load()


def load_contract_text(text: str, path: str = "<contract>", classpath: Sequence[str] = ()) -> Contract:
    """Load and check a contract from its text; ``path`` is only used in messages."""
    sha = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
    return _Loader(text, path, classpath, sha).load()


# --------------------------------------------------------------------------- helpers


def key_path_text(path: KeyPath) -> str:
    """``("method", 2, "examples", 0, "args")`` -> ``method[2].examples[0].args``."""
    out = ""
    for seg in path:
        if isinstance(seg, int):
            out += f"[{seg}]"
        else:
            text = seg if seg and re.fullmatch(r"[A-Za-z0-9_-]+", seg) else '"' + seg.replace('"', '\\"') + '"'
            out += ("." if out else "") + text
    return out


def _toml_type(value: object) -> str:
    """The TOML type of a value, with an article: ``a string``, ``an array`` ..."""
    return describe_toml_value(value).split(" `")[0]


def _suggest(word: str, candidates: Sequence[str]) -> str:
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    if not close:
        lowered = {c.lower(): c for c in candidates}
        if word.lower() in lowered:
            close = [lowered[word.lower()]]
        elif word.lower().rstrip("s") in lowered:
            close = [lowered[word.lower().rstrip("s")]]
    return f"; did you mean `{close[0]}`?" if close else ""


class _Abort(Exception):
    """Stop loading: the errors so far make the rest meaningless."""


class _Loader:
    def __init__(self, text: str, path: str, classpath: Sequence[str], sha: str) -> None:
        self.text = text
        self.path = path
        self.classpath = ClassPath(classpath)
        self.sha = sha
        self.diags: list[Diagnostic] = []
        self.locs: TomlLocations = TomlLocations(text)
        self.names = TypeNames()

    # ------------------------------------------------------------------ diagnostics

    def _diag(self, message: str, line: int, col: int, span: int = 1, notes: tuple[str, ...] = ()) -> None:
        src = self.locs.line_text(line)
        if src is not None:
            width = len(src.rstrip("\n").expandtabs(1))
            col = min(max(col, 1), width + 1)
            span = max(1, min(span, width - col + 1))
        self.diags.append(Diagnostic(message, Location(self.path, line, col), src, "error", span, notes))

    def err_value(self, path: KeyPath, message: str, notes: tuple[str, ...] = ()) -> None:
        """An error about the value at ``path``: ``method[0].examples: ...``."""
        span = self.locs.value(path)
        prefix = key_path_text(path)
        self._diag(f"{prefix}: {message}" if prefix else message, span.line, span.col, span.length, notes)

    def err_key(self, path: KeyPath, message: str, prefix: KeyPath | None = None) -> None:
        """An error about the key at ``path``, prefixed by the path of its table (or ``prefix``)."""
        span = self.locs.key(path)
        head = key_path_text(path[:-1] if prefix is None else prefix)
        self._diag(f"{head}: {message}" if head else message, span.line, span.col, span.length)

    def err_in_string(self, path: KeyPath, message: str, offset: int, length: int = 1, line_in: int = 1, col_in: int | None = None, indent: int = 0) -> None:
        """An error inside a string value: ``offset`` is 0-based in a one-line string,
        or (``line_in``, ``col_in``) 1-based in a multi-line one."""
        start = self.locs.strings.get(path)
        prefix = key_path_text(path)
        if start is None:
            span = self.locs.value(path)
            self._diag(f"{prefix}: {message}", span.line, span.col, span.length)
            return
        if col_in is None:
            col_in = offset + 1
        if line_in == 1:
            line, col = start.line, start.col + indent + col_in - 1
        else:
            line, col = start.line + line_in - 1, col_in + indent
        self._diag(f"{prefix}: {message}", line, col, length)

    def err_type(self, path: KeyPath, expected: str, value: object) -> None:
        self.err_value(path, f"expected {expected}, found {describe_toml_value(value)}")

    # ------------------------------------------------------------------ typed access

    def check_keys(self, table: dict[str, Any], known: Sequence[str], path: KeyPath) -> None:
        for key in table:
            if key not in known:
                hint = _suggest(key, known)
                self.err_key((*path, key), f"unknown key `{key}`{hint}")

    def get_str(self, table: dict[str, Any], key: str, path: KeyPath) -> str | None:
        if key not in table:
            return None
        v = table[key]
        if not isinstance(v, str):
            self.err_type((*path, key), "a string", v)
            return None
        return v

    def get_table(self, table: dict[str, Any], key: str, path: KeyPath) -> dict[str, Any] | None:
        if key not in table:
            return None
        v = table[key]
        if not isinstance(v, dict):
            self.err_type((*path, key), "a table", v)
            return None
        return v

    def get_str_list(self, table: dict[str, Any], key: str, path: KeyPath) -> list[tuple[int, str]]:
        """``[(index, string), ...]`` of an array of strings; errors for the rest."""
        if key not in table:
            return []
        v = table[key]
        if isinstance(v, str):
            self.err_value((*path, key), f"expected an array of strings, found a string (write `{key} = [...]`)")
            return []
        if not isinstance(v, list):
            self.err_type((*path, key), "an array of strings", v)
            return []
        out = []
        for i, item in enumerate(v):
            if isinstance(item, str):
                out.append((i, item))
            else:
                self.err_type((*path, key, i), "a string", item)
        return out

    def get_number(self, table: dict[str, Any], key: str, path: KeyPath, lo: float, hi: float, integer: bool, default: Any) -> Any:
        if key not in table:
            return default
        v = table[key]
        ok = isinstance(v, int) if integer else isinstance(v, (int, float))
        if not ok or isinstance(v, bool):
            self.err_type((*path, key), "an integer" if integer else "a number", v)
            return default
        if not (lo <= v <= hi) or (isinstance(v, float) and math.isnan(v)):
            self.err_value((*path, key), f"`{v}` is out of range ({lo:g} to {hi:g})")
            return default
        return v

    # ------------------------------------------------------------------ the document

    def load(self) -> Contract:
        try:
            data = self.parse_toml()
            contract = self.contract(data)
        except _Abort:
            contract = None
        finally:
            self.classpath.close()
        if self.diags or contract is None:
            self.diags.sort(key=lambda d: (d.location.line or 0, d.location.col or 0) if d.location else (0, 0))
            n = len(self.diags)
            raise ContractError(f"{self.path}: {n} error{'s' if n != 1 else ''} in the contract", self.diags)
        return contract

    def parse_toml(self) -> dict[str, Any]:
        try:
            data = tomllib.loads(self.text)
        except tomllib.TOMLDecodeError as exc:
            msg = str(exc)
            if msg.startswith(("Cannot overwrite a value", "Cannot declare")):
                # tomllib points past the value (often at the end of the document):
                # the scanner knows which key was defined twice.
                dups = locate(self.text).duplicates
                if dups:
                    path, second, first = dups[0]
                    self._diag(
                        f"TOML: `{key_path_text(path)}` is defined twice (first at line {first.line})",
                        second.line,
                        second.col,
                        second.length,
                    )
                    raise _Abort from None
            self.toml_error(msg)
            raise _Abort from None
        except RecursionError:
            self._diag("TOML syntax: values nested too deeply", 1, 1)
            raise _Abort from None
        try:
            self.locs = locate(self.text)
        except RecursionError:
            self.locs = TomlLocations(self.text)
        return data

    def toml_error(self, message: str) -> None:
        m = _TOML_POS.search(message)
        if m:
            line, col = int(m.group(1)), int(m.group(2))
            message = message[: m.start()]
        else:
            # tomllib says "at end of document": point just past the last character.
            message = _TOML_END.sub("", message)
            lines = self.text.splitlines() or [""]
            line = len(lines)
            while line > 1 and not lines[line - 1].strip():
                line -= 1
            col = len(lines[line - 1].rstrip()) + 1
        msg = message[:1].lower() + message[1:]
        self._diag(f"TOML syntax: {msg}", line, col)

    def contract(self, data: dict[str, Any]) -> Contract | None:
        self.check_keys(data, TOP_KEYS, ())
        self.schema(data)
        cls = data.get("class")
        if cls is None:
            self._diag("the contract has no [class] table: add `[class]` with `name = \"com.example.Name\"`", 1, 1)
            raise _Abort
        if not isinstance(cls, dict):
            self.err_type(("class",), "a table", cls)
            raise _Abort
        class_name, superclass, interfaces, major, description = self.class_table(cls)
        methods = self.methods(data, class_name, interfaces)
        stateful = self.stateful(data, methods)
        policy = self.policy(data)
        if self.diags or class_name is None:
            return None
        return Contract(
            path=self.path,
            source_sha256=self.sha,
            schema=SCHEMA_VERSION,
            class_name=class_name,
            superclass=superclass,
            interfaces=tuple(interfaces),
            major_version=major,
            description=description,
            methods=tuple(methods),
            stateful=stateful,
            policy=policy,
        )

    def schema(self, data: dict[str, Any]) -> None:
        if "schema" not in data:
            self._diag(f"the contract has no `schema = {SCHEMA_VERSION}` line (the format version, first in the file)", 1, 1)
            raise _Abort
        v = data["schema"]
        if not isinstance(v, int) or isinstance(v, bool):
            self.err_type(("schema",), "an integer", v)
            raise _Abort
        if v != SCHEMA_VERSION:
            self.err_value(("schema",), f"unsupported schema version {v} (this jbgen reads schema {SCHEMA_VERSION})")
            raise _Abort

    # ------------------------------------------------------------------ [class]

    def class_table(self, cls: dict[str, Any]) -> tuple[str | None, str, list[str], int, str]:
        path: KeyPath = ("class",)
        self.check_keys(cls, CLASS_KEYS, path)
        class_name: str | None = None
        name = self.get_str(cls, "name", path)
        if name is None and "name" not in cls:
            self.err_key(path, "[class] has no `name` (the binary name of the class to generate, `com.example.Clamp`)", ())
        elif name is not None:
            class_name = self.binary_name(name, (*path, "name"))
        imports: dict[str, str] = {}
        for i, imp in self.get_str_list(cls, "imports", path):
            if self.binary_name(imp, (*path, "imports", i), what="import") is None:
                continue
            if "." not in imp:
                self.err_value((*path, "imports", i), f"`{imp}` is not a qualified name (write `com.example.{imp}`)")
                continue
            # `java.util.Map.Entry` is the nested class Map$Entry, imported as `Entry`.
            internal = TypeNames().class_internal(imp)
            imports[internal.rsplit("/", 1)[1].rsplit("$", 1)[-1]] = internal
        self.names = TypeNames(class_name or "", imports)
        superclass = "java/lang/Object"
        ext = self.get_str(cls, "extends", path)
        if ext is not None:
            resolved = self.class_ref(ext, (*path, "extends"))
            if resolved is not None:
                superclass = resolved
        interfaces: list[str] = []
        impl = cls.get("implements")
        if isinstance(impl, str):
            impl = [impl]  # one interface may be written without brackets
            self.locs.values.setdefault((*path, "implements", 0), self.locs.value((*path, "implements")))
            start = self.locs.strings.get((*path, "implements"))
            if start is not None:
                self.locs.strings.setdefault((*path, "implements", 0), start)
        if impl is not None:
            if not isinstance(impl, list):
                self.err_type((*path, "implements"), "an array of interface names", impl)
            else:
                for i, item in enumerate(impl):
                    if not isinstance(item, str):
                        self.err_type((*path, "implements", i), "a string", item)
                        continue
                    resolved = self.class_ref(item, (*path, "implements", i))
                    if resolved is None:
                        continue
                    if resolved in interfaces:
                        self.err_value((*path, "implements", i), f"{item} is listed twice")
                        continue
                    interfaces.append(resolved)
        release = self.get_number(cls, "release", path, MIN_RELEASE, DEFAULT_RELEASE, True, DEFAULT_RELEASE)
        description = self.get_str(cls, "description", path) or ""
        return class_name, superclass, interfaces, release + 44, description

    def binary_name(self, name: str, path: KeyPath, what: str = "class name") -> str | None:
        """A binary class name (``com.example.Clamp``) -> internal name, or an error."""
        if "/" in name:
            self.err_value(path, f"write the {what} with dots: `{name.replace('/', '.')}`")
            return None
        segs = name.split(".")
        for seg in segs:
            if not _JAVA_IDENT.fullmatch(seg) or seg in JAVA_KEYWORDS:
                shown = f"`{seg}`" if seg else "an empty segment"
                self.err_value(path, f"`{name}` is not a valid Java {what}: {shown} is not a Java identifier")
                return None
        return "/".join(segs)

    def class_ref(self, text: str, path: KeyPath) -> str | None:
        """A class named as in Java source (simple java.lang names allowed) -> internal name."""
        try:
            desc = self.names.type_desc(text.strip())
        except SignatureError as exc:
            self.err_in_string(path, exc.message, exc.offset + (len(text) - len(text.lstrip())), exc.length)
            return None
        if not desc.startswith("L"):
            self.err_value(path, f"`{text}` is not a class")
            return None
        return desc[1:-1]

    # ------------------------------------------------------------------ [[method]]

    def methods(self, data: dict[str, Any], class_name: str | None, interfaces: list[str]) -> list[MethodSpec]:
        # What the interfaces require, deduplicated across interfaces.
        required: list[AbstractMethod] = []
        seen: set[tuple[str, str]] = set()
        for i, iface in enumerate(interfaces):
            try:
                found = abstract_methods(iface, self.classpath)
            except LookupError_ as exc:
                self.err_value(("class", "implements", i), str(exc))
                continue
            for am in found:
                if (am.name, am.descriptor) not in seen:
                    seen.add((am.name, am.descriptor))
                    required.append(am)
        tables = data.get("method", [])
        if isinstance(tables, dict):
            self.err_value(("method",), "expected an array of tables, found a table (write `[[method]]`, not `[method]`)")
            tables = []
        elif not isinstance(tables, list):
            self.err_type(("method",), "an array of tables ([[method]])", tables)
            tables = []
        # (table index, table, the abstract method it describes or None, parsed signature or None)
        described: dict[tuple[str, str], tuple[int, dict[str, Any], AbstractMethod | None, ParsedSignature | None]] = {}
        own: list[tuple[str, str]] = []
        for k, t in enumerate(tables):
            path: KeyPath = ("method", k)
            if not isinstance(t, dict):
                self.err_type(path, "a table", t)
                continue
            self.check_keys(t, METHOD_KEYS, path)
            match = self.match_method(t, path, required, described)
            if match is None:
                continue
            found_am, sig = match
            if found_am is not None:
                key = (found_am.name, found_am.descriptor)
            else:
                assert sig is not None
                key = (sig.name, sig.descriptor)
            if key in described:
                first = self.locs.key(("method", described[key][0])).line
                self.err_key(path, f"method `{key[0]}` with this signature is already described at line {first}", path)
                continue
            described[key] = (k, t, found_am, sig)
            if found_am is None:
                own.append(key)
        if not required and not own and not self.diags:
            self.err_key(("class",), "the contract names no method: add `implements` or a `[[method]]` with a `signature`", ())
        specs: list[MethodSpec] = []
        for am in required:
            entry = described.get((am.name, am.descriptor))
            specs.append(self.method_spec(am, entry))
        for key in own:
            entry = described[key]
            specs.append(self.method_spec(None, entry))
        return specs

    def match_method(
        self, t: dict[str, Any], path: KeyPath, required: list[AbstractMethod], described: dict[Any, Any]
    ) -> tuple[AbstractMethod | None, ParsedSignature | None] | None:
        """Which abstract method a [[method]] table describes, or its own signature."""
        name = self.get_str(t, "name", path)
        sig_text = self.get_str(t, "signature", path)
        if "name" in t and name is None or "signature" in t and sig_text is None:
            return None
        iface_names = sorted({am.name for am in required})
        if sig_text is None:
            if name is None:
                self.err_key(path, "a [[method]] needs a `signature` (`static int max(int a, int b)`) or the `name` of an interface method", path)
                return None
            cands = [am for am in required if am.name == name]
            if not cands:
                if required:
                    self.err_value((*path, "name"), f"no implemented interface has an abstract method `{name}`{_suggest(name, iface_names)}")
                else:
                    self.err_value((*path, "name"), f"no interface declares `{name}`: write its `signature` instead")
                return None
            if len(cands) > 1:
                shown = ", ".join(self.java_sig(am) for am in cands)
                self.err_value((*path, "name"), f"`{name}` is overloaded ({shown}): write the `signature` to choose one")
                return None
            return cands[0], None
        try:
            sig = parse_signature(sig_text, self.names)
        except SignatureError as exc:
            self.err_in_string((*path, "signature"), exc.message, exc.offset, exc.length)
            return None
        spath = (*path, "signature")
        if name is not None and name != sig.name:
            self.err_value((*path, "name"), f"`name` is `{name}` but the signature declares `{sig.name}`")
            return None
        cands = [am for am in required if am.name == sig.name]
        if not cands:
            uncovered = sorted({am.name for am in required if (am.name, am.descriptor) not in described})
            close = difflib.get_close_matches(sig.name, uncovered, n=1, cutoff=0.75)
            if close:
                self.err_in_string(
                    spath,
                    f"no implemented interface has a method `{sig.name}`; did you mean `{close[0]}`?",
                    sig.name_offset,
                    len(sig.name),
                )
                return None
            return None, sig
        for am in cands:
            if am.descriptor == sig.descriptor:
                if sig.static:
                    self.err_in_string(
                        spath,
                        f"`{sig.name}` implements {self.owner_text(am)} and cannot be static",
                        0,
                        len("static"),
                    )
                    return None
                return am, sig
        if len(cands) == 1:
            self.signature_mismatch(spath, sig, cands[0])
        else:
            shown = ", ".join(self.java_sig(am) for am in cands)
            self.err_in_string(spath, f"the signature matches no overload of `{sig.name}` in the interfaces: {shown}", sig.name_offset, len(sig.name))
        return None

    def owner_text(self, am: AbstractMethod) -> str:
        return f"{am.owner.replace('/', '.')}.{am.name}"

    def java_sig(self, am: AbstractMethod) -> str:
        params, ret = _split_desc(am.descriptor)
        return f"{JType(ret).java_name} {am.name}({', '.join(JType(p).java_name for p in params)})"

    def signature_mismatch(self, spath: KeyPath, sig: ParsedSignature, am: AbstractMethod) -> None:
        params, ret = _split_desc(am.descriptor)
        where = f"{self.java_sig(am)}` of `{am.owner.replace('/', '.')}"
        if len(params) != len(sig.params):
            self.err_in_string(
                spath,
                f"the signature does not match `{where}`: {len(sig.params)} parameter{'s' if len(sig.params) != 1 else ''}, expected {len(params)}",
                sig.name_offset,
                len(sig.name),
            )
            return
        for i, ((pname, pdesc), want) in enumerate(zip(sig.params, params, strict=True)):
            if pdesc != want:
                self.err_in_string(
                    spath,
                    f"the signature does not match `{where}`: parameter {i + 1} (`{pname}`) is {JType(pdesc).java_name}, expected {JType(want).java_name}",
                    sig.param_offsets[i],
                    len(JType(pdesc).java_name),
                )
                return
        self.err_in_string(
            spath,
            f"the signature does not match `{where}`: it returns {JType(sig.return_desc).java_name}, expected {JType(ret).java_name}",
            sig.name_offset,
            len(sig.name),
        )

    def method_spec(
        self, am: AbstractMethod | None, entry: tuple[int, dict[str, Any], AbstractMethod | None, ParsedSignature | None] | None
    ) -> MethodSpec:
        t: dict[str, Any] = {}
        path: KeyPath = ("class", "implements")
        sig = None
        if entry is not None:
            k, t, _, sig = entry
            path = ("method", k)
        if sig is not None:
            name, static, ret_desc = sig.name, sig.static, sig.return_desc
            param_list = list(sig.params)
        else:
            assert am is not None
            params, ret_desc = _split_desc(am.descriptor)
            name, static = am.name, False
            names = am.param_names if am.param_names and len(am.param_names) == len(params) else None
            if names is None or not all(_usable_param_name(n) for n in names) or len(set(names)) != len(names):
                names = tuple(f"arg{i}" for i in range(len(params)))
            param_list = list(zip(names, params, strict=True))
        pnames = [n for n, _ in param_list]
        ranges = self.param_bounds(t, "ranges", path, param_list)
        lengths = self.param_bounds(t, "lengths", path, param_list)
        params_t = tuple(
            Param(n, JType(d), ranges.get(n), lengths.get(n))
            for n, d in param_list
        )
        ret = JType(ret_desc)
        descriptor = "(" + "".join(d for _, d in param_list) + ")" + ret_desc
        spec_line = self.locs.key(path).line
        description = self.get_str(t, "description", path) or ""
        examples = self.examples(t, path, name, params_t, ret)
        assume = tuple(self.expressions(t, "assume", path, pnames, with_result=False))
        properties = tuple(self.expressions(t, "properties", path, pnames, with_result=True))
        oracle = self.oracle(t, path, name, pnames, ret)
        return MethodSpec(
            name=name,
            descriptor=descriptor,
            params=params_t,
            return_type=ret,
            static=static,
            description=description,
            examples=tuple(examples),
            properties=properties,
            assume=assume,
            oracle=oracle,
            from_interface=am.owner if am else None,
            line=spec_line,
        )

    def param_bounds(self, t: dict[str, Any], key: str, path: KeyPath, params: list[tuple[str, str]]) -> dict[str, tuple[Any, Any]]:
        """``ranges = { x = [-10, 10] }`` / ``lengths = { s = [0, 5] }`` -> {param: (lo, hi)}."""
        table = self.get_table(t, key, path)
        if table is None:
            return {}
        by_name = dict(params)
        out: dict[str, tuple[Any, Any]] = {}
        for pname, bounds in table.items():
            bpath = (*path, key, pname)
            if pname not in by_name:
                hint = _suggest(pname, list(by_name))
                self.err_key(bpath, f"`{pname}` is not a parameter{hint}" if hint else f"`{pname}` is not a parameter of this method")
                continue
            jt = JType(by_name[pname])
            if key == "ranges":
                target = jt.base if jt.is_array else jt
                if not target.is_numeric:
                    self.err_key(bpath, f"ranges bound numeric parameters; `{pname}` is {jt.java_name}" + (" (use `lengths`)" if jt.is_array or jt.is_string else ""))
                    continue
                elem = target.unboxed
            else:
                if not (jt.is_array or jt.is_string):
                    self.err_key(bpath, f"lengths bound Strings and arrays; `{pname}` is {jt.java_name}" + (" (use `ranges`)" if jt.is_numeric else ""))
                    continue
                elem = JType("I")
            if not isinstance(bounds, list) or len(bounds) != 2:
                what = f"an array of {len(bounds)} values" if isinstance(bounds, list) else describe_toml_value(bounds)
                self.err_value(bpath, f"expected [low, high], found {what}")
                continue
            vals = []
            for i, b in enumerate(bounds):
                try:
                    vals.append(coerce(b, elem))
                except CoerceError as exc:
                    self.err_value((*bpath, i), exc.message)
            if len(vals) != 2:
                continue
            lo, hi = vals
            if isinstance(lo, float) and math.isnan(lo) or isinstance(hi, float) and math.isnan(hi):
                self.err_value(bpath, "a bound cannot be NaN")
                continue
            if lo > hi:  # type: ignore[operator]
                self.err_value(bpath, f"the low bound {lo} is above the high bound {hi}")
                continue
            if key == "lengths" and lo < 0:  # type: ignore[operator]
                self.err_value((*bpath, 0), f"a length cannot be negative ({lo})")
                continue
            out[pname] = (lo, hi)
        return out

    def examples(self, t: dict[str, Any], path: KeyPath, name: str, params: tuple[Param, ...], ret: JType) -> list[Example]:
        if "examples" not in t:
            return []
        raw = t["examples"]
        epath = (*path, "examples")
        if not isinstance(raw, list):
            self.err_type(epath, "an array of tables (`examples = [{ args = [...], returns = ... }]`)", raw)
            return []
        out = []
        sig = ", ".join(f"{p.type.java_name} {p.name}" for p in params)
        for i, ex in enumerate(raw):
            xpath = (*epath, i)
            if not isinstance(ex, dict):
                self.err_type(xpath, "a table (`{ args = [...], returns = ... }`)", ex)
                continue
            self.check_keys(ex, EXAMPLE_KEYS, xpath)
            ok = True
            args: list[object] = []
            raw_args = ex.get("args", [] if not params else None)
            if raw_args is None:
                self.err_value(xpath, f"the example has no `args` ({name} takes {sig})")
                ok = False
            elif not isinstance(raw_args, list):
                self.err_type((*xpath, "args"), "an array", raw_args)
                ok = False
            elif len(raw_args) != len(params):
                n = len(raw_args)
                self.err_value(
                    (*xpath, "args"),
                    f"{n} argument{'s' if n != 1 else ''}, but {name} takes {len(params)} ({sig})",
                )
                ok = False
            else:
                for j, (a, p) in enumerate(zip(raw_args, params, strict=True)):
                    try:
                        args.append(coerce(a, p.type))
                    except CoerceError as exc:
                        self.err_value((*xpath, "args", j, *exc.path), f"{exc.message} (parameter `{p.name}`)")
                        ok = False
            returns: object = None
            has_returns = "returns" in ex
            throws: str | None = None
            if has_returns and "throws" in ex:
                self.err_key((*xpath, "throws"), "an example gives `returns` or `throws`, not both")
                ok = False
            elif has_returns:
                if ret.is_void:
                    self.err_key((*xpath, "returns"), f"`{name}` is void: an example of it gives no `returns`")
                    ok = False
                else:
                    try:
                        returns = coerce(ex["returns"], ret)
                    except CoerceError as exc:
                        self.err_value((*xpath, "returns", *exc.path), f"{exc.message} (the return type is {ret.java_name})")
                        ok = False
            elif "throws" in ex:
                tv = ex["throws"]
                if not isinstance(tv, str):
                    self.err_type((*xpath, "throws"), "an exception class name", tv)
                    ok = False
                else:
                    throws = self.class_ref(tv, (*xpath, "throws"))
                    ok = ok and throws is not None
            if ok:
                line = self.locs.value(xpath).line
                out.append(Example(tuple(args), returns, has_returns, throws, line, i))
        return out

    def expressions(self, t: dict[str, Any], key: str, path: KeyPath, pnames: list[str], with_result: bool) -> list[Expr]:
        out = []
        names = [*pnames, "result"] if with_result else pnames
        hints = None if with_result else {"result": "`result` is not known before the call: `assume` sees the arguments only (use `properties`)"}
        what = "the property" if with_result else "the precondition"
        for i, src in self.get_str_list(t, key, path):
            xpath = (*path, key, i)
            problems = snippets.check_expression(src, names, what, hints)
            for pr in problems:
                self.err_in_string(xpath, pr.message, 0, pr.length, pr.line, pr.col)
            if not problems:
                start = self.locs.strings.get(xpath)
                out.append(Expr(src, start.line if start else 0, start.col if start else 0))
        return out

    def oracle(self, t: dict[str, Any], path: KeyPath, name: str, pnames: list[str], ret: JType) -> Oracle | None:
        src = self.get_str(t, "oracle", path)
        if src is None:
            return None
        opath = (*path, "oracle")
        start = self.locs.strings.get(opath)
        line, col = (start.line, start.col) if start else (0, 0)
        if snippets.is_expression(src):
            problems = snippets.check_expression(src, pnames, "the oracle")
            for pr in problems:
                self.err_in_string(opath, pr.message, 0, pr.length, pr.line, pr.col)
            return None if problems else Oracle(src, None, line, col)
        code, indent = snippets.dedent(src)
        looks_like_code = re.search(r"^\s*(def|import|from|class|@)\b", code, re.M) is not None
        if not looks_like_code:
            problems = snippets.check_expression(src, pnames, "the oracle")
            for pr in problems:
                self.err_in_string(opath, pr.message, 0, pr.length, pr.line, pr.col)
            return None
        fn, problems = snippets.check_function(code, len(pnames), ("oracle", name), "the oracle")
        for pr in problems:
            self.err_in_string(opath, pr.message, 0, pr.length, pr.line, pr.col, indent=indent)
        return None if problems or fn is None else Oracle(code, fn, line, col)

    # ------------------------------------------------------------------ [stateful]

    def stateful(self, data: dict[str, Any], methods: list[MethodSpec]) -> StatefulSpec | None:
        st = self.get_table(data, "stateful", ())
        if st is None:
            return None
        path: KeyPath = ("stateful",)
        self.check_keys(st, STATEFUL_KEYS, path)
        src = self.get_str(st, "model", path)
        if src is None:
            if "model" not in st:
                self.err_key(path, "[stateful] has no `model` (the Python class whose methods mirror the Java instance methods)", ())
            return None
        model_class = self.get_str(st, "model_class", path)
        instance: dict[str, set[int]] = {}
        for m in methods:
            if not m.static:
                instance.setdefault(m.name, set()).add(len(m.params))
        code, indent = snippets.dedent(src)
        info, problems = snippets.check_model(code, model_class, instance)
        mpath = (*path, "model")
        for pr in problems:
            if pr.message.startswith("the model defines no class `") and model_class is not None:
                self.err_value((*path, "model_class"), pr.message)
            else:
                self.err_in_string(mpath, pr.message, 0, pr.length, pr.line, pr.col, indent=indent)
        if info is None:
            return None
        chosen: list[str] = []
        listed = self.get_str_list(st, "methods", path)
        if "methods" in st:
            for i, mname in listed:
                if mname not in instance:
                    self.err_value((*path, "methods", i), f"`{mname}` is not an instance method of the contract{_suggest(mname, sorted(instance))}")
                elif mname not in info.methods:
                    self.err_value((*path, "methods", i), f"the model class `{info.class_name}` does not define `{mname}`")
                elif mname not in chosen:
                    chosen.append(mname)
        else:
            chosen = [n for n in dict.fromkeys(m.name for m in methods if not m.static) if n in info.methods]
        if not chosen and not problems and not ("methods" in st and len(listed) != len(st.get("methods", []))):
            self.err_value(mpath, f"the model class `{info.class_name}` mirrors none of the contract's instance methods")
        steps = self.get_number(st, "steps", path, 1, 10_000, True, 50)
        description = self.get_str(st, "description", path) or ""
        start = self.locs.key(path)
        return StatefulSpec(code, info.class_name, tuple(chosen), steps, description, start.line)

    # ------------------------------------------------------------------ [policy]

    def policy(self, data: dict[str, Any]) -> Policy:
        pol = self.get_table(data, "policy", ())
        if pol is None:
            return Policy()
        path: KeyPath = ("policy",)
        self.check_keys(pol, POLICY_KEYS, path)
        rules = []
        for i, pattern in self.get_str_list(pol, "allow", path):
            rule = self.allow_rule(pattern, (*path, "allow", i))
            if rule is not None:
                rules.append(rule)
        d = Policy()
        return Policy(
            allow=tuple(rules),
            heap_mb=self.get_number(pol, "heap_mb", path, 16, 65536, True, d.heap_mb),
            call_timeout_s=float(self.get_number(pol, "call_timeout_s", path, 0.001, 3600, False, d.call_timeout_s)),
            contract_timeout_s=float(self.get_number(pol, "contract_timeout_s", path, 0.001, 86400, False, d.contract_timeout_s)),
            max_examples=self.get_number(pol, "max_examples", path, 1, 1_000_000, True, d.max_examples),
        )

    def allow_rule(self, pattern: str, path: KeyPath) -> AllowRule | None:
        """``java.util.*`` / ``java.util.**`` / ``java.util.HashMap`` / ``java.util.Random.nextInt(int)`` ..."""
        # The canonical spelling has no spaces, as the policy checker reads patterns.
        text = "".join(pattern.split())
        params: tuple[str, ...] | None = None
        if "(" in text:
            paren = text.index("(")
            if not text.endswith(")") or text.count("(") != 1:
                self.err_value(path, f"`{pattern}`: parameter types go in one pair of parentheses at the end: `java.lang.Math.max(int,int)`")
                return None
            inner = text[paren + 1 : -1]
            descs = []
            for part in inner.split(",") if inner else []:
                try:
                    descs.append(self.names.type_desc(part))
                except SignatureError as exc:
                    self.err_value(path, f"`{pattern}`: {exc.message}")
                    return None
            params = tuple(descs)
            name_text = text[:paren]
        else:
            name_text = text
        segs = name_text.split(".")
        if name_text in ("*", "**"):
            self.err_value(path, f"`{pattern}` would allow everything: name a package, a class or a member")
            return None
        for seg in segs:
            if not seg:
                self.err_value(path, f"`{pattern}` is not a valid pattern: it has an empty segment")
                return None
            ok = seg in ("*", "**", "<init>", "<clinit>") or (
                _GLOB_SEGMENT.fullmatch(seg) if "*" in seg else _JAVA_IDENT.fullmatch(seg) and seg not in JAVA_KEYWORDS
            )
            if not ok:
                self.err_value(path, f"`{pattern}` is not a valid pattern: `{seg}` is not a Java name, `*` or `**`")
                return None
        if params is not None and "*" in segs[-1]:
            self.err_value(path, f"`{pattern}`: parameter types follow a method name, not `{segs[-1]}`")
            return None
        wildcard = segs[-1] in ("*", "**")
        recursive = segs[-1] == "**"
        body = segs[:-1] if wildcard else segs
        cls_at = next((k for k, s in enumerate(body) if s[:1].isupper() and "*" not in s), None)
        # A wildcard anywhere but in the simple places: a general glob over binary names.
        before_class = body if cls_at is None else body[: cls_at + 1]
        if any("*" in s for s in before_class) or (cls_at is None and not wildcard):
            if cls_at is None and not any("*" in s for s in segs):
                self.err_value(
                    path,
                    f"`{pattern}` names no class (class names start with a capital letter); "
                    f"for a whole package write `{name_text}.*`",
                )
                return None
            return AllowRule(text, "glob", name_text, None, params)
        if cls_at is None:
            if params is not None:
                self.err_value(path, f"`{pattern}`: parameter types follow a method name")
                return None
            return AllowRule(text, "package", "/".join(body), recursive=recursive)
        if recursive:
            self.err_value(path, f"`{pattern}`: `**` follows a package, not a class")
            return None
        # After the class: nested classes (capitalised) then at most one member.
        k = cls_at + 1
        owner = "/".join(body[: cls_at + 1])
        while k < len(body) and body[k][:1].isupper() and "*" not in body[k]:
            owner += "$" + body[k]
            k += 1
        rest = body[k:]
        if wildcard and rest:
            self.err_value(path, f"`{pattern}`: `*` follows a package or a class, not the member `{rest[-1]}`")
            return None
        if len(rest) > 1:
            self.err_value(path, f"`{pattern}`: `{rest[1]}` follows the member `{rest[0]}`")
            return None
        if not rest:
            if params is not None:
                self.err_value(path, f"`{pattern}`: parameter types follow a method name")
                return None
            return AllowRule(text, "class", owner)
        return AllowRule(text, "member", owner, rest[0], params)


def _usable_param_name(n: str) -> bool:
    import keyword

    return n.isidentifier() and not keyword.iskeyword(n) and n != "result" and n not in JAVA_KEYWORDS


def _split_desc(desc: str) -> tuple[list[str], str]:
    from jbgen.asm.names import split_method_desc

    return split_method_desc(desc)
