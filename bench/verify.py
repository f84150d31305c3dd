"""Verification throughput: jbgen's verify path against a bare ``ClassFile.of().verify`` loop.

    python bench/verify.py [--runs 3]

Same process, same classes, same JVM.  Two measurements:

1. all of java.base: ``verify_classes(inputs, link_check=False)`` (jbgen's
   structural read + ``ClassFile.verify`` + mapping of the messages) against
   ``for b in classes: ClassFile.of().verify(b)``;
2. the HotSpot link check: ``verify_classes(..., link_check=True)`` on
   java.base's ``jdk/internal/`` classes, moved to the package
   ``bench/jdk/internal/`` (their constant pools rewritten), against the bare
   loop and against jbgen without the link.  They are moved because the link
   check's loader delegates to the platform class loader first, which finds
   every class of the running JDK by name: under its own name a JDK class
   would be linked as the JDK's copy, not as the bytes under test (the
   benchmark counts those).  java.* cannot be defined by a user loader.

Each pair is interleaved and repeated after a warm-up; the figures are medians
and the overhead is jbgen's time over the bare loop's.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

MOVED = c.WORK / "moved"


def bare(datas: list[bytes]) -> tuple[float, int]:
    from jbgen.asm._jdk import jdk

    cf = jdk().ClassFile.of()
    t0 = time.perf_counter()
    bad = 0
    for b in datas:
        if len(cf.verify(b)):
            bad += 1
    return time.perf_counter() - t0, bad


def jbgen_verify(items: list[tuple[str, bytes]], link: bool) -> tuple[float, int, list[str]]:
    """Seconds, failed classes, and the first diagnostic of each failed class."""
    from jbgen.check.verify import ClassInput, verify_classes

    t0 = time.perf_counter()
    reports = verify_classes([ClassInput(d, b) for d, b in items], link_check=link)
    wall = time.perf_counter() - t0
    bad = [r for r in reports if not r.ok]
    return wall, len(bad), [r.diagnostics[0].message if r.diagnostics else "?" for r in bad]


def kinds(messages: list[str], top: int = 4) -> list[tuple[int, str]]:
    """The most common failure messages, with class and member names blanked."""
    import collections

    norm = collections.Counter()
    for msg in messages:
        msg = re.sub(r"^[\w.$]+: ", "", msg)
        msg = re.sub(r"(in )?[\w$]+\([^)]*\)\S* at bci \d+: ", "", msg)
        msg = re.sub(r"(?:[a-z]\w*\.)+[\w$]+", "C", msg)
        norm[re.sub(r"@(0x)?[0-9a-f]{6,}", "@..", msg)[:140]] += 1
    return [(n, k) for k, n in norm.most_common(top)]


_TWO_BYTES = {7, 8, 16, 19, 20}
_FOUR_BYTES = {3, 4, 9, 10, 11, 12, 17, 18}


def renamed(data: bytes, old: bytes = b"jdk/internal/", new: bytes = b"bench/jdk/internal/") -> bytes:
    """The class with every name in package ``old`` moved to ``new`` (constant-pool UTF-8 entries only).

    Class names and descriptors live in CONSTANT_Utf8 entries; rewriting those
    keeps every pool index, so the rest of the file is copied as is.
    """
    count = int.from_bytes(data[8:10])
    out = [data[:10]]
    i = 10
    k = 1
    while k < count:
        tag = data[i]
        if tag == 1:
            n = int.from_bytes(data[i + 1 : i + 3])
            s = data[i + 3 : i + 3 + n]
            if s.startswith(old):
                s = new + s[len(old) :]
            s = s.replace(b"L" + old, b"L" + new)
            out.append(bytes([1]) + len(s).to_bytes(2) + s)
            i += 3 + n
        else:
            size = 3 if tag in _TWO_BYTES else 5 if tag in _FOUR_BYTES else 9 if tag in (5, 6) else 4 if tag == 15 else 0
            if not size:
                raise ValueError(f"constant pool tag {tag} at byte {i}")
            out.append(data[i : i + size])
            i += size
            k += 1 if tag in (5, 6) else 0
        k += 1
    out.append(data[i:])
    return b"".join(out)


def shadowed(rels: list[str]) -> int:
    """How many of these classes the platform class loader (the link loader's parent) already finds."""
    import jpype

    ClassLoader = jpype.JClass("java.lang.ClassLoader")
    JClass = jpype.JClass("java.lang.Class")
    platform = ClassLoader.getPlatformClassLoader()
    n = 0
    for rel in rels:
        name = rel[: -len(".class")].replace("/", ".")
        if name.endswith(("module-info", "package-info")):
            continue
        try:
            JClass.forName(name, False, platform)
            n += 1
        except jpype.JException:
            pass
    return n


def pair(label: str, items: list[tuple[str, bytes]], runs: int, link: bool, *, also_nolink: bool = False) -> dict[str, object]:
    datas = [b for _, b in items]
    n = len(items)
    # Warm-up: the JIT compiles the verifier and the reader before the clock starts.
    warm = items[:: max(1, n // 200)]
    bare([b for _, b in warm])
    jbgen_verify(warm, link)
    b_runs, j_runs, nl_runs = [], [], []
    bad_b = bad_j = bad_nl = 0
    msgs: list[str] = []
    for _ in range(runs):
        t, bad_b = bare(datas)
        b_runs.append(t)
        t, bad_j, msgs = jbgen_verify(items, link)
        j_runs.append(t)
        if also_nolink:
            t, bad_nl, _ = jbgen_verify(items, False)
            nl_runs.append(t)
    tb, tj = c.median(b_runs), c.median(j_runs)
    out: dict[str, object] = {
        "classes": n,
        "bare_s": tb,
        "bare_classes_per_s": c.rate(n, tb),
        "bare_failed": bad_b,
        "jbgen_s": tj,
        "jbgen_classes_per_s": c.rate(n, tj),
        "jbgen_failed": bad_j,
        "overhead": tj / tb,
        "link": link,
        "failure_kinds": kinds(msgs),
    }
    line = (f"{label:34} {n:5} classes: bare {tb:6.2f} s ({c.rate(n, tb):5.0f}/s), "
            f"jbgen {tj:6.2f} s ({c.rate(n, tj):5.0f}/s), jbgen/bare {tj / tb:4.2f}x")
    if also_nolink:
        tn = c.median(nl_runs)
        out.update({"jbgen_nolink_s": tn, "jbgen_nolink_failed": bad_nl, "link_s": tj - tn})
        line += f"; without link {tn:.2f} s (link itself {tj - tn:.2f} s, {1000 * (tj - tn) / n:.1f} ms/class)"
    print(line, flush=True)
    print(f"{'':34} failed: bare {bad_b}, jbgen {bad_j}" + (f", jbgen without link {bad_nl}" if also_nolink else ""))
    for k, msg in kinds(msgs):
        print(f"{'':36}{k:5} x {msg}")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="repetitions of each measurement (median reported)")
    args = ap.parse_args()

    files = c.ensure_java_base()
    base = [(str(p), p.read_bytes()) for p in files]
    internal = [(d, b) for d, b in base if "/java.base/jdk/internal/" in d and not d.endswith("-info.class")]
    internal_rels = [d.split("/java.base/", 1)[1] for d, _ in internal]
    moved = [(d.replace("/java.base/jdk/internal/", "/java.base/bench/jdk/internal/"), renamed(b)) for d, b in internal]
    moved_rels = ["bench/" + r for r in internal_rels]
    # ClassFile.verify (bare and jbgen's) finds the classes a stack map check
    # needs through the default class hierarchy resolver, which reads the
    # system class path: put the moved classes there, before the JVM starts.
    for rel, (_, b) in zip(moved_rels, moved, strict=True):
        dest = MOVED / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(b)
    import jpype

    if jpype.isJVMStarted():  # the corpus was extracted just now, by this process
        os.execv(sys.executable, [sys.executable, *sys.argv])
    jpype.addClassPath(str(MOVED))
    from jbgen.asm._jdk import jdk

    jdk()

    print(f"{args.runs} runs each, medians", flush=True)
    results = {
        "java_base_nolink": pair("java.base, link_check=False", base, args.runs, False),
        "link_sample": pair("jdk/internal as bench/jdk/internal, link", moved, args.runs, True, also_nolink=True),
    }
    sh_orig = shadowed(internal_rels)
    sh_moved = shadowed(moved_rels)
    results["link_sample"]["shadowed"] = sh_moved
    results["link_sample"]["shadowed_unrenamed"] = sh_orig
    print(f"\nresolved by the link loader's parent (the platform loader), so HotSpot would link the JDK's own "
          f"class instead of the bytes under test: jdk/internal {sh_orig} of {len(internal)}, "
          f"renamed to bench/jdk/internal {sh_moved} of {len(moved)}")
    c.save("verify", {"runs": args.runs, **results})


if __name__ == "__main__":
    main()
