"""Precision and recall of copy and same_story links on the labelled pairs, and the cost of
the step (python -m bench.eval_stories [--explore]).

The corpus (bench/stories_corpus.py) is loaded into a fresh warehouse, indexed by the same
code a run uses (tasks/stories, warehouse/stories.py), and every candidate pair's score is
read back; a threshold is chosen on one half of the labelled pairs (split by outlet: the
half a pair's first article's outlet hashes to) and judged on the other.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from bench.stories_corpus import ROOT, corpus, load_articles
from tasks.stories.index import LSH_THRESHOLD
from tasks.stories.signatures import LshParams, bands, signatures
from tasks.stories.stage import StoryParams, score_copies
from tasks.stories.terms import terms
from warehouse import stories as wh

PAIRS = ROOT / "bench" / "stories_pairs.json"
RUN_ID = "0000000001.000000"


def candidates(db: Path, params: StoryParams, run_id: str = RUN_ID):
    ids = wh.articles_to_index(db, run_id)
    todo = wh.article_texts(db, ids)
    t0 = time.perf_counter()
    sigs = signatures(todo)
    t1 = time.perf_counter()
    bnds = bands(sigs, LshParams.for_threshold(LSH_THRESHOLD))
    trms = terms(todo)
    t2 = time.perf_counter()
    wh.save_features(db, run_id, indexed=ids, signatures=sigs, bands=bnds, terms=trms)
    t3 = time.perf_counter()
    copies = score_copies(wh.copy_candidates(db, ids))
    t4 = time.perf_counter()
    story = wh.story_candidates(
        db, ids, window_days=params.window_days, title_weight=params.title_weight
    )
    t5 = time.perf_counter()
    timing = {
        "articles": todo.height,
        "minhash_s": t1 - t0,
        "bands_terms_s": t2 - t1,
        "save_s": t3 - t2,
        "copy_candidates_s": t4 - t3,
        "story_candidates_s": t5 - t4,
    }
    return copies, story, timing


def _pr(predicted: set, positives: set) -> dict:
    tp = len(predicted & positives)
    return {
        "predicted": len(predicted),
        "positives": len(positives),
        "tp": tp,
        "precision": round(tp / len(predicted), 3) if predicted else None,
        "recall": round(tp / len(positives), 3) if positives else None,
    }


def _half(pair: tuple[str, str], outlet: dict[str, str]) -> int:
    """Which half a pair is in: by its first article's outlet (site), so a site is in one."""
    return hashlib.sha1(outlet[pair[0]].encode()).digest()[0] % 2


def _pairs(ids: list[str]) -> set[tuple[str, str]]:
    return {(a, b) for a, b in itertools.combinations(sorted(ids), 2)}


def evaluate(frame: pl.DataFrame, copies: pl.DataFrame, story: pl.DataFrame) -> dict:
    params = StoryParams()
    outlet = dict(frame.select("article_id", "source_id").iter_rows())
    labels = json.loads(PAIRS.read_text(encoding="utf-8"))
    # copy: every pair of articles from one page
    copy_pos: set[tuple[str, str]] = set()
    for ids in frame.group_by("page").agg("article_id")["article_id"]:
        copy_pos |= _pairs(list(ids))
    scored = {
        (a, b): s for a, b, s in copies.select("article_id", "other_id", "similarity").iter_rows()
    }
    # same_story: one article per page (its HTML extraction, or the sample/seed itself)
    one = (
        frame.filter(~pl.col("article_id").str.ends_with(":w3m"))
        .sort("article_id")
        .unique("page", keep="first")
    )
    keep = set(one["article_id"])
    story_pos: set[tuple[str, str]] = set()
    for group in labels["same_story"]:
        story_pos |= _pairs(group["articles"])
    assert story_pos <= _pairs(sorted(keep)), "a labelled article is not in the corpus"
    story = story.filter(pl.col("article_id").is_in(keep) & pl.col("other_id").is_in(keep))
    report: dict = {"copy": {}, "same_story": {}}
    for half in (0, 1):
        pos = {p for p in copy_pos if _half(p, outlet) == half}
        for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8):
            pred = {p for p, s in scored.items() if s >= t and _half(p, outlet) == half}
            report["copy"][f"half{half}@{t}"] = _pr(pred, pos)
        pos = {p for p in story_pos if _half(p, outlet) == half}
        for metric in ("overlap", "cosine"):
            for t in (0.2, 0.25, 0.3, 0.35, 0.4, 0.5, 0.6):
                pred = {
                    (a, b)
                    for a, b, s, n in story.select(
                        "article_id", "other_id", metric, "shared_terms"
                    ).iter_rows()
                    if s >= t
                    and n >= params.min_shared_terms
                    and scored.get((a, b), 0) < params.copy_threshold
                    and _half((a, b), outlet) == half
                }
                report["same_story"][f"{metric}:half{half}@{t}"] = _pr(pred, pos)
    return report


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--window", type=float, default=StoryParams().window_days)
    args = parser.parse_args()
    frame = corpus()
    params = StoryParams(window_days=args.window)
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "eval.duckdb"
        load_articles(db, frame, RUN_ID, "eval")
        copies, story, timing = candidates(db, params)
    print(json.dumps(timing), file=sys.stderr)
    out = {"timing": timing, **evaluate(frame, copies, story)}
    target = ROOT / ".cache" / "stories" / "eval.json"
    target.write_text(json.dumps(out, indent=1))
    for kind in ("copy", "same_story"):
        for key, row in out[kind].items():
            print(kind, key, row)


if __name__ == "__main__":
    main()
