"""A real HTTP server on 127.0.0.1 (several of them, to play several hosts), and a guard
that fails any test whose code tries to connect anywhere else."""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import os
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tasks.ingest.web.settings import FetchSettings


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
    headers: dict[str, str]
    at: float
    handler: BaseHTTPRequestHandler


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up mid-answer (size caps, deadlines) are expected here


class Site:
    """One host: routes by path, every request recorded."""

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
                request = Request(
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    time.monotonic(),
                    self,
                )
                with site._lock:
                    site.hits.append(request)
                route = site.routes.get(self.path) or site.routes.get(self.path.split("?")[0])
                reply = route(request) if route else Reply(404, b"not here")
                if reply is None:
                    self.close_connection = True
                    return
                self.send_response(reply.status)
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                if reply.length:
                    self.send_header("Content-Length", str(len(reply.body)))
                else:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                with contextlib.suppress(OSError):  # the client gave up (a size cap): the point
                    self.wfile.write(reply.body)

        self.server = _QuietServer(("127.0.0.1", 0), _Handler)
        self.port = self.server.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def paths(self) -> list[str]:
        with self._lock:
            return [hit.path for hit in self.hits]

    def add(self, path: str, reply: Reply | Handler) -> None:
        self.routes[path] = reply if callable(reply) else (lambda _request, r=reply: r)

    def page(self, path: str, text: str, *, etag: bool = True) -> None:
        """An HTML page that honours If-None-Match."""
        body = f"<html><head><title>{text}</title></head><body><p>{text}</p></body></html>"
        data = body.encode()
        tag = f'"{hashlib.sha1(data).hexdigest()[:16]}"'

        def answer(request: Request) -> Reply:
            if etag and request.headers.get("if-none-match") == tag:
                return Reply(304, b"", {"ETag": tag})
            headers = {"Content-Type": "text/html; charset=utf-8"}
            if etag:
                headers["ETag"] = tag
            return Reply(200, data, headers)

        self.add(path, answer)

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


@pytest.fixture
def sites() -> Iterator[Callable[[], Site]]:
    made: list[Site] = []

    def make() -> Site:
        site = Site()
        made.append(site)
        return site

    yield make
    for site in made:
        site.close()


@pytest.fixture(autouse=True)
def only_loopback(monkeypatch: pytest.MonkeyPatch) -> list[tuple]:
    """Every outgoing connection in these tests is recorded, and one to anything but
    127.0.0.1 fails the test before it leaves the machine."""
    attempts: list[tuple] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: object) -> None:
        attempts.append(address)  # type: ignore[arg-type]
        host = address[0] if isinstance(address, tuple) else address
        if host != "127.0.0.1":
            raise AssertionError(f"a test tried to connect to {address!r}")

    def connect(self: socket.socket, address: object) -> None:
        check(address)
        return real_connect(self, address)

    def connect_ex(self: socket.socket, address: object) -> int:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    return attempts


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch) -> FetchSettings:
    """Short limits, so faults show up in tenths of seconds; 127.0.0.1 allowed the way an
    operator would allow it, through NEWSDESK_FETCH_ALLOW."""
    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW", "127.0.0.1:*")
    return FetchSettings(
        connect_timeout_s=0.5,
        read_timeout_s=0.5,
        deadline_s=1.5,
        max_bytes=64_000,
        max_xml_bytes=256_000,
        per_host_delay_s=0.0,
        per_host_concurrency=4,
        total_concurrency=32,
        retries=1,
        backoff_base_s=0.05,
        max_wait_s=5.0,
    ).with_env(os.environ)
