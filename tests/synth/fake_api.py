"""A fake Anthropic Messages API on 127.0.0.1 that plays scripted conversations.

    with FakeMessagesAPI([tool_reply(CLAMP), error(529, "overloaded_error", "Overloaded")]) as api:
        synth = ClaudeSynthesizer(ClaudeConfig(base_url=api.base_url))
        ...
        api.requests[0].body["system"]

It speaks the wire format the SDK expects: ``POST /v1/messages`` with JSON in,
``{"id", "type": "message", "role": "assistant", "model", "content": [...],
"stop_reason", "stop_sequence", "usage": {...}}`` out, errors as
``{"type": "error", "error": {"type", "message"}, "request_id"}`` with their
status codes and ``retry-after``.  Each request takes the next scripted
:class:`Reply`; a request past the end of the script gets a 500 that says so
(and the SDK's retries make that visible in the test).

Every request is recorded (headers, raw body, parsed JSON) before it is
answered, including ones the client stops waiting for.  Requests are checked
the way the real API checks them where a client bug would hide: the version
and key headers, the body's required fields, alternating roles, a
``tool_result`` for every ``tool_use`` of the previous assistant turn.  A bad
request gets a 400 ``invalid_request_error`` naming the problem.

Usage figures are made up but consistent: about 4 characters per token, and a
prompt cache keyed by the tools and system prompt (the first request writes it,
later ones read it), so tests can check what caching would do.

Nothing here is a real model's output; every reply is written in the test.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = [
    "FakeMessagesAPI",
    "Received",
    "Reply",
    "error",
    "message",
    "raw",
    "slow",
    "text_reply",
    "tool_reply",
]


@dataclass(frozen=True)
class Reply:
    """One scripted answer: a status, headers and a JSON value or raw bytes, after an optional delay."""

    status: int = 200
    body: Any = None
    raw_body: bytes | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    content_type: str = "application/json"


def message(content: Sequence[Mapping[str, Any]], stop_reason: str = "end_turn",
            usage: Mapping[str, int] | None = None) -> Reply:
    """A 200 message reply with these content blocks (usage computed unless given)."""
    return Reply(200, {"content": list(content), "stop_reason": stop_reason, "usage": usage})


def tool_reply(jbasm: str, notes: str | None = None, *, name: str = "submit_class",
               extra_input: Mapping[str, Any] | None = None, thinking: str | None = None,
               usage: Mapping[str, int] | None = None) -> Reply:
    """A reply that calls the tool with this text (what a well-behaved model sends)."""
    inp: dict[str, Any] = {"jbasm": jbasm}
    if notes is not None:
        inp["notes"] = notes
    if extra_input:
        inp.update(extra_input)
    content: list[dict[str, Any]] = []
    if thinking is not None:
        content.append({"type": "thinking", "thinking": thinking, "signature": "sig-fake-" + str(len(thinking))})
    content.append({"type": "tool_use", "id": "", "name": name, "input": inp})
    return message(content, "tool_use", usage)


def text_reply(text: str, stop_reason: str = "end_turn") -> Reply:
    """A reply in prose, without the tool call."""
    return message([{"type": "text", "text": text}], stop_reason)


def error(status: int, etype: str, msg: str, *, retry_after: str | None = None,
          error_code: str | None = None, delay_s: float = 0.0) -> Reply:
    """An API error: ``{"type": "error", "error": {"type", "message"[, "details"]}}``."""
    err: dict[str, Any] = {"type": etype, "message": msg}
    if error_code is not None:
        err["details"] = {"error_code": error_code}
    headers = {"retry-after": retry_after} if retry_after is not None else {}
    return Reply(status, {"type": "error", "error": err}, headers=headers, delay_s=delay_s)


def raw(body: bytes, status: int = 200, content_type: str = "application/json") -> Reply:
    """Exactly these bytes (a garbage body)."""
    return Reply(status, raw_body=body, content_type=content_type)


def slow(reply: Reply, delay_s: float) -> Reply:
    """``reply``, sent only after ``delay_s`` seconds (past a client timeout)."""
    return Reply(reply.status, reply.body, reply.raw_body, reply.headers, delay_s, reply.content_type)


@dataclass
class Received:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    raw_body: bytes
    body: Any

    def text(self) -> str:
        """Everything received, headers and body, as one string (to search for leaks)."""
        return "\n".join(f"{k}: {v}" for k, v in self.headers.items()) + "\n" + self.raw_body.decode("utf-8", "replace")


def _tokens(value: Any) -> int:
    return max(1, len(json.dumps(value, ensure_ascii=False)) // 4)


class FakeMessagesAPI:
    """The server: start it (or use ``with``), point ``base_url`` at :attr:`base_url`."""

    def __init__(self, script: Sequence[Reply] = (), *, check: Callable[[Received], str | None] | None = None) -> None:
        self.script: list[Reply] = list(script)
        self.requests: list[Received] = []
        self.check = check
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._cached: set[str] = set()
        self._served = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits for the serving loop to notice.
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.01},
                                        name="fake-messages-api", daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> FakeMessagesAPI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # wakes replies that are still sleeping
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> FakeMessagesAPI:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def remaining(self) -> int:
        """Scripted replies not yet served."""
        return len(self.script)

    # ----------------------------------------------------------------- answering

    def _next(self, rec: Received) -> Reply:
        with self._lock:
            self.requests.append(rec)
            problem = self._validate(rec)
            if problem is not None:
                return error(400, "invalid_request_error", problem)
            if not self.script:
                return error(500, "api_error", "fake server: the script has no reply left for this request")
            self._served += 1
            return self.script.pop(0)

    def _validate(self, rec: Received) -> str | None:
        if rec.method != "POST" or rec.path.split("?")[0] != "/v1/messages":
            return f"fake server: unexpected {rec.method} {rec.path}"
        h = {k.lower(): v for k, v in rec.headers.items()}
        if "anthropic-version" not in h:
            return "anthropic-version: header is required"
        if "x-api-key" not in h and not h.get("authorization", "").startswith("Bearer "):
            return "x-api-key: header is required"
        b = rec.body
        if not isinstance(b, dict):
            return "the body is not a JSON object"
        for key in ("model", "max_tokens", "messages"):
            if key not in b:
                return f"{key}: Field required"
        if not isinstance(b["max_tokens"], int) or b["max_tokens"] < 1:
            return "max_tokens: must be a positive integer"
        msgs = b["messages"]
        if not isinstance(msgs, list) or not msgs or msgs[0].get("role") != "user":
            return "messages: the first message must use the user role"
        pending: set[str] = set()
        for i, m in enumerate(msgs):
            want = "user" if i % 2 == 0 else "assistant"
            if m.get("role") != want:
                return f"messages.{i}: roles must alternate between user and assistant"
            content = m.get("content")
            blocks = content if isinstance(content, list) else [{"type": "text", "text": content}]
            if want == "user":
                results = {c.get("tool_use_id") for c in blocks if c.get("type") == "tool_result"}
                if pending - results:
                    return (f"messages.{i}: `tool_use` ids were found without `tool_result` blocks immediately "
                            f"after: {', '.join(sorted(pending - results))}")
                pending = set()
            else:
                pending = {c.get("id") for c in blocks if c.get("type") == "tool_use"}
        if self.check is not None:
            return self.check(rec)
        return None

    def _complete(self, rec: Received, reply: Reply) -> dict[str, Any]:
        """The full message JSON for a scripted 200 reply: ids, model, usage."""
        n = self._served
        body = dict(reply.body)
        content = []
        for i, block in enumerate(body.get("content", [])):
            block = dict(block)
            if block.get("type") == "tool_use" and not block.get("id"):
                block["id"] = f"toolu_fake_{n:02d}_{i}"
            content.append(block)
        usage = body.get("usage")
        if usage is None:
            req = rec.body if isinstance(rec.body, dict) else {}
            prefix = {"tools": req.get("tools"), "system": req.get("system")}
            key = json.dumps(prefix, sort_keys=True)
            prefix_tokens = _tokens(prefix)
            cached = key in self._cached
            self._cached.add(key)
            usage = {
                "input_tokens": _tokens(req.get("messages")),
                "output_tokens": _tokens(content),
                "cache_creation_input_tokens": 0 if cached else prefix_tokens,
                "cache_read_input_tokens": prefix_tokens if cached else 0,
            }
        model = rec.body.get("model") if isinstance(rec.body, dict) else "unknown"
        return {
            "id": f"msg_fake_{n:04d}",
            "type": "message",
            "role": "assistant",
            "model": model,
            "content": content,
            "stop_reason": body.get("stop_reason", "end_turn"),
            "stop_sequence": None,
            "usage": usage,
        }

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass  # quiet: tests read api.requests instead

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                self._serve()

            def do_POST(self) -> None:  # noqa: N802
                self._serve()

            def _serve(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                data = self.rfile.read(length) if length else b""
                try:
                    parsed = json.loads(data) if data else None
                except ValueError:
                    parsed = None
                rec = Received(self.command, self.path, dict(self.headers.items()), data, parsed)
                reply = api._next(rec)
                if reply.delay_s and api._stop.wait(reply.delay_s):
                    return
                if reply.raw_body is not None:
                    payload = reply.raw_body
                elif reply.status == 200:
                    with api._lock:
                        payload = json.dumps(api._complete(rec, reply)).encode()
                else:
                    body = dict(reply.body)
                    body["request_id"] = f"req_fake_{len(api.requests):04d}"
                    payload = json.dumps(body).encode()
                try:
                    self.send_response(reply.status)
                    self.send_header("content-type", reply.content_type)
                    self.send_header("content-length", str(len(payload)))
                    self.send_header("request-id", f"req_fake_{len(api.requests):04d}")
                    for k, v in reply.headers.items():
                        self.send_header(k, v)
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting (a timeout test)

        return Handler
