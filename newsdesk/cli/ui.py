"""`newsdesk ui`: a Prefect server with the project's settings, started once and reused; runs
started afterwards (CLI or served) report to it because they find it healthy on the same port."""

from __future__ import annotations

import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

from newsdesk.cli.prefect_server import (
    PrefectServerError,
    is_healthy,
    local_api_url,
    quiet_environment,
    start_local_server,
)
from newsdesk.core.config import Settings


@dataclass(frozen=True)
class Ui:
    api_url: str
    seconds_to_healthy: float
    started: bool  # False: an already running server was reused

    @property
    def url(self) -> str:
        return self.api_url.removesuffix("/api")


def open_ui(settings: Settings) -> Ui:
    """The server at PREFECT_API_URL if set, else the local one (started if it is down)."""
    quiet_environment(settings)
    began = time.monotonic()
    given = os.environ.get("PREFECT_API_URL")
    if given:
        if not is_healthy(given):
            raise PrefectServerError(f"no Prefect server answers at PREFECT_API_URL={given}")
        return Ui(given, time.monotonic() - began, started=False)
    api_url = local_api_url(settings)
    if is_healthy(api_url):
        return Ui(api_url, time.monotonic() - began, started=False)
    api_url, seconds = start_local_server(settings)
    return Ui(api_url, seconds, started=True)


def stop_local_server(settings: Settings, timeout_s: float = 20.0) -> int | None:
    """Stop the server `newsdesk` started (its pid is in <prefect home>/server.pid); returns
    the pid stopped, None when there was none."""
    pid_file = settings.prefect_home / "server.pid"
    try:
        pid = int(pid_file.read_text())
        # A stale file may name a pid reused by something else: only stop a Prefect server.
        if b"server\x00start" not in Path(f"/proc/{pid}/cmdline").read_bytes():
            raise ProcessLookupError(pid)
        os.killpg(pid, signal.SIGTERM)  # started in a session of its own: its children too
    except (OSError, ValueError):
        pid_file.unlink(missing_ok=True)
        return None
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and is_healthy(local_api_url(settings), timeout=0.5):
        time.sleep(0.2)
    pid_file.unlink(missing_ok=True)
    return pid
