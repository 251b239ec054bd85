"""Plain-text page dumps cut into units: paragraphs, list items and headings, with their block.

Renderers differ: w3m hard-wraps at a fixed width and bullets with •/□, inscriptis indents and
uses `*`, html2text writes unwrapped markdown, a copy-paste gives one line per paragraph. This
module hides those differences so the boilerplate classifier sees the same units from each:
markdown link and emphasis markup is undone (tasks/page/markdown.py, which the extractor's
byline reading shares; how much of a unit was link text is kept), bullets are recognised in
any common style, and hard-wrapped lines are re-joined only when the dump shows a fixed wrap
width, for the whole page or for a narrow column (a table cell).

Tried and not kept (s19w3m, 2026-12-03): reading columns that w3m prints side by side (a
layout table's story cell beside a sidebar) one after the other before units are cut: a
gutter of two or more spaces at one screen column on consecutive lines with text on both
sides, parted only where a column holds an evenly wrapped paragraph and the columns share no
rows (branch s19w3m, tasks/clean/columns.py, reverted). It changed 5 w3m pages per half of
segments/ and none of inscriptis' once data tables were left alone; tuning segments F1 w3m
0.9365 -> 0.9369 (kath.net's four columns: 3 false positives fewer), held-out 0.8967 ->
0.8961 (one more false positive), held-out modern/ body F1 0.906 -> 0.906 and one date
fewer (79 -> 78 of 113), so it was not kept; the line model was not retrained with it.

Tried and not kept (s29w3mblk, 2026-12-04): judging where the renderer broke a line on the
screen's columns rather than after runs of spaces are collapsed (split_units measures a
collapsed line, so an indented line, such as a reader's comment, a quotation or a nested
item, is short by its indentation and its wrapped continuation starts a unit of its own).
It re-groups 437 of the dev set's 1,400 w3m dumps (3,859 units fewer), 13 of inscriptis'
900 and 2 of html2text's. Site-grouped three-fold CV on segments/' tuning half with both
models refitted per fold (bench.train_line_model's folds): no w3m head 0.9104 -> 0.9112
(one true positive more), with the shipped head (penalty 10) 0.9135 -> 0.9135, the same
counts (TP 676, FP 66, FN 62), and penalty 30 the same (0.9128 before), so the held-out
half was not looked at (branch s29w3mblk-screen, models retrained there).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.page.markdown import GAP, LINK_TAIL, QUOTE, undo_markdown

# A link whose text runs over lines: its opening bracket ends a line, and a later line
# opens on the rest of its text and its target ("Journalismus ](https://…)").
_MD_OPEN_LINK = re.compile(r"\[[^\[\]]*$")
LINK_LINES = 6  # the most lines one link's text is looked for over
_MD_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
# A markdown table's header rule ("---|---", "| :-- | --: |"; "---" over a one-column
# header) and the pipes between its cells.
_MD_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(?:\|\s*:?-{3,}:?\s*)*\|?\s*$")
_MD_CELL_EDGE = re.compile(r"^\s*\|\s*|\s*\|\s*$")
_MD_CELL_SEPARATOR = re.compile(r"\s*\|\s*")
# A bullet: any common list marker followed by a space, or an ordered-list number.
_BULLET = re.compile(r"^(\s*)(?:[•·*+\-\u2013□☆◦▪‣●○■►▼▶◆◇✓✔]|\d{1,3}[.)])\s+(?=\S)")
# How a sentence, a quotation or a bracketed aside ends (CJK full stops included).
SENTENCE_END = re.compile(r"[.!?:;。\uff01\uff1f\"”»)\]]\s*$")
_SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_WORD = re.compile(r"\w+")
_DIGIT = re.compile(r"\d")
# A narrow wrapped column (a table cell): at least this many lines, this wide, and its lines
# within this many characters of the longest one.
MIN_COLUMN_LINES, MIN_COLUMN_WIDTH, COLUMN_SLACK = 3, 30, 12


@dataclass
class Unit:
    """One paragraph, list item or heading of the dump, with the block it sits in."""

    text: str
    block: int  # index of the blank-line-separated block
    line: int  # first source line, for ordering and hints
    bullet: bool = False
    depth: int = 0  # indentation of the first line
    heading: bool = False  # a markdown heading
    image: bool = False  # a markdown image or a bracketed alt text
    words: int = 0  # set by split_units once the unit is complete
    link_chars: int = 0  # characters of the text that were link text (markdown dumps only)
    shown: str = ""  # the text as the body shows it, when it parts words `text` runs together

    @property
    def linked(self) -> float:
        """Share of the text that is link text: menus and teaser cards are links, story
        paragraphs hardly (only renderers that keep links, such as html2text, show it)."""
        return min(1.0, self.link_chars / len(self.text)) if self.text else 0.0


def unit_words(text: str) -> int:
    """A unit's length in words, the measure the text cleaner's lengths (text_dump/tuning.py)
    were tuned in: runs of word characters, plus one per two CJK characters (Hangul
    included, rounded down). It is not `word_count` (tasks/page/words.count_words, which
    splits on whitespace, counts Hangul words by their spaces and rounds CJK up): on
    "The U.S. economy grew 5%" this gives 6, that 5. Counting units with that one instead
    changed the output of 8 of the 32 repository pages (tests/tasks/clean/test_digests.py:
    5 bodies), so the cleaner keeps its own measure; the stored word count is that one."""
    cjk = len(_CJK.findall(text))
    return len(_WORD.findall(text)) + cjk // 2 if cjk else len(_WORD.findall(text))


def wrap_width(lines: list[str]) -> int | None:
    """The fixed width the dump was hard-wrapped at, or None for unwrapped text.

    A renderer that wraps breaks lines only at spaces, so no line ending in an ordinary word
    is longer than the width, and several lines come close to it. Lines ending in a long
    unbreakable token (a URL) may overflow and are ignored. In an unwrapped dump the longest
    line stands alone, and re-joining only ever touches that one."""
    breakable = [len(line) for line in lines if len(line.rsplit(" ", 1)[-1]) < 30]
    if not breakable:
        return None
    width = max(breakable)
    near = sum(1 for n in breakable if width - 15 < n <= width)
    return width if near >= 2 else None


def column_widths(lines: list[str]) -> list[int | None]:
    """For each line, the width of the narrow column its block was wrapped at, or None.

    A text browser lays table cells out side by side and wraps each at its own width, far
    below the page's: a story in a 45-column cell comes out as a block of short lines that
    wrap_width() does not see. A block shows such a column when it has several lines, most
    of them (all but the last) within a few characters of its longest line."""
    widths: list[int | None] = [None] * len(lines)
    start = 0
    while start < len(lines):
        end = start
        while end < len(lines) and lines[end].strip():
            end += 1
        block = [len(line.strip()) for line in lines[start:end]]
        if len(block) >= MIN_COLUMN_LINES:
            width = max(block)
            near = sum(1 for n in block[:-1] if n > width - COLUMN_SLACK)
            if (
                width >= MIN_COLUMN_WIDTH
                and near * 3 >= (len(block) - 1) * 2
                and _running_text(lines[start:end])
            ):
                widths[start:end] = [width] * len(block)
        start = end + 1
    return widths


def _running_text(block: list[str]) -> bool:
    """Whether a block's lines read as one text wrapped mid-sentence: it goes on in lowercase
    on some lines and has figures on few. Rows of a table have figures on most, and repeated
    alt texts repeat."""
    lower = sum(1 for line in block[1:] if line.strip()[:1].islower())
    figures = sum(1 for line in block if _DIGIT.search(line))
    return (
        lower * 4 >= len(block) - 1 and figures * 2 < len(block) and len(set(block)) == len(block)
    )


def _continues(previous: str, line: str, width: int | None) -> bool:
    """Whether `line` is the hard-wrapped continuation of `previous`."""
    if width is None or not previous:
        return False
    first_word = line.split(maxsplit=1)[0] if line.split() else ""
    # the renderer broke the line because the next word did not fit
    return len(previous.rstrip()) + 1 + len(first_word) > width - 2


def _undo_tables(lines: list[str]) -> tuple[set[int], set[int]]:
    """Markdown tables as a text browser lays them out: the header rule goes, and each row
    becomes one line of its cells side by side. The pipes between cells would otherwise make
    a row of figures look like a menu ("Home | News | Contact"). Returns the line numbers of
    the rules and of the rows."""
    rules = {
        number
        for number, line in enumerate(lines)
        if _MD_TABLE_RULE.match(line)
        # a one-column rule is a table's only where rows of cells follow; else it is a rule
        and ("|" in line or sum("|" in row for row in lines[number + 1 : number + 3]) == 2)
    }
    rows: set[int] = set()
    for number in rules:
        for step in (-1, 1):
            row = number + step
            # a row, once undone, has no pipe left: the walk stops there too
            while 0 <= row < len(lines) and "|" in lines[row] and row not in rules:
                cells = _MD_CELL_EDGE.sub("", lines[row])
                lines[row] = _MD_CELL_SEPARATOR.sub(" ", cells)
                rows.add(row)
                row += step
    return rules, rows


def _join_split_links(lines: list[str]) -> set[int]:
    """Markdown links whose text runs over several lines ("[ Haus des" … "Journalismus
    ](https://…)"), each joined onto its first line so that it is undone as one link.
    Returns the numbers of the lines joined away."""
    joined: set[int] = set()
    for number, line in enumerate(lines):
        if number in joined or not _MD_OPEN_LINK.search(line):
            continue
        for end in range(number + 1, min(number + LINK_LINES, len(lines))):
            if not lines[end].strip() or _MD_OPEN_LINK.search(lines[end]):
                break
            if LINK_TAIL.match(lines[end]):
                lines[number] = " ".join(
                    [line, *(lines[n].strip() for n in range(number + 1, end + 1))]
                )
                joined.update(range(number + 1, end + 1))
                break
    return joined


def split_units(text: str) -> list[Unit]:
    """Cut a dump into units, re-joining wrapped lines and undoing markdown."""
    raw = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", "    ").split("\n")
    lines = [QUOTE.sub("", _SPACES.sub(" ", line)).rstrip() for line in raw]
    skipped = _join_split_links(lines) if "](" in text else set()
    table_rules, table_rows = _undo_tables(lines) if "|" in text else (set(), set())
    skipped |= table_rules
    width = wrap_width(lines)
    columns = column_widths(lines)
    units: list[Unit] = []
    block = 0
    open_unit: Unit | None = None  # the unit a wrapped line may continue
    previous_raw = ""
    for number, original in enumerate(lines):
        if number in skipped:
            continue
        if not original.strip() or _MD_RULE.match(original):
            if open_unit is not None or units:
                block += 1
            open_unit, previous_raw = None, ""
            continue
        line, heading, image, link_chars = undo_markdown(original)
        if not line.strip():
            continue
        bullet = _BULLET.match(line)
        indent = len(line) - len(line.lstrip())
        if bullet:
            # an ordered item keeps its number: it is part of the text ("2. Add the flour"),
            # and "16. Dezember 2019" is a date, not item 16
            body = line.strip() if line.lstrip()[0].isdigit() else line[bullet.end() :].strip()
            open_unit = Unit(
                body,
                block,
                number,
                bullet=True,
                depth=len(bullet.group(1)),
                link_chars=link_chars,
            )
            units.append(open_unit)
        elif (
            open_unit is not None
            and not heading
            and number not in table_rows
            and (
                _continues(previous_raw, original, width)
                or _continues(previous_raw.strip(), original, columns[number])
                or (open_unit.bullet and width is not None and indent > open_unit.depth)
            )
        ):
            open_unit.text = f"{open_unit.text} {line.strip()}"
            open_unit.link_chars += link_chars
        else:
            stripped = line.strip()
            is_alt = stripped.startswith("[") and stripped.endswith("]") and "](" not in stripped
            open_unit = Unit(
                stripped,
                block,
                number,
                depth=indent,
                heading=heading,
                image=image or is_alt,
                link_chars=link_chars,
            )
            units.append(open_unit)
        previous_raw = original
    for unit in units:
        if GAP in unit.text:
            unit.shown = unit.text.replace(GAP, " ")
            unit.text = unit.text.replace(GAP, "")
        unit.words = unit_words(unit.text)  # once, after wrapped lines are re-joined
    return units
