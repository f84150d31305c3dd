"""The policy check: a static scan of every API a class touches, against an allowlist.

Generated code is hostile until proven otherwise.  This check reads a
:class:`~jbgen.asm.model.ClassDef` (from assembly text or from class bytes; no
JVM is needed) and refuses every reference that is not on the allowlist:

* every field and method instruction, ``new``, ``anewarray``,
  ``multianewarray``, ``checkcast``, ``instanceof``, the catch types of
  exception handlers, and ``ldc`` of classes, method types (every class they
  name), method handles and dynamic constants;
* every ``invokedynamic`` and dynamic constant: its bootstrap method, which
  must be one of the few allowed *bootstraps* (string concatenation, lambdas,
  records, pattern switches, a few ``ConstantBootstraps``), and every static
  argument, recursively: a method handle argument is checked as the call it
  makes, a nested dynamic constant as a constant of its own;
* the class's own declarations: its superclass and interfaces must be allowed,
  ``native`` methods and ``finalize()`` overrides are refused, and so is a
  class declared in a JDK package;
* writes to other classes' static state (``putstatic``, or a ``putStatic``
  method handle, on any class but the class itself).

A reference to the class itself (or to one of ``classes``, checked together
with it) is allowed when the member is declared there; an inherited member is
checked as a member of the superclass or interfaces it comes from, so that
``invokevirtual demo.Foo.wait()void`` is seen as ``Object.wait``.  The final
methods of ``Object`` (``wait``, ``notify``, ``notifyAll``, ``getClass``) are
checked as ``Object``'s whatever class a reference names, and so is any
method of an array.

Rules are patterns over binary names (see :class:`PolicyRule`).  The default
(:data:`DEFAULT_POLICY`) allows pure computation and denies, with a category
and a reason, what is not.  A :class:`Policy` widens it (``allow``) or narrows
it (``deny``); some denials are *hard* and no allow list can widen them
(:data:`HARD_CATEGORIES`).  The rule table is documented for users in
``docs/policy.md``.

Not checked, on purpose: type names in descriptors, field types and method
signatures (naming a type runs none of its code and gives no access to it),
annotations (reading them needs reflection, which is refused), and the
InnerClasses/NestHost/NestMembers attributes (nest membership is checked both
ways by the JVM, so a class cannot join a JDK class's nest).

Imports no JVM; must not import ``jbgen.jvm``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from jbgen.asm import model as m
from jbgen.errors import ContractError, Diagnostic, Location

if TYPE_CHECKING:
    from jbgen.check.verify import SourceMap

__all__ = [
    "DEFAULT_POLICY",
    "HARD_CATEGORIES",
    "Policy",
    "PolicyRule",
    "PolicyViolation",
    "check_policy",
    "policy_violations",
    "validate_pattern",
]

# ----------------------------------------------------------------------------- categories

PROCESS_EXIT = "process exit"
SHUTDOWN_HOOK = "shutdown hook"
PROCESSES = "processes"
NATIVE = "native code"
UNSAFE = "Unsafe"
JDK_INTERNALS = "JDK internals"
REFLECTION = "reflection"
METHOD_HANDLES = "method handles"
CLASS_LOADING = "class loading"
THREADS = "threads"
BLOCKING = "blocking"
FILE_IO = "file I/O"
NETWORK = "network"
ENVIRONMENT = "environment"
STANDARD_STREAMS = "standard streams"
SECURITY_MANAGER = "security manager"
REFERENCES = "references"
FINALIZER = "finalizer"
RUNTIME = "runtime"
STATIC_STATE = "static state"
JDK_PACKAGE = "JDK package"
BOOTSTRAP = "bootstrap"
DENIED = "denied by the policy"
NOT_ALLOWED = "not on the allowlist"

# Categories whose every rule is hard: what would make the static scan meaningless
# (reflection, method-handle lookups, class loading, native code, Unsafe) or would
# escape the sandbox's control of the process (exit, processes, hooks, finalizers).
HARD_CATEGORIES = frozenset(
    {PROCESS_EXIT, SHUTDOWN_HOOK, PROCESSES, NATIVE, UNSAFE, JDK_INTERNALS, REFLECTION,
     CLASS_LOADING, SECURITY_MANAGER, FINALIZER, JDK_PACKAGE}
)
# (Two categories have hard rules and widenable ones: method handles -- the lookup
# classes MethodHandles, MethodHandles$Lookup and MethodHandleProxies are hard, other
# java.lang.invoke classes may be allowed; standard streams -- System.setOut/setErr/setIn
# are hard, reading System.out may be allowed.)

# ----------------------------------------------------------------------------- patterns

_SEGMENT = re.compile(r"(?:<init>|<clinit>|\*\*|[\w$*-]+)", re.UNICODE)


def validate_pattern(pattern: str) -> str | None:
    """Why ``pattern`` is not a policy pattern, or ``None`` when it is one.

    A pattern is a binary name with dots (nested classes keep their ``$``:
    ``java.util.Map$Entry``), optionally followed by a member name and, for a
    method, its parameter types in Java syntax: ``java.util.HashMap``,
    ``java.util.HashMap.put``, ``java.lang.Math.max(int,int)``.  ``*`` matches
    within one segment (``java.util.*``: every class of ``java.util``;
    ``java.lang.Class.get*``); ``**`` as a whole segment matches any number of
    segments (``java.util.**``: also the subpackages).
    """
    if not isinstance(pattern, str):
        return f"a pattern is a string, not {type(pattern).__name__}"
    text = pattern.strip()
    if not text:
        return "the pattern is empty"
    if text != pattern or any(c.isspace() for c in text):
        return "a pattern has no spaces"
    if "/" in text:
        return f"write names with dots, not slashes: `{text.replace('/', '.')}`"
    params = None
    if "(" in text:
        if not text.endswith(")") or text.count("(") != 1:
            return "parameter types go in one pair of parentheses at the end: `java.lang.Math.max(int,int)`"
        text, params = text[:-1].split("(", 1)
    segs = text.split(".")
    if any(s == "" for s in segs):
        return "a pattern has no empty segments (`..`, or a dot at either end)"
    for s in segs:
        if not _SEGMENT.fullmatch(s):
            return f"`{s}` is not a name, `*` or `**`"
        if "**" in s and s != "**":
            return f"`**` stands alone as a segment (`java.util.**`), not inside `{s}`"
    if params is not None:
        if len(segs) < 2 or "*" in segs[-1]:
            return "parameter types follow a method name: `java.lang.Math.max(int,int)`"
        try:
            _param_descs(params)
        except ValueError as exc:
            return str(exc)
    return None


def _param_descs(params: str) -> tuple[str, ...]:
    from jbgen.asm.names import NameError_, Names

    names = Names("")
    out = []
    for p in (x.strip() for x in params.split(",")) if params.strip() else ():
        dims = 0
        while p.endswith("[]"):
            p = p[:-2]
            dims += 1
        if not p or not re.fullmatch(r"[\w$.]+", p):
            raise ValueError(f"`{params}` is not a list of Java types")
        try:
            out.append(names.type_desc(p, dims))
        except NameError_ as exc:
            raise ValueError(str(exc)) from None
    return tuple(out)


_SEG_RE: dict[str, re.Pattern[str]] = {}


def _seg_match(pat: str, seg: str) -> bool:
    if "*" not in pat:
        return pat == seg
    rx = _SEG_RE.get(pat)
    if rx is None:
        rx = _SEG_RE[pat] = re.compile(".*".join(re.escape(p) for p in pat.split("*")), re.S)
    return rx.fullmatch(seg) is not None


def _match(pat: tuple[str, ...], segs: tuple[str, ...]) -> bool:
    if not pat:
        return not segs
    head = pat[0]
    if head == "**":
        return any(_match(pat[1:], segs[i:]) for i in range(len(segs) + 1))
    return bool(segs) and _seg_match(head, segs[0]) and _match(pat[1:], segs[1:])


@dataclass(frozen=True)
class PolicyRule:
    """One rule: a pattern (see :func:`validate_pattern`) that allows or denies.

    A pattern that names a class (or matches classes, ``java.util.*``) applies
    to the class and all its members; one that names a member applies to that
    member, and an *allow* of a member also allows naming its class (``new``,
    ``checkcast``, a catch type).  ``category`` and ``reason`` say why a deny
    rule refuses.  ``hard`` denies cannot be widened by any allow list.
    ``bootstrap`` allows are allows for bootstrap methods only (the method may
    not be called directly).
    """

    pattern: str
    allow: bool = True
    category: str = ""
    reason: str = ""
    hard: bool = False
    bootstrap: bool = False
    segments: tuple[str, ...] = field(init=False, repr=False, compare=False)
    params: tuple[str, ...] | None = field(init=False, repr=False, compare=False)
    # (literal segments, has parameter types): the more specific rule wins.
    specificity: tuple[int, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        problem = validate_pattern(self.pattern)
        if problem is not None:
            raise ValueError(f"policy pattern `{self.pattern}`: {problem}")
        text, params = self.pattern, None
        if "(" in text:
            text, ptext = text[:-1].split("(", 1)
            params = _param_descs(ptext)
        segs = tuple(text.split("."))
        object.__setattr__(self, "segments", segs)
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "specificity", (sum("*" not in s for s in segs), int(params is not None)))

    def matches(self, owner: str, member: str | None = None, descriptor: str | None = None) -> bool:
        """Does the rule apply to class ``owner`` (internal name), or to its ``member``?"""
        return _rule_matches(self, owner, member, descriptor)

    def _key(self) -> tuple[str, ...]:
        """The index key: the literal leading segments, at most 3, never the last one."""
        key = []
        for s in self.segments[: min(3, len(self.segments) - 1)]:
            if "*" in s:
                break
            key.append(s)
        return tuple(key)


def _class_segments(owner: str) -> tuple[tuple[str, ...], ...]:
    """A class's name as segments; a nested class also with its ``$`` parts as segments.

    So ``java.util.Map$Entry`` and ``java.util.Map.Entry`` (the contract
    loader's spelling: capitalised segments after a class are nested classes)
    both name ``java/util/Map$Entry``.
    """
    segs = tuple(owner.split("/"))
    last = segs[-1]
    if "$" in last:
        parts = last.split("$")
        if all(parts):
            return segs, (*segs[:-1], *parts)
    return (segs,)


def _rule_matches(rule: PolicyRule, owner: str, member: str | None, desc: str | None) -> bool:
    return any(_matches_segments(rule, segs, member, desc) for segs in _class_segments(owner))


def _matches_segments(rule: PolicyRule, segs: tuple[str, ...], member: str | None, desc: str | None) -> bool:
    pat = rule.segments
    if member is None:
        # A class-level reference.  Deny rules must cover the whole class; an allow of
        # one member lets the class be named.
        if rule.params is None and _match(pat, segs):
            return True
        return rule.allow and len(pat) >= 2 and "*" not in pat[-1] and _match(pat[:-1], segs)
    if rule.params is None and _match(pat, segs):
        return True  # a class-wide rule
    if not _match(pat, (*segs, member)):
        return False
    if rule.params is None or desc is None:
        return True
    return desc.startswith("(" + "".join(rule.params) + ")")


# ----------------------------------------------------------------------------- the default

def _names(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# The public Throwable subclasses of java.lang, java.io and java.util in JDK 25
# (tests/check/test_policy.py checks these lists against the embedded JDK).
_JAVA_LANG_THROWABLES = _names(
    "AbstractMethodError ArithmeticException ArrayIndexOutOfBoundsException ArrayStoreException "
    "AssertionError BootstrapMethodError ClassCastException ClassCircularityError ClassFormatError "
    "ClassNotFoundException CloneNotSupportedException EnumConstantNotPresentException Error Exception "
    "ExceptionInInitializerError IllegalAccessError IllegalAccessException IllegalArgumentException "
    "IllegalCallerException IllegalMonitorStateException IllegalStateException IllegalThreadStateException "
    "IncompatibleClassChangeError IndexOutOfBoundsException InstantiationError InstantiationException "
    "InternalError InterruptedException LayerInstantiationException LinkageError MatchException "
    "NegativeArraySizeException NoClassDefFoundError NoSuchFieldError NoSuchFieldException "
    "NoSuchMethodError NoSuchMethodException NullPointerException NumberFormatException OutOfMemoryError "
    "ReflectiveOperationException RuntimeException SecurityException StackOverflowError "
    "StringIndexOutOfBoundsException ThreadDeath Throwable TypeNotPresentException UnknownError "
    "UnsatisfiedLinkError UnsupportedClassVersionError UnsupportedOperationException VerifyError "
    "VirtualMachineError WrongThreadException"
)
_JAVA_IO_THROWABLES = _names(
    "CharConversionException EOFException FileNotFoundException IOError IOException "
    "InterruptedIOException InvalidClassException InvalidObjectException NotActiveException "
    "NotSerializableException ObjectStreamException OptionalDataException StreamCorruptedException "
    "SyncFailedException UTFDataFormatException UncheckedIOException UnsupportedEncodingException "
    "WriteAbortedException"
)
_JAVA_UTIL_THROWABLES = _names(
    "ConcurrentModificationException DuplicateFormatFlagsException EmptyStackException "
    "FormatFlagsConversionMismatchException FormatterClosedException IllegalFormatCodePointException "
    "IllegalFormatConversionException IllegalFormatException IllegalFormatFlagsException "
    "IllegalFormatPrecisionException IllegalFormatWidthException IllformedLocaleException "
    "InputMismatchException InvalidPropertiesFormatException MissingFormatArgumentException "
    "MissingFormatWidthException MissingResourceException NoSuchElementException "
    "ServiceConfigurationError TooManyListenersException UnknownFormatConversionException "
    "UnknownFormatFlagsException"
)
# What code may do with an exception besides throwing and catching it.  Not
# printStackTrace (it writes to System.err) nor the stack-trace accessors.
_THROWABLE_MEMBERS = ("<init>", "getMessage", "getLocalizedMessage", "getCause", "initCause",
                      "toString", "addSuppressed", "getSuppressed")

_ALLOW_CLASSES = (
    # java.lang: arithmetic, boxing, text
    "java.lang.Math", "java.lang.StrictMath", "java.lang.Number", "java.lang.Integer", "java.lang.Long",
    "java.lang.Short", "java.lang.Byte", "java.lang.Character", "java.lang.Character$UnicodeBlock",
    "java.lang.Character$UnicodeScript", "java.lang.Character$Subset", "java.lang.Boolean",
    "java.lang.Float", "java.lang.Double", "java.lang.Void", "java.lang.String", "java.lang.StringBuilder",
    "java.lang.StringBuffer", "java.lang.CharSequence", "java.lang.Appendable", "java.lang.Comparable",
    "java.lang.Iterable", "java.lang.Enum", "java.lang.Record", "java.lang.Runnable",
    "java.lang.AutoCloseable", "java.lang.Cloneable", "java.lang.runtime.ExactConversionsSupport",
    # java.util: collections and helpers
    "java.util.ArrayList", "java.util.LinkedList", "java.util.ArrayDeque", "java.util.HashMap",
    "java.util.LinkedHashMap", "java.util.TreeMap", "java.util.HashSet", "java.util.LinkedHashSet",
    "java.util.TreeSet", "java.util.PriorityQueue", "java.util.EnumMap", "java.util.EnumSet",
    "java.util.List", "java.util.Map", "java.util.Set", "java.util.Deque", "java.util.Queue",
    "java.util.Collection", "java.util.SequencedCollection", "java.util.SequencedMap",
    "java.util.SequencedSet", "java.util.SortedMap", "java.util.SortedSet", "java.util.NavigableMap",
    "java.util.NavigableSet", "java.util.RandomAccess", "java.util.Iterator", "java.util.ListIterator",
    "java.util.PrimitiveIterator", "java.util.PrimitiveIterator$*", "java.util.Spliterator",
    "java.util.Spliterator$*", "java.util.Spliterators", "java.util.Map$Entry",
    "java.util.AbstractMap$SimpleEntry", "java.util.AbstractMap$SimpleImmutableEntry",
    "java.util.AbstractCollection", "java.util.AbstractList", "java.util.AbstractSequentialList",
    "java.util.AbstractMap", "java.util.AbstractSet", "java.util.AbstractQueue", "java.util.Comparator",
    "java.util.Collections", "java.util.Arrays", "java.util.Objects", "java.util.Optional",
    "java.util.OptionalInt", "java.util.OptionalLong", "java.util.OptionalDouble", "java.util.StringJoiner",
    "java.util.BitSet", "java.util.Random", "java.util.HexFormat", "java.util.Base64",
    "java.util.Base64$Encoder", "java.util.Base64$Decoder", "java.util.IntSummaryStatistics",
    "java.util.LongSummaryStatistics", "java.util.DoubleSummaryStatistics",
    "java.util.function.**", "java.util.stream.**",
    "java.util.regex.Pattern", "java.util.regex.Matcher", "java.util.regex.MatchResult",
    "java.util.regex.PatternSyntaxException",
    # java.math
    "java.math.BigInteger", "java.math.BigDecimal", "java.math.MathContext", "java.math.RoundingMode",
    # the constants of String.getBytes(StandardCharsets.UTF_8)
    "java.nio.charset.StandardCharsets",
    # a marker interface (records and enums are Serializable; it has no members)
    "java.io.Serializable",
)
_ALLOW_MEMBERS = (
    # Object's non-blocking methods (wait/notify are denied below)
    "java.lang.Object.<init>", "java.lang.Object.equals", "java.lang.Object.hashCode",
    "java.lang.Object.toString", "java.lang.Object.getClass", "java.lang.Object.clone",
    # Class: names and type tests only, no reflection
    "java.lang.Class.getName", "java.lang.Class.getSimpleName", "java.lang.Class.getTypeName",
    "java.lang.Class.isInstance", "java.lang.Class.cast", "java.lang.Class.isArray",
    "java.lang.Class.isPrimitive", "java.lang.Class.isInterface", "java.lang.Class.isEnum",
    "java.lang.Class.isRecord", "java.lang.Class.isAssignableFrom", "java.lang.Class.getComponentType",
    "java.lang.Class.componentType", "java.lang.Class.arrayType", "java.lang.Class.toString",
    # javac's `assert`: static final boolean $assertionsDisabled = !Foo.class.desiredAssertionStatus()
    "java.lang.Class.desiredAssertionStatus",
    # Copying arrays is pure; an identity hash and the clock are harmless reads (they
    # make a result depend on the run, which the contract tests catch), and the
    # sandbox's limits do not depend on them.
    "java.lang.System.arraycopy", "java.lang.System.identityHashCode", "java.lang.System.nanoTime",
    "java.lang.System.currentTimeMillis",
    # the constants javac's pattern switch on enums builds (EnumDesc of a ClassDesc)
    "java.lang.Enum$EnumDesc.of", "java.lang.constant.ClassDesc.of", "java.lang.constant.ClassDesc.ofDescriptor",
)
# Allowed as bootstrap methods only; the checks of their arguments are in _Scan._bootstrap.
_BOOTSTRAPS = (
    "java.lang.invoke.StringConcatFactory.makeConcat",
    "java.lang.invoke.StringConcatFactory.makeConcatWithConstants",
    "java.lang.invoke.LambdaMetafactory.metafactory",
    "java.lang.invoke.LambdaMetafactory.altMetafactory",
    "java.lang.runtime.ObjectMethods.bootstrap",
    "java.lang.runtime.SwitchBootstraps.typeSwitch",
    "java.lang.runtime.SwitchBootstraps.enumSwitch",
    "java.lang.invoke.ConstantBootstraps.nullConstant",
    "java.lang.invoke.ConstantBootstraps.primitiveClass",
    "java.lang.invoke.ConstantBootstraps.enumConstant",
    "java.lang.invoke.ConstantBootstraps.getStaticFinal",
    "java.lang.invoke.ConstantBootstraps.explicitCast",
    "java.lang.invoke.ConstantBootstraps.invoke",
)

# (category, hard, reason, patterns)
_DENY: tuple[tuple[str, bool, str, tuple[str, ...]], ...] = (
    (PROCESS_EXIT, True, "", ("java.lang.System.exit", "java.lang.Runtime.exit", "java.lang.Runtime.halt",
                              "java.lang.Shutdown")),
    (SHUTDOWN_HOOK, True, "", ("java.lang.Runtime.addShutdownHook", "java.lang.Runtime.removeShutdownHook",
                               "java.lang.ApplicationShutdownHooks")),
    (PROCESSES, True, "", ("java.lang.Runtime.exec", "java.lang.Process", "java.lang.ProcessBuilder",
                           "java.lang.ProcessBuilder$*", "java.lang.ProcessHandle", "java.lang.ProcessHandle$*")),
    (NATIVE, True, "", ("java.lang.System.load", "java.lang.System.loadLibrary", "java.lang.System.mapLibraryName",
                        "java.lang.Runtime.load", "java.lang.Runtime.loadLibrary", "java.lang.foreign.**")),
    (UNSAFE, True, "", ("sun.misc.Unsafe", "jdk.internal.misc.Unsafe")),
    (JDK_INTERNALS, True, "", ("jdk.internal.**", "sun.**", "com.sun.**")),
    (REFLECTION, True, "", ("java.lang.reflect.**", "java.lang.Class.getDeclared*", "java.lang.Class.getMethod*",
                            "java.lang.Class.getField*", "java.lang.Class.getConstructor*",
                            "java.lang.Class.getEnclosing*", "java.lang.Class.getRecordComponents",
                            "java.lang.Class.getEnumConstants", "java.lang.Class.newInstance",
                            "java.lang.Class.getProtectionDomain", "java.lang.Class.getSigners",
                            "java.lang.StackWalker", "java.lang.StackWalker$*", "java.lang.Package")),
    (METHOD_HANDLES, True, "lookups reach any method by name, past this check",
     ("java.lang.invoke.MethodHandles", "java.lang.invoke.MethodHandles$Lookup",
      "java.lang.invoke.MethodHandleProxies")),
    (METHOD_HANDLES, False, "", ("java.lang.invoke.**",)),
    (CLASS_LOADING, True, "", ("java.lang.ClassLoader", "java.lang.Class.forName", "java.lang.Class.getClassLoader",
                               "java.lang.Class.getResource*", "java.lang.Class.getModule", "java.lang.Module",
                               "java.lang.ModuleLayer", "java.lang.ModuleLayer$*", "java.util.ServiceLoader",
                               "java.util.ServiceLoader$*", "java.security.SecureClassLoader",
                               "java.net.URLClassLoader", "java.lang.instrument.**")),
    (THREADS, False, "", ("java.lang.Thread", "java.lang.Thread$*", "java.lang.ThreadGroup",
                          "java.util.concurrent.**", "java.util.Timer", "java.util.TimerTask")),
    (THREADS, False, "parallel streams run on the common ForkJoinPool",
     ("java.util.stream.*.parallel", "java.util.*.parallelStream", "java.util.stream.StreamSupport")),
    (THREADS, False, "parallel array operations run on the common ForkJoinPool", ("java.util.Arrays.parallel*",)),
    (THREADS, False, "runs on the common ForkJoinPool", ("java.math.BigInteger.parallelMultiply",)),
    (BLOCKING, False, "", ("java.lang.Object.wait", "java.lang.Object.notify", "java.lang.Object.notifyAll",
                           "java.lang.Thread.sleep", "java.lang.Thread.join", "java.util.concurrent.locks.LockSupport")),
    (FILE_IO, False, "", ("java.io.**", "java.nio.**", "java.util.zip.**", "java.util.jar.**", "java.util.prefs.**",
                          "java.util.logging.**", "java.util.Formatter", "java.util.Scanner",
                          "java.lang.System.console", "java.lang.System.inheritedChannel")),
    (NETWORK, False, "", ("java.net.**", "javax.net.**", "java.rmi.**", "jdk.net.**")),
    (ENVIRONMENT, False, "", ("java.lang.System.getenv", "java.lang.System.getProperty",
                              "java.lang.System.getProperties", "java.lang.System.setProperty",
                              "java.lang.System.setProperties", "java.lang.System.clearProperty",
                              "java.lang.ProcessEnvironment")),
    (ENVIRONMENT, False, "reads a system property", ("java.lang.Integer.getInteger", "java.lang.Long.getLong",
                                                     "java.lang.Boolean.getBoolean")),
    (STANDARD_STREAMS, True, "replaces a stream of the whole process",
     ("java.lang.System.setOut", "java.lang.System.setErr", "java.lang.System.setIn")),
    (STANDARD_STREAMS, False, "", ("java.lang.System.out", "java.lang.System.err", "java.lang.System.in",
                                   "java.lang.IO")),
    (STANDARD_STREAMS, False, "prints to System.err",
     ("java.lang.*.printStackTrace", "java.util.*.printStackTrace")),
    (SECURITY_MANAGER, True, "", ("java.lang.SecurityManager", "java.lang.System.setSecurityManager",
                                  "java.lang.System.getSecurityManager")),
    (FINALIZER, True, "cleaning actions run on another thread, as finalizers do",
     ("java.lang.ref.Cleaner", "java.lang.ref.Cleaner$*")),
    (REFERENCES, False, "", ("java.lang.ref.**",)),
    (RUNTIME, False, "", ("java.lang.Runtime", "java.lang.System.gc", "java.lang.System.runFinalization",
                          "java.lang.management.**")),
    (STATIC_STATE, False, "changes a JVM-wide default", ("java.util.Locale.setDefault", "java.util.TimeZone.setDefault")),
)


def _default_rules() -> tuple[PolicyRule, ...]:
    rules: list[PolicyRule] = []
    rules += [PolicyRule(p) for p in _ALLOW_CLASSES + _ALLOW_MEMBERS]
    for pkg, names in (("java.lang", _JAVA_LANG_THROWABLES), ("java.io", _JAVA_IO_THROWABLES),
                       ("java.util", _JAVA_UTIL_THROWABLES)):
        rules += [PolicyRule(f"{pkg}.{n}.{mem}") for n in names for mem in _THROWABLE_MEMBERS]
    rules += [PolicyRule(p, bootstrap=True) for p in _BOOTSTRAPS]
    for category, hard, reason, patterns in _DENY:
        rules += [PolicyRule(p, allow=False, category=category, reason=reason, hard=hard) for p in patterns]
    return tuple(rules)


DEFAULT_POLICY: tuple[PolicyRule, ...] = _default_rules()
"""The default rule table: pure computation allowed, everything else denied.

Anything no rule matches is refused as ``not on the allowlist``.  Among the
rules that match a reference, the most specific wins (more literal segments;
parameter types count too), and a deny wins a tie.
"""

# Class names a generated class may not take, and for which "itself" is no exemption.
_JDK_PACKAGES = ("java/", "javax/", "jdk/", "sun/", "com/sun/")

# Object's final methods: whatever class a reference names, these are Object's.
_OBJECT_FINALS = {
    ("wait", "()V"), ("wait", "(J)V"), ("wait", "(JI)V"), ("notify", "()V"), ("notifyAll", "()V"),
    ("getClass", "()Ljava/lang/Class;"),
}

# ----------------------------------------------------------------------------- Policy


class _HasAllow(Protocol):
    allow: Sequence[object]


def _pattern_text(item: object) -> str:
    """A pattern string from a string or a rule object (a contract's ``AllowRule``).

    A rule object that carries its parsed form (``kind``, ``owner``, ``member``,
    ``params``, ``recursive``) is rebuilt from that, so that both parsers agree
    on what it names; otherwise its ``pattern`` is used.
    """
    if isinstance(item, str):
        return item
    kind = getattr(item, "kind", None)
    owner = getattr(item, "owner", None)
    if isinstance(kind, str) and isinstance(owner, str):
        dotted = owner.replace("/", ".")
        if kind == "package":
            return f"{dotted}.{'**' if getattr(item, 'recursive', False) else '*'}"
        if kind == "class":
            return dotted
        member = getattr(item, "member", None)
        if kind == "member" and isinstance(member, str):
            params = getattr(item, "params", None)
            if params is None:
                return f"{dotted}.{member}"
            return f"{dotted}.{member}({','.join(_jtype(p) for p in params)})"
    text = getattr(item, "pattern", None)
    if not isinstance(text, str):
        raise ContractError(f"policy: {item!r} is not a pattern")
    return text


@dataclass(frozen=True)
class Policy:
    """Widen (``allow``) or narrow (``deny``) the default policy with patterns.

    Patterns are strings (see :func:`validate_pattern`); rule objects with a
    ``pattern`` attribute (a contract's ``AllowRule``) are accepted too.  An
    allow widens only where it is at least as specific as the default rule that
    denies (``java.util.**`` does not allow ``java.util.concurrent``, whose
    default deny is more specific: write ``java.util.concurrent.**``), and never
    past a hard deny.  A deny refuses everything it matches unless a more
    specific allow of this policy matches too.
    """

    allow: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for name in ("allow", "deny"):
            value = getattr(self, name)
            if isinstance(value, str):
                value = (value,)
            texts = tuple(_pattern_text(v) for v in value)
            for t in texts:
                problem = validate_pattern(t)
                if problem is not None:
                    raise ContractError(f"policy {name} pattern `{t}`: {problem}")
            object.__setattr__(self, name, texts)


# ----------------------------------------------------------------------------- decisions


@dataclass(frozen=True)
class _Decision:
    allowed: bool
    category: str = ""
    reason: str = ""
    hard: bool = False
    by_user: bool = False


_ALLOWED = _Decision(True)
_USER_ALLOWED = _Decision(True, by_user=True)


class _Rules:
    """The default rules plus one policy's, indexed, with a decision cache."""

    def __init__(self, base: Sequence[PolicyRule], policy: Policy) -> None:
        self.user_allow = tuple(PolicyRule(p) for p in policy.allow)
        self.user_deny = tuple(PolicyRule(p, allow=False, category=DENIED) for p in policy.deny)
        self._index: dict[tuple[str, ...], list[tuple[int, PolicyRule]]] = {}
        # source: 0 hard, 1 user deny, 2 user allow, 3 default deny, 4 default allow, 5 bootstrap
        for r in base:
            src = 0 if r.hard else 5 if r.bootstrap else 4 if r.allow else 3
            self._index.setdefault(r._key(), []).append((src, r))
        for src, rules in ((1, self.user_deny), (2, self.user_allow)):
            for r in rules:
                self._index.setdefault(r._key(), []).append((src, r))
        self._cache: dict[tuple[str, str | None, str | None, bool], _Decision] = {}

    def _matching(self, owner: str, member: str | None, desc: str | None) -> list[tuple[int, PolicyRule]]:
        variants = _class_segments(owner)
        keys = {segs[:k] for segs in variants for k in range(min(3, len(segs)) + 1)}
        out = []
        for key in keys:
            for src, r in self._index.get(key, ()):
                if any(_matches_segments(r, segs, member, desc) for segs in variants):
                    out.append((src, r))
        return out

    def decide(self, owner: str, member: str | None = None, desc: str | None = None, *,
               bootstrap: bool = False) -> _Decision:
        key = (owner, member, desc, bootstrap)
        d = self._cache.get(key)
        if d is None:
            d = self._cache[key] = self._decide(owner, member, desc, bootstrap)
        return d

    def _decide(self, owner: str, member: str | None, desc: str | None, bootstrap: bool) -> _Decision:
        found = self._matching(owner, member, desc)
        hard = [r for s, r in found if s == 0]
        if hard:
            r = max(hard, key=lambda r: r.specificity)
            return _Decision(False, r.category, r.reason, hard=True)
        udeny = [r.specificity for s, r in found if s == 1]
        uallow = [r.specificity for s, r in found if s == 2]
        if udeny and (not uallow or max(uallow) <= max(udeny)):
            return _Decision(False, DENIED)
        if bootstrap:
            # A bootstrap method: one of the default bootstraps, or one the policy allows.
            if any(s == 5 for s, _ in found):
                return _ALLOWED
            plain = self.decide(owner, member, desc)
            if plain.by_user or not plain.allowed:
                return plain
            return _Decision(False, BOOTSTRAP, "not one of the allowed bootstrap methods")
        # The most specific rule wins; on a tie the policy's allow, then a deny.
        contest = [(r.specificity, 2, s, r) for s, r in found if s == 2]
        contest += [(r.specificity, 1, s, r) for s, r in found if s == 3]
        contest += [(r.specificity, 0, s, r) for s, r in found if s == 4]
        if not contest:
            return _Decision(False, NOT_ALLOWED)
        _, _, src, rule = max(contest, key=lambda t: (t[0], t[1]))
        if src == 2:
            return _USER_ALLOWED
        if src == 4:
            return _ALLOWED
        return _Decision(False, rule.category, rule.reason)

    def user_allows(self, owner: str, member: str, desc: str | None) -> bool:
        return any(_rule_matches(r, owner, member, desc) for r in self.user_allow)


_RULES_CACHE: dict[Policy, _Rules] = {}


def _rules_for(policy: Policy) -> _Rules:
    r = _RULES_CACHE.get(policy)
    if r is None:
        if len(_RULES_CACHE) > 64:
            _RULES_CACHE.clear()
        r = _RULES_CACHE[policy] = _Rules(DEFAULT_POLICY, policy)
    return r


# ----------------------------------------------------------------------------- violations


@dataclass(frozen=True)
class PolicyViolation:
    """One refused reference or declaration.

    ``subject`` names it as the text would (``invokestatic
    java.lang.System.exit(int)void``); ``category`` is one of the categories
    above; ``allow`` is the narrowest pattern that would allow it (``None``
    when no allow list can: ``hard``).  ``method`` is ``(name, descriptor)``
    or ``None`` for the class's own declarations; ``line`` the ``.jbasm`` line
    when the class came from the parser (0 otherwise) and ``bci`` the bytecode
    offset when it came from class bytes (-1 otherwise).
    """

    subject: str
    category: str
    reason: str = ""
    hard: bool = False
    allow: str | None = None
    method: tuple[str, str] | None = None
    line: int = 0
    bci: int = -1

    @property
    def message(self) -> str:
        why = f"{self.category}: {self.reason}" if self.reason else self.category
        return f"policy: {self.subject} is not allowed ({why})"


def _jtype(desc: str) -> str:
    dims = len(desc) - len(desc.lstrip("["))
    base = desc[dims:]
    if base.startswith("L") and base.endswith(";"):
        text = base[1:-1].replace("/", ".")
    else:
        from jbgen.asm.names import PRIMITIVE_BY_DESC

        text = PRIMITIVE_BY_DESC.get(base, base)
    return text + "[]" * dims


def _jclass(entry: str) -> str:
    """A CONSTANT_Class name (internal name or array descriptor) as Java text."""
    return _jtype(entry) if entry.startswith("[") else entry.replace("/", ".")


def _jmethod_desc(desc: str) -> str:
    from jbgen.asm.names import split_method_desc

    try:
        params, ret = split_method_desc(desc)
    except ValueError:
        return desc
    return "(" + ",".join(_jtype(p) for p in params) + ")" + _jtype(ret)


def _jmember(ref: m.MemberRef) -> str:
    owner = _jclass(ref.owner)
    if ref.kind == "field":
        return f"{owner}.{ref.name}:{_jtype(ref.descriptor)}"
    return f"{owner}.{ref.name}{_jmethod_desc(ref.descriptor)}"


def _jloadable(c: object) -> str:
    if isinstance(c, m.ClassConst):
        return f"{_jclass(c.name)}.class"
    if isinstance(c, m.MethodTypeConst):
        return f"MethodType {_jmethod_desc(c.descriptor)}"
    if isinstance(c, m.MethodHandleConst):
        return f"MethodHandle {m.REF_KINDS.get(c.ref_kind, c.ref_kind)} {_jmember(c.ref)}"
    if isinstance(c, m.DynamicConst):
        return f"Dynamic {c.name}:{_jtype(c.descriptor)}"
    return type(c).__name__


def _element_class(entry: str) -> str | None:
    """The class a CONSTANT_Class entry or field descriptor needs, ``None`` for primitives."""
    e = entry.lstrip("[")
    if e != entry:  # an array descriptor
        return e[1:-1] if e.startswith("L") and e.endswith(";") else None
    return entry


def _classes_in_method_type(desc: str) -> list[str]:
    from jbgen.asm.names import split_method_desc

    try:
        params, ret = split_method_desc(desc)
    except ValueError:
        return []
    out = []
    for d in (*params, ret):
        e = d.lstrip("[")
        if e.startswith("L") and e.endswith(";"):
            out.append(e[1:-1])
    return out


_FIELD_OPS = {"getstatic", "putstatic", "getfield", "putfield"}
_INVOKE_OPS = {"invokevirtual", "invokespecial", "invokestatic", "invokeinterface"}
_CLASS_OPS = {"new", "anewarray", "checkcast", "instanceof"}
_LDC_OPS = {"ldc", "ldc_w", "ldc2_w"}
_MAX_DEPTH = 32  # nested dynamic constants deeper than this are refused


def _in_jdk_package(name: str) -> bool:
    return name.startswith(_JDK_PACKAGES)


class _Scan:
    """One pass over one class; collects :class:`PolicyViolation` s."""

    def __init__(self, cls: m.ClassDef, rules: _Rules, classes: Iterable[m.ClassDef] | Mapping[str, m.ClassDef]) -> None:
        self.cls = cls
        self.rules = rules
        # Classes whose declared members are checked with them: the class itself and
        # its companions (by name), unless they claim a JDK name: then nothing is exempt.
        self.together: Mapping[str, m.ClassDef] = (
            classes if isinstance(classes, Mapping) else {c.name: c for c in classes}
        )
        self.out: list[PolicyViolation] = []
        self.method: m.MethodDef | None = None
        self.line = 0
        self.bci = -1

    def local(self, name: str) -> m.ClassDef | None:
        """The class of that name checked together with this one, if any."""
        if _in_jdk_package(name):
            return None
        if name == self.cls.name:
            return self.cls
        return self.together.get(name)

    # ------------------------------------------------------------------ reporting

    def refuse(self, subject: str, d: _Decision, allow: str | None) -> None:
        hard = d.hard
        self.out.append(PolicyViolation(
            subject, d.category, d.reason, hard, None if hard or d.category == DENIED else allow,
            (self.method.name, self.method.descriptor) if self.method is not None else None,
            self.line, self.bci,
        ))

    # ------------------------------------------------------------------ the class

    def run(self) -> list[PolicyViolation]:
        cls = self.cls
        self.line = cls.line
        if _in_jdk_package(cls.name):
            self.refuse(f"class {_jclass(cls.name)}", _Decision(False, JDK_PACKAGE, "jbgen does not define classes in the JDK's packages", hard=True), None)
        if cls.super_name is not None:
            self.class_ref(cls.super_name, f"extends {_jclass(cls.super_name)}")
        for i in cls.interfaces:
            self.class_ref(i, f"implements {_jclass(i)}")
        for md in cls.methods:
            self.scan_method(md)
        return self.out

    def scan_method(self, md: m.MethodDef) -> None:
        self.method = md
        try:
            self._scan_method(md)
        finally:
            self.method = None

    def _scan_method(self, md: m.MethodDef) -> None:
        self.line, self.bci = md.line, -1
        static = bool(md.flags & m.ACC_STATIC)
        shown = f"{md.name}{_jmethod_desc(md.descriptor)}"
        if md.flags & m.ACC_NATIVE:
            self.refuse(f"native method {shown}", _Decision(False, NATIVE, "a native method runs outside the JVM's checks", hard=True), None)
        if md.name == "finalize" and md.descriptor == "()V" and not static:
            self.refuse(f"method {shown}", _Decision(False, FINALIZER, "a finalize() override runs on the finalizer thread, outside any call", hard=True), None)
        if md.code is None:
            return
        for h in md.code.handlers:
            if h.catch_type is not None:
                self.line, self.bci = h.line or md.line, -1
                self.class_ref(h.catch_type, f".catch {_jclass(h.catch_type)}")
        for e in md.code.elements:
            if type(e) is m.Insn:
                self.line, self.bci = e.line, e.bci
                self.insn(e)

    def insn(self, insn: m.Insn) -> None:
        op = insn.op
        if op in _INVOKE_OPS or op in _FIELD_OPS:
            ref = insn.args[0]
            self.member_ref(ref, f"{op} {_jmember(ref)}", static_write=op == "putstatic")
        elif op in _CLASS_OPS or op == "multianewarray":
            self.class_ref(insn.args[0], f"{op} {_jclass(insn.args[0])}")
        elif op in _LDC_OPS:
            self.loadable(insn.args[0], f"{op} {_jloadable(insn.args[0])}", 0)
        elif op == "invokedynamic":
            cs: m.CallSite = insn.args[0]
            self.bootstrap(cs.bootstrap, cs.name, cs.descriptor,
                           f"invokedynamic {cs.name}{_jmethod_desc(cs.descriptor)}", 0)

    # ------------------------------------------------------------------ references

    def class_ref(self, entry: str, subject: str) -> None:
        name = _element_class(entry)
        if name is None or self.local(name) is not None:
            return
        d = self.rules.decide(name)
        if not d.allowed:
            self.refuse(subject, d, name.replace("/", "."))

    def member_ref(self, ref: m.MemberRef, subject: str, *, static_write: bool = False) -> None:
        owner, name, desc = ref.owner, ref.name, ref.descriptor
        is_method = ref.kind != "field"
        if owner.startswith("["):
            if is_method and name == "clone":
                return  # an array's clone() copies it
            owner = "java/lang/Object"
        if is_method:
            if name == "finalize" and desc == "()V":
                self.refuse(subject, _Decision(False, FINALIZER, "calls a finalizer", hard=True), None)
                return
            if (name, desc) in _OBJECT_FINALS:
                owner = "java/lang/Object"
        pattern = f"{owner.replace('/', '.')}.{name}"
        if static_write and owner != self.cls.name:
            d = self.rules.decide(owner, name, desc)
            if d.hard or d.category == DENIED:
                self.refuse(subject, d, None)
            elif not self.rules.user_allows(owner, name, desc):
                self.refuse(subject, _Decision(False, STATIC_STATE, "writes a static field of another class"), pattern)
            return
        local = self.local(owner)
        if local is not None:
            if _declares(local, ref) or (is_method and name == "<init>"):
                return
            if static_write:
                self.refuse(subject, _Decision(False, STATIC_STATE, "writes an inherited static field"), None)
                return
            self.inherited(local, ref, subject)
            return
        d = self.rules.decide(owner, name, desc)
        if not d.allowed:
            self.refuse(subject, d, pattern)

    def inherited(self, local: m.ClassDef, ref: m.MemberRef, subject: str) -> None:
        """A member the local class does not declare: check it where it comes from."""
        # Up the superclass chain while it stays among the classes checked together.
        chain = [local]
        seen = {local.name}
        while True:
            superclass = chain[-1].super_name or "java/lang/Object"
            lc = self.local(superclass)
            if lc is None or superclass in seen:
                break
            if _declares(lc, ref):
                return  # declared by a class whose code is checked too
            seen.add(superclass)
            chain.append(lc)
        # Their interfaces, through the local ones.
        interfaces: list[str] = []
        todo = [i for c in chain for i in c.interfaces]
        while todo:
            n = todo.pop(0)
            if n in seen:
                continue
            seen.add(n)
            li = self.local(n)
            if li is None:
                interfaces.append(n)
            elif _declares(li, ref):
                return
            else:
                todo.extend(li.interfaces)
        d = self.rules.decide(superclass, ref.name, ref.descriptor)
        if d.allowed:
            return
        if d.category == NOT_ALLOWED and any(self.rules.decide(i, ref.name, ref.descriptor).allowed for i in interfaces):
            return
        self.refuse(f"{subject} (inherited from {_jclass(superclass)})", d,
                    f"{superclass.replace('/', '.')}.{ref.name}")

    def handle(self, h: m.MethodHandleConst, subject: str) -> None:
        kind = m.REF_KINDS.get(h.ref_kind, "")
        if kind == "newInvokeSpecial":
            self.class_ref(h.ref.owner, subject)
        self.member_ref(h.ref, subject, static_write=kind == "putStatic")

    def loadable(self, c: object, subject: str, depth: int) -> None:
        if isinstance(c, m.ClassConst):
            self.class_ref(c.name, subject)
        elif isinstance(c, m.MethodTypeConst):
            for name in _classes_in_method_type(c.descriptor):
                self.class_ref(name, f"{subject} (names {_jclass(name)})")
        elif isinstance(c, m.MethodHandleConst):
            self.handle(c, subject)
        elif isinstance(c, m.DynamicConst):
            self.bootstrap(c.bootstrap, c.name, c.descriptor, subject, depth + 1)

    def bootstrap(self, bsm: m.Bootstrap, name: str, desc: str, context: str, depth: int) -> None:
        if depth > _MAX_DEPTH:
            self.refuse(context, _Decision(False, BOOTSTRAP, f"dynamic constants nested more than {_MAX_DEPTH} deep"), None)
            return
        ref = bsm.handle.ref
        target = f"{ref.owner.replace('/', '.')}.{ref.name}"
        subject = f"{context}: bootstrap method {_jmember(ref)}"
        if self.local(ref.owner) is not None:
            # The class's own bootstrap method: its code is checked like any other.
            self.member_ref(ref, subject)
        else:
            d = self.rules.decide(ref.owner, ref.name, ref.descriptor, bootstrap=True)
            if not d.allowed:
                self.refuse(subject, d, target)
            elif not d.by_user and bsm.handle.ref_kind != m.REF_KIND_BY_NAME["invokeStatic"]:
                self.refuse(subject, _Decision(False, BOOTSTRAP, "an allowed bootstrap is called with invokeStatic"), None)
            else:
                self.bootstrap_semantics(target, bsm, name, desc, context)
        for a in bsm.args:
            self.loadable(a, f"{context}: bootstrap argument {_jloadable(a)}", depth)

    def bootstrap_semantics(self, target: str, bsm: m.Bootstrap, name: str, desc: str, context: str) -> None:
        """What an allowed bootstrap does beyond its arguments, checked as the reference it makes."""
        if target in ("java.lang.invoke.ConstantBootstraps.getStaticFinal",
                      "java.lang.invoke.ConstantBootstraps.enumConstant"):
            # Reads the static field `name` of the declaring class (the first argument
            # of getStaticFinal, else the constant's own type).
            decl = None
            if bsm.args and isinstance(bsm.args[0], m.ClassConst):
                decl = bsm.args[0].name
            elif desc.startswith("L") and desc.endswith(";"):
                decl = desc[1:-1]
            if decl is not None:
                ref = m.MemberRef("field", decl, name, desc)
                self.member_ref(ref, f"{context}: reads {_jmember(ref)}")
        elif target.startswith("java.lang.invoke.LambdaMetafactory."):
            # The lambda's class implements the call site's return type.
            ret = desc[desc.rfind(")") + 1 :]
            if ret.startswith("L") and ret.endswith(";"):
                self.class_ref(ret[1:-1], f"{context}: implements {_jtype(ret)}")


def _declares(c: m.ClassDef, ref: m.MemberRef) -> bool:
    if ref.kind == "field":
        return any(f.name == ref.name and f.descriptor == ref.descriptor for f in c.fields)
    return any(md.name == ref.name and md.descriptor == ref.descriptor for md in c.methods)


# ----------------------------------------------------------------------------- entry points


def _as_policy(policy: Policy | _HasAllow | None, allow: Iterable[object], deny: Iterable[object]) -> Policy:
    base_allow: tuple[object, ...] = ()
    base_deny: tuple[object, ...] = ()
    if isinstance(policy, Policy):
        base_allow, base_deny = policy.allow, policy.deny
    elif policy is not None:
        # Any object with `allow` (and maybe `deny`) pattern lists: a contract's policy.
        base_allow = tuple(getattr(policy, "allow", ()) or ())
        base_deny = tuple(getattr(policy, "deny", ()) or ())
    allow, deny = tuple(allow), tuple(deny)
    if not allow and not deny and isinstance(policy, Policy):
        return policy
    return Policy(tuple(base_allow) + allow, tuple(base_deny) + deny)  # type: ignore[arg-type]


def policy_violations(
    cls: m.ClassDef,
    policy: Policy | _HasAllow | None = None,
    *,
    allow: Iterable[object] = (),
    deny: Iterable[object] = (),
    classes: Iterable[m.ClassDef] | Mapping[str, m.ClassDef] = (),
) -> list[PolicyViolation]:
    """Every reference or declaration of ``cls`` that the policy refuses, in class order.

    ``classes`` are checked together with ``cls`` (the other classes of one
    input): references to the members they declare are allowed, since their
    own code is checked when they are.
    """
    p = _as_policy(policy, allow, deny)
    return _Scan(cls, _rules_for(p), classes).run()


def check_policy(
    cls: m.ClassDef,
    policy: Policy | _HasAllow | None = None,
    *,
    allow: Iterable[object] = (),
    deny: Iterable[object] = (),
    source: SourceMap | None = None,
    path: str = "<class>",
    classes: Iterable[m.ClassDef] | Mapping[str, m.ClassDef] = (),
) -> list[Diagnostic]:
    """Check ``cls`` against the default policy, widened and narrowed; one diagnostic per refusal.

    ``policy`` is a :class:`Policy`, ``None`` (the default policy), or any
    object with ``allow`` (and optionally ``deny``) pattern lists, such as a
    contract's policy; ``allow``/``deny`` add patterns:
    ``check_policy(cls, allow=contract.policy.allow)``.

    Each diagnostic names the refused instruction and its ``.jbasm`` line: the
    instruction's own line when ``cls`` came from the parser, else its bci
    looked up in ``source`` (a :class:`~jbgen.check.verify.SourceMap`) when
    given.  Without a line it names the method and bci in a note.
    """
    out = []
    for v in policy_violations(cls, policy, allow=allow, deny=deny, classes=classes):
        out.append(_diagnostic(cls, v, source, path))
    return out


def _diagnostic(cls: m.ClassDef, v: PolicyViolation, source: SourceMap | None, path: str) -> Diagnostic:
    lines: list[str] = source.lines if source is not None else []
    shown_path = source.path if source is not None else path
    line = v.line
    if not line and source is not None:
        line = source.locate(v.method, v.bci if v.bci >= 0 else None).line or 0
    src_line = lines[line - 1] if line and 0 < line <= len(lines) else None
    col = len(src_line) - len(src_line.lstrip()) + 1 if src_line is not None else None
    loc = Location(shown_path, line or None, col)
    notes = []
    where = f"class {_jclass(cls.name)}"
    if v.method is not None:
        where = f"in {_jclass(cls.name)}.{v.method[0]}{_jmethod_desc(v.method[1])}"
        if v.bci >= 0 and not line:
            where += f" at bci {v.bci}"
    notes.append(where)
    if v.hard:
        notes.append("this can never be allowed, not even in the contract's [policy] allow list")
    elif v.category == DENIED:
        notes.append("a pattern of the policy's deny list matches it")
    elif v.allow is not None:
        notes.append(f'allow it in the contract\'s [policy] allow list: "{v.allow}"')
    # Underline the instruction's mnemonic (or the declaration's first word).
    words = src_line.split() if src_line is not None else []
    span = len(words[0]) if words else 1
    return Diagnostic(v.message, loc, src_line, "error", span, tuple(notes))
