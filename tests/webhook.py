"""A webhook on 127.0.0.1 that keeps what it is sent (the alert tests' receiver)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Receiver(ThreadingHTTPServer):
    received: list[dict]  # {"path": ..., "json": ...} per POST, in order


class Hook(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        received: list[dict] = self.server.received  # type: ignore[attr-defined]
        received.append({"path": self.path, "json": json.loads(body)})
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass
