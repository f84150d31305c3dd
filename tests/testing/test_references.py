"""Every example contract in contracts/ passes `jbgen test` against its hand-written reference."""

from __future__ import annotations

from pathlib import Path

import pytest

from jbgen.contract import load_contract
from jbgen.sandbox import WorkerPool
from jbgen.testing import report as rep
from tests.testing.conftest import CONTRACTS, ROOT, contract_files, reference_of, run

FILES = contract_files()


def test_there_are_at_least_ten_contracts_each_with_a_reference() -> None:
    assert len(FILES) >= 10
    for f in FILES:
        assert reference_of(load_contract(str(f))).is_file(), f


def test_the_index_lists_every_contract() -> None:
    index = (CONTRACTS / "README.md").read_text(encoding="utf-8")
    for f in FILES:
        assert f"({f.name})" in index, f"contracts/README.md does not list {f.name}"


def test_the_contracts_cover_the_kinds_promised() -> None:
    contracts = [load_contract(str(f)) for f in FILES]
    descriptors = " ".join(m.descriptor for c in contracts for m in c.methods)
    assert "J" in descriptors and "Ljava/lang/String;" in descriptors and "[I" in descriptors and "D" in descriptors
    assert any(c.interfaces for c in contracts)
    assert sum(1 for c in contracts if c.stateful is not None) >= 2
    assert any(ex.throws for c in contracts for m in c.methods for ex in m.examples)


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_reference_passes(pool: WorkerPool, path: Path) -> None:
    contract = load_contract(str(path))
    v = run(pool, path, reference_of(contract))
    assert v.exit_code == 0, [f.message for f in v.tests.failures] if v.tests else [d.render() for d in v.diagnostics]
    assert v.stages == tuple((s, "ok") for s in ("policy", "verify", "conformance", "link", "tests"))
    tests = v.tests
    assert tests is not None
    assert tests.cases("examples") == sum(len(m.examples) for m in contract.methods)
    assert tests.count("property") == sum(len(m.properties) for m in contract.methods)
    assert tests.count("oracle") == sum(1 for m in contract.methods if m.oracle is not None)
    for c in tests.checks:
        if c.kind in ("oracle", "runs") and contract.method(c.method.split("(")[0].split()[-1]).params:
            assert c.cases >= 100, c  # boundary values and the random batch, not a handful
    if contract.stateful is not None:
        assert tests.cases("stateful") >= 50


def test_every_kind_of_value_crosses_and_compares(pool: WorkerPool) -> None:
    # fixtures/contracts/text.toml: String, char, String[] with nulls, int[] -> Integer (null),
    # float[] -> float (NaN), double and long, a java.util.List that can only be null.
    v = run(pool, ROOT / "fixtures" / "contracts" / "text.toml", Path(__file__).parent / "data" / "Text.jbasm")
    assert v.exit_code == 0, [f.message for f in v.tests.failures] if v.tests else [d.render() for d in v.diagnostics]
    assert v.tests is not None and v.tests.cases("examples") == 15
    lines = rep.render_text(v).splitlines()
    assert "  ok      static String join(String[] parts, char sep): oracle `def oracle(parts, sep)`: " in \
        "\n".join(lines)
    assert "  ok      static int size(java.util.List items): 1 generated call finishes" in lines
