"""What a load holds as the warehouse grows: `load_batch` K times into a fresh warehouse, each
batch B synthetic pages (a tenth of them quarantined), without a flow, workers or Prefect.

    .venv/bin/python -m bench.bench_load_memory --loads 100
    .venv/bin/python -m bench.bench_load_memory --loads 100 --old-blocks  # DuckDB's 256 KB

Every tenth load prints the process's resident size before it and its peak during it
(VmRSS sampled every 5 ms, glibc trimmed before each load as the run does), the load's CPU,
the table blocks a read of two columns holds afterwards (as a batch's look-ups read:
warehouse/load.py loaded_doc_ids) and the file's size. `--old-blocks` makes the file with
DuckDB's own block size first, as newsdesk did before (warehouse/connection.py BLOCK_SIZE).
A few minutes for 100 loads; nothing to do with the pipeline's speed.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.contracts.frames import DQ_SCHEMA
from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA
from newsdesk.core.memory import limit_arenas, release_freed, resident_mb
from warehouse.connection import open_read
from warehouse.load import load_batch, start_run
from warehouse.migrate import migrate

WORDS = [f"w{i}" for i in range(5000)]


def _batch(run: str, first: int, size: int, rnd: random.Random) -> dict[str, pl.DataFrame]:
    now = datetime.now(UTC)
    raws, articles, rejects = [], [], []
    for n in range(first, first + size):
        body = f"Page {n}. " + " ".join(rnd.choice(WORDS) for _ in range(500))
        content = body.encode()
        doc_id = hashlib.sha256(content).hexdigest()
        uri = f"https://example.com/news/{n}"
        raws.append(
            {"doc_id": doc_id, "run_id": run, "uri": uri, "url": uri, "fetched_at": now,
             "media_type": "text/html", "encoding": "utf-8", "size_bytes": len(content),
             "content": content, "text": body}
        )  # fmt: skip
        if n % 10 == 0:
            rejects.append(
                {"doc_id": doc_id, "run_id": run, "uri": uri, "stage": "extract",
                 "expectation": "has_body", "reason": "no_body", "observed": "null"}
            )  # fmt: skip
        else:
            articles.append(
                {"article_id": f"a{n:09d}", "doc_id": doc_id, "run_id": run, "uri": uri,
                 "url": uri, "source_id": "Example News", "title": f"Title {n}",
                 "authors": ["Ann Writer"], "tags": ["world"], "body": body,
                 "word_count": 501, "parser_version": "bench", "fetched_at": now}
            )  # fmt: skip
    return {
        "raw": pl.DataFrame(raws, schema=RAW_SCHEMA),
        "articles": pl.DataFrame(articles, schema=ARTICLE_SCHEMA),
        "rejects": pl.DataFrame(rejects, schema=REJECT_SCHEMA),
        "dq": pl.DataFrame([], schema=DQ_SCHEMA),
    }


def _held_by_a_read(db: Path) -> float:
    with open_read(db) as con:
        con.execute("SELECT count(DISTINCT doc_id) FROM raw_documents").fetchall()
        con.execute("SELECT count(DISTINCT body_sha) FROM articles").fetchall()
        (held,) = con.execute(
            "SELECT memory_usage_bytes FROM duckdb_memory() WHERE tag = 'BASE_TABLE'"
        ).fetchone()
    return held / 1e6


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--loads", type=int, default=100)
    parser.add_argument("--pages", type=int, default=200, help="pages a load")
    parser.add_argument("--old-blocks", action="store_true")
    args = parser.parse_args(argv)
    limit_arenas()
    peak = {"mb": 0.0, "on": False}

    def sample() -> None:
        while True:
            if peak["on"]:
                peak["mb"] = max(peak["mb"], resident_mb()[0])
            time.sleep(0.005)

    threading.Thread(target=sample, daemon=True).start()
    rnd = random.Random(14)
    with tempfile.TemporaryDirectory(prefix="newsdesk-loadmem-") as tmp:
        db = Path(tmp) / "warehouse.duckdb"
        if args.old_blocks:
            duckdb.connect(str(db)).close()
        migrate(db)
        run = start_run(db, command="bench")
        for k in range(args.loads):
            frames = _batch(run, k * args.pages, args.pages, rnd)
            release_freed()
            before = resident_mb()[0]
            peak["mb"], peak["on"] = before, True
            cpu = time.process_time()
            load_batch(db, run_id=run, **frames)
            peak["on"] = False
            cpu = time.process_time() - cpu
            if k % 10 == 9 or k == 0:
                print(
                    f"load {k + 1:4d}: resident {before:5.0f} MB, peak in the load "
                    f"{peak['mb']:5.0f} MB (+{peak['mb'] - before:4.0f}), CPU {cpu:.2f} s; "
                    f"a read holds {_held_by_a_read(db):5.1f} MB; "
                    f"file {db.stat().st_size / 1e6:5.0f} MB",
                    flush=True,
                )


if __name__ == "__main__":
    main()
