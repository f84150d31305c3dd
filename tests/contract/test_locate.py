"""The TOML position scanner: key paths -> line:col."""

from __future__ import annotations

import tomllib

from hypothesis import given
from hypothesis import strategies as st

from jbgen.contract.locate import Span, locate

TEXT = '''\
schema = 1  # the version

[class]
name = "com.example.A"
"quoted key" = 'x'
dotted.inner = 3

[[method]]
signature = "int f(int x)"

[[method]]
signature = """
static int g(
  int x)"""
examples = [
  { args = [1, [2, 3]], returns = { null = true } },
  # a comment between elements
  { args = [
      "s",
    ], throws = "E" },
]

[[method]]

[[method.examples]]
args = [7]

[[method.examples]]
args = [8]

[[method]]
oracle = \'\'\'
def oracle(x):
    return x
\'\'\'
'''


def test_positions() -> None:
    tomllib.loads(TEXT)  # the scanner is only asked about valid TOML
    locs = locate(TEXT)
    assert locs.value(("schema",)) == Span(1, 10, 1)
    assert locs.key(("schema",)) == Span(1, 1, 6)
    assert locs.key(("class",)) == Span(3, 1, 7)
    assert locs.value(("class", "name")) == Span(4, 8, 15)
    assert locs.key(("class", "quoted key")) == Span(5, 1, 12)
    assert locs.key(("class", "dotted", "inner")).line == 6
    assert locs.key(("method", 0)) == Span(8, 1, 10)
    assert locs.value(("method", 0, "signature")).line == 9
    assert locs.key(("method", 1)).line == 11
    assert locs.value(("method", 1, "signature")) == Span(12, 13, 3)
    assert locs.value(("method", 1, "examples", 0)).line == 16
    assert locs.value(("method", 1, "examples", 0, "args", 1, 0)) == Span(16, 17, 1)
    assert locs.value(("method", 1, "examples", 0, "returns")).col == 35
    assert locs.value(("method", 1, "examples", 1, "args", 0)).line == 19
    assert locs.value(("method", 1, "examples", 1, "throws")).line == 20
    # [[method.examples]] counts up under the last [[method]].
    assert locs.key(("method", 2)).line == 23
    assert locs.key(("method", 2, "examples", 0)).line == 25
    assert locs.value(("method", 2, "examples", 1, "args", 0)) == Span(29, 9, 1)
    assert locs.key(("method", 3)).line == 31
    start = locs.strings[("method", 3, "oracle")]
    assert (start.line, start.col, start.literal, start.multiline) == (33, 1, True, True)
    start = locs.strings[("method", 1, "signature")]
    assert (start.line, start.col, start.literal) == (13, 1, False)


def test_fallback_to_parent() -> None:
    locs = locate(TEXT)
    # An element the scanner never saw: the nearest parent with a position.
    assert locs.value(("method", 1, "examples", 0, "args", 5)).line == 16
    assert locs.value(("nothing", "here")) == Span(1, 1, 1)


def test_duplicates() -> None:
    locs = locate('a = 1\n[t]\nx = 1\nx = 2\n[t]\n')
    assert [(p, s.line) for p, s, _ in locs.duplicates] == [(("t", "x"), 4), (("t",), 5)]


@given(st.text(alphabet='[]{}=,."\'\n #abc123\\', max_size=80))
def test_never_raises(text: str) -> None:
    locs = locate(text)
    for span in [*locs.keys.values(), *locs.values.values()]:
        assert span.line >= 1 and span.col >= 1
