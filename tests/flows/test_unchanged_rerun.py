"""A rerun over unchanged files is recorded without running the pipeline (flows/unchanged.py):
the real `newsdesk run` command, a real Prefect server (the test harness), a real DuckDB file."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from uuid import UUID

import duckdb

from tests.conftest import SEEDS

NEWSDESK = Path(sys.executable).with_name("newsdesk")
LOADED = "002_9fff910d0917317a.txt"
QUARANTINED = "000_aead3fb2f9192cb0.txt"


def newsdesk(db: Path, api_url: str, *args: str) -> dict:
    done = subprocess.run(
        [str(NEWSDESK), "--db", str(db), "run", *args, "--workers", "1", "--json"],
        capture_output=True,
        text=True,
        env={**os.environ, "PREFECT_API_URL": api_url},
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout)


def runs(db: Path) -> list[dict]:
    with duckdb.connect(str(db), read_only=True) as con:
        cursor = con.execute(
            "SELECT run_id, flow_run_id, status, ingested, loaded, updated, duplicates, "
            "quarantined, batches FROM runs ORDER BY started_at"
        )
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def test_an_unchanged_rerun_is_recorded_in_prefect_and_a_changed_file_still_runs(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path
) -> None:
    folder = tmp_path / "inputs"
    folder.mkdir()
    for name in (LOADED, QUARANTINED):
        shutil.copy(SEEDS / name, folder / name)
    (folder / f"{LOADED}.meta.json").write_text(
        json.dumps({"url": "https://mirror.example/news/politics/seed-002"})
    )
    first = newsdesk(warehouse_path, prefect_api_url, str(folder))
    assert first["loaded"] == 1 and first["quarantined"] == 1 and first["files_read"] == 2

    again = newsdesk(warehouse_path, prefect_api_url, str(folder))
    assert again["status"] == "loaded"
    assert again["unchanged_files"] == 2 and again["files_read"] == 0
    assert (again["ingested"], again["duplicates"]) == (2, 2)
    assert again["loaded"] + again["updated"] + again["quarantined"] == 0
    recorded = runs(warehouse_path)[-1]
    assert recorded["run_id"] == again["run_id"]
    assert recorded["status"] == "loaded" and recorded["batches"] == 0
    # accounting: loaded + updated + duplicates + quarantined = ingested
    assert recorded["ingested"] == 2 == recorded["duplicates"]
    assert recorded["loaded"] + recorded["updated"] + recorded["quarantined"] == 0

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    flow_run_id = UUID(recorded["flow_run_id"])
    with get_client(sync_client=True) as client:
        flow_run = client.read_flow_run(flow_run_id)
        flow = client.read_flow(flow_run.flow_id)
        # the session's server holds every test's artifacts: ask for this flow run's only
        only_this_run = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        artifacts = {a.key: a for a in client.read_artifacts(artifact_filter=only_this_run)}
    assert flow.name == "newsdesk-run"
    assert flow_run.state is not None and flow_run.state.is_completed()
    assert "nothing changed: 2 files" in (flow_run.state.message or "")
    assert flow_run.name.startswith(recorded["run_id"])
    assert flow_run.parameters["paths"] == [str(folder)]
    assert "newsdesk-run-unchanged" in artifacts and "newsdesk-run-counts" in artifacts
    assert "nothing changed" in str(artifacts["newsdesk-run-unchanged"].data)

    # A changed file goes through the pipeline: its article is updated, the other file skipped.
    page = folder / LOADED
    page.write_text(
        page.read_text(encoding="utf-8").replace(
            "the official underlined.", "the official underlined, according to Belta."
        ),
        encoding="utf-8",
    )
    changed = newsdesk(warehouse_path, prefect_api_url, str(folder))
    assert changed["updated"] == 1 and changed["files_read"] == 1
    assert changed["unchanged_files"] == 1
    assert runs(warehouse_path)[-1]["batches"] == 1  # the pipeline ran
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        [(body,)] = con.execute("SELECT body FROM articles").fetchall()
    assert "according to Belta" in body

    # --rescan always runs the pipeline, as does a folder with a new file in it.
    rescanned = newsdesk(warehouse_path, prefect_api_url, str(folder), "--rescan")
    assert rescanned["files_read"] == 2 and runs(warehouse_path)[-1]["batches"] == 1
    shutil.copy(SEEDS / QUARANTINED, folder / "copy.txt")
    added = newsdesk(warehouse_path, prefect_api_url, str(folder))
    assert added["files_read"] == 1 and added["unchanged_files"] == 2
    assert added["duplicates"] == 3
