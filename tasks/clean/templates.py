"""A source's template: the lines it prints on every page (menus, slogans, footers).

A line that recurs across several pages of one source is not part of any one story. The
pipeline learns the template per source within a batch (learn_template), keeps it in the
warehouse and merges it with what later runs learn (merge_template); the text cleaner then
treats those lines as furniture. Lines are compared by template_key, which ignores case,
spacing, bullets and markdown emphasis, so the same menu from two renderers still matches.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from tasks.clean.text_units import split_units

_LEAD = re.compile(r"^[\s•·*+\-\u2013□☆◦▪‣●○■►▼▶◆◇✓✔#>]+")
_SPACE = re.compile(r"\s+")
_MIN_KEY_CHARS = 2  # single characters ("x", "|") say nothing about a template
LONG_LINE_WORDS = 12  # story paragraphs are long; most template lines are not


def template_key(line: str) -> str:
    """The comparable form of a line: no bullets, no case, single spaces."""
    return _SPACE.sub(" ", _LEAD.sub("", line)).strip().casefold()


def page_keys(text: str) -> set[str]:
    """The distinct line keys of one page, over the cleaner's units (wrapped lines re-joined,
    markdown undone) so that keys match what the cleaner compares."""
    keys = {template_key(unit.text) for unit in split_units(text)}
    return {k for k in keys if len(k) >= _MIN_KEY_CHARS}


def learn_template(texts: Sequence[str], min_pages: int = 2) -> frozenset[str]:
    """Lines found on at least `min_pages` of the given pages of one source.

    With fewer pages than `min_pages` nothing can be told apart, so the template is empty."""
    counts: Counter[str] = Counter()
    for keys in _distinct_articles([page_keys(text) for text in texts]):
        counts.update(keys)
    return frozenset(key for key, n in counts.items() if n >= max(min_pages, 2))


def _long_lines(keys: set[str]) -> set[str]:
    return {k for k in keys if k.count(" ") + 1 >= LONG_LINE_WORDS}


def _distinct_articles(pages: list[set[str]]) -> list[set[str]]:
    """One key set per article: two versions of the same story (an updated page, a reprint)
    share most of their long lines, and must not make their story look like a template."""
    kept: list[set[str]] = []
    for keys in pages:
        long = _long_lines(keys)
        same = False
        for other in kept:
            shared = len(long & _long_lines(other))
            if shared >= 2 and shared > 0.5 * min(len(long), len(_long_lines(other))):
                other |= keys  # merge the versions: lines of either count once
                same = True
                break
        if not same:
            kept.append(set(keys))
    return kept


def merge_template(*templates: Iterable[str]) -> frozenset[str]:
    """One template from several (the stored one and this batch's): their union."""
    merged: set[str] = set()
    for template in templates:
        merged.update(template)
    return frozenset(merged)
