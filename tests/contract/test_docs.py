"""docs/contracts.md stays true: its contracts load, its fragments parse, its error outputs are the real ones."""

from __future__ import annotations

import re
import tomllib

import pytest

from jbgen.contract import load_contract_text
from tests.conftest import FIXTURES, ROOT

DOC = ROOT / "docs" / "contracts.md"
TEXT = DOC.read_text()
TOML_BLOCKS = [m.group(1) for m in re.finditer(r"```toml\n(.*?)```", TEXT, re.S)]
ERROR_BLOCKS = [m.group(1) for m in re.finditer(r"```text\n(.*?)```", TEXT, re.S)]


def test_doc_has_examples() -> None:
    assert sum(b.startswith("schema = 1") for b in TOML_BLOCKS) >= 6
    assert sum(len(_diagnostics(b)) for b in ERROR_BLOCKS) >= 10


@pytest.mark.parametrize("index", range(len(TOML_BLOCKS)))
def test_doc_toml_block(index: int) -> None:
    block = TOML_BLOCKS[index]
    if block.startswith("schema = 1"):
        contract = load_contract_text(block, f"contracts.md#{index}")
        assert contract.methods
    else:
        tomllib.loads(block)  # a fragment: at least valid TOML


def _diagnostics(block: str) -> list[tuple[str, str]]:
    """(fixture name, the diagnostic's lines) for each diagnostic shown in a block."""
    out: list[tuple[str, list[str]]] = []
    for line in block.splitlines():
        m = re.match(r"([\w-]+)\.toml:\d+:\d+: error: ", line)
        if m:
            out.append((m.group(1), [line]))
        elif out:
            out[-1][1].append(line)
    return [(name, "\n".join(lines)) for name, lines in out]


@pytest.mark.parametrize("index", range(len(ERROR_BLOCKS)))
def test_doc_error_output_is_real(index: int) -> None:
    # Blocks of other text (consoles, outputs of other commands) have no contract diagnostics.
    for name, shown in _diagnostics(ERROR_BLOCKS[index]):
        expected = (FIXTURES / "broken-contracts" / f"{name}.expected").read_text()
        assert shown in expected, f"docs show an outdated error for {name}:\n{shown}"


def test_doc_names_every_key() -> None:
    from jbgen.contract import loader

    for keys in (loader.TOP_KEYS, loader.CLASS_KEYS, loader.METHOD_KEYS, loader.EXAMPLE_KEYS,
                 loader.STATEFUL_KEYS, loader.POLICY_KEYS):
        for key in keys:
            assert f"`{key}`" in TEXT or f"[{key}]" in TEXT or f"[[{key}]]" in TEXT, key
