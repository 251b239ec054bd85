"""A learned fallback for a text dump's author: when no rule of tasks.extract.text_dump's
author_rules names anyone, a small logistic regression scores the dump's name-shaped spans
(two to four capitalised words, with particles such as "van" or "de"; a run's last word that
labels the next field or that the page shows alone on a line, a heading, left out) by where
and how the page shows them, and names the best one when its probability clears a threshold.

The features are the page's structure, not phrases: where the span's line sits from the
headline and the story (the cleaner's hints: the byline zone, the story's lead, the lines
after it, the header and footer), how many lines from the nearest date line, how long the
line is and how much of it the span is, the span's capitalisation, whether the page shows it
again, whether a by-word or an author label of the page's lexicon (tasks/page/lexicon)
precedes it, whether a picture agency is named on its line or the next (a photo's credit),
whether its words are ordinary words of the page (written in lower case elsewhere: a
heading's, not a person's), whether the line is a list's item among others (a menu). The
weights and the threshold (text_author_model.json) are fitted by bench/train_text_author.py
on the tuning half of the dev set only, the threshold chosen by site-grouped cross-validation
so that wrong names stay where the rules leave them.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tasks.extract.authors import LIST_BULLET
from tasks.page.lexicon import alternation as words

MODEL_PATH = Path(__file__).with_name("text_author_model.json")

# A name's word: a capital, then letters ("O'Neil", "Jean-Luc", "Ş"); an initial ("K.").
_NAME_WORD = re.compile(r"^[A-ZÀ-ÞĀ-Ž](?:[a-zà-ÿā-ž'\u2019-]*[a-zà-ÿā-ž]|\.)$")
_CAPITAL = re.compile(r"[A-ZÀ-ÞĀ-Ž]")
_UPPER_WORD = re.compile(r"^[A-ZÀ-ÞĀ-Ž]{2,}$")
# A surname's particle: lower case inside a name ("Vincent van Gogh", "Ana de Armas").
_PARTICLES = frozenset(("van", "von", "de", "der", "den", "del", "della", "di", "da", "das", "dos",
                       "du", "la", "le", "ten", "ter", "zu", "bin", "ibn", "al", "el"))  # fmt: skip
# What ends a name's run of words: a separator of a byline's parts.
_SEPARATOR = frozenset("|·•/\u2013\u2014-:;,()[]{}©@&+=*#")
_EDGE = ".,;:!?\"'()[]{}\u201c\u201d\u2018\u2019\u00ab\u00bb*_"
# The page's lexicon: a by-word or an author label just before the name ("By", "Written
# by", "Autor:", "von"), and a photo's word on the line ("Picture of").
_CUE = re.compile(
    rf"(?:^|[\s|·•(\[])(?:{words('authors.prefix')}|{words('authors.by')}|"
    rf"{words('authors.label')}|{words('text_dump.byline_label')})\s*:?\s*$",
    re.IGNORECASE,
)
_CUE_WORD = re.compile(
    rf"^(?:{words('authors.by')}|{words('authors.prefix')}|{words('text_dump.byline_label')})$",
    re.IGNORECASE,
)
_LABEL_LINE = re.compile(
    rf"^\W*(?:{words('authors.prefix')}|{words('authors.label')})\s*:?\W*$", re.IGNORECASE
)
_DATE_WORD = re.compile(rf"^(?:{words('authors.date_word')})\.?$", re.IGNORECASE)
_PHOTO = re.compile(rf"\b(?:{words('authors.photo')})\b", re.IGNORECASE)
_ROLE = re.compile(rf"\b(?:{words('authors.role')})\b", re.IGNORECASE)
# A picture agency or stock-photo site on the span's line or the next: a picture's credit
# ("Bild von A" / "auf Pixabay"), not a byline (the cleaner's list of picture agencies).
_AGENCY = re.compile(rf"\b(?:{words('text_dump.credit_tail_agency')})\b", re.IGNORECASE)
_MAX_WORDS = 4  # a person's name as a byline prints it: two to four words
_LONG_RUN = 6  # a run of capitalised words this long is a heading in title case


@dataclass
class Candidate:
    name: str
    features: dict[str, float] = field(default_factory=dict)


def _strip(token: str) -> str:
    return token.strip(_EDGE)


def _runs(line: str) -> list[tuple[list[str], int, int, bool, bool]]:
    """The line's runs of name words: (words, first token's index, run length before the
    edges were trimmed, a by-word right before it, a date right after it)."""
    tokens = line.split()
    runs: list[tuple[list[str], int, int, bool, bool]] = []
    current: list[str] = []
    start = 0
    cued = False

    def close(dated: bool = False) -> None:
        nonlocal current
        # a particle opens or ends no name
        while current and current[-1] in _PARTICLES:
            current.pop()
        if current:
            runs.append((current, start, len(current), cued, dated))
        current = []

    for k, token in enumerate(tokens):
        word = _strip(token)
        if word and _CUE_WORD.match(word):
            close()
            cued = True
            continue
        if word and (_DATE_WORD.match(word) or word[:1].isdigit()):
            close(dated=True)
            cued = False
            continue
        ends = token[-1:] in ",;:|)" or token in _SEPARATOR
        if word and (_NAME_WORD.match(word) or (current and word in _PARTICLES)):
            if not current:
                start = k
                cued = cued and k > 0 and bool(_CUE_WORD.match(_strip(tokens[k - 1])))
            current.append(word)
            if ends:
                close()
                cued = False
            continue
        close()
        cued = False
    close()
    return runs


def _lower_words(lines: list[str]) -> set[str]:
    """The words the page writes in lower case (an ordinary word, not a name)."""
    return {
        word
        for line in lines
        for token in line.split()
        if (word := _strip(token)).isalpha() and word.islower()
    }


_KEY = 40  # characters of a line that identify it (a paragraph opens on its first line)


def _key(line: str) -> str:
    """A line's identity across the dump and the cleaner's units: the text without its
    bullet, its spaces collapsed, its first characters (a unit joins a paragraph's lines)."""
    return " ".join(LIST_BULLET.sub("", line).split())[:_KEY]


def _index(lines: list[str]) -> dict[str, int]:
    """A shown line's key → its first index."""
    out: dict[str, int] = {}
    for k, line in enumerate(lines):
        out.setdefault(_key(line), k)
    return out


def _bin(value: int | None, edges: tuple[int, ...], prefix: str) -> str:
    if value is None:
        return f"{prefix}none"
    for edge in edges:
        if value <= edge:
            return f"{prefix}{edge}"
    return f"{prefix}far"


def candidates(hints: dict, page: list[str], body: str) -> list[Candidate]:
    """The page's name-shaped spans with their features (page: the dump's lines as shown,
    markdown made plain)."""
    shown = [line.strip() for line in page if line.strip()]
    if not shown:
        return []
    where = _index(shown)
    title = (hints.get("title") or "").strip()
    title_k = where.get(_key(title)) if title else None
    dated = (where.get(_key(line["text"])) for line in hints.get("date_lines") or [])
    dates = sorted(k for k in dated if k is not None)
    zones: dict[str, str] = {}
    for name, lines in (
        ("header", hints.get("header") or []),
        ("footer", hints.get("footer") or []),
        ("after", (hints.get("after_body") or [])[:4]),
        ("byline", hints.get("before_body") or []),
    ):
        for line in lines:
            zones[_key(line)] = name
    body_lines = [line for line in body.split("\n") if line.strip()]
    for k, line in enumerate(body_lines):
        zones.setdefault(_key(line), "lead" if k < 3 else "body")
    body_k = where.get(_key(body_lines[0])) if body_lines else None
    lower = _lower_words(shown)
    text = "\n".join(shown)
    bullets = [bool(LIST_BULLET.match(line)) for line in shown]
    # the words the page shows alone on a line: a heading's ("Kategorien"), a button's
    alone = {_strip(line).casefold() for line in shown if len(line.split()) == 1}
    out: list[Candidate] = []
    for k, line in enumerate(shown):
        if not _CAPITAL.search(line):
            continue  # a line without a capital holds no name's word
        tokens = line.split()
        for run, start, length, cued, dated in _runs(line):
            if length >= _LONG_RUN:
                continue
            if length > _MAX_WORDS:
                # a title-case heading's ordinary words at the run's edges are no name's
                while run and run[0].casefold() in lower:
                    run, start = run[1:], start + 1
                while run and run[-1].casefold() in lower:
                    run = run[:-1]
            if len(run) >= 3:
                # the run's last word labels what follows ("Von A B Kategorien: Mode") or is
                # one the page shows alone on a line: a heading glued on, no name's
                last = start + len(run) - 1
                if (last + 1 < len(tokens) and tokens[last].endswith(":")) or (
                    run[-1].casefold() in alone
                ):
                    run = run[:-1]
            if not run or run[0] in _PARTICLES or len(run) > _MAX_WORDS:
                continue
            if all(word.casefold() in lower for word in run):
                continue  # a heading or a button in title case
            name = " ".join(run)
            if _ROLE.search(name):
                continue  # a desk or a team is credited by a by-line only (text_dump)
            # one word: a user name or a first name, alone on its line or after a by-word
            if len(run) == 1 and not (len(tokens) == 1 or cued or dated):
                continue
            before = " ".join(tokens[:start])
            out.append(
                Candidate(
                    name,
                    _features(
                        name, run, k, line, tokens, before, cued, dated, length, shown, title_k,
                        body_k, dates, zones, lower, text, bullets,
                    ),
                )
            )  # fmt: skip
    return out


def _features(
    name: str,
    run: list[str],
    k: int,
    line: str,
    tokens: list[str],
    before: str,
    cued: bool,
    dated: bool,
    length: int,
    shown: list[str],
    title_k: int | None,
    body_k: int | None,
    dates: list[int],
    zones: dict[str, str],
    lower: set[str],
    text: str,
    bullets: list[bool],
) -> dict[str, float]:
    f: dict[str, float] = {"bias": 1.0}
    f[f"words_{len(run)}"] = 1.0
    rel = None if title_k is None else k - title_k
    f[_bin(rel, (-1, 0, 1, 3, 8, 20), "title_") if rel is None or rel >= 0 else "title_before"] = 1
    rel_body = None if body_k is None else k - body_k
    f[_bin(rel_body, (-6, -3, -1, 0, 2, 10), "body_") if rel_body is not None else "body_none"] = 1
    gap = min((abs(k - d) for d in dates), default=None)
    f[_bin(gap, (0, 1, 2, 4, 8), "date_")] = 1.0
    f["zone_" + zones.get(_key(line), "other")] = 1.0
    f["line_words"] = math.log1p(len(tokens))
    f["share"] = len(run) / max(1, len(tokens))
    f["alone"] = float(len(tokens) == len(run))
    f["cued"] = float(cued or bool(_CUE.search(before)))
    f["dated"] = float(dated)
    f["line_start"] = float(not before)
    f["in_prose"] = float(bool(before) and _strip(before.split()[-1]).islower())
    f["colon_after"] = float(
        len(tokens) > len(before.split()) + len(run) - 1
        and tokens[len(before.split()) + len(run) - 1].endswith(":")
    )
    f["line_repeats"] = math.log(max(1, text.count("\n" + line + "\n")))
    f["label_above"] = float(k > 0 and bool(_LABEL_LINE.match(shown[k - 1])))
    f["photo_word"] = float(bool(_PHOTO.search(line)))
    f["agency"] = float(
        bool(_AGENCY.search(line) or (k + 1 < len(shown) and _AGENCY.search(shown[k + 1])))
    )
    f["role_word"] = float(bool(_ROLE.search(line)))
    ordinary = sum(word.casefold() in lower for word in run)
    f["ordinary"] = float(ordinary > 0)
    f["ordinary_share"] = ordinary / len(run)
    f["upper"] = float(any(_UPPER_WORD.match(word) for word in run))
    f["initial"] = float(any(word.endswith(".") for word in run))
    f["particle"] = float(any(word in _PARTICLES for word in run))
    f["trimmed"] = float(length != len(run))
    f["repeats"] = math.log(max(1, text.count(name)))
    f["in_title"] = float(k == title_k)
    f["bracketed"] = float("[" in before and "]" not in before.rsplit("[", 1)[-1])
    f["bullet"] = float(bullets[k])
    f["menu"] = float(
        bullets[k] and ((k > 0 and bullets[k - 1]) or (k + 1 < len(bullets) and bullets[k + 1]))
    )
    f["position"] = k / len(shown)
    # the words themselves: the model weighs only words found in spans on many sites
    # (a heading's, a button's, a common first name's), none of one site's own
    for word in run:
        f["w:" + word.casefold()] = 1.0
    return f


@cache
def _model() -> dict[str, Any]:
    return json.loads(MODEL_PATH.read_text(encoding="utf-8"))


def probabilities(
    found: list[tuple[str, dict[str, float]]], weights: dict[str, float]
) -> dict[str, float]:
    """Each name's probability of being the page's author, against its other spans and "no
    one" (score 0): a conditional logit, a name shown several times adding up its places."""
    scores = [sum(weights.get(k, 0.0) * v for k, v in features.items()) for _, features in found]
    if not scores:
        return {}
    top = max(0.0, *scores)
    total = math.exp(-top)  # "no one"
    out: Counter[str] = Counter()
    for (name, _), z in zip(found, scores, strict=True):
        e = math.exp(z - top)
        out[name] += e
        total += e
    return {name: e / total for name, e in out.items()}


def learned_names(hints: dict, page: list[str], body: str) -> list[str]:
    """The model's name for the page when it is sure enough, else none."""
    model = _model()
    found = probabilities(
        [(c.name, c.features) for c in candidates(hints, page, body)], model["weights"]
    )
    if not found:
        return []
    name, p = max(found.items(), key=lambda item: item[1])
    return [name] if p >= model["threshold"] else []
