"""`newsdesk serve` against a real Prefect server: deployments registered with their
schedules, runs triggered through the API, their artifacts, and two overlapping runs."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest

from flows.deployments import ScheduleError, parse_schedule
from tests.conftest import SEEDS

# The CLI with the operations commands registered as the lead does in newsdesk/cli/__init__.py.
NEWSDESK = """
from newsdesk import cli
from newsdesk.cli import ops as cli_ops
for command in (cli_ops.serve, cli_ops.ui, cli_ops.status):
    cli.app.command()(command)
cli.entry()
"""
YEARLY = "0 0 1 1 *"  # never fires during a test run (unless it runs at new year)


def test_schedules_are_cron_intervals_or_nothing() -> None:
    assert parse_schedule("", "UTC") is None
    cron = parse_schedule("*/15 * * * *", "Europe/Berlin")
    assert (cron.cron, cron.timezone) == ("*/15 * * * *", "Europe/Berlin")
    assert parse_schedule("15m", "UTC").interval.total_seconds() == 900
    assert parse_schedule("2h", "UTC").interval.total_seconds() == 7200
    for bad in ("61 * * * *", "every day", "0m"):
        with pytest.raises(ScheduleError):
            parse_schedule(bad, "UTC")


@pytest.fixture(scope="module")
def served(
    prefect_api_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """`newsdesk --db … serve` in a subprocess, its ingest deployment pointed at the seeds."""
    folder = tmp_path_factory.mktemp("served")
    seeds = folder / "seeds"
    seeds.mkdir()
    for name in ("000_aead3fb2f9192cb0.txt", "002_9fff910d0917317a.txt"):
        (seeds / name).write_bytes((SEEDS / name).read_bytes())
    db = folder / "warehouse.duckdb"
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api_url,
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "NEWSDESK_SCHEDULES_INGEST": YEARLY,
        "NEWSDESK_SCHEDULES_INGEST_PARAMETERS": json.dumps(
            {"paths": [str(seeds)], "label": "scheduled"}
        ),
        "NEWSDESK_SCHEDULES_REPLAY": "3h",
        "NEWSDESK_SCHEDULES_MAINTENANCE": YEARLY,
        "NEWSDESK_PIPELINE_WORKERS": "1",
        "NEWSDESK_PIPELINE_BATCH_SIZE": "2",
    }
    log = (folder / "serve.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-c", NEWSDESK, "--db", str(db), "serve"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        _wait_for_deployments(process, folder / "serve.log")
        yield {"db": db, "log": folder / "serve.log"}
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _wait_for_deployments(process: subprocess.Popen[bytes], log: Path) -> None:
    from prefect.client.orchestration import get_client

    deadline = time.monotonic() + 120
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            names = {d.name for d in client.read_deployments()}
            if {"ingest", "replay", "nightly"} <= names:
                time.sleep(2)  # serve registers, then starts polling
                return
            time.sleep(0.5)
    raise AssertionError(f"serve registered nothing in 120 s:\n{log.read_text()}")


def test_serve_registers_each_deployment_with_its_schedule(served: dict[str, Any]) -> None:
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        ingest = client.read_deployment_by_name("newsdesk-run/ingest")
        replay = client.read_deployment_by_name("newsdesk-run/replay")
        nightly = client.read_deployment_by_name("newsdesk-maintenance/nightly")
    [schedule] = ingest.schedules
    assert (schedule.schedule.cron, schedule.schedule.timezone) == (YEARLY, "UTC")
    assert ingest.parameters["label"] == "scheduled"
    assert ingest.parameters["settings_overrides"] == {"db": str(served["db"])}
    assert ingest.entrypoint == "flows.pipeline.newsdesk_run"
    [every] = replay.schedules
    assert every.schedule.interval.total_seconds() == 3 * 3600
    assert replay.parameters["replay"] is True
    assert [s.schedule.cron for s in nightly.schedules] == [YEARLY]


def _artifacts(flow_run_id: Any) -> dict[str, Any]:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    return {a.key: a.data for a in found}


def test_a_run_triggered_through_the_api_completes_with_its_artifacts(
    served: dict[str, Any],
) -> None:
    from flows.deployments import trigger

    run = trigger("newsdesk-run/ingest", wait_s=240)
    assert run.state.is_completed(), (run.state, served["log"].read_text()[-3000:])

    artifacts = _artifacts(run.id)
    counts = {
        row["stage"]: row["documents"] for row in json.loads(artifacts["newsdesk-run-counts"])
    }
    assert counts["ingested"] == 2 and counts["loaded (new)"] == 1
    assert counts["quarantined"] == 1
    gates = json.loads(artifacts["newsdesk-run-gates"])
    failed = {(g["stage"], g["reason"]) for g in gates if g["failed"]}
    assert {("extract", "unknown_source"), ("extract", "unparsed_date")} <= failed
    assert "newsdesk quarantine" in artifacts["newsdesk-run-quarantine"]


def test_run_deployment_keeps_the_deployments_inputs_and_warehouse(
    served: dict[str, Any], prefect_api_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found by hand: `newsdesk run --deployment newsdesk-run/ingest` sent `paths: []`,
    `web: null` and `settings_overrides: null`, which replaced the deployment's own: the
    run read nothing, and would have written the default warehouse, not serve's."""
    from prefect.client.orchestration import get_client
    from typer.testing import CliRunner

    from newsdesk.cli import app

    monkeypatch.setenv("PREFECT_API_URL", prefect_api_url)
    done = CliRunner().invoke(
        app, ["run", "--deployment", "newsdesk-run/ingest", "--batch-size", "1"]
    )
    assert done.exit_code == 0, done.output
    flow_run_id = done.stdout.split("(")[1].split(")")[0]
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(flow_run_id)
        assert run.parameters["settings_overrides"] == {
            "db": str(served["db"]),
            "batch_size": "1",
        }
        assert "web" not in run.parameters
        deadline = time.monotonic() + 240
        while not (run.state and run.state.is_final()) and time.monotonic() < deadline:
            time.sleep(1)
            run = client.read_flow_run(flow_run_id)
    assert run.state.is_completed(), (run.state, served["log"].read_text()[-3000:])
    with duckdb.connect(str(served["db"]), read_only=True) as con:
        [(ingested, params)] = con.execute(
            "SELECT ingested, params FROM runs WHERE flow_run_id = ?", [str(flow_run_id)]
        ).fetchall()
    assert ingested == 2  # the seeds the deployment names (duplicates by now, or not)
    assert "seeds" in json.loads(params)["paths"][0]


def test_two_overlapping_runs_never_write_the_warehouse_at_once(
    served: dict[str, Any],
) -> None:
    from prefect.client.orchestration import get_client

    # Each run gets a changed copy of the loadable seed, so both have something to write.
    page = (SEEDS / "002_9fff910d0917317a.txt").read_text(encoding="utf-8")
    folders = []
    for i in range(2):
        folder = served["db"].parent / f"overlap-{i}"
        folder.mkdir()
        (folder / "page.txt").write_text(
            page.replace("the official underlined.", f"the official underlined ({i})."),
            encoding="utf-8",
        )
        folders.append(str(folder))
    with get_client(sync_client=True) as client:
        deployment = client.read_deployment_by_name("newsdesk-run/ingest")
        ids = [
            client.create_flow_run_from_deployment(
                deployment.id, parameters={"label": f"overlap-{i}", "paths": [folders[i]]}
            ).id
            for i in range(2)
        ]
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            runs = [client.read_flow_run(i) for i in ids]
            if all(r.state and r.state.is_final() for r in runs):
                break
            time.sleep(1)
    assert [r.state.name for r in runs] == ["Completed", "Completed"], served["log"].read_text()

    with duckdb.connect(str(served["db"]), read_only=True) as con:
        spans = con.execute(
            "SELECT started_at, finished_at FROM runs WHERE flow_run_id IN (?, ?) "
            "ORDER BY started_at",
            [str(i) for i in ids],
        ).fetchall()
    assert len(spans) == 2
    (_, first_end), (second_start, _) = spans
    assert first_end <= second_start  # the second run started writing after the first ended


def test_maintenance_closes_dead_runs_prunes_old_checks_and_template_lines_and_exports(
    prefect_api_url: str, warehouse_path: Path, tmp_path: Path
) -> None:
    from flows.maintenance import newsdesk_maintenance
    from warehouse.migrate import migrate

    migrate(warehouse_path)
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute("""
            INSERT INTO runs (run_id, command, status) VALUES ('r-dead', 'run', 'started'),
                                                              ('r-done', 'run', 'loaded');
            INSERT INTO dq_results (run_id, batch_no, suite, stage, expectation, severity,
                                    success, recorded_at)
            VALUES ('r-done', 0, 's', 'extract', 'old', 'error', true, now() - INTERVAL 400 DAY),
                   ('r-done', 0, 's', 'extract', 'new', 'error', true, now());
            INSERT INTO source_template_lines
                (source_id, line, article_id, pages_seen, first_run_id, last_run_id, last_seen)
            VALUES ('Example', 'one-off headline', 'a1', 2, 'r-done', 'r-done',
                    now() - INTERVAL 90 DAY),
                   ('Example', 'menu', NULL, 5, 'r-done', 'r-done', now() - INTERVAL 90 DAY),
                   ('Example', 'yesterday', 'a2', 1, 'r-done', 'r-done', now() - INTERVAL 1 DAY);
        """)
    # a raw-store file no row names (a batch that rolled back), two hours old
    from warehouse import rawstore

    orphan = rawstore.blob_path(
        rawstore.store_root(warehouse_path),
        rawstore.put(rawstore.store_root(warehouse_path), b"<p>rolled back</p>"),
    )
    os.utime(orphan, (time.time() - 7200, time.time() - 7200))
    out = tmp_path / "parquet"
    result = newsdesk_maintenance(
        settings_overrides={
            "db": str(warehouse_path),
            "dq_retention_days": 90,
            "template_retention_days": 60,
            "export_dir": str(out),
        }
    )
    assert (result["aborted_runs"], result["pruned_dq_rows"]) == (1, 1)
    assert result["pruned_template_lines"] == 1
    assert result["raw_files_pruned"] == 1 and not orphan.exists()
    assert (out / "articles.parquet").exists() and (out / "runs.parquet").exists()
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        assert con.execute("SELECT run_id, status FROM runs ORDER BY 1").fetchall() == [
            ("r-dead", "crashed"),
            ("r-done", "loaded"),
        ]
        assert con.execute("SELECT expectation FROM dq_results").fetchall() == [("new",)]
        # a line seen on one article (two versions of it) and not for 60 days goes; the
        # template and recent lines stay
        assert con.execute("SELECT line FROM source_template_lines ORDER BY 1").fetchall() == [
            ("menu",),
            ("yesterday",),
        ]
