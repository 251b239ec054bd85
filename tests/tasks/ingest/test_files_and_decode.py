import json
from datetime import UTC, datetime
from pathlib import Path

from newsdesk.core.contracts.raw import RAW_SCHEMA
from tasks.ingest.decode import decode
from tasks.ingest.files import batched, discover, iter_items
from tasks.ingest.records import IngestFailure, RawRecord, to_frames

SEEDS = Path(__file__).resolve().parents[2] / "fixtures" / "seeds"


def test_encodings_are_detected_not_assumed() -> None:
    german = "<html><head><meta charset='windows-1252'></head><body><p>Grüße aus München"
    assert decode(german.encode("cp1252")).text.endswith("Grüße aus München")
    assert decode(german.encode("cp1252")).encoding == "cp1252"
    # A declared legacy charset loses to bytes that are valid UTF-8.
    assert decode(german.encode("utf-8")).encoding == "utf-8"
    assert decode("\ufeffhallo".encode("utf-8")).text == "hallo"
    polish = "<html><meta charset=iso-8859-2><p>Zażółć gęślą jaźń</p></html>"
    assert "Zażółć gęślą jaźń" in decode(polish.encode("iso-8859-2")).text
    chinese = "<html><meta charset=gb2312><p>中华人民共和国新闻</p></html>"
    assert "中华人民共和国新闻" in decode(chinese.encode("gb2312")).text
    no_declaration = "Straße, Übermut und Äpfel: schöne Grüße aus Köln, heißt es."
    assert decode(no_declaration.encode("cp1252")).text == no_declaration


def test_declared_utf8_with_a_few_stray_bytes_is_read() -> None:
    page = b"<html><meta charset='utf-8'><p>" + b"ok " * 200 + b"\xe9t\xe9</p></html>"
    decoded = decode(page)
    assert decoded.encoding == "utf-8 (invalid bytes replaced)"
    assert "ok ok" in decoded.text


def test_binary_content_is_not_decoded() -> None:
    assert decode(b"%PDF-1.7 ...").media_type == "application/pdf"
    assert decode(b"%PDF-1.7 ...").encoding == "binary"
    assert decode(b"\x89PNG\r\n\x1a\n....").text is None
    assert decode(b"abc\x00\x01\x02def").media_type == "application/octet-stream"


def test_html_is_sniffed_from_bytes() -> None:
    assert decode(b"<!DOCTYPE html><html><body><p>x</p></body></html>").media_type == "text/html"
    assert decode(b"Just a plain dump\n\nof a page").media_type == "text/plain"


def test_discovery_is_recursive_stable_and_skips_sidecars(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.html").write_text("<html></html>")
    (tmp_path / "a.txt").write_text("text")
    (tmp_path / "a.txt.meta.json").write_text("{}")
    (tmp_path / ".hidden").write_text("x")
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path])] == [
        "a.txt",
        "b/z.html",
    ]


def test_sidecar_fills_what_the_page_does_not_show(tmp_path: Path) -> None:
    page = tmp_path / "page.txt"
    page.write_text("Headline\n\nBody", encoding="utf-8")
    (tmp_path / "page.txt.meta.json").write_text(
        json.dumps(
            {
                "url": "https://english.almayadeen.net/x",
                "source": "Al Mayadeen English",
                "fetched_at": "2024-05-01T10:00:00Z",
                "published": "2024-04-30",
            }
        )
    )
    [record] = list(iter_items([page], max_bytes=1000))
    assert isinstance(record, RawRecord)
    assert record.url == "https://english.almayadeen.net/x"
    assert record.source_hint == "Al Mayadeen English"
    assert record.published_hint == "2024-04-30"
    assert record.fetched_at == datetime(2024, 5, 1, 10, tzinfo=UTC)


def test_jsonl_exports_give_one_record_per_line_and_bad_lines_fail_alone(tmp_path: Path) -> None:
    export = tmp_path / "export.jsonl"
    export.write_text(
        "\n".join(
            [
                json.dumps(
                    {
                        "url": "https://a.example/1",
                        "html": "<html><p>one</p></html>",
                        "title": "One",
                        "date": "2024-01-02",
                    }
                ),
                "{not json",
                json.dumps({"url": "https://a.example/2", "text": "two as text"}),
                json.dumps({"url": "https://a.example/3"}),
                json.dumps(["a list"]),
            ]
        ),
        encoding="utf-8",
    )
    items = list(iter_items([export], max_bytes=1000))
    records = [i for i in items if isinstance(i, RawRecord)]
    failures = [i for i in items if isinstance(i, IngestFailure)]
    assert [r.url for r in records] == ["https://a.example/1", "https://a.example/2"]
    assert records[0].title_hint == "One" and records[0].published_hint == "2024-01-02"
    assert records[0].media_type_hint == "text/html"
    assert records[1].media_type_hint == "text/plain"
    assert [f.uri.rsplit("#", 1)[1] for f in failures] == ["L2", "L4", "L5"]
    assert {f.reason for f in failures} == {"malformed_record"}


def test_a_json_array_export_is_refused_saying_what_is_read(tmp_path: Path) -> None:
    """Found by hand: a JSON array export (`export.json`, as scrapy -o writes) was sniffed as
    HTML and became one document, the first record's page, the others lost without a row.
    It is one unsupported_type row naming JSON Lines; a sidecar is read as before."""
    rows = [{"url": f"https://a.example/{n}", "html": f"<html><p>{n}</p></html>"} for n in (1, 2)]
    (tmp_path / "export.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    (tmp_path / "page.html").write_text("<html><p>page</p></html>", encoding="utf-8")
    (tmp_path / "page.html.meta.json").write_text('{"url": "https://a.example/p"}')
    items = list(iter_items([tmp_path], max_bytes=1000))
    [record] = [i for i in items if isinstance(i, RawRecord)]
    assert record.url == "https://a.example/p"
    [refused] = [i for i in items if isinstance(i, IngestFailure)]
    assert refused.uri.endswith("/export.json") and refused.reason == "unsupported_type"
    assert ".jsonl" in refused.observed and "jq -c" in refused.observed


def test_raw_frame_follows_the_schema_and_hashes_content(tmp_path: Path) -> None:
    (tmp_path / "seed.txt").write_bytes((SEEDS / "002_9fff910d0917317a.txt").read_bytes())
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "big.html").write_bytes(b"<p>" + b"x" * 20000)
    (tmp_path / "page.zip").write_bytes(b"PK\x03\x04" + bytes(range(256)))
    raw, failures = to_frames(
        iter_items([tmp_path], max_bytes=10_000), run_id="r1", max_bytes=10_000
    )
    assert raw.schema == RAW_SCHEMA
    assert failures.is_empty()
    by_name = {row["uri"].rsplit("/", 1)[1]: row for row in raw.iter_rows(named=True)}
    assert by_name["seed.txt"]["media_type"] == "text/plain"
    assert by_name["seed.txt"]["text"].startswith("Al Mayadeen English")
    assert len(by_name["seed.txt"]["doc_id"]) == 64
    assert by_name["empty.txt"]["size_bytes"] == 0
    # Too large: counted, not read, left for the gate to reject.
    assert by_name["big.html"]["size_bytes"] == 20003 and by_name["big.html"]["content"] == b""
    assert by_name["page.zip"]["media_type"] == "application/zip"
    assert by_name["page.zip"]["encoding"] == "binary"
    assert by_name["page.zip"]["text"] is None


def test_unreadable_files_become_failures(tmp_path: Path) -> None:
    (tmp_path / "gone.html").symlink_to(tmp_path / "deleted-meanwhile.html")
    (tmp_path / "ok.html").write_text("<html></html>")
    items = list(iter_items([tmp_path], max_bytes=1000))
    assert isinstance(items[0], IngestFailure)
    assert items[0].reason == "unreadable" and "FileNotFoundError" in items[0].observed
    assert isinstance(items[1], RawRecord)


def test_batches_are_lazy_and_bounded() -> None:
    produced: list[int] = []

    def source():
        for i in range(10):
            produced.append(i)
            yield i

    batches = batched(source(), 4)
    assert next(batches) == [0, 1, 2, 3]
    assert len(produced) == 4
    assert [len(b) for b in batches] == [4, 2]
