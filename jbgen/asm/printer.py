"""Print a :class:`~jbgen.asm.model.ClassDef` as jbgen assembly text.

The printer is the disassembler's back half (``reader`` is the front) and the
exact inverse of ``parser``: ``parse(print_class(c))`` equals ``c`` up to label
identity.  It prefers the short spelling wherever the parser reads it back to
the same thing (named locals, ``iload x`` for ``iload_1``, simple class names),
and falls back to exact forms (``wide iload 3``, ``.flags 0x...``) only when
the class needs them.  The syntax is specified in ``docs/assembly.md``.

Must not import a JVM.  Raises :class:`~jbgen.errors.ClassFormatError` for a
model it cannot express (a malformed descriptor).
"""

from __future__ import annotations

from jbgen.asm import model as m
from jbgen.asm import ops
from jbgen.asm.literals import format_char, format_double, format_float, quote
from jbgen.asm.names import NameError_, Names, is_bare_name, split_method_desc
from jbgen.errors import ClassFormatError, Location, error_at

DEFAULT_MAJOR = 69
IND = "    "

_CLASS_KIND_BITS = m.ACC_INTERFACE | m.ACC_ABSTRACT | m.ACC_ANNOTATION | m.ACC_MODULE | m.ACC_SUPER


def flag_words(flags: int, table: tuple[tuple[str, int], ...], skip: int = 0) -> list[str]:
    """Flag words for ``flags`` in ``table`` order, with a hex word for any leftover bits."""
    words = []
    rest = flags & ~skip
    for word, bit in table:
        if rest & bit:
            words.append(word)
            rest &= ~bit
    if rest:
        words.append(f"0x{rest:04x}")
    return words


def name_text(s: str) -> str:
    return s if is_bare_name(s) else quote(s)


class _Printer:
    def __init__(self, cls: m.ClassDef, debug: bool = True, flat: bool = False) -> None:
        self.debug = debug
        self.flat = flat
        # (op, id(reference)) -> (text, ends a line); the class keeps its references alive.
        self.ref_texts: dict[tuple[str, int], tuple[str, bool]] = {}
        self.cls = cls
        self.names = Names(cls.name)
        self.out: list[str] = []

    # ----------------------------------------------------------------- names and types

    def t(self, desc: str) -> str:
        return self.names.desc_text(desc)

    def c(self, internal: str) -> str:
        return self.names.class_entry_text(internal)

    def member(self, ref: m.MemberRef) -> str:
        owner = self.c(ref.owner)
        name = name_text(ref.name)
        if ref.kind == "field":
            return f"{owner}.{name}:{self.t(ref.descriptor)}"
        return f"{owner}.{name}{self.names.method_desc_text(ref.descriptor)}"

    def handle(self, h: m.MethodHandleConst) -> str:
        kind = m.REF_KINDS.get(h.ref_kind, str(h.ref_kind))
        itf = "interface " if h.ref.kind == "imethod" and h.ref_kind in (6, 7) else ""
        return f"{kind} {itf}{self.member(h.ref)}"

    def indy_alias(self, cs: m.CallSite) -> str | None:
        """The short forms of the two call sites javac emits most (see ``ops.CONCAT_BSM``)."""
        b = cs.bootstrap
        h = b.handle
        if h.ref_kind != 6:
            return None
        desc = self.names.method_desc_text(cs.descriptor)
        if h.ref == ops.CONCAT_BSM and cs.name == "makeConcatWithConstants" and b.args and type(b.args[0]) is m.Str:
            rest = "".join(", " + self.const(a) for a in b.args[1:])
            return f"concat{desc} {quote(b.args[0].value)}{rest}"  # type: ignore[union-attr]
        if (
            h.ref == ops.LAMBDA_BSM
            and len(b.args) == 3
            and type(b.args[0]) is m.MethodTypeConst
            and type(b.args[1]) is m.MethodHandleConst
            and type(b.args[2]) is m.MethodTypeConst
        ):
            sam, impl, inst = b.args
            return (
                f"{name_text(cs.name)}{desc} lambda {self.handle(impl)} "  # type: ignore[arg-type]
                f"{self.names.method_desc_text(sam.descriptor)} {self.names.method_desc_text(inst.descriptor)}"  # type: ignore[union-attr]
            )
        return None

    def bootstrap(self, b: m.Bootstrap) -> str:
        args = ", ".join(self.const(a) for a in b.args)
        return f"{self.handle(b.handle)} [{args}]"

    def const(self, v: m.Loadable | object) -> str:
        t = type(v)
        if t is m.Str:
            return quote(v.value)  # type: ignore[union-attr]
        if t is m.Int:
            return str(v.value)  # type: ignore[union-attr]
        if t is m.Long:
            return f"{v.value}L"  # type: ignore[union-attr]
        if t is m.Float:
            return format_float(v.bits)  # type: ignore[union-attr]
        if t is m.Double:
            return format_double(v.bits)  # type: ignore[union-attr]
        if t is m.ClassConst:
            return self.c(v.name) + ".class"  # type: ignore[union-attr]
        if t is m.MethodTypeConst:
            return "MethodType " + self.names.method_desc_text(v.descriptor)  # type: ignore[union-attr]
        if t is m.MethodHandleConst:
            return "MethodHandle " + self.handle(v)  # type: ignore[arg-type]
        if t is m.DynamicConst:
            d: m.DynamicConst = v  # type: ignore[assignment]
            return f"Dynamic {name_text(d.name)}:{self.t(d.descriptor)} {self.bootstrap(d.bootstrap)}"
        raise ClassFormatError(f"cannot print constant {v!r}")

    # ----------------------------------------------------------------- annotations

    def element(self, ev: m.ElementValue) -> str:
        tag, v = ev.tag, ev.value
        if tag == "I":
            return str(v.value)  # type: ignore[attr-defined]
        if tag == "s":
            return quote(v)  # type: ignore[arg-type]
        if tag == "Z":
            iv = v.value  # type: ignore[attr-defined]
            return "true" if iv == 1 else "false" if iv == 0 else f"(boolean){iv}"
        if tag == "J":
            return f"{v.value}L"  # type: ignore[attr-defined]
        if tag == "B":
            return f"(byte){v.value}"  # type: ignore[attr-defined]
        if tag == "S":
            return f"(short){v.value}"  # type: ignore[attr-defined]
        if tag == "C":
            return format_char(v.value)  # type: ignore[attr-defined]
        if tag == "F":
            return format_float(v.bits)  # type: ignore[attr-defined]
        if tag == "D":
            return format_double(v.bits)  # type: ignore[attr-defined]
        if tag == "e":
            tdesc, cname = v  # type: ignore[misc]
            return f"{self.t(tdesc)}.{name_text(cname)}"
        if tag == "c":
            return self.t(v) + ".class"  # type: ignore[arg-type]
        if tag == "@":
            return self.annotation(v)  # type: ignore[arg-type]
        if tag == "[":
            return "{" + ", ".join(self.element(x) for x in v) + "}"  # type: ignore[attr-defined]
        raise ClassFormatError(f"cannot print element value tag {tag!r}")

    def annotation(self, a: m.Annotation) -> str:
        head = "@" + self.t(a.descriptor)
        if not a.elements:
            return head
        if len(a.elements) == 1 and a.elements[0][0] == "value":
            return f"{head}({self.element(a.elements[0][1])})"
        return head + "(" + ", ".join(f"{name_text(k)}={self.element(v)}" for k, v in a.elements) + ")"

    def type_annotation(self, ta: m.TypeAnnotation, invisible: bool, labels: dict[m.Label, str]) -> str:
        tt, info = ta.target_type, ta.target_info
        if tt in (0x40, 0x41):
            ranges = ", ".join(f"{labels[s]} {labels[e]} {slot}" for s, e, slot in info[0])
            target = f"{{{ranges}}}"
        else:
            target = " ".join(labels[x] if isinstance(x, m.Label) else str(x) for x in info)
        path = "".join(
            "[" if k == 0 else "." if k == 1 else "*" if k == 2 else f"{a};" for k, a in ta.type_path
        )
        parts = [".typeannotation", f"0x{tt:02x}"]
        if target:
            parts.append(target)
        if path:
            parts.append("path " + quote(path))
        parts.append(self.annotation(ta.annotation))
        if invisible:
            parts.append("invisible")
        return " ".join(parts)

    # ----------------------------------------------------------------- attributes

    def attributes(self, attrs: list[m.Attribute], ind: str, labels: dict[m.Label, str] | None = None) -> None:
        out = self.out
        for a in attrs:
            n, v = a.name, a.value
            if not self.debug and n in _DEBUG_ATTRIBUTES:
                continue
            if n == "SourceFile":
                out.append(f"{ind}.source {quote(v)}")  # type: ignore[arg-type]
            elif n == "Signature":
                out.append(f"{ind}.signature {quote(v)}")  # type: ignore[arg-type]
            elif n in ("RuntimeVisibleAnnotations", "RuntimeInvisibleAnnotations"):
                suffix = " invisible" if "Invisible" in n else ""
                for ann in v:  # type: ignore[attr-defined]
                    out.append(f"{ind}{self.annotation(ann)}{suffix}")
                if not v:
                    out.append(f"{ind}.annotations{suffix}")
            elif n in ("RuntimeVisibleParameterAnnotations", "RuntimeInvisibleParameterAnnotations"):
                groups = ", ".join("[" + " ".join(self.annotation(x) for x in g) + "]" for g in v)  # type: ignore[attr-defined]
                suffix = " invisible" if "Invisible" in n else ""
                out.append(f"{ind}.paramannotations{suffix} {groups}".rstrip())
            elif n in ("RuntimeVisibleTypeAnnotations", "RuntimeInvisibleTypeAnnotations"):
                for ta in v:  # type: ignore[attr-defined]
                    out.append(ind + self.type_annotation(ta, "Invisible" in n, labels or {}))
                if not v:
                    out.append(f"{ind}.typeannotations{' invisible' if 'Invisible' in n else ''}")
            elif n == "Exceptions":
                pass  # printed as the method's throws clause
            elif n == "ConstantValue":
                pass  # printed after the field as `= value`
            elif n == "InnerClasses":
                for inner, outer, simple, flags in v:  # type: ignore[attr-defined]
                    words = " ".join(flag_words(flags, m.INNER_FLAGS)) or "0x0000"
                    line = f"{ind}.innerclass {words} {self.c(inner)}"
                    if outer is not None:
                        line += f" of {self.c(outer)}"
                    if simple is not None:
                        line += f" as {name_text(simple)}"
                    out.append(line)
                if not v:
                    out.append(f"{ind}.innerclasses")
            elif n == "EnclosingMethod":
                cls, mname, mdesc = v  # type: ignore[misc]
                if mname is None:
                    out.append(f"{ind}.enclosing {self.c(cls)}")
                else:
                    out.append(f"{ind}.enclosing {self.c(cls)}.{name_text(mname)}{self.names.method_desc_text(mdesc)}")
            elif n == "NestHost":
                out.append(f"{ind}.nesthost {self.c(v)}")  # type: ignore[arg-type]
            elif n == "NestMembers":
                out.append(f"{ind}.nestmembers " + ", ".join(self.c(x) for x in v))  # type: ignore[attr-defined]
            elif n == "PermittedSubclasses":
                out.append(f"{ind}.permits " + ", ".join(self.c(x) for x in v))  # type: ignore[attr-defined]
            elif n == "Record":
                out.append(f"{ind}.record")
                for rc in v:  # type: ignore[attr-defined]
                    self.attributes(list(rc.attributes), ind)
                    out.append(f"{ind}.component {self.t(rc.descriptor)} {name_text(rc.name)}")
            elif n == "MethodParameters":
                ps = []
                for pname, pflags in v:  # type: ignore[attr-defined]
                    words = flag_words(pflags, m.PARAM_FLAGS)
                    ps.append(" ".join([*words, name_text(pname) if pname is not None else "_"]))
                out.append(f"{ind}.parameters " + ", ".join(ps))
            elif n == "AnnotationDefault":
                out.append(f"{ind}.default {self.element(v)}")  # type: ignore[arg-type]
            elif n == "Deprecated":
                out.append(f"{ind}.deprecated")
            elif n == "Synthetic":
                out.append(f"{ind}.synthetic")
            elif n == "SourceDebugExtension":
                out.append(f"{ind}.sourcedebugextension {quote(bytes(v).hex())}")  # type: ignore[arg-type]
            elif n == "SourceID":
                out.append(f"{ind}.sourceid {quote(v)}")  # type: ignore[arg-type]
            elif n == "CompilationID":
                out.append(f"{ind}.compilationid {quote(v)}")  # type: ignore[arg-type]
            elif n == "Module":
                self.module(v, ind)  # type: ignore[arg-type]
            elif n == "ModulePackages":
                out.append(f"{ind}.packages " + ", ".join(p.replace("/", ".") for p in v))  # type: ignore[attr-defined]
            elif n == "ModuleMainClass":
                out.append(f"{ind}.mainclass {self.c(v)}")  # type: ignore[arg-type]
            elif n == "ModuleTarget":
                out.append(f"{ind}.moduletarget {quote(v)}")  # type: ignore[arg-type]
            elif n == "ModuleResolution":
                out.append(f"{ind}.moduleresolution 0x{v:x}")
            elif n == "ModuleHashes":
                alg, hashes = v  # type: ignore[misc]
                items = ", ".join(f"{name_text(mod)} {quote(bytes(h).hex())}" for mod, h in hashes)
                out.append(f"{ind}.modulehashes {quote(alg)} [{items}]")
            elif n.startswith("Unknown:"):
                # An attribute jbgen does not interpret: carried verbatim.
                out.append(f"{ind}.attribute {quote(n[8:])} {quote(bytes(v).hex())}")  # type: ignore[arg-type]
            else:
                raise ClassFormatError(f"cannot print attribute {n}")

    def module(self, mi: m.ModuleInfo, ind: str) -> None:
        out = self.out
        words = flag_words(mi.flags, m.MODULE_FLAGS)
        line = f"{ind}.module {' '.join([*words, name_text(mi.name)])}"
        if mi.version is not None:
            line += f" version {quote(mi.version)}"
        out.append(line)
        for name, flags, ver in mi.requires:
            line = f"{ind}.requires {' '.join([*flag_words(flags, m.REQUIRES_FLAGS), name_text(name)])}"
            if ver is not None:
                line += f" version {quote(ver)}"
            out.append(line)
        for kw, items in (("exports", mi.exports), ("opens", mi.opens)):
            for pkg, flags, to in items:
                line = f"{ind}.{kw} {' '.join([*flag_words(flags, m.EXPORTS_FLAGS), pkg.replace('/', '.')])}"
                if to:
                    line += " to " + ", ".join(name_text(t) for t in to)
                out.append(line)
        for u in mi.uses:
            out.append(f"{ind}.uses {self.c(u)}")
        for svc, impls in mi.provides:
            out.append(f"{ind}.provides {self.c(svc)} with " + ", ".join(self.c(i) for i in impls))

    # ----------------------------------------------------------------- class

    def print(self) -> str:
        cls = self.cls
        out = self.out
        if not cls.flags & (m.ACC_INTERFACE | m.ACC_MODULE) and not any(md.name == "<init>" for md in cls.methods):
            # The parser would add Java's default constructor to a class without one.
            out.append(".noconstructor")
        if (cls.major, cls.minor) != (DEFAULT_MAJOR, 0):
            out.append(f".version {cls.major}" + (f".{cls.minor}" if cls.minor else ""))
        self.attributes(cls.attributes, "")
        flags = cls.flags
        if flags & m.ACC_MODULE:
            kind, implied = "module", m.ACC_MODULE
        elif flags & m.ACC_ANNOTATION:
            kind, implied = "@interface", m.ACC_INTERFACE | m.ACC_ABSTRACT | m.ACC_ANNOTATION
        elif flags & m.ACC_INTERFACE:
            kind, implied = "interface", m.ACC_INTERFACE | m.ACC_ABSTRACT
        else:
            kind, implied = "class", m.ACC_SUPER
        if flags & implied != implied:
            out.append(f".flags 0x{flags:04x}")
            words = []
        else:
            words = flag_words(flags, m.CLASS_FLAGS, skip=implied | (_CLASS_KIND_BITS & ~implied & 0))
        head = " ".join([*words, kind, self.class_name_text(cls.name)])
        sup = cls.super_name
        if sup is None:
            if cls.name != "java/lang/Object" and not flags & m.ACC_MODULE:
                head += " extends none"
        elif sup != "java/lang/Object" or cls.name == "java/lang/Object" or flags & m.ACC_MODULE:
            head += f" extends {self.c(sup)}"
        if cls.interfaces:
            head += " implements " + ", ".join(self.c(i) for i in cls.interfaces)
        out.append(head + " {")
        first = True
        for f in cls.fields:
            if first:
                first = False
            self.field(f)
        for meth in cls.methods:
            out.append("")
            self.method(meth)
        out.append("}")
        out.append("")
        return "\n".join(out)

    def class_name_text(self, internal: str) -> str:
        text = internal.replace("/", ".")
        if all(is_bare_name(p) for p in internal.split("/")):
            return text
        return quote(text)

    def field(self, f: m.FieldDef) -> None:
        self.attributes(f.attributes, IND)
        words = flag_words(f.flags, m.FIELD_FLAGS)
        line = IND + " ".join([*words, self.t(f.descriptor), name_text(f.name)])
        for a in f.attributes:
            if a.name == "ConstantValue":
                v = a.value
                if type(v) is m.Int and f.descriptor == "C":
                    ch = format_char(v.value)  # type: ignore[attr-defined]
                    # `(char)N` would read as a method header; the plain number is the same value.
                    line += " = " + (ch if ch.startswith("'") else str(v.value))  # type: ignore[attr-defined]
                elif type(v) is m.Int and f.descriptor == "Z" and v.value in (0, 1):  # type: ignore[attr-defined]
                    line += " = " + ("true" if v.value else "false")  # type: ignore[attr-defined]
                else:
                    line += " = " + self.const(v)
        self.out.append(line)

    def method(self, meth: m.MethodDef) -> None:
        out = self.out
        self.attributes(meth.attributes, IND)
        try:
            params, ret = split_method_desc(meth.descriptor)
        except NameError_ as exc:
            raise ClassFormatError(f"method {meth.name}: {exc}") from None
        static = bool(meth.flags & m.ACC_STATIC)
        slot_names = self.slot_names(meth, params, static)
        self.declared: set[int] = set()
        # The names the parser knows from the header, with their kinds: `this` and the
        # parameters named there (at a parameter's first slot only).
        self.header_kinds: dict[str, str] = {} if static else {"this": "a"}
        ptexts = []
        slot = 0 if static else 1
        for p in params:
            nm = slot_names.get(slot)
            ptexts.append(f"{self.t(p)} {nm}" if nm else self.t(p))
            if nm:
                self.header_kinds[nm] = _KIND_OF[p[0]]
            slot += _slots(p)
        self.first_free = slot
        words = flag_words(meth.flags, m.METHOD_FLAGS)
        name = name_text(meth.name)
        if meth.name in ("<init>", "<clinit>") and ret == "V":
            head = " ".join([*words, f"{name}({', '.join(ptexts)})"])
        else:
            head = " ".join([*words, self.t(ret), f"{name}({', '.join(ptexts)})"])
        for a in meth.attributes:
            if a.name == "Exceptions":
                head += " throws " + ", ".join(self.c(x) for x in a.value)  # type: ignore[attr-defined]
                if not a.value:
                    head += " none"
        if meth.code is None:
            out.append(IND + head)
            return
        out.append(IND + head + " {")
        ret_op = None if ret == "V" else _KIND_OF[ret[0]] + "return"
        self.code(meth.code, slot_names, self.local_kinds(meth, slot_names), ret_op)
        out.append(IND + "}")

    def slot_names(self, meth: m.MethodDef, params: list[str], static: bool) -> dict[int, str]:
        """Names the text may use for local slots: `this`, parameters, and unambiguous locals.

        A name is usable when the code reads it as a name (not a mnemonic, a
        keyword or a literal) and all that binds it for the parser (`this`, the
        header, `.var` lines: ``parser._MethodState.bind``) binds it to one slot;
        a slot takes its first usable name.  So a name printed here reads back
        to the same slot.
        """
        candidates: list[tuple[int, str]] = [] if static else [(0, "this")]
        if meth.param_names is not None and len(meth.param_names) == len(params):
            slot = 0 if static else 1
            for p, nm in zip(params, meth.param_names, strict=True):
                candidates.append((slot, nm))
                slot += _slots(p)
        if meth.code is not None:
            # `.vartype` names no slot for the parser.
            candidates += [(lv.slot, lv.name) for lv in meth.code.locals if not lv.signature]
        slots_of: dict[str, set[int]] = {}
        for s, nm in candidates:
            slots_of.setdefault(nm, set()).add(s)
        names: dict[int, str] = {}
        for s, nm in candidates:
            if s not in names and len(slots_of[nm]) == 1 and _local_name_ok(nm):
                names[s] = nm
        return names

    def local_decls(self, code: m.Code, slot_names: dict[int, str], kinds: dict[int, str | None],
                    by_store: bool) -> set[int]:
        """Without debug info, named locals are declared for the parser (no attribute is written).

        A local whose first use in the code is a typed store that the parser
        would give the local's slot anyway (`istore total`) is declared by that
        store; the others get a `.local` line.  Returns the slots declared by
        their first store (none unless ``by_store``).
        """
        decls: list[m.LocalVar] = []
        for lv in sorted(code.locals, key=lambda v: v.slot):
            # The entries that name their slot, but not in the header (which declares those).
            if (lv.signature or slot_names.get(lv.slot) != lv.name or lv.name in self.header_kinds
                    or lv.slot in self.declared):
                continue
            self.declared.add(lv.slot)
            kinds[lv.slot] = _KIND_OF[lv.descriptor[0]]
            decls.append(lv)
        first = _first_local_uses(code)
        by_slot = {lv.slot: lv for lv in decls}
        # Candidates in the order of their first store; the parser numbers them from
        # the slot after the last `.local`.
        order = [s for s in first if by_store and s in by_slot and _declaring_store(first[s], s, kinds[s])]
        implicit = set(order)
        while True:
            ns = self.first_free
            for lv in decls:
                if lv.slot not in implicit:
                    ns = max(ns, lv.slot + _slots(lv.descriptor))
            bad = None
            for s in order:
                if s not in implicit:
                    continue
                if s != ns:
                    bad = s
                    break
                ns += _slots(by_slot[s].descriptor)
            if bad is None:
                break
            implicit.discard(bad)
        next_slot = self.first_free
        for lv in decls:
            if lv.slot in implicit:
                continue
            typ = self.t(lv.descriptor)
            if lv.slot == next_slot:
                self.out.append(f"{IND * 2}.local {typ} {lv.name}")
            else:
                self.out.append(f"{IND * 2}.local {typ} {lv.name} slot {lv.slot}")
            next_slot = max(next_slot, lv.slot + _slots(lv.descriptor))
        return implicit

    def local_kinds(self, meth: m.MethodDef, slot_names: dict[int, str]) -> dict[int, str | None]:
        """The kind (`i`, `l`, `f`, `d`, `a`) the parser will know each named slot by, None when it has several.

        It is what `load x`, `store x` and a bare `x` assemble by: `this`, the
        parameters' types (as the header names them), and with debug info every
        `.var` of the name (without, the `.local` that ``local_decls`` prints adds
        its kind).
        """
        by_name = {nm: {kind} for nm, kind in self.header_kinds.items()}
        if self.debug and meth.code is not None:
            for lv in meth.code.locals:
                if not lv.signature:
                    by_name.setdefault(lv.name, set()).add(_KIND_OF[lv.descriptor[0]])
        kinds: dict[int, str | None] = {}
        for slot, nm in slot_names.items():
            ks = by_name.get(nm)
            if ks is not None:
                kinds[slot] = next(iter(ks)) if len(ks) == 1 else None
        return kinds

    def code(self, code: m.Code, slot_names: dict[int, str], kinds: dict[int, str | None], ret_op: str | None) -> None:
        """The body: several instructions to a line (a line ends where a Java statement would), or one with ``flat``."""
        out = self.out
        used = _used_labels(code, self.debug)
        labels: dict[m.Label, str] = {}
        n = 0
        for e in code.elements:
            if type(e) is m.Label and e in used:
                labels[e] = f"L{n}"  # type: ignore[index]
                n += 1
        ind2 = IND * 2

        def lab(x: m.Label) -> str:
            nm = labels.get(x)
            if nm is None:
                raise ClassFormatError("a label is used but not placed in the code")
            return nm

        # Slots whose first store declares them: printed typed (`istore total`) once.
        declaring = self.local_decls(code, slot_names, kinds, not self.flat) if not self.debug else set()
        for lv in code.locals if self.debug else ():
            kw = ".vartype" if lv.signature else ".var"
            typ = quote(lv.descriptor) if lv.signature else self.t(lv.descriptor)
            out.append(f"{ind2}{kw} {name_text(lv.name)} {typ} slot {lv.slot} from {lab(lv.start)} to {lab(lv.end)}")
        for h in code.handlers:
            ct = self.c(h.catch_type) if h.catch_type is not None else "any"
            out.append(f"{ind2}.catch {ct} from {lab(h.start)} to {lab(h.end)} using {lab(h.handler)}")
        self.attributes(code.attributes, ind2, labels)
        flat = self.flat
        if flat:
            kinds = {}
        fam = ops.FAMILY
        canon = ops.canonical_local_op
        refs = self.ref_texts
        ends = _ENDS_LINE
        # The line being filled: its words so far, its length, and the label that starts it.
        cur: list[str] = []
        width = 0
        label = ""

        def flush() -> None:
            nonlocal cur, width, label
            if cur:
                out.append((f"{IND}{label}: " if label else ind2) + " ".join(cur))
            elif label:
                out.append(f"{IND}{label}:")
            cur, width, label = [], 0, ""

        for e in code.elements:
            t = type(e)
            if t is m.Insn:
                op = e.op  # type: ignore[union-attr]
                args = e.args  # type: ignore[union-attr]
                f = fam.get(op)
                end = op in ends
                if f == ops.NONE:
                    text = op
                    compact = ops.COMPACT.get(op)
                    if compact is not None:
                        slot = compact[1]
                        nm = slot_names.get(slot)
                        if nm is not None:
                            base = compact[0]
                            if slot in declaring and base[-5:] == "store":
                                declaring.discard(slot)
                                text = f"{base} {nm}"
                            elif kinds.get(slot) == base[0]:
                                text = nm if base[-4:] == "load" else "store " + nm
                            else:
                                text = f"{base} {nm}"
                    elif op[-6:] == "return" and ret_op is not None:
                        # `return` reads as the method's return (flat too): the void one is `exact return`.
                        if op == ret_op and not flat:
                            text = "return"
                        elif op == "return":
                            text = "exact return"
                    elif not flat and op in _BARE_CONSTS:
                        text = _BARE_CONSTS[op]
                elif f == ops.LOCAL:
                    slot = args[0]
                    base = op[:-2] if op.endswith("_w") else op
                    nm = slot_names.get(slot) if base != "ret" else None
                    operand = nm if nm is not None else str(slot)
                    if base == "ret":
                        exact = "ret_w" if slot > 255 else "ret"
                    else:
                        exact = canon(base, slot)
                    if op == exact:
                        if nm is not None and slot in declaring and base[-5:] == "store":
                            declaring.discard(slot)
                            text = f"{base} {operand}"
                        elif nm is not None and kinds.get(slot) == base[0]:
                            text = nm if base[-4:] == "load" else "store " + nm
                        else:
                            text = f"{base} {operand}"
                    elif op.endswith("_w"):
                        text = f"wide {base} {operand}"
                    else:
                        text = f"exact {base} {operand}"
                elif f == ops.BRANCH:
                    text = f"{op} {lab(args[0])}"
                elif f == ops.FIELD or f == ops.METHOD:
                    ref = args[0]
                    # A class's references are shared pool objects: one text per (op, reference).
                    key = (op, id(ref))
                    hit = refs.get(key)
                    if hit is None:
                        itf = "interface " if ref.kind == "imethod" and op in ("invokestatic", "invokespecial") else ""
                        hit = refs[key] = (f"{op} {itf}{self.member(ref)}",
                                           f == ops.METHOD and ref.descriptor[-2:] == ")V" and ref.name != "<init>")
                    text, void = hit
                    if void:
                        end = True
                elif f == ops.CLASS:
                    text = f"{op} {self.c(args[0])}"
                elif f == ops.LDC:
                    # ldc and ldc_w are one instruction to the text: the JDK picks the
                    # form the new constant pool needs.
                    v = args[0]
                    text = self.const(v)
                    if flat or not _bare_ldc(v) or text[0] not in _BARE_START:
                        text = ("ldc2_w " if op == "ldc2_w" else "ldc ") + text
                elif f == ops.PUSH:
                    v = args[0]
                    if not flat and (v < -1 or v > 5 if op == "bipush" else v < -128 or v > 127):
                        text = str(v)
                    else:
                        text = f"{op} {v}"
                elif f == ops.IINC:
                    slot, delta = args
                    nm = slot_names.get(slot)
                    operand = nm if nm is not None else str(slot)
                    exact = ops.canonical_iinc(slot, delta)
                    prefix = "" if op == exact else ("wide " if op == "iinc_w" else "exact ")
                    text = f"{prefix}iinc {operand} {delta}"
                elif f == ops.INDY:
                    cs: m.CallSite = args[0]
                    alias = self.indy_alias(cs)
                    if alias is not None:
                        text = "invokedynamic " + alias
                    else:
                        text = (f"invokedynamic {name_text(cs.name)}{self.names.method_desc_text(cs.descriptor)} "
                                f"{self.bootstrap(cs.bootstrap)}")
                elif f == ops.TABLESWITCH or f == ops.LOOKUPSWITCH:
                    cur.append(op + " {")
                    flush()
                    if f == ops.TABLESWITCH:
                        low, _high, default, targets = args
                        for i, tgt in enumerate(targets):
                            out.append(f"{ind2}    {low + i}: {lab(tgt)}")
                    else:
                        default, pairs = args
                        for key, tgt in pairs:
                            out.append(f"{ind2}    {key}: {lab(tgt)}")
                    out.append(f"{ind2}    default: {lab(default)}")
                    out.append(f"{ind2}}}")
                    continue
                elif f == ops.NEWARRAY:
                    text = f"newarray {args[0]}"
                elif f == ops.MULTIANEWARRAY:
                    text = f"multianewarray {self.c(args[0])} {args[1]}"
                else:
                    raise ClassFormatError(f"cannot print instruction {op}")
                if flat:
                    cur.append(text)
                    flush()
                    continue
                if cur and width + len(text) > _WIDTH:
                    flush()
                cur.append(text)
                width += len(text) + 1
                if end:
                    flush()
            elif t is m.Label:
                nm = labels.get(e)  # type: ignore[arg-type]
                if nm is not None:
                    if cur or label:
                        flush()
                    label = nm
                    if flat:
                        flush()
            elif t is m.LineNumber and self.debug:
                if cur or label:
                    flush()
                out.append(f"{ind2}.line {e.line}")  # type: ignore[union-attr]
        if cur or label:
            flush()


def _slots(desc: str) -> int:
    """Local-variable slots a value of type ``desc`` takes."""
    return 2 if desc in ("J", "D") else 1


def _first_local_uses(code: m.Code) -> dict[int, str]:
    """Slot -> the instruction that first uses it, in code order."""
    first: dict[int, str] = {}
    fam = ops.FAMILY
    for e in code.elements:
        if type(e) is not m.Insn:
            continue
        op = e.op  # type: ignore[union-attr]
        f = fam.get(op)
        if f == ops.LOCAL or f == ops.IINC:
            slot = e.args[0]  # type: ignore[union-attr]
        elif f == ops.NONE and op in ops.COMPACT:
            slot = ops.COMPACT[op][1]
        else:
            continue
        first.setdefault(slot, op)
    return first


def _declaring_store(op: str, slot: int, kind: str | None) -> bool:
    """Whether the parser reads ``op`` on a new name as the store that declares it (`istore total`)."""
    compact = ops.COMPACT.get(op)
    base = compact[0] if compact is not None else op
    return base[-5:] == "store" and base[0] == kind and op == ops.canonical_local_op(base, slot)


# The kind letter of a descriptor's first character (as the parser's `_KIND_OF`).
_KIND_OF = {"I": "i", "Z": "i", "B": "i", "C": "i", "S": "i", "J": "l", "F": "f", "D": "d", "L": "a", "[": "a"}
# A line of instructions is broken after these (a Java statement ends there), and before
# it would grow past _WIDTH characters.
_ENDS_LINE = frozenset(
    op
    for op, fam in ops.FAMILY.items()
    if fam in (ops.BRANCH, ops.IINC, ops.TABLESWITCH, ops.LOOKUPSWITCH, ops.INDY)
    or op.endswith("return")
    or op.split("_")[0] in ("istore", "lstore", "fstore", "dstore", "astore", "ret")
    or op in ("athrow", "iastore", "lastore", "fastore", "dastore", "aastore", "bastore", "castore", "sastore",
              "putfield", "putstatic", "pop", "pop2", "monitorenter", "monitorexit")
)
_WIDTH = 96
# Constant instructions printed as their literal: the ones the parser's `push` picks.
_BARE_CONSTS = {
    **{f"iconst_{i}": str(i) for i in range(6)},
    "iconst_m1": "-1",
    "lconst_0": "0L",
    "lconst_1": "1L",
    "fconst_0": "0.0f",
    "fconst_1": "1.0f",
    "fconst_2": "2.0f",
    "dconst_0": "0.0",
    "dconst_1": "1.0",
}
_BARE_START = frozenset('0123456789-+"')


def _bare_ldc(v: object) -> bool:
    """Whether `push` of constant ``v`` picks ldc/ldc2_w (so the bare literal means this instruction)."""
    t = type(v)
    if t is m.Str:
        return True
    if t is m.Int:
        return not -32768 <= v.value <= 32767  # type: ignore[union-attr]
    if t is m.Long:
        return v.value not in (0, 1)  # type: ignore[union-attr]
    if t is m.Float:
        return v.bits not in (0, 0x3F800000, 0x40000000)  # type: ignore[union-attr]
    if t is m.Double:
        return v.bits not in (0, 0x3FF0000000000000)  # type: ignore[union-attr]
    return False


def _used_labels(code: m.Code, debug: bool) -> set[m.Label]:
    """Labels something refers to; the others (line-number starts) need not be printed."""
    used: set[m.Label] = set()
    for e in code.elements:
        if type(e) is m.Insn:
            for a in e.args:  # type: ignore[union-attr]
                if type(a) is m.Label:
                    used.add(a)
                elif type(a) is tuple:
                    for b in a:
                        if type(b) is m.Label:
                            used.add(b)
                        elif type(b) is tuple:
                            used.update(x for x in b if type(x) is m.Label)
    for h in code.handlers:
        used.update((h.start, h.end, h.handler))
    if debug:
        for lv in code.locals:
            used.update((lv.start, lv.end))
    for a in code.attributes:
        if not a.name.endswith("TypeAnnotations"):
            continue
        for ta in a.value or ():  # type: ignore[attr-defined]
            stack = list(ta.target_info)
            while stack:
                x = stack.pop()
                if type(x) is m.Label:
                    used.add(x)
                elif type(x) is tuple:
                    stack.extend(x)
    return used


_DEBUG_ATTRIBUTES = frozenset({"SourceFile", "MethodParameters", "SourceDebugExtension"})


def _local_name_ok(nm: str) -> bool:
    return (bool(nm) and is_bare_name(nm) and nm not in ops.FAMILY and nm not in _KEYWORDS
            and nm[0] not in "0123456789-<" and not nm.startswith(("NaN", "Infinity")))


# Words of the code that a local's name must not be (the parser reads them first).
_KEYWORDS = frozenset({"wide", "exact", "push", "load", "store"})


def print_class(cls: m.ClassDef, path: str = "<class>", *, debug: bool = True, flat: bool = False) -> str:
    """The assembly text of ``cls``.

    With ``debug=False`` the debugging attributes (line numbers, local variable
    tables, source file, method parameters) are left out and named locals are
    declared with ``.local`` instead: the text a person or a model would write.
    """
    try:
        return _Printer(cls, debug, flat).print()
    except NameError_ as exc:
        raise ClassFormatError(str(exc), [error_at(f"{cls.name}: {exc}", path)]) from None
    except ClassFormatError as exc:
        if exc.diagnostics and exc.diagnostics[0].location is None:
            raise ClassFormatError(exc.message, [error_at(exc.message, path)]) from None
        raise


__all__ = ["print_class", "Location"]
