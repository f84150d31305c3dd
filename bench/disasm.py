"""Disassembly throughput: ``jbgen disasm`` against ``javap -c -p`` on all of java.base.

    python bench/disasm.py [--runs 3] [--jobs N] [--no-profile]

Both tools read the same class files (java.base of the embedded JDK, extracted
once to ``bench/.work/java.base/``) and write their text to a file under
``bench/.work/out/``; each run is timed end to end, JVM and Python start-up
included.  javap (the system JDK's, which reads version-69 classes) runs as one
process over all the classes (the launcher's command line holds them all), its
best case; its output is checked for errors.  jbgen runs as its CLI on the
folder with ``-j 1`` and with ``-j N`` (N = cores; the two outputs must be
byte-identical), and in-process as the library (``read_class`` + ``print_class``
over bytes already in memory).  The runs are interleaved and repeated; the
figures are medians.  A cProfile of the library path follows unless
``--no-profile``.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import io
import os
import pstats
import re
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

OUT = c.WORK / "out"


def jbgen_command() -> list[str]:
    script = Path(sys.executable).parent / "jbgen"
    return [str(script)] if script.is_file() else [sys.executable, "-m", "jbgen.cli"]


def javap_batches(rels: list[str], limit: int = 1_500_000) -> list[list[str]]:
    """As few javap command lines as fit the kernel's argument limit (one for java.base)."""
    out: list[list[str]] = [[]]
    size = 0
    for r in rels:
        if size + len(r) + 1 > limit and out[-1]:
            out.append([])
            size = 0
        out[-1].append(r)
        size += len(r) + 1
    return out


def run_javap(rels: list[str]) -> c.Run:
    """All batches, one after another; errors in the output are fatal."""
    dest = OUT / "javap.txt"
    err = OUT / "javap.err"
    wall = cpu = 0.0
    with open(dest, "wb") as out, open(err, "wb") as errf:
        for batch in javap_batches(rels):
            r = c.run_timed(["javap", "-c", "-p", *batch], stdout=out, stderr=errf, cwd=c.JAVA_BASE)
            if r.returncode != 0:
                sys.exit(f"javap failed with exit {r.returncode}: see {err}")
            wall += r.wall
            cpu += r.cpu
    problems = [ln for ln in err.read_text(errors="replace").splitlines() if ln.strip()]
    with open(dest, encoding="utf-8", errors="replace") as fh:
        problems += [ln for ln in fh if ln.startswith(("Error", "error:", "Warning", "warning:"))]
    if problems:
        sys.exit(f"javap reported {len(problems)} problem(s), first: {problems[0].strip()}")
    return c.Run(wall, cpu, 0)


def run_jbgen(jobs: int, n: int) -> tuple[c.Run, str]:
    dest = OUT / f"jbgen-j{jobs}.txt"
    err = OUT / f"jbgen-j{jobs}.err"
    with open(dest, "wb") as out, open(err, "wb") as errf:
        r = c.run_timed([*jbgen_command(), "disasm", "-j", str(jobs), str(c.JAVA_BASE)], stdout=out, stderr=errf)
    if r.returncode != 0:
        sys.exit(f"jbgen disasm -j {jobs} failed with exit {r.returncode}: see {err}")
    with open(dest, "rb") as fh:
        digest = hashlib.sha256()
        headers = 0
        for line in fh:
            digest.update(line)
            if line.startswith(b"// /"):
                headers += 1
    if headers != n:
        sys.exit(f"jbgen disasm -j {jobs} printed {headers} classes, expected {n}")
    return r, digest.hexdigest()


def run_library(data: list[tuple[str, bytes]]) -> dict[str, float]:
    """read_class + print_class over bytes in memory; CPU seconds of each half."""
    from jbgen.asm.printer import print_class
    from jbgen.asm.reader import read_class

    t0 = time.perf_counter()
    c0 = c.cpu_now()
    read = 0.0
    for display, b in data:
        r0 = time.perf_counter()
        cls = read_class(b, display)
        read += time.perf_counter() - r0
        print_class(cls, display)
    return {"wall": time.perf_counter() - t0, "cpu": c.cpu_now() - c0, "read": read}


def profile(data: list[tuple[str, bytes]], step: int, top: int) -> tuple[str, list[dict[str, object]]]:
    """cProfile of read+print over every ``step``-th class: the top functions by own time."""
    from jbgen.asm.printer import print_class
    from jbgen.asm.reader import read_class

    sample = data[::step]
    prof = cProfile.Profile()
    prof.enable()
    for display, b in sample:
        print_class(read_class(b, display), display)
    prof.disable()
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("tottime").print_stats(top)
    total = st.total_tt  # type: ignore[attr-defined]
    rows = []
    for (file, line, func), (_cc, nc, tt, ct, _callers) in sorted(
        st.stats.items(), key=lambda kv: kv[1][2], reverse=True  # type: ignore[attr-defined]
    )[:top]:
        short = re.sub(r"^.*/jbgen/", "jbgen/", file)
        rows.append({"function": f"{short}:{line}({func})", "calls": nc, "own_s": round(tt, 3),
                     "own_pct": round(100 * tt / total, 1), "cum_s": round(ct, 3)})
    return buf.getvalue(), rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="repetitions of each measurement (median reported)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="the -j of the parallel jbgen run")
    ap.add_argument("--no-profile", action="store_true", help="skip the cProfile of the library path")
    ap.add_argument("--profile-step", type=int, default=4, help="profile every N-th class")
    args = ap.parse_args()
    if not shutil.which("javap"):
        sys.exit("javap (the peer) is not on PATH")

    files = c.ensure_java_base()
    n = len(files)
    rels = [str(p.relative_to(c.JAVA_BASE)) for p in files]
    data = [(str(p), p.read_bytes()) for p in files]
    OUT.mkdir(parents=True, exist_ok=True)
    print(f"java.base: {n} classes, {sum(len(b) for _, b in data) / 1e6:.1f} MB; "
          f"javap in {len(javap_batches(rels))} process(es); {args.runs} runs each", flush=True)

    series: dict[str, list[c.Run]] = {"javap": [], "jbgen-j1": [], f"jbgen-j{args.jobs}": []}
    lib: list[dict[str, float]] = []
    digests: set[str] = set()
    for i in range(args.runs):
        # Interleaved, so a burst of load from elsewhere hits every contender alike.
        series["javap"].append(run_javap(rels))
        r, d1 = run_jbgen(1, n)
        series["jbgen-j1"].append(r)
        r, dj = run_jbgen(args.jobs, n)
        series[f"jbgen-j{args.jobs}"].append(r)
        digests.update((d1, dj))
        lib.append(run_library(data))
        print(f"  run {i + 1}: " + ", ".join(f"{k} {v[-1].wall:.2f} s" for k, v in series.items())
              + f", library {lib[-1]['wall']:.2f} s", flush=True)
    if len(digests) != 1:
        sys.exit("jbgen disasm -j 1 and -j N printed different texts")

    figures: dict[str, dict[str, float]] = {}
    for k, runs in series.items():
        wall = c.median([r.wall for r in runs])
        figures[k] = {"wall_s": wall, "cpu_s": c.median([r.cpu for r in runs]), "classes_per_s": c.rate(n, wall)}
    lw = c.median([x["wall"] for x in lib])
    figures["jbgen-library"] = {
        "wall_s": lw,
        "cpu_s": c.median([x["cpu"] for x in lib]),
        "read_s": c.median([x["read"] for x in lib]),
        "classes_per_s": c.rate(n, lw),
    }
    base = figures["javap"]["classes_per_s"]
    base_cpu = figures["javap"]["cpu_s"]
    for f in figures.values():
        f["ratio_vs_javap"] = f["classes_per_s"] / base
        # Classes per CPU-second against javap's: less disturbed by other processes than wall time.
        f["cpu_ratio_vs_javap"] = base_cpu / f["cpu_s"]

    print(f"\n{'':16}{'wall s':>9}{'cpu s':>9}{'classes/s':>11}{'x javap':>9}{'cpu x javap':>13}")
    for k, f in figures.items():
        print(f"{k:16}{f['wall_s']:9.2f}{f['cpu_s']:9.2f}{f['classes_per_s']:11.0f}{f['ratio_vs_javap']:9.2f}"
              f"{f['cpu_ratio_vs_javap']:13.2f}")
    sizes = {p.name: p.stat().st_size for p in OUT.glob("*.txt")}
    print("output bytes: " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in sorted(sizes.items())))

    prof_rows: list[dict[str, object]] = []
    if not args.no_profile:
        text, prof_rows = profile(data, args.profile_step, 15)
        print(f"\ncProfile of read_class + print_class, every {args.profile_step}th class:")
        print(text)

    c.save("disasm", {
        "classes": n,
        "runs": args.runs,
        "jobs": args.jobs,
        "javap_processes": len(javap_batches(rels)),
        "figures": figures,
        "output_bytes": sizes,
        "profile_step": args.profile_step,
        "profile": prof_rows,
    })


if __name__ == "__main__":
    main()
