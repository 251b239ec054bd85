"""The raw store: page bytes outside the warehouse file, content-addressed, on a real disk."""

from __future__ import annotations

import gzip
import os
import shutil
import time
from pathlib import Path

import duckdb
import pytest

from tests.warehouse.wh_frames import frames, page, raw_row, reject_row
from warehouse import rawstore
from warehouse.load import load_batch, quarantined_raw, start_run, stored_raw
from warehouse.migrate import MIGRATIONS_DIR, migrate


def test_put_stores_the_same_bytes_once_atomically_and_get_checks_them(tmp_path: Path) -> None:
    root = tmp_path / "w.raw"
    first = rawstore.put(root, page(1))
    again = rawstore.put(root, page(1))
    other = rawstore.put(root, page(2))
    assert first == again != other
    files = sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file())
    assert files == sorted(f"{sha[:2]}/{sha}.gz" for sha in {first, other})  # no temp left
    assert gzip.decompress(rawstore.blob_path(root, first).read_bytes()) == page(1)
    assert rawstore.get(root, other) == page(2)


def test_a_batch_keeps_hash_and_size_in_the_table_and_the_bytes_in_the_store(
    tmp_path: Path,
) -> None:
    db = tmp_path / "w.duckdb"
    run = start_run(db, command="test", params={})
    raws = [raw_row(page(i), f"file:///in/{i}.html", run) for i in range(3)]
    load_batch(db, run_id=run, **frames(raws, [], []))
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute(
            "SELECT doc_id, content_sha256, content_size, content FROM raw_documents ORDER BY 1"
        ).fetchall()
    assert all(inline is None for *_, inline in stored)
    assert [(doc, sha, size) for doc, sha, size, _ in stored] == sorted(
        (r["doc_id"], r["doc_id"], len(r["content"])) for r in raws
    )
    back = stored_raw(db, [raws[2]["doc_id"], raws[0]["doc_id"]])
    assert back["content"].to_list() == [page(2), page(0)]


def test_missing_or_damaged_store_files_are_a_row_each_not_a_failure(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    run = start_run(db, command="test", params={})
    raws = [raw_row(page(i), f"file:///in/{i}.html", run) for i in range(3)]
    rejects = [reject_row(r, "extract", "empty_body", "empty_body") for r in raws]
    load_batch(db, run_id=run, **frames(raws, [], rejects))
    root = rawstore.store_root(db)
    gone, damaged, whole = (r["doc_id"] for r in raws)
    rawstore.blob_path(root, gone).unlink()  # deleted by hand
    path = rawstore.blob_path(root, damaged)
    path.write_bytes(path.read_bytes()[:20])  # cut short, as by a full disk
    replay = {row["doc_id"]: row for row in quarantined_raw(db).iter_rows(named=True)}
    assert "is missing" in replay[gone]["raw_error"] and replay[gone]["content"] is None
    assert "is damaged" in replay[damaged]["raw_error"]
    assert replay[whole]["raw_error"] is None and replay[whole]["content"] == page(2)

    # the same bytes arriving again bring the lost and the damaged file back
    assert path.with_name(path.name + ".damaged").exists() and not path.exists()
    run2 = start_run(db, command="test", params={})
    load_batch(db, run_id=run2, **frames(raws[:2], [], []))
    back = quarantined_raw(db)
    assert back["raw_error"].null_count() == 3
    assert back.filter(doc_id=gone)["content"].to_list() == [page(0)]
    assert back.filter(doc_id=damaged)["content"].to_list() == [page(1)]


def _old_warehouse(tmp_path: Path) -> Path:
    """A warehouse as newsdesk made it before 0050: bytes inside raw_documents.content."""
    old = tmp_path / "old_migrations"
    old.mkdir()
    for path in MIGRATIONS_DIR.glob("*.sql"):
        if int(path.name[:4]) < 50:
            shutil.copy(path, old / path.name)
    db = tmp_path / "legacy.duckdb"
    migrate(db, migrations_dir=old)
    with duckdb.connect(str(db)) as con:
        con.execute("INSERT INTO runs (run_id, command) VALUES ('r0', 'run')")
        for i in range(450):  # three chunks of the move
            content = page(i) if i % 3 else b""
            con.execute(
                "INSERT INTO raw_documents (doc_id, uri, size_bytes, content, first_run_id, "
                "last_run_id) VALUES (?, ?, ?, ?, 'r0', 'r0')",
                [f"d{i:03}", f"file:///in/{i}.html", len(content), content],
            )
        con.execute(
            "INSERT INTO quarantine (doc_id, stage, expectation, reason, first_run_id, "
            "last_run_id) VALUES ('d001', 'extract', 'empty_body', 'empty_body', 'r0', 'r0')"
        )
    return db


def test_an_old_warehouse_moves_its_bytes_out_on_its_next_read_write_open(tmp_path: Path) -> None:
    db = _old_warehouse(tmp_path)
    assert not rawstore.store_root(db).exists()
    migrate(db)  # what a run's start does
    with duckdb.connect(str(db), read_only=True) as con:
        left, moved, empty = con.execute(
            "SELECT count(content), count(content_sha256), count(*) FILTER (content_size = 0) "
            "FROM raw_documents"
        ).fetchone()
    assert (left, moved, empty) == (0, 300, 150)
    assert len(list(rawstore.store_root(db).glob("*/*.gz"))) == 300
    assert quarantined_raw(db)["content"].to_list() == [page(1)]
    assert stored_raw(db, ["d000", "d002"])["content"].to_list() == [b"", page(2)]
    assert migrate(db) == []  # nothing more to move


def test_prune_deletes_only_old_files_no_row_names(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    run = start_run(db, command="test", params={})
    kept = raw_row(page(1), "file:///in/1.html", run)
    load_batch(db, run_id=run, **frames([kept], [], []))
    root = rawstore.store_root(db)
    orphan = rawstore.put(root, page(7))  # e.g. a batch that rolled back
    young = rawstore.put(root, page(8))
    leftover = root / orphan[:2] / f".{orphan}.1.2.tmp"
    leftover.write_bytes(b"half")
    week_ago = time.time() - 7 * 86400
    for path in (rawstore.blob_path(root, orphan), rawstore.blob_path(root, kept["doc_id"])):
        os.utime(path, (week_ago, week_ago))
    os.utime(leftover, (week_ago, week_ago))
    pruned = rawstore.prune_raw_store(db)
    assert (pruned.files, pruned.kept) == (2, 1)
    assert not rawstore.blob_path(root, orphan).exists() and not leftover.exists()
    assert rawstore.get(root, kept["doc_id"]) == page(1)
    assert rawstore.get(root, young) == page(8)  # may belong to a batch still loading


def test_a_store_file_that_cannot_be_read_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    root = tmp_path / "w.raw"
    sha = rawstore.put(root, page(3))
    path = rawstore.blob_path(root, sha)
    path.unlink()
    path.mkdir()  # reading it fails with IsADirectoryError, as an I/O error would
    with pytest.raises(rawstore.RawUnavailable, match="cannot be read"):
        rawstore.get(root, sha)
