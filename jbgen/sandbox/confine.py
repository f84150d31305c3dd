"""Operating-system confinement of a worker: environment, resource limits, Landlock, network.

The parent calls :func:`worker_env`; the worker calls :func:`apply` on itself
before it starts its JVM (so every JVM thread inherits the limits).  Each step
is best effort and reports what it achieved; nothing here needs privileges:

- **Environment**: an allowlist (PATH, LANG, LC_ALL, HOME and TMPDIR in the
  work folder, JBGEN_JAVA_HOME, PYTHONPATH, the JVM options), and anything
  whose name looks like a credential is dropped even from that.
- **Resource limits**: RLIMIT_CORE 0, RLIMIT_FSIZE (a file written by the
  worker stops growing at the output limit: a flood to stdout cannot fill the
  disk), RLIMIT_NOFILE, and RLIMIT_NPROC (a thread or process bomb stops)
  where the kernel enforces it (not for root).  RLIMIT_AS is not set: the JVM
  reserves far more address space than it uses.
- **Landlock** (Linux 5.13+, unprivileged): the worker may write only in its
  work folder, read only the Python and JDK installations, jbgen itself, the
  classpath, a few system files and its own ``/proc`` entry (so not the
  parent's ``/proc/PID/environ``, nor any home folder), execute nothing, make
  no TCP connection (6.7+), and signal no process outside its sandbox (6.12+).
- **Network namespace**: where ``unshare(CLONE_NEWNET)`` is allowed (root, or
  unprivileged user namespaces), the worker has no network at all.
"""

from __future__ import annotations

import ctypes
import os
import re
import resource
import sys
from collections.abc import Iterable, Mapping, Sequence

# ----------------------------------------------------------------------------- environment

_KEEP = ("PATH", "JBGEN_JAVA_HOME", "PYTHONPATH")
_SECRET = re.compile(
    r"KEY|TOKEN|SECRET|PASSW|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|CERT|SIGNATURE|"
    r"^(AWS|GITHUB|GH|GITLAB|AZURE|GOOGLE|GCP|GCLOUD|ANTHROPIC|OPENAI|HF|HUGGING|NPM|PYPI|TWINE|DOCKER|"
    r"CI_JOB|ACTIONS|SSH|GPG|VAULT|KUBE|CLAUDE)",
    re.I,
)


def is_secret_name(name: str) -> bool:
    """True for environment variable names that look like credentials."""
    return bool(_SECRET.search(name))


def worker_env(workdir: str, jvm_options: Sequence[str], parent: Mapping[str, str] | None = None) -> dict[str, str]:
    """The whole environment of a worker: a short allowlist, never a credential."""
    src = os.environ if parent is None else parent
    env = {k: src[k] for k in _KEEP if k in src}
    env.setdefault("PATH", "/usr/bin:/bin")
    env.update(
        LANG="C.UTF-8",
        LC_ALL="C.UTF-8",
        HOME=workdir,
        TMPDIR=workdir,
        PYTHONDONTWRITEBYTECODE="1",
        PYTHONNOUSERSITE="1",
        JBGEN_JVM_OPTIONS=" ".join(jvm_options),
    )
    return {k: v for k, v in env.items() if not is_secret_name(k)}


# ----------------------------------------------------------------------------- rlimits


def _user_tasks(uid: int) -> int:
    """Threads of all processes of ``uid`` (what RLIMIT_NPROC counts)."""
    n = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            if os.stat(f"/proc/{pid}").st_uid == uid:
                n += len(os.listdir(f"/proc/{pid}/task"))
        except OSError:
            continue
    return n


def set_rlimits(fsize: int, data: int | None = None, nofile: int = 512, nproc_headroom: int = 512) -> dict[str, int]:
    """Lower this process's limits (inherited by the JVM's threads); return what was set.

    ``data`` (RLIMIT_DATA, bytes) caps the private writable memory the process
    may commit: heap, metaspace, malloc and thread stacks together.  Unlike
    RLIMIT_AS it does not count the JVM's reserved-but-unused address space.
    """
    done: dict[str, int] = {}

    def lower(name: str, which: int, value: int) -> None:
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
            done[name] = value
        except (ValueError, OSError):
            pass

    lower("core", resource.RLIMIT_CORE, 0)
    lower("fsize", resource.RLIMIT_FSIZE, fsize)
    lower("nofile", resource.RLIMIT_NOFILE, nofile)
    if data is not None:
        lower("data", resource.RLIMIT_DATA, data)
    # RLIMIT_NPROC counts every task of the real user, and root (CAP_SYS_RESOURCE /
    # CAP_SYS_ADMIN) is exempt: so it is set relative to the user's current count,
    # and only where it is enforced.
    if os.getuid() != 0 and sys.platform.startswith("linux"):
        lower("nproc", resource.RLIMIT_NPROC, _user_tasks(os.getuid()) + nproc_headroom)
    return done


# ----------------------------------------------------------------------------- Landlock

_SYS_CREATE_RULESET, _SYS_ADD_RULE, _SYS_RESTRICT_SELF = 444, 445, 446  # the same on every architecture
_PR_SET_NO_NEW_PRIVS = 38

_FS_EXECUTE = 1 << 0
_FS_WRITE_FILE = 1 << 1
_FS_READ_FILE = 1 << 2
_FS_READ_DIR = 1 << 3
_FS_REMOVE_DIR = 1 << 4
_FS_REMOVE_FILE = 1 << 5
_FS_MAKE_CHAR = 1 << 6
_FS_MAKE_DIR = 1 << 7
_FS_MAKE_REG = 1 << 8
_FS_MAKE_SOCK = 1 << 9
_FS_MAKE_FIFO = 1 << 10
_FS_MAKE_BLOCK = 1 << 11
_FS_MAKE_SYM = 1 << 12
_FS_REFER = 1 << 13  # ABI 2
_FS_TRUNCATE = 1 << 14  # ABI 3
_FS_IOCTL_DEV = 1 << 15  # ABI 5
_NET_BIND_TCP = 1 << 0  # ABI 4
_NET_CONNECT_TCP = 1 << 1
_SCOPE_ABSTRACT_UNIX = 1 << 0  # ABI 6
_SCOPE_SIGNAL = 1 << 1

_FILE_RIGHTS = _FS_EXECUTE | _FS_WRITE_FILE | _FS_READ_FILE | _FS_TRUNCATE | _FS_IOCTL_DEV


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc: ctypes.CDLL | None = None


def _c() -> ctypes.CDLL:
    global _libc
    if _libc is None:
        _libc = ctypes.CDLL(None, use_errno=True)
    return _libc


def landlock_abi() -> int:
    """The kernel's Landlock ABI version (0: none)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        r = _c().syscall(_SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(1))
    except (AttributeError, OSError):
        return 0
    return max(int(r), 0)


def _handled_fs(abi: int) -> int:
    rights = (1 << 13) - 1  # ABI 1: EXECUTE .. MAKE_SYM
    if abi >= 2:
        rights |= _FS_REFER
    if abi >= 3:
        rights |= _FS_TRUNCATE
    if abi >= 5:
        rights |= _FS_IOCTL_DEV
    return rights


def default_read_paths() -> list[str]:
    """What a worker must read after it is confined: Python, the JDK, jbgen, system files."""
    import jbgen

    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
             os.path.dirname(os.path.abspath(jbgen.__file__))}
    try:
        from jbgen.jvm import find_java_home

        paths.add(str(find_java_home().home))
    except Exception:  # the worker reports a JDK problem when it starts the JVM
        pass
    try:
        import jpype

        paths.add(os.path.dirname(os.path.abspath(jpype.__file__)))
    except ImportError:
        pass
    paths.update(["/usr/lib", "/usr/lib64", "/lib", "/lib64", "/usr/local/lib", "/usr/share/zoneinfo"])
    # Single files: the dynamic loader's cache, time zone, user and group names.
    paths.update(["/etc/ld.so.cache", "/etc/localtime", "/etc/timezone", "/etc/passwd", "/etc/group",
                  "/etc/nsswitch.conf", "/dev/urandom", "/dev/random"])
    # The JVM sizes itself from these (memory, CPUs, cgroup limits).
    paths.update([f"/proc/{os.getpid()}", "/proc/meminfo", "/proc/cpuinfo", "/proc/stat",
                  "/proc/filesystems", "/proc/sys/kernel", "/proc/sys/vm", "/sys/fs/cgroup",
                  "/sys/devices/system/cpu", "/sys/devices/system/node", "/sys/kernel/mm"])
    return sorted(paths)


def landlock(workdir: str, read_paths: Iterable[str]) -> dict[str, object]:
    """Confine this process (and the threads it starts later) with Landlock; report what held.

    Threads that already run are not confined, so call it before the JVM starts.
    """
    abi = landlock_abi()
    report: dict[str, object] = {"landlock_abi": abi}
    if abi <= 0:
        return report
    c = _c()
    attr = _RulesetAttr(_handled_fs(abi), 0, 0)
    size = 8
    if abi >= 4:
        attr.net = _NET_BIND_TCP | _NET_CONNECT_TCP
        size = 16
    if abi >= 6:
        attr.scoped = _SCOPE_ABSTRACT_UNIX | _SCOPE_SIGNAL
        size = 24
    fd = c.syscall(_SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    if fd < 0:
        report["landlock_error"] = os.strerror(ctypes.get_errno())
        return report
    skipped: list[str] = []
    try:
        read = _FS_READ_FILE | _FS_READ_DIR
        everything_here = attr.fs & ~(_FS_EXECUTE | _FS_MAKE_CHAR | _FS_MAKE_BLOCK)
        rules = [(p, read) for p in read_paths] + [("/dev/null", _FS_READ_FILE | _FS_WRITE_FILE),
                                                    (workdir, everything_here)]
        for path, rights in rules:
            try:
                pfd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue  # a path this system does not have
            try:
                if not os.path.isdir(path):
                    rights &= _FILE_RIGHTS
                rights &= attr.fs
                rule = _PathBeneath(rights, pfd)
                if c.syscall(_SYS_ADD_RULE, ctypes.c_int(fd), ctypes.c_int(1), ctypes.byref(rule), ctypes.c_uint32(0)) < 0:
                    skipped.append(path)
            finally:
                os.close(pfd)
        if c.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            report["landlock_error"] = "prctl(PR_SET_NO_NEW_PRIVS): " + os.strerror(ctypes.get_errno())
            return report
        if c.syscall(_SYS_RESTRICT_SELF, ctypes.c_int(fd), ctypes.c_uint32(0)) < 0:
            report["landlock_error"] = "landlock_restrict_self: " + os.strerror(ctypes.get_errno())
            return report
    finally:
        os.close(fd)
    if skipped:
        report["landlock_skipped"] = skipped
    report.update(fs_confined=True, exec_denied=True, tcp_denied=abi >= 4, signals_scoped=abi >= 6)
    return report


# ----------------------------------------------------------------------------- network, parent

_CLONE_NEWNET = 0x4000_0000
_CLONE_NEWUSER = 0x1000_0000


def no_network() -> bool:
    """Move this process into an empty network namespace (needs a single thread); True if done."""
    if not sys.platform.startswith("linux"):
        return False
    c = _c()
    if os.geteuid() == 0 and c.unshare(_CLONE_NEWNET) == 0:
        return True
    # Unprivileged: a user namespace of our own first (the uid stays unmapped,
    # which does not change what the kernel lets the process open).
    return c.unshare(_CLONE_NEWUSER | _CLONE_NEWNET) == 0


def parent_alive(parent_pid: int) -> bool:
    """False once the parent has died (the worker is then re-parented).

    Not PR_SET_PDEATHSIG: that fires when the *thread* that spawned the worker
    ends, which would kill the workers of a pool used from several threads.
    """
    return os.getppid() == parent_pid
