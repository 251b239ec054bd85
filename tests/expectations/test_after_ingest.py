import pytest

from expectations import run_gate
from newsdesk.core.contracts.raw import RAW_SCHEMA

MAX = 1000


def doc(doc_id: str, **overrides: object) -> dict[str, object]:
    row = {
        "doc_id": doc_id,
        "run_id": "run-1",
        "uri": f"file:///in/{doc_id}.html",
        "media_type": "text/html",
        "encoding": "utf-8",
        "size_bytes": 500,
        "content": b"<html>...</html>",
        "text": "<html>...</html>",
    }
    return row | overrides


def test_rejects_exactly_the_bad_documents(make_frame):
    frame = make_frame(
        RAW_SCHEMA,
        [
            doc("html"),
            doc("plain", media_type="text/plain"),
            doc("empty", size_bytes=0, content=b"", text=""),
            doc("big", size_bytes=MAX + 1),
            doc("at-limit", size_bytes=MAX),
            doc("one-byte", size_bytes=1),
            doc("undecodable", encoding=None, text=None),
            doc("image", media_type="image/png"),
            doc("untyped", media_type=None),
        ],
    )
    result = run_gate("ingest", frame, params={"max_bytes": MAX}, threshold=1.0)

    got = sorted(result.rejects.select("doc_id", "reason").iter_rows())
    assert got == [
        ("big", "too_large"),
        ("empty", "empty_content"),
        ("image", "unsupported_type"),
        ("undecodable", "undecodable"),
        ("untyped", "unsupported_type"),
    ]
    assert result.passed["doc_id"].to_list() == ["html", "plain", "at-limit", "one-byte"]
    assert result.passed.schema == RAW_SCHEMA  # the binary content column comes through
    assert result.passed["content"][0] == b"<html>...</html>"
    assert result.rejects.schema.names() == [
        "doc_id",
        "run_id",
        "uri",
        "stage",
        "expectation",
        "reason",
        "observed",
    ]
    big = result.rejects.filter(doc_id="big").row(0, named=True)
    assert big["observed"] == str(MAX + 1)
    assert big["stage"] == "ingest"
    assert big["uri"] == "file:///in/big.html"
    assert big["expectation"] == "expect_column_values_to_be_between(size_bytes)"
    assert result.rows_evaluated == 9
    assert result.rows_failed == 5


def test_suite_needs_its_parameter(make_frame):
    frame = make_frame(RAW_SCHEMA, [doc("html")])
    with pytest.raises(ValueError, match="max_bytes"):
        run_gate("ingest", frame, params={}, threshold=0.0)
