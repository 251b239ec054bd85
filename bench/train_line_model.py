"""Train the text cleaner's line model (tasks/clean/line_model.npz) without hand labels.

usage: python -m bench.train_line_model [--devset DIR] [--renders DIR] [--out PATH]
                                        [--sets dates [segments] [modern]]

Pages: the dev set's dates/ pages (all of them: the segment scores never see them), the
shipped model's only pages; with --sets, also the TUNING half only of segments/ and modern/
(bench/devset_split.json; the held-out half judges the model), as the w3m dumps the dev set
ships and as inscriptis and html2text render them (bench.render, cached under --renders;
modern/ as w3m dumps only, as `make eval` reads it).
Labels: a unit of a dump is story when trafilatura's extraction from the same page's HTML
(comments left out) contains it. So the model learns where trafilatura, which sees the HTML,
puts the story, from what survives in a text dump. Both stages are L2-regularised logistic
regressions fitted with L-BFGS; stage two is fitted on stage-one probabilities that were
predicted out of fold (two halves of the pages), as it will see them on new pages.
"""

from __future__ import annotations

import argparse
import gzip
import re
import time
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import scipy.sparse as sp
import trafilatura
from scipy.optimize import minimize
from scipy.special import expit

from bench import split as devset_split
from bench.render import decode_html, render_set
from tasks.clean.line_model import (
    HASH_BUCKETS,
    MODEL_PATH,
    LineModel,
    bucket_index,
    context_features,
    dense_features,
    word_features,
)
from tasks.clean.text_dump import rule_layout
from tasks.clean.text_units import split_units

DEVSET = Path(__file__).resolve().parents[2] / "shared" / "devset"
RENDERS = Path(".cache/renders")
PENALTY = 30.0  # L2 weight; two-fold cross-validation on the training pages (1 to 100)
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")


def _normalise(text: str) -> str:
    return " ".join(_INVISIBLE.sub("", unicodedata.normalize("NFC", text)).split())


@dataclass
class Page:
    doc_id: str
    dense: np.ndarray
    buckets: list[list[int]]
    labels: np.ndarray


def story_of(html: str) -> str:
    """The distant label's source: trafilatura's text of the page (comments left out)."""
    return _normalise(trafilatura.extract(html, include_comments=False) or "")


def page_rows(doc_id: str, dump: str, story: str) -> Page | None:
    """The model's inputs for every unit of one dump, and the units' distant labels."""
    units = split_units(dump)
    if not units:
        return None
    _, layout = rule_layout(units, frozenset())
    labels = []
    for unit in units:
        text = _normalise(unit.text)
        labels.append(float(len(text) >= 2 and text in story))
    return Page(
        doc_id=doc_id,
        dense=dense_features(units, layout),
        buckets=[word_features(u.text) for u in units],
        labels=np.array(labels),
    )


def _design(dense: np.ndarray, buckets: list[list[int]], extra: np.ndarray | None) -> sp.csr_matrix:
    rows, cols = bucket_index(buckets)
    words = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(buckets), HASH_BUCKETS))
    blocks = [sp.csr_matrix(dense), words]
    if extra is not None:
        blocks.append(sp.csr_matrix(extra))
    return sp.hstack(blocks).tocsr()


def fit(design: sp.csr_matrix, labels: np.ndarray, penalty: float = PENALTY) -> np.ndarray:
    """Logistic regression weights; column 0 is the bias and is not penalised."""
    mask = np.ones(design.shape[1])
    mask[0] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        p = expit(design @ w)
        nll = -(labels * np.log(p + 1e-12) + (1 - labels) * np.log(1 - p + 1e-12)).sum()
        gradient = design.T @ (p - labels) + 2 * penalty * mask * w
        return nll + penalty * (mask * w * w).sum(), gradient

    start = np.zeros(design.shape[1])
    return minimize(loss, start, jac=True, method="L-BFGS-B", options={"maxiter": 300}).x


def _split(w: np.ndarray, dense: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return w[:dense], w[dense : dense + HASH_BUCKETS], w[dense + HASH_BUCKETS :]


def train(pages: list[Page], penalty: float = PENALTY) -> LineModel:
    dense = np.vstack([p.dense for p in pages])
    buckets = [b for p in pages for b in p.buckets]
    labels = np.concatenate([p.labels for p in pages])
    sizes = [len(p.labels) for p in pages]
    mean, scale = dense.mean(axis=0), dense.std(axis=0)
    mean[0], scale[0] = 0.0, 1.0  # the bias column
    scale[scale == 0] = 1.0
    standard = (dense - mean) / scale
    first_design = _design(standard, buckets, None)
    # stage one's probabilities for stage two, each half predicted by a model of the other;
    # halves by page, so that a page's dumps by every renderer fall in the same half
    half = np.repeat([zlib.crc32(p.doc_id.encode()) % 2 for p in pages], sizes)
    out_of_fold = np.zeros(len(labels))
    for h in (0, 1):
        w = fit(first_design[half != h], labels[half != h], penalty)
        out_of_fold[half == h] = expit(first_design[half == h] @ w)
    first = fit(first_design, labels, penalty)
    context = np.vstack(
        [
            context_features(out_of_fold[a:b])
            for a, b in zip(np.cumsum([0, *sizes[:-1]]), np.cumsum(sizes), strict=True)
        ]
    )
    second = fit(_design(standard, buckets, context), labels, penalty)
    first_dense, first_words, _ = _split(first, dense.shape[1])
    second_dense, second_words, second_context = _split(second, dense.shape[1])
    return LineModel(
        mean=mean,
        scale=scale,
        first_dense=first_dense,
        first_words=first_words.astype(np.float32),
        second_dense=second_dense,
        second_words=second_words.astype(np.float32),
        second_context=second_context,
    )


SETS = ("dates", "segments", "modern")


def _html(path: Path) -> str:
    data = path.read_bytes()
    return decode_html(gzip.decompress(data) if path.suffix == ".gz" else data)


def training_pages(devset: Path, renders: Path, sets: tuple[str, ...] = SETS) -> list[Page]:
    """The training pages of each set (dates/: all; the others: their tuning half) as each
    renderer dumps them, with their distant labels."""
    split = devset_split.load()
    pages = []
    for set_name in sets:
        wanted = None if set_name == "dates" else split[set_name]["tuning"]
        folders = [devset / set_name / "text-w3m"]
        if set_name != "modern":
            for renderer in ("inscriptis", "html2text"):
                render_set(devset, set_name, renderer, renders / renderer / set_name)
                folders.append(renders / renderer / set_name)
        html = {
            p.name.split(".")[0]: p
            for p in sorted((devset / set_name / "html").iterdir())
            if wanted is None or p.name.split(".")[0] in wanted
        }
        stories = {doc_id: story_of(_html(path)) for doc_id, path in html.items()}
        for folder in folders:
            for dump in sorted(folder.glob("*.txt")):
                if dump.stem not in stories:
                    continue
                text = dump.read_text(encoding="utf-8", errors="replace")
                page = page_rows(dump.stem, text, stories[dump.stem])
                if page is not None:
                    pages.append(page)
    return pages


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--devset", type=Path, default=DEVSET)
    parser.add_argument("--renders", type=Path, default=RENDERS)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument("--sets", nargs="+", choices=SETS, default=["dates"])
    args = parser.parse_args(argv)
    began = time.perf_counter()
    pages = training_pages(args.devset, args.renders, tuple(args.sets))
    units = sum(len(p.labels) for p in pages)
    story = sum(p.labels.sum() for p in pages)
    print(f"{len(pages)} dumps, {units} units, {story / units:.3f} labelled story by trafilatura")
    model = train(pages)
    model.save(args.out)
    print(f"wrote {args.out} in {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
