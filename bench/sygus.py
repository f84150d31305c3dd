"""SyGuS side by side: jbgen's search synthesizer and cvc5 on the shared SyGuS benchmark files.

    python bench/sygus.py [--timeout 10] [--only PATTERN] [--jobs 1] [--write-results]

For each ``.sl`` file of ``../shared/bench/sygus/lib`` (``--sygus-dir`` or
``JBGEN_SYGUS_DIR`` elsewhere), one problem at a time:

1. jbgen: a child process parses the file, translates it into a search
   problem (``bench/sygus_translate.py``) and runs ``synthesize``; killed
   at the limit.
2. cvc5 on the original file under the same limit, hard-killed too: the PyPI
   wheel (``cvc5==1.4.2`` in ``bench/.work/venv``, in-process through
   ``cvc5.InputParser``) and Debian's binary (``apt-get install -y cvc5``,
   1.0.3), each with ``--sygus-si=none`` (enumerative) and ``--sygus-si=all``
   (single invocation, which reads an ``hd`` answer off the reference).
3. Every jbgen answer is checked by cvc5: the answer, written back as
   SMT-LIB with JVM semantics (masked shift distances; every division guarded
   by "divisor is not zero", since the JVM throws there), and the negated
   constraint; ``unsat`` means correct on every input.  A ``sat`` answer is a
   wrong answer (counted unsolved, listed), unless it is correct wherever
   SMT-LIB and the JVM agree on the reference (``mismatch``: hd-19, hd-20).

Clocks start when a child has imported its libraries (it prints ``READY``);
the binary's at its start.  Times are wall seconds; CPU seconds are the
child's own.  Figures go to ``bench/.work/results/sygus.json``, and with
``--write-results`` to the ``## SyGuS: jbgen search vs cvc5`` section of
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import fnmatch
import json
import os
import platform
import re
import select
import shutil
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

ROOT = HERE.parent
DEFAULT_DIR = Path(__file__).resolve().parents[2] / "shared" / "bench" / "sygus"
RESULTS_JSON = HERE / ".work" / "results" / "sygus.json"
RESULTS_MD = HERE / "RESULTS.md"
HEADING = "## SyGuS: jbgen search vs cvc5"
ANALYSIS = "### Analysis"  # the hand-written part of the section, kept when the figures are rewritten
TRACKS = ("hd", "CLIA", "PBE_BV")
CONFIGS = ("none", "all")
BUILDS = ("wheel", "binary")
# jbgen is held against cvc5 twice: (a) the peer, the PyPI wheel at its default
# options (sygus-si=none is the wheel's default; the harness passes it explicitly), and
# (b) the best of the four cvc5 columns on each track (most solved, then least total time).
PEER = "cvc5-wheel-none"
CHECK_LIMIT = 60.0  # seconds for each cvc5 check of a jbgen answer


def sygus_dir(arg: str | None) -> Path:
    return Path(arg or os.environ.get("JBGEN_SYGUS_DIR") or DEFAULT_DIR)


def sygus_files(root: Path) -> list[Path]:
    """The ``.sl`` files, hd first, then CLIA, then PBE (by name within a track)."""
    files = sorted((root / "lib").rglob("*.sl")) if (root / "lib").is_dir() else sorted(root.rglob("*.sl"))

    def key(p: Path) -> tuple[int, str]:
        parts = p.parts
        t = 0 if "General_Track" in parts else 1 if "CLIA_Track" in parts else 2
        return t, _natural(p.name)

    return sorted(files, key=key)


def _natural(name: str) -> str:
    return re.sub(r"\d+", lambda m: m.group().zfill(4), name)


# ----------------------------------------------------------------------------- running children


@dataclass
class ChildRun:
    lines: list[str]
    wall: float  # seconds from READY (or the start) to the last line / exit
    cpu: float  # the whole child's user+sys seconds (wait4)
    killed: bool
    stderr: str = ""


def run_child(cmd: list[str], limit: float, *, ready: bool, stdin: str | None = None,
              startup_limit: float = 60.0) -> ChildRun:
    """Run ``cmd``; its clock starts at a ``READY`` line (``ready``) or at once; killed at ``limit``."""
    err_path = HERE / ".work" / f"stderr.{os.getpid()}.{time.monotonic_ns()}"
    err_path.parent.mkdir(parents=True, exist_ok=True)
    with open(err_path, "w+") as err:
        t_spawn = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err,
                                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL)
        if stdin is not None:
            assert proc.stdin is not None
            proc.stdin.write(stdin.encode())
            proc.stdin.close()
        assert proc.stdout is not None
        fd = proc.stdout.fileno()
        start = None if ready else t_spawn
        deadline = t_spawn + startup_limit if ready else t_spawn + limit
        buf = b""
        lines: list[str] = []
        killed = False
        last = t_spawn
        while True:
            now = time.perf_counter()
            if now >= deadline:
                proc.kill()
                killed = True
                break
            r, _, _ = select.select([fd], [], [], min(0.05, deadline - now))
            if not r:
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                # The clock stops at the last line (the answer), not at the exit: an interpreter's
                # shutdown is not solving time.
                break
            buf += chunk
            while b"\n" in buf:
                line, buf = buf.split(b"\n", 1)
                text = line.decode(errors="replace")
                last = time.perf_counter()
                if ready and start is None and text == "READY":
                    start = last
                    deadline = start + limit
                else:
                    lines.append(text)
        if buf:
            lines.append(buf.decode(errors="replace"))
        _, status, usage = os.wait4(proc.pid, 0)
        end = time.perf_counter() if killed else last
        err.seek(0)
        stderr = err.read()
    err_path.unlink(missing_ok=True)
    return ChildRun(lines, end - (start if start is not None else t_spawn), usage.ru_utime + usage.ru_stime,
                    killed, stderr[-2000:])


# ----------------------------------------------------------------------------- outcomes


@dataclass
class Outcome:
    """One solver's run on one problem.  ``status``: solved, timeout, fail, error, unsupported, and for
    jbgen after the cvc5 check: wrong, mismatch, unverified."""

    solver: str
    status: str
    seconds: float | None = None
    cpu: float | None = None
    size: int | None = None
    answer: str = ""
    note: str = ""
    solve: float | None = None  # the solver's own clock (parse + solve), when solved

    @property
    def solved(self) -> bool:
        return self.status == "solved"


@dataclass
class ProblemResult:
    name: str
    track: str
    runs: dict[str, Outcome] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    load: float = 0.0


def _answer_size(text: str) -> int | None:
    from sygus_parse import parse_sexps, smt_size_of_define

    try:
        for e in parse_sexps(text):
            if isinstance(e, list):
                got = smt_size_of_define(e)
                if got is not None:
                    return got
    except ValueError:
        return None
    return None


def run_jbgen(path: Path, limit: float, seed: int, options: tuple[str, ...] | list[str] = ()
              ) -> tuple[Outcome, dict[str, Any]]:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child-jbgen", str(path),
           "--timeout", str(limit), "--seed", str(seed)]
    for o in options:
        cmd += ["--jbgen-option", o]
    run = run_child(cmd, limit, ready=True)
    if run.killed or not run.lines:
        status = "timeout" if run.killed else "error"
        return Outcome("jbgen", status, run.wall if not run.killed else None, run.cpu,
                       note=run.stderr.strip().splitlines()[-1] if run.stderr.strip() and not run.killed else ""), {}
    data = json.loads(run.lines[-1])
    status = {"found": "solved", "unsupported": "unsupported"}.get(data["status"], data["status"])
    if status not in ("solved", "unsupported", "error"):
        status = "timeout" if data["status"] == "timeout" else f"fail ({data['status']})"
    out = Outcome("jbgen", status, run.wall if status == "solved" else None, data.get("cpu", run.cpu),
                  data.get("size"), data.get("program", ""), data.get("message", ""),
                  data["seconds"] if status == "solved" else None)
    return out, data


def run_cvc5(path: Path, build: str, si: str, limit: float, bench_py: Path | None) -> Outcome:
    name = f"cvc5-{build}-{si}"
    if build == "wheel":
        if bench_py is None:
            return Outcome(name, "unavailable")
        cmd = [str(bench_py), str(HERE / "sygus_cvc5.py"), "synth", str(path), "--si", si]
        run = run_child(cmd, limit, ready=True)
        if run.killed or not run.lines:
            return Outcome(name, "timeout" if run.killed else "error", None, run.cpu, note=run.stderr[-200:])
        data = json.loads(run.lines[-1])
        status, text, cpu, own = data["status"], data["answer"], data["cpu"], data["seconds"]
    else:
        exe = shutil.which("cvc5")
        if exe is None:
            return Outcome(name, "unavailable")
        run = run_child([exe, "--lang=sygus2", f"--sygus-si={si}", str(path)], limit, ready=False)
        if run.killed:
            return Outcome(name, "timeout", None, run.cpu)
        text = "\n".join(run.lines)
        status = "solved" if "(define-fun" in text else (text.strip() or run.stderr.strip() or "error")[:80]
        cpu, own = run.cpu, run.wall
    if status != "solved":
        return Outcome(name, "fail" if status in ("fail", "infeasible", "unknown") else "error", None, cpu,
                       note=status[:200])
    return Outcome(name, "solved", run.wall, cpu, _answer_size(text), text.strip(), solve=own)


def check_answer(path: Path, data: dict[str, Any], bench_py: Path | None) -> tuple[str, str]:
    """cvc5's verdict on a jbgen answer: (status, note)."""
    from sygus_parse import parse_file
    from sygus_translate import SmtAnswer, common_domain, exhaustive_check, verify_query

    if bench_py is None:
        return "unverified", "no cvc5 wheel to check with"
    f = parse_file(path)
    ans = SmtAnswer(data["smt_define"], data["smt_ok"])

    def ask(extra: str | None) -> tuple[str, str]:
        q = verify_query(f, ans, extra)
        run = run_child([str(bench_py), str(HERE / "sygus_cvc5.py"), "check", "--tlimit",
                         str(int(CHECK_LIMIT * 1000))], CHECK_LIMIT + 10, ready=True, stdin=q)
        if run.killed or not run.lines:
            return "timeout", run.stderr[-200:]
        d = json.loads(run.lines[-1])
        return d["status"], d.get("model", "")

    verdict, model = ask(None)
    if verdict == "unsat":
        return "solved", ""
    if verdict == "sat":
        dom = common_domain(f)
        if dom is not None:
            v2, _ = ask(dom)
            if v2 == "unsat":
                return "mismatch", (f"correct where SMT-LIB and the JVM agree ({dom}); differs at {model}")
        return "wrong", f"cvc5 finds a violating input: {model}"
    # cvc5 gave up (a 32-bit multiplication can defeat it): a one-input 32-bit problem can still be
    # decided by evaluating the SMT-LIB texts on all 2^32 inputs (a couple of CPU minutes).
    ex = exhaustive_check(f, ans)
    if ex is not None:
        good, bad_input = ex
        if good:
            return "solved", f"cvc5 check: {verdict}; verified on all 2^32 inputs by evaluating the SMT-LIB"
        return "wrong", f"wrong on input {bad_input:#010x} (all 2^32 inputs evaluated; cvc5 check: {verdict})"
    return "unverified", f"cvc5 check: {verdict} {model[:200]}"


def run_problem(path: Path, args: argparse.Namespace, bench_py: Path | None) -> ProblemResult:
    from sygus_parse import parse_file

    f = parse_file(path)
    res = ProblemResult(path.stem, f.track, load=os.getloadavg()[0])
    jb, data = run_jbgen(path, args.timeout, args.seed, args.jbgen_option)
    res.notes = list(data.get("notes", []))
    if jb.status == "solved" and not args.no_check:
        verdict, note = check_answer(path, data, bench_py)
        jb.status = verdict
        if note:
            jb.note = note
    elif jb.status == "unsupported":
        res.notes.append(jb.note)
    res.runs["jbgen"] = jb
    if not args.no_cvc5:
        for build in args.cvc5:
            for si in CONFIGS:
                o = run_cvc5(path, build, si, args.timeout, bench_py)
                res.runs[o.solver] = o
    return res


# ----------------------------------------------------------------------------- the jbgen child


def child_jbgen(path: str, timeout: float, seed: int, options: list[str]) -> int:
    import numpy as np  # noqa: F401 (imported before READY, like jbgen)
    from sygus_parse import SygusError, parse_file
    from sygus_translate import answer_smt, translate

    from jbgen.synth.search import Term, synthesize

    print("READY", flush=True)
    t0, c0 = time.perf_counter(), time.process_time()
    out: dict[str, Any]
    try:
        f = parse_file(path)
        tr = translate(f, timeout, seed)
    except SygusError as exc:
        out = {"status": "unsupported", "message": str(exc), "notes": []}
    else:
        left = timeout - (time.perf_counter() - t0)
        fields = dict(tr.options.__dict__)
        for o in options:
            key, _, value = o.partition("=")
            fields[key] = type(fields[key])(value) if not isinstance(fields[key], bool) else value == "true"
        fields["time_limit"] = max(0.05, left - 0.05)
        opts = tr.options.__class__(**fields)
        r = synthesize(tr.problem, opts)
        out = {"status": r.status, "message": r.message, "notes": tr.notes, "stats": str(r.stats)}
        if r.ok and r.program is not None:
            out["program"] = str(r.program)
            out["size"] = r.program.size
            if isinstance(r.program, Term):
                ans = answer_smt(f, r.program)
                out["smt_define"], out["smt_ok"] = ans.define, ans.ok
            else:
                out["status"] = "loop"  # no SMT-LIB translation of the loop templates
    out["seconds"] = time.perf_counter() - t0
    out["cpu"] = time.process_time() - c0
    print(json.dumps(out), flush=True)
    return 0


# ----------------------------------------------------------------------------- summaries


def _median(xs: list[float]) -> float | None:
    return statistics.median(xs) if xs else None


def summarize(results: list[ProblemResult], solver: str, limit: float) -> dict[str, Any]:
    outs = [r.runs[solver] for r in results if solver in r.runs]
    solved = [o for o in outs if o.solved]
    times = [o.seconds for o in solved if o.seconds is not None]
    return {
        "problems": len(outs),
        "solved": len(solved),
        "median_s": _median(times),
        "median_own_s": _median([o.solve for o in solved if o.solve is not None]),
        "total_s": sum(o.seconds if o.solved and o.seconds is not None else limit for o in outs),
        "par2_s": (sum(o.seconds if o.solved and o.seconds is not None else 2 * limit for o in outs) / len(outs))
        if outs else None,
        "cpu_s": sum(o.cpu or 0.0 for o in outs),
        "median_size": _median([float(o.size) for o in solved if o.size is not None]),
    }


def best_config(results: list[ProblemResult], builds: list[str], limit: float) -> str:
    """The best cvc5 column on these problems: more solved, then less total time."""
    scores = []
    for b in builds:
        for si in CONFIGS:
            s = summarize(results, f"cvc5-{b}-{si}", limit)
            if s["problems"]:
                scores.append((-s["solved"], s["total_s"], f"cvc5-{b}-{si}"))
    return min(scores)[2] if scores else PEER


def both_solved(results: list[ProblemResult], a: str, b: str) -> dict[str, Any]:
    """On the problems both solve: how many, and each one's median on the harness clock and its own."""
    pairs = [(r.runs[a], r.runs[b]) for r in results if a in r.runs and b in r.runs
             and r.runs[a].solved and r.runs[b].solved]
    return {"n": len(pairs),
            "a": _median([x.seconds for x, _ in pairs if x.seconds is not None]),
            "b": _median([y.seconds for _, y in pairs if y.seconds is not None]),
            "a_own": _median([x.solve for x, _ in pairs if x.solve is not None]),
            "b_own": _median([y.solve for _, y in pairs if y.solve is not None]),
            "a_cpu": _median([x.cpu for x, _ in pairs if x.cpu is not None]),
            "b_cpu": _median([y.cpu for _, y in pairs if y.cpu is not None])}


def _fmt(v: float | None, digits: int = 2) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _cell(o: Outcome | None) -> str:
    if o is None:
        return ""
    if o.solved:
        return f"{o.seconds:.2f} ({o.cpu:.2f})" if o.cpu is not None else f"{o.seconds:.2f}"
    return o.status


SEMANTICS = """\
Where SMT-LIB and the JVM disagree, and what the harness does:

- **Shift distances** (hd-19, and any shift by a computed amount): SMT-LIB shifts by the width or more
  give 0 (or the sign for `bvashr`); the JVM masks the distance to 5 (6) bits. jbgen solves the JVM
  reading of the reference (the Python reference masks too), and its answer is written back to SMT-LIB
  with the mask spelled out (`(bvshl x (bvand k #x0000001f))`), so the check judges the method the JVM
  would run. hd-19's JVM method then differs from the SMT-LIB reference for `k >= 32`: the check
  finds that input, the harness re-checks under "every shift distance of the reference below 32" and
  reports `mismatch` (correct wherever the two semantics agree). A mismatch counts as **unsolved**:
  the SyGuS problem asks for the SMT-LIB function, and cvc5 is held to that.
- **Division by zero** (hd-20's reference divides by `x & -x`, 0 at `x = 0`; the d5 grammars offer
  `bvudiv bvurem bvsdiv bvsrem`): SMT-LIB defines a value, the JVM throws `ArithmeticException`. jbgen
  solves the JVM reading (for hd-20 the method must throw at 0, which the search supports as an
  expected outcome), and every division in an answer is checked with a guard "divisor is not zero"
  (a method that may throw where the constraint wants a value is wrong). A jbgen answer to hd-20
  would be a `mismatch` as above (same count: unsolved); in this run jbgen found none (the reference
  is 17 nodes). {divides}
- **Int** (CLIA) is unbounded; jbgen computes in `long`. The search draws inputs from
  [-1000000, 1000000]; the answer is checked by cvc5 as an Int function (`+ - *` unbounded), so
  "solved" means the SyGuS answer is right for all integers, and the JVM method equals it wherever no
  intermediate value overflows a long (for these answers: inputs below about 9·10^16 in magnitude,
  since `small_linear_func` multiplies by 100).
- **Constant shift distances in jbgen's answers**: the search may find `x >> -1` before `x >> 31`
  (the JVM masks the distance, so they are one method); answers print the distance as the JVM
  uses it (0..31, 0..63 for long) and write it so in SMT-LIB (`(bvashr x #x0000001f)`), where
  the literal `-1` would read differently (`(bvashr x #xffffffff)` is the sign).
- **Grammars**: hd runs in the file's grammar exactly (its operators and constants only, no
  conditionals). PBE runs with the grammar's operators plus two liberties, both expressible in it:
  shifts by 4 and 16 to the left too and the constants 4 and 16 (the grammar's `smol` shifts by 1),
  and conditions `a == b` from the unifier (the grammar's `im` tests `a == 1`; `a == b` is
  `im(a ^ b ^ 1, ...)`). CLIA has no grammar; jbgen uses `+ - * neg`, `Math.abs/min/max`, comparisons,
  `&& || !` and decision trees, with the file's numerals (and 0, 1) as constants.
- **cvc5 builds**: the wheel (1.4.2) with `sygus-si=all` and its default `sygus-si-rcons` policy fails
  to rebuild the reference inside the d5 grammars (timeouts), where Debian's 1.0.3 takes 0.01-0.1 s;
  (`sygus-si-rcons=try` fixes it in the wheel: hd-01-d5 in 0.03 s). The wheel is also the one that
  solves none of PBE in 10 s, as the benchmark README says. Both are reported; comparison (a) uses
  the wheel at its defaults, comparison (b) the best build and configuration per track.
- **Not translated**: `jmbl_fg_VC22_a` calls the function on arguments computed from its own result
  and quantifies variables that are not its arguments; the search's relational spec judges one call
  per example, so the harness reports it unsupported (unsolved). `diff`, `small` and
  `small_linear_func` call `f(x, y)` and `f(y, x)`: the spec reads the second call across examples.
"""


def render(doc: dict[str, Any]) -> str:
    """The RESULTS.md section (heading included)."""
    limit = doc["timeout"]
    results = [_load_result(r) for r in doc["problems"]]
    builds = doc["builds"]
    env = doc["env"]
    lines = [HEADING, ""]
    lines.append(f"`{doc['command']}` — {env['date']}; {env['cores']} cores ({env['cpu']}), load average "
                 f"{env['load_start']} at start, {env['load_end']} at the end; Python {env['python']}; "
                 f"numpy {env['numpy']}; cvc5 wheel {env['cvc5_wheel']}, Debian cvc5 {env['cvc5_binary']}.")
    lines.append("")
    lines.append(f"{len(results)} problems from `../shared/bench/sygus/` (see its README), one at a time, "
                 f"{limit:g} s wall clock per problem and solver with a hard kill. A cell is wall seconds "
                 "(CPU seconds of the child in parentheses) on the harness clock, which starts when the "
                 "child has imported its libraries (Python children print `READY`; the cvc5 binary at its "
                 "start); `timeout` was killed or gave up at the limit. Own clock: the solver's own "
                 "timer around parse + translate + solve (the binary: its whole run). jbgen's answers are "
                 "all checked by cvc5 (negated constraint, `unsat` = correct on every input); an answer "
                 "that fails the check counts as unsolved. PAR-2: mean of the time, twice the limit when "
                 "unsolved. Size: nodes of the program (jbgen: its term; cvc5: its SMT-LIB body, `let`s "
                 "expanded).")
    lines.append("")
    for track in TRACKS:
        rs = [r for r in results if r.track == track]
        if not rs:
            continue
        lines.append(f"### {track} ({len(rs)} problems)")
        lines.append("")
        cols = ["jbgen"] + [f"cvc5-{b}-{si}" for b in builds for si in CONFIGS]
        head = ["problem", "jbgen s", "jbgen size"] + [f"{c.removeprefix('cvc5-')} s" for c in cols[1:]] + \
               ["cvc5 size"]
        lines.append("| " + " | ".join(head) + " |")
        lines.append("| --- |" + " ---: |" * (len(head) - 1))
        for r in rs:
            jb = r.runs.get("jbgen")
            row = [r.name, _cell(jb), str(jb.size) if jb and jb.solved and jb.size else ""]
            row += [_cell(r.runs.get(c)) for c in cols[1:]]
            sizes = sorted({r.runs[c].size for c in cols[1:] if c in r.runs and r.runs[c].solved
                            and r.runs[c].size is not None})
            row.append("–".join(str(s) for s in (sizes[:1] + sizes[-1:] if len(sizes) > 1 else sizes)))
            lines.append("| " + " | ".join(row) + " |")
        lines.append("")
        lines.append("| solver | solved | median s (solved) | median s, own clock | total s | PAR-2 s | CPU s "
                     "| median size |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for c in cols:
            s = summarize(rs, c, limit)
            if not s["problems"]:
                continue
            lines.append(f"| {c} | {s['solved']}/{s['problems']} | {_fmt(s['median_s'])} | "
                         f"{_fmt(s['median_own_s'])} | {_fmt(s['total_s'], 1)} | {_fmt(s['par2_s'])} | "
                         f"{_fmt(s['cpu_s'], 1)} | {_fmt(s['median_size'], 0)} |")
        lines.append("")
        for label, ref in (("(a) against the PyPI wheel at its default options", PEER),
                           ("(b) against the best cvc5 configuration on this track",
                            best_config(rs, builds, limit))):
            if not any(ref in r.runs for r in rs):
                continue
            both = both_solved(rs, "jbgen", ref)
            sj, sc = summarize(rs, "jbgen", limit), summarize(rs, ref, limit)
            lines.append(f"- {label}, `{ref}`: jbgen solves {sj['solved']}, cvc5 {sc['solved']}; on the "
                         f"{both['n']} both solve, median {_fmt(both['a'])} s against {_fmt(both['b'])} s (own "
                         f"clocks {_fmt(both['a_own'])} against {_fmt(both['b_own'])}; CPU {_fmt(both['a_cpu'])} "
                         f"against {_fmt(both['b_cpu'])}).")
        lines.append("")
        odd = [r for r in rs if r.runs.get("jbgen") and (r.runs["jbgen"].status in (
            "wrong", "mismatch", "unverified", "unsupported") or "2^32" in r.runs["jbgen"].note)]
        for r in odd:
            o = r.runs["jbgen"]
            lines.append(f"- `{r.name}`: jbgen **{o.status}**: {o.note}" +
                         (f" (answer `{o.answer}`)" if o.answer else ""))
        if odd:
            lines.append("")
    lines.append("### Overall")
    lines.append("")
    lines.append("Two comparisons, both on every problem of the set: **(a)** against the issue's peer, the "
                 f"PyPI wheel at its default options (`{PEER}`: `sygus-si=none` is the wheel's default); "
                 "**(b)** against the best of the four cvc5 columns on each track (most solved, then least "
                 "total time), which is a different build and configuration per track.")
    lines.append("")
    verdicts = []
    for label, pick in (("(a)", lambda rs: PEER), ("(b)", lambda rs: best_config(rs, builds, limit))):
        lines.append(f"| {label} track | cvc5 held against | jbgen solved | cvc5 solved | both | "
                     "jbgen median (both) | cvc5 median (both) | own clocks | CPU |")
        lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        tot_j = tot_c = 0
        pj: list[Outcome] = []
        pc: list[Outcome] = []
        for track in TRACKS:
            rs = [r for r in results if r.track == track]
            if not rs:
                continue
            ref = pick(rs)
            sj, sc = summarize(rs, "jbgen", limit), summarize(rs, ref, limit)
            tot_j += sj["solved"]
            tot_c += sc["solved"]
            for r in rs:
                if ref in r.runs and r.runs["jbgen"].solved and r.runs[ref].solved:
                    pj.append(r.runs["jbgen"])
                    pc.append(r.runs[ref])
            b = both_solved(rs, "jbgen", ref)
            lines.append(f"| {track} | {ref} | {sj['solved']}/{len(rs)} | {sc['solved']}/{len(rs)} | {b['n']} | "
                         f"{_fmt(b['a'])} | {_fmt(b['b'])} | {_fmt(b['a_own'])} / {_fmt(b['b_own'])} | "
                         f"{_fmt(b['a_cpu'])} / {_fmt(b['b_cpu'])} |")
        mj = _median([o.seconds for o in pj if o.seconds is not None])
        mc = _median([o.seconds for o in pc if o.seconds is not None])
        mj_own = _median([o.solve for o in pj if o.solve is not None])
        mc_own = _median([o.solve for o in pc if o.solve is not None])
        mj_cpu = _median([o.cpu for o in pj if o.cpu is not None])
        mc_cpu = _median([o.cpu for o in pc if o.cpu is not None])
        lines.append(f"| all | | {tot_j}/{len(results)} | {tot_c}/{len(results)} | {len(pj)} | {_fmt(mj)} | "
                     f"{_fmt(mc)} | {_fmt(mj_own)} / {_fmt(mc_own)} | {_fmt(mj_cpu)} / {_fmt(mc_cpu)} |")
        lines.append("")
        t1 = "met" if tot_j >= tot_c else "missed"
        t2 = "met" if mj is not None and mc is not None and mj <= mc else "missed"
        t2own = "met" if mj_own is not None and mc_own is not None and mj_own <= mc_own else "missed"
        verdicts.append(f"{label}: **at least as many solved: {t1}** ({tot_j} against {tot_c}); **median time on "
                        f"the {len(pj)} problems both solve no worse: {t2}** on the harness clock ({_fmt(mj)} s "
                        f"against {_fmt(mc)} s), {t2own} on the solvers' own clocks ({_fmt(mj_own)} s against "
                        f"{_fmt(mc_own)} s).")
    lines.append(f"Targets at {limit:g} s:")
    lines.append("")
    lines.extend(f"- {v}" for v in verdicts)
    lines.append("")
    lines.extend(render_knobs(doc))
    dividing = [r.name for r in results if r.runs.get("jbgen") and r.runs["jbgen"].answer
                and re.search(r" / | % |divideUnsigned|remainderUnsigned", r.runs["jbgen"].answer)]
    divides = (f"jbgen answers that divide: {', '.join(dividing)}." if dividing
               else "No jbgen answer divides, so the guards only matter in principle.")
    lines.append(SEMANTICS.format(divides=divides))
    return "\n".join(lines)


def _options_of(command: str) -> str:
    opts = re.findall(r"--jbgen-option (\S+)", command)
    return ", ".join(f"`{o}`" for o in opts) or "defaults"


def render_knobs(doc: dict[str, Any]) -> list[str]:
    """jbgen-only runs with other SearchOptions (``bench/.work/results/sygus-knobs-*.json``) beside the
    default run, on the problems they cover: what a knob would change."""
    paths = sorted(RESULTS_JSON.parent.glob("sygus-knobs-*.json"))
    if not paths:
        return []
    runs = [json.loads(p.read_text()) for p in paths]
    names = [r["name"] for r in runs[0]["problems"]]
    base = {r["name"]: _load_result(r) for r in doc["problems"]}
    tuned = [{r["name"]: _load_result(r) for r in d["problems"]} for d in runs]
    lines = ["### jbgen with other search options (jbgen only; findings for the search's defaults)", ""]
    for d in runs:
        lines.append(f"- `{d['command']}` — {d['env']['date']}, load {d['env']['load_start']}")
    lines.append("")
    head = ["problem", "defaults (main run)"] + [_options_of(d["command"]) for d in runs]
    lines.append("| " + " | ".join(head) + " |")
    lines.append("| --- |" + " ---: |" * (len(head) - 1))

    def cell(r: ProblemResult | None) -> str:
        if r is None or "jbgen" not in r.runs:
            return ""
        o = r.runs["jbgen"]
        return f"{_cell(o)}, size {o.size}" if o.solved else o.status

    for n in names:
        lines.append("| " + " | ".join([n, cell(base.get(n))] + [cell(t.get(n)) for t in tuned]) + " |")
    limit = doc["timeout"]
    sums = [summarize([base[n] for n in names if n in base], "jbgen", limit)]
    sums += [summarize([t[n] for n in names if n in t], "jbgen", limit) for t in tuned]
    lines.append("| **solved, median s** | " + " | ".join(f"{s['solved']}/{s['problems']}, {_fmt(s['median_s'])}"
                                                       for s in sums) + " |")
    lines.append("")
    return lines


def _load_result(d: dict[str, Any]) -> ProblemResult:
    r = ProblemResult(d["name"], d["track"], notes=d.get("notes", []), load=d.get("load", 0.0))
    r.runs = {k: Outcome(**v) for k, v in d["runs"].items()}
    return r


def write_section(text: str, path: Path = RESULTS_MD) -> None:
    """Replace (or append) this benchmark's section only; the file is re-read right before writing."""
    old = path.read_text() if path.exists() else "# Benchmark results\n"
    lines = old.splitlines(keepends=True)
    start = next((i for i, ln in enumerate(lines) if ln.rstrip() == HEADING), None)
    if start is None:
        new = old.rstrip("\n") + "\n\n" + text.rstrip("\n") + "\n"
    else:
        end = next((i for i in range(start + 1, len(lines))
                    if lines[i].startswith("## ") or lines[i].startswith("<!-- figures")), len(lines))
        # The analysis written by hand (a "### Analysis" subsection) survives a re-render.
        keep = next((i for i in range(start, end) if lines[i].startswith(ANALYSIS)), end)
        kept = "".join(lines[keep:end]).rstrip("\n")
        new = "".join(lines[:start]) + text.rstrip("\n") + "\n" + ("\n" + kept + "\n" if kept else "") + \
            ("\n" if end < len(lines) else "") + "".join(lines[end:])
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(new)
    tmp.replace(path)


# ----------------------------------------------------------------------------- environment


def _bench_python() -> Path | None:
    from _common import bench_python

    try:
        return bench_python()
    except (subprocess.CalledProcessError, OSError) as exc:
        print(f"no bench venv (cvc5 wheel): {exc}", file=sys.stderr)
        return None


def environment(bench_py: Path | None) -> dict[str, Any]:
    import numpy as np

    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                   if ln.startswith("model name"))
    wheel = "—"
    if bench_py is not None:
        r = subprocess.run([str(bench_py), "-c", "import cvc5; print(cvc5.__version__)"], capture_output=True,
                           text=True)
        wheel = r.stdout.strip() or "?"
    binary = "—"
    exe = shutil.which("cvc5")
    if exe:
        r = subprocess.run([exe, "--version"], capture_output=True, text=True)
        m = re.search(r"version (\S+)", r.stdout)
        binary = m.group(1) if m else "?"
    return {"date": _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), "cores": os.cpu_count(), "cpu": cpu,
            "os": platform.platform(), "python": platform.python_version(), "numpy": np.__version__,
            "cvc5_wheel": wheel, "cvc5_binary": binary}


def _loadavg() -> str:
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


# ----------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--timeout", type=float, default=10.0, help="wall-clock seconds per problem and solver (10)")
    ap.add_argument("--only", default=None, help="glob or substring of the file names to run (e.g. 'hd-0*')")
    ap.add_argument("--jobs", type=int, default=1, help="problems at a time (1: the protocol's setting)")
    ap.add_argument("--sygus-dir", default=None, help=f"the benchmark folder (JBGEN_SYGUS_DIR; {DEFAULT_DIR})")
    ap.add_argument("--cvc5", default="wheel,binary", help="cvc5 builds to run: wheel, binary or both (default)")
    ap.add_argument("--no-cvc5", action="store_true", help="jbgen only")
    ap.add_argument("--no-check", action="store_true", help="do not check jbgen's answers with cvc5")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jbgen-option", action="append", default=[], metavar="KEY=VALUE",
                    help="a SearchOptions field for jbgen (repeatable), e.g. extra_terms=0")
    ap.add_argument("--json", default=None, help="where to save the figures (default bench/.work/results/sygus.json)")
    ap.add_argument("--write-results", action="store_true", help="rewrite this section of bench/RESULTS.md")
    ap.add_argument("--render-only", action="store_true", help="re-render RESULTS.md from the saved JSON")
    ap.add_argument("--child-jbgen", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child_jbgen:
        return child_jbgen(args.child_jbgen, args.timeout, args.seed, args.jbgen_option)
    if args.render_only:
        doc = json.loads(Path(args.json or RESULTS_JSON).read_text())
        text = render(doc)
        print(text)
        if args.write_results:
            write_section(text)
        return 0
    args.cvc5 = [b.strip() for b in args.cvc5.split(",") if b.strip() in BUILDS]
    root = sygus_dir(args.sygus_dir)
    files = sygus_files(root)
    if args.only:
        files = [p for p in files if fnmatch.fnmatch(p.name, args.only) or args.only in str(p)]
    if not files:
        print(f"no .sl files under {root}" + (f" matching {args.only!r}" if args.only else ""), file=sys.stderr)
        return 2
    bench_py = None if (args.no_cvc5 and args.no_check) else _bench_python()
    env = environment(bench_py)
    env["load_start"] = _loadavg()
    print(f"{len(files)} problems, {args.timeout:g} s each; load {env['load_start']}", file=sys.stderr)
    results: list[ProblemResult] = []

    def one(p: Path) -> ProblemResult:
        r = run_problem(p, args, bench_py)
        cells = "  ".join(f"{k}={_cell(o)}" for k, o in r.runs.items())
        size = r.runs["jbgen"].size if r.runs["jbgen"].solved else "-"
        print(f"{r.name:32} {cells}  size={size}", flush=True)
        return r

    with ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(one, files))
    env["load_end"] = _loadavg()
    cmd = " ".join(["python", "bench/sygus.py", *(argv if argv is not None else sys.argv[1:])])
    doc = {"command": cmd, "timeout": args.timeout, "builds": args.cvc5, "env": env,
           "problems": [{**{k: v for k, v in asdict(r).items() if k != "runs"},
                         "runs": {k: asdict(o) for k, o in r.runs.items()}} for r in results]}
    out = Path(args.json) if args.json else RESULTS_JSON if not args.only else \
        RESULTS_JSON.with_name("sygus-partial.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"figures in {out}", file=sys.stderr)
    text = render(doc)
    print()
    print(text)
    if args.write_results:
        if args.only or args.jbgen_option:
            print("not writing RESULTS.md for a partial or tuned run (--only, --jbgen-option)", file=sys.stderr)
        else:
            write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
