"""The files on record are looked up a chunk at a time from a scratch copy, not held in a
dict: a rerun over more files than one chunk skips exactly the unchanged ones."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from newsdesk.core.contracts.files import FILE_READ_SCHEMA, FileRead, FileUnchanged
from tasks.ingest.files import iter_tracked_items, stamp_of
from warehouse.connection import open_write
from warehouse.file_reads import known_files, write_file_reads


def test_a_rerun_skips_the_files_on_record_across_lookup_chunks(db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "pages"
    folder.mkdir()
    for k in range(1_100):  # more than two lookup chunks of 512
        (folder / f"{k:04d}.txt").write_text(f"page {k}\n", encoding="utf-8")
    first = list(iter_tracked_items([folder], max_bytes=1_000, known={}))
    reads = [item for item in first if isinstance(item, FileRead)]
    assert len(reads) == 1_100
    # every third file on record as it is, one more on record with another size
    on_record = [r for r in reads if int(Path(r.uri).name[:4]) % 3 == 0]
    rows = [
        (r.uri, r.stamp.size_bytes, r.stamp.mtime_ns, r.stamp.sidecar_mtime_ns) for r in on_record
    ]
    stale = reads[1]
    rows.append((stale.uri, stale.stamp.size_bytes + 1, stale.stamp.mtime_ns, None))
    with open_write(db) as con:
        write_file_reads(con, "run-1", pl.DataFrame(rows, schema=FILE_READ_SCHEMA, orient="row"))

    known = known_files(db)
    assert known.stamps([on_record[5].uri, stale.uri, "file:///nowhere"]) == {
        on_record[5].uri: on_record[5].stamp,
        stale.uri: stale.stamp.__class__(stale.stamp.size_bytes + 1, stale.stamp.mtime_ns, None),
    }
    again = list(iter_tracked_items([folder], max_bytes=1_000, known=known))
    unchanged = [item.uri for item in again if isinstance(item, FileUnchanged)]
    assert unchanged == [r.uri for r in on_record]  # in the walk's order
    assert sum(isinstance(item, FileRead) for item in again) == 1_100 - len(on_record)
    assert stamp_of(folder / "0000.txt") == on_record[0].stamp
    known.close()
    assert known_files(tmp_path / "absent.duckdb").stamps([reads[0].uri]) == {}
