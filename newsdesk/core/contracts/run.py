"""The stages, and the ids runs are known by."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum


class Stage(StrEnum):
    """A stage of the pipeline, as named in rejects, quarantine, dq_results and the gates."""

    INGEST = "ingest"
    CLEAN = "clean"
    EXTRACT = "extract"
    LOAD = "load"


def run_id_at(when: datetime, salt: str) -> str:
    """`20261202T122741Z-7f3a`: the run's start in UTC to the second (ids sort by time), then
    the last four hex digits of `salt` so that two runs started in one second differ."""
    return f"{when.astimezone(UTC):%Y%m%dT%H%M%SZ}-{salt[-4:]}"


def new_run_id(now: datetime | None = None) -> str:
    """A fresh run id for work outside a flow run (`newsdesk extract`, direct loads)."""
    return run_id_at(now or datetime.now(UTC), secrets.token_hex(2))
