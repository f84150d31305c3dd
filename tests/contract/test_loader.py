"""Loading contracts: every feature of the format, the public API, and each kind of error."""

from __future__ import annotations

import hashlib
import io
import math
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from jbgen.contract import (
    Contract,
    JType,
    Throws,
    find_contracts,
    load_contract,
    load_contract_text,
)
from jbgen.errors import ContractError, UsageError
from tests.conftest import FIXTURES, ROOT

HEAD = 'schema = 1\n\n[class]\nname = "com.example.T"\n'


def load(body: str, head: str = HEAD) -> Contract:
    return load_contract_text(head + textwrap.dedent(body), "c.toml")


def errors(body: str, head: str = HEAD) -> list[str]:
    """The first line of each diagnostic."""
    with pytest.raises(ContractError) as info:
        load(body, head)
    return [d.render().splitlines()[0] for d in info.value.diagnostics]


# --------------------------------------------------------------------------- valid contracts


def test_sample_contracts_load() -> None:
    paths = sorted((FIXTURES / "contracts").glob("*.toml"))
    assert len(paths) >= 3
    for p in paths:
        c = load_contract(p)
        assert c.methods and c.path == str(p)
        assert c.source_sha256 == hashlib.sha256(p.read_bytes()).hexdigest()


def test_class_section() -> None:
    c = load(
        """
        description = "A test class."
        extends = "java.lang.Number"
        release = 17
        imports = ["java.util.List", "java.util.Map.Entry"]

        [[method]]
        signature = "static int size(List<String> xs, Entry e)"
        """
    )
    assert c.class_name == "com/example/T" and c.binary_name == "com.example.T"
    assert c.simple_name == "T" and c.package == "com/example"
    assert c.superclass == "java/lang/Number"
    assert c.major_version == 61 and c.release == 17
    assert c.description == "A test class."
    assert c.schema == 1
    m = c.method("size")
    assert m.descriptor == "(Ljava/util/List;Ljava/util/Map$Entry;)I"
    assert m.static and m.from_interface is None
    assert m.line == 11


def test_defaults() -> None:
    c = load('[[method]]\nsignature = "void run()"\n')
    assert c.superclass == "java/lang/Object"
    assert c.major_version == 69
    assert c.interfaces == () and c.stateful is None
    assert c.policy.allow == () and c.policy.heap_mb == 256
    assert c.policy.call_timeout_s == 2.0 and c.policy.contract_timeout_s == 60.0
    assert c.policy.max_examples == 200
    m = c.methods[0]
    assert m.return_type.is_void and not m.static and m.examples == ()


def test_default_package() -> None:
    c = load_contract_text('schema = 1\n[class]\nname = "Clamp"\n[[method]]\nsignature = "Clamp copy()"\n')
    assert c.class_name == "Clamp" and c.package == ""
    assert c.methods[0].descriptor == "()LClamp;"


def test_examples_of_every_type() -> None:
    c = load(
        """
        [[method]]
        signature = "static Object f(boolean z, byte b, short s, char c, int i, long j, float f, double d, String str, int[][] a, Integer boxed, String[] names)"
        examples = [
          { args = [true, -128, 32767, "\\n", -2147483648, 9223372036854775807, 0.1, nan, "", [[1], []], { null = true }, ["a", { null = true }]], returns = { null = true } },
          { args = [false, 0, 0, "\\u00e9", 0, 0, inf, -0.0, "\\u00e9\\U0001F600", { null = true }, 7, []], throws = "IllegalStateException" },
        ]
        """
    )
    m = c.methods[0]
    e0, e1 = m.examples
    assert e0.args[:3] == (True, -128, 32767) and e0.args[3] == "\n"
    assert e0.args[5] == 2**63 - 1
    assert e0.args[6] == 0.10000000149011612  # rounded to float32
    assert math.isnan(e0.args[7])  # type: ignore[arg-type]
    assert e0.args[9] == ((1,), ()) and e0.args[10] is None and e0.args[11] == ("a", None)
    assert e0.has_returns and e0.returns is None and e0.throws is None
    assert e1.args[8] == "\u00e9\U0001f600"
    assert e1.args[3] == "\u00e9" and e1.args[6] == math.inf and e1.args[9] is None and e1.args[10] == 7
    assert e1.throws == "java/lang/IllegalStateException" and not e1.has_returns
    assert (e0.index, e1.index) == (0, 1) and e1.line == e0.line + 1
    assert m.call_text(e0.args).startswith("f(true, (byte) -128, (short) 32767, '\\n', -2147483648, 9223372036854775807L, 0.1f, Double.NaN")


def test_example_forms() -> None:
    c = load(
        """
        [[method]]
        signature = "void reset()"
        examples = [{}, { args = [] }]

        [[method]]
        signature = "int f(int x)"

        [[method.examples]]
        args = [1]
        returns = 2

        [[method.examples]]
        args = [2]
        """
    )
    reset, f = c.methods
    assert [e.args for e in reset.examples] == [(), ()]
    assert [(e.args, e.has_returns, e.line) for e in f.examples] == [((1,), True, 13), ((2,), False, 17)]


def test_ranges_lengths_assume_properties_oracle() -> None:
    c = load(
        """
        [[method]]
        signature = "static int clamp(int x, int lo, int hi, int[] extra, String s, double d)"
        ranges = { x = [-1000, 1000], extra = [0, 9], d = [-1.5, 2] }
        lengths = { extra = [0, 3], s = [1, 5] }
        assume = ["lo <= hi", "all(v >= 0 for v in extra)"]
        properties = ["lo <= result <= hi", "(lambda r: r == r)(result)", "(n := result) == n"]
        oracle = "max(lo, min(x, hi))"
        """
    )
    m = c.methods[0]
    p = {q.name: q for q in m.params}
    assert p["x"].range == (-1000, 1000) and p["lo"].range is None
    assert p["extra"].range == (0, 9) and p["extra"].length == (0, 3)
    assert p["s"].length == (1, 5) and p["d"].range == (-1.5, 2.0)
    assert [a.source for a in m.assume] == ["lo <= hi", "all(v >= 0 for v in extra)"]
    assert m.assume[0].evaluate({"lo": 1, "hi": 2}) is True
    assert m.properties[0].evaluate({"lo": 0, "hi": 5, "result": 3}) is True
    assert m.properties[0].line == 11
    assert m.oracle is not None and not m.oracle.is_function
    assert m.oracle.to_callable(m.param_names)(50, 0, 10, (), "", 0.0) == 10


def test_oracle_function() -> None:
    c = load(
        """
        [[method]]
        signature = "static int div(int a, int b)"
        oracle = '''
            def helper(x):
                return x

            def oracle(a, b):
                return helper(idiv(a, b))
        '''
        """
    )
    o = c.methods[0].oracle
    assert o is not None and o.function == "oracle"
    fn = o.to_callable(("a", "b"))
    assert fn(-7, 2) == -3
    with pytest.raises(Throws):
        fn(1, 0)
    # A single function may have any name; the method's name is also recognised.
    c = load('[[method]]\nsignature = "static int g(int a)"\noracle = """\ndef g(a):\n    return a\n"""\n')
    assert c.methods[0].oracle.function == "g"  # type: ignore[union-attr]


def test_stateful_and_policy() -> None:
    c = load_contract(FIXTURES / "contracts" / "int-stack.toml")
    st = c.stateful
    assert st is not None
    assert st.model_class == "StackModel" and st.methods == ("push", "pop", "size") and st.steps == 40
    model = st.new_model()
    model.push(3)  # type: ignore[attr-defined]
    assert model.pop() == 3  # type: ignore[attr-defined]
    with pytest.raises(Throws) as info:
        model.pop()  # type: ignore[attr-defined]
    assert info.value.class_name == "java/util/NoSuchElementException"
    pol = c.policy
    assert (pol.heap_mb, pol.call_timeout_s, pol.contract_timeout_s, pol.max_examples) == (64, 1.0, 30.0, 100)
    (rule,) = pol.allow
    assert (rule.kind, rule.owner, rule.member) == ("member", "java/util/NoSuchElementException", "<init>")


def test_stateful_methods_subset_and_class_choice() -> None:
    c = load(
        """
        [[method]]
        signature = "void push(int x)"
        [[method]]
        signature = "int size()"
        [[method]]
        signature = "static int max(int a, int b)"
        [stateful]
        model_class = "B"
        methods = ["size"]
        model = '''
        class A:
            pass
        class B:
            def __init__(self, capacity=16):
                self.n = 0
            def push(self, x):
                self.n += 1
            def size(self):
                return self.n
            def _helper(self):
                pass
            @staticmethod
            def util():
                pass
        '''
        """
    )
    assert c.stateful is not None
    assert c.stateful.model_class == "B" and c.stateful.methods == ("size",)


def test_allow_patterns() -> None:
    c = load(
        """
        [[method]]
        signature = "void run()"
        [policy]
        allow = ["java.util.HashMap", "java.util.Random.nextInt", "java.util.Random.nextInt(int)", "java.util.concurrent.atomic.*", "java.util.**", "java.util.Map.Entry", "java.util.Map.Entry.getKey", "java.util.HashMap.*"]
        """
    )
    rules = c.policy.allow
    got = [(r.kind, r.owner, r.member, r.params, r.recursive) for r in rules]
    assert got == [
        ("class", "java/util/HashMap", None, None, False),
        ("member", "java/util/Random", "nextInt", None, False),
        ("member", "java/util/Random", "nextInt", ("I",), False),
        ("package", "java/util/concurrent/atomic", None, None, False),
        ("package", "java/util", None, None, True),
        ("class", "java/util/Map$Entry", None, None, False),
        ("member", "java/util/Map$Entry", "getKey", None, False),
        ("class", "java/util/HashMap", None, None, False),
    ]
    assert rules[0].matches("java/util/HashMap", "put", "(Ljava/lang/Object;Ljava/lang/Object;)Ljava/lang/Object;")
    assert rules[1].matches("java/util/Random", "nextInt", "()I")
    assert not rules[1].matches("java/util/Random", "nextLong", "()J")
    assert rules[2].matches("java/util/Random", "nextInt", "(I)I")
    assert not rules[2].matches("java/util/Random", "nextInt", "(II)I")
    assert rules[3].matches("java/util/concurrent/atomic/AtomicInteger")
    assert not rules[3].matches("java/util/concurrent/atomic/sub/X")
    assert rules[4].matches("java/util/concurrent/ConcurrentHashMap")
    assert not rules[4].matches("java/utility/X")


# --------------------------------------------------------------------------- API


def test_find_contracts(tmp_path: Path) -> None:
    (tmp_path / "b.toml").write_text("")
    (tmp_path / "a.toml").write_text("")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.toml").write_text("")
    (tmp_path / "notes.txt").write_text("")
    other = tmp_path / "x.contract"
    other.write_text("")
    found = find_contracts([str(tmp_path), str(other), "-", str(tmp_path / "a.toml")])
    assert found == [tmp_path / "a.toml", tmp_path / "b.toml", tmp_path / "sub" / "c.toml", other, Path("-")]
    with pytest.raises(UsageError, match="no such file or folder"):
        find_contracts([str(tmp_path / "missing")])


def test_load_from_stdin(monkeypatch: pytest.MonkeyPatch) -> None:
    data = (FIXTURES / "contracts" / "clamp.toml").read_bytes()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    c = load_contract("-")
    assert c.path == "<stdin>" and c.binary_name == "com.example.Clamp"


def test_load_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        load_contract(tmp_path / "nope.toml")
    with pytest.raises(UsageError, match="is a folder"):
        load_contract(tmp_path)


def test_contract_is_frozen_and_picklable() -> None:
    import dataclasses
    import pickle

    c = load_contract(FIXTURES / "contracts" / "int-stack.toml")
    with pytest.raises(dataclasses.FrozenInstanceError):
        c.schema = 2  # type: ignore[misc]
    assert pickle.loads(pickle.dumps(c)) == c
    assert hash(c.methods[0].params[0].type) == hash(JType("I"))


def test_import_does_not_start_a_jvm() -> None:
    code = (
        "import sys\n"
        "from jbgen.contract import load_contract\n"
        f"load_contract({str(FIXTURES / 'contracts' / 'clamp.toml')!r})\n"
        "assert 'jpype' not in sys.modules, 'jpype imported'\n"
        "assert 'jbgen.jvm' not in sys.modules, 'jbgen.jvm imported'\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


# --------------------------------------------------------------------------- errors, one per kind


def test_error_toml_syntax() -> None:
    with pytest.raises(ContractError) as info:
        load_contract_text('schema = 1\n[class]\nname = "a.B"\nx = = 1\n', "c.toml")
    assert info.value.render() == "c.toml:4:5: error: TOML syntax: invalid value\n    x = = 1\n        ^"
    assert info.value.exit_code == 2


def test_error_toml_at_end_of_document() -> None:
    with pytest.raises(ContractError) as info:
        load_contract_text('schema = 1\nx = [1,\n\n', "c.toml")
    assert info.value.render().splitlines()[0] == "c.toml:2:8: error: TOML syntax: invalid value"


def test_error_unknown_key() -> None:
    assert errors('[[method]]\nsignatur = "void f()"\n') == [
        "c.toml:6:1: error: method[0]: unknown key `signatur`; did you mean `signature`?",
        "c.toml:5:1: error: method[0]: a [[method]] needs a `signature` (`static int max(int a, int b)`) or the `name` of an interface method",
    ][::-1]


def test_error_wrong_type_with_key_path() -> None:
    out = errors('[[method]]\nsignature = "void f(int x)"\n[[method]]\nsignature = "void g(int x)"\n[[method]]\nsignature = "int h(int x)"\nexamples = [{ args = "x" }]\n')
    assert out == ['c.toml:11:22: error: method[2].examples[0].args: expected an array, found a string `"x"`']


def test_error_schema() -> None:
    assert errors("", head="schema = 3\n") == ["c.toml:1:10: error: schema: unsupported schema version 3 (this jbgen reads schema 1)"]
    assert errors("", head='schema = "1"\n') == ['c.toml:1:10: error: schema: expected an integer, found a string `"1"`']


def test_error_signature_against_interface_from_jdk() -> None:
    head = HEAD + 'implements = ["java.util.function.IntUnaryOperator"]\n'
    assert errors('[[method]]\nsignature = "int applyAsInt(int a, int b)"\n', head) == [
        "c.toml:7:18: error: method[0].signature: the signature does not match `int applyAsInt(int)` of "
        "`java.util.function.IntUnaryOperator`: 2 parameters, expected 1"
    ]


def test_error_example_does_not_fit() -> None:
    assert errors('[[method]]\nsignature = "int f(short x)"\nexamples = [{ args = [40000] }]\n') == [
        "c.toml:7:23: error: method[0].examples[0].args[0]: `40000` does not fit in a short (-32768..32767) (parameter `x`)"
    ]


def test_error_expression_position() -> None:
    assert errors('[[method]]\nsignature = "int f(int x)"\nproperties = ["x < (result"]\n') == [
        "c.toml:7:20: error: method[0].properties[0]: the property is not valid Python: '(' was never closed"
    ]


def test_error_oracle_unknown_name() -> None:
    assert errors('[[method]]\nsignature = "int f(int x)"\noracle = "y + 1"\n') == [
        "c.toml:7:11: error: method[0].oracle: the oracle uses an unknown name `y` (known: `x`)"
    ]


def test_errors_are_collected_and_sorted() -> None:
    out = errors(
        """
        [[method]]
        signature = "int f(int x)"
        examples = [{ args = [1, 2] }, { args = ["a"] }]
        properties = ["reslt"]
        [policy]
        heap_mb = 1
        """
    )
    assert [line.split(": error: ")[0] for line in out] == ["c.toml:8:22", "c.toml:8:42", "c.toml:9:16", "c.toml:11:11"]


def test_error_missing_class_name() -> None:
    assert errors("", head="schema = 1\n[class]\n") == [
        "c.toml:2:1: error: [class] has no `name` (the binary name of the class to generate, `com.example.Clamp`)"
    ]


def test_error_implements_missing_with_classpath(tmp_path: Path) -> None:
    with pytest.raises(ContractError) as info:
        load_contract_text(HEAD + 'implements = ["com.example.api.Missing"]\n', "c.toml", classpath=[str(tmp_path)])
    assert info.value.diagnostics[0].message == "class.implements[0]: interface com.example.api.Missing not found on the classpath"


def test_error_bad_classpath_entry(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jar"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ContractError) as info:
        load_contract_text(HEAD + 'implements = ["com.example.api.Missing"]\n', "c.toml", classpath=[str(bad)])
    assert "not a jar or a folder" in info.value.diagnostics[0].message


def test_allow_globs_as_the_policy_checker_reads_them() -> None:
    c = load(
        """
        [[method]]
        signature = "void run()"
        [policy]
        allow = ["java.lang.Character.is*", "java.util.Abstract*", "java.*.concurrent.**", "java.lang.Math.max(int, int)", "java.util.Map$Entry"]
        """
    )
    chars, abstract, conc, mx, entry = c.policy.allow
    assert (chars.kind, chars.owner, chars.member) == ("member", "java/lang/Character", "is*")
    assert chars.matches("java/lang/Character", "isDigit", "(C)Z") and not chars.matches("java/lang/Character", "toUpperCase")
    assert abstract.kind == "glob" and abstract.matches("java/util/AbstractList", "size", "()I")
    assert not abstract.matches("java/util/HashMap")
    assert conc.kind == "glob" and conc.matches("java/util/concurrent/atomic/AtomicInteger")
    assert not conc.matches("java/util/HashMap")
    assert mx.pattern == "java.lang.Math.max(int,int)" and mx.params == ("I", "I")
    assert (entry.kind, entry.owner) == ("class", "java/util/Map$Entry")


def test_allow_patterns_agree_with_the_policy_checker() -> None:
    from jbgen.check.policy import validate_pattern

    c = load_contract(FIXTURES / "contracts" / "int-stack.toml")
    for rule in c.policy.allow:
        assert validate_pattern(rule.pattern) is None, rule.pattern
