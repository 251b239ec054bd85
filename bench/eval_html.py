"""Score newsdesk's HTML clean+extract against bare trafilatura and htmldate, in one run.

    .venv/bin/python -m bench.eval_html                    # both sets, every extractor
    .venv/bin/python -m bench.eval_html --set dates --limit 100
    .venv/bin/python -m bench.eval_html --out /tmp/eval    # keep the prediction files

Every extractor sees the same decoded page, one document after the other (interleaved, in a
rotating order, so a busy machine slows them all alike), and never the page's URL: many URLs
carry the date. The report ends with the speed ratio per set (newsdesk docs/s ÷ trafilatura
docs/s) and the one-time per-process warm-up, which no docs/s includes.
Scoring is the dev set's own `score` script. `evaluate()` is the core, so a CLI can call it
with another `newsdesk` extractor in place of `newsdesk_html`.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

DEVSET = Path(__file__).resolve().parents[2] / "shared" / "devset"
WARM_UP = 10  # pages per set each extractor sees untimed before the timed run

# An extractor maps a decoded page to a prediction: {"body": …, "title": …, "published": …}.
Extractor = Callable[[str], dict]

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w:.-]+)""", re.I)


def decode(data: bytes) -> str:
    """The dev set's rule: valid UTF-8, else the charset a <meta> tag declares, else cp1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    match = _META_CHARSET.search(data[:4096])
    if match:
        try:
            return data.decode(match.group(1).decode("ascii"))
        except (LookupError, UnicodeDecodeError):
            pass
    return data.decode("windows-1252", errors="replace")


def pages(kind: str, limit: int | None = None) -> Iterator[tuple[str, str]]:
    """(id, decoded html) for the dev set `kind` ("segments" or "dates"), in id order."""
    paths = sorted((DEVSET / kind / "html").glob("*.html"))
    for path in paths[:limit]:
        yield path.stem, decode(path.read_bytes())


def newsdesk_html() -> Extractor:
    """newsdesk's clean + extract, with an empty registry and no URL."""
    from bench.eval import article_text
    from newsdesk.core.registry import Registry
    from tasks.extract.html import extract_html
    from tasks.page.fields import PageContext
    from tasks.page.html import clean_html

    ctx = PageContext(registry=Registry(()))

    def run(html: str) -> dict:
        cleaned = clean_html(html, ctx)
        fields = extract_html(html, cleaned.hints, ctx)
        published = fields.published.isoformat() if fields.published else None
        return {
            # the segments set's article text: standfirst + body (bench.eval.article_text)
            "body": article_text(
                {"standfirst": fields.standfirst, "body": fields.body or cleaned.body}
            ),
            "title": fields.title,
            "published": published,
            "method": fields.published_method,
        }

    return run


def trafilatura_body() -> Extractor:
    import trafilatura

    return lambda html: {"body": trafilatura.extract(html) or ""}


def trafilatura_metadata() -> Extractor:
    from trafilatura import extract_metadata

    def run(html: str) -> dict:
        meta = extract_metadata(html)
        return {"title": meta.title, "published": meta.date}

    return run


def htmldate_default() -> Extractor:
    from htmldate import find_date

    return lambda html: {"published": find_date(html)}


EXTRACTORS: dict[str, Callable[[], Extractor]] = {
    "newsdesk": newsdesk_html,
    "trafilatura": trafilatura_body,
    "trafilatura-meta": trafilatura_metadata,
    "htmldate": htmldate_default,
}
# What each extractor is scored on: a body extractor on segments, a date finder on dates.
SCORED_ON = {
    "newsdesk": ("segments", "dates"),
    "trafilatura": ("segments", "dates"),  # on dates: the speed reference only
    "trafilatura-meta": ("segments", "dates"),
    "htmldate": ("dates",),
}


@dataclass
class Run:
    """One extractor on one set: predictions, time spent, and the scorer's summary."""

    name: str
    kind: str
    predictions: list[dict] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    score: dict = field(default_factory=dict)

    @property
    def docs_per_second(self) -> float:
        return len(self.predictions) / self.seconds if self.seconds else float("nan")


def score(kind: str, predictions: list[dict], workdir: Path, name: str) -> dict:
    """Run the dev set's scorer on the predictions; returns its JSON summary."""
    preds = workdir / f"{kind}-{name}.jsonl"
    with preds.open("w", encoding="utf-8") as out:
        for row in predictions:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    summary = workdir / f"{kind}-{name}.score.json"
    subprocess.run(
        [sys.executable, str(DEVSET / "score"), kind, str(preds), "--json", str(summary)],
        check=True,
        capture_output=True,
    )
    return json.loads(summary.read_text(encoding="utf-8"))


def evaluate(
    kinds: tuple[str, ...],
    names: tuple[str, ...],
    workdir: Path,
    limit: int | None = None,
    extractors: dict[str, Callable[[], Extractor]] = EXTRACTORS,
) -> list[Run]:
    """Every named extractor on every page of each set, interleaved per page; scored."""
    built = {name: extractors[name]() for name in names}
    warm_up()  # a no-op when the caller already paid it
    runs: list[Run] = []
    for kind in kinds:
        active = [name for name in names if kind in SCORED_ON.get(name, (kind,))]
        by_name = {name: Run(name, kind) for name in active}
        # untimed warm-up: imports and first-call caches would otherwise be charged to
        # whoever runs first
        for _, html in pages(kind, WARM_UP):
            for name in active:
                with contextlib.suppress(Exception):
                    built[name](html)
        for index, (doc_id, html) in enumerate(pages(kind, limit)):
            # rotate who goes first, so caches warmed by the previous run favour no one
            shift = index % len(active)
            for name in active[shift:] + active[:shift]:
                run = by_name[name]
                start = time.perf_counter()
                try:
                    prediction = built[name](html)
                except Exception as exc:  # a crash scores as an empty prediction
                    run.errors += 1
                    prediction = {"error": repr(exc)}
                run.seconds += time.perf_counter() - start
                run.predictions.append({"id": doc_id, **prediction})
        for run in by_name.values():
            run.score = score(kind, run.predictions, workdir, run.name)
            runs.append(run)
    return runs


def warm_up() -> float:
    """A per-process start-up cost kept out of every docs/s: dateparser (htmldate's
    extensive search, in the htmldate baseline) compiles every locale's patterns on first
    use; a string no locale knows makes it try them all now. Returns seconds."""
    from htmldate.extractors import get_external_parser

    start = time.perf_counter()
    get_external_parser().get_date_data("1 qqqq 2020")
    return time.perf_counter() - start


def ratios(runs: list[Run], reference: str = "trafilatura") -> dict[str, float]:
    """newsdesk docs/s ÷ the reference's docs/s, per set (same process, interleaved pages)."""
    speed = {(run.kind, run.name): run.docs_per_second for run in runs}
    return {
        kind: speed[kind, "newsdesk"] / speed[kind, reference]
        for kind, name in speed
        if name == "newsdesk" and (kind, reference) in speed
    }


def report(runs: list[Run]) -> str:
    lines = [
        f"{'set':<9} {'extractor':<17} {'F1':>6} {'P':>6} {'R':>6} {'date acc':>8} "
        f"{'title':>6} {'docs/s':>7} {'errors':>6}"
    ]
    for run in runs:
        s = run.score
        if run.kind == "dates" and not any("published" in p for p in run.predictions):
            f1 = p = r = title = date = "-"
        elif run.kind == "segments":
            body = "body" in (run.predictions[0] if run.predictions else {})
            f1, p, r = (
                (f"{s['f1']:.3f}", f"{s['precision']:.3f}", f"{s['recall']:.3f}")
                if body
                else ("-", "-", "-")
            )
            date = f"{s['meta_date']['accuracy']:.3f}" if "meta_date" in s else "-"
            title = f"{s['title_exact']:.3f}" if "title_exact" in s else "-"
        else:
            f1 = p = r = title = "-"
            date = f"{s['accuracy']:.3f}"
        lines.append(
            f"{run.kind:<9} {run.name:<17} {f1:>6} {p:>6} {r:>6} {date:>8} {title:>6} "
            f"{run.docs_per_second:>7.1f} {run.errors:>6}"
        )
    for kind, ratio in ratios(runs).items():
        lines.append(f"speed ratio {kind}: newsdesk / trafilatura docs/s = {ratio:.2f}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--set", choices=["segments", "dates", "both"], default="both")
    parser.add_argument("--only", nargs="+", choices=list(EXTRACTORS), default=list(EXTRACTORS))
    parser.add_argument("--limit", type=int, help="first N pages of each set")
    parser.add_argument("--out", type=Path, help="keep predictions and scores here")
    args = parser.parse_args(argv)
    kinds = ("segments", "dates") if args.set == "both" else (args.set,)
    with tempfile.TemporaryDirectory() as tmp:
        workdir = args.out or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        warm = warm_up()
        runs = evaluate(kinds, tuple(args.only), workdir, args.limit)
    print(report(runs))
    print(f"one-time warm-up per process (not in docs/s): {warm:.1f} s")


if __name__ == "__main__":
    main()
