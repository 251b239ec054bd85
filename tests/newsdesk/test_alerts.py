"""A failed run reaches a person: the failed state carries the reason, and the configured
Prefect notification block (a webhook on 127.0.0.1 here) receives the alert."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from flows.alerts import check_block, compose
from newsdesk.core.config import load_settings
from tests.httpserver import Site


def test_an_alert_names_the_run_the_reason_and_the_counts() -> None:
    alert = compose(
        "newsdesk-run",
        "run-files",
        "Failed",
        "the extract gate rejected 100%",
        {
            "run_id": "r1",
            "db": "/w.duckdb",
            "ingested": 2,
            "loaded": 0,
            "updated": 0,
            "duplicates": 0,
            "quarantined": 2,
        },
        "http://127.0.0.1:4200/runs/flow-run/x",
    )
    assert alert.subject == "newsdesk: newsdesk-run run run-files failed"
    assert alert.body.splitlines() == [
        "run: newsdesk-run / run-files",
        "state: Failed",
        "reason: the extract gate rejected 100%",
        "counts: ingested 2, loaded 0, updated 0, duplicates 0, quarantined 2",
        "warehouse run: r1 (/w.duckdb)",
        "details: http://127.0.0.1:4200/runs/flow-run/x",
    ]


def test_a_failing_gate_fails_the_run_and_sends_the_alert(
    alert_block: str, webhook: Site, seed_dir: Path, warehouse_path: Path, tmp_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    empty_registry = tmp_path / "none.toml"
    empty_registry.write_text("")  # no known source: the extract gate rejects every page
    state = newsdesk_run(
        paths=[str(seed_dir)],
        return_state=True,
        label="alerting",
        settings_overrides={
            "db": str(warehouse_path),
            "workers": 1,
            "sources": str(empty_registry),
            "alerts_block": alert_block,
        },
    )
    assert state.is_failed()
    assert "extract gate rejected 100%" in state.message

    [hit] = webhook.posted()
    assert hit["path"] == "/alerts"
    # the flow run is named by its run id and the label of what ran
    assert re.fullmatch(
        r"newsdesk: newsdesk-run run \d{8}T\d{6}Z-[0-9a-f]{4} alerting failed",
        hit["json"]["subject"],
    ), hit["json"]["subject"]
    body = hit["json"]["body"]
    assert "extract gate rejected 100%" in body
    assert "counts: ingested 2, loaded 0, updated 0, duplicates 0, quarantined 2" in body
    assert "/runs/flow-run/" in body


def test_a_run_that_succeeds_sends_nothing(
    alert_block: str, webhook: Site, seed_dir: Path, warehouse_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    state = newsdesk_run(
        paths=[str(seed_dir)],
        return_state=True,
        settings_overrides={"db": str(warehouse_path), "workers": 1, "alerts_block": alert_block},
    )
    assert state.is_completed()
    assert webhook.posted() == []


def test_a_missing_block_is_reported_before_runs_depend_on_it(prefect_api_url: str) -> None:
    settings = load_settings(overrides={"alerts_block": "custom-webhook/no-such-block"})
    problem = check_block(settings)
    assert problem and "no-such-block" in problem and "will not be notified" in problem
    assert check_block(load_settings(overrides={"alerts_block": ""})) is None


def test_a_webhook_block_loads_in_a_process_that_deferred_its_type(
    prefect_api_url: str, webhook: Site
) -> None:
    """A run imports Prefect's webhook block type lazily (PREFECT_DEFERRED): until its module
    runs, Block.load would not know the type. load_block loads it first. In a fresh
    interpreter, as a run's process is (this one has Prefect imported already)."""
    from prefect.blocks.webhook import Webhook

    Webhook(url=webhook.url("/hook")).save("newsdesk-test-webhook", overwrite=True)
    code = """
        import sys
        from newsdesk.cli.prefect_server import PREFECT_DEFERRED
        from newsdesk.core.processes import imports_deferring
        with imports_deferring(PREFECT_DEFERRED):
            import flows.pipeline
        from prefect.blocks.core import Block
        try:
            Block.get_block_class_from_key("webhook")
            known = True
        except Exception:
            known = False
        from flows.alerts import load_block
        block = load_block("webhook/newsdesk-test-webhook")
        print(known, type(block).__name__, block.url.get_secret_value())
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "PREFECT_API_URL": prefect_api_url},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "Webhook", webhook.url("/hook")]
