"""Fit the page-type models (tasks/page/page_type_model.json) on the TUNING half only:
one for HTML pages, one for text dumps (the dev set's w3m dumps of the same pages).

    .venv/bin/python -m bench.train_page_type        # writes the model, prints both halves

Examples: every page of modern/'s tuning half with its annotated type (article and blog =
article, every other type = not), and the tuning pages of segments/ and dates/ as articles
(they are news and blog pages), weighted down so that the 2026 pages of every kind decide.
A logistic regression by gradient descent with an L2 penalty over tasks.page.page_type's
features (what clean_html gathers from the page). The held-out half is scored only to report:
it never takes part in the fit.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

from bench import split as devset_split
from bench.eval import DEVSET, MODERN, PROJECT, ensure_modern
from bench.render import decode_html
from newsdesk.core.registry import Registry
from tasks.clean.text_dump import clean_text_dump
from tasks.extract.text_dump import extract_text_dump
from tasks.page.fields import PageContext
from tasks.page.html import clean_html
from tasks.page.page_type import MODEL_PATH, featurise

OLD_SET_WEIGHT = 0.3  # segments/ and dates/ pages: articles, but from another era and kind
L2 = 0.0001  # chosen by 5-fold cross-validation on the tuning half
STEPS = 3000
RATE = 0.5


CACHE = PROJECT / ".cache" / "page_signals.json"
_cache: dict[str, dict] = {}


def signals_of(path: Path, ctx: PageContext) -> dict:
    """The page's signals, cached by file name and size (clean_html is the slow part)."""
    if not _cache and CACHE.exists():
        _cache.update(json.loads(CACHE.read_text(encoding="utf-8")))
    key = f"{path.parent.parent.name}/{path.name}:{path.stat().st_size}"
    if key not in _cache:
        if path.suffix == ".txt":
            text = path.read_text(encoding="utf-8")
            cleaned = clean_text_dump(text, ctx)
            found = extract_text_dump(text, cleaned.hints, ctx, cleaned.body)
            _cache[key] = text_signals_of(text, cleaned, found)
        else:
            page = clean_html(decode_html(path.read_bytes()), ctx).hints.get("page") or {}
            _cache[key] = page
    return _cache[key]


def text_signals_of(text: str, cleaned: Any, found: Any) -> dict:
    from tasks.extract.text_dump import bylined
    from tasks.page.page_type import text_signals

    dates = len(cleaned.hints.get("date_lines") or [])
    return text_signals(text, cleaned.body, dates, bylined(cleaned.hints, text))


def save_cache() -> None:
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    CACHE.write_text(json.dumps(_cache), encoding="utf-8")


def examples(half: str, kind: str = "html") -> list[tuple[dict, int, float]]:
    """(signals, is article, weight) for one half of the dev set; kind: html or text."""
    split = devset_split.load()
    ctx = PageContext(registry=Registry(()))
    truth = {}
    for line in (DEVSET / "modern" / "truth.jsonl").read_text(encoding="utf-8").split("\n"):
        if line.strip():
            row = json.loads(line)
            truth[row["id"]] = row["type"]
    out = []
    for doc_id in sorted(split["modern"][half]):
        label = int(truth[doc_id] in ("article", "blog"))
        path = MODERN / "html" / f"{doc_id}.html"
        if kind == "text":
            path = DEVSET / "modern" / "text-w3m" / f"{doc_id}.txt"
        out.append((signals_of(path, ctx), label, 1.0))
    for set_name in ("segments", "dates"):
        for doc_id in sorted(split[set_name][half]):
            path = DEVSET / set_name / "html" / f"{doc_id}.html"
            if kind == "text":
                path = DEVSET / set_name / "text-w3m" / f"{doc_id}.txt"
            out.append((signals_of(path, ctx), 1, OLD_SET_WEIGHT))
    return out


def fit(rows: list[tuple[dict, int, float]]) -> dict[str, float]:
    feats = [featurise(signals)[1] for signals, _, _ in rows]
    names = sorted({name for f in feats for name in f})
    x = np.array([[f.get(name, 0.0) for name in names] for f in feats])
    y = np.array([label for _, label, _ in rows], dtype=float)
    w = np.array([weight for _, _, weight in rows])
    w = w / w.sum()
    theta = np.zeros(len(names))
    for _ in range(STEPS):
        p = 1 / (1 + np.exp(-(x @ theta)))
        grad = x.T @ (w * (p - y)) + L2 * theta
        theta -= RATE * grad
    return {name: round(float(v), 5) for name, v in zip(names, theta, strict=True)}


def report(rows: list[tuple[dict, int, float]], weights: dict[str, float], name: str) -> str:
    tp = fp = fn = 0
    for signals, label, weight in rows:
        if weight != 1.0:
            continue  # modern/ pages only: the figure make eval reports
        z = sum(weights.get(k, 0.0) * v for k, v in featurise(signals)[1].items())
        said = z >= 0
        tp += said and label
        fp += said and not label
        fn += (not said) and label
    precision = tp / (tp + fp) if tp + fp else float("nan")
    recall = tp / (tp + fn) if tp + fn else float("nan")
    return f"{name}: modern/ article precision {precision:.3f} recall {recall:.3f}"


def main() -> None:
    ensure_modern(DEVSET)
    model: dict[str, Any] = {
        "_about": "Written by bench/train_page_type.py from the dev set's tuning half: "
        "weights for HTML pages, text_weights for text dumps."
    }
    for kind, name in (("html", "weights"), ("text", "text_weights")):
        tuning = examples("tuning", kind)
        heldout = examples("heldout", kind) if "--heldout" in sys.argv else None
        save_cache()
        model[name] = fit(tuning)
        print(report(tuning, model[name], f"{kind} tuning (fitted)"))
        if heldout is not None:
            print(report(heldout, model[name], f"{kind} heldout"))
    MODEL_PATH.write_text(json.dumps(model, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
