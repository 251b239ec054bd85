"""Markdown's inline markup undone, line by line, as a browser would show the text.

html2text (and other markdown dumps) write links, images, emphasis, code and headings as
markup. The text cleaner (tasks/clean/text_units.py) reads a dump's units without it and
the extractor reads bylines without it (tasks/extract/text_dump.py); both use this one
function, so a byline reads as the unit the cleaner saw.

Why the markdown is undone here and not by markdown-it-py (issue 13, measured 2026-12-02):
markdown-it reads whole documents, and a dump's indentation, bullets and hard wraps are not
markdown blocks, so only its inline parser could replace the code below (links, images,
emphasis, code, escapes); headings, tables, blockquotes, links over several lines and the
image-line test stay regardless. With it, the output is not the same: on the dev set's
segments/ and dates/ pages 3,141 of 314,065 html2text lines (104 of 335,307 w3m, 87 of
235,153 inscriptis) come out differently, and 1 of the 32 repository pages
(bench.digests). Causes: CommonMark refuses html2text's link targets with spaces
(`[Log Out](javascript:doLogout\\( 'x' \\);)` stays as raw markup), and the bare `****` and
`__` an icon leaves are not emphasis to it. Segment F1 (the dev set's scorer, all pages;
no held-out split exists yet): html2text 0.9006 -> 0.9022, but w3m 0.9009 -> 0.9008 and
inscriptis 0.9017 -> 0.9013, so a figure drops; and it costs 3.6x the CPU per line (5.7
against 1.6 cpu-s over 178,928 html2text lines). Worth trying again once `make eval`
reports a held-out half.
"""

from __future__ import annotations

import re

_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\([^)\n]*\)")
# A link's text may hold one level of brackets: an image inside a link, once the image is
# undone, is "[alt]" ("[[alt] Teaser title](/story)": a teaser card).
_MD_LINK = re.compile(r"\[((?:[^\[\]\n]|\[[^\[\]\n]*\])*)\]\((?:[^()\n]|\([^)\n]*\))*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^>\s]+)>")
_MD_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_ITALIC = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])([^*_\n]+?)(?<=[^\s*_])\1(?![\w*])")
# Strong markers left over once pairs are undone: an icon element (<i class="icon"></i>)
# rendered as `__` or `****` in front of a label, or the seams of bold text that changes
# style inside a word ("**nach**** _NDR_****-Recherchen**"). They go before italics are
# undone, so that "_NDR_" is whole again.
_MD_STRAY_STRONG = re.compile(r"^\s*(?:\*\*|__)+\s?|(?:\*\*|__)+")
# A backslash-escaped character (`28\. Juli`, `\*`) is text, not markup: it is shielded as a
# private-use character while the markup is undone, then put back.
_MD_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!>|])")
_SHIELD = 0xE000
_UNSHIELD = {_SHIELD + ord(c): c for c in "\\`*_{}[]()#+-.!>|"}
# Characters without which a line holds no markdown markup.
_MD_CHARS = re.compile(r"[\\\[*_#<`]")
_MD_CODE = re.compile(r"`([^`\n]+)`")  # inline code: `next-line`
# html2text parts a comma or full stop from the emphasis before it ("**Deutschland** , …").
_SPACE_BEFORE_STOP = re.compile(r"\s+([,.])(?=\s|$)")
# A heading, also as the text of a list item ("  * ### Impressum"); "###" alone is empty.
_MD_HEADING = re.compile(r"^(\s*[*+-]\s+|\s{0,3})(#{1,6})(?:\s+(.*?))?\s*#*\s*$")
# The rest of a link whose text ran over lines: its text's end and its target
# ("Journalismus ](https://…)").
LINK_TAIL = re.compile(r"^([^\[\]]*)\]\((?:[^()\s]|\([^)\s]*\))+(?:\s+\"[^\"\n]*\")?\)")
# A markdown blockquote ("> text", nested "> > text"; a bare ">" between its paragraphs).
# A Python prompt (">>> ") or an indented breadcrumb (" > Blog > …") is not one.
QUOTE = re.compile(r"^(?:>(?: |$))+")


def _parted(m: re.Match[str], text: str) -> str:
    """`text` in place of the markup `m` around it, parted by a space from a word it touches.
    html2text drops the space before a link or a bold run that follows a word ("inzwischen
    [eine …]" becomes "inzwischen[eine …](…)", "die **3G-Regelung**" "die**3G-Regelung**"),
    and markup seldom starts or ends inside a word, so undoing it must not glue two words."""
    line = m.string
    before = m.start() > 0 and line[m.start() - 1].isalnum() and text[:1].isalnum()
    after = m.end() < len(line) and line[m.end()].isalnum() and text[-1:].isalnum()
    # a word behind an emphasis marker ("an**[mail](…)**oder"): parted in the body only
    shown = text.strip(_MARKERS)
    gap_before = _beside(line, m.start() - 1, -1).isalnum() and shown[:1].isalnum()
    gap_after = _beside(line, m.end(), 1).isalnum() and shown[-1:].isalnum()
    return (
        f"{' ' if before else GAP if gap_before else ''}{text}"
        f"{' ' if after else GAP if gap_after else ''}"
    )


# Where undoing markup parts two words only in the body the cleaner writes (Unit.shown): the
# units' text, which the rules and the line model read, stays as it was. Parting them there
# too (two links html2text runs together, "[Fold](#)[Unfold](#)") turned tag and teaser
# lines into text and lowered held-out html2text segments F1 0.9005 -> 0.8992; retraining
# the line model on the parted text did not win it back (the rules' verdicts changed).
GAP = "\u2063"
_MARKERS = "*_"  # emphasis markers, undone after links


def _beside(line: str, i: int, step: int) -> str:
    """The first character from position i on (step -1: backwards) that is no emphasis
    marker, or ""."""
    while 0 <= i < len(line) and line[i] in _MARKERS:
        i += step
    return line[i] if 0 <= i < len(line) else ""


def _link_text(m: re.Match[str]) -> str:
    """A link's text, parted from a word it touches; in the body, also from a link right
    after it (two buttons a browser shows apart)."""
    text = _parted(m, m.group(1))
    following = m.string.startswith("[", m.end()) and _MD_LINK.match(m.string, m.end())
    if following and text[-1:].isalnum() and following.group(1).strip(_MARKERS)[:1].isalnum():
        return f"{text}{GAP}"
    return text


def _image_text(m: re.Match[str]) -> str:
    """An image as its alt text in brackets; one with none goes, and parts the two words it
    stood between ("2024![](photo.png)If" is "2024" and "If", as a browser shows them)."""
    if m.group(1):
        return f"[{m.group(1)}]"
    before, after = _beside(m.string, m.start() - 1, -1), _beside(m.string, m.end(), 1)
    return GAP if before.isalnum() and after.isalnum() else ""


def _strong_text(m: re.Match[str]) -> str:
    return _parted(m, m.group(2))


def _stray_strong(m: re.Match[str]) -> str:
    """A leftover strong marker goes; between two words ("sowie**medizinische"), a space."""
    line = m.string
    inside = m.start() > 0 and m.end() < len(line)
    return " " if inside and line[m.start() - 1].isalnum() and line[m.end()].isalnum() else ""


def undo_markdown(line: str) -> tuple[str, bool, bool, int]:
    """The line without markdown markup, whether it was a heading / an image line, and how
    many of its characters were link text."""
    if not _MD_CHARS.search(line):  # most lines of most dumps: nothing to undo
        stripped = line.strip()
        return line, False, bool(stripped) and not stripped.strip(" []()|"), 0
    line = _MD_ESCAPE.sub(lambda m: chr(_SHIELD + ord(m.group(1))), line)
    heading = False
    m = _MD_HEADING.match(line) if "#" in line else None
    if m:
        line, heading = (m.group(1) + m.group(3) if m.group(3) else ""), True
    stripped = line.strip()
    image = bool(stripped) and not _MD_IMAGE.sub("", stripped).strip(" []()|")
    line = _MD_IMAGE.sub(_image_text, line)
    link_chars = sum(len(m.group(1).strip()) for m in _MD_LINK.finditer(line))
    line = _MD_LINK.sub(_link_text, line)
    tail = LINK_TAIL.match(line) if "](" in line else None
    if tail:
        link_chars += len(tail.group(1).strip())
        line = tail.group(1) + line[tail.end() :]
    line = _MD_AUTOLINK.sub(r"\1", line)
    if "`" in line:
        line = _MD_CODE.sub(r"\1", line)
    emphasised = line
    line = _MD_EMPHASIS.sub(_strong_text, line)
    line = _MD_STRAY_STRONG.sub(_stray_strong, line)
    line = _MD_ITALIC.sub(r"\2", line)
    if line != emphasised:
        line = _SPACE_BEFORE_STOP.sub(r"\1", line)
    line = line.translate(_UNSHIELD)
    return line, heading, image, link_chars


def plain(line: str) -> str:
    """The line as a browser shows it: without its quote marker and its markup, and with a
    space where undoing a link or an emphasis parts two words (the byline reading's view;
    the cleaner keeps its units' text unparted, see GAP)."""
    return undo_markdown(QUOTE.sub("", line))[0].replace(GAP, " ")
