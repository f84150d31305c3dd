"""Tokens: a method as Java source against the same method as jbgen assembly (and javap).

    python bench/tokens.py

The methods of ``bench/tokens/Methods.java`` are compiled by the system
``javac -g`` into ``bench/.work/tokens/``.  For each method three texts are
counted with Claude's tokenizer (the ``tokenizer.json`` shipped in the
``anthropic`` 0.34.2 wheel, loaded with ``tokenizers`` in the bench venv):

(a) its Java source: header line to closing brace, exactly as in the file;
(b) its jbgen assembly as a model would write it: ``print_class(read_class(bytes),
    debug=False)`` (the disassembler's default form: several instructions to a
    line, short forms) cut to the method (header line to closing brace), plus
    the synthetic ``lambda$NAME$N`` methods javac made from its lambdas;
(c) ``javap -c -p`` of the method (and of its lambdas), for reference.

No class wrapper is counted on either side.  Every (b) text is checked to be
real: each is put alone in a class (the printed class header, renamed per
method), all are assembled by one ``jbgen asm`` run and verified by one
``jbgen verify`` run (structure, ClassFile.verify, HotSpot link), together
with the ``flat`` form of each.  The assembly tokens are then broken down per
kind of word (local loads and stores, constants, instruction families,
labels, directives, headers, line breaks), and a few other forms of the same
texts are counted, to show which further changes would pay (see RESULTS.md).
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


# ----------------------------------------------------------------------------- kinds of words


_FAMILIES = [
    ("local load/store", r"[ilfda](load|store)(_\d)?|iinc|wide|exact|load|store"),
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
# Operand words after a mnemonic (the rest of the line for invokedynamic and switches).
_OPERANDS = {"iinc": 2, "multianewarray": 2, "invokedynamic": 99, "tableswitch": 99, "lookupswitch": 99,
             "wide": 0, "exact": 0}


def _family(op: str) -> str | None:
    for fam, pat in _FAMILIES:
        if re.fullmatch(pat, op):
            return fam
    return None


def word_kinds(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, kind)`` of every word of a method text.

    Header, closing brace, directive and switch-case lines are one kind each;
    in an instruction line a label is `label`, a mnemonic and its operand words
    the mnemonic's family, a local's name alone or after `load`/`store` is a
    local load/store, and a literal is a constant.
    """
    from jbgen.asm import ops

    out: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        s = line.strip()
        spans = [(mt.start() + pos, mt.end() + pos, mt.group()) for mt in re.finditer(r"\"(?:[^\"\\]|\\.)*\"|\S+", line)]
        pos += len(line) + 1
        if not spans:
            continue
        if line.startswith("    ") and not line.startswith("     ") and s.endswith("{") and not re.match(r"[\w$]+:", s):
            whole = "method header"
        elif s == "}":
            whole = "closing brace"
        elif s.startswith("."):
            whole = s.split()[0]
        elif re.fullmatch(r"(-?\d+|default): [\w$]+", s):
            whole = "switch case"
        else:
            whole = ""
        if whole:
            out += [(a, b, whole) for a, b, _ in spans]
            continue
        left = 0
        kind = ""
        for a, b, w in spans:
            if left > 0:
                left -= 1
            elif a == spans[0][0] and re.fullmatch(r"[\w$]+:", w):
                kind = "label"
            elif w in ops.FAMILY or w in ("push", "load", "store", "wide", "exact"):
                kind = _family(w) or "other: " + w
                fam = ops.FAMILY.get(w)
                left = _OPERANDS.get(w, 0 if fam == ops.NONE else 1)
                if w in ("push", "load", "store"):
                    left = 1
            elif w == "interface":
                left = 1  # `invokestatic interface Owner.m()...`: the reference follows
            elif w[0] in "0123456789-+\"'":
                kind = "constant"
            else:
                kind = "local load/store"
            out.append((a, b, kind))
    return out


def tokens_per_kind(text: str, offsets: list[tuple[int, int]]) -> dict[str, int]:
    """Tokens of ``text`` charged to the kind of the word they start in; blank tokens to line breaks."""
    kinds = word_kinds(text)
    starts = [a for a, _, _ in kinds]
    out: dict[str, int] = collections.Counter()
    import bisect

    for s0, e0 in offsets:
        j = s0
        while j < e0 and text[j].isspace():
            j += 1
        if j >= e0:
            out["line breaks and indentation"] += 1
            continue
        i = bisect.bisect_right(starts, j) - 1
        out[kinds[i][2] if i >= 0 and kinds[i][0] <= j < kinds[i][1] else "line breaks and indentation"] += 1
    return out


# ----------------------------------------------------------------------------- other forms


_TYPE_LETTER = {"int": "i", "boolean": "i", "byte": "i", "char": "i", "short": "i", "long": "l", "float": "f", "double": "d"}


def _no_local_decls(text: str) -> str:
    """Every remaining `.local` dropped and its first store typed: not what the parser would number the same."""
    declared = re.findall(r"^\s+\.local (\S+) (\S+)$", text, flags=re.M)
    text = re.sub(r"^\s+\.local [^\n]*\n", "", text, flags=re.M)
    for typ, name in declared:
        letter = _TYPE_LETTER.get(typ, "a")
        text = re.sub(rf"(?<![\w$])store {re.escape(name)}(?![\w$])", f"{letter}store {name}", text, count=1)
    return text


def _no_descriptors(text: str) -> str:
    return re.sub(r"(?<![\w$])(invoke(?:static|virtual|special|interface) (?:interface )?[\w$.]+)\([^)]*\)[\w$.\[\]]+",
                  r"\1", text)


def _imports(text: str) -> str:
    return re.sub(r"\b(?:[a-z]\w*\.)+(?=[A-Z])", "", text)


def _short_lambda(text: str) -> str:
    return re.sub(r"lambda invokeStatic ([\w$.]+(\([^)]*\)\S+)) \2 \2$", r"lambda \1", text, flags=re.M)


def _all(text: str) -> str:
    for fn in (_no_local_decls, _no_descriptors, _imports, _short_lambda):
        text = fn(text)
    return text


# (key, description, text -> text); "flat" is the printer's other form, not a rewrite.
VARIANTS: list[tuple[str, str, object]] = [
    ("flat", "one typed instruction per line (`jbgen disasm --flat`; the only form before the short forms)", None),
    ("no .local", "no `.local` lines left at all (those printed are numbered out of order or used before a store)",
     _no_local_decls),
    ("no invoke descriptors", "`invokestatic Math.min` without `(int,int)int` when not overloaded (not in the language)",
     _no_descriptors),
    ("imports", "simple names for imported classes (a class-level `.import`, not counted)", _imports),
    ("short lambda", "`lambda Impl.m(int)int` when both method types equal the impl's (not in the language)",
     _short_lambda),
    ("all four", "the four rewrites above together", _all),
]


# ----------------------------------------------------------------------------- checks


def check_texts(header: str, texts: dict[str, str], flat_texts: dict[str, str]) -> dict[str, object]:
    """Assemble each method text alone in a class with ``jbgen asm``, then ``jbgen verify`` them all."""
    import shutil

    from disasm import jbgen_command

    chk = OUT / "check"
    if chk.exists():
        shutil.rmtree(chk)
    classes = chk / "classes"
    parts = []
    for prefix, group in (("Methods_", texts), ("MethodsFlat_", flat_texts)):
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
    cls = read_class(data, str(CLASS_FILE))
    printed = print_class(cls, str(CLASS_FILE), debug=False)
    flat_all = asm_methods(print_class(cls, str(CLASS_FILE), debug=False, flat=True))
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

    flat = {n: with_lambdas(flat_all, n) for n in names}
    variants = {key: {n: fn(asm[n]) if fn else flat[n] for n in names} for key, _, fn in VARIANTS}  # type: ignore[operator]
    check = check_texts(header, asm, flat)

    # One tokenizer call for the three texts per method and every variant,
    # one for the token offsets of the assembly texts (tokens per kind of line).
    batch = [java[n] for n in names] + [asm[n] for n in names] + [jp[n] for n in names]
    for key, _, _ in VARIANTS:
        batch += [variants[key][n] for n in names]
    counts = count_tokens(batch)
    k = len(names)
    tj, ta, tp = counts[:k], counts[k : 2 * k], counts[2 * k : 3 * k]
    var_totals = {key: sum(counts[(3 + i) * k : (4 + i) * k]) for i, (key, _, _) in enumerate(VARIANTS)}

    per_kind: collections.Counter[str] = collections.Counter()
    for n, offs in zip(names, count_tokens([asm[n] for n in names], offsets=True), strict=True):
        per_kind.update(tokens_per_kind(asm[n], offs))
    line_total = sum(per_kind.values())
    assert line_total == sum(ta), "every token is charged to one kind"

    rows = []
    print(f"{'method':14}{'java':>6}{'asm':>6}{'javap':>7}{'asm/java':>10}{'javap/java':>12}")
    for n, a, b, p in zip(names, tj, ta, tp, strict=True):
        rows.append({"method": n, "java": a, "asm": b, "javap": p, "asm_ratio": b / a, "javap_ratio": p / a})
        print(f"{n:14}{a:6}{b:6}{p:7}{b / a:10.2f}{p / a:12.2f}")
    sj, sa, sp = sum(tj), sum(ta), sum(tp)
    print(f"{'total':14}{sj:6}{sa:6}{sp:7}{sa / sj:10.2f}{sp / sj:12.2f}   (target asm/java <= {TARGET})")

    print(f"\nassembly tokens per kind of word ({line_total} tokens):")
    kinds_rows = []
    for kk, t in per_kind.most_common():
        kinds_rows.append({"kind": kk, "tokens": t, "share": t / line_total})
        print(f"  {kk:30}{t:6} tokens {100 * t / line_total:5.1f}%")
    print("\nother forms of the same methods (whole-method texts):")
    var_rows = []
    for key, desc, _ in VARIANTS:
        v = var_totals[key]
        var_rows.append({"variant": key, "description": desc, "asm": v, "saved": sa - v, "asm_ratio": v / sj})
        print(f"  {desc:90} {v:6} tokens ({sa - v:+5} saved), asm/java {v / sj:.2f}")
    print(f"\nevery assembly text assembles and verifies: {check['ok']}"
          + (f" ({check.get('classes')} classes: the {k} texts and their flat forms)" if check["ok"] else ""))
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
