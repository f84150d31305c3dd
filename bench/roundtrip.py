"""The java.base round trip: read -> print -> parse -> assemble -> read -> compare, and verify.

    python bench/roundtrip.py [--jobs N] [--limit K] [--step S] [--runs R]

For every class of java.base (extracted once to ``bench/.work/java.base/``):
``read_class`` -> ``print_class`` -> ``parse`` -> ``assemble`` (the JDK writes
the bytes) -> ``read_class`` again; the two models must be the same class
(``first_difference`` is None) and ``ClassFile.of().verify(bytes)`` must find
nothing.  The work is split over ``--jobs`` worker processes (default: one per
core), each with its own JVM; they are spawned, not forked, because a process
running a JVM cannot be forked.  ``--step S`` takes every S-th class and
``--limit K`` the first K of those.

Prints classes/s, the total seconds (worker and JVM start-up included), the
wall seconds of each stage summed over the workers, the CPU seconds of the
workers' main threads and of all their threads (the JVMs' compilers and
garbage collectors run beside the main thread), and the failures (the first
few with class name, stage and reason); exits 1 if any class fails.
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import multiprocessing
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

STAGES = ("read", "print", "parse", "assemble", "read-back", "compare", "verify")
CHUNK = 24


_verifier = None


def _init_worker() -> None:
    import gc

    from jbgen.asm._jdk import jdk

    # A chunk's models are trees of small objects without cycles; collections over
    # them cost more than the work (see jbgen._gc), so the worker runs without them.
    gc.disable()

    # Start the JVM before the first chunk.  One ClassFile for the worker's
    # life: a fresh ClassFile.of() per class loses its cached class hierarchy
    # and makes verify ~3x slower.
    global _verifier
    _verifier = jdk().ClassFile.of()


def roundtrip_chunk(
    paths: list[str],
) -> tuple[int, list[tuple[str, str, str]], dict[str, float], dict[str, float]]:
    """Round-trip the classes in ``paths``: (count, failures, wall seconds per stage, CPU seconds).

    The CPU seconds are the chunk's, of the worker's main thread (the Python
    code and the Java code it calls) and of all its threads (the JVM's
    compiler and GC threads too).  They are taken per chunk, not per stage: on
    this machine a thread-CPU clock read can take milliseconds under load.
    """
    from jbgen.asm._jdk import jdk
    from jbgen.asm.assemble import assemble
    from jbgen.asm.equality import first_difference
    from jbgen.asm.parser import parse
    from jbgen.asm.printer import print_class
    from jbgen.asm.reader import read_class

    verifier = _verifier if _verifier is not None else jdk().ClassFile.of()
    times = dict.fromkeys(STAGES, 0.0)
    failures: list[tuple[str, str, str]] = []
    clock = time.perf_counter
    thread0, process0 = time.thread_time(), time.process_time()
    for path in paths:
        name = str(Path(path).relative_to(c.JAVA_BASE))[: -len(".class")]
        data = Path(path).read_bytes()
        stage = "read"
        try:
            t = clock()
            cls = read_class(data, path)
            t, t0 = clock(), t
            times["read"] += t - t0
            stage = "print"
            text = print_class(cls, path)
            t, t0 = clock(), t
            times["print"] += t - t0
            stage = "parse"
            parsed = parse(text, name + ".jbasm")
            t, t0 = clock(), t
            times["parse"] += t - t0
            stage = "assemble"
            out = assemble(parsed, path=name + ".jbasm")
            t, t0 = clock(), t
            times["assemble"] += t - t0
            stage = "read-back"
            back = read_class(out, name + " (assembled)")
            t, t0 = clock(), t
            times["read-back"] += t - t0
            stage = "compare"
            diff = first_difference(cls, back)
            t, t0 = clock(), t
            times["compare"] += t - t0
            if diff is not None:
                failures.append((name, stage, diff))
                continue
            stage = "verify"
            errors = verifier.verify(out)
            times["verify"] += clock() - t
            if len(errors):
                failures.append((name, stage, f"{len(errors)} error(s): {errors[0].getMessage()}"))
        except Exception as exc:  # every failure is a finding: keep going
            msg = getattr(exc, "render", None)
            text = msg() if callable(msg) else f"{type(exc).__name__}: {exc}"
            failures.append((name, stage, text.strip()))
    cpu = {"main thread": time.thread_time() - thread0, "all threads": time.process_time() - process0}
    return len(paths), failures, times, cpu


def run(
    paths: list[str], jobs: int
) -> tuple[float, int, list[tuple[str, str, str]], dict[str, float], dict[str, float]]:
    chunks = [paths[i : i + CHUNK] for i in range(0, len(paths), CHUNK)]
    times = dict.fromkeys(STAGES, 0.0)
    cpu = {"main thread": 0.0, "all threads": 0.0}
    failures: list[tuple[str, str, str]] = []
    done = 0
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("spawn")
    with cf.ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker) as pool:
        for n, fails, ts, cs in pool.map(roundtrip_chunk, chunks):
            done += n
            failures.extend(fails)
            for k, v in ts.items():
                times[k] += v
            for k, v in cs.items():
                cpu[k] += v
    return time.perf_counter() - t0, done, failures, times, cpu


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="worker processes (default: cores)")
    ap.add_argument("--step", type=int, default=1, help="take every S-th class (default 1: all)")
    ap.add_argument("--limit", type=int, default=0, help="at most K classes (after --step)")
    ap.add_argument("--runs", type=int, default=1, help="repetitions (median time reported)")
    ap.add_argument("--show", type=int, default=10, help="failures to print in full")
    args = ap.parse_args()

    files = [str(p) for p in c.ensure_java_base()][:: args.step]
    if args.limit:
        files = files[: args.limit]
    print(f"round trip of {len(files)} java.base classes on {args.jobs} worker(s), {args.runs} run(s)", flush=True)
    walls = []
    for i in range(args.runs):
        wall, done, failures, times, cpu = run(files, args.jobs)
        walls.append(wall)
        print(f"  run {i + 1}: {wall:.2f} s, {c.rate(done, wall):.0f} classes/s, {len(failures)} failure(s)", flush=True)
    wall = c.median(walls)
    stage_wall = sum(times.values())
    print(f"\n{done} classes in {wall:.2f} s (median): {c.rate(done, wall):.0f} classes/s, {len(failures)} failure(s)")
    print("seconds per stage, summed over the workers (last run): "
          + ", ".join(f"{k} {v:.2f} ({100 * v / stage_wall:.0f}%)" for k, v in times.items()))
    print(f"CPU seconds of the workers (last run): main threads {cpu['main thread']:.2f} "
          f"({1000 * cpu['main thread'] / max(done, 1):.2f} ms a class), all threads {cpu['all threads']:.2f} "
          "(the rest is the JVMs' compiler and GC threads)")
    for name, stage, reason in failures[: args.show]:
        print(f"FAILED {name} at {stage}: {reason[:600]}")
    if len(failures) > args.show:
        print(f"... and {len(failures) - args.show} more")

    if args.step == 1 and not args.limit:
        c.save("roundtrip", {
            "classes": done,
            "jobs": args.jobs,
            "runs": args.runs,
            "wall_s": wall,
            "walls": walls,
            "classes_per_s": c.rate(done, wall),
            "stage_s": times,
            "cpu_s": cpu,
            "failures": len(failures),
            "first_failures": failures[:20],
        })
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
