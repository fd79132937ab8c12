"""Shared plumbing for the loopback fakes: a ThreadingHTTPServer on 127.0.0.1 run in a thread.

Subclasses implement `dispatch(req) -> Reply`. The server never answers 5xx on its own: a bug in a
handler becomes a 400 with the error text (clients retry 5xx, which would hide the bug).
"""

from __future__ import annotations

import json
import threading
import traceback
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    """One request as the fake received it (path without query; query values are the last given)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    raw_body: bytes
    body: Any = None  # parsed JSON, or None when empty / not JSON
    json_error: str | None = None
    status: int | None = None  # filled in once answered
    raw_path: str = ""  # as sent, incl. any /api/v3 prefix and the query string

    def header(self, name: str, default: str | None = None) -> str | None:
        return self.headers.get(name.lower(), default)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "path": self.path,
            "query": self.query,
            "body": self.body,
            "status": self.status,
            "authorization": self.header("authorization"),
        }


@dataclass
class Reply:
    status: int = 200
    body: Any = None  # JSON-able, or bytes sent as-is
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body).encode()


def parse_request(method: str, target: str, headers: dict[str, str], raw: bytes) -> Request:
    parts = urllib.parse.urlsplit(target)
    query = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
    req = Request(method=method, path=parts.path, query=query, headers=headers, raw_body=raw, raw_path=target)
    if raw:
        try:
            req.body = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            req.json_error = str(e)
    return req


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections die instead of pinning a thread
    disable_nagle_algorithm = True  # headers and body go out as separate writes: avoid 40 ms delayed-ACK stalls

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        req = parse_request(self.command, self.path, headers, raw)
        fake = self.server.fake  # type: ignore[attr-defined]
        try:
            reply = fake.dispatch(req)
        except Exception as e:  # a fake bug must be loud but not retryable
            fake.errors.append(f"{req.method} {req.path}: {e!r}\n{traceback.format_exc()}")
            reply = Reply(400, {"message": f"fake server error: {e!r}"})
        if reply is None:  # the handler chose to drop the connection
            self.close_connection = True
            return
        req.status = reply.status
        self._send(reply)

    def _send(self, reply: Reply) -> None:
        data = reply.encode()
        try:
            self.send_response(reply.status)
            headers = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
            for k, v in headers.items():
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):  # the client gave up (timeouts)
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _handle


class _Server(ThreadingHTTPServer):
    # The default backlog of 5 drops connections when a client runs 8 requests at once on a loaded
    # machine; the SDKs then retry, and request counts in tests stop being exact.
    request_queue_size = 64


class LoopbackServer:
    """Context manager: `with Sub() as fake: fake.port`. Subclasses define dispatch()."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    def dispatch(self, req: Request) -> Reply | None:  # pragma: no cover - abstract
        raise NotImplementedError

    def start(self) -> LoopbackServer:
        self._httpd = _Server(("127.0.0.1", 0), _Handler)
        self._httpd.daemon_threads = True
        self._httpd.fake = self  # type: ignore[attr-defined]
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{type(self).__name__}:{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"
