"""A guard that fails any test whose code tries to connect anywhere but 127.0.0.1 (where
the `sites` fixture's servers are, tests/httpserver.py), and fetch settings whose time
limits only stop a hang."""

from __future__ import annotations

import os
import socket

import pytest

from tasks.ingest.web.settings import FetchSettings


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
    """127.0.0.1 allowed the way an operator would allow it, through NEWSDESK_FETCH_ALLOW.
    The time limits only stop a hang: on a loaded machine an answer from 127.0.0.1 can take
    longer than a tight limit, and a test about what is collected would see a `timeout`
    row. A test about a time limit sets its own, with room for a loaded scheduler."""
    monkeypatch.setenv("NEWSDESK_FETCH_ALLOW", "127.0.0.1:*")
    return FetchSettings(
        connect_timeout_s=10.0,
        read_timeout_s=10.0,
        deadline_s=30.0,
        max_bytes=64_000,
        max_xml_bytes=256_000,
        per_host_delay_s=0.0,
        per_host_concurrency=4,
        total_concurrency=32,
        retries=1,
        backoff_base_s=0.05,
        max_wait_s=5.0,
    ).with_env(os.environ)
