"""A source's template: the lines it prints on every page (menus, slogans, footers).

A line that recurs across several articles of one source is not part of any one story. The
pipeline remembers, per source, which article each line was seen on (TemplateMemory): the
warehouse keeps the short lines across runs, a batch adds all of its pages' lines. A line
becomes template only once it is seen on two different articles; the versions of one page
(the same URL fetched again, a re-run) are one article, so a page's own earlier versions can
never turn its story into template. Lines are compared by template_key, which ignores case,
spacing, bullets and markdown emphasis, so the same menu from two renderers still matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from tasks.clean.text_units import split_units

_LEAD = re.compile(r"^[\s•·*+\-\u2013□☆◦▪‣●○■►▼▶◆◇✓✔#>]+")
_SPACE = re.compile(r"\s+")
_MIN_KEY_CHARS = 2  # single characters ("x", "|") say nothing about a template
LONG_LINE_WORDS = 12  # story paragraphs are long; most template lines are not
MANY = ""  # the "article" of a line seen on two or more articles (no article id is empty)


def template_key(line: str) -> str:
    """The comparable form of a line: no bullets, no case, single spaces."""
    return _SPACE.sub(" ", _LEAD.sub("", line)).strip().casefold()


def page_keys(text: str) -> set[str]:
    """The distinct line keys of one page, over the cleaner's units (wrapped lines re-joined,
    markdown undone) so that keys match what the cleaner compares."""
    keys = {template_key(unit.text) for unit in split_units(text)}
    return {k for k in keys if len(k) >= _MIN_KEY_CHARS}


def is_long(key: str) -> bool:
    """A line as long as a story paragraph: the warehouse does not keep those across runs."""
    return key.count(" ") + 1 >= LONG_LINE_WORDS


class TemplateMemory:
    """Per source, the one article each line was seen on, or MANY once seen on two."""

    def __init__(self, lines: Mapping[str, Mapping[str, str]] | None = None) -> None:
        self._lines: dict[str, dict[str, str]] = {s: dict(v) for s, v in (lines or {}).items()}

    def add(self, source: str, article: str, keys: Iterable[str]) -> None:
        lines = self._lines.setdefault(source, {})
        for key in keys:
            seen = lines.setdefault(key, article)
            if seen != article:
                lines[key] = MANY

    def template_for(self, source: str, article: str, keys: Iterable[str]) -> frozenset[str]:
        """Those of a page's line keys that another article of its source has shown."""
        lines = self._lines.get(source)
        if not lines:
            return frozenset()
        return frozenset(k for k in keys if (seen := lines.get(k)) is not None and seen != article)

    def lines(self, source: str) -> dict[str, str]:
        return dict(self._lines.get(source, {}))


def learn_template(pages: Iterable[tuple[str, str]], min_articles: int = 2) -> frozenset[str]:
    """Lines found on at least `min_articles` (never fewer than two) of the given articles of
    one source; `pages` are (article id, text) pairs, several versions of an article count
    once."""
    seen: dict[str, set[str]] = {}
    for article, text in pages:
        for key in page_keys(text):
            seen.setdefault(key, set()).add(article)
    return frozenset(k for k, articles in seen.items() if len(articles) >= max(min_articles, 2))
