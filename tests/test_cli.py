"""The CLI as a user meets it: real subprocesses, pipes, exit codes, stdout vs stderr."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from jbgen.cli import main
from tests.conftest import FIXTURES

EVERYTHING = FIXTURES / "jbasm" / "Everything.jbasm"


def jbgen(*args: str, input: bytes | None = None, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "jbgen.cli", *args],
        input=input,
        capture_output=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=300,
    )


def test_asm_writes_class_under_package_path(tmp_path: Path) -> None:
    r = jbgen("asm", str(EVERYTHING), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr.decode()
    out = tmp_path / "demo" / "Everything.class"
    assert out.read_bytes()[:4] == b"\xca\xfe\xba\xbe"
    assert r.stdout == b""
    assert b"WARNING" not in r.stderr  # no JVM start-up noise


def test_disasm_pipe_asm_round_trip(tmp_path: Path) -> None:
    first = jbgen("asm", str(EVERYTHING), "-o", "-")
    assert first.returncode == 0, first.stderr.decode()
    (tmp_path / "a.class").write_bytes(first.stdout)
    text = jbgen("disasm", str(tmp_path / "a.class"))
    assert text.returncode == 0, text.stderr.decode()
    again = jbgen("asm", "-", "-o", "-", input=text.stdout)
    assert again.returncode == 0, again.stderr.decode()
    from jbgen.asm.equality import first_difference
    from jbgen.asm.reader import read_class

    assert first_difference(read_class(first.stdout), read_class(again.stdout)) is None
    # --flat: one typed instruction per line, and it assembles back to the same class too.
    flat = jbgen("disasm", "--flat", str(tmp_path / "a.class"))
    assert flat.returncode == 0, flat.stderr.decode()
    assert flat.stdout != text.stdout and b"\n        iload_0\n" in flat.stdout
    again = jbgen("asm", "-", "-o", "-", input=flat.stdout)
    assert again.returncode == 0, again.stderr.decode()
    assert first_difference(read_class(first.stdout), read_class(again.stdout)) is None


def test_disasm_of_a_jdk_package_and_a_jar(tmp_path: Path) -> None:
    import zipfile

    r = jbgen("disasm", "jrt:/java.base/java/util/function", "-o", str(tmp_path / "src"))
    assert r.returncode == 0, r.stderr.decode()
    files = sorted((tmp_path / "src").rglob("*.jbasm"))
    assert len(files) > 40
    assert (tmp_path / "src" / "java" / "util" / "function" / "IntUnaryOperator.jbasm").exists()
    # Assemble them all back, into a jar, and disassemble the jar.
    r = jbgen("asm", *map(str, files), "-o", str(tmp_path / "classes"))
    assert r.returncode == 0, r.stderr.decode()
    jar = tmp_path / "f.jar"
    with zipfile.ZipFile(jar, "w") as zf:
        for c in sorted((tmp_path / "classes").rglob("*.class")):
            zf.write(c, c.relative_to(tmp_path / "classes").as_posix())
    r = jbgen("disasm", str(jar))
    assert r.returncode == 0
    assert r.stdout.count(b"\n// ") + 1 == len(files)
    assert b"f.jar!/java/util/function/IntUnaryOperator.class" in r.stdout


def test_verify_json_and_exit_codes(tmp_path: Path) -> None:
    ok = jbgen("verify", "--json", str(EVERYTHING))
    assert ok.returncode == 0, ok.stderr.decode()
    doc = json.loads(ok.stdout)
    assert doc["ok"] is True
    assert doc["classes"][0]["checks"] == {"structure": "ok", "classfile-verify": "ok", "link": "ok"}
    bad = tmp_path / "Bad.jbasm"
    bad.write_text("public class demo.Bad {\n    public static int f() {\n        ldc \"x\"\n        ireturn\n    }\n}\n")
    r = jbgen("verify", "--json", str(bad))
    assert r.returncode == 3
    doc = json.loads(r.stdout)
    cls = doc["classes"][0]
    assert cls["checks"]["classfile-verify"] == "failed"
    assert cls["checks"]["link"] == "failed"
    lines = {d["line"] for d in cls["diagnostics"]}
    assert lines == {4}  # the ireturn, in both verifiers
    assert any("bci 2" in d["message"] for d in cls["diagnostics"])


def test_verify_human_output_points_at_the_line(tmp_path: Path) -> None:
    bad = tmp_path / "Bad.jbasm"
    bad.write_text("public class demo.Bad {\n    public static int f() {\n        ldc \"x\"\n        ireturn\n    }\n}\n")
    r = jbgen("verify", str(bad), cwd=tmp_path)
    assert r.returncode == 3
    err = r.stderr.decode()
    assert "Bad.jbasm:4:9: error: in f()int at bci 2: Bad type on operand stack" in err
    assert "            ireturn\n            ^\n" in err
    assert "Traceback" not in err


def test_missing_file_and_bad_class_are_clean_errors(tmp_path: Path) -> None:
    r = jbgen("disasm", str(tmp_path / "nope.class"))
    assert r.returncode == 2
    assert b"no such file" in r.stderr and b"Traceback" not in r.stderr
    junk = tmp_path / "junk.class"
    junk.write_bytes(b"\xca\xfe\xba\xbe\x00\x00")
    r = jbgen("disasm", str(junk))
    assert r.returncode == 2
    assert r.stderr.decode().startswith(f"{junk}: error: ")
    assert b"Traceback" not in r.stderr
    r = jbgen("verify", str(junk))
    assert r.returncode == 3
    assert b"Traceback" not in r.stderr


def test_verbose_shows_traceback_only_with_v(tmp_path: Path) -> None:
    runner = CliRunner()
    r = runner.invoke(main, ["asm", str(tmp_path / "missing.jbasm")])
    assert r.exit_code == 2 and "Traceback" not in r.stderr
    r = runner.invoke(main, ["-v", "asm", str(tmp_path / "missing.jbasm")])
    assert r.exit_code == 2 and "Traceback" in r.stderr


def test_old_jdk_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "jdk17"
    (home / "lib" / "server").mkdir(parents=True)
    (home / "lib" / "server" / "libjvm.so").write_bytes(b"")
    (home / "release").write_text('JAVA_VERSION="17.0.15"\n')
    r = jbgen("verify", str(EVERYTHING), env={"JBGEN_JAVA_HOME": str(home)})
    assert r.returncode == 7
    assert "is Java 17.0.15; jbgen needs Java 24 or newer" in r.stderr.decode()
    assert b"Traceback" not in r.stderr
    r = jbgen("verify", str(EVERYTHING), env={"JBGEN_JAVA_HOME": str(tmp_path / "none")})
    assert r.returncode == 7 and b"no such directory" in r.stderr


@pytest.mark.skipif(not os.path.isdir("/usr/lib/jvm"), reason="no system JDKs to point at")
def test_java_home_override_with_a_real_jdk() -> None:
    import glob

    homes = [h for h in glob.glob("/usr/lib/jvm/*") if os.path.exists(os.path.join(h, "release"))]
    if not homes:
        pytest.skip("no JDK with a release file")
    r = jbgen("verify", str(EVERYTHING), env={"JBGEN_JAVA_HOME": homes[0]})
    from jbgen.jvm import _feature, _read_version

    if _feature(_read_version(Path(homes[0]))) < 24:
        assert r.returncode == 7 and b"jbgen needs Java 24" in r.stderr
    else:
        assert r.returncode == 0


def test_disasm_stdin_and_broken_pipe() -> None:
    from jbgen.api import iter_classes

    _, data = next(iter(iter_classes(["jrt:/java.base/java/lang/Integer.class"])))
    proc = subprocess.Popen(
        f"{sys.executable} -m jbgen.cli disasm - | head -3",
        shell=True,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = proc.communicate(data, timeout=120)
    assert out.decode().splitlines()[0] == "// <stdin>"
    assert b"Traceback" not in err and b"BrokenPipe" not in err
