"""The three verification layers on classes that need each other, the JDK's own classes and old versions."""

from __future__ import annotations

from jbgen.api import assemble_text, iter_classes
from jbgen.check.verify import ClassInput, verify_classes

BASE = """public class demo.Base {
    public <init>() {
        aload this
        invokespecial Object.<init>()void
        return
    }
}
"""
SUB = """public class demo.Sub extends demo.Base {
    public <init>() {
        aload this
        invokespecial demo.Base.<init>()void
        return
    }
    public static demo.Base pick(boolean b) {
        iload b
        ifeq L1
        new demo.Sub
        dup
        invokespecial demo.Sub.<init>()void
        areturn
    L1:
        new demo.Base
        dup
        invokespecial demo.Base.<init>()void
        areturn
    }
    public static demo.Base merge(boolean b) {
        .local demo.Base x
        iload b
        ifeq L1
        new demo.Sub
        dup
        invokespecial demo.Sub.<init>()void
        astore x
        goto L2
    L1:
        new demo.Base
        dup
        invokespecial demo.Base.<init>()void
        astore x
    L2:
        aload x
        areturn
    }
}
"""


def test_classes_under_test_resolve_each_other(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # Sub needs Base to assemble (stack maps merge Sub and Base): give it Base on the class path.
    base = assemble_text(BASE, "Base.jbasm")[0]
    (tmp_path / "demo").mkdir()
    (tmp_path / "demo" / "Base.class").write_bytes(base.data)
    sub = assemble_text(SUB, "Sub.jbasm", classpath=[str(tmp_path)])[0]
    # Verified together, without a class path: the verifier must see Base among the inputs.
    reports = verify_classes([ClassInput("Base", base.data), ClassInput("Sub", sub.data)])
    for r in reports:
        assert r.ok, [d.render() for d in r.diagnostics]
        assert r.checks == {"structure": "ok", "classfile-verify": "ok", "link": "ok"}


def test_missing_superclass_is_a_clear_link_error() -> None:
    text = SUB.replace("public static demo.Base merge", "public static demo.Base unused").split("    public static demo.Base pick")[0] + "}\n"
    import pytest

    from jbgen.errors import AssemblyError

    try:
        sub = assemble_text(text, "Sub.jbasm")[0]
    except AssemblyError:
        pytest.skip("assembler needs the superclass")
    reports = verify_classes([ClassInput("Sub", sub.data)])
    assert reports[0].checks["link"] == "failed"
    msg = reports[0].diagnostics[-1].render()
    assert "demo.Base is not on the classpath" in msg and "--classpath" in msg


def test_jdk_classes_verify_and_skip_the_link_check() -> None:
    inputs = [ClassInput(p, d) for p, d in iter_classes(["jrt:/java.base/java/util/function"])]
    reports = verify_classes(inputs)
    assert len(reports) > 40
    for r in reports:
        assert r.checks["structure"] == "ok" and r.checks["classfile-verify"] == "ok", r.display
        assert r.checks["link"] == "skipped"  # only the boot loader may define java.*


def test_old_class_versions_skip_classfile_verify_but_link() -> None:
    text = """.version 49
public class demo.Old {
    public static int sub(int a) {
        jsr Sub
        iload a
        ireturn
    Sub:
        astore_1
        ret 1
    }
}
"""
    old = assemble_text(text, "Old.jbasm")[0]
    r = verify_classes([ClassInput("Old", old.data)])[0]
    assert r.checks == {"structure": "ok", "classfile-verify": "skipped", "link": "ok"}, [d.render() for d in r.diagnostics]


def test_classes_of_one_text_assemble_and_verify_together() -> None:
    # No class path: Sub's frames merge Sub and Base, both written in this one text.
    both = assemble_text(BASE + "\n" + SUB, "Both.jbasm")
    reports = verify_classes([ClassInput(a.cls.name, a.data) for a in both])
    assert [r.checks for r in reports] == [{"structure": "ok", "classfile-verify": "ok", "link": "ok"}] * 2


def test_link_check_never_links_the_jdks_own_copy_instead() -> None:
    # jdk.internal.misc.VM is the JDK's: a user loader delegates to it, so linking
    # through one would check the JDK's bytes, not these.  It is skipped, not "ok".
    inputs = [ClassInput(p, d) for p, d in iter_classes(["jrt:/java.base/jdk/internal/misc/VM.class"])]
    assert verify_classes(inputs)[0].checks["link"] == "skipped"
