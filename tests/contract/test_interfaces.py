"""Interfaces resolved from class files: a jar and a folder built with javac, and the JDK."""

from __future__ import annotations

import shutil
import subprocess
import textwrap
from pathlib import Path

import pytest

from jbgen.contract import load_contract_text
from jbgen.contract.interfaces import ClassPath, LookupError_, abstract_methods, jdk_class_bytes
from jbgen.errors import ContractError

SOURCES = {
    "api/Shape.java": """
        package api;
        public interface Shape {
            double area();
            default String label() { return "shape"; }
            static Shape unit() { return () -> 1.0; }
        }
    """,
    "api/Scaled.java": """
        package api;
        public interface Scaled extends Shape {
            Scaled scale(double factor, int times);
            // A default body for the superinterface's label(): not required either way.
            default String label() { return "scaled"; }
        }
    """,
    "api/Mapper.java": """
        package api;
        public interface Mapper<T, R> {
            R map(T input);
            boolean equals(Object other);   // Object's: not required
            String toString();
        }
    """,
    "api/Reabstract.java": """
        package api;
        public interface Reabstract extends Shape {
            String label();                 // abstract again: required
        }
    """,
    "api/Impl.java": """
        package api;
        public class Impl implements Shape {
            public double area() { return 0; }
        }
    """,
    "api/Overloaded.java": """
        package api;
        public interface Overloaded {
            int f(int x);
            long f(long x);
        }
    """,
}


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(classes folder, jar) of the interfaces above, compiled by the system javac for release 17."""
    if shutil.which("javac") is None or shutil.which("jar") is None:
        pytest.skip("no system javac/jar")
    root = tmp_path_factory.mktemp("api")
    src = root / "src"
    out = root / "classes"
    for rel, text in SOURCES.items():
        f = src / rel
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(textwrap.dedent(text))
    r = subprocess.run(
        ["javac", "--release", "17", "-parameters", "-d", str(out), *[str(src / rel) for rel in SOURCES]],
        capture_output=True,
        text=True,
    )
    if r.returncode != 0:
        pytest.skip(f"javac failed: {r.stderr}")
    jar = root / "api.jar"
    subprocess.run(["jar", "cf", str(jar), "-C", str(out), "."], check=True)
    return out, jar


def _sigs(interface: str, cp: ClassPath) -> list[tuple[str, str, str, tuple[str, ...] | None]]:
    return [(m.owner, m.name, m.descriptor, m.param_names) for m in abstract_methods(interface, cp)]


def test_abstract_methods_from_jar(compiled: tuple[Path, Path]) -> None:
    _, jar = compiled
    cp = ClassPath([str(jar)])
    assert _sigs("api/Shape", cp) == [("api/Shape", "area", "()D", None)]
    assert _sigs("api/Scaled", cp) == [
        ("api/Scaled", "scale", "(DI)Lapi/Scaled;", ("factor", "times")),
        ("api/Shape", "area", "()D", None),
    ]
    assert _sigs("api/Mapper", cp) == [("api/Mapper", "map", "(Ljava/lang/Object;)Ljava/lang/Object;", ("input",))]
    assert [m.name for m in abstract_methods("api/Reabstract", cp)] == ["label", "area"]
    with pytest.raises(LookupError_, match="api.Impl is a class, not an interface"):
        abstract_methods("api/Impl", cp)
    cp.close()


def test_abstract_methods_from_folder(compiled: tuple[Path, Path]) -> None:
    folder, _ = compiled
    assert [m.name for m in abstract_methods("api/Scaled", ClassPath([str(folder)]))] == ["scale", "area"]


def test_contract_against_jar(compiled: tuple[Path, Path]) -> None:
    _, jar = compiled
    text = textwrap.dedent(
        """\
        schema = 1
        [class]
        name = "com.example.Square"
        implements = ["api.Scaled", "api.Mapper"]

        [[method]]
        name = "scale"
        description = "A scaled copy."

        [[method]]
        signature = "Object map(Object input)"
        examples = [{ args = [{ null = true }], returns = { null = true } }]

        [[method]]
        signature = "static int twice(int x)"
        """
    )
    c = load_contract_text(text, "c.toml", classpath=[str(jar)])
    assert c.interfaces == ("api/Scaled", "api/Mapper")
    got = [(m.name, m.descriptor, m.param_names, m.from_interface) for m in c.methods]
    assert got == [
        ("scale", "(DI)Lapi/Scaled;", ("factor", "times"), "api/Scaled"),
        ("area", "()D", (), "api/Shape"),
        ("map", "(Ljava/lang/Object;)Ljava/lang/Object;", ("input",), "api/Mapper"),
        ("twice", "(I)I", ("x",), None),
    ]
    assert c.method("scale").description == "A scaled copy."
    assert c.method("scale").return_type.java_name == "api.Scaled"


@pytest.mark.parametrize(
    ("method", "message"),
    [
        ('signature = "Object map(String input)"', "method[0].signature: the signature does not match `Object map(Object)` of `api.Mapper`: parameter 1 (`input`) is String, expected Object"),
        ('signature = "String map(Object input)"', "method[0].signature: the signature does not match `Object map(Object)` of `api.Mapper`: it returns String, expected Object"),
        ('signature = "Object map()"', "method[0].signature: the signature does not match `Object map(Object)` of `api.Mapper`: 0 parameters, expected 1"),
        ('name = "mapp"', "method[0].name: no implemented interface has an abstract method `mapp`; did you mean `map`?"),
    ],
)
def test_signature_mismatch_with_jar(compiled: tuple[Path, Path], method: str, message: str) -> None:
    _, jar = compiled
    text = f'schema = 1\n[class]\nname = "a.B"\nimplements = ["api.Mapper"]\n[[method]]\n{method}\n'
    with pytest.raises(ContractError) as info:
        load_contract_text(text, "c.toml", classpath=[str(jar)])
    (d,) = info.value.diagnostics
    assert d.message == message
    assert d.location is not None and d.location.line == 6


def test_overloads_need_a_signature(compiled: tuple[Path, Path]) -> None:
    _, jar = compiled
    head = 'schema = 1\n[class]\nname = "a.B"\nimplements = ["api.Overloaded"]\n[[method]]\n'
    with pytest.raises(ContractError) as info:
        load_contract_text(head + 'name = "f"\n', "c.toml", classpath=[str(jar)])
    assert "`f` is overloaded (int f(int), long f(long)): write the `signature` to choose one" in info.value.diagnostics[0].message
    c = load_contract_text(head + 'signature = "long f(long x)"\n', "c.toml", classpath=[str(jar)])
    assert [(m.name, m.descriptor, m.param_names) for m in c.methods] == [("f", "(I)I", ("x",)), ("f", "(J)J", ("x",))]
    with pytest.raises(ContractError) as info:
        load_contract_text(head + 'signature = "short f(short x)"\n', "c.toml", classpath=[str(jar)])
    assert "matches no overload of `f` in the interfaces: int f(int), long f(long)" in info.value.diagnostics[0].message


def test_interface_not_on_classpath(compiled: tuple[Path, Path]) -> None:
    _, jar = compiled
    with pytest.raises(ContractError) as info:
        load_contract_text('schema = 1\n[class]\nname = "a.B"\nimplements = ["api.Nope"]\n', "c.toml", classpath=[str(jar)])
    assert info.value.diagnostics[0].message == "class.implements[0]: interface api.Nope not found on the classpath"


# --------------------------------------------------------------------------- the JDK


def test_jdk_interface() -> None:
    c = load_contract_text(
        'schema = 1\n[class]\nname = "a.Max"\nimplements = ["java.util.function.IntBinaryOperator"]\n', "c.toml"
    )
    (m,) = c.methods
    assert (m.name, m.descriptor, m.from_interface, m.static) == (
        "applyAsInt",
        "(II)I",
        "java/util/function/IntBinaryOperator",
        False,
    )
    assert m.param_names == ("arg0", "arg1")  # the JDK is compiled without -parameters
    assert jdk_class_bytes("java/util/function/IntBinaryOperator") is jdk_class_bytes("java/util/function/IntBinaryOperator")


def test_jdk_comparator_needs_only_compare() -> None:
    # Comparator declares equals abstractly (Object implements it) and many default/static methods.
    methods = abstract_methods("java/util/Comparator", ClassPath())
    assert [(m.name, m.descriptor) for m in methods] == [("compare", "(Ljava/lang/Object;Ljava/lang/Object;)I")]


def test_jdk_interface_outside_java_base() -> None:
    methods = abstract_methods("java/sql/Wrapper", ClassPath())
    assert {m.name for m in methods} == {"unwrap", "isWrapperFor"}


def test_jdk_class_missing() -> None:
    assert jdk_class_bytes("java/util/function/NoSuchInterface") is None
