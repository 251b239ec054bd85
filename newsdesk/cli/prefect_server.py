"""Where Prefect runs report: a given server, a local one started once and reused, or
Prefect's ephemeral mode. Called before Prefect is imported, because Prefect reads its
settings from the environment at import."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from newsdesk.core.config import Settings

HEALTH_TIMEOUT_S = 120.0

# What Prefect imports at its top that a run does not use (newsdesk.core.processes
# imports_deferring): the webhook block type, whose module builds four HTTP transports, two
# of them loading the CA bundle (~0.05 s of CPU idle, 0.08 s under load). An alert's
# Block.load loads it first (flows/alerts.py load_block).
PREFECT_DEFERRED = frozenset({"prefect.blocks.webhook"})


class PrefectServerError(RuntimeError):
    """The Prefect server could not be reached or started."""


def quiet_environment(settings: Settings) -> None:
    """No telemetry (there is no internet here) and the project's own Prefect home. The
    terminal gets newsdesk's own summary and progress; Prefect's run logs still reach the
    server (the UI) in full. PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL=INFO shows them here too."""
    os.environ.setdefault("PREFECT_HOME", str(settings.prefect_home))
    # Prefect makes its home at import without parents, and warns when it cannot ("Failed to
    # create the Prefect home directory"): a run in a folder with no .newsdesk/ yet, while a
    # server started elsewhere answers, would print that on its first run.
    with contextlib.suppress(OSError):
        Path(os.environ["PREFECT_HOME"]).expanduser().mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL", "CRITICAL")


def local_api_url(settings: Settings) -> str:
    return f"http://{settings.prefect_host}:{settings.prefect_port}/api"


def is_healthy(api_url: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def start_local_server(settings: Settings) -> tuple[str, float]:
    """Start `prefect server start` in the background (it outlives this command, so later
    runs and the UI reuse it) and wait until it answers. Returns its API URL and the seconds
    it took to become healthy."""
    api_url = local_api_url(settings)
    settings.prefect_home.mkdir(parents=True, exist_ok=True)
    log_path = settings.prefect_home / "server.log"
    env = {
        **os.environ,
        "PREFECT_HOME": str(settings.prefect_home),
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_SERVER_API_HOST": settings.prefect_host,
        "PREFECT_SERVER_API_PORT": str(settings.prefect_port),
        "PREFECT_UI_API_URL": api_url,
    }
    env.pop("PREFECT_API_URL", None)
    prefect = Path(sys.executable).with_name("prefect")
    started = time.monotonic()
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [
                str(prefect),
                "server",
                "start",
                "--host",
                settings.prefect_host,
                "--port",
                str(settings.prefect_port),
                "--analytics-off",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
        )
    (settings.prefect_home / "server.pid").write_text(str(process.pid))
    while time.monotonic() - started < HEALTH_TIMEOUT_S:
        if is_healthy(api_url):
            return api_url, time.monotonic() - started
        if process.poll() is not None:
            raise PrefectServerError(
                f"the Prefect server exited with code {process.returncode}; see {log_path}"
            )
        time.sleep(0.5)
    raise PrefectServerError(
        f"the Prefect server did not answer within {HEALTH_TIMEOUT_S:.0f} s; see {log_path}"
    )


def connect(settings: Settings, *, announce: bool = True) -> str | None:
    """Point this process's Prefect at a server; returns its API URL (None: ephemeral)."""
    quiet_environment(settings)
    if settings.prefect_mode == "ephemeral":
        os.environ.pop("PREFECT_API_URL", None)
        return None
    api_url = os.environ.get("PREFECT_API_URL") or local_api_url(settings)
    if is_healthy(api_url):
        os.environ["PREFECT_API_URL"] = api_url
        return api_url
    if os.environ.get("PREFECT_API_URL"):
        raise PrefectServerError(f"no Prefect server answers at PREFECT_API_URL={api_url}")
    if announce:
        print(
            f"starting a local Prefect server at {api_url.removesuffix('/api')} "
            f"(once; later runs reuse it) …",
            file=sys.stderr,
        )
    api_url, _ = start_local_server(settings)
    os.environ["PREFECT_API_URL"] = api_url
    return api_url
