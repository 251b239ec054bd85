"""Score the text-dump cleaner and extractor on the dev set, next to the baselines.

usage:
  python -m bench.eval_text TEXT_DIR [--set segments|dates] [--out DIR] [--trafilatura]
      TEXT_DIR: a folder of <id>.txt renders, e.g. ../shared/devset/segments/text-w3m or
      .cache/renders/inscriptis/segments
  --trafilatura  also time and score bare trafilatura.extract on the same pages' HTML

Writes <out>/<name>.jsonl predictions ({id, body, title, published}; body = standfirst + body,
the article text the segments set annotates: bench.eval.article_text) and prints the scorer's
headline for newsdesk, for the all-text baseline (whole dump as body) and, if asked, for
trafilatura; plus documents per second of each, measured in this one process.
The core, score_predictions(), takes any predictions, so the CLI's output can be scored too.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

from bench.eval import article_text
from newsdesk.core.registry import Registry
from tasks.clean.text_dump import clean_text_dump
from tasks.extract.text_dump import extract_text_dump
from tasks.page.fields import PageContext

DEVSET = Path(__file__).resolve().parents[2] / "shared" / "devset"
_RESULT = re.compile(r"^RESULT (\w+) (.*)$", re.M)


def score_predictions(
    predictions: Iterable[dict], set_name: str, out: Path, devset: Path = DEVSET
) -> dict[str, float]:
    """Write predictions as JSONL to `out` and return the scorer's headline figures."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as f:
        for row in predictions:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    done = subprocess.run(
        [sys.executable, str(devset / "score"), set_name, str(out)],
        capture_output=True,
        text=True,
        check=True,
    )
    found = _RESULT.findall(done.stdout)
    if not found:
        raise RuntimeError(f"scorer gave no RESULT line:\n{done.stdout}\n{done.stderr}")
    figures = {}
    for key, value in re.findall(r"(\w+)=\s*(\S+)", found[-1][1]):
        figures[key] = float("nan") if value == "n/a" else float(value)
    return figures


def predict_text(
    folder: Path, ctx: PageContext, ids: frozenset[str] | None = None
) -> tuple[list[dict], float]:
    """newsdesk's clean + extract over every dump in the folder (those of `ids` alone, when
    given); also the seconds it took."""
    rows = []
    pages = [p for p in sorted(folder.glob("*.txt")) if ids is None or p.stem in ids]
    texts = [(p.stem, p.read_text(encoding="utf-8")) for p in pages]
    started = time.perf_counter()
    for doc_id, text in texts:
        cleaned = clean_text_dump(text, ctx)
        body = cleaned.body.strip()
        fields = extract_text_dump(text, cleaned.hints, ctx, body)
        published = fields.published.isoformat() if fields.published else None
        kept = body if fields.body is None else fields.body
        found = {"standfirst": fields.standfirst, "body": kept}
        rows.append({"id": doc_id, "body": article_text(found), "title": fields.title,
                     "published": published})  # fmt: skip
    return rows, time.perf_counter() - started


def predict_all_text(folder: Path) -> list[dict]:
    """The floor: the whole dump as body, no title, no date."""
    return [
        {"id": p.stem, "body": p.read_text(encoding="utf-8")} for p in sorted(folder.glob("*.txt"))
    ]


def predict_trafilatura(html_dir: Path, ids: list[str]) -> tuple[list[dict], float]:
    """Bare trafilatura.extract (default settings) on the HTML bytes of the same pages."""
    import trafilatura

    pages = [(i, (html_dir / f"{i}.html").read_bytes()) for i in ids]
    started = time.perf_counter()
    rows = [{"id": i, "body": trafilatura.extract(data) or ""} for i, data in pages]
    return rows, time.perf_counter() - started


def _line(name: str, figures: dict[str, float], docs: int, seconds: float | None) -> str:
    shown = " ".join(f"{k}={v:.3f}" for k, v in figures.items())
    speed = f" docs/s={docs / seconds:.1f}" if seconds else ""
    return f"{name:<14} {shown}{speed}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("text_dir", type=Path)
    parser.add_argument("--set", dest="set_name", choices=["segments", "dates"], default=None)
    parser.add_argument("--out", type=Path, default=Path(".cache/eval"))
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--trafilatura", action="store_true")
    args = parser.parse_args(argv)
    set_name = args.set_name or ("dates" if "dates" in args.text_dir.parts else "segments")
    tag = "-".join(args.text_dir.parts[-2:])
    ctx = PageContext(registry=Registry(()))

    rows, seconds = predict_text(args.text_dir, ctx)
    ids = [row["id"] for row in rows]
    figures = score_predictions(rows, set_name, args.out / f"newsdesk-{tag}.jsonl", args.devset)
    print(_line("newsdesk", figures, len(rows), seconds))
    base = score_predictions(
        predict_all_text(args.text_dir), set_name, args.out / f"alltext-{tag}.jsonl", args.devset
    )
    print(_line("all-text", base, len(rows), None))
    if args.trafilatura:
        traf, traf_seconds = predict_trafilatura(args.devset / set_name / "html", ids)
        scored = score_predictions(traf, set_name, args.out / f"trafilatura-{set_name}.jsonl",
                                   args.devset)  # fmt: skip
        print(_line("trafilatura", scored, len(traf), traf_seconds))


if __name__ == "__main__":
    main()
