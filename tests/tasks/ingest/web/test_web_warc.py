"""WARC files written with warcio, read back through read_warc and read_file."""

from __future__ import annotations

import gzip
import uuid
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tasks.ingest.files import read_file
from tasks.ingest.records import IngestFailure, RawRecord
from tasks.ingest.web.warc import read_warc

PAGE = "<html><head><title>Grüße</title></head><body><p>Straße</p></body></html>"


def _response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    headers: list[tuple[str, str]],
    status: str = "200 OK",
    date: str = "2024-03-01T10:00:00Z",
) -> str:
    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        http_headers=http,
        warc_headers_dict={
            "WARC-Date": date,
            "WARC-Record-ID": f"<urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, url)}>",
        },
    )
    writer.write_record(record)
    return record.rec_headers.get_header("WARC-Record-ID").strip("<>")


def _write(path: Path) -> dict[str, str]:
    ids: dict[str, str] = {}
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz"))
        ids["latin"] = _response(
            writer,
            "https://news.example/a",
            PAGE.encode("latin-1"),
            [("Content-Type", "text/html; charset=ISO-8859-1")],
        )
        ids["gzip"] = _response(
            writer,
            "https://news.example/b",
            gzip.compress(b"<p>b</p>"),
            [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
        )
        _response(
            writer, "https://news.example/logo.png", b"\x89PNG", [("Content-Type", "image/png")]
        )
        _response(
            writer,
            "https://news.example/moved",
            b"",
            [("Location", "https://news.example/a")],
            status="301 Moved",
        )
        ids["bad-date"] = _response(
            writer,
            "https://news.example/c",
            b"<html>c</html>",
            [("Content-Type", "text/html")],
            date="yesterday",
        )
        ids["untyped"] = _response(
            writer, "https://news.example/d", b"<!doctype html><html><body>d</body></html>", []
        )
        request = writer.create_warc_record(
            "https://news.example/a", "request", payload=BytesIO(b"GET /a HTTP/1.1\r\n\r\n")
        )
        writer.write_record(request)
    return ids


def test_html_responses_become_records(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc.gz"
    ids = _write(path)
    items = list(read_warc(path))
    assert [type(i) for i in items] == [RawRecord, RawRecord, IngestFailure, RawRecord]
    latin, packed, bad, untyped = items
    assert latin.uri == f"warc:{path.resolve()}#{ids['latin']}"
    assert latin.url == "https://news.example/a"
    assert latin.fetched_at == datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert latin.charset_hint == "ISO-8859-1" and latin.media_type_hint == "text/html"
    assert latin.content == PAGE.encode("latin-1")
    assert packed.content == b"<p>b</p>"  # Content-Encoding undone
    assert bad.reason == "malformed_record" and "yesterday" in bad.observed
    assert untyped.url == "https://news.example/d"


def test_oversized_records_keep_their_size_not_their_bytes(tmp_path: Path) -> None:
    path = tmp_path / "crawl.warc"
    _write(path)
    latin = next(read_warc(path, max_bytes=20))
    assert latin.content == b"" and latin.size_bytes == len(PAGE.encode("latin-1"))


def test_a_broken_archive_ends_with_a_failure(tmp_path: Path) -> None:
    good = tmp_path / "good.warc.gz"
    _write(good)
    broken = tmp_path / "broken.warc.gz"
    data = good.read_bytes()
    broken.write_bytes(data[: len(data) // 2] + b"garbage, not a WARC record at all" * 20)
    items = list(read_file(broken, max_bytes=1_000_000))
    assert isinstance(items[0], RawRecord)
    assert isinstance(items[-1], IngestFailure)
    assert items[-1].reason == "malformed_record"
