"""One pass per HTML page: the batch's access, clean and extract give what they give run one by
one, while each open HTML page is parsed and sent to a worker once."""

from __future__ import annotations

import gzip
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.registry import Registry
from tasks.clean.stage import clean_batch
from tasks.extract.stage import extract_batch
from tasks.ingest.access import classify_batch
from tasks.ingest.records import RawRecord, raw_row
from tasks.one_pass import read_pages
from tasks.parallel import RowMapper
from warehouse.rawstore import get, pack, put_packed

FIXTURES = Path(__file__).parents[1] / "fixtures"
PAGES = (
    "html/pythonspeed-pipenv-docker.html",
    "html/s0105.html.gz",
    "html/d0035.html.gz",
    "access/react_shell.html",  # js_required: the ingest gate stops it
)
TIMINGS = ("clean_ms", "extract_ms", "ingest_ms")


class Recording:
    """A real mapper that notes which function it was given for which documents."""

    def __init__(self, mapper: RowMapper) -> None:
        self.mapper = mapper
        self.calls: list[tuple[str, list[str]]] = []

    def map(self, fn: Any, rows: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = list(rows)
        self.calls.append((fn.__name__, [r["uri"].rsplit("/", 1)[-1] for r in rows]))
        return self.mapper.map(fn, rows)

    def sent(self, name: str) -> list[str]:
        return [uri for fn, uris in self.calls if fn == name for uri in uris]


def _raw() -> pl.DataFrame:
    fetched = datetime(2026, 12, 1, tzinfo=UTC)
    contents = [(FIXTURES / name).read_bytes() for name in PAGES]
    contents = [
        gzip.decompress(c) if n.endswith(".gz") else c for n, c in zip(PAGES, contents, strict=True)
    ]
    dump = next((FIXTURES / "text").rglob("*.txt"))
    rows = [
        raw_row(
            RawRecord(uri=f"file:///{Path(name).name}", content=c, fetched_at=fetched), "r", 1 << 24
        )
        for name, c in [*zip(PAGES, contents, strict=True), (dump.name, dump.read_bytes())]
    ]
    return pl.DataFrame(rows, schema=RAW_SCHEMA)


Frames = tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]


def _done(read: pl.DataFrame, clean_with: Any, extract_with: Any) -> Frames:
    clean, errors = clean_batch(read, clean_with)
    assert errors.is_empty()
    articles, errors = extract_batch(clean, extract_with)
    assert errors.is_empty()
    return read, clean.drop(TIMINGS, strict=False), articles.drop(TIMINGS, strict=False)


def _apart(raw: pl.DataFrame, mapper: Any) -> Frames:
    return _done(classify_batch(raw, mapper), mapper, mapper)


def _together(raw: pl.DataFrame, mapper: Any) -> Frames:
    pages = read_pages(raw, mapper)
    return _done(pages.raw, pages.clean, pages.extract)


@pytest.fixture(scope="module")
def mapper() -> Iterable[RowMapper]:
    with RowMapper(Registry(()), workers=1) as mapper:
        yield mapper


def test_one_pass_gives_what_the_stages_give_apart(mapper: RowMapper) -> None:
    raw = _raw()
    apart = _apart(raw, mapper)
    together = _together(raw, mapper)
    for one, other in zip(apart, together, strict=True):
        assert one.equals(other)
    assert apart[0]["access"].to_list() == ["open", "open", "open", "js_required", "open"]
    assert apart[2]["title"].null_count() < apart[2].height


def test_an_open_html_page_goes_to_a_worker_once(mapper: RowMapper) -> None:
    raw = _raw()
    recording = Recording(mapper)
    _together(raw, recording)
    html = [Path(name).name for name in PAGES]
    dump = raw["uri"][-1].rsplit("/", 1)[-1]
    assert sorted(recording.sent("page_row")) == sorted([*html, dump])
    # what the access call did not clean: the page the gate would stop, and the text dump
    # (cleaned with its source's templates, which the batch learns after access)
    assert recording.sent("clean_row") == ["react_shell.html", dump]
    assert recording.sent("extract_row") == ["react_shell.html", dump]
    assert recording.sent("access_row") == []


def test_the_largest_pages_go_to_the_workers_first(mapper: RowMapper) -> None:
    """So that a batch's workers end on small pages, together; the rows come back in the
    batch's order all the same."""
    raw = _raw()
    recording = Recording(mapper)
    pages = read_pages(raw, recording)
    by_size = sorted(zip(raw["text"].str.len_chars(), raw["uri"], strict=True), key=lambda p: -p[0])
    assert recording.sent("page_row") == [uri.rsplit("/", 1)[-1] for _, uri in by_size]
    assert pages.raw["doc_id"].to_list() == raw["doc_id"].to_list()


def test_known_documents_only_get_their_access_read(mapper: RowMapper) -> None:
    raw = _raw()
    known = raw["doc_id"][0]
    recording = Recording(mapper)
    pages = read_pages(raw, recording, known={known})
    assert recording.sent("access_row") == ["pythonspeed-pipenv-docker.html"]
    assert "pythonspeed-pipenv-docker.html" not in recording.sent("page_row")
    assert pages.raw["access"].to_list() == classify_batch(raw, mapper)["access"].to_list()
    assert pages.known == {known}


def test_a_row_without_a_result_waiting_gets_its_text(mapper: RowMapper) -> None:
    """Rows whose result waits go to the stage without their text (tasks.parallel's
    mapped_rows); a page met twice with one result waiting is cleaned the second time from
    its text, and comes out the same."""
    raw = _raw().head(1)
    recording = Recording(mapper)
    pages = read_pages(raw, recording)
    twice = pl.concat([pages.raw, pages.raw])
    clean, errors = clean_batch(twice, pages.clean)
    assert errors.is_empty()
    assert recording.sent("clean_row") == ["pythonspeed-pipenv-docker.html"]
    one, other = clean.drop(TIMINGS, strict=False).iter_rows(named=True)
    assert one == other and one["body"]


def test_a_loading_run_gets_its_pages_packed_for_the_raw_store(
    mapper: RowMapper, tmp_path: Path
) -> None:
    """With `pack`, each page the warehouse does not know comes back packed as the raw store
    keeps it (the compression done in the worker), a known one does not (its file is there),
    and the pass's results are the ones it gives without."""
    raw = _raw()
    known = raw["doc_id"][0]
    pages = read_pages(raw, mapper, known={known}, pack=True)
    fresh = raw.filter(pl.col("doc_id") != known)
    assert set(pages.packed) == set(fresh["doc_id"])
    for doc_id, content in fresh.select("doc_id", "content").iter_rows():
        assert pages.packed[doc_id] == pack(content)
        put_packed(tmp_path, doc_id, pages.packed[doc_id])
        assert get(tmp_path, doc_id) == content  # named by its doc_id, the sha256 of its bytes
    unpacked = read_pages(raw, mapper, known={known})
    for one, other in zip(
        _done(pages.raw, pages.clean, pages.extract),
        _done(unpacked.raw, unpacked.clean, unpacked.extract),
        strict=True,
    ):
        assert one.equals(other)
