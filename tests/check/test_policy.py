"""jbgen.check.policy: the static allowlist check of every API a class touches.

One test per refused category, from small assembly texts, with the exact
message and line; the recursion into invokedynamic and dynamic-constant
arguments; widening and narrowing; what never widens; the hostile corpus in
``fixtures/hostile/policy-*.jbasm``; and corpora (java.base, the fixtures and
examples) that must not crash the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from jbgen.asm import model as m
from jbgen.asm.parser import parse, parse_all
from jbgen.check.policy import (
    DEFAULT_POLICY,
    HARD_CATEGORIES,
    Policy,
    PolicyRule,
    check_policy,
    policy_violations,
    validate_pattern,
)
from jbgen.check.verify import SourceMap
from jbgen.errors import ContractError
from tests.conftest import FIXTURES, ROOT, java_base_sample

HOSTILE = sorted((FIXTURES / "hostile").glob("policy-*.jbasm"))
EVERYTHING = FIXTURES / "jbasm" / "Everything.jbasm"


def _class(body: str, *, header: str = "public static int f(int x)", before: str = "",
           decl: str = "public final class demo.P", members: str = "") -> str:
    """A class with one method whose body is ``body``; its first instruction is on line 4."""
    return (f"{before}// policy test\n{decl} {{\n    {header} {{\n"
            + "".join(f"        {ln}\n" for ln in body.strip("\n").splitlines())
            + f"    }}\n{members}}}\n")


def _violations(text: str, **kw: object) -> list:
    return policy_violations(parse(text, "P.jbasm"), **kw)  # type: ignore[arg-type]


def _messages(text: str, **kw: object) -> list[tuple[int, str]]:
    return [(v.line, v.message) for v in _violations(text, **kw)]


# ----------------------------------------------------------------------------- one test per category


@dataclass
class Case:
    category: str
    body: str
    line: int
    message: str
    header: str = "public static int f(int x)"
    decl: str = "public final class demo.P"
    members: str = ""
    hard: bool | None = None  # default: whether the category is in HARD_CATEGORIES


CASES = [
    Case("process exit", "iconst_1\ninvokestatic System.exit(int)void\niload x\nireturn", 5,
         "policy: invokestatic java.lang.System.exit(int)void is not allowed (process exit)"),
    Case("shutdown hook", "aconst_null\ncheckcast Runtime\naconst_null\ninvokevirtual Runtime.addShutdownHook(Thread)void\niload x\nireturn", 7,
         "policy: invokevirtual java.lang.Runtime.addShutdownHook(java.lang.Thread)void is not allowed (shutdown hook)"),
    Case("processes", "new ProcessBuilder\npop\niload x\nireturn", 4,
         "policy: new java.lang.ProcessBuilder is not allowed (processes)"),
    Case("native code", "iconst_0\ninvokestatic interface java.lang.foreign.Linker.nativeLinker()java.lang.foreign.Linker\npop\niload x\nireturn", 5,
         "policy: invokestatic java.lang.foreign.Linker.nativeLinker()java.lang.foreign.Linker is not allowed (native code)"),
    Case("Unsafe", "getstatic sun.misc.Unsafe.theUnsafe:sun.misc.Unsafe\npop\niload x\nireturn", 4,
         "policy: getstatic sun.misc.Unsafe.theUnsafe:sun.misc.Unsafe is not allowed (Unsafe)"),
    Case("JDK internals", "invokestatic jdk.internal.misc.VM.initLevel()int\nireturn", 4,
         "policy: invokestatic jdk.internal.misc.VM.initLevel()int is not allowed (JDK internals)"),
    Case("reflection", "ldc String.class\ninvokevirtual Class.getDeclaredFields()java.lang.reflect.Field[]\npop\niload x\nireturn", 5,
         "policy: invokevirtual java.lang.Class.getDeclaredFields()java.lang.reflect.Field[] is not allowed (reflection)"),
    Case("method handles", "invokestatic java.lang.invoke.MethodHandles.lookup()java.lang.invoke.MethodHandles$Lookup\npop\niload x\nireturn", 4,
         "policy: invokestatic java.lang.invoke.MethodHandles.lookup()java.lang.invoke.MethodHandles$Lookup is not allowed "
         "(method handles: lookups reach any method by name, past this check)", hard=True),
    Case("class loading", 'ldc "demo.Evil"\ninvokestatic Class.forName(String)Class\npop\niload x\nireturn', 5,
         "policy: invokestatic java.lang.Class.forName(java.lang.String)java.lang.Class is not allowed (class loading)"),
    Case("threads", "invokestatic Thread.currentThread()Thread\npop\niload x\nireturn", 4,
         "policy: invokestatic java.lang.Thread.currentThread()java.lang.Thread is not allowed (threads)"),
    Case("blocking", "ldc2_w 10L\ninvokestatic Thread.sleep(long)void\niload x\nireturn", 5,
         "policy: invokestatic java.lang.Thread.sleep(long)void is not allowed (blocking)"),
    Case("file I/O", 'new java.io.File\ndup\nldc "/etc/passwd"\ninvokespecial java.io.File.<init>(String)void\ninvokevirtual java.io.File.delete()boolean\nireturn', 4,
         "policy: new java.io.File is not allowed (file I/O)"),
    Case("network", 'ldc "example.com"\ninvokestatic java.net.InetAddress.getByName(String)java.net.InetAddress\npop\niload x\nireturn', 5,
         "policy: invokestatic java.net.InetAddress.getByName(java.lang.String)java.net.InetAddress is not allowed (network)"),
    Case("environment", 'ldc "user.home"\ninvokestatic System.getProperty(String)String\ninvokevirtual String.length()int\nireturn', 5,
         "policy: invokestatic java.lang.System.getProperty(java.lang.String)java.lang.String is not allowed (environment)"),
    Case("standard streams", 'getstatic System.out:java.io.PrintStream\npop\niload x\nireturn', 4,
         "policy: getstatic java.lang.System.out:java.io.PrintStream is not allowed (standard streams)"),
    Case("security manager", "invokestatic System.getSecurityManager()SecurityManager\npop\niload x\nireturn", 4,
         "policy: invokestatic java.lang.System.getSecurityManager()java.lang.SecurityManager is not allowed (security manager)"),
    Case("references", "new java.lang.ref.WeakReference\npop\niload x\nireturn", 4,
         "policy: new java.lang.ref.WeakReference is not allowed (references)"),
    Case("finalizer", "return", 3,
         "policy: method finalize()void is not allowed (finalizer: a finalize() override runs on the finalizer thread, outside any call)",
         header="protected void finalize()", members=""),
    Case("runtime", "invokestatic System.gc()void\niload x\nireturn", 4,
         "policy: invokestatic java.lang.System.gc()void is not allowed (runtime)"),
    Case("static state", "iload x\nputstatic java.lang.Integer$IntegerCache.high:int\niload x\nireturn", 5,
         "policy: putstatic java.lang.Integer$IntegerCache.high:int is not allowed (static state: writes a static field of another class)"),
    Case("JDK package", "iload x\nireturn", 2,
         "policy: class java.util.Evil is not allowed (JDK package: jbgen does not define classes in the JDK's packages)",
         decl="public final class java.util.Evil"),
    Case("bootstrap", "invokedynamic run()int invokeStatic Math.max(int,int)int []\nireturn", 4,
         "policy: invokedynamic run()int: bootstrap method java.lang.Math.max(int,int)int is not allowed "
         "(bootstrap: not one of the allowed bootstrap methods)"),
    Case("not on the allowlist", "invokestatic java.time.LocalDate.now()java.time.LocalDate\npop\niload x\nireturn", 4,
         "policy: invokestatic java.time.LocalDate.now()java.time.LocalDate is not allowed (not on the allowlist)"),
]


def test_every_category_has_a_case() -> None:
    from jbgen.check import policy as p

    categories = {getattr(p, n) for n in dir(p) if n.isupper() and isinstance(getattr(p, n), str)}
    categories -= {p.DENIED}  # a narrowing policy's own category: see test_deny_narrows
    assert categories == {c.category for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.category for c in CASES])
def test_refused_category(case: Case) -> None:
    text = _class(case.body, header=case.header, decl=case.decl, members=case.members)
    got = _violations(text)
    i = next((i for i, v in enumerate(got) if v.category == case.category), None)
    assert i is not None, [v.message for v in got]
    v = got[i]
    assert (v.line, v.message) == (case.line, case.message)
    assert v.hard == (case.category in HARD_CATEGORIES if case.hard is None else case.hard)
    # The same check as diagnostics: at that line, with the source line and the way out.
    d = check_policy(parse(text, "P.jbasm"), path="P.jbasm",
                     source=SourceMap("P.jbasm", text.splitlines()))[i]
    assert d.message == case.message
    assert d.location is not None and (d.location.path, d.location.line) == ("P.jbasm", case.line)
    assert d.source_line == text.splitlines()[case.line - 1]
    if v.hard:
        assert "can never be allowed" in d.notes[-1]
    else:
        assert d.notes[-1] == f'allow it in the contract\'s [policy] allow list: "{v.allow}"'
        # ... and the pattern it suggests does allow it.
        widened = _violations(text, allow=[v.allow])
        assert [w for w in widened if w.subject == v.subject] == []


def test_native_method_is_refused_at_its_declaration() -> None:
    text = "public final class demo.N {\n    public static native int f(int x)\n}\n"
    assert _messages(text) == [(2, "policy: native method f(int)int is not allowed (native code: a native method runs outside the JVM's checks)")]


def test_superclass_and_interfaces_must_be_allowed() -> None:
    # .noconstructor: the default constructor would call the refused superclass's <init> too.
    text = (".noconstructor\npublic class demo.T extends Thread implements java.util.concurrent.Callable, Comparable {\n"
            "    public int compareTo(Object o) {\n        iconst_0\n        ireturn\n    }\n}\n")
    assert _messages(text) == [
        (2, "policy: extends java.lang.Thread is not allowed (threads)"),
        (2, "policy: implements java.util.concurrent.Callable is not allowed (threads)"),
    ]
    loader = ".noconstructor\npublic class demo.L extends ClassLoader {\n}\n"
    assert _messages(loader) == [(2, "policy: extends java.lang.ClassLoader is not allowed (class loading)")]
    for ok in ("Object", "RuntimeException", "Record", "Number", "java.util.AbstractList"):
        assert _messages(f"public abstract class demo.S extends {ok} {{\n}}\n") == [], ok


def test_catch_types_are_class_references() -> None:
    ok = _class(".catch ArithmeticException from A to B using C\n.catch java.io.IOException from A to B using C\n"
                "A: iload x\nB: ireturn\nC: pop\niconst_0\nireturn")
    assert _messages(ok) == []
    bad = _class(".catch java.nio.file.FileSystemException from A to B using C\nA: iload x\nB: ireturn\nC: pop\niconst_0\nireturn")
    assert [(c, msg) for c, msg in _messages(bad)] == [
        (4, "policy: .catch java.nio.file.FileSystemException is not allowed (file I/O)")]


# ----------------------------------------------------------------------------- what passes


def test_examples_and_pure_code_pass() -> None:
    for path in sorted((ROOT / "examples").glob("*.jbasm")):
        for cls in parse_all(path.read_text(), str(path)):
            assert policy_violations(cls) == [], path
    pure = _class(
        """
        new java.util.ArrayList
        dup
        invokespecial java.util.ArrayList.<init>()void
        dup
        iload x
        invokestatic Integer.valueOf(int)Integer
        invokeinterface java.util.List.add(Object)boolean
        pop
        invokeinterface java.util.List.stream()java.util.stream.Stream
        invokeinterface java.util.stream.Stream.count()long
        l2i
        iload x
        invokestatic Math.abs(int)int
        invokestatic Math.max(int,int)int
        ldc "12"
        invokestatic Integer.parseInt(String)int
        iadd
        new java.math.BigInteger
        dup
        ldc "7"
        invokespecial java.math.BigInteger.<init>(String)void
        invokevirtual java.math.BigInteger.intValue()int
        iadd
        iconst_1
        newarray int
        dup
        iconst_0
        iconst_1
        invokestatic java.util.Arrays.fill(int[],int)void
        invokevirtual int[].clone()Object
        checkcast int[]
        arraylength
        iadd
        invokestatic System.nanoTime()long
        pop2
        ireturn
        """)
    assert _messages(pure) == []


def test_everything_is_refused_only_for_its_native_method() -> None:
    # Everything.jbasm uses every construct: an own-class method handle, a condy with
    # ConstantBootstraps.invoke and an allowed handle (Math.abs), string concatenation,
    # a lambda, interfaces, own static state, annotations, a synchronized method.
    # ConstantBootstraps.invoke is allowed because its arguments are checked as the call
    # it makes: Math.abs(-7) is as pure as invokestatic Math.abs.
    text = EVERYTHING.read_text()
    got = policy_violations(parse(text, str(EVERYTHING)))
    native_line = next(i for i, ln in enumerate(text.splitlines(), 1) if "native void nativeMethod" in ln)
    assert [(v.line, v.category, v.hard) for v in got] == [(native_line, "native code", True)]
    without = text.replace("    public native void nativeMethod()\n", "")
    assert policy_violations(parse(without, str(EVERYTHING))) == []
    # Not even a contract can allow it.
    assert len(policy_violations(parse(text, str(EVERYTHING)), allow=["**"])) == 1


def test_exceptions_may_be_made_thrown_and_read() -> None:
    text = _class(
        """
        new java.io.UncheckedIOException
        dup
        ldc "x"
        new java.io.IOException
        dup
        invokespecial java.io.IOException.<init>()void
        invokespecial java.io.UncheckedIOException.<init>(String,java.io.IOException)void
        invokevirtual java.io.UncheckedIOException.getMessage()String
        pop
        new IllegalStateException
        dup
        invokespecial IllegalStateException.<init>()void
        athrow
        """)
    assert _messages(text) == []
    printed = _class("new RuntimeException\ndup\ninvokespecial RuntimeException.<init>()void\n"
                     "invokevirtual RuntimeException.printStackTrace()void\niload x\nireturn")
    assert _messages(printed) == [(7, "policy: invokevirtual java.lang.RuntimeException.printStackTrace()void is not allowed "
                                      "(standard streams: prints to System.err)")]


# ----------------------------------------------------------------------------- hidden routes


def test_object_final_methods_through_any_owner() -> None:
    for owner in ("java.util.ArrayList", "String", "int[]"):
        text = _class(f"aconst_null\ninvokevirtual {owner}.notifyAll()void\niload x\nireturn")
        assert [v.category for v in _violations(text)] == ["blocking"], owner


def test_inherited_members_are_checked_where_they_come_from() -> None:
    members = "    public <init>() {\n        aload this\n        invokespecial Object.<init>()void\n        return\n    }\n"
    wait = _class("aconst_null\ninvokevirtual demo.P.wait(long)void\niload x\nireturn", members=members)
    assert _messages(wait) == [(5, "policy: invokevirtual demo.P.wait(long)void is not allowed (blocking)")]
    inherited = _class("new demo.P\ndup\ninvokespecial demo.P.<init>()void\ninvokevirtual demo.P.hashCode()int\nireturn",
                       members=members)
    assert _messages(inherited) == []
    # A member of the superclass's that is not on the allowlist is named as such.
    sub = _class("aload this\ninvokevirtual demo.P.removeRange(int,int)void\niload x\nireturn",
                 header="public int f(int x)", decl="public class demo.P extends java.util.AbstractList")
    assert _messages(sub) == []
    sup = _class("aload this\ninvokevirtual demo.P.getState()Thread$State\npop\niload x\nireturn",
                 header="public int f(int x)", decl="public class demo.P extends Thread")
    assert (5, "policy: invokevirtual demo.P.getState()java.lang.Thread$State (inherited from java.lang.Thread) "
               "is not allowed (threads)") in _messages(sup)
    # A default method of an interface, through the class's own name.
    comparator = _class("aload this\ninvokevirtual demo.P.reversed()java.util.Comparator\npop\niload x\nireturn",
                        header="public int f(int x)", decl="public abstract class demo.P implements java.util.Comparator")
    assert _messages(comparator) == []
    # A write to an inherited static field is a write to another class's.
    field = _class("iload x\nputstatic demo.P.X:int\niload x\nireturn", decl="public class demo.P extends demo.Base",
                   before=".noconstructor\n")  # the default constructor would call demo.Base.<init> too
    assert [v.category for v in _violations(field)] == ["not on the allowlist", "static state"]


def test_own_static_state_and_companion_classes() -> None:
    own = _class("iload x\nputstatic demo.P.n:int\ngetstatic demo.P.n:int\nireturn", members="    static int n\n")
    assert _messages(own) == []
    texts = ("public final class demo.A {\n    public static int n\n    public static int f() {\n"
             "        invokestatic demo.B.g()int\n        getstatic demo.B.m:int\n        iadd\n        ireturn\n    }\n}\n"
             "public final class demo.B {\n    public static int m\n    public static int g() {\n"
             "        iconst_1\n        putstatic demo.A.n:int\n        iconst_1\n        ireturn\n    }\n}\n")
    a, b = parse_all(texts, "AB.jbasm")
    assert [v.category for v in policy_violations(a)] == ["not on the allowlist", "not on the allowlist"]
    assert policy_violations(a, classes=[b]) == []
    # Companions may call each other, but not write each other's static fields.
    assert [v.message for v in policy_violations(b, classes={"demo/A": a})] == [
        "policy: putstatic demo.A.n:int is not allowed (static state: writes a static field of another class)"]
    assert policy_violations(b, classes=[a], allow=["demo.A.n"]) == []


def test_a_class_in_a_jdk_package_gets_no_self_exemption() -> None:
    text = ("public final class jdk.internal.Helper {\n    public static void f() {\n"
            "        invokestatic jdk.internal.Helper.f()void\n        return\n    }\n}\n")
    assert [v.category for v in _violations(text)] == ["JDK package", "JDK internals"]


# ----------------------------------------------------------------------------- indy and condy


CONDY_INVOKE = ("invokeStatic java.lang.invoke.ConstantBootstraps.invoke(java.lang.invoke.MethodHandles$Lookup,String,"
                "Class,java.lang.invoke.MethodHandle,Object[])Object")


def test_condy_invoke_is_checked_as_the_call_it_makes() -> None:
    ok = _class(f"ldc Dynamic a:Object {CONDY_INVOKE} [MethodHandle invokeStatic Math.abs(int)int, -7]\npop\niload x\nireturn")
    assert _messages(ok) == []
    bad = _class(f"ldc Dynamic a:Object {CONDY_INVOKE} [MethodHandle invokeStatic System.exit(int)void, 3]\npop\niload x\nireturn")
    assert _messages(bad) == [(4, "policy: ldc Dynamic a:java.lang.Object: bootstrap argument MethodHandle invokeStatic "
                                  "java.lang.System.exit(int)void is not allowed (process exit)")]


def test_nested_dynamic_constants_are_checked_recursively() -> None:
    inner = f"Dynamic b:Object {CONDY_INVOKE} [MethodHandle invokeStatic Runtime.getRuntime()Runtime]"
    text = _class(f"ldc Dynamic a:Object {CONDY_INVOKE} [MethodHandle invokeVirtual Runtime.halt(int)void, {inner}, 1]\n"
                  "pop\niload x\nireturn")
    assert _messages(text) == [
        (4, "policy: ldc Dynamic a:java.lang.Object: bootstrap argument MethodHandle invokeVirtual "
            "java.lang.Runtime.halt(int)void is not allowed (process exit)"),
        (4, "policy: ldc Dynamic a:java.lang.Object: bootstrap argument Dynamic b:java.lang.Object: bootstrap argument "
            "MethodHandle invokeStatic java.lang.Runtime.getRuntime()java.lang.Runtime is not allowed (runtime)"),
    ]


def test_dynamic_constants_too_deep_are_refused() -> None:
    bsm = m.MethodHandleConst(6, m.MemberRef("method", "java/lang/invoke/ConstantBootstraps", "invoke",
                                             "(Ljava/lang/invoke/MethodHandles$Lookup;Ljava/lang/String;Ljava/lang/Class;"
                                             "Ljava/lang/invoke/MethodHandle;[Ljava/lang/Object;)Ljava/lang/Object;"))
    c: m.Loadable = m.Int(1)
    for i in range(40):
        c = m.DynamicConst(m.Bootstrap(bsm, (c,)), f"d{i}", "Ljava/lang/Object;")
    code = m.Code([m.Insn("ldc", (c,), line=3), m.Insn("areturn", line=4)])
    cls = m.ClassDef("demo/D", m.ACC_PUBLIC, "java/lang/Object",
                     methods=[m.MethodDef(m.ACC_PUBLIC | m.ACC_STATIC, "f", "()Ljava/lang/Object;", code)])
    got = policy_violations(cls)
    assert [v.category for v in got] == ["bootstrap"]
    assert "nested more than 32 deep" in got[0].message


def test_lambda_implementation_and_interface_are_checked() -> None:
    exit_ = _class("invokedynamic accept()java.util.function.IntConsumer lambda invokeStatic System.exit(int)void (int)void (int)void\n"
                   "pop\niload x\nireturn")
    assert [v.category for v in _violations(exit_)] == ["process exit"]
    file_ = _class("invokedynamic accept()java.io.FileFilter lambda invokeStatic demo.P.g(java.io.File)boolean (java.io.File)boolean (java.io.File)boolean\n"
                   "pop\niload x\nireturn")
    assert [v.message for v in _violations(file_)] == [
        "policy: invokedynamic accept()java.io.FileFilter: implements java.io.FileFilter is not allowed (file I/O)",
        "policy: invokedynamic accept()java.io.FileFilter: bootstrap argument MethodType (java.io.File)boolean (names java.io.File) "
        "is not allowed (file I/O)",
        # demo.P declares no g(File): it would be inherited (and it is nowhere to be found)
        "policy: invokedynamic accept()java.io.FileFilter: bootstrap argument MethodHandle invokeStatic demo.P.g(java.io.File)boolean "
        "(inherited from java.lang.Object) is not allowed (not on the allowlist)",
        "policy: invokedynamic accept()java.io.FileFilter: bootstrap argument MethodType (java.io.File)boolean (names java.io.File) "
        "is not allowed (file I/O)",
    ]
    ok = _class("invokedynamic applyAsInt()java.util.function.IntUnaryOperator lambda invokeStatic Math.abs(int)int (int)int (int)int\n"
                "pop\niload x\nireturn")
    assert _messages(ok) == []


def test_bootstraps_only_as_bootstraps() -> None:
    direct = _class("aconst_null\naconst_null\naconst_null\ninvokestatic java.lang.invoke.StringConcatFactory.makeConcat"
                    "(java.lang.invoke.MethodHandles$Lookup,String,java.lang.invoke.MethodType)java.lang.invoke.CallSite\n"
                    "pop\niload x\nireturn")
    assert [v.category for v in _violations(direct)] == ["method handles"]
    handle = _class("ldc MethodHandle invokeStatic java.lang.invoke.LambdaMetafactory.metafactory(java.lang.invoke.MethodHandles$Lookup,"
                    "String,java.lang.invoke.MethodType,java.lang.invoke.MethodType,java.lang.invoke.MethodHandle,"
                    "java.lang.invoke.MethodType)java.lang.invoke.CallSite\npop\niload x\nireturn")
    assert [v.category for v in _violations(handle)] == ["method handles"]
    concat = _class('iload x\ninvokedynamic concat(int)String "n=\\1"\ninvokevirtual String.length()int\nireturn')
    assert _messages(concat) == []


def test_an_own_bootstrap_method_is_allowed_and_its_code_checked() -> None:
    members = ("    public static java.lang.invoke.CallSite bsm(java.lang.invoke.MethodHandles$Lookup l, String n, "
               "java.lang.invoke.MethodType t) {\n        aconst_null\n        areturn\n    }\n")
    text = _class("invokedynamic g()int invokeStatic demo.P.bsm(java.lang.invoke.MethodHandles$Lookup,String,"
                  "java.lang.invoke.MethodType)java.lang.invoke.CallSite []\nireturn", members=members)
    assert _messages(text) == []


def test_javac_bootstraps_for_records_and_pattern_switches() -> None:
    record = ("public final class demo.R extends Record {\n    private final int x\n"
              "    public final String toString() {\n        aload this\n"
              "        invokedynamic toString(demo.R)String invokeStatic java.lang.runtime.ObjectMethods.bootstrap("
              "java.lang.invoke.MethodHandles$Lookup,String,java.lang.invoke.TypeDescriptor,Class,String,"
              "java.lang.invoke.MethodHandle[])Object [demo.R.class, \"x\", MethodHandle getField demo.R.x:int]\n"
              "        areturn\n    }\n}\n")
    assert _messages(record) == []
    switch = ("invokedynamic typeSwitch(Object,int)int invokeStatic java.lang.runtime.SwitchBootstraps.typeSwitch("
              "java.lang.invoke.MethodHandles$Lookup,String,java.lang.invoke.MethodType,Object[])java.lang.invoke.CallSite "
              "[String.class, Integer.class, {label}.class]")
    ok = _class(f"aconst_null\niconst_0\n{switch.format(label='java.util.List')}\nireturn")
    assert _messages(ok) == []
    bad = _class(f"aconst_null\niconst_0\n{switch.format(label='java.io.File')}\nireturn")
    assert [v.category for v in _violations(bad)] == ["file I/O"]


def test_constant_bootstraps_that_read_fields() -> None:
    gsf = ("invokeStatic java.lang.invoke.ConstantBootstraps.getStaticFinal(java.lang.invoke.MethodHandles$Lookup,String,Class,Class)Object")
    ok = _class(f"ldc Dynamic MAX_VALUE:int {gsf} [Integer.class]\nireturn")
    assert _messages(ok) == []
    bad = _class(f"ldc Dynamic err:java.io.PrintStream {gsf} [System.class]\npop\niload x\nireturn")
    assert _messages(bad) == [(4, "policy: ldc Dynamic err:java.io.PrintStream: reads java.lang.System.err:java.io.PrintStream "
                                  "is not allowed (standard streams)")]
    enum = ("invokeStatic java.lang.invoke.ConstantBootstraps.enumConstant(java.lang.invoke.MethodHandles$Lookup,String,Class)Enum")
    unit = _class(f"ldc Dynamic SECONDS:java.util.concurrent.TimeUnit {enum} []\npop\niload x\nireturn")
    assert [v.category for v in _violations(unit)] == ["threads"]
    mode = _class(f"ldc Dynamic HALF_UP:java.math.RoundingMode {enum} []\npop\niload x\nireturn")
    assert _messages(mode) == []


def test_method_handle_constants_are_checked_as_their_access() -> None:
    ctor = _class("ldc MethodHandle newInvokeSpecial java.io.File.<init>(String)void\npop\niload x\nireturn")
    assert [v.message for v in _violations(ctor)] == [
        "policy: ldc MethodHandle newInvokeSpecial java.io.File.<init>(java.lang.String)void is not allowed (file I/O)",
        "policy: ldc MethodHandle newInvokeSpecial java.io.File.<init>(java.lang.String)void is not allowed (file I/O)",
    ]
    put = _class("ldc MethodHandle putStatic demo.Other.x:int\npop\niload x\nireturn")
    assert [v.category for v in _violations(put)] == ["static state"]
    mt = _class("ldc MethodType (java.net.Socket)void\npop\niload x\nireturn")
    assert [v.category for v in _violations(mt)] == ["network"]
    cls = _class("ldc java.lang.reflect.Method[].class\npop\niload x\nireturn")
    assert [v.message for v in _violations(cls)] == [
        "policy: ldc java.lang.reflect.Method[].class is not allowed (reflection)"]


# ----------------------------------------------------------------------------- widening and narrowing


def test_allow_widens() -> None:
    getenv = _class('ldc "HOME"\ninvokestatic System.getenv(String)String\ninvokevirtual String.length()int\nireturn')
    assert _messages(getenv) != []
    assert _messages(getenv, allow=["java.lang.System.getenv"]) == []
    assert _messages(getenv, policy=Policy(allow=("java.lang.System.getenv(String)",))) == []
    assert _messages(getenv, allow=["java.lang.System.getenv()"]) != []  # another overload
    file_ = _class('new java.io.File\ndup\nldc "x"\ninvokespecial java.io.File.<init>(String)void\n'
                   "invokevirtual java.io.File.exists()boolean\nireturn")
    assert _messages(file_, allow=["java.io.**"]) == []
    assert _messages(file_, allow=["java.io.File"]) == []
    assert [c for _, c in _messages(file_, allow=["java.io.File.<init>"])] == [
        "policy: invokevirtual java.io.File.exists()boolean is not allowed (file I/O)"]


def test_a_broad_allow_does_not_override_a_more_specific_default_deny() -> None:
    chm = _class("new java.util.concurrent.ConcurrentHashMap\npop\niload x\nireturn")
    assert [v.category for v in _violations(chm, allow=["java.util.**"])] == ["threads"]
    assert _messages(chm, allow=["java.util.concurrent.**"]) == []
    thread = _class("invokestatic Thread.currentThread()Thread\nldc2_w 1L\ninvokestatic Thread.sleep(long)void\npop\niload x\nireturn")
    assert [v.category for v in _violations(thread, allow=["java.lang.Thread"])] == ["blocking"]
    assert _messages(thread, allow=["java.lang.Thread", "java.lang.Thread.sleep"]) == []
    parallel = _class("iconst_0\niload x\ninvokestatic interface java.util.stream.IntStream.range(int,int)java.util.stream.IntStream\n"
                      "invokeinterface java.util.stream.IntStream.parallel()java.util.stream.IntStream\n"
                      "invokeinterface java.util.stream.IntStream.sum()int\nireturn")
    assert [v.category for v in _violations(parallel, allow=["java.util.**"])] == ["threads"]
    assert _messages(parallel, allow=["java.util.stream.IntStream.parallel"]) == []


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hard_denials_never_widen(path: Path) -> None:
    cls = parse(path.read_text(), str(path))
    hard = [v for v in policy_violations(cls) if v.hard]
    widened = policy_violations(cls, allow=["**", *{v.allow for v in policy_violations(cls) if v.allow}])
    assert [v for v in widened if v.hard] == hard
    assert all(v.hard for v in widened)
    for v in hard:
        assert v.allow is None and v.category in HARD_CATEGORIES or v.category in ("method handles", "standard streams")


def test_what_is_hard() -> None:
    # The categories that are always hard, and the hard corners of two others.
    hard = {r.category for r in DEFAULT_POLICY if r.hard}
    assert hard == (HARD_CATEGORIES - {"JDK package"}) | {"method handles", "standard streams"}
    cases = {
        "java.lang.System.exit": True, "java.lang.Runtime.halt": True, "sun.misc.Unsafe": True,
        "java.lang.reflect.Method.invoke": True, "java.lang.invoke.MethodHandles$Lookup.findStatic": True,
        "java.lang.Class.forName": True, "java.lang.System.setOut": True, "java.lang.Runtime.exec": True,
        "java.lang.Runtime.addShutdownHook": True, "java.lang.System.loadLibrary": True,
        "java.lang.System.getenv": False, "java.io.File.delete": False, "java.net.Socket.connect": False,
        "java.lang.Thread.start": False, "java.lang.invoke.MethodHandle.invokeExact": False,
        "java.lang.System.out": False, "java.lang.Object.wait": False,
    }
    for name, is_hard in cases.items():
        owner, member = name.rsplit(".", 1)
        matched = [r for r in DEFAULT_POLICY if not r.allow and r.matches(owner.replace(".", "/"), member)]
        assert matched, name
        assert any(r.hard for r in matched) == is_hard, name


def test_deny_narrows() -> None:
    text = _class("iload x\niload x\ninvokestatic Math.max(int,int)int\nireturn")
    assert _messages(text, deny=["java.lang.Math"]) == [
        (6, "policy: invokestatic java.lang.Math.max(int,int)int is not allowed (denied by the policy)")]
    d = check_policy(parse(text, "P.jbasm"), deny=["java.lang.Math.max"])[0]
    assert d.notes[-1] == "a pattern of the policy's deny list matches it"
    lists = _class("new java.util.ArrayList\npop\nnew java.util.HashMap\npop\niload x\nireturn")
    assert [c for _, c in _messages(lists, deny=["java.util.**"], allow=["java.util.ArrayList"])] == [
        "policy: new java.util.HashMap is not allowed (denied by the policy)"]
    lam = _class("invokedynamic applyAsInt()java.util.function.IntUnaryOperator lambda invokeStatic Math.abs(int)int (int)int (int)int\n"
                 "pop\niload x\nireturn")
    assert [v.category for v in _violations(lam, deny=["java.lang.invoke.LambdaMetafactory"])] == ["denied by the policy"]


def test_contract_policies_and_allow_rules_are_accepted() -> None:
    from jbgen.contract.model import AllowRule
    from jbgen.contract.model import Policy as ContractPolicy

    text = _class("invokestatic java.util.Map$Entry.comparingByKey()java.util.Comparator\npop\n"
                  "new java.util.concurrent.atomic.AtomicInteger\npop\n"
                  "aconst_null\niload x\ninvokevirtual java.util.Random.nextInt(int)int\nireturn")
    rules = (AllowRule("java.util.concurrent.atomic.*", "package", "java/util/concurrent/atomic"),
             AllowRule("java.util.Random.nextInt(int)", "member", "java/util/Random", "nextInt", ("I",)))
    cls = parse(text, "P.jbasm")
    assert [v.category for v in policy_violations(cls, ContractPolicy(allow=rules))] == []
    assert check_policy(cls, allow=ContractPolicy(allow=rules).allow) == []
    assert check_policy(cls, allow=[r.pattern for r in rules]) == []
    # The contract loader's spelling of a nested class, and the binary name.
    entry = _class("new java.util.AbstractMap$SimpleEntry\npop\nnew java.util.Map$Entry\npop\niload x\nireturn")
    assert _messages(entry, deny=["java.util.Map.Entry"]) == [
        (6, "policy: new java.util.Map$Entry is not allowed (denied by the policy)")]
    assert _messages(entry, deny=["java.util.Map$Entry"]) == _messages(entry, deny=["java.util.Map.Entry"])


def test_a_loaded_contracts_policy_widens() -> None:
    from jbgen.contract import load_contract_text

    contract = load_contract_text(
        'schema = 1\n[class]\nname = "demo.P"\n[[method]]\nsignature = "static int f(int x)"\n'
        'description = "x"\n[policy]\nallow = ["java.lang.Character.get*", "java.util.concurrent.**", '
        '"java.lang.System.getProperty(String)", "java.util.Map.Entry"]\n', "p.toml")
    text = _class('ldc "k"\ninvokestatic System.getProperty(String)String\npop\n'
                  "new java.util.concurrent.ConcurrentHashMap\npop\n"
                  "iload x\ninvokestatic Character.getNumericValue(int)int\nireturn")
    cls = parse(text, "P.jbasm")
    refused = [v.category for v in policy_violations(cls)]
    assert refused == ["environment", "threads"]
    assert check_policy(cls, contract.policy) == []
    assert check_policy(cls, allow=contract.policy.allow) == []


def test_patterns_are_validated() -> None:
    assert validate_pattern("java.util.HashMap") is None
    assert validate_pattern("java.util.**") is None
    assert validate_pattern("java.lang.Math.max(int,int)") is None
    assert validate_pattern("java.lang.Class.get*") is None
    assert validate_pattern("java.util.Map$Entry.<init>") is None
    for bad, why in [("", "empty"), ("java/util/List", "dots, not slashes: `java.util.List`"),
                     ("java..util", "empty segments"), ("java.util.**x", "stands alone"),
                     ("java.util.List. get", "no spaces"), ("java.lang.Math.max(int", "parentheses"),
                     ("java.lang.Math.max(in t)", "no spaces"), ("java.lang.Math.*(int)", "follow a method name"),
                     ("java.util.Li+st", "is not a name")]:
        problem = validate_pattern(bad)
        assert problem is not None and why in problem, (bad, problem)
    with pytest.raises(ContractError, match="policy allow pattern `java/io/File`: write names with dots"):
        Policy(allow=("java/io/File",))
    with pytest.raises(ValueError, match="policy pattern"):
        PolicyRule("a..b")


# ----------------------------------------------------------------------------- locations


def test_lines_from_class_bytes_through_the_source_map(jvm: None) -> None:
    from jbgen.api import assemble_text
    from jbgen.asm.reader import read_class

    path = FIXTURES / "hostile" / "policy-condy-exit.jbasm"
    text = path.read_text()
    assembled = assemble_text(text, str(path))[0]
    back = read_class(assembled.data)
    sm = SourceMap.build(str(path), text, assembled.cls, back)
    (d,) = check_policy(back, source=sm)
    assert d.location is not None and d.location.line == 6 and d.location.path == str(path)
    assert d.source_line is not None and d.source_line.strip().startswith("ldc Dynamic boom:Object")
    assert d.render().splitlines()[2].strip() == "^~~"  # the mnemonic
    # Without a source map: the method and bci.
    (bare,) = check_policy(back, path="X.class")
    assert bare.location is not None and bare.location.line is None
    assert bare.notes[0] == "in hostile.PolicyCondyExit.applyAsInt(int)int at bci 0"


# ----------------------------------------------------------------------------- the hostile corpus


def _expected(path: Path) -> str:
    first = path.read_text().splitlines()[0]
    mt = re.fullmatch(r"// expect: policy (.+)", first)
    assert mt, f"{path.name}: the first line is not `// expect: policy <category>`"
    return mt.group(1).strip()


def test_hostile_corpus_covers_the_brief() -> None:
    names = {p.stem for p in HOSTILE}
    for needed in ("exit", "halt", "reflection", "method-handle-lookup", "condy-exit", "file-write", "socket",
                   "getenv", "thread-start", "native-method", "unsafe", "shutdown-hook", "finalizer", "putstatic"):
        assert f"policy-{needed}" in names


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_class_is_refused(path: Path) -> None:
    expected = _expected(path)
    text = path.read_text()
    got = check_policy(parse(text, str(path)), path=str(path), source=SourceMap(str(path), text.splitlines()))
    assert any(f"({expected}" in d.message for d in got), [d.message for d in got]
    for d in got:
        assert d.location is not None and d.location.line, d.render()


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_class_assembles(path: Path, jvm: None) -> None:
    # The refusal is the policy's, not the assembler's: each text is a real class.
    from jbgen.api import assemble_text

    assert len(assemble_text(path.read_text(), str(path))) == 1


# ----------------------------------------------------------------------------- corpora


def test_java_base_sample_does_not_crash(jvm: None) -> None:
    from jbgen.asm.reader import read_class

    sample = java_base_sample(40)
    refused = 0
    for display, data in sample:
        cls = read_class(data, display)
        diags = check_policy(cls, path=display)
        refused += bool(diags)
        # A JDK class claims a JDK package; that is always the first refusal.
        assert diags and "(JDK package" in diags[0].message
        for d in diags:
            assert d.message.startswith("policy: ") and d.location is not None
    assert refused == len(sample) > 100


def test_every_fixture_and_example_text_is_checked() -> None:
    paths = sorted((FIXTURES / "jbasm").glob("*.jbasm")) + sorted((ROOT / "examples").glob("*.jbasm"))
    assert paths
    for path in paths:
        for cls in parse_all(path.read_text(), str(path)):
            for v in policy_violations(cls):
                assert v.category == "native code", (path, v.message)


def test_the_throwable_lists_match_the_jdk(jvm: None) -> None:
    from jbgen.api import iter_classes
    from jbgen.asm.reader import read_class
    from jbgen.check import policy

    supers: dict[str, str | None] = {}
    public: set[str] = set()
    for pkg in ("java/lang", "java/io", "java/util"):
        for display, data in iter_classes([f"jrt:/java.base/{pkg}"]):
            cls = read_class(data, display)
            supers[cls.name] = cls.super_name
            if cls.flags & m.ACC_PUBLIC:
                public.add(cls.name)

    def throwable(n: str | None) -> bool:
        while n is not None:
            if n == "java/lang/Throwable":
                return True
            n = supers.get(n)
        return False

    for pkg, listed in (("java/lang", policy._JAVA_LANG_THROWABLES), ("java/io", policy._JAVA_IO_THROWABLES),
                        ("java/util", policy._JAVA_UTIL_THROWABLES)):
        found = {n[len(pkg) + 1 :] for n in public if n.rsplit("/", 1)[0] == pkg and throwable(n)}
        assert found == set(listed), pkg


# ----------------------------------------------------------------------------- docs and wiring


def _policy_docs() -> str:
    text = (ROOT / "docs" / "contracts.md").read_text()
    assert "\n## Policy\n" in text
    return text[text.index("\n## Policy\n") :]


def test_docs_name_every_category_and_what_is_hard() -> None:
    from jbgen.check import policy as p

    docs = _policy_docs()
    categories = {getattr(p, n) for n in dir(p) if n.isupper() and isinstance(getattr(p, n), str)}
    for c in categories:
        assert f"| {c} |" in docs, c
    for c in HARD_CATEGORIES:
        assert re.search(rf"\| {re.escape(c)} \| [^|]*\| never \|", docs), c


def test_docs_list_every_default_allow() -> None:
    docs = _policy_docs()
    from jbgen.check import policy as p

    for pattern in p._ALLOW_CLASSES:
        name = pattern.rpartition(".")[2].removesuffix("$*")  # `Spliterator` (and nested)
        assert f"`{pattern}`" in docs or f"`{name}`" in docs, pattern
    for pattern in p._BOOTSTRAPS:
        assert pattern.rsplit(".", 2)[-2] in docs and pattern.rsplit(".", 1)[-1] in docs, pattern


def test_verify_runs_the_policy_when_asked(jvm: None) -> None:
    from jbgen.api import verify_paths

    hostile = str(FIXTURES / "hostile" / "policy-exit.jbasm")
    clamp = str(ROOT / "examples" / "Clamp.jbasm")
    plain = verify_paths([hostile, clamp], link=False)
    assert [r.checks for r in plain] == [{"structure": "ok", "classfile-verify": "ok"}] * 2
    bad, good = verify_paths([hostile, clamp], link=False, policy=Policy())
    assert bad.checks == {"structure": "ok", "classfile-verify": "ok", "policy": "failed"}
    assert good.checks == {"structure": "ok", "classfile-verify": "ok", "policy": "ok"}
    (d,) = bad.diagnostics
    assert d.location is not None and (d.location.path, d.location.line) == (hostile, 6)
    assert d.message == "policy: invokestatic java.lang.System.exit(int)void is not allowed (process exit)"
    widened = verify_paths([hostile], link=False, policy=Policy(allow=("java.lang.System.exit",)))
    assert widened[0].checks["policy"] == "failed"  # hard


def test_cli_verify_policy_flag(jvm: None) -> None:
    from click.testing import CliRunner

    from jbgen.cli import main

    hostile = str(FIXTURES / "hostile" / "policy-getenv.jbasm")
    runner = CliRunner()
    r = runner.invoke(main, ["verify", "--no-link", hostile])
    assert r.exit_code == 0, r.output
    r = runner.invoke(main, ["verify", "--no-link", "--policy", hostile])
    assert r.exit_code == 3
    assert "policy failed" in r.stdout
    assert f"{hostile}:6:9: error: policy: invokestatic java.lang.System.getenv(java.lang.String)java.lang.String " \
           "is not allowed (environment)" in r.stderr
    assert "note: allow it in the contract's [policy] allow list: \"java.lang.System.getenv\"" in r.stderr
