"""Overlapped batches ([pipeline] overlap, flows/overlap.py): batch n is gated and loaded in
a thread of its own while batch n+1 goes through its page pass. The warehouse must come out
as a serial run leaves it, a document in two batches in a row must still be a duplicate the
second time, and a load that fails must stop the run with the accounting whole."""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import FIXTURES, SEEDS
from warehouse import load as wh

SEED_LOADED = SEEDS / "002_9fff910d0917317a.txt"
SEED_QUARANTINED = SEEDS / "000_aead3fb2f9192cb0.txt"
HTML = FIXTURES / "html"
BATCH = 3


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """Eleven documents in four batches of three (files are read in name order): loaded,
    quarantined at ingest and later, and the same bytes again in the next batch (04 is 01,
    07 is 06) and within one batch (10 is 08)."""
    folder = tmp_path / "inputs"
    folder.mkdir()
    pages = {
        "01_seed.txt": SEED_LOADED.read_bytes(),
        "02_pythonspeed.html": (HTML / "pythonspeed-pipenv-docker.html").read_bytes(),
        "03_empty.txt": b"",
        "04_seed_again.txt": SEED_LOADED.read_bytes(),
        "05_s0105.html": gzip.decompress((HTML / "s0105.html.gz").read_bytes()),
        "06_seed_held.txt": SEED_QUARANTINED.read_bytes(),
        "07_seed_held_again.txt": SEED_QUARANTINED.read_bytes(),
        "08_d0035.html": gzip.decompress((HTML / "d0035.html.gz").read_bytes()),
        "09_s0194.html": gzip.decompress((HTML / "s0194.html.gz").read_bytes()),
        "10_d0035_again.html": gzip.decompress((HTML / "d0035.html.gz").read_bytes()),
        "11_seed_last.txt": SEED_LOADED.read_bytes().replace(b"military", b"armed", 1),
    }
    for name, content in pages.items():
        (folder / name).write_bytes(content)
    return folder


def run(db: Path, folder: Path, *, overlap: bool, workers: int = 1) -> dict[str, Any]:
    from flows.pipeline import newsdesk_run

    overrides = {
        "db": str(db),
        "workers": workers,
        "batch_size": BATCH,
        "overlap": overlap,
        **{f"{stage}_threshold": 1.0 for stage in ("ingest", "clean", "extract", "load")},
    }
    return newsdesk_run(paths=[str(folder)], settings_overrides=overrides)


TABLES = {
    "articles": "SELECT article_id, doc_id, title, body, source_id FROM articles",
    "duplicates": "SELECT doc_id, article_id FROM article_duplicates",
    "versions": "SELECT article_id, doc_id FROM article_versions",
    "quarantine": "SELECT doc_id, stage, reason, expectation, status FROM quarantine",
    "raw": "SELECT doc_id, uri, media_type, access FROM raw_documents",
    "runs": "SELECT status, ingested, loaded, updated, duplicates, quarantined, batches FROM runs",
}


def warehouse(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {name: sorted(con.execute(sql).fetchall()) for name, sql in TABLES.items()}


def test_an_overlapped_run_leaves_the_warehouse_a_serial_run_leaves(
    prefect_api_url: str, inputs: Path, tmp_path: Path
) -> None:
    serial = run(tmp_path / "serial.duckdb", inputs, overlap=False)
    overlapped = run(tmp_path / "overlap.duckdb", inputs, overlap=True, workers=2)
    counts = ("ingested", "loaded", "updated", "duplicates", "quarantined", "quarantine_reasons")
    assert {k: overlapped[k] for k in counts} == {k: serial[k] for k in counts}
    assert serial["ingested"] == 11
    # 04 repeats 01 from the batch before (loading while 04's batch was read), 07 repeats 06
    # (quarantined after ingest), 10 repeats 08 within its batch
    assert serial["duplicates"] >= 3
    assert serial["loaded"] >= 1 and serial["quarantined"] >= 2
    assert serial["loaded"] + serial["duplicates"] + serial["quarantined"] == 11
    assert warehouse(tmp_path / "overlap.duckdb") == warehouse(tmp_path / "serial.duckdb")


def test_a_load_that_fails_stops_the_run_with_every_loaded_batch_accounted_for(
    prefect_api_url: str, inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    load_batch = wh.load_batch
    calls: list[int] = []

    def second_load_fails(*args: Any, **kwargs: Any) -> wh.LoadResult:
        calls.append(len(calls))
        if len(calls) == 2:
            raise OSError("disk full (on purpose)")
        return load_batch(*args, **kwargs)

    monkeypatch.setattr(wh, "load_batch", second_load_fails)
    db = tmp_path / "overlap.duckdb"
    with pytest.raises(OSError, match="on purpose"):
        run(db, inputs, overlap=True)
    assert len(calls) == 2  # the batch read meanwhile was never loaded
    with duckdb.connect(str(db), read_only=True) as con:
        [(status, error, ingested, loaded, duplicates, quarantined, batches)] = con.execute(
            "SELECT status, error, ingested, loaded + updated, duplicates, quarantined, batches"
            " FROM runs"
        ).fetchall()
        [(held,)] = con.execute("SELECT count(DISTINCT doc_id) FROM quarantine").fetchall()
        [(articles,)] = con.execute("SELECT count(*) FROM articles").fetchall()
        [(raw,)] = con.execute("SELECT count(*) FROM raw_documents").fetchall()
    assert status == "failed" and "on purpose" in error
    assert (ingested, batches) == (BATCH, 1)  # the first batch only, in whole
    assert loaded + duplicates + quarantined == ingested
    assert (articles, held) == (loaded, quarantined)
    assert quarantined >= 1  # 03_empty.txt, held at ingest
    assert raw == BATCH


def test_each_batch_gives_back_what_it_freed_once_it_is_loaded(
    prefect_api_url: str, inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The run's process trims its heap after every batch's load (newsdesk/core/memory.py),
    in the loader's thread, and holds at most two malloc arenas from its start."""
    import threading

    from flows import pipeline
    from newsdesk.core import memory

    trims: list[str] = []
    limits: list[int] = []

    def release_freed() -> bool:
        trims.append(threading.current_thread().name)
        return memory.release_freed()

    def limit_arenas(arenas: int = memory.ARENAS) -> bool:
        limits.append(arenas)
        return memory.limit_arenas(arenas)

    monkeypatch.setattr(pipeline, "release_freed", release_freed)
    monkeypatch.setattr(pipeline, "limit_arenas", limit_arenas)
    db = tmp_path / "trimmed.duckdb"
    run(db, inputs, overlap=True, workers=2)
    with duckdb.connect(str(db), read_only=True) as con:
        [(batches,)] = con.execute("SELECT batches FROM runs").fetchall()
    assert batches == 4  # eleven documents in batches of three
    assert len(trims) == batches
    assert all(name.startswith("newsdesk-load") for name in trims)
    assert limits == [2]
