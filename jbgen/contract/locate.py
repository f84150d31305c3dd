"""Where each key and value of a TOML text is: key paths -> line:col.

``tomllib`` parses but keeps no positions, so this small scanner walks the
same text and records, for every key path, where its key and its value start.
A path is a tuple of keys and array indices as the loader sees the data:
``("method", 2, "examples", 0, "args", 1)`` is the second argument of the
first example of the third ``[[method]]`` (array-of-tables headers count up
per parent, inline arrays and tables are entered element by element).

It is run after ``tomllib`` accepted the text, so it only has to be right for
valid TOML; on anything else it stops quietly and keeps what it found.  A
lookup falls back to the nearest enclosing path that has a position, so an
error always points at a line that contains or introduces the bad value.

Must not import a JVM.
"""

from __future__ import annotations

import bisect
import contextlib
from dataclasses import dataclass

__all__ = ["Span", "TomlLocations", "locate"]

Path = tuple[str | int, ...]

_BARE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")
_SCALAR_END = frozenset(",]}\n#")


@dataclass(frozen=True)
class Span:
    """A 1-based line and column and the width of the token there (on its first line)."""

    line: int
    col: int
    length: int = 1


@dataclass(frozen=True)
class StringStart:
    """Where a string's content starts, and whether escapes may shift columns (basic strings)."""

    line: int
    col: int
    literal: bool
    multiline: bool


class TomlLocations:
    """The positions found in one TOML text, with lookups that fall back to parents."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.splitlines()
        self.keys: dict[Path, Span] = {}
        self.values: dict[Path, Span] = {}
        self.strings: dict[Path, StringStart] = {}
        # Keys defined twice and tables declared twice: (path, the second, the first).
        self.duplicates: list[tuple[Path, Span, Span]] = []

    def line_text(self, line: int) -> str | None:
        """The source line (1-based), or None past the end."""
        if 1 <= line <= len(self.lines):
            return self.lines[line - 1]
        return None

    def key(self, path: Path) -> Span:
        """The key of ``path`` (the header of a table), else the nearest parent's."""
        return self._lookup(path, prefer_key=True)

    def value(self, path: Path) -> Span:
        """The value of ``path``, else its key, else the nearest parent's."""
        return self._lookup(path, prefer_key=False)

    def _lookup(self, path: Path, prefer_key: bool) -> Span:
        p = tuple(path)
        while p:
            first, second = (self.keys, self.values) if prefer_key else (self.values, self.keys)
            span = first.get(p) or second.get(p)
            if span is not None:
                return span
            p = p[:-1]
        return Span(1, 1, 1)


def locate(text: str) -> TomlLocations:
    """Scan ``text`` (valid TOML) and record where its keys and values are."""
    locs = TomlLocations(text)
    scanner = _Scanner(text, locs)
    # Not valid TOML after all: keep what was found.
    with contextlib.suppress(IndexError, ValueError, _Stop):
        scanner.run()
    return locs


class _Stop(Exception):
    pass


class _Scanner:
    def __init__(self, text: str, locs: TomlLocations) -> None:
        self.s = text
        self.n = len(text)
        self.i = 0
        self.locs = locs
        self.starts = [0]
        for k, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(k + 1)
        self.table: Path = ()
        self.defined: dict[Path, Span] = {}
        # Arrays of tables seen so far: resolved path -> number of elements.
        self.aot: dict[Path, int] = {}

    # ------------------------------------------------------------------ helpers

    def pos(self, i: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, i)
        return line, i - self.starts[line - 1] + 1

    def span(self, start: int, end: int) -> Span:
        line, col = self.pos(start)
        nl = self.s.find("\n", start, end)
        stop = end if nl < 0 else nl
        return Span(line, col, max(1, stop - start))

    def peek(self, k: int = 0) -> str:
        j = self.i + k
        return self.s[j] if j < self.n else ""

    def skip_ws(self) -> None:
        while self.i < self.n and self.s[self.i] in " \t":
            self.i += 1

    def skip_ws_nl_comments(self) -> None:
        while self.i < self.n:
            ch = self.s[self.i]
            if ch in " \t\r\n":
                self.i += 1
            elif ch == "#":
                self.skip_line()
            else:
                return

    def skip_line(self) -> None:
        nl = self.s.find("\n", self.i)
        self.i = self.n if nl < 0 else nl + 1

    # ------------------------------------------------------------------ document

    def run(self) -> None:
        while True:
            self.skip_ws_nl_comments()
            if self.i >= self.n:
                return
            if self.s[self.i] == "[":
                self.header()
            else:
                self.keyval(self.table)
            self.skip_ws()
            if self.peek() == "#":
                self.skip_line()

    def header(self) -> None:
        start = self.i
        is_aot = self.peek(1) == "["
        self.i += 2 if is_aot else 1
        segs = self.key_segments()
        self.skip_ws()
        if self.peek() != "]":
            raise _Stop
        self.i += 2 if is_aot else 1
        end = self.i
        parent = self.resolve(segs[:-1])
        key = (*parent, segs[-1][0])
        if is_aot:
            count = self.aot.get(key, 0) + 1
            self.aot[key] = count
            if count == 1:
                self.locs.keys.setdefault(key, self.span(start, end))
                self.locs.values.setdefault(key, self.span(start, end))
            path: Path = (*key, count - 1)
        else:
            path = key
            self.define(path, self.span(start, end))
        self.locs.keys.setdefault(path, self.span(start, end))
        self.locs.values.setdefault(path, self.span(start, end))
        self.table = path

    def define(self, path: Path, span: Span) -> None:
        first = self.defined.get(path)
        if first is not None:
            self.locs.duplicates.append((path, span, first))
        else:
            self.defined[path] = span

    def resolve(self, segs: list[tuple[str, int, int]]) -> Path:
        """A header's key segments -> a path, entering the last element of arrays of tables."""
        path: Path = ()
        for name, _, _ in segs:
            path = (*path, name)
            count = self.aot.get(path)
            if count:
                path = (*path, count - 1)
        return path

    def key_segments(self) -> list[tuple[str, int, int]]:
        """A dotted key: ``[(name, start, end), ...]``."""
        segs = []
        while True:
            self.skip_ws()
            start = self.i
            ch = self.peek()
            if ch == '"':
                name = self.basic_string_value()
            elif ch == "'":
                end = self.s.index("'", self.i + 1)
                name = self.s[self.i + 1 : end]
                self.i = end + 1
            else:
                while self.i < self.n and self.s[self.i] in _BARE:
                    self.i += 1
                name = self.s[start : self.i]
                if not name:
                    raise _Stop
            segs.append((name, start, self.i))
            self.skip_ws()
            if self.peek() != ".":
                return segs
            self.i += 1

    def keyval(self, table: Path) -> None:
        segs = self.key_segments()
        path = table
        for name, start, end in segs:
            path = (*path, name)
            self.locs.keys.setdefault(path, self.span(start, end))
        self.define(path, self.span(segs[-1][1], segs[-1][2]))
        self.skip_ws()
        if self.peek() != "=":
            raise _Stop
        self.i += 1
        self.skip_ws()
        self.value(path)

    # ------------------------------------------------------------------ values

    def value(self, path: Path) -> None:
        start = self.i
        s = self.s
        if s.startswith('"""', start) or s.startswith("'''", start):
            self.multiline_string(path)
        elif self.peek() == '"':
            self.record_string(path, start + 1, literal=False, multiline=False)
            self.basic_string_value()
        elif self.peek() == "'":
            self.record_string(path, start + 1, literal=True, multiline=False)
            self.i = s.index("'", start + 1) + 1
        elif self.peek() == "[":
            self.array(path)
            return
        elif self.peek() == "{":
            self.inline_table(path)
            return
        else:
            while self.i < self.n and s[self.i] not in _SCALAR_END:
                self.i += 1
            end = start + len(s[start : self.i].rstrip())
            if end == start:
                raise _Stop
            self.i = end
        self.locs.values.setdefault(path, self.span(start, self.i))

    def record_string(self, path: Path, content: int, literal: bool, multiline: bool) -> None:
        line, col = self.pos(content)
        self.locs.strings.setdefault(path, StringStart(line, col, literal, multiline))

    def basic_string_value(self) -> str:
        """Consume a one-line basic string; its text (escapes kept raw) for key names."""
        s = self.s
        j = self.i + 1
        while s[j] != '"':
            if s[j] == "\n":
                raise _Stop
            j += 2 if s[j] == "\\" else 1
        raw = s[self.i + 1 : j]
        self.i = j + 1
        if "\\" in raw:
            import tomllib

            try:
                return str(tomllib.loads(f'k = "{raw}"')["k"])
            except tomllib.TOMLDecodeError:
                return raw
        return raw

    def multiline_string(self, path: Path) -> None:
        s = self.s
        start = self.i
        delim = s[start : start + 3]
        content = start + 3
        # A newline right after the opening delimiter is not part of the string.
        if s.startswith("\r\n", content):
            content += 2
        elif s.startswith("\n", content):
            content += 1
        self.record_string(path, content, literal=delim == "'''", multiline=True)
        j = start + 3
        while True:
            if delim == '"""' and s[j] == "\\":
                j += 2
                continue
            if s.startswith(delim, j):
                break
            j += 1
            if j >= self.n:
                raise _Stop
        end = j + 3
        # Up to two quotes of the content may stand right before the closing delimiter.
        while end < self.n and s[end] == delim[0] and end - j < 5:
            end += 1
        self.i = end
        self.locs.values.setdefault(path, self.span(start, end))

    def array(self, path: Path) -> None:
        start = self.i
        self.i += 1
        index = 0
        while True:
            self.skip_ws_nl_comments()
            if self.peek() == "]":
                self.i += 1
                break
            if not self.peek():
                raise _Stop
            self.value((*path, index))
            index += 1
            self.skip_ws_nl_comments()
            if self.peek() == ",":
                self.i += 1
            elif self.peek() != "]":
                raise _Stop
        self.locs.values.setdefault(path, self.span(start, self.i))

    def inline_table(self, path: Path) -> None:
        start = self.i
        self.i += 1
        while True:
            self.skip_ws_nl_comments()
            if self.peek() == "}":
                self.i += 1
                break
            if not self.peek():
                raise _Stop
            self.keyval(path)
            self.skip_ws_nl_comments()
            if self.peek() == ",":
                self.i += 1
            elif self.peek() != "}":
                raise _Stop
        self.locs.values.setdefault(path, self.span(start, self.i))
