"""Artifacts on disk: atomic writes of class files, assembly text and reports.

Every file jbgen writes goes through :func:`atomic_write`: the bytes land in a
temporary file in the destination folder and are renamed over the target in
one step, so an interrupted run (Ctrl-C, kill, a crash) leaves either the old
file or the new one, never a half-written one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile


def atomic_write(path: str, data: bytes | str, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` atomically, creating parent folders."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".jbgen-", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def class_path(out_dir: str, internal_name: str, suffix: str = ".class") -> str:
    """``out/com/example/Foo.class`` for ``com/example/Foo``."""
    parts = internal_name.split("/")
    for p in parts:
        if p in ("", ".", "..") or os.sep in p or (os.altsep and os.altsep in p):
            raise ValueError(f"class name {internal_name!r} cannot be a file path")
    return os.path.join(out_dir, *parts) + suffix
