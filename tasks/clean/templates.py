"""A source's template: the lines it prints on every page (menus, slogans, footers).

A line that recurs across several articles of one source is not part of any one story. The
pipeline remembers, per source, which article each line was seen on (TemplateMemory): the
warehouse keeps the short lines across runs, a run's own in a scratch DuckDB file, a batch
adds all of its pages' lines (BatchLines); none of it is held whole in memory. A line
becomes template only once it is seen on two different articles; the versions of one page
(the same URL fetched again, a re-run) are one article, so a page's own earlier versions can
never turn its story into template. Lines are compared by template_key, which ignores case,
spacing, bullets and markdown emphasis, so the same menu from two renderers still matches.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

import polars as pl

from tasks.clean.text_units import split_units
from warehouse.connection import READ_TIMEOUT_S
from warehouse.load import load_template_lines, template_lines_for
from warehouse.scratch import RunLines

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


class BatchLines:
    """Per source, the one article each line was seen on, or MANY once seen on two: for the
    pages of one batch (bounded by the batch)."""

    def __init__(self) -> None:
        self._lines: dict[str, dict[str, str]] = {}

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


_PAIRS = {"source_id": pl.String, "line": pl.String}
_SEEN = {**_PAIRS, "article": pl.String}


def _merged(lines: pl.DataFrame) -> pl.DataFrame:
    """One row per (source, line): its article when one article showed it, else MANY."""
    return lines.group_by("source_id", "line").agg(
        pl.when(pl.col("article").n_unique() == 1)
        .then(pl.col("article").first())
        .otherwise(pl.lit(MANY))
        .alias("article")
    )


class TemplateMemory:
    """Per source, the one article each line was seen on, or MANY once seen on two: what the
    warehouse at `db` keeps (looked up per batch, never loaded whole) merged with what this
    run's pages have shown, kept in a scratch DuckDB file (warehouse.scratch.RunLines).
    Nothing of it stays in the process: flat memory whatever the number of pages."""

    def __init__(self, db: Path | str | None = None, *, timeout_s: float = READ_TIMEOUT_S) -> None:
        self._db = Path(db) if db is not None else None
        self._timeout_s = timeout_s
        self._run: RunLines | None = None  # made when a text dump first teaches a line

    def check(self) -> TemplateMemory:
        """Raises warehouse.load.WarehouseOutdated now for a warehouse too old to read."""
        if self._db is not None:
            template_lines_for(
                self._db,
                pl.DataFrame({"source_id": [""], "line": [""]}, schema=_PAIRS),
                timeout_s=self._timeout_s,
            )
        return self

    def learn(self, lines: pl.DataFrame) -> None:
        """Add (source_id, line, article) rows: a line seen on another article than the one
        on record becomes MANY."""
        if lines.is_empty():
            return
        if self._run is None:
            self._run = RunLines()
        self._run.learn(_merged(lines.select(_SEEN.keys())))

    def seen(self, pairs: pl.DataFrame) -> dict[tuple[str, str], str]:
        """(source, line) → the article it was seen on (MANY for two or more), for the given
        (source_id, line) pairs that the warehouse or this run has seen."""
        pairs = pairs.select(_PAIRS.keys()).unique()
        found = [pl.DataFrame(schema=_SEEN)]
        if self._db is not None:
            found.append(template_lines_for(self._db, pairs, timeout_s=self._timeout_s))
        if self._run is not None and not pairs.is_empty():
            found.append(self._run.seen(pairs))
        merged = _merged(pl.concat(found, how="vertical_relaxed"))
        return {(s, line): a for s, line, a in merged.iter_rows()}

    def add(self, source: str, article: str, keys: Iterable[str]) -> None:
        self.learn(
            pl.DataFrame(
                {"source_id": source, "line": sorted(set(keys)), "article": article}, schema=_SEEN
            )
        )

    def template_for(self, source: str, article: str, keys: Iterable[str]) -> frozenset[str]:
        """Those of a page's line keys that another article of its source has shown."""
        keys = set(keys)
        seen = self.seen(pl.DataFrame({"source_id": source, "line": sorted(keys)}, schema=_PAIRS))
        return frozenset(
            k for k in keys if (a := seen.get((source, k))) is not None and a != article
        )

    def lines(self, source: str) -> dict[str, str]:
        """Every line of one source on record (for tests and inspection; reads it whole)."""
        found = [pl.DataFrame(schema=_SEEN)]
        if self._db is not None:
            kept = load_template_lines(self._db, source, timeout_s=self._timeout_s).get(source, {})
            found.append(
                pl.DataFrame(
                    {"source_id": source, "line": list(kept), "article": list(kept.values())},
                    schema=_SEEN,
                )
            )
        if self._run is not None:
            found.append(self._run.of_source(source))
        merged = _merged(pl.concat(found, how="vertical_relaxed"))
        return dict(zip(merged["line"], merged["article"], strict=True))

    def close(self) -> None:
        if self._run is not None:
            self._run.close()
            self._run = None
