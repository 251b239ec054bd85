"""Bulk load rate of warehouse.load.load_batch on a fresh DuckDB file.

    .venv/bin/python bench/bench_load.py --articles 10000 --body-bytes 3000 --batch-size 1000

Three passes over the same pages: new (inserts), again (all duplicates), changed (all updates).
Frames are built before timing; the time is load_batch's (prepare + lock + write + close).
"""

from __future__ import annotations

import argparse
import hashlib
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.contracts.frames import DQ_SCHEMA
from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA
from warehouse.load import load_batch, start_run

WORDS = ["the", "of", "minister", "said", "on", "in", "city", "talks", "report", "police"]


def _pages(n: int, body_bytes: int, version: int, run_id: str, seed: int) -> tuple:
    rng = random.Random(seed)
    now = datetime(2025, 3, 1, tzinfo=UTC)
    raws, articles = [], []
    for i in range(n):
        words: list[str] = []
        size = 0
        while size < body_bytes:
            words.append(rng.choice(WORDS))
            size += len(words[-1]) + 1
        body = f"Story {i} v{version}. " + " ".join(words)
        content = f"<html><body><article><p>{body}</p></article></body></html>".encode()
        doc_id = hashlib.sha256(content).hexdigest()
        url = f"https://example.com/news/{i}"
        raws.append(
            {
                "doc_id": doc_id,
                "run_id": run_id,
                "uri": url,
                "url": url,
                "fetched_at": now,
                "media_type": "text/html",
                "encoding": "utf-8",
                "size_bytes": len(content),
                "content": content,
                "text": None,
                "source_hint": None,
                "title_hint": None,
                "published_hint": None,
                "ingest_ms": 0.1,
            }
        )
        articles.append(
            {
                "article_id": f"a{i}",
                "doc_id": doc_id,
                "run_id": run_id,
                "uri": url,
                "url": url,
                "source_id": "Example",
                "site_name": "Example",
                "title": f"Story {i}",
                "authors": ["A. Writer"],
                "published_at": now - timedelta(hours=i % 500),
                "published_local": None,
                "published_raw": None,
                "published_tz": "UTC",
                "published_method": "meta",
                "modified_at": None,
                "section": "news",
                "tags": ["x", "y"],
                "language": "en",
                "description": None,
                "image_url": None,
                "body": body,
                "word_count": len(words) + 3,
                "extraction_method": "trafilatura",
                "parser_version": "bench",
                "fetched_at": now,
                "clean_ms": 1.0,
                "extract_ms": 2.0,
            }
        )
    return pl.DataFrame(raws, schema=RAW_SCHEMA), pl.DataFrame(articles, schema=ARTICLE_SCHEMA)


def _pass(db: Path, name: str, raw: pl.DataFrame, articles: pl.DataFrame, batch: int) -> None:
    run_id = start_run(db, command=f"bench-{name}")
    empty_rejects, empty_dq = pl.DataFrame(schema=REJECT_SCHEMA), pl.DataFrame(schema=DQ_SCHEMA)
    totals: dict[str, int] = {}
    started = time.perf_counter()
    for offset in range(0, articles.height, batch):
        result = load_batch(
            db,
            run_id=run_id,
            raw=raw.slice(offset, batch),
            articles=articles.slice(offset, batch),
            rejects=empty_rejects,
            dq=empty_dq,
        )
        for key in ("loaded", "updated", "duplicates"):
            totals[key] = totals.get(key, 0) + getattr(result, key)
    seconds = time.perf_counter() - started
    print(
        f"{name:8s} {articles.height:6d} articles in {seconds:6.2f} s = "
        f"{articles.height / seconds:8.0f} articles/s  {totals}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--body-bytes", type=int, default=3_000)
    parser.add_argument("--batch-size", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        raw, articles = _pages(args.articles, args.body_bytes, 1, "bench", seed=1)
        changed_raw, changed = _pages(args.articles, args.body_bytes, 2, "bench", seed=2)
        _pass(db, "new", raw, articles, args.batch_size)
        _pass(db, "again", raw, articles, args.batch_size)
        _pass(db, "changed", changed_raw, changed, args.batch_size)
        print(f"file size {db.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    main()
