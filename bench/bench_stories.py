"""Cost of the copies/stories step and of the search index, per 1,000 new articles, on a
warehouse of 10,000 articles and (simulated) 100,000 (python -m bench.bench_stories).

Articles are synthetic but made of real text: each takes a dev-set title and 6-10 random
paragraphs of the dev-set pages (bench/stories_corpus.py), a date in one year and one of
200 outlets. At 10,000 everything is real: the first run hashes and indexes all of them,
then a run of 1,000 new articles is timed. 100,000 is simulated by copying the 10,000
articles' stored features ten times under new ids (dates spread over ten years, LSH buckets
salted per copy so the copies are not each other's candidates, search postings copied with
their statistics recomputed) and timing the same run of 1,000 new articles on top.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl

from bench.stories_corpus import ROOT, corpus, load_articles
from tasks.stories.index import index_run
from tasks.stories.stage import StoryParams
from warehouse import search
from warehouse.connection import open_write

START = datetime(2024, 1, 1, tzinfo=UTC)


def synthetic(n: int, seed: int, prefix: str, days: int = 365) -> pl.DataFrame:
    base = corpus().filter(~pl.col("article_id").str.ends_with(":w3m"))
    paragraphs = [p for body in base["body"] for p in body.split("\n") if len(p.split()) >= 12]
    titles = [t for t in base["title"] if t]
    rng = random.Random(seed)
    return pl.DataFrame(
        {
            "article_id": [f"{prefix}{i:07d}" for i in range(n)],
            "source_id": [f"outlet{rng.randrange(200):03d}" for _ in range(n)],
            "title": [rng.choice(titles) for _ in range(n)],
            "body": ["\n\n".join(rng.sample(paragraphs, rng.randint(6, 10))) for _ in range(n)],
            "published_at": [
                START + timedelta(seconds=rng.randrange(days * 86400)) for _ in range(n)
            ],
        }
    )


def timed_run(db: Path, frame: pl.DataFrame, run_id: str) -> dict:
    load_articles(db, frame, run_id, "bench")
    t0 = time.perf_counter()
    stories = index_run(db, run_id, StoryParams())
    t1 = time.perf_counter()
    index = search.refresh_index(db, run_id)
    t2 = time.perf_counter()
    return {
        "articles": frame.height,
        "stories_s": round(t1 - t0, 2),
        "search_index_s": round(t2 - t1, 2),
        "search_mode": index["mode"],
        "links": stories.copies + stories.same_story,
        "stories_steps_s": stories.seconds,
    }


def replicate(db: Path, copies: int) -> None:
    """Simulate copies x the warehouse: every stored row again under new ids."""
    s = search.SCHEMA
    with open_write(db) as con:
        con.begin()
        con.execute("CREATE TEMP TABLE r AS SELECT range AS k FROM range(1, ?)", [copies])
        con.execute(
            """
            INSERT INTO articles (article_id, doc_id, source_id, title, body, published_at,
                                  first_run_id, last_run_id)
            SELECT 'r' || k || '-' || article_id, doc_id, source_id, title, body,
                   published_at + k * INTERVAL 365 DAY, first_run_id, last_run_id
            FROM articles, r
            """
        )
        con.execute(
            """
            INSERT INTO article_signatures
            SELECT 'r' || k || '-' || article_id, body_sha, minhash, shingles, run_id
            FROM article_signatures, r;
            INSERT INTO article_bands
            SELECT 'r' || k || '-' || article_id, band, hash(bucket, k)::UBIGINT
            FROM article_bands, r;
            INSERT INTO article_terms
            SELECT 'r' || k || '-' || article_id, term, in_title FROM article_terms, r;
            """
        )
        (top,) = con.execute(f"SELECT max(docid) + 1 FROM {s}.docs").fetchone()
        for sql in (
            f"INSERT INTO {s}.terms (docid, fieldid, termid) "
            f"SELECT docid + k * {top}, fieldid, termid FROM {s}.terms, r",
            f"INSERT INTO {s}.docs (docid, name, len) "
            f"SELECT docid + k * {top}, 'r' || k || '-' || name, len FROM {s}.docs, r",
            f"UPDATE {s}.dict SET df = df * {int(copies)}",
            f"DELETE FROM {s}.stats",
            f"INSERT INTO {s}.stats SELECT count(docid), sum(len) / count(len) FROM {s}.docs",
        ):
            con.execute(sql)
        con.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--copies", type=int, default=10)
    parser.add_argument("--reuse", type=Path, help="a warehouse the bench left: time one more run")
    parser.add_argument("--keep", type=Path, help="copy the simulated warehouse here")
    args = parser.parse_args()
    out: dict = {}
    if args.reuse:
        seed = random.randrange(10**6)
        row = timed_run(args.reuse, synthetic(args.new, seed, f"x{seed}-"), f"{seed:010d}.000000")
        print(json.dumps(row, indent=1))
        return
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        out["first_run_all"] = timed_run(db, synthetic(args.base, 1, "a"), "0000000001.000000")
        out["new_at_base"] = timed_run(db, synthetic(args.new, 2, "b"), "0000000002.000000")
        t0 = time.perf_counter()
        replicate(db, args.copies)
        out["replicate_s"] = round(time.perf_counter() - t0, 1)
        out["new_at_simulated"] = timed_run(db, synthetic(args.new, 3, "c"), "0000000003.000000")
        out["warehouse_articles"] = (args.base + args.new) * args.copies + args.new
        if args.keep:
            shutil.copy(db, args.keep)
    for key in ("first_run_all", "new_at_base", "new_at_simulated"):
        row = out[key]
        per = 1000 / row["articles"]
        row["stories_s_per_1000"] = round(row["stories_s"] * per, 2)
        row["search_s_per_1000"] = round(row["search_index_s"] * per, 2)
    target = ROOT / ".cache" / "stories" / "bench.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(out, indent=1, default=str))
    print(json.dumps(out, indent=1, default=str))


if __name__ == "__main__":
    main()
