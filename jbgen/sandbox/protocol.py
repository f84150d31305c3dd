"""The wire between jbgen and a worker: length-prefixed JSON over two pipes.

Each message is a 4-byte big-endian length and that many bytes of UTF-8 JSON
(an object with an ``op``).  JSON, never pickle: a worker runs untrusted code,
so everything it sends is data to check, and nothing it sends can make the
parent run code.  The parent caps the size of what it reads.

Requests (parent -> worker) and replies (worker -> parent):

- worker, once started: ``{"op": "ready", "pid", "java", "confinement", "startup_s"}``
  (with ``"runner"``, the helper class's bytes in base64, when it assembled them);
- ``{"op": "load", "sid", "dir", "classes", "classpath"}`` ->
  ``{"op": "loaded", "sid", "errors": [{"class", "exception", "message"}]}``;
- ``{"op": "run", "sid", "batch", "class", "methods": [[name, desc, static]],
  "calls": [[method, args, mode]], "ctor": [desc, args] | null,
  "limit_ns", "deadline_ns"}`` -> ``{"op": "ran", "batch", "results"}`` or,
  when a call ran out of time, ``{"op": "timeout", "batch", "index", "frames",
  "results"}`` (the results of the calls before it) after which the worker exits;
- ``{"op": "unload", "sid"}`` -> ``{"op": "unloaded", "threads": [names]}``
  (threads the session's code left running);
- ``{"op": "exit"}``: the worker exits at once.

A result is ``[0, value]`` (returned; the value in the wire form of
:mod:`jbgen.sandbox.values`), ``[1, class, message, frames]`` (threw) or
``[2]`` (not run: no instance).
"""

from __future__ import annotations

import json
import os
import struct

MAX_MESSAGE = 256 * 1024 * 1024  # what the parent accepts from a worker


class ProtocolError(Exception):
    """The other side sent something that is not a message (or hung up)."""


def encode(msg: dict) -> bytes:
    body = json.dumps(msg, separators=(",", ":"), allow_nan=False).encode("utf-8")
    return struct.pack(">I", len(body)) + body


def send(fd: int, msg: dict) -> None:
    data = memoryview(encode(msg))
    while data:
        n = os.write(fd, data)
        data = data[n:]


def _read_exact(fd: int, n: int) -> bytes:
    chunks = []
    while n:
        chunk = os.read(fd, min(n, 1 << 20))
        if not chunk:
            raise ProtocolError("the other side hung up")
        chunks.append(chunk)
        n -= len(chunk)
    return b"".join(chunks)


def recv(fd: int, limit: int = MAX_MESSAGE) -> dict:
    """Read one message (blocking)."""
    (size,) = struct.unpack(">I", _read_exact(fd, 4))
    if size > limit:
        raise ProtocolError(f"message of {size} bytes is over the limit of {limit}")
    try:
        msg = json.loads(_read_exact(fd, size).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ProtocolError(f"not a JSON message: {exc}") from None
    if not isinstance(msg, dict) or not isinstance(msg.get("op"), str):
        raise ProtocolError("not a message object with an op")
    return msg


class Reader:
    """Incremental reads for the parent: feed bytes as they come, take whole messages."""

    def __init__(self, limit: int = MAX_MESSAGE) -> None:
        self.buf = bytearray()
        self.limit = limit

    def feed(self, data: bytes) -> None:
        self.buf += data

    def take(self) -> dict | None:
        if len(self.buf) < 4:
            return None
        (size,) = struct.unpack_from(">I", self.buf)
        if size > self.limit:
            raise ProtocolError(f"message of {size} bytes is over the limit of {self.limit}")
        if len(self.buf) < 4 + size:
            return None
        body = bytes(self.buf[4 : 4 + size])
        del self.buf[: 4 + size]
        try:
            msg = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError) as exc:
            raise ProtocolError(f"not a JSON message: {exc}") from None
        if not isinstance(msg, dict) or not isinstance(msg.get("op"), str):
            raise ProtocolError("not a message object with an op")
        return msg
