"""A batch's HTML pages read once: access, clean and extract from one parse, in one worker call.

A run asks three stages of every page, with gates between them: access (before the ingest
gate), clean (after it, and after documents already loaded are set aside) and extract (after
the clean gate). Run one by one, each stage parsed the page's HTML again and each got the
page's text pickled to a worker. `OnePass` is the batch's Mapper (tasks.parallel) for all
three: when the access stage maps `access_row`, it maps `page_row` instead, which parses an
HTML page once and, when the page is open, also cleans and extracts it from that tree (the
tree is read by access, then changed by clean; extract reads clean's hints). The results wait
here; when the clean and extract stages map `clean_row` and `extract_row` over the pages the
gates let through, they get them back instead of sending the pages out again. Whatever has
no result waiting (a text dump, a page that was not open, a worker that died) goes to the
workers as before. Stage functions and gates are unchanged, so every page ends as it would
have: the results are the ones those functions give, computed earlier.

What this costs: a page that the ingest gate then stops, or that is already in the warehouse,
was cleaned for nothing. `known` (the warehouse's documents, as skip_known reads them) keeps
the second kind from being cleaned: a rerun with --rescan reads access only, as before.
Use one OnePass per batch: it holds the batch's results until its stages take them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from trafilatura.utils import load_html

from tasks.clean.stage import clean_row
from tasks.extract.stage import extract_row
from tasks.ingest.access import access_row
from tasks.ingest.decode import HTML
from tasks.parallel import Mapper, Row, RowFn

_SPECULATE = (None, "open")  # the accesses the ingest gate lets through


def page_row(row: Row) -> Row:
    """In a worker: a raw row's access, and for an HTML page the gate will let through, its
    clean row (without the text, which the caller has) and its article row."""
    if row["media_type"] != HTML or not row.get("text"):
        return {"access": access_row(row)}
    tree = load_html(row["text"])
    access = access_row(row, tree)
    if access["access"] not in _SPECULATE:
        return {"access": access}
    cleaned = clean_row({**row, **access}, tree)
    out: Row = {"access": access, "clean": {k: v for k, v in cleaned.items() if k != "text"}}
    if "error" not in cleaned:
        out["article"] = extract_row(cleaned)
    return out


def _key(row: Row) -> tuple[str, str]:
    return row["doc_id"], row["uri"]


class OnePass:
    """The Mapper of one batch's access, clean and extract stages (see the module's doc)."""

    def __init__(
        self, mapper: Mapper, known: Callable[[list[str]], set[str]] | None = None
    ) -> None:
        self._mapper = mapper
        self._known = known
        # results by page (doc_id, uri): the same bytes may come from two places in a batch
        self._cleaned: dict[tuple[str, str], list[Row]] = {}
        self._articles: dict[tuple[str, str], list[Row]] = {}

    def __getattr__(self, name: str) -> Any:  # workers, close, … of the mapper it wraps
        return getattr(self._mapper, name)

    def map(self, fn: RowFn, rows: Iterable[Row]) -> list[Row]:
        if fn is access_row:
            return self._read(list(rows))
        if fn is clean_row:
            return self._taken(fn, list(rows), self._cleaned)
        if fn is extract_row:
            return self._taken(fn, list(rows), self._articles)
        return self._mapper.map(fn, rows)

    def _read(self, rows: list[Row]) -> list[Row]:
        known = self._known([r["doc_id"] for r in rows]) if self._known and rows else set()
        fresh = [i for i, r in enumerate(rows) if r["doc_id"] not in known]
        found: list[Row] = [{}] * len(rows)
        for i, done in zip(
            fresh, self._mapper.map(page_row, (rows[i] for i in fresh)), strict=True
        ):
            found[i] = done.get("access") or {"doc_id": rows[i]["doc_id"]}  # the worker died
            if "clean" in done:
                cleaned = {**done["clean"], "text": rows[i]["text"]}
                self._cleaned.setdefault(_key(rows[i]), []).append(cleaned)
            if "article" in done:
                self._articles.setdefault(_key(rows[i]), []).append(done["article"])
        rest = [i for i, r in enumerate(rows) if r["doc_id"] in known]
        for i, done in zip(
            rest, self._mapper.map(access_row, (rows[i] for i in rest)), strict=True
        ):
            found[i] = done
        return found

    def _taken(
        self, fn: RowFn, rows: list[Row], waiting: dict[tuple[str, str], list[Row]]
    ) -> list[Row]:
        """The results waiting for these rows, and fn mapped over the others, in row order."""
        results: list[Row | None] = []
        for row in rows:
            ready = waiting.get(_key(row))
            results.append(ready.pop(0) if ready else None)
        missing = [i for i, result in enumerate(results) if result is None]
        for i, done in zip(missing, self._mapper.map(fn, (rows[i] for i in missing)), strict=True):
            results[i] = done
        return results  # type: ignore[return-value]
