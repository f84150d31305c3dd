"""The text a model is sent: the static system prompt and the contract as the first user turn.

:data:`SYSTEM_PROMPT` is the same for every contract and every call, so it is
sent as a cached prefix: a compact summary of the assembly language
(``docs/assembly.md``), the default policy (``docs/contracts.md#policy``), the
reply protocol and one worked example.  Every token here is paid on every call
(at the cache-read price after the first), so it stays short: about 1,500
tokens, plus about 100 for the tool definition (counted with the Claude
tokenizer ``bench/tokens.py`` uses; ``tests/synth/test_claude.py`` keeps it
under a ceiling, and checks that the worked example assembles, verifies and
passes the policy).

:func:`render_contract` writes a contract compactly: the class header to
write, then per method its signature, description, examples as Java calls,
input bounds, properties, the oracle, and the stateful model.

Imports no JVM and no SDK.
"""

from __future__ import annotations

from jbgen.contract.model import Contract, Example, JType, MethodSpec, Param
from jbgen.contract.values import to_java_literal

__all__ = ["SYSTEM_PROMPT", "TOOL_NAME", "WORKED_EXAMPLE_JBASM", "render_contract"]

TOOL_NAME = "submit_class"

# The worked example's answer; a test assembles and verifies it.
WORKED_EXAMPLE_JBASM = """\
public class demo.Tally {
    private long total

    public void add(int n) {
        n ifge Ok
        new IllegalArgumentException dup "negative" invokespecial IllegalArgumentException.<init>(String)void athrow
    Ok: this dup getfield demo.Tally.total:long n i2l ladd putfield demo.Tally.total:long
        return
    }

    public long total() {
        this getfield demo.Tally.total:long return
    }

    public static int sumTo(int n) {
        .local int sum
        .local int i
        0 store sum
        1 store i
    Loop: i n if_icmpgt Done
        sum i iadd store sum
        iinc i 1
        goto Loop
    Done: sum return
    }
}
"""

_WORKED_EXAMPLE_CONTRACT = """\
Write the class demo.Tally (file Tally.jbasm).
Header: public class demo.Tally

void add(int n)
  Adds n to the total; IllegalArgumentException when n < 0.
long total()
  The sum of everything added.
static int sumTo(int n)
  1 + 2 + ... + n; 0 when n < 1.
  examples: sumTo(3) returns 6 | sumTo(0) returns 0"""

SYSTEM_PROMPT = f"""\
You write JVM classes in jbgen assembly, a text form of class files. jbgen assembles your text with the JDK's java.lang.classfile, verifies it, checks its API use against a policy and tests it against a contract. Always answer by calling the {TOOL_NAME} tool with the complete file; never answer in prose.

# The language
- A line holds one or more instructions, read left to right; write one Java statement per line. `// comment`. Optional `.version N` first (class-file major version; default 69 = Java 25), `.import java.util.List` lines, then `[flags] class pkg.Name [extends S] [implements I, J] {{`, fields, methods, `}}`.
- Types as in Java: `int`, `long[]`, `String`, `java.util.List`, nested `java.util.Map$Entry`. Bare names resolve to primitives, imports, the class itself, then java.lang (`String`, `Math`, `Integer`, `StringBuilder`, exceptions).
- Field: `private int count`, `private static final int MAX = 16`.
- Method: `public static int f(int x, long y) {{` ... `}}`; constructor `public <init>() {{` (call `this invokespecial Object.<init>()void` first). A public no-argument constructor is added when you write none. Parameters are locals by name; `this` is local 0 of instance methods.
- `.local int i` names the next free local slot (long and double take two); a typed store to a new name (`istore i`, `astore sb`) declares it the same way. Labels: `Loop:` at the start of a line.
- A local's name alone loads it with the instruction for its type (`x` is `iload x` for an int x); `store x` stores to it; `return` returns the method's type (`ireturn` in an int method). A literal alone pushes it with the shortest instruction: `0`, `-1`, `100000`, `5L`, `2.5`, `1.5f`, `"text"`.
- Other instructions are javap mnemonics with symbolic operands: `iinc i -1`, `iadd`, `lcmp`, `i2l`, `if_icmplt L`, `ifeq L`, `ifnull L`, `goto L`, `new T`, `dup`, `newarray int`, `anewarray String`, `checkcast T`, `instanceof T`, `arraylength`, `iaload`, `iastore`, `athrow`. The typed forms (`iload x`, `astore s`, `ireturn`, `bipush 10`, `ldc "s"`) are accepted too.
- Members: `getfield pkg.Name.count:int`, `putstatic pkg.Name.n:long`, `invokestatic Math.max(int,int)int`, `invokevirtual StringBuilder.append(String)StringBuilder`, `invokespecial T.<init>(String)void`, `invokeinterface java.util.List.size()int`.
- Strings: `invokedynamic concat(String,int)String "\\1 = \\1"` (each \\1 takes an argument), or StringBuilder.
- Switches: `tableswitch {{` (consecutive keys) or `lookupswitch {{`, one `KEY: Label` per line, then `default: Label`, `}}`.
- Handlers: `.catch ArithmeticException from L1 to L2 using L3` (or `any`); the handler starts with the exception on the stack.
- Never write stack map frames, max stack/locals, constant-pool indices or offsets: the JDK computes them. Every path must end in a return or athrow of the right type; code may not fall off the end.

# JVM semantics to respect
int/long arithmetic wraps; idiv/irem/ldiv/lrem throw ArithmeticException on zero; boolean, byte, char and short are ints on the stack; long and double values need lcmp, fcmpl/fcmpg, dcmpl/dcmpg before if<cond>; return a boxed type with valueOf (`invokestatic Integer.valueOf(int)Integer`) and unbox with intValue; compare objects with equals, not if_acmp, unless identity is meant.

# Policy
The class may only compute. Allowed: java.lang.Math and StrictMath; the wrapper classes (Integer, Long, Character, Double ...); String, StringBuilder, CharSequence; java.util.Objects, Arrays, Collections, the java.util collections and their interfaces, Optional, BitSet; java.math; java.util.regex; java.util.function and (sequential) streams; constructors and getMessage of the exceptions of java.lang, java.io and java.util; Object's equals, hashCode, toString, getClass; System.arraycopy; invokedynamic concat and lambdas. Refused: System.out/err/in, exit, getenv and properties, Runtime, threads and java.util.concurrent, reflection, MethodHandles, class loading, files, sockets, native methods, finalize, writing other classes' static fields. A contract may allow more; it says so.

# Protocol
The user sends a contract: the class, each method's signature and description, examples as Java calls, properties and a reference implementation in Python (with JVM semantics: iadd, idiv, int32 ... wrap as Java does), and for a class with state a Python model that sequences of calls must match. Write every method listed, public, with exactly the given signature (instance methods unless marked static). If the class fails, you get the assembler's errors (file:line:col with a caret under the fault), verifier errors, policy refusals or failing calls with small inputs; fix them and submit the whole corrected file again.

# Example
Contract:
{_WORKED_EXAMPLE_CONTRACT}

Answer ({TOOL_NAME} input "jbasm"):
{WORKED_EXAMPLE_JBASM}"""


# --------------------------------------------------------------------------- the contract turn


def _header(contract: Contract) -> str:
    parts = [f"public class {contract.binary_name}"]
    if contract.superclass != "java/lang/Object":
        parts.append(f"extends {JType('L' + contract.superclass + ';').java_name}")
    if contract.interfaces:
        parts.append("implements " + ", ".join(JType("L" + i + ";").java_name for i in contract.interfaces))
    head = " ".join(parts)
    if contract.major_version != 69:
        head = f".version {contract.major_version} (Java {contract.release}), then {head}"
    return head


def _example(m: MethodSpec, ex: Example) -> str:
    call = m.call_text(ex.args)
    if ex.throws:
        return f"{call} throws {JType('L' + ex.throws + ';').java_name}"
    if ex.has_returns:
        return f"{call} returns {to_java_literal(ex.returns, m.return_type)}"
    return f"{call} returns normally"


def _bounds(p: Param) -> list[str]:
    out = []
    if p.range is not None:
        lo, hi = p.range
        what = f"each element of {p.name}" if p.type.is_array else p.name
        out.append(f"{what} in [{lo}, {hi}]")
    if p.length is not None:
        out.append(f"length of {p.name} in [{p.length[0]}, {p.length[1]}]")
    return out


def _indent(text: str, pad: str) -> str:
    return "\n".join(pad + line if line.strip() else "" for line in text.strip("\n").splitlines())


def _method(m: MethodSpec) -> str:
    lines = [m.signature]
    if m.from_interface:
        lines[0] += f"  // implements {JType('L' + m.from_interface + ';').java_name}.{m.name}"
    if m.description:
        lines.append("  " + " ".join(m.description.split()))
    if m.examples:
        lines.append("  examples: " + " | ".join(_example(m, e) for e in m.examples))
    bounds = [b for p in m.params for b in _bounds(p)]
    if m.assume:
        bounds.append("assuming " + " and ".join(e.source for e in m.assume))
    if bounds:
        lines.append("  inputs: " + "; ".join(bounds))
    if m.properties:
        lines.append("  properties (Python, over the parameters and `result`): "
                     + " | ".join(e.source for e in m.properties))
    if m.oracle is not None:
        if m.oracle.is_function:
            lines.append("  reference implementation (Python):")
            lines.append(_indent(m.oracle.source, "    "))
        else:
            lines.append(f"  reference implementation (Python): {m.oracle.source}")
    return "\n".join(lines)


def render_contract(contract: Contract) -> str:
    """The first user turn: the contract, compactly, in the form the worked example shows."""
    out = [
        f"Write the class {contract.binary_name} (file {contract.simple_name}.jbasm).",
        f"Header: {_header(contract)}",
    ]
    if contract.description:
        out.append("Description: " + " ".join(contract.description.split()))
    out.append("")
    out.extend(_method(m) for m in contract.methods)
    if contract.stateful is not None:
        st = contract.stateful
        out.append("")
        out.append(f"State: sequences of up to {st.steps} calls of {', '.join(st.methods)} on one instance "
                   f"(made with the public no-argument constructor) must behave as this Python model "
                   f"(class {st.model_class}; raise Throws(X) means the Java call throws X):")
        if st.description:
            out.append("  " + " ".join(st.description.split()))
        out.append(_indent(st.source, "  "))
    elif any(not m.static for m in contract.methods):
        out.append("")
        out.append("Each instance-method call runs on a new instance made with the public no-argument constructor.")
    if contract.policy.allow:
        out.append("")
        out.append("The policy also allows: " + ", ".join(r.pattern for r in contract.policy.allow))
    return "\n".join(out)
