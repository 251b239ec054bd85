"""Real Prefect runs over a raw store that lost or damaged files: replay and reprocess give a
`raw_missing` row for each such page and go on with the rest."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import SEEDS
from tests.flows.test_pipeline import (
    SEED_LOADED,
    SEED_QUARANTINED,
    UNKNOWN_HTML,
    rows,
    seed_inputs,
)
from warehouse import rawstore


def run(db: Path, paths: list[Path], **kwargs: object) -> dict:
    from flows.pipeline import newsdesk_run

    # two of the three pages that reach extract are quarantined on purpose
    overrides = {"db": str(db), "workers": 1, "batch_size": 3, "extract_threshold": 0.9}
    return newsdesk_run(paths=[str(p) for p in paths], settings_overrides=overrides, **kwargs)


def _blob(db: Path, name: str) -> Path:
    [(sha,)] = rows(db, f"SELECT content_sha256 FROM raw_documents WHERE uri LIKE '%/{name}'")
    return rawstore.blob_path(rawstore.store_root(db), sha)


def test_replay_and_reprocess_turn_a_lost_store_file_into_a_row(
    prefect_api_url: str, warehouse_path: Path, tmp_path: Path
) -> None:
    inputs = seed_inputs(tmp_path / "inputs")
    first = run(warehouse_path, [inputs])
    assert (first["loaded"], first["quarantined"]) == (1, 2)
    assert len(list(rawstore.store_root(warehouse_path).glob("*/*.gz"))) == 3
    # `newsdesk raw` gives a stored page back, byte for byte
    from typer.testing import CliRunner

    from newsdesk.cli import app

    [(doc_id,)] = rows(
        warehouse_path, f"SELECT doc_id FROM raw_documents WHERE uri LIKE '%/{SEED_LOADED}'"
    )
    shown = CliRunner().invoke(app, ["--db", str(warehouse_path), "raw", doc_id[:12]])
    assert shown.exit_code == 0 and shown.stdout_bytes == (SEEDS / SEED_LOADED).read_bytes()

    _blob(warehouse_path, UNKNOWN_HTML.name).unlink()  # lost
    damaged = _blob(warehouse_path, SEED_QUARANTINED)
    damaged.write_bytes(damaged.read_bytes()[:-10])  # cut short

    replayed = run(warehouse_path, [], replay=True)
    assert replayed["status"] == "loaded"
    assert replayed["quarantined"] == replayed["ingested"] == 2
    missing = rows(
        warehouse_path,
        "SELECT regexp_extract(uri, '[^/]+$'), observed FROM quarantine "
        "WHERE reason = 'raw_missing' ORDER BY 1",
    )
    assert [name for name, _ in missing] == [SEED_QUARANTINED, UNKNOWN_HTML.name]
    assert "is damaged" in missing[0][1] and "is missing" in missing[1][1]

    _blob(warehouse_path, SEED_LOADED).unlink()
    lost = CliRunner().invoke(app, ["--db", str(warehouse_path), "raw", doc_id])
    assert lost.exit_code != 0 and "is missing" in lost.stderr
    reprocessed = run(warehouse_path, [], reprocess={})
    assert reprocessed["status"] == "loaded"
    assert rows(warehouse_path, "SELECT count(*) FROM articles") == [(1,)]  # kept as it was
    assert rows(
        warehouse_path,
        f"SELECT count(*) FROM quarantine WHERE reason = 'raw_missing' "
        f"AND uri LIKE '%/{SEED_LOADED}'",
    ) == [(1,)]
