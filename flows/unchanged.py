"""A rerun over files that are all unchanged, recorded without running the pipeline.

Such a run reads nothing: every file's path, size and modification time (and its sidecar's)
equal those `file_reads` holds, so the whole pipeline would only count them as duplicates.
Starting it still costs a fixed few seconds (Prefect's flow engine, the gate process, the
worker pool's imports, stories and the search index with nothing to do), which made an
unchanged rerun of 2,000 pages cost a fifth of the first run. Here the command checks the
stamps under the warehouse's run lock and, when nothing changed, records the run itself: a
`runs` row (ingested = duplicates = the files, loaded = quarantined = 0: the accounting
holds) and a Prefect flow run of `newsdesk-run`, Completed, with its counts as artifacts,
through Prefect's REST API (plain HTTP: importing Prefect's client would cost a second).

Anything else goes the usual way: a file new, changed or failing, no warehouse or files
table yet, a schema to migrate, a run left `started` by a dead process (the flow closes it),
the run lock held by another run, or no Prefect server (ephemeral mode).
"""

from __future__ import annotations

import contextlib
import json
import os
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flows.naming import describe_inputs
from flows.run_lock import run_lock
from flows.summary import RunSummary
from newsdesk.core.config import Settings
from newsdesk.core.contracts.run import new_run_id
from newsdesk.core.registry import Registry
from tasks.ingest.files import all_unchanged
from warehouse import load as wh
from warehouse.file_reads import files_on_record

FLOW_NAME = "newsdesk-run"  # flows.pipeline.newsdesk_run's name
_HTTP_TIMEOUT_S = 10.0


def _unchanged_files(paths: list[str], settings: Settings) -> int | None:
    """How many files the paths hold, when the warehouse may record the run without the
    pipeline and every file is on record unchanged; else None."""
    with files_on_record(settings.db, timeout_s=settings.read_lock_timeout_s) as on_record:
        if on_record is None:
            return None
        return all_unchanged(
            [Path(p) for p in paths],
            known=on_record,
            read_timeout_s=settings.read_timeout_s,
            follow_links=settings.follow_links,
        )


class PrefectApi:
    """The few calls of Prefect's REST API a recorded run needs."""

    def __init__(self, api_url: str) -> None:
        self.api_url = api_url.rstrip("/")

    def post(self, path: str, body: Any) -> Any:
        request = urllib.request.Request(
            f"{self.api_url}/{path.lstrip('/')}",
            data=json.dumps(body, default=str).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        with urllib.request.urlopen(request, timeout=_HTTP_TIMEOUT_S) as response:
            text = response.read()
        return json.loads(text) if text else None

    def start_flow_run(self, name: str, parameters: dict[str, Any]) -> str:
        flow = self.post("/flows/", {"name": FLOW_NAME})
        flow_run = self.post(
            "/flow_runs/",
            {
                "flow_id": flow["id"],
                "name": name,
                "parameters": parameters,
                "state": {"type": "RUNNING", "name": "Running"},
                "tags": ["unchanged"],
            },
        )
        return str(flow_run["id"])

    def finish_flow_run(self, flow_run_id: str, summary: RunSummary, message: str) -> None:
        now = datetime.now(UTC).isoformat()
        self.post(
            "/logs/",
            [
                {
                    "name": "newsdesk.unchanged",
                    "level": 20,
                    "message": line,
                    "timestamp": now,
                    "flow_run_id": flow_run_id,
                }
                for line in [message, *summary.lines()]
            ],
        )
        self.post(
            "/artifacts/",
            {
                "key": "newsdesk-run-counts",
                "type": "table",
                "data": json.dumps(summary.stage_counts()),
                "description": f"Documents per stage, run {summary.run_id}",
                "flow_run_id": flow_run_id,
            },
        )
        self.post(
            "/artifacts/",
            {
                "key": "newsdesk-run-unchanged",
                "type": "markdown",
                "data": f"## Run `{summary.run_id}`: nothing changed\n\n{message}\n\n"
                "`newsdesk run --rescan PATH` reads every file again (after an edit that "
                "kept a file's modification time).",
                "description": "Files not read again: size and mtime unchanged",
                "flow_run_id": flow_run_id,
            },
        )
        self.post(
            f"/flow_runs/{flow_run_id}/set_state",
            {"state": {"type": "COMPLETED", "name": "Completed", "message": message}},
        )

    def fail_flow_run(self, flow_run_id: str, message: str) -> None:
        """Best effort: the flow run shows Failed, not Running forever."""
        with contextlib.suppress(OSError):
            self.post(
                f"/flow_runs/{flow_run_id}/set_state",
                {"state": {"type": "FAILED", "name": "Failed", "message": message}, "force": True},
            )


def record_unchanged_run(
    paths: list[str],
    settings: Settings,
    registry: Registry,
    *,
    api_url: str,
) -> dict[str, Any] | None:
    """The summary of a run recorded without running the pipeline, when every file under
    `paths` is unchanged since it was read; None when the pipeline must run."""
    if not paths or not settings.db.exists():
        return None
    label = describe_inputs(paths)
    with run_lock(settings.db, timeout_s=0, label=label) as turn:
        if not turn.acquired:
            return None
        files = _unchanged_files(paths, settings)
        if files is None:
            return None
        label = describe_inputs(paths, documents=files)
        run_id = new_run_id()
        summary = RunSummary(run_id=run_id, db=settings.db, status="loaded")
        summary.ingested = summary.duplicates = summary.unchanged_files = files
        params = {"paths": paths, "replay": False, "web": None}
        api = PrefectApi(api_url)
        try:
            flow_run_id = api.start_flow_run(f"{run_id} {label}", {**params, "label": label})
        except (OSError, ValueError, KeyError):  # the flow then says what Prefect answers
            return None
        try:
            wh.record_unchanged_run(
                settings.db,
                run_id=run_id,
                flow_run_id=flow_run_id,
                params=params,
                registry=registry,
                files=files,
                timeout_s=settings.write_lock_timeout_s,
            )
            message = (
                f"nothing changed: {files} files unchanged since they were read (size and "
                f"modification time); recorded without running the pipeline (pid {os.getpid()})"
            )
            api.finish_flow_run(flow_run_id, summary, message)
        except BaseException as exc:
            api.fail_flow_run(flow_run_id, f"{type(exc).__name__}: {exc}")
            raise
    return summary.as_dict()
