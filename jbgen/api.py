"""Library entry points: what the CLI calls, and what other programs may call.

Each function takes paths or bytes, returns values (texts, bytes, reports) and
raises :class:`~jbgen.errors.JbgenError` subclasses; none prints.
"""

from __future__ import annotations

import collections
import io
import os
import sys
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from jbgen.asm import model as m
from jbgen.errors import (
    AssemblyError,
    ClassFormatError,
    Diagnostic,
    JbgenError,
    Location,
    UsageError,
)

if TYPE_CHECKING:
    from jbgen.check.policy import Policy

CLASS_MAGIC = b"\xca\xfe\xba\xbe"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Assembled:
    """One class assembled from text: the parsed model, its bytes and where it came from."""

    cls: m.ClassDef
    data: bytes
    path: str
    text: str
    warnings: list[Diagnostic]


# ----------------------------------------------------------------------------- inputs


def _read_path(path: str) -> bytes:
    try:
        if path == "-":
            return sys.stdin.buffer.read()
        with open(path, "rb") as fh:
            return fh.read()
    except FileNotFoundError:
        raise UsageError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UsageError(f"{path}: is a folder") from None
    except OSError as exc:
        raise UsageError(f"{path}: cannot read: {exc.strerror}") from None


def read_text(path: str) -> str:
    """An assembly file (``-`` for stdin) as text; bad UTF-8 is an error at its line."""
    data = _read_path(path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise AssemblyError(
            "bad UTF-8",
            [Diagnostic(f"the file is not UTF-8 (byte 0x{data[exc.start]:02x})", Location(_shown(path), line, col))],
        ) from None


def _shown(path: str) -> str:
    return "<stdin>" if path == "-" else path


def iter_classes(paths: Sequence[str]) -> Iterator[tuple[str, bytes]]:
    """``(display path, bytes)`` of every class in the given files, jars and folders.

    A jar entry shows as ``app.jar!/com/example/Foo.class``; folders are walked
    in sorted order; ``-`` reads one class or jar from stdin; ``jrt:/MODULE/PATH``
    reads classes of the embedded JDK (a whole module or package as a folder).
    """
    for path in paths:
        if path.startswith("jrt:/"):
            yield from _iter_jrt(path)
            continue
        if path != "-" and os.path.isdir(path):
            for root, dirs, files in os.walk(path):
                dirs.sort()
                for f in sorted(files):
                    full = os.path.join(root, f)
                    if f.endswith(".class"):
                        yield full, _read_path(full)
                    elif f.endswith((".jar", ".zip")):
                        yield from _iter_jar(full, _read_path(full))
            continue
        data = _read_path(path)
        if data.startswith(ZIP_MAGIC) or path.endswith((".jar", ".zip")):
            yield from _iter_jar(_shown(path), data)
        else:
            yield _shown(path), data


def _iter_jar(path: str, data: bytes) -> Iterator[tuple[str, bytes]]:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise ClassFormatError(f"{path}: not a readable jar: {exc}") from None
    with zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            if info.filename.endswith(".class") and not info.is_dir():
                try:
                    yield f"{path}!/{info.filename}", zf.read(info)
                except (zipfile.BadZipFile, OSError, EOFError) as exc:
                    raise ClassFormatError(f"{path}!/{info.filename}: cannot read the entry: {exc}") from None


def _iter_jrt(path: str) -> Iterator[tuple[str, bytes]]:
    from jbgen import jvm

    jvm.start()
    import jpype

    URI = jpype.JClass("java.net.URI")
    FileSystems = jpype.JClass("java.nio.file.FileSystems")
    Files = jpype.JClass("java.nio.file.Files")
    fs = FileSystems.getFileSystem(URI.create("jrt:/"))
    rel = path[len("jrt:/") :].strip("/")
    p = fs.getPath("/modules/" + rel)
    if not Files.exists(p):
        raise UsageError(f"{path}: no such class, package or module in the embedded JDK")
    if Files.isDirectory(p):
        found = sorted(str(x) for x in Files.walk(p).iterator() if str(x).endswith(".class"))
        for s in found:
            yield "jrt:" + s.replace("/modules", "", 1), bytes(Files.readAllBytes(fs.getPath(s)))
    else:
        yield path, bytes(Files.readAllBytes(p))


# ----------------------------------------------------------------------------- asm / disasm


def disassemble(data: bytes, path: str = "<class>", *, flat: bool = False) -> str:
    """Class-file bytes -> jbgen assembly text (no JVM needed); ``flat``: one typed instruction per line."""
    from jbgen.asm.printer import print_class
    from jbgen.asm.reader import read_class

    return print_class(read_class(data, path), path, flat=flat)


@dataclass
class Disassembled:
    """One class disassembled: its internal name and text, or the error that stopped it."""

    display: str
    name: str | None
    text: str | None
    error: JbgenError | None = None


def disassemble_all(items: Iterable[tuple[str, bytes]], jobs: int = 1, *, flat: bool = False) -> Iterator[Disassembled]:
    """Disassemble ``(display path, bytes)`` pairs, in input order, on ``jobs`` processes.

    With ``jobs > 1`` the classes go in batches to worker processes (spawned,
    not forked: the calling process may run a JVM, which cannot be forked) and
    the results come back in input order, so the output does not depend on
    ``jobs``.  At most a few batches per worker are in flight, so memory stays
    bounded on a large jar.
    """
    if jobs <= 1:
        for display, data in items:
            yield _disassemble_one(display, data, flat)
        return
    import concurrent.futures as cf
    import multiprocessing

    pending: collections.deque[cf.Future[list[tuple]]] = collections.deque()
    pool = cf.ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn"))
    try:
        for batch in _batches(items, _DISASM_BATCH):
            pending.append(pool.submit(_disassemble_batch, batch, flat))
            while len(pending) >= 4 * jobs:
                yield from map(_unpack, pending.popleft().result())
        while pending:
            yield from map(_unpack, pending.popleft().result())
    finally:
        # Also when the consumer stops early (`| head`): drop the batches not started.
        pool.shutdown(wait=True, cancel_futures=True)


# Classes per worker task: large enough that the pickling round trip is noise,
# small enough that the first output comes quickly and the workers stay balanced.
_DISASM_BATCH = 64


def _batches(items: Iterable[tuple[str, bytes]], size: int) -> Iterator[list[tuple[str, bytes]]]:
    batch: list[tuple[str, bytes]] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _disassemble_one(display: str, data: bytes, flat: bool = False) -> Disassembled:
    from jbgen._gc import paused
    from jbgen.asm.printer import print_class
    from jbgen.asm.reader import read_class

    try:
        with paused():  # a class's model has no cycles; refcounting frees it (see jbgen._gc)
            cls = read_class(data, display)
            return Disassembled(display, cls.name, print_class(cls, display, flat=flat))
    except JbgenError as exc:
        return Disassembled(display, None, None, exc)


def _disassemble_batch(batch: list[tuple[str, bytes]], flat: bool = False) -> list[tuple]:
    """Worker side: plain tuples, since a JbgenError's diagnostics do not survive pickling."""
    out = []
    for display, data in batch:
        d = _disassemble_one(display, data, flat)
        err = d.error
        out.append((d.display, d.name, d.text, None if err is None else (type(err), err.message, err.diagnostics)))
    return out


def _unpack(t: tuple) -> Disassembled:
    display, name, text, err = t
    return Disassembled(display, name, text, None if err is None else err[0](err[1], err[2]))


def parse_text(text: str, path: str) -> list[m.ClassDef]:
    from jbgen.asm.parser import parse_all

    return parse_all(text, path)


def assemble_text(text: str, path: str, classpath: Sequence[str] = ()) -> list[Assembled]:
    """Assembly text (one or more classes) -> class bytes through java.lang.classfile.

    Every error of every class is collected before raising one AssemblyError.
    """
    from jbgen.asm.assemble import assemble

    classes = parse_text(text, path)
    out: list[Assembled] = []
    errors: list[Diagnostic] = []
    for cls in classes:
        warnings: list[Diagnostic] = []
        try:
            data = assemble(cls, classpath=classpath, path=path, peers=classes)
        except AssemblyError as exc:
            errors.extend(_with_source(exc.diagnostics, text))
            continue
        out.append(Assembled(cls, data, path, text, warnings))
    if errors:
        raise AssemblyError(f"{len(errors)} error(s)", errors)
    return out


def _with_source(diags: list[Diagnostic], text: str) -> list[Diagnostic]:
    lines = text.splitlines()
    out = []
    for d in diags:
        loc = d.location
        if d.source_line is None and loc is not None and loc.line and 0 < loc.line <= len(lines):
            src = lines[loc.line - 1]
            if loc.col is None:
                # Point at the first non-blank character of the line.
                loc = Location(loc.path, loc.line, len(src) - len(src.lstrip()) + 1)
            d = Diagnostic(d.message, loc, src, d.severity, max(d.span, len(src.strip()) if loc.col else 1), d.notes)
        out.append(d)
    return out


# ----------------------------------------------------------------------------- verify


def verify_paths(paths: Sequence[str], classpath: Sequence[str] = (), *, link: bool = True,
                 policy: Policy | None = None) -> list:
    """Run the three checks on class files, jars, folders and ``.jbasm`` files.

    Assembly files are assembled first (an assembly error is reported as that
    input's failure), and their diagnostics point at ``.jbasm`` lines.  With a
    ``policy`` (:class:`jbgen.check.policy.Policy`) the policy check runs too.
    """
    from jbgen.asm.reader import read_class
    from jbgen.check.verify import CheckReport, ClassInput, SourceMap, verify_classes

    inputs: list[ClassInput] = []
    early: list[tuple[int, CheckReport]] = []
    for path in paths:
        if path.endswith(".jbasm") or (path == "-" and _stdin_is_text()):
            text = read_text(path)
            shown = _shown(path)
            try:
                assembled = assemble_text(text, shown, classpath)
            except AssemblyError as exc:
                rep = CheckReport(shown, None, {"assemble": "failed"}, list(exc.diagnostics))
                early.append((len(inputs) + len(early), rep))
                continue
            for a in assembled:
                try:
                    back = read_class(a.data, shown)
                    sm = SourceMap.build(shown, text, a.cls, back)
                except JbgenError:
                    sm = None
                inputs.append(ClassInput(shown, a.data, sm))
            continue
        for display, data in iter_classes([path]):
            inputs.append(ClassInput(display, data))
    reports = verify_classes(inputs, classpath, link_check=link, policy=policy)
    for pos, rep in early:
        reports.insert(pos, rep)
    return reports


_stdin_cache: bytes | None = None


def _stdin_is_text() -> bool:
    """Peek at stdin: assembly text or class bytes?  (The bytes are kept for the reader.)"""
    global _stdin_cache
    if _stdin_cache is None:
        _stdin_cache = sys.stdin.buffer.read()
        sys.stdin = io.TextIOWrapper(io.BytesIO(_stdin_cache))
    return not (_stdin_cache.startswith(CLASS_MAGIC) or _stdin_cache.startswith(ZIP_MAGIC))
