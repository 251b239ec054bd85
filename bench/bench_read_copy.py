"""What analysts' reads cost a run, measured two ways at 10,000 and 100,000 articles
(synthetic rows of realistic size: a 2.6 KB body of hex words, which compress about as
badly as prose, authors, tags, a version, a 40 KB raw page):

(a) the read copy newsdesk publishes after each run (warehouse/publish.py): its seconds (wall
    and this process's CPU) and its size, against the warehouse's own size. The raw pages go
    where a load puts them, the raw store beside the warehouse (warehouse/rawstore.py); with
    --raw-in-table they stay in `raw_documents.content`, as before migration 0050;
(b) DuckLake with a SQLite catalog: one run's commit (a batch of 200 new articles, checked
    against the lake for ids already there, as its tables have no primary key) while
    another process holds a READ_ONLY attach of the lake.

    python -m bench.bench_read_copy [--sizes 10000 100000] [--raw-in-table] [--ducklake-ext DIR]

DIR holds ducklake.duckdb_extension and sqlite_scanner.duckdb_extension (the
duckdb-ext-ducklake / duckdb-ext-sqlite 1.4.4 packages: `uv pip install --target T ...`,
then T/duckdb_ext/extensions/v1.4.4/linux_amd64); without it (b) is skipped. The machine's
load changes every figure: read them as orders of magnitude.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from warehouse.migrate import migrate
from warehouse.publish import publish_read_copy
from warehouse.rawstore import put, store_root

BATCH = 200

_FILL = """
INSERT INTO runs (run_id, command, status) VALUES ('r0', 'run', 'loaded');
INSERT INTO articles (article_id, doc_id, uri, url, source_id, title, published_at, body,
                      word_count, first_run_id, last_run_id)
SELECT md5(i::VARCHAR), sha256(i::VARCHAR), 'https://news.example/' || i,
       'https://news.example/' || i, 'Source ' || (i % 50), 'Title ' || i,
       TIMESTAMPTZ '2024-01-01' + to_seconds(i * 60),
       (SELECT string_agg(md5((i * 100 + j)::VARCHAR), ' ') FROM range(80) AS w(j)),
       80, 'r0', 'r0'
FROM range($n) AS t(i);
INSERT INTO article_versions (article_id, doc_id, run_id, title, word_count, body_sha)
SELECT article_id, doc_id, 'r0', title, word_count, doc_id FROM articles;
INSERT INTO article_authors SELECT article_id, 0, 'Author ' || (hash(article_id) % 1000)
FROM articles;
INSERT INTO article_tags SELECT article_id, 0, 'tag' || (hash(article_id) % 300) FROM articles;
"""
# A 40 KB page per article: inside the table (as before migration 0050), or named by its hash
# with the bytes in the raw store (filled by _store_pages).
_RAW_IN_TABLE = """
INSERT INTO raw_documents (doc_id, uri, url, size_bytes, content, first_run_id, last_run_id,
                           content_size)
SELECT doc_id, uri, url, 40000, repeat(md5(doc_id), 1250)::BLOB, 'r0', 'r0', NULL
FROM articles;
"""
_RAW_IN_STORE = """
INSERT INTO raw_documents (doc_id, uri, url, size_bytes, first_run_id, last_run_id,
                           content_sha256, content_size)
SELECT doc_id, uri, url, 40000, 'r0', 'r0', sha256(repeat(md5(doc_id), 1250)), 40000
FROM articles;
"""


def _store_pages(con: duckdb.DuckDBPyConnection, db: Path) -> None:
    import hashlib

    root = store_root(db)
    for (doc_id,) in con.execute("SELECT doc_id FROM articles").fetchall():
        page = (hashlib.md5(doc_id.encode()).hexdigest() * 1250).encode()
        put(root, page)


def _size(path: Path) -> int:
    wal = Path(f"{path}.wal")
    return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)


def _store_size(db: Path) -> int:
    return sum(p.stat().st_size for p in store_root(db).rglob("*.gz"))


def read_copy(n: int, folder: Path, *, raw_in_table: bool = False) -> dict[str, float]:
    db = folder / "warehouse.duckdb"
    migrate(db)
    with duckdb.connect(str(db)) as con:
        con.execute(_FILL.replace("$n", str(n)))
        con.execute(_RAW_IN_TABLE if raw_in_table else _RAW_IN_STORE)
        if not raw_in_table:
            _store_pages(con, db)
        con.execute("CHECKPOINT")
    cpu = time.process_time()
    published = publish_read_copy(db)
    cpu_first = time.process_time() - cpu
    cpu = time.process_time()
    again = publish_read_copy(db)  # the steady state: the old copy is replaced
    cpu_again = time.process_time() - cpu
    return {
        "warehouse_mb": round(_size(db) / 1e6, 1),
        "raw_store_mb": round(_store_size(db) / 1e6, 1),
        "copy_mb": round(published.bytes / 1e6, 1),
        "publish_s": round(published.seconds, 2),
        "publish_again_s": round(again.seconds, 2),
        "publish_cpu_s": round(cpu_first, 2),
        "publish_again_cpu_s": round(cpu_again, 2),
    }


_READER = """
import duckdb, sys, time
con = duckdb.connect()
con.execute("LOAD '{ext}/ducklake.duckdb_extension'")
con.execute("LOAD '{ext}/sqlite_scanner.duckdb_extension'")
con.execute("ATTACH 'ducklake:sqlite:{catalog}' AS lake (DATA_PATH '{data}', READ_ONLY)")
print(con.execute("SELECT count(*) FROM lake.articles").fetchone()[0], flush=True)
time.sleep(600)
"""


def ducklake(n: int, folder: Path, ext: Path, *, wal: bool) -> dict[str, object]:
    catalog, data = folder / "catalog.sqlite", folder / "data"
    if wal:
        # SQLite's write-ahead log lets readers and one writer work at once.
        with sqlite3.connect(catalog) as lite:
            lite.execute("PRAGMA journal_mode=WAL")
    con = duckdb.connect()
    con.execute(f"LOAD '{ext}/ducklake.duckdb_extension'")
    con.execute(f"LOAD '{ext}/sqlite_scanner.duckdb_extension'")
    con.execute(f"ATTACH 'ducklake:sqlite:{catalog}' AS lake (DATA_PATH '{data}/')")
    con.execute(
        "CREATE TABLE lake.articles (article_id VARCHAR, doc_id VARCHAR, url VARCHAR, "
        "source_id VARCHAR, title VARCHAR, published_at TIMESTAMPTZ, body VARCHAR, "
        "word_count BIGINT)"
    )
    started = time.perf_counter()
    con.execute(
        "INSERT INTO lake.articles SELECT md5(i::VARCHAR), sha256(i::VARCHAR), "
        "'https://news.example/' || i, 'Source ' || (i % 50), 'Title ' || i, "
        "TIMESTAMPTZ '2024-01-01' + to_seconds(i * 60), repeat('word' || (i % 97) || ' ', 500), "
        f"500 FROM range({n}) AS t(i)"
    )
    fill_s = time.perf_counter() - started

    def commit(first: int) -> str:
        started = time.perf_counter()
        try:
            con.execute("BEGIN")
            con.execute(
                "INSERT INTO lake.articles SELECT * FROM (SELECT md5(i::VARCHAR) AS article_id, "
                "sha256(i::VARCHAR), 'https://news.example/' || i, 'Source 1', 'T', now(), "
                f"repeat('w ', 500), 500 FROM range({first}, {first + BATCH}) AS t(i)) AS b "
                "WHERE b.article_id NOT IN (SELECT article_id FROM lake.articles)"
            )
            con.execute("COMMIT")
        except duckdb.Error as exc:
            with contextlib.suppress(duckdb.Error):  # a failed COMMIT has ended it already
                con.execute("ROLLBACK")
            return f"failed after {time.perf_counter() - started:.1f} s: {str(exc)[-60:]}"
        return f"{time.perf_counter() - started:.2f} s"

    alone = [commit(n + run * BATCH) for run in range(2)]
    reader = subprocess.Popen(
        [sys.executable, "-c", _READER.format(ext=ext, catalog=catalog, data=f"{data}/")],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        seen = int(reader.stdout.readline())  # type: ignore[union-attr]
        with_reader = [commit(n + (2 + run) * BATCH) for run in range(2)]
    finally:
        reader.kill()
        reader.wait()
    return {
        "fill_s": round(fill_s, 1),
        "reader_saw": seen,
        "run_commit_with_reader": with_reader,
        "run_commit_alone": alone,
        "data_mb": round(sum(p.stat().st_size for p in data.rglob("*") if p.is_file()) / 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--ducklake-ext", type=Path)
    parser.add_argument("--only", choices=["copy", "ducklake"])
    parser.add_argument(
        "--raw-in-table", action="store_true", help="raw pages inside the warehouse (pre-0050)"
    )
    args = parser.parse_args()
    results: dict[str, dict[str, object]] = {}
    for n in args.sizes:
        if args.only != "ducklake":
            with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
                results[f"read_copy_{n}"] = read_copy(n, Path(tmp), raw_in_table=args.raw_in_table)
                print(json.dumps({f"read_copy_{n}": results[f"read_copy_{n}"]}), flush=True)
        if args.ducklake_ext and args.only != "copy":
            for wal in (False, True):
                key = f"ducklake_{n}" + ("_wal" if wal else "")
                with tempfile.TemporaryDirectory(prefix="newsdesk-bench-") as tmp:
                    results[key] = ducklake(n, Path(tmp), args.ducklake_ext, wal=wal)
                print(json.dumps({key: results[key]}), flush=True)


if __name__ == "__main__":
    main()
