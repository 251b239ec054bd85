"""A batch's pages read once: access, clean and extract from one parse, in one worker call.

A run asks three stages of every page, with gates between them: access (before the ingest
gate), clean (after it, and after documents already loaded are set aside) and extract (after
the clean gate). Run one by one, each stage parsed the page's HTML again and each got the
page's text pickled to a worker. `read_pages` is the batch's first step instead: it maps
`page_row` over the batch, which parses an HTML page once and, when the page is open, also
cleans and extracts it from that tree (the tree is read by access, then changed by clean;
extract reads clean's hints). What it returns (`Pages`) holds the batch with its access read,
and for the clean and extract stages a Mapper each (`Ready`) that gives back the results
computed in that pass instead of sending the pages out again. Whatever has no result waiting
(a text dump, a page that was not open, a worker that died) goes to the workers as before.
Stage functions and gates are unchanged, so every page ends as it would have: the results
are the ones those functions give, computed earlier.

What this costs: a page that the ingest gate then stops, or that is already in the warehouse,
was cleaned for nothing. `known` (the warehouse's documents, which skip_known sets aside
after the ingest gate) keeps the second kind from being cleaned: a rerun with --rescan reads
access only, as before.
"""

from __future__ import annotations

from collections.abc import Iterable, Set
from dataclasses import dataclass, field

import polars as pl

from tasks.clean.stage import clean_row
from tasks.extract.stage import extract_row
from tasks.ingest.access import access_row, with_access
from tasks.ingest.decode import HTML
from tasks.page.parse import load_html
from tasks.parallel import FrameRows, Mapper, Row, RowFn
from warehouse.rawstore import pack

_SPECULATE = (None, "open")  # the accesses the ingest gate lets through


def page_row(row: Row) -> Row:
    """In a worker: a raw row's access, and for an HTML page the gate will let through, its
    clean row (without the text, which the caller has) and its article row. A row sent with
    its bytes (`content`) gets them back packed for the raw store (`packed`)."""
    content = row.pop("content", None)
    out: Row = {"packed": pack(content)} if content else {}
    if row["media_type"] != HTML or not row.get("text"):
        return {**out, "access": access_row(row)}
    tree = load_html(row["text"])
    access = access_row(row, tree)
    out["access"] = access
    if access["access"] not in _SPECULATE:
        return out
    cleaned = clean_row({**row, **access}, tree)
    out["clean"] = {k: v for k, v in cleaned.items() if k != "text"}
    if "error" not in cleaned:
        out["article"] = extract_row(cleaned)
    return out


Key = tuple[str, str]


def _key(row: Row) -> Key:
    return row["doc_id"], row["uri"]


class Ready:
    """One stage's results from the page pass, as a Mapper: a row with a result waiting gets
    it back, the others go to `mapper` with the stage's function, all in row order."""

    def __init__(self, mapper: Mapper) -> None:
        self._mapper = mapper
        # by page (doc_id, uri): the same bytes may come from two places in a batch
        self._waiting: dict[Key, list[Row]] = {}

    def put(self, row: Row, result: Row) -> None:
        self._waiting.setdefault(_key(row), []).append(result)

    def waiting(self, rows: Iterable[Row]) -> list[bool]:
        """For each row, whether `map` has a result waiting for it (it then needs no text:
        mapped_rows); two rows of one page need two results, as in `map`."""
        left = {key: len(results) for key, results in self._waiting.items()}
        found = []
        for row in rows:
            key = _key(row)
            found.append(left.get(key, 0) > 0)
            if found[-1]:
                left[key] -= 1
        return found

    def map(self, fn: RowFn, rows: Iterable[Row]) -> list[Row]:
        rows = list(rows)
        results: list[Row | None] = []
        for row in rows:
            ready = self._waiting.get(_key(row))
            results.append(ready.pop(0) if ready else None)
        missing = [i for i, result in enumerate(results) if result is None]
        for i, done in zip(missing, self._mapper.map(fn, (rows[i] for i in missing)), strict=True):
            results[i] = done
        return results  # type: ignore[return-value]


@dataclass
class Pages:
    """A batch after its page pass: the raw frame with its access read, the documents the
    warehouse knew (`known`, read before the pass; skip_known sets them aside), the clean
    and extract stages' Mappers, and (with `pack`) the pages' bytes packed for the raw store
    by doc_id."""

    raw: pl.DataFrame
    known: Set[str]
    clean: Ready
    extract: Ready
    packed: dict[str, bytes] = field(default_factory=dict)


def read_pages(
    raw: pl.DataFrame, mapper: Mapper, known: Set[str] = frozenset(), *, pack: bool = False
) -> Pages:
    """The batch's page pass (see the module's doc): every row's access; for the pages not in
    `known`, also their clean and extract results. The rows go out whole but for their bytes;
    with `pack` (a run that loads), the bytes of the pages not in `known` go too, and come
    back packed for the raw store (`Pages.packed`): the compression, about 1 ms of CPU a
    page, then runs in the workers beside extraction, not in the run's own process."""
    pages = Pages(raw, known, Ready(mapper), Ready(mapper))
    if raw.is_empty():
        return pages
    # Each row is made as the mapper sends it (FrameRows): a batch's pages (their text, and
    # their bytes with `pack`) are not all held as Python objects at once.
    lean = raw.drop("content")
    sent = raw if pack else lean
    keys = list(zip(raw["doc_id"].to_list(), raw["uri"].to_list(), strict=True))
    sizes = raw["text"].str.len_chars().fill_null(0).to_list()
    # The largest pages first: the workers then end the batch on small ones, together,
    # instead of one of them waiting while the other finishes a large page sent last.
    fresh = sorted(
        (i for i, (doc_id, _) in enumerate(keys) if doc_id not in known), key=lambda i: -sizes[i]
    )
    rest = [i for i, (doc_id, _) in enumerate(keys) if doc_id in known]
    found: list[Row] = [{}] * len(keys)
    for i, done in zip(fresh, mapper.map(page_row, FrameRows(sent, fresh)), strict=True):
        doc_id, uri = keys[i]
        key_row = {"doc_id": doc_id, "uri": uri}
        found[i] = done.get("access") or {"doc_id": doc_id}  # the worker died
        if "packed" in done:
            pages.packed[doc_id] = done["packed"]
        if "clean" in done:
            # without the page's text: clean_batch takes that column from the raw frame, and
            # holding each page's text as a Python string until the clean step held a batch
            # of pages twice in memory
            pages.clean.put(key_row, done["clean"])
        if "article" in done:
            pages.extract.put(key_row, done["article"])
    for i, done in zip(rest, mapper.map(access_row, FrameRows(lean, rest)), strict=True):
        found[i] = done
    pages.raw = with_access(raw, found)
    return pages
