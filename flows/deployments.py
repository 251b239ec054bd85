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

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from prefect import Flow
from prefect.deployments.runner import EntrypointType, RunnerDeployment
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


def serve(
    settings: Settings,
    settings_overrides: dict[str, str] | None = None,
    *,
    limit: int | None = None,
) -> None:
    """Register the deployments and run their scheduled and hand-triggered runs until
    stopped. Blocks; PREFECT_API_URL must point at the server."""
    from prefect import serve as prefect_serve

    prefect_serve(*build(settings, settings_overrides), limit=limit)


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
