from expectations import run_gate
from newsdesk.core.contracts.clean import CLEAN_SCHEMA

MIN_WORDS = 50


def doc(doc_id: str, body: str | None, word_count: int | None) -> dict[str, object]:
    return {
        "doc_id": doc_id,
        "run_id": "run-1",
        "uri": f"file:///in/{doc_id}.txt",
        "media_type": "text/plain",
        "body": body,
        "word_count": word_count,
    }


def test_rejects_short_and_missing_bodies_once_each(make_frame):
    frame = make_frame(
        CLEAN_SCHEMA,
        [
            doc("long", "word " * 300, 300),
            doc("exactly-min", "word " * MIN_WORDS, MIN_WORDS),
            doc("short", "word " * (MIN_WORDS - 1), MIN_WORDS - 1),
            doc("no-body", None, 0),  # fails two checks, both empty_body: one reject row
            doc("no-count", "text", None),
        ],
    )
    result = run_gate("clean", frame, params={"min_words": MIN_WORDS}, threshold=1.0)

    got = sorted(result.rejects.select("doc_id", "reason").iter_rows())
    assert got == [("no-body", "empty_body"), ("no-count", "empty_body"), ("short", "empty_body")]
    # The first failing expectation in suite order names a deduplicated reject.
    no_body = result.rejects.filter(doc_id="no-body").row(0, named=True)
    assert no_body["expectation"] == "expect_column_values_to_not_be_null(body)"
    assert no_body["observed"] is None
    assert result.passed["doc_id"].to_list() == ["long", "exactly-min"]
    assert result.passed.schema == CLEAN_SCHEMA
    by_column = {(o.expectation, o.column): o.failed for o in result.outcomes}
    assert by_column == {
        ("expect_column_values_to_not_be_null", "body"): 1,
        ("expect_column_values_to_be_between", "word_count"): 2,
        ("expect_column_values_to_not_be_null", "word_count"): 1,
    }
    assert result.failure_rate == 3 / 5
