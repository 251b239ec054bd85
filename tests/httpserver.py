"""A real HTTP server on 127.0.0.1 for tests: one `Site` plays one host (several of them,
several hosts), answers each path from its routes (404 otherwise) and records every request.
The `sites` fixture (tests/conftest.py) makes them and closes them after the test. Faults a
crawler meets are handlers here too: a stall, a trickle, a reset connection."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    length: bool = True  # send Content-Length (else close the connection to end the body)


Handler = Callable[["Request"], Reply | None]  # None: the handler wrote the answer itself


@dataclass
class Request:
    path: str
    headers: dict[str, str]  # names in lower case
    at: float  # time.monotonic() when it arrived
    handler: BaseHTTPRequestHandler
    method: str = "GET"
    body: bytes = b""


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up mid-answer (size caps, deadlines, a killed run) are expected


class Site:
    """One host: routes by path (the query string ignored when the full path has none),
    every request recorded."""

    def __init__(self) -> None:
        self.routes: dict[str, Handler] = {}
        self.hits: list[Request] = []
        self._lock = threading.Lock()
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site._answer(self, b"")

            def do_POST(self) -> None:
                site._answer(self, self.rfile.read(int(self.headers.get("Content-Length", 0))))

        self.server = _QuietServer(("127.0.0.1", 0), _Handler)
        self.port: int = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def _answer(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        request = Request(
            handler.path,
            {k.lower(): v for k, v in handler.headers.items()},
            time.monotonic(),
            handler,
            handler.command,
            body,
        )
        with self._lock:
            self.hits.append(request)
        path = handler.path
        route = self.routes.get(path) or self.routes.get(path.split("?")[0])
        reply = route(request) if route else Reply(404, b"not here")
        if reply is None:
            handler.close_connection = True
            return
        handler.send_response(reply.status)
        for name, value in reply.headers.items():
            handler.send_header(name, value)
        if reply.length:
            handler.send_header("Content-Length", str(len(reply.body)))
        else:
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (a size cap): the point
            handler.wfile.write(reply.body)

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.hits]

    def posted(self) -> list[dict[str, Any]]:
        """Every POST so far, in order: its path and its body read as JSON."""
        with self._lock:
            return [
                {"path": hit.path, "json": json.loads(hit.body)}
                for hit in self.hits
                if hit.method == "POST"
            ]

    def add(self, path: str, reply: Reply | Handler) -> None:
        self.routes[path] = reply if callable(reply) else (lambda _request, r=reply: r)

    def robots(self, rules: str = "User-agent: *\nAllow: /\n") -> None:
        """/robots.txt with these rules (by default, everything allowed)."""
        self.add("/robots.txt", Reply(200, rules.encode(), {"Content-Type": "text/plain"}))

    def serve(self, path: str, body: bytes, content_type: str, *, etag: bool = True) -> None:
        """`body` at `path`, with an ETag that a request's If-None-Match turns into a 304."""
        tag = f'"{hashlib.sha1(body).hexdigest()[:16]}"'

        def answer(request: Request) -> Reply:
            if etag and request.headers.get("if-none-match") == tag:
                return Reply(304, b"", {"ETag": tag})
            headers = {"Content-Type": content_type}
            if etag:
                headers["ETag"] = tag
            return Reply(200, body, headers)

        self.add(path, answer)

    def page(self, path: str, text: str, *, etag: bool = True) -> None:
        """A small HTML page that honours If-None-Match."""
        body = f"<html><head><title>{text}</title></head><body><p>{text}</p></body></html>"
        self.serve(path, body.encode(), "text/html; charset=utf-8", etag=etag)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def stall(seconds: float) -> Handler:
    def answer(_request: Request) -> Reply:
        time.sleep(seconds)
        return Reply(200, b"<html>late</html>", {"Content-Type": "text/html"})

    return answer


def trickle(every_s: float, total_s: float) -> Handler:
    """Headers at once, then one byte at a time: each read is quick, the whole is not."""

    def answer(request: Request) -> None:
        handler = request.handler
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        end = time.monotonic() + total_s
        try:
            while time.monotonic() < end:
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(every_s)
        except OSError:
            pass

    return answer


def reset(_request: Request) -> None:
    """Close the connection with a TCP RST before answering."""
    sock = _request.handler.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9)
