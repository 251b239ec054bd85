"""A run whose clean and extract go to a Dask cluster leaves the warehouse a run on local
processes leaves: the same articles, the same quarantine."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from distributed import LocalCluster

from newsdesk.core.config import SettingsError, load_settings
from tests.conftest import PROJECT, SEEDS

SAMPLES = PROJECT / "samples" / "html"


def rows(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def dask_cluster() -> Iterator[LocalCluster]:
    with LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster:
        yield cluster


def computed(cluster: LocalCluster) -> int:
    """How many chunks the cluster's workers have mapped so far (a running count)."""
    prefix = cluster.scheduler.task_prefixes.get("map_chunk")
    return prefix.state_counts["memory"] if prefix is not None else 0


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Pages that load, and pages quarantined at ingest, clean and extract."""
    folder = tmp_path / "inputs"
    shutil.copytree(SAMPLES, folder)
    for seed in SEEDS.glob("*.txt"):
        shutil.copy(seed, folder / seed.name)
    (folder / "empty.txt").write_bytes(b"")
    (folder / "short.txt").write_text("Too short to be an article.\n", encoding="utf-8")
    return folder


ARTICLES = """
    SELECT article_id, doc_id, uri, source_id, title, published_at, body, word_count, authors,
           tags, language
    FROM v_articles ORDER BY article_id"""
QUARANTINE = """
    SELECT doc_id, stage, expectation, uri, reason, observed, status FROM quarantine
    ORDER BY doc_id, stage, expectation"""
COUNTS = "SELECT status, ingested, loaded, updated, duplicates, quarantined FROM runs"


def test_a_run_on_a_dask_cluster_loads_what_a_run_on_local_processes_loads(
    prefect_api_url: str, dask_cluster: LocalCluster, inputs: Path, tmp_path: Path
) -> None:
    from flows.pipeline import newsdesk_run

    local, cluster = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    base = {"batch_size": 4, "extract_threshold": 1.0, "clean_threshold": 1.0}
    newsdesk_run(paths=[str(inputs)], settings_overrides={**base, "db": str(local), "workers": 2})
    summary = newsdesk_run(
        paths=[str(inputs)],
        settings_overrides={
            **base,
            "db": str(cluster),
            "executor": "dask",
            "dask_address": dask_cluster.scheduler_address,
        },
    )
    # The cluster's workers did the cleaning and extracting, in chunks.
    assert "map_chunk" in dask_cluster.scheduler.task_prefixes
    assert summary["status"] == "loaded" and summary["loaded"] >= 3
    assert summary["quarantined"] >= 3
    for sql in (ARTICLES, QUARANTINE, COUNTS):
        assert rows(cluster, sql) == rows(local, sql), sql
    stages = {stage for (_, stage, *_) in rows(cluster, QUARANTINE)}
    assert {"ingest", "extract"} <= stages


def test_dask_needs_a_scheduler_address() -> None:
    with pytest.raises(SettingsError, match="dask_address"):
        load_settings(overrides={"executor": "dask", "dask_address": "localhost:8786"})
    from newsdesk.core.registry import Registry
    from tasks.parallel import open_mapper

    with pytest.raises(ValueError, match="needs dask_address"):
        open_mapper(Registry(()), workers=1, executor="dask", dask_address="")


def test_newsdesk_extract_on_a_dask_cluster_prints_what_it_prints_on_local_processes(
    dask_cluster: LocalCluster, inputs: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`newsdesk extract` maps its batches with the run's executor, so `executor = "dask"`
    sends its clean and extract to the cluster too, with the same records out."""
    from typer.testing import CliRunner

    from newsdesk.cli import app

    monkeypatch.setenv("NEWSDESK_PIPELINE_BATCH_SIZE", "4")
    command = ["extract", str(inputs), "--format", "jsonl"]
    local = CliRunner().invoke(app, [*command, "--workers", "2"])
    assert local.exit_code == 0, local.output
    done_before = computed(dask_cluster)
    monkeypatch.setenv("NEWSDESK_PIPELINE_EXECUTOR", "dask")
    monkeypatch.setenv("NEWSDESK_PIPELINE_DASK_ADDRESS", dask_cluster.scheduler_address)
    cluster = CliRunner().invoke(app, command)
    assert cluster.exit_code == 0, cluster.output
    assert computed(dask_cluster) > done_before  # the cluster's workers did the work this time
    records = [json.loads(line) for line in cluster.stdout.splitlines()]
    assert records == [json.loads(line) for line in local.stdout.splitlines()]
    assert len(records) >= 8 and sum(1 for r in records if r["body"]) >= 3
    assert any(r["gate_failures"] for r in records)
