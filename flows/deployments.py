"""The deployments `newsdesk serve` registers, with their schedules from [schedules].

Served, not pushed to a work pool: newsdesk runs on one machine next to one DuckDB file, and
`serve` is one long-lived process that polls the server and starts each flow run in a
subprocess of its own (a crash ends that run, not the scheduler). A work pool would add a
pool to create, a worker process to keep alive and a code-storage step, for nothing a single
writer can use. On stop (Ctrl-C, SIGTERM) serve pauses the schedules, so nothing piles up
while it is down; it resumes them when it starts again.

| deployment                   | runs                                   | default schedule |
|------------------------------|----------------------------------------|------------------|
| newsdesk-run/ingest          | the pipeline with [schedules] ingest_parameters | every 15 min |
| newsdesk-run/replay          | the pipeline on the quarantined documents | 02:30 daily   |
| newsdesk-maintenance/nightly | flows.maintenance                      | 03:00 daily      |
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import Flow
from prefect.deployments.runner import EntrypointType, RunnerDeployment
from prefect.runner import Runner
from prefect.schedules import Cron, Interval, Schedule

from flows.maintenance import newsdesk_maintenance
from flows.pipeline import newsdesk_run
from newsdesk.core.config import Settings

_INTERVAL = re.compile(r"^\s*(\d+)\s*([smhd])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
TAGS = ["newsdesk"]


class ScheduleError(ValueError):
    """A [schedules] value is neither a cron expression, an interval nor empty."""


def parse_schedule(text: str, timezone: str) -> Schedule | None:
    """ "*/15 * * * *" → Cron; "15m" / "1h" / "900s" / "1d" → Interval; "" → no schedule."""
    if not text.strip():
        return None
    if match := _INTERVAL.match(text):
        seconds = timedelta(**{_UNITS[match[2]]: int(match[1])})
        if not seconds:
            raise ScheduleError(f"schedule {text!r}: an interval must be longer than zero")
        return Interval(seconds, timezone=timezone)
    if len(text.split()) not in (5, 6):
        raise ScheduleError(
            f"schedule {text!r}: use a cron expression ('*/15 * * * *'), an "
            "interval ('15m', '1h', '900s') or '' for none"
        )
    from prefect.client.schemas.schedules import CronSchedule
    from pydantic import ValidationError

    try:  # Prefect's own check, now rather than at the first tick
        CronSchedule(cron=text, timezone=timezone)
    except ValidationError as exc:
        raise ScheduleError(f"schedule {text!r} ({timezone}): {exc.errors()[0]['msg']}") from None
    return Cron(text, timezone=timezone)


@dataclass(frozen=True)
class Spec:
    flow: Flow[..., Any]
    name: str
    schedule: str
    parameters: dict[str, Any]
    description: str

    @property
    def full_name(self) -> str:
        return f"{self.flow.name}/{self.name}"


def _absolute_paths(parameters: dict[str, Any]) -> dict[str, Any]:
    # The served run may start in another folder: pin relative paths to where serve started.
    if parameters.get("paths"):
        return {**parameters, "paths": [str(Path(p).resolve()) for p in parameters["paths"]]}
    return parameters


def specs(settings: Settings, settings_overrides: dict[str, str] | None = None) -> list[Spec]:
    """What to deploy; settings_overrides (the CLI's --db / --sources) reach every run."""
    base: dict[str, Any] = {"settings_overrides": settings_overrides} if settings_overrides else {}
    return [
        Spec(
            newsdesk_run,
            "ingest",
            settings.schedule_ingest,
            {**base, **_absolute_paths(settings.schedule_ingest_parameters)},
            "Scheduled ingest into the warehouse ([schedules] ingest_parameters).",
        ),
        Spec(
            newsdesk_run,
            "replay",
            settings.schedule_replay,
            {**base, "replay": True, "label": "replay"},
            "Re-run every quarantined document (a registry fix takes effect).",
        ),
        Spec(
            newsdesk_maintenance,
            "nightly",
            settings.schedule_maintenance,
            {**base},
            "CHECKPOINT, ANALYZE, prune old dq_results, optional Parquet export.",
        ),
    ]


def build(
    settings: Settings, settings_overrides: dict[str, str] | None = None
) -> list[RunnerDeployment]:
    deployments = []
    for spec in specs(settings, settings_overrides):
        schedule = parse_schedule(spec.schedule, settings.schedule_timezone)
        deployments.append(
            spec.flow.to_deployment(
                spec.name,
                schedules=[schedule] if schedule else [],
                parameters=spec.parameters,
                description=spec.description,
                tags=TAGS,
                # Imported by module path: runs find the code wherever serve was started.
                entrypoint_type=EntrypointType.MODULE_PATH,
            )
        )
    return deployments


# How long serve waits for its runs to end after passing SIGTERM on (a run ends in about
# 2 s: the batch in flight rolls back); within docker stop's 10 s and systemd's 90 s.
STOP_WAIT_S = 8.0


class _StoppingRunner(Runner):
    """Prefect's Runner, stopped by SIGTERM or SIGINT without killing the runs it started.

    Runner.start() installs handle_sigterm for SIGTERM (serve() here for SIGINT too); the
    stock one called the async stop without awaiting it and exited, which closed the
    runs' process transports with SIGKILL."""

    _stop_asked = False
    _main: asyncio.Task[None] | None = None
    _stopping: asyncio.Task[None] | None = None

    async def until_stopped(self) -> None:
        self._main = asyncio.current_task()
        await self.start()

    def handle_sigterm(self, signum: int, frame: object) -> None:
        if self._stop_asked:
            return  # one stop is under way: the runs are ending
        self._stop_asked = True
        runs = _run_processes()
        for pid in runs:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.kill(pid, signal.SIGTERM)
        if self._main is not None and not self._main.done():
            loop = self._main.get_loop()
            loop.call_soon_threadsafe(self._stop_after, runs)

    def _stop_after(self, runs: list[int]) -> None:
        self._stopping = asyncio.get_running_loop().create_task(self._runs_ended(runs))

    async def _runs_ended(self, runs: list[int]) -> None:
        # Cancelled at once, the runner's exit closed the runs' process transports, which
        # kills them (SIGKILL): the main task is cancelled once they have ended (the
        # runner reaps them meanwhile), or after STOP_WAIT_S.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + STOP_WAIT_S
        while any(map(_running, runs)) and loop.time() < deadline:
            await asyncio.sleep(0.1)
        if self._main is not None:
            self._main.cancel()


def _run_processes() -> list[int]:
    """The flow runs' processes: this process's children in its process group (Prefect
    starts each run so; a Prefect server newsdesk started has a session of its own and is
    left alone). Linux's /proc; elsewhere none (the runner's stop then ends them)."""
    children: list[int] = []
    for listing in Path("/proc/self/task").glob("*/children"):
        with contextlib.suppress(OSError):
            children += map(int, listing.read_text().split())
    group = os.getpgrp()
    found = []
    for pid in children:
        with contextlib.suppress(OSError):
            if os.getpgid(pid) == group:
                found.append(pid)
    return found


def _running(pid: int) -> bool:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return False
    return fields[0] != "Z"  # a zombie has ended; the runner reaps it


def serve(
    settings: Settings,
    settings_overrides: dict[str, str] | None = None,
    *,
    limit: int | None = None,
) -> None:
    """Register the deployments and run their scheduled and hand-triggered runs until
    stopped (SIGTERM or SIGINT, to this process alone or to its group). Blocks;
    PREFECT_API_URL must point at the server.

    Prefect's own serve() did not stop well (found by an acceptance pass, measured with a run
    of 300 pages in progress): SIGTERM exited at once and the loop's close killed the run's
    process (SIGKILL), leaving it `started` in the warehouse and Running in Prefect; SIGINT
    to serve alone waited for the run to finish (over 30 s). Here either signal passes
    SIGTERM on to each run's process, whose flow ends as a terminated run does (the batch in
    flight rolls back, the run is recorded aborted; Prefect marks it Crashed), and serve
    waits for them, pauses the schedules and returns."""
    from prefect.flows import _display_serve_start_message

    deployments = build(settings, settings_overrides)
    runner = _StoppingRunner(pause_on_shutdown=True, limit=limit)
    for deployment in deployments:
        runner.add_deployment(deployment)
    _display_serve_start_message(*deployments)
    previous = signal.signal(signal.SIGINT, runner.handle_sigterm)
    try:
        asyncio.run(runner.until_stopped())
    except asyncio.CancelledError:
        pass  # the stop asked for: the runs have ended and the schedules are paused
    finally:
        signal.signal(signal.SIGINT, previous)


def trigger(
    name: str, parameters: dict[str, Any] | None = None, *, wait_s: float | None = 0
) -> Any:
    """Start a run of a registered deployment (`newsdesk-run/ingest`); the run needs a
    `newsdesk serve` to execute it. Returns the FlowRun (final when wait_s allows).

    A parameter given replaces the deployment's, except `settings_overrides`, which is
    merged into the deployment's (the warehouse `serve --db` gave it stays, unless given)."""
    from prefect.deployments import run_deployment

    parameters = dict(parameters or {})
    if parameters.get("settings_overrides"):
        from prefect.client.orchestration import get_client

        with get_client(sync_client=True) as client:
            deployment = client.read_deployment_by_name(name)
        served = deployment.parameters.get("settings_overrides") or {}
        parameters["settings_overrides"] = {**served, **parameters["settings_overrides"]}
    return run_deployment(name, parameters=parameters, timeout=wait_s, as_subflow=False)
