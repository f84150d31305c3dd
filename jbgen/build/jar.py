"""Byte-reproducible jars: the same classes give the same bytes, on any machine, at any time.

What makes a zip differ between two builds, and what this module fixes:

- timestamps: every entry gets ``SOURCE_DATE_EPOCH`` (UTC) when it is set,
  else :data:`DEFAULT_EPOCH` (1980-01-01 00:00:00, the earliest a zip entry
  can hold);
- order: ``META-INF/MANIFEST.MF`` first (``java.util.jar.JarInputStream``
  only finds a manifest among the first entries), then the classes sorted by
  path; no folder entries;
- permissions and host: ``-rw-r--r--`` regular files, "made by" Unix;
- compression: entries are *stored*, not deflated, so the bytes do not
  depend on the zlib build (zlib and zlib-ng deflate the same input
  differently); class files are small;
- the manifest is fixed text; there is no zip comment and no extra field.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Mapping

from jbgen.errors import UsageError

__all__ = ["DEFAULT_EPOCH", "MANIFEST", "jar_bytes", "source_date_epoch"]

DEFAULT_EPOCH = 315532800  # 1980-01-01T00:00:00Z
MANIFEST = b"Manifest-Version: 1.0\r\nCreated-By: jbgen\r\n\r\n"
_MODE = 0o100644  # a regular file, rw-r--r--
_MAX_EPOCH = 4354819199  # 2107-12-31T23:59:59Z, the last time a zip entry can hold


def source_date_epoch(environ: Mapping[str, str] | None = None) -> int:
    """``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC) if set, else :data:`DEFAULT_EPOCH`."""
    env = os.environ if environ is None else environ
    raw = env.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return DEFAULT_EPOCH
    try:
        value = int(raw)
    except ValueError:
        raise UsageError(f"SOURCE_DATE_EPOCH: not a number of seconds: {raw!r}") from None
    # A zip entry holds 1980 to 2107 (DOS time); clamp rather than fail.
    return min(max(value, DEFAULT_EPOCH), _MAX_EPOCH)


def _info(name: str, epoch: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=time.gmtime(epoch)[:6])
    info.compress_type = zipfile.ZIP_STORED
    info.create_system = 3  # Unix, so that external_attr holds a mode
    info.external_attr = _MODE << 16
    return info


def jar_bytes(classes: Mapping[str, bytes], epoch: int | None = None) -> bytes:
    """A jar of ``classes`` (entry path such as ``com/example/Clamp.class`` -> bytes)."""
    when = source_date_epoch() if epoch is None else epoch
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr(_info("META-INF/MANIFEST.MF", when), MANIFEST)
        for name in sorted(classes):
            zf.writestr(_info(name, when), classes[name])
    return buf.getvalue()
