"""Tokens: a method as Java source against the same method as jbgen assembly (and javap).

    python bench/tokens.py

The methods of ``bench/tokens/Methods.java`` are compiled by the system
``javac -g`` into ``bench/.work/tokens/``.  For each method three texts are
counted with Claude's tokenizer (the ``tokenizer.json`` shipped in the
``anthropic`` 0.34.2 wheel, loaded with ``tokenizers`` in the bench venv):

(a) its Java source: header line to closing brace, exactly as in the file;
(b) its jbgen assembly as a model would write it: ``print_class(read_class(bytes),
    debug=False)`` cut to the method (header line to closing brace), plus the
    synthetic ``lambda$NAME$N`` methods javac made from its lambdas;
(c) ``javap -c -p`` of the method (and of its lambdas), for reference.

No class wrapper is counted on either side.  Every (b) text is checked to be
real: each is put alone in a class (the printed class header, renamed per
method), all are assembled by one ``jbgen asm`` run and verified by one
``jbgen verify`` run (structure, ClassFile.verify, HotSpot link).  The
assembly tokens are then broken down per kind of line (instruction family,
labels, directives, headers), and a few syntax variants are counted, to show
which changes would pay (see RESULTS.md).
"""

from __future__ import annotations

import collections
import hashlib
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import _common as c  # noqa: E402

SOURCE = c.BENCH / "tokens" / "Methods.java"
OUT = c.WORK / "tokens"
CLASS_FILE = OUT / "bench" / "Methods.class"
ANTHROPIC = "anthropic==0.34.2"
TOKENIZER = c.WORK / "tokenizer.json"
TARGET = 1.6


# ----------------------------------------------------------------------------- set-up


def ensure_tokenizer() -> Path:
    """Claude's tokenizer.json, from the anthropic 0.34.2 wheel (downloaded, not installed)."""
    if TOKENIZER.is_file():
        return TOKENIZER
    py = c.bench_python()
    wheels = c.WORK / "wheels"
    subprocess.run([str(py), "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(wheels), ANTHROPIC], check=True)
    wheel = next(wheels.glob("anthropic-0.34.2-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        TOKENIZER.write_bytes(zf.read("anthropic/tokenizer.json"))
    return TOKENIZER


def count_tokens(texts: list[str], offsets: bool = False) -> list:
    """Token counts (or token offsets), computed in the bench venv: jbgen's environment has no ``tokenizers``."""
    py = c.bench_python()
    cmd = [str(py), str(c.BENCH / "_tokcount.py"), str(ensure_tokenizer())] + (["--offsets"] if offsets else [])
    r = subprocess.run(cmd, input=json.dumps(texts), capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def tokens_per_line(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """Tokens of ``text`` (tokenized whole) charged to its lines.

    A token goes to the line of its first non-blank character; a blank token
    (a newline with the next line's indentation, which the tokenizer merges)
    goes to the line where it ends, so each line pays for its own indentation.
    The counts add up to the text's token count.
    """
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    per = [0] * len(starts)

    def line_of(pos: int) -> int:
        lo, hi = 0, len(starts) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if starts[mid] <= pos:
                lo = mid
            else:
                hi = mid - 1
        return lo

    for a, b in offsets:
        piece = text[a:b]
        stripped = len(piece) - len(piece.lstrip())
        pos = a + stripped if stripped < len(piece) else max(a, b - 1)
        per[min(line_of(pos), len(per) - 1)] += 1
    return per


def compile_methods() -> bytes:
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(["javac", "-g", "-d", str(OUT), str(SOURCE)], check=True)
    return CLASS_FILE.read_bytes()


# ----------------------------------------------------------------------------- slicing


def _blocks(text: str, header: re.Pattern[str], end: str) -> dict[str, str]:
    """Name -> text from a header line (matching ``header``, group 1 the name) to the line ``end``."""
    out: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    i = 0
    while i < len(lines):
        mt = header.match(lines[i])
        if mt is None:
            i += 1
            continue
        j = i
        while lines[j].rstrip("\n") != end:
            j += 1
        name = mt.group(1)
        if name in out:
            sys.exit(f"two methods named {name}: the benchmark needs unique names")
        out[name] = "".join(lines[i : j + 1])
        i = j + 1
    return out


_JAVA_HEADER = re.compile(r"^    (?:(?:public|private|protected|static|final|synchronized) )+[\w<>\[\], ]+? (\w+)\([^)]*\) \{$")
_ASM_HEADER = re.compile(r"^    (?![ .@L]).*?([\w$<>]+)\([^)]*\).*\{$")


def java_methods(src: str) -> dict[str, str]:
    return _blocks(src, _JAVA_HEADER, "    }")


def asm_methods(text: str) -> dict[str, str]:
    return _blocks(text, _ASM_HEADER, "    }")


def javap_methods(text: str) -> dict[str, str]:
    """``javap -c -p`` blocks: the two-space header line to the line before the blank line."""
    out: dict[str, str] = {}
    lines = text.splitlines(keepends=True)
    for i, line in enumerate(lines):
        mt = re.match(r"^  \S.*?([\w$]+)\([^)]*\).*;$", line)
        if mt is None:
            continue
        j = i + 1
        while j < len(lines) and lines[j].rstrip("\n") not in ("", "}"):
            j += 1
        out[mt.group(1)] = "".join(lines[i:j])
    return out


def with_lambdas(methods: dict[str, str], name: str) -> str:
    """The method's text followed by the synthetic lambda methods javac made from it."""
    parts = [methods[name]]
    parts += [t for n, t in methods.items() if re.fullmatch(rf"lambda\${re.escape(name)}\$\d+", n)]
    return "\n".join(parts) if len(parts) > 1 else parts[0]


# ----------------------------------------------------------------------------- kinds of lines


_FAMILIES = [
    ("local load/store", r"[ilfda](load|store)(_\d)?|iinc|wide"),
    ("constant", r"[il]const_(m1|\d)|[fd]const_\d|aconst_null|bipush|sipush|ldc(_w|2_w)?|push"),
    ("compare+branch", r"if\w*|goto(_w)?|[lfd]cmp[lg]?"),
    ("invoke (not indy)", r"invoke(static|virtual|special|interface)"),
    ("invokedynamic", r"invokedynamic"),
    ("arithmetic/logic", r"[ilfd](add|sub|mul|div|rem|neg|shl|shr|ushr|and|or|xor)|[ilfd]2[ilfdbcs]"),
    ("array", r"[ilfdabcs]aload|[ilfdabcs]astore|arraylength|newarray|anewarray|multianewarray"),
    ("return", r"[ilfda]?return"),
    ("field", r"(get|put)(field|static)"),
    ("object/stack", r"new|dup\w*|pop2?|swap|checkcast|instanceof|athrow|monitor\w+"),
    ("switch", r"tableswitch|lookupswitch"),
]


def kind(line: str) -> str:
    s = line.strip()
    if not s:
        return "blank"
    if line.startswith("    ") and not line.startswith("     ") and s.endswith("{"):
        return "method header"
    if s == "}":
        return "closing brace"
    if re.fullmatch(r"[\w$]+:", s):
        return "label"
    if re.fullmatch(r"(-?\d+|default): [\w$]+", s):
        return "switch case"
    if s.startswith("."):
        return s.split()[0]
    op = s.split()[0]
    for fam, pat in _FAMILIES:
        if re.fullmatch(pat, op):
            return fam
    return "other: " + op


# ----------------------------------------------------------------------------- syntax variants

_PUSH = re.compile(r"^(\s+)(?:iconst_(m1|\d)|lconst_(\d)|bipush (-?\d+)|sipush (-?\d+)|ldc2_w (-?\d+L)|ldc (-?\d+|\"(?:[^\"\\]|\\.)*\"))$", re.M)


def _push(mt: re.Match[str]) -> str:
    ind, ic, lc, bi, si, l2, ldc = mt.groups()
    if ic is not None:
        v = "-1" if ic == "m1" else ic
    elif lc is not None:
        v = lc + "L"
    else:
        v = bi or si or l2 or ldc
    return f"{ind}push {v}"


def _untyped(text: str) -> str:
    text = re.sub(r"^(\s+)[ilfda](load|store)(?=\s)", r"\1\2", text, flags=re.M)
    return re.sub(r"^(\s+)[ilfda]return$", r"\1return", text, flags=re.M)


def _no_local_decls(text: str) -> str:
    return re.sub(r"^\s+\.local [^\n]*\n", "", text, flags=re.M)


def _no_indent(text: str) -> str:
    return re.sub(r"^ +", "", text, flags=re.M)


def _no_descriptors(text: str) -> str:
    return re.sub(r"^(\s+invoke(?:static|virtual|special|interface) (?:interface )?[\w$.]+)\([^)]*\)\S+$", r"\1",
                  text, flags=re.M)


def _inline_labels(text: str) -> str:
    return re.sub(r"^(\s+[\w$]+:)\n\s+(?=[a-z])", r"\1 ", text, flags=re.M)


def _today(text: str) -> str:
    return _inline_labels(_PUSH.sub(_push, text))


def _imports(text: str) -> str:
    return re.sub(r"\b(?:[a-z]\w*\.)+(?=[A-Z])", "", text)


def _short_lambda(text: str) -> str:
    return re.sub(r"lambda invokeStatic ([\w$.]+(\([^)]*\)\S+)) \2 \2$", r"lambda \1", text, flags=re.M)


_TYPE_LETTER = {"int": "i", "boolean": "i", "byte": "i", "char": "i", "short": "i", "long": "l", "float": "f", "double": "d"}


def _all(text: str) -> str:
    """Every variant but `no indent`; a local declared by its first store keeps that store typed."""
    declared = re.findall(r"^\s+\.local (\S+) (\S+)", text, flags=re.M)
    text = _no_local_decls(_untyped(_PUSH.sub(_push, text)))
    for typ, name in declared:
        letter = _TYPE_LETTER.get(typ, "a")
        text = re.sub(rf"^(\s+)store {re.escape(name)}$", rf"\g<1>{letter}store {name}", text, count=1, flags=re.M)
    for fn in (_no_descriptors, _imports, _short_lambda):
        text = fn(text)
    return text


def _grouped_loads(text: str) -> str:
    text = _all(text)
    pat = re.compile(r"^(\s+)load ([^\n]+)\n\s+load (\S+)$", re.M)
    while True:
        new = pat.sub(r"\1load \2 \3", text)
        if new == text:
            return text
        text = new


def _with_inline_labels(fn: object) -> object:
    return lambda t: _inline_labels(fn(t))  # type: ignore[operator]


VARIANTS: list[tuple[str, str, object]] = [
    ("push", "`push N` for iconst/bipush/sipush/ldc (the parser accepts it today)", lambda t: _PUSH.sub(_push, t)),
    ("inline labels", "`L0: iload x` on one line (the parser accepts it today)", _inline_labels),
    ("today", "`push` and inline labels together: what the printer could print today", _today),
    ("untyped", "`load x`/`store x`/`return`: type from the local's declaration (new syntax)", _untyped),
    ("no .local", "no `.local` lines: a local is declared by its first store (new syntax)", _no_local_decls),
    ("no indent", "no indentation", _no_indent),
    ("no invoke descriptors", "`invokestatic Math.min` without `(int,int)int` when not overloaded (new syntax)", _no_descriptors),
    ("imports", "simple names for imported classes (a class-level `.import`, not counted)", _imports),
    ("short lambda", "`lambda Impl.m(int)int` when both method types equal the impl's (new syntax)", _short_lambda),
    ("all but indent", "all of the above except `no indentation` (a local's first store stays typed)",
     _with_inline_labels(_all)),
    ("grouped loads", "and `load a b` for consecutive loads (new syntax)", _with_inline_labels(_grouped_loads)),
]


# ----------------------------------------------------------------------------- checks


def check_texts(header: str, texts: dict[str, str], today_texts: dict[str, str]) -> dict[str, object]:
    """Assemble each method text alone in a class with ``jbgen asm``, then ``jbgen verify`` them all."""
    import shutil

    from disasm import jbgen_command

    chk = OUT / "check"
    if chk.exists():
        shutil.rmtree(chk)
    classes = chk / "classes"
    parts = []
    for prefix, group in (("Methods_", texts), ("MethodsToday_", today_texts)):
        for name, body in group.items():
            head = header.replace("class bench.Methods {", f"class bench.{prefix}{name} {{")
            parts.append(head + body + "}\n")
    src = chk / "methods.jbasm"
    src.parent.mkdir(parents=True)
    src.write_text("\n".join(parts))
    asm = subprocess.run([*jbgen_command(), "asm", "-o", str(classes), str(src)], capture_output=True, text=True)
    if asm.returncode != 0:
        return {"ok": False, "stage": "asm", "output": (asm.stdout + asm.stderr)[-3000:]}
    ver = subprocess.run([*jbgen_command(), "verify", "--json", str(classes)], capture_output=True, text=True)
    doc = json.loads(ver.stdout) if ver.stdout.strip().startswith("{") else {}
    n = doc.get("summary", {}).get("classes", 0)
    return {"ok": ver.returncode == 0 and n == len(parts), "stage": "verify", "classes": n,
            "failed": doc.get("summary", {}).get("failed"),
            "output": "" if ver.returncode == 0 else (ver.stdout + ver.stderr)[-3000:]}


# ----------------------------------------------------------------------------- main


def main() -> None:
    from jbgen.asm.printer import print_class
    from jbgen.asm.reader import read_class

    data = compile_methods()
    src = SOURCE.read_text()
    printed = print_class(read_class(data, str(CLASS_FILE)), str(CLASS_FILE), debug=False)
    javap = subprocess.run(["javap", "-c", "-p", str(CLASS_FILE)], capture_output=True, text=True, check=True).stdout
    (OUT / "Methods.jbasm").write_text(printed)
    (OUT / "Methods.javap").write_text(javap)

    java = java_methods(src)
    asm_all = asm_methods(printed)
    javap_all = javap_methods(javap)
    names = list(java)
    if len(names) < 20:
        sys.exit(f"only {len(names)} methods in {SOURCE}")
    missing = [n for n in names if n not in asm_all or n not in javap_all]
    if missing:
        sys.exit(f"methods not found in the assembly or javap text: {missing}")
    asm = {n: with_lambdas(asm_all, n) for n in names}
    jp = {n: with_lambdas(javap_all, n) for n in names}
    header = printed[: printed.index(asm_all["<init>"])] if "<init>" in asm_all else printed.split("\n\n", 1)[0] + "\n\n"

    variants = {key: {n: fn(asm[n]) for n in names} for key, _, fn in VARIANTS}  # type: ignore[operator]
    check = check_texts(header, asm, variants["today"])

    # One tokenizer call for the three texts per method and every variant,
    # one for the token offsets of the assembly texts (tokens per kind of line).
    batch = [java[n] for n in names] + [asm[n] for n in names] + [jp[n] for n in names]
    for key, _, _ in VARIANTS:
        batch += [variants[key][n] for n in names]
    counts = count_tokens(batch)
    k = len(names)
    tj, ta, tp = counts[:k], counts[k : 2 * k], counts[2 * k : 3 * k]
    var_totals = {key: sum(counts[(3 + i) * k : (4 + i) * k]) for i, (key, _, _) in enumerate(VARIANTS)}

    per_kind: dict[str, list[int]] = collections.defaultdict(lambda: [0, 0])
    for n, offs in zip(names, count_tokens([asm[n] for n in names], offsets=True), strict=True):
        for ln, t in zip(asm[n].split("\n"), tokens_per_line(asm[n], offs), strict=True):
            if ln.strip() or t:
                kk = kind(ln)
                per_kind[kk][0] += t
                per_kind[kk][1] += 1
    line_total = sum(t for t, _ in per_kind.values())

    rows = []
    print(f"{'method':14}{'java':>6}{'asm':>6}{'javap':>7}{'asm/java':>10}{'javap/java':>12}")
    for n, a, b, p in zip(names, tj, ta, tp, strict=True):
        rows.append({"method": n, "java": a, "asm": b, "javap": p, "asm_ratio": b / a, "javap_ratio": p / a})
        print(f"{n:14}{a:6}{b:6}{p:7}{b / a:10.2f}{p / a:12.2f}")
    sj, sa, sp = sum(tj), sum(ta), sum(tp)
    print(f"{'total':14}{sj:6}{sa:6}{sp:7}{sa / sj:10.2f}{sp / sj:12.2f}   (target asm/java <= {TARGET})")

    print(f"\nassembly tokens per kind of line ({line_total} tokens; a line pays for its indentation):")
    kinds_rows = []
    for kk, (t, nl) in sorted(per_kind.items(), key=lambda kv: -kv[1][0]):
        kinds_rows.append({"kind": kk, "tokens": t, "lines": nl, "per_line": t / nl, "share": t / line_total})
        print(f"  {kk:22}{t:6} tokens {nl:5} lines {t / nl:5.1f}/line {100 * t / line_total:5.1f}%")
    print("\nsyntax variants (same methods, whole-method texts):")
    var_rows = []
    for key, desc, _ in VARIANTS:
        v = var_totals[key]
        var_rows.append({"variant": key, "description": desc, "asm": v, "saved": sa - v, "asm_ratio": v / sj})
        print(f"  {desc:90} {v:6} tokens ({sa - v:+5} saved), asm/java {v / sj:.2f}")
    print(f"\nevery assembly text assembles and verifies: {check['ok']}"
          + (f" ({check.get('classes')} classes: the {k} texts and their `today` variants)" if check["ok"] else ""))
    if not check["ok"]:
        print(check.get("output", ""))

    c.save("tokens", {
        "methods": rows,
        "total": {"java": sj, "asm": sa, "javap": sp, "asm_ratio": sa / sj, "javap_ratio": sp / sj},
        "target": TARGET,
        "kinds": kinds_rows,
        "variants": var_rows,
        "check": check,
        "tokenizer": f"anthropic 0.34.2 tokenizer.json (sha256 {hashlib.sha256(TOKENIZER.read_bytes()).hexdigest()[:16]})",
        "javac": subprocess.run(["javac", "-version"], capture_output=True, text=True).stdout.strip()
        or subprocess.run(["javac", "-version"], capture_output=True, text=True).stderr.strip(),
    })
    if not check["ok"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
