"""A JSON Lines export or a WARC file many times larger than a batch streams: the readers
hold one record at a time, so the memory they take does not follow the file's size."""

from __future__ import annotations

import gzip
import json
import tracemalloc
from collections.abc import Callable
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tasks.ingest.files import iter_items
from tasks.ingest.records import RawRecord

PARAGRAPH = "The council met again on Tuesday to argue over the cost of the new tram line. "


def page(k: int) -> str:
    """About 12 KB of HTML, distinct per record."""
    paragraphs = "".join(f"<p>{k} {PARAGRAPH * 3}</p>" for _ in range(50))
    return f"<html><head><title>Story {k}</title></head><body>{paragraphs}</body></html>"


def peak_while_reading(path: Path) -> tuple[int, int]:
    """(records read, peak bytes the Python heap grew by while reading them one by one)."""
    count = 0
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        for item in iter_items([path], max_bytes=1_000_000):
            assert isinstance(item, RawRecord), item
            count += 1
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return count, peak


def write_jsonl(path: Path, records: int) -> None:
    with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
        for k in range(records):
            line = {"url": f"https://news.example/{k}", "html": page(k), "title": f"Story {k}"}
            out.write(json.dumps(line) + "\n")


def write_warc(path: Path, records: int) -> None:
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for k in range(records):
            http = StatusAndHeaders(
                "200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1"
            )
            writer.write_record(
                writer.create_warc_record(
                    f"https://news.example/{k}",
                    "response",
                    payload=BytesIO(page(k).encode()),
                    http_headers=http,
                    warc_headers_dict={"WARC-Date": "2024-03-01T10:00:00Z"},
                )
            )


@pytest.mark.parametrize(
    ("suffix", "write"), [(".jsonl.gz", write_jsonl), (".warc.gz", write_warc)]
)
def test_a_file_four_times_larger_takes_no_more_memory_to_read(
    tmp_path: Path, suffix: str, write: Callable[[Path, int], None]
) -> None:
    """250 and 1,000 records (about 3 and 12 MB of pages): the reader's peak stays that of
    its read buffers (a few MB for JSON Lines' 1 MiB chunks, less for WARC), whatever the
    file's size."""
    peaks = []
    for records in (250, 1_000):
        path = tmp_path / f"{records}{suffix}"
        write(path, records)
        count, peak = peak_while_reading(path)
        assert count == records
        peaks.append(peak)
    small, large = peaks
    assert large < small * 1.2 + 500_000, peaks
    assert large < sum(len(page(k)) for k in range(1_000)) / 2, peaks  # a fraction of the file
