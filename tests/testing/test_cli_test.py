"""`jbgen test` end to end: CliRunner (on the shared worker pool) and one real subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from jbgen.cli import main
from tests.testing.conftest import CONTRACTS, REFERENCE, ROOT, SharedPool, mutant

CLAMP = str(CONTRACTS / "clamp.toml")
CLAMP_REF = str(REFERENCE / "Clamp.jbasm")


def jbgen_test(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(main, ["test", *args])
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return r.exit_code, r.stdout, r.stderr


def without_timing(doc: dict[str, object]) -> dict[str, object]:
    return {k: v for k, v in doc.items() if k != "timing"}


def test_a_passing_class(shared_pool: SharedPool) -> None:
    code, out, err = jbgen_test(CLAMP, "--class", CLAMP_REF)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"com.example.Clamp from {CLAMP_REF} against {CLAMP}"
    assert "  ok      policy" in lines and "  ok      link (HotSpot)" in lines
    assert "  ok      static int clamp(int x, int lo, int hi): 5 examples" in lines
    assert any(line.startswith("  ok      static int clamp(int x, int lo, int hi): oracle `max(lo, min(x, hi))`: ")
               for line in lines)
    assert lines[-1].startswith("passed: 5 examples, 2 properties × ") and lines[-1].endswith("(seed 0)")
    assert err == ""


def test_a_failing_class_exits_4_with_the_call_and_the_jbasm_line(shared_pool: SharedPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Clamp.jbasm", "        iload hi\n        ireturn\n",
                 "        iload hi\n        iconst_1\n        isub\n        ireturn\n")
    code, out, err = jbgen_test(CLAMP, "--class", str(bad))
    assert code == 4
    assert "  FAILED  static int clamp(int x, int lo, int hi): 5 examples" in out.splitlines()
    assert out.splitlines()[-1].startswith("FAILED: 3 of 5 checks; ran 5 examples")
    assert f"{bad}:3:5: error: oracle: clamp(1, 0, 0) returned -1, expected 0\n" in err
    assert "\n        public static int clamp(int x, int lo, int hi) {\n        ^~~~" in err
    assert "note: shrunk from clamp(42, 0, 10)" in err
    assert f"note: contract: {CLAMP}:20" in err


def test_json_shape(shared_pool: SharedPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Abs.jbasm", "ifge NotNegative", "ifle NotNegative")
    code, out, _ = jbgen_test(str(CONTRACTS / "abs.toml"), "--class", str(bad), "--json")
    assert code == 4
    doc = json.loads(out)
    assert set(doc) == {"ok", "exit_code", "contract", "input", "class", "stages", "diagnostics", "tests", "timing"}
    assert doc["ok"] is False and doc["exit_code"] == 4 and doc["class"] == "com.example.Abs"
    assert doc["stages"] == {"policy": "ok", "verify": "ok", "conformance": "ok", "link": "ok", "tests": "failed"}
    assert doc["diagnostics"] == []
    tests = doc["tests"]
    assert set(tests) == {"seed", "max_examples", "calls", "checks", "summary"}
    assert tests["seed"] == 0 and tests["max_examples"] == 200 and tests["calls"] > 200
    assert [c["kind"] for c in tests["checks"]] == ["examples", "property", "property", "oracle", "runs"]
    check = tests["checks"][0]
    assert set(check) == {"kind", "method", "name", "ok", "cases", "discarded", "contract_line", "failure"}
    assert check["failure"] == {
        "kind": "example", "method": "static int abs(int x)", "call": "abs(5)",
        "message": "abs(5) returned -5, expected 5", "outcome": "return", "steps": [], "shrunk_from": None,
        "contract_line": 12, "class_path": str(bad), "class_line": 3,
    }
    assert tests["checks"][3]["failure"]["shrunk_from"] == "abs(5)"
    # abs(x) now answers -|x|: `result in (x, ineg(x))` still holds, the rest fails.
    assert [c["ok"] for c in tests["checks"]] == [False, False, True, False, True]
    assert tests["summary"] == {"checks": 5, "failed": 3, "examples": 4, "properties": 2,
                                "property_cases": tests["checks"][2]["cases"], "oracle_cases": 1,
                                "generated_calls": tests["checks"][4]["cases"], "stateful_sequences": 0}
    assert {"assemble", "policy", "verify", "session", "link", "tests", "tests_elapsed_s"} <= set(doc["timing"])


def test_the_same_seed_gives_the_same_report(shared_pool: SharedPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "BoundedCounter.jbasm", "        iconst_3\n        if_icmplt Ok", "        iconst_4\n        if_icmplt Ok")
    args = [str(CONTRACTS / "bounded-counter.toml"), "--class", str(bad), "--max-examples", "50"]
    first, second = jbgen_test(*args), jbgen_test(*args)
    assert first[0] == 4 and first == second
    j1, j2 = (json.loads(jbgen_test(*args, "--json", "--seed", "5")[1]) for _ in range(2))
    assert without_timing(j1) == without_timing(j2)
    assert j1["tests"]["seed"] == 5


def test_seed_and_max_examples_change_the_inputs(shared_pool: SharedPool) -> None:
    def cases(*extra: str) -> int:
        code, out, _ = jbgen_test(CLAMP, "--class", CLAMP_REF, "--json", *extra)
        assert code == 0
        return json.loads(out)["tests"]["summary"]["generated_calls"]

    assert cases("--max-examples", "1000") > cases("--max-examples", "10") + 900


def test_refused_by_the_policy_exits_3_at_the_line(shared_pool: SharedPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Abs.jbasm", "        iload x\n        ifge", "        iconst_3\n        invokestatic System.exit(int)void\n        iload x\n        ifge")
    code, out, err = jbgen_test(str(CONTRACTS / "abs.toml"), "--class", str(bad))
    assert code == 3
    assert "  FAILED  policy" in out and out.splitlines()[-1].startswith("REFUSED by policy")
    assert f"{bad}:5:9: error: " in err and "System.exit" in err


def test_a_class_that_does_not_verify_exits_3(shared_pool: SharedPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Sign.jbasm", "        lcmp\n        ireturn", "        lcmp\n        i2l\n        ireturn")
    code, out, err = jbgen_test(str(CONTRACTS / "sign.toml"), "--class", str(bad))
    assert code == 3
    assert "  FAILED  verify (structure, ClassFile.verify)" in out
    assert f"{bad}:" in err


def test_a_class_without_the_contracts_method_exits_3(shared_pool: SharedPool, tmp_path: Path) -> None:
    bad = mutant(tmp_path, "Abs.jbasm", "public static int abs(int x)", "public static int abs(long x)")
    bad.write_text(bad.read_text().replace("iload x", "lload x").replace("ineg\n", "lneg\n        l2i\n")
                   .replace("        lload x\n        ireturn", "        lload x\n        l2i\n        ireturn")
                   .replace("        lload x\n        ifge", "        lload x\n        lconst_0\n        lcmp\n        ifge"))
    code, out, err = jbgen_test(str(CONTRACTS / "abs.toml"), "--class", str(bad))
    assert code == 3, err
    assert "  FAILED  conformance" in out
    assert "error: class com.example.Abs has no method static int abs(int x)" in err
    assert "note: the contract's descriptor is (I)I; the class has abs(J)I" in err


def test_a_class_file_input(shared_pool: SharedPool, tmp_path: Path) -> None:
    from jbgen.api import assemble_text

    (a,) = assemble_text((REFERENCE / "Max.jbasm").read_text(), "Max.jbasm")
    (tmp_path / "Max.class").write_bytes(a.data)
    code, out, err = jbgen_test(str(CONTRACTS / "max.toml"), "--class", str(tmp_path / "Max.class"))
    assert code == 0, err
    assert out.splitlines()[-1].startswith("passed: 5 examples")


def test_a_bad_contract_exits_2(shared_pool: SharedPool, tmp_path: Path) -> None:
    broken = tmp_path / "broken.toml"
    broken.write_text("schema = 2\n")
    code, _, err = jbgen_test(str(broken), "--class", CLAMP_REF)
    assert code == 2
    assert "unsupported schema version 2" in err


def test_in_a_real_subprocess() -> None:
    r = subprocess.run(
        [sys.executable, "-m", "jbgen.cli", "test", "contracts/max.toml", "--class", "fixtures/reference/Max.jbasm",
         "--json", "--max-examples", "50"],
        capture_output=True, cwd=ROOT, env={**os.environ}, timeout=300,
    )
    assert r.returncode == 0, r.stderr.decode()
    doc = json.loads(r.stdout)
    assert doc["ok"] is True and doc["tests"]["summary"]["examples"] == 5
    assert r.stderr == b""
