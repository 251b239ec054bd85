"""A learned second opinion on each line of a text dump: is it story?

The rules in text_dump find the story as one run and keep its prose. They miss story lines
that are not prose to them (a closing code snippet, a short line between paragraphs, a list
under its intro) and lines the run does not reach. This model sees, for every unit, the
rules' verdict and the context they computed, plus the unit's own words, hashed (jusText
and trafilatura have no such word signal). It is a logistic regression in two stages: the
second also sees the first stage's probabilities of the neighbouring units, so a line
between story lines leans to story. text_dump adds the units it finds likely enough story
(Cuts), within limits the rules set.

It was trained without labelling a line by hand (bench/train_line_model.py): trafilatura's
extraction from the HTML of the same pages labels each line of their text dumps, on the dev
set's dates/ pages, which the segment scores never use; and on the tuning half of segments/,
the units that hold an annotated segment are labelled by the annotation (story or not). The
weights are in line_model.npz (word weights as float16). A dump in w3m's form (w3m_form) is
read by a head of its own (line_model_w3m.npz): fitted on w3m dumps alone, near the shared
weights, it also reads the units' place on w3m's screen (geometry_features), which told
furniture from story on w3m but misled the shared model on the other renderers.
"""

from __future__ import annotations

import itertools
import re
import zipfile
import zlib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from tasks.clean.text_units import SENTENCE_END, Unit

MODEL_PATH = Path(__file__).with_name("line_model.npz")
# The head for dumps in w3m's form (w3m_form): the same features, fitted on w3m dumps alone.
W3M_MODEL_PATH = Path(__file__).with_name("line_model_w3m.npz")
HASH_BUCKETS = 2**18
# The line model's probabilities lean low: its labels are trafilatura's, which leaves out some
# of a story's short lines, so a line the segments annotation counts as story often scores
# 0.3-0.5. The cut is chosen by cross-validation grouped by site on the tuning half of
# segments/ (two folds, each predicted by a model trained without its sites), not on the
# pages the model was trained on: there it remembers the annotated lines (segments F1 0.93,
# against 0.91 out of fold) and a high cut looks best. Out of fold, 0.3 was best (mean of the
# three renderers 0.9082; 0.35 0.9080, 0.4 0.9066, 0.2 0.9045); held-out segments F1 rose
# with it on each renderer (w3m +0.001, html2text +0.004, inscriptis +0.005).
STORY_PROBABILITY = 0.3
NEVER = 2.0  # a cut no probability reaches: the rules' fence holds


@dataclass(frozen=True)
class Cuts:
    """From which probability the model adds a line the rules left out: anywhere the rules
    allow (`story`), and where they fence lines off by layout alone: beyond the block
    headings that bound the story, in a block heading's shadow, or of class minor (an alt
    text, a credit, a line printed twice). A line let past the story's block headings or
    out of a heading's shadow must also hold `fence_words` words at least: what stands there
    in one or two words is a tag, a heading or a menu item, never a line of the story."""

    story: float
    beyond_boundary: float = NEVER
    in_shadow: float = NEVER
    minor: float = NEVER
    fence_words: int = 0


CUTS = Cuts(STORY_PROBABILITY)  # the shared model keeps the rules' fences
# The w3m head's (w3m_form dumps), chosen by site-grouped 3-fold CV on segments/' tuning half
# with the folds' own models (bench.train_line_model --cv-w3m --cuts; s30w3mseg,
# 2026-12-04): out of fold, segments F1 0.9135 with CUTS -> 0.9158 with Cuts(0.25, minor=0.7).
# Beyond the story's block headings it adds a line of three words or more from 0.3 (s31w3mseg:
# 0.9158 -> 0.9187; from 0.25 0.9175, 0.35 0.9187, 0.4 0.9180; at least 2 to 5 words 0.9187,
# 6 0.9180, any 0.9187, but then a one-word tag line after seed 002's story gets in). A
# heading's shadow stays fenced: overruling it from 0.5 gained 0.9202 on CV, all of it on one
# page, and put a breaking-news ticker above seed 002's headline into its standfirst.
W3M_CUTS = Cuts(0.25, beyond_boundary=0.3, minor=0.7, fence_words=3)
HEAD_CHARS, TAIL_CHARS = 160, 40  # enough text for the first 11 and the last 2 words

CLASSES = ("bad", "short", "neargood", "good", "sparse", "minor")
REVISED = ("bad", "good", "neargood", "short")
NEIGHBOUR_STEPS = (-2, -1, 1, 2)
_TOKEN = re.compile(r"\w+|[^\w\s]")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # the earliest stamp a zip member can carry
_W3M_BULLET = re.compile(r"^\s*[\u2022\u25a1] ", re.M)  # w3m's • and □ list bullets
_STAR_BULLET = re.compile(r"^\s*\* ", re.M)  # inscriptis' and html2text's
_SEPARATOR = re.compile(r"\s[|/·»\u203a>]\s|^[|»\u203a>]|[|»\u203a<]$")  # breadcrumb, menu
_ADDRESS = re.compile(r"\b(?:https?://|www\.)\S|\S@\S+\.\w")  # a URL or an e-mail


@dataclass(frozen=True)
class Layout:
    """What the rules found on a page, as the model reads it."""

    classes: list[str]  # context-free class of each unit
    revised: list[str]  # class after jusText's revision by context
    stop_density: list[float]
    lists: set[int]
    labels: set[int]
    boundaries: set[int]
    shadow: set[int]
    start: int  # the story run, half-open
    end: int
    title: int | None
    keep: frozenset[int]  # the units the rules keep as story


@dataclass(frozen=True)
class LineModel:
    mean: np.ndarray
    scale: np.ndarray
    first_dense: np.ndarray
    first_words: np.ndarray
    second_dense: np.ndarray
    second_words: np.ndarray
    second_context: np.ndarray

    def save(self, path: Path) -> None:
        """The word weights are kept as float16: half the file (0.78 MB, was 1.41 MB), and a
        weight's rounding (3 significant digits) is far below what the held-out figures
        notice."""
        arrays = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("first_words", "second_words"):
            arrays[k] = np.asarray(arrays[k]).astype(np.float16)
        # np.savez_compressed stamps each member with the time of writing, so two fits with
        # the same weights gave different bytes; a fixed stamp makes the file a function of
        # the weights alone (`make train-lines` rewrites the committed file byte for byte).
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for name, array in arrays.items():
                member = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_TIME)
                member.compress_type = zipfile.ZIP_DEFLATED
                with archive.open(member, "w", force_zip64=True) as out:
                    np.lib.format.write_array(out, np.asarray(array), allow_pickle=False)

    @classmethod
    def load(cls, path: Path) -> LineModel:
        with np.load(path) as data:
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})


@cache
def default_model(w3m: bool = False) -> LineModel:
    """The shipped model: the w3m head for a dump in w3m's form, else the shared one."""
    return LineModel.load(W3M_MODEL_PATH if w3m else MODEL_PATH)


def cuts(w3m: bool = False) -> Cuts:
    """The cuts for a dump in w3m's form (the w3m head's) or any other (read at each call, so
    that bench.train_line_model's CV can lend the cleaner others)."""
    return W3M_CUTS if w3m else CUTS


def w3m_form(text: str) -> bool:
    """Whether a dump looks made by w3m, from its own form: w3m bullets lists with • and □
    where inscriptis and html2text write `*`. A dump without lists is left to the shared
    model: w3m's hard wrap alone also fits a copy-paste whose lines are about equally long.
    On the dev set's dumps this names 1,358 of the 1,400 w3m dumps and 5 of the 1,800
    others (pages whose own text holds such bullets)."""
    return len(_W3M_BULLET.findall(text)) > len(_STAR_BULLET.findall(text))


def _members(indices: set[int] | frozenset[int], n: int) -> np.ndarray:
    flags = np.zeros(n)
    flags[list(indices)] = 1.0
    return flags


def dense_features(units: list[Unit], layout: Layout) -> np.ndarray:
    """One row per unit: the rules' verdicts and context, length, stopwords, links, place."""
    n = len(units)
    at = np.arange(n)
    classes = np.array(layout.classes)
    revised = np.array(layout.revised)
    kept = _members(layout.keep, n)
    good, bad = (classes == "good").astype(float), (classes == "bad").astype(float)
    blocks = np.array([u.block for u in units])
    in_run = (at >= layout.start) & (at < layout.end)
    distance = np.where(
        in_run, 0, np.where(at < layout.start, layout.start - at, at - layout.end + 1)
    )
    columns = [np.ones(n)]
    columns += [classes == c for c in CLASSES]
    columns += [revised == c for c in REVISED]
    columns += [
        kept,
        in_run,
        _members(layout.lists, n),
        _members(layout.labels, n),
        _members(layout.boundaries, n),
        _members(layout.shadow, n),
        [bool(u.bullet) for u in units],
        at == (layout.title if layout.title is not None else -1),
        np.log1p([u.words for u in units]),
        layout.stop_density,
        [u.linked for u in units],
        [bool(SENTENCE_END.search(u.text)) for u in units],
        np.log1p(distance),
        at / n,
    ]
    for step in NEIGHBOUR_STEPS:
        j = at + step
        inside = (j >= 0) & (j < n)
        k = np.clip(j, 0, n - 1)
        columns += [
            inside * kept[k],
            inside * good[k],
            inside * bad[k],
            inside & (blocks[k] == blocks),
        ]
    return np.column_stack([np.asarray(c, dtype=float) for c in columns])


def geometry_features(units: list[Unit]) -> np.ndarray:
    """The w3m head's further columns: where a unit sits on w3m's screen and what it is made
    of. w3m lays a page's tables out side by side and indents their cells, so a sidebar's or
    a caption's lines stand indented and short beside the story; these columns misled the
    shared model on the other renderers (bench/train_line_model.py's docstring)."""
    n = len(units)
    depth = np.array([u.depth for u in units], dtype=float)
    words = np.log1p([u.words for u in units])
    before, after = np.r_[0.0, words[:-1]], np.r_[words[1:], 0.0]
    texts = [u.text for u in units]
    return np.column_stack(
        [
            np.log1p(depth),
            depth > (np.median(depth) if n else 0.0),
            [u.heading for u in units],
            [u.image for u in units],
            [bool(_SEPARATOR.search(t)) for t in texts],
            [bool(_ADDRESS.search(t)) for t in texts],
            [sum(c.isdigit() for c in t) / max(1, len(t)) for t in texts],
            before,
            after,
        ]
    ).astype(float)


def word_features(text: str) -> list[int]:
    """Hash buckets of the unit's opening words and word pairs and its closing words: where
    boilerplate shows its kind ("Lesen Sie auch", "is a senior writer", "… Kommentare")."""
    head = _TOKEN.findall(text[:HEAD_CHARS].lower())[:11]
    tail = _TOKEN.findall(text[-TAIL_CHARS:].lower())[-2:]
    features = set(head[:8])
    features.update("^" + t for t in head[:2])
    features.update(t + "$" for t in tail)
    features.update(f"{a} {b}" for a, b in itertools.pairwise(head))
    return sorted({zlib.crc32(f.encode()) % HASH_BUCKETS for f in features})


def bucket_index(buckets: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    """Row (unit) and column (bucket) of every word feature, for a sparse product."""
    rows = np.repeat(np.arange(len(buckets)), [len(b) for b in buckets])
    cols = np.fromiter(itertools.chain.from_iterable(buckets), dtype=np.int64, count=len(rows))
    return rows, cols


def context_features(first: np.ndarray) -> np.ndarray:
    """Stage two's view of stage one: the neighbours' probabilities, the page's mean and the
    mean of its five likeliest lines (how sure the page is of any story), the unit's own."""
    n = len(first)
    padded = np.r_[0.0, 0.0, first, 0.0, 0.0]
    top = np.sort(first)[-min(5, n) :].mean() if n else 0.0
    return np.c_[
        padded[1:-3],
        padded[3:-1],
        padded[0:-4],
        padded[4:],
        np.full(n, first.mean() if n else 0.0),
        np.full(n, top),
        first,
    ]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def story_probabilities(units: list[Unit], layout: Layout, w3m: bool = False) -> np.ndarray:
    """For each unit, the probability that it is a line of the story (`w3m`: the dump is in
    w3m's form, w3m_form)."""
    model = default_model(w3m)
    if not units:
        return np.zeros(0)
    n = len(units)
    dense = dense_features(units, layout)
    if len(model.mean) > dense.shape[1]:  # the w3m head reads the geometry too
        dense = np.hstack([dense, geometry_features(units)])
    dense = (dense - model.mean) / model.scale
    rows, cols = bucket_index([word_features(u.text) for u in units])

    def words(weights: np.ndarray) -> np.ndarray:
        return np.bincount(rows, weights=weights[cols], minlength=n)

    first = _sigmoid(dense @ model.first_dense + words(model.first_words))
    second = (
        dense @ model.second_dense
        + words(model.second_words)
        + context_features(first) @ model.second_context
    )
    return _sigmoid(second)
