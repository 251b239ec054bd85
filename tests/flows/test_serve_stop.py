"""`newsdesk serve` stopped by SIGTERM or SIGINT to its process alone, a run in progress.

A module of its own: the serve process tests/flows/test_deployments.py keeps up for its
module serves the same deployments on the same server, and would take this test's runs."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import PROJECT, SEEDS
from tests.flows.test_deployments import YEARLY, _wait_for_deployments


def many_pages(folder: Path, count: int) -> Path:
    """`count` distinct HTML pages (the samples, each with a line and an address of its own):
    a run long enough to be stopped in the middle."""
    folder.mkdir()
    samples = sorted((PROJECT / "samples" / "html").glob("*.html"))
    for i in range(count):
        page = samples[i % len(samples)]
        html = page.read_text(encoding="utf-8").replace("</p>", f" Copy {i}.</p>", 1)
        (folder / f"{i:04d}-{page.name}").write_text(html, encoding="utf-8")
        meta = json.loads(page.with_name(page.name + ".meta.json").read_text(encoding="utf-8"))
        meta["url"] = f"{meta['url']}?copy={i}"
        (folder / f"{i:04d}-{page.name}.meta.json").write_text(json.dumps(meta))
    return folder


def _group(pgid: int) -> list[str]:
    listing = subprocess.run(
        ["ps", "-e", "-o", "pid=,pgid=,stat=,args="], capture_output=True, text=True, check=True
    ).stdout
    return [
        line for line in listing.splitlines() if line.split()[1] == str(pgid) and " Z" not in line
    ]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_stopped_alone_ends_its_run_recorded_and_leaves_nothing_behind(
    prefect_api_url: str, tmp_path: Path, signum: signal.Signals
) -> None:
    """Found verifying an acceptance pass: SIGTERM (systemd, docker stop) to serve alone
    killed its run's process, left `started` in the warehouse and Running in Prefect; SIGINT
    to serve alone (not its group), after it had run a flow, did not stop it while a run
    went on. Either must stop it within seconds, its run recorded aborted and whole."""
    from prefect.client.orchestration import get_client

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    shutil.copy(SEEDS / "002_9fff910d0917317a.txt", seeds)
    pages = many_pages(tmp_path / "pages", 300)
    db = tmp_path / "warehouse.duckdb"
    env = {
        **os.environ,
        "PREFECT_API_URL": prefect_api_url,
        "PREFECT_RUNNER_POLL_FREQUENCY": "1",
        "NEWSDESK_SCHEDULES_INGEST": YEARLY,
        "NEWSDESK_SCHEDULES_INGEST_PARAMETERS": json.dumps({"paths": [str(pages)]}),
        "NEWSDESK_SCHEDULES_REPLAY": YEARLY,
        "NEWSDESK_SCHEDULES_MAINTENANCE": YEARLY,
        "NEWSDESK_PIPELINE_WORKERS": "1",
        "NEWSDESK_PIPELINE_BATCH_SIZE": "10",
    }
    log_path = tmp_path / "serve.log"
    with log_path.open("w") as log:
        # The installed command, in a group of its own: the signal goes to its pid only.
        process = subprocess.Popen(
            [str(Path(sys.executable).with_name("newsdesk")), "--db", str(db), "serve"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            process_group=0,
            cwd=PROJECT,
        )
        try:
            _wait_for_deployments(process, log_path)
            with get_client(sync_client=True) as client:
                deployment = client.read_deployment_by_name("newsdesk-run/ingest")
                first = client.create_flow_run_from_deployment(
                    deployment.id, parameters={"paths": [str(seeds)]}
                )
                _wait_for(client, first.id, lambda s: s.is_final(), log_path)
                run = client.create_flow_run_from_deployment(deployment.id)
                _wait_for(client, run.id, lambda s: s.is_running(), log_path)
                time.sleep(6)  # batches in: the run is loading
                assert len(_group(process.pid)) >= 2  # serve and the run's process
                process.send_signal(signum)
                assert process.wait(timeout=15) == 0, log_path.read_text()[-3000:]
                time.sleep(1)
                assert _group(process.pid) == []  # no run, worker or gate process left
                state = client.read_flow_run(run.id).state
                assert state.is_crashed(), state
                assert client.read_deployment_by_name("newsdesk-run/ingest").paused
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
    with duckdb.connect(str(db), read_only=True) as con:
        [(status, loaded)] = con.execute(
            "SELECT status, loaded FROM runs WHERE flow_run_id = ?", [str(run.id)]
        ).fetchall()
        articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        counted = con.execute("SELECT sum(loaded) FROM runs").fetchone()[0]
    assert status == "aborted"
    assert 0 < loaded < 300  # stopped in the middle, with whole batches in
    assert articles == counted  # each article in was counted by its run: no half batch


def _wait_for(client: Any, flow_run_id: Any, done: Any, log: Path) -> None:
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        state = client.read_flow_run(flow_run_id).state
        if state is not None and done(state):
            return
        time.sleep(0.3)
    raise AssertionError(f"flow run {flow_run_id} still {state}:\n{log.read_text()[-3000:]}")
