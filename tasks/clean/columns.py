"""Side-by-side columns of a text dump, read one after the other.

A text browser lays a page's layout table out as it shows it: the story's cell next to a
sidebar's or a menu's, each wrapped at its own width, so that one line of the dump holds a
line of the story, a gap of spaces, and a line of the sidebar ("… wer es        nichts
anderes als    Top-15"). A unit cut from such lines mixes story and furniture, and neither
the rules nor the line model can part them again. w3m does this (and inscriptis, less often);
a renderer that writes one cell after the other (html2text) does not.

A column gap shows as a gutter: at the same place on many consecutive lines, at least GUTTER
spaces with text on both sides. Prose never lines its spaces up so (words are one space
apart); a table does. Data tables (figures, names and prices in rows) line up the same way,
and there a row is the unit the reader reads, so the columns are parted only where one of
them holds running text (a paragraph wrapped over several lines), as a layout table's
story or sidebar does, and where they do not share their rows (each row of a table holds a
cell in each column; a layout's columns flow on their own). The lines of the gutter's
stretch are then cut at it; the left column's lines come first, then the right column's,
each group keeping its lines' order, blank lines and indentation; both are searched for
more gutters (a page of three or four columns has one between each pair).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from itertools import accumulate

import numpy as np

# A gutter: this many spaces, on every line of its stretch, with text on both sides of it on at
# least SIDE_BY_SIDE of them. Two, because words in a line are one space apart; three lines,
# because two lines of two table cells are the least a layout shows (a label beside a value
# is one line).
GUTTER = 2
SIDE_BY_SIDE = 3
# A line whose only text is one short token shorter than this (an image's "[l]", an icon's
# "*") may overhang the gutter without ending the stretch: it goes whole to the side it
# starts on. A longer line that crosses the gutter ends it.
TOKEN = 8
# Columns are looked for within this many screen columns of a line: a text browser lays a
# page out to a screen's width (the widest table rows of the dev set's w3m dumps are under
# 600 columns); a longer line is a paragraph a renderer did not wrap (html2text), and reading
# it all would cost its length times the page's lines.
WIDEST = 1000
# A table of this many rows (or more) with a cell in each column is read row by row (_rows).
ROWS = 3
# How a paragraph of running text shows in one column: at least this many lines, wrapped at
# one width (all but the last line within COLUMN_SLACK characters of the longest one). A
# renderer that does not wrap a cell (inscriptis) shows a row of a data table as one long
# line, and three such rows of different lengths are no paragraph.
PARAGRAPH_LINES = 3
COLUMN_SLACK = 12
# ... and at least this wide (as text_units' narrow wrapped column): a column of a few short
# names ("Name", "CookieConsent", "fe_typo_user") is no paragraph.
PARAGRAPH_WIDTH = 30

_SPACE_CHARS = " \u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
_SPACE_CHARS += "\u202f\u205f\u3000"
_GAPPED = re.compile(rf"[^{_SPACE_CHARS}\n][{_SPACE_CHARS}]{{{GUTTER},}}[^{_SPACE_CHARS}\n]")
# A bracketed span is one element to a text browser (a form field "[          ]", an alt text
# "[Foto: dpa]"): its inner spaces are no gap.
_BRACKETED = re.compile(r"\[[^\[\]\n]*\]")
# Where a line may hold characters a terminal shows two columns wide (CJK, Hangul, full-width
# forms, emoji): such lines are measured character by character.
_WIDE = re.compile(
    "[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60"
    "\uffe0-\uffe6\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]"
)
_SPACE_CODES = np.array([ord(c) for c in _SPACE_CHARS], dtype=np.uint32)
_DIGIT = re.compile(r"\d")

Line = tuple[str, int]  # a line's text, and its number in the dump


def read_columns(lines: list[Line]) -> list[Line]:
    """The lines with every stretch of side-by-side columns read column after column; the
    lines of a dump without any come back as they are."""
    texts = [text for text, _ in lines]
    gapped = _rows_with(_GAPPED, texts)
    if len(gapped) < SIDE_BY_SIDE:
        return lines
    wide = {row: _places(texts[row]) for row in _rows_with(_WIDE, texts)}
    ink = _ink(texts, gapped, wide)
    taken = np.zeros(len(lines), dtype=bool)
    parted: list[tuple[int, int, list[Line], list[Line]]] = []
    tried = set()
    for x, start, end in _gutters(ink):
        if taken[start:end].any():  # a stretch beside a wider one: read with its column
            continue
        right_column = x + GUTTER + int(np.argmax(ink[start:end, x + GUTTER :].any(axis=0)))
        if (start, end, right_column) in tried:  # another column of the same wide gap
            continue
        tried.add((start, end, right_column))
        places = [wide.get(row) for row in range(start, end)]
        left, right = _cut(lines[start:end], ink[start:end], places, x, right_column)
        if not (_paragraph(left) or _paragraph(right)):
            continue
        if _rows(left, right):  # a table's rows are read as rows, narrower gutters and all
            taken[start:end] = True
            continue
        # each side read column by column too; then a paragraph must be one text (a table's
        # row, cells apart, is none)
        left, right = read_columns(left), read_columns(right)
        if _paragraph(left, one_text=True) or _paragraph(right, one_text=True):
            taken[start:end] = True
            parted.append((start, end, left, right))
    out: list[Line] = []
    done = 0
    for start, end, left, right in sorted(parted, key=lambda p: p[0]):
        gap = ("", lines[end - 1][1])
        out += [*lines[done:start], *left, gap, *right, gap]
        done = end
    return out + lines[done:]


def _cut(
    lines: list[Line], ink: np.ndarray, places: list[list[int] | None], x: int, right: int
) -> tuple[list[Line], list[Line]]:
    """A stretch's lines cut at the gutter at screen column x: the left column's cells and
    the right column's from screen column `right`, its leftmost text (its lines keep their
    indentation from there)."""
    left_cells, right_cells = [], []
    for (text, number), place, row in zip(lines, places, ink, strict=True):
        cut, right_cut = _index(text, place, x), _index(text, place, right)
        if row[x : x + GUTTER].any():  # an overhanging token: whole, where it starts
            lead = len(text) - len(text.lstrip())
            cut = right_cut = len(text) if (place[lead] if place else lead) < x else lead
        left_cells.append((text[:cut].rstrip(), number))
        right_cells.append((text[right_cut:].rstrip(), number))
    return left_cells, right_cells


def _index(text: str, place: list[int] | None, column: int) -> int:
    """The index of the line's first character shown at or right of screen column `column`
    (`place`: the column of each character, None when each takes one)."""
    return min(column, len(text)) if place is None else bisect_left(place, column)


def _rows_with(pattern: re.Pattern[str], texts: list[str]) -> set[int]:
    """The numbers of the lines where `pattern` matches (searched in one string: faster)."""
    joined = "\n".join(texts)
    starts = list(accumulate((len(text) + 1 for text in texts), initial=0))
    return {bisect_right(starts, m.start()) - 1 for m in pattern.finditer(joined)}


def _places(text: str) -> list[int]:
    """The screen column of each character of a line, wide characters taking two."""
    place, at = [], 0
    for char in text:
        place.append(at)
        at += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return place


def _ink(texts: list[str], gapped: set[int], wide: dict[int, list[int]]) -> np.ndarray:
    """Which screen columns of each line show something. A gutter lies within a line that
    has gaps: longer lines (an unwrapped paragraph, a long address), which have none, are
    read only that far, and no line further than WIDEST."""
    shown = (wide[row][-1] + 2 if row in wide else len(texts[row]) for row in gapped)
    width = min(max(shown, default=0), WIDEST) + GUTTER + 1
    # one character a screen column: the lines padded to one width (and a line break), one
    # array; a bracketed span is found in the same string, never across a line break
    padded = "\n".join(text.ljust(width)[:width] for text in texts) + "\n"
    codes = np.frombuffer(padded.encode("utf-32-le"), dtype=np.uint32)
    ink = ~np.isin(codes.reshape(len(texts), width + 1)[:, :width], _SPACE_CODES)
    if "[" in padded:
        for m in _BRACKETED.finditer(padded):
            row, column = divmod(m.start(), width + 1)
            ink[row, column : column + m.end() - m.start()] = True
    for row, place in wide.items():  # placed character by character
        text = texts[row]
        ink[row] = False
        for i, char in enumerate(text):
            if char not in _SPACE_CHARS and place[i] < width:
                two = unicodedata.east_asian_width(char) in "WF"
                ink[row, place[i] : place[i] + 1 + two] = True
        for m in _BRACKETED.finditer(text):
            ink[row, place[m.start()] : min(width, place[m.end() - 1] + 1)] = True
    return ink


def _gutters(ink: np.ndarray) -> list[tuple[int, int, int]]:
    """Candidate gutters as (screen column, first line, end line), the one with the most
    lines beside it first: for each column, the stretches of consecutive lines open there
    (spaces, or a short overhanging token), blank lines at their edges left out."""
    n, width = ink.shape
    if n < SIDE_BY_SIDE or width <= GUTTER + 1:
        return []
    inked = ink.any(axis=1)
    before = np.cumsum(ink, axis=1)
    total = before[:, -1]
    first = np.argmax(ink, axis=1)
    last = width - 1 - np.argmax(ink[:, ::-1], axis=1)
    token = inked & (last - first < TOKEN) & (total == last - first + 1)
    # strip[i, x]: line i shows something in columns x .. x + GUTTER - 1
    strip = np.zeros((n, width - GUTTER), dtype=bool)
    for k in range(GUTTER):
        strip |= ink[:, k : width - GUTTER + k]
    left = np.zeros_like(strip)
    left[:, 1:] = before[:, : width - GUTTER - 1] > 0
    right = (total[:, None] - before[:, GUTTER - 1 : width - 1]) > 0
    beside = ~strip & left & right
    found: list[tuple[int, int, int, int]] = []
    for x in np.flatnonzero(beside.sum(axis=0) >= SIDE_BY_SIDE):
        open_ = ~strip[:, x] | token
        edges = np.flatnonzero(np.diff(np.concatenate(([0], open_.astype(np.int8), [0]))))
        counted = np.concatenate(([0], np.cumsum(beside[:, x])))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            lines_beside = int(counted[end] - counted[start])
            if lines_beside < SIDE_BY_SIDE:
                continue
            shown = np.flatnonzero(inked[start:end])
            found.append((lines_beside, int(x), int(start + shown[0]), int(start + shown[-1] + 1)))
    # most lines beside first; of the columns of one gap, the one that lets the stretch run
    # longest (the one right of the left column's longest line)
    found.sort(key=lambda f: (-f[0], f[2] - f[3], f[1]))
    return [(x, start, end) for _, x, start, end in found]


def _rows(left: list[Line], right: list[Line]) -> bool:
    """Whether a stretch is a table of several rows rather than columns side by side: its
    bands (lines between lines blank in both columns) hold text in both columns, as each row
    of a table holds a cell in each, on at least ROWS bands and on most of them. A layout's
    columns flow on their own: one's paragraph breaks fall beside the other's text, and
    where the shorter one ends, the other's bands go on alone."""
    bands = both = 0
    in_left = in_right = False
    for (left_text, _), (right_text, _) in zip([*left, ("", 0)], [*right, ("", 0)], strict=True):
        if left_text or right_text:
            in_left, in_right = in_left or bool(left_text), in_right or bool(right_text)
            continue
        if in_left or in_right:
            bands, both = bands + 1, both + (in_left and in_right)
        in_left = in_right = False
    return both >= ROWS and both * 2 > bands


def _paragraph(cells: list[Line], *, one_text: bool = False) -> bool:
    """Whether a column holds running text: a paragraph of PARAGRAPH_LINES lines or more,
    PARAGRAPH_WIDTH wide, evenly wrapped, that reads as one text wrapped mid-sentence
    (running_text); with `one_text`, also with no gap in any of its lines."""
    run: list[str] = []
    for text, _ in [*cells, ("", 0)]:
        if text.strip():
            run.append(text)
            continue
        if (
            len(run) >= PARAGRAPH_LINES
            and max(map(_screen_width, run)) >= PARAGRAPH_WIDTH
            and evenly_wrapped(run)
            and running_text(run, caseless=True)
            and not (one_text and any(_GAPPED.search(line) for line in run))
        ):
            return True
        run = []
    return False


def _screen_width(line: str) -> int:
    """How many screen columns a line's text takes (a wide character two)."""
    text = line.strip()
    return len(text) + (len(_WIDE.findall(text)) if _WIDE.search(text) else 0)


def evenly_wrapped(block: list[str]) -> bool:
    """Whether a block's lines were wrapped at one width: most of them (all but the last)
    within COLUMN_SLACK characters of its longest line."""
    lengths = [len(line.strip()) for line in block]
    width = max(lengths)
    near = sum(1 for n in lengths[:-1] if n > width - COLUMN_SLACK)
    return near * 3 >= (len(block) - 1) * 2


def running_text(block: list[str], *, caseless: bool = False) -> bool:
    """Whether a block's lines read as one text wrapped mid-sentence: it goes on in lowercase
    on some lines and has figures on few. Rows of a table have figures on most, and repeated
    alt texts repeat. With `caseless`, a line that starts with a letter of a script without
    case (Chinese, Japanese) goes on too."""
    lower = sum(1 for line in block[1:] if _goes_on(line.strip()[:1], caseless))
    figures = sum(1 for line in block if _DIGIT.search(line))
    return (
        lower * 4 >= len(block) - 1 and figures * 2 < len(block) and len(set(block)) == len(block)
    )


def _goes_on(first: str, caseless: bool) -> bool:
    return first.islower() or (caseless and first.isalpha() and not first.isupper())
