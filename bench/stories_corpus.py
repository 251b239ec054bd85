"""The corpus behind the labelled story pairs (bench/stories_pairs.jsonl).

Articles: every dev-set page (segments/, dates/) as newsdesk extracts it from its HTML and,
separately, from its w3m text dump, plus the two seeds and the sample pages. The extraction
is cached: `newsdesk extract ../shared/devset/segments/html ../shared/devset/dates/html
../shared/devset/segments/text-w3m ../shared/devset/dates/text-w3m --format jsonl --no-gates
> .cache/stories/devset_extract.jsonl` (about 3 minutes).
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

ROOT = Path(__file__).resolve().parent.parent
DEVSET = ROOT.parent / "shared" / "devset"
CACHE = ROOT / ".cache" / "stories"
EXTRACT = CACHE / "devset_extract.jsonl"
SEED_DATE = "2022-10-18T12:00:00+00:00"  # 000 shows no date; the event's next day


def _extract(paths: list[Path], out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as fh:
        subprocess.run(
            [
                str(ROOT / ".venv/bin/newsdesk"),
                "extract",
                *map(str, paths),
                "--format",
                "jsonl",
                "--no-gates",
            ],
            stdout=fh,
            check=True,
        )


def _article_id(path: str) -> str:
    p = Path(path)
    stem = p.name.split(".")[0]
    if "devset" in p.parts:
        kind = "html" if p.parent.name == "html" else "w3m"
        return f"{stem}:{kind}"
    return f"{p.parent.name}/{stem}"


def _outlet(rec: dict, aid: str) -> str:
    """The registry source, else the URL's host, else the file (each its own outlet)."""
    if rec.get("source"):
        return rec["source"]
    url = rec.get("url") or ""
    return url.split("/")[2] if url.count("/") >= 2 else aid


def corpus() -> pl.DataFrame:
    """article_id, source_id, title, body, published_at of every article of the corpus."""
    if not EXTRACT.exists():
        _extract(
            [DEVSET / s / k for s in ("segments", "dates") for k in ("html", "text-w3m")],
            EXTRACT,
        )
    extra = CACHE / "samples_extract.jsonl"
    if not extra.exists():
        _extract([ROOT / "samples"], extra)
    rows = []
    for path in (EXTRACT, extra):
        for line in path.read_text(encoding="utf-8").split("\n"):
            if not line.strip():
                continue
            rec = json.loads(line)
            aid = _article_id(rec["path"])
            published = rec.get("published")
            if aid == "text/000_aead3fb2f9192cb0":
                published = published or SEED_DATE
            rows.append(
                {
                    "article_id": aid,
                    "source_id": _outlet(rec, aid),
                    "url": rec.get("url"),
                    "title": rec.get("title"),
                    "body": rec.get("body") or "",
                    "published_at": datetime.fromisoformat(published).astimezone(UTC)
                    if published
                    else None,
                }
            )
    frame = pl.DataFrame(rows)
    # The dev set's own record of each page's URL (extraction misses some).
    truth = {
        rec["id"]: rec["url"]
        for part in ("segments", "dates")
        for line in (DEVSET / part / "truth.jsonl").read_text(encoding="utf-8").split("\n")
        if line.strip() and (rec := json.loads(line)).get("url")
    }
    frame = frame.with_columns(
        url=pl.coalesce(
            pl.col("article_id").str.split(":").list.first().replace_strict(truth, default=None),
            "url",
        )
    )
    # The page an article comes from: its URL, else (a text dump) its HTML twin's URL.
    stem = pl.col("article_id").str.split(":").list.first()
    twin = frame.filter(pl.col("url").is_not_null()).select(stem.alias("stem"), "url")
    frame = (
        frame.with_columns(stem=stem)
        .join(twin.unique("stem"), on="stem", how="left", suffix="_twin")
        .with_columns(
            page=pl.coalesce("url", "url_twin", "stem")
            .str.replace(r"^https?://(www\.)?", "")
            .str.replace(r"[?#].*$", "")
            .str.strip_chars_end("/")
            .str.to_lowercase()
        )
        .drop("stem", "url_twin")
    )
    # The twin's outlet too, so that a page's dump counts as the same outlet.
    outlet = frame.filter(pl.col("url").is_not_null()).unique("page").select("page", "source_id")
    return (
        frame.join(outlet, on="page", how="left", suffix="_page")
        .with_columns(source_id=pl.coalesce("source_id_page", "source_id"))
        .drop("source_id_page")
    )


if __name__ == "__main__":
    frame = corpus()
    print(frame.height, "articles", file=sys.stderr)


def load_articles(db: Path, frame: pl.DataFrame, run_id: str, command: str) -> None:
    """Articles (article_id, source_id, title, body, published_at) into a warehouse, migrated
    first, under a new run: what the stories step and the search index then read."""
    from warehouse.connection import open_write
    from warehouse.migrate import apply

    with open_write(db) as con:
        apply(con)
        con.execute("INSERT INTO runs (run_id, command) VALUES (?, ?)", [run_id, command])
        con.register("batch", frame.to_arrow())
        con.execute(
            """
            INSERT INTO articles (article_id, doc_id, source_id, title, body, published_at,
                                  first_run_id, last_run_id)
            SELECT article_id, article_id, source_id, title, body, published_at, $run, $run
            FROM batch
            """,
            {"run": run_id},
        )
