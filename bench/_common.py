"""What the benchmarks share: paths, the java.base corpus, timing, environment, results.

Every benchmark writes its figures as JSON to ``bench/.work/results/<name>.json``
(``run_all.py`` turns them into the figures section of ``bench/RESULTS.md``)
and prints a human-readable summary.  Nothing here is part of jbgen.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
JAVA_BASE = WORK / "java.base"
RESULTS = WORK / "results"
_MARKER = ".complete"
# When this benchmark started, and the machine's load then (others may share the cores).
_START = (_dt.datetime.now(_dt.UTC), os.getloadavg())


# ----------------------------------------------------------------------------- corpus


def jdk_version() -> str:
    """The embedded JDK's version, from its ``release`` file (no JVM started)."""
    from jbgen.jvm import find_java_home

    return find_java_home().version


def ensure_java_base() -> list[Path]:
    """Every class of the embedded JDK's java.base, extracted once to ``bench/.work/java.base/``.

    The classes are read through the ``jrt:/`` file system of the embedded JDK
    (JPype); the folder is rewritten when the JDK version changes.  Returns the
    class files in sorted order of their paths.
    """
    marker = JAVA_BASE / _MARKER
    version = jdk_version()
    if marker.is_file():
        info = json.loads(marker.read_text())
        if info.get("jdk") == version:
            return [JAVA_BASE / p for p in info["classes"]]
    if JAVA_BASE.exists():
        shutil.rmtree(JAVA_BASE)
    names = []
    for rel, data in jrt_classes("java.base"):
        dest = JAVA_BASE / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
        names.append(rel)
    names.sort()
    marker.write_text(json.dumps({"jdk": version, "classes": names}))
    return [JAVA_BASE / p for p in names]


def jrt_classes(module: str, under: str = "") -> list[tuple[str, bytes]]:
    """``(path in module, bytes)`` of the classes of ``module`` (below ``under``), sorted.

    Read with ``FileSystems.getFileSystem(URI.create("jrt:/"))`` and ``Files.walk``
    in the embedded JDK (starts the JVM in this process).
    """
    from jbgen import jvm

    jvm.start()
    import jpype

    URI = jpype.JClass("java.net.URI")
    FileSystems = jpype.JClass("java.nio.file.FileSystems")
    Files = jpype.JClass("java.nio.file.Files")
    fs = FileSystems.getFileSystem(URI.create("jrt:/"))
    top = "/modules/" + module
    start = fs.getPath(top + ("/" + under.strip("/") if under else ""))
    found = sorted(str(p) for p in Files.walk(start).iterator() if str(p).endswith(".class"))
    return [(s[len(top) + 1 :], bytes(Files.readAllBytes(fs.getPath(s)))) for s in found]


# ----------------------------------------------------------------------------- timing


@dataclass
class Run:
    """One timed child process: wall seconds, CPU seconds (user + sys) and its exit code."""

    wall: float
    cpu: float
    returncode: int


def run_timed(cmd: list[str], *, stdout: object = subprocess.DEVNULL, stderr: object = None,
              cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run ``cmd`` to its end; wall time and the child's (and its children's) user+sys time."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=stdout, stderr=stderr, cwd=cwd, env=env)  # type: ignore[arg-type]
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    # wait4 reports the child itself; its own children (JVM helpers, pool workers)
    # are counted when the child waited for them, which javap and jbgen both do.
    return Run(wall, usage.ru_utime + usage.ru_stime, proc.returncode)


def median(xs: list[float]) -> float:
    return statistics.median(xs)


def cpu_now() -> float:
    """This process's user+sys seconds so far (children not included)."""
    t = os.times()
    return t.user + t.system


# ----------------------------------------------------------------------------- environment


def environment() -> dict[str, object]:
    """Date, machine, Python, JDK and javap versions, for RESULTS.md."""
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    javap = ""
    if shutil.which("javap"):
        r = subprocess.run(["javap", "-version"], capture_output=True, text=True)
        javap = (r.stdout or r.stderr).strip()
    return {
        "date": _START[0].strftime("%Y-%m-%d %H:%M UTC"),
        "cores": os.cpu_count(),
        "cpu": cpu,
        "os": platform.platform(),
        "python": platform.python_version(),
        "jdk": jdk_version(),
        "javap": javap,
        "loadavg": _START[1],
        "loadavg_end": os.getloadavg(),
    }


def command_line() -> str:
    """The command that ran this benchmark, as typed from the repository root."""
    script = Path(sys.argv[0]).resolve()
    try:
        shown = str(script.relative_to(ROOT))
    except ValueError:
        shown = str(script)
    return " ".join(["python", shown, *sys.argv[1:]])


def save(name: str, figures: dict[str, object]) -> Path:
    """Write a benchmark's figures (with the environment and command) as JSON."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    doc = {"name": name, "command": command_line(), "env": environment(), **figures}
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(doc, indent=2) + "\n")
    return path


def load(name: str) -> dict[str, object] | None:
    path = RESULTS / f"{name}.json"
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def rate(n: int, seconds: float) -> float:
    return n / seconds if seconds > 0 else float("inf")


def slug(s: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", s).strip("-").lower()


# ----------------------------------------------------------------------------- bench venv

VENV = WORK / "venv"
REQUIREMENTS = BENCH / "requirements.txt"


def bench_python() -> Path:
    """The bench venv's Python (``bench/.work/venv``), made or updated from ``bench/requirements.txt``.

    Benchmark-only packages (``tokenizers``) live there, never in jbgen's own
    environment: the benchmarks run them as child processes.
    """
    py = VENV / "bin" / "python"
    stamp = VENV / ".requirements"
    want = REQUIREMENTS.read_text()
    if not py.exists() or not stamp.is_file() or stamp.read_text() != want:
        print(f"setting up the bench venv in {VENV.relative_to(ROOT)} ...", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
        subprocess.run([str(py), "-m", "pip", "install", "--quiet", "-r", str(REQUIREMENTS)], check=True)
        stamp.write_text(want)
    return py
