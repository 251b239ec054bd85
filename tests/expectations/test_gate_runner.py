import json
from datetime import UTC, datetime

import polars as pl
import pytest

from expectations import DQ_SCHEMA, GateError, run_gate, runner
from expectations.runner import gx_api, make_suite, rule, validate
from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.contracts.clean import CLEAN_SCHEMA
from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA, Reason

PARAMS = {
    "max_bytes": 1000,
    "min_words": 5,
    "date_min": datetime(1990, 1, 1, tzinfo=UTC),
    "now": datetime(2025, 6, 1, tzinfo=UTC),
    "source_names": ["Example Times"],
}


def clean_frame(make_frame, word_counts: list[int]) -> pl.DataFrame:
    return make_frame(
        CLEAN_SCHEMA,
        [
            {"doc_id": f"d{i}", "run_id": "run-1", "uri": f"u{i}", "body": "x", "word_count": n}
            for i, n in enumerate(word_counts)
        ],
    )


@pytest.mark.parametrize(("threshold", "exceeded"), [(0.25, False), (0.2, True), (0.0, True)])
def test_threshold(make_frame, threshold, exceeded):
    frame = clean_frame(make_frame, [10, 10, 10, 1])  # one row in four fails
    result = run_gate("clean", frame, params=PARAMS, threshold=threshold)
    assert result.failure_rate == 0.25
    assert result.exceeded is exceeded
    assert result.threshold == threshold


def test_a_row_failing_twice_counts_once(make_frame):
    frame = make_frame(
        ARTICLE_SCHEMA,
        [
            {
                "doc_id": "ok",
                "source_id": "Example Times",
                "title": "t",
                "published_at": datetime(2025, 1, 1, tzinfo=UTC),
            },
            {"doc_id": "bad", "source_id": None, "title": None, "published_at": None},
        ],
    )
    result = run_gate("extract", frame, params=PARAMS, threshold=0.5)
    assert result.rejects.height == 3
    assert (result.rows_failed, result.failure_rate, result.exceeded) == (1, 0.5, False)


def test_dq_rows(make_frame):
    frame = clean_frame(make_frame, [10, 1, 2, 3, 4, 0, 1])
    result = run_gate("clean", frame, params=PARAMS, threshold=0.1)
    at = datetime(2025, 6, 1, 12, tzinfo=UTC)
    dq = result.dq_rows("run-7", 3, recorded_at=at)

    assert dq.schema == DQ_SCHEMA
    assert dq.height == len(result.outcomes) == 3
    assert set(dq["run_id"]) == {"run-7"}
    assert set(dq["batch_no"]) == {3}
    assert set(dq["recorded_at"]) == {at}
    between = dq.filter(expectation="expect_column_values_to_be_between").row(0, named=True)
    assert between | {"sample": None, "recorded_at": None} == {
        "run_id": "run-7",
        "batch_no": 3,
        "suite": "after_clean",
        "stage": "clean",
        "expectation": "expect_column_values_to_be_between",
        "column_name": "word_count",
        "reason": "empty_body",
        "severity": "error",
        "evaluated": 7,
        "failed": 6,
        "success": False,
        "threshold": 0.1,
        "sample": None,
        "recorded_at": None,
    }
    sample = json.loads(between["sample"])
    assert len(sample) == 5  # capped
    assert sample[0] == {"id": "d1", "observed": "1"}
    assert result.dq_rows("run-7", 3)["recorded_at"][0] == result.validated_at


@pytest.mark.parametrize(
    ("stage", "schema"),
    [
        ("ingest", RAW_SCHEMA),
        ("clean", CLEAN_SCHEMA),
        ("extract", ARTICLE_SCHEMA),
        ("load", ARTICLE_SCHEMA),
    ],
)
def test_empty_frame(stage, schema):
    frame = pl.DataFrame(schema=schema)
    result = run_gate(stage, frame, params=PARAMS, threshold=0.0)
    assert (result.rows_evaluated, result.rows_failed, result.failure_rate) == (0, 0, 0.0)
    assert not result.exceeded
    assert result.passed.schema == schema and result.passed.is_empty()
    assert result.rejects.schema == REJECT_SCHEMA and result.rejects.is_empty()
    assert result.dq_rows("run-1", 0).schema == DQ_SCHEMA


def test_warn_severity_records_but_does_not_reject(make_frame):
    gx = gx_api()
    suite = make_suite(
        "warn_only",
        [
            gx.expectations.ExpectColumnValuesToNotBeNull(
                column="language", meta=rule(Reason.EMPTY_BODY, "warn")
            ),
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="word_count", min_value=5, meta=rule(Reason.EMPTY_BODY)
            ),
        ],
    )
    frame = clean_frame(make_frame, [10, 1, 10]).with_columns(
        language=pl.Series(["en", "en", None])
    )
    result = validate(frame, suite, stage="clean", threshold=0.0)

    warn, error = result.outcomes
    assert (warn.severity, warn.failed, warn.success) == ("warn", 1, False)
    assert warn.sample == ({"id": "d2", "observed": None},)
    assert (error.severity, error.failed) == ("error", 1)
    assert result.rejects["doc_id"].to_list() == ["d1"]
    assert result.passed["doc_id"].to_list() == ["d0", "d2"]
    assert result.rows_failed == 1


def test_expectation_without_meta_is_refused():
    gx = gx_api()
    with pytest.raises(ValueError, match="meta=rule"):
        make_suite("bare", [gx.expectations.ExpectColumnValuesToNotBeNull(column="body")])


def test_missing_column_is_a_gate_error(make_frame):
    frame = clean_frame(make_frame, [10]).drop("word_count")
    with pytest.raises(GateError, match="word_count"):
        run_gate("clean", frame, params=PARAMS, threshold=0.0)


def test_bad_stage_and_threshold(make_frame):
    frame = clean_frame(make_frame, [10])
    with pytest.raises(ValueError, match="unknown stage"):
        run_gate("after_clean", frame, params=PARAMS, threshold=0.0)
    with pytest.raises(ValueError, match="threshold"):
        run_gate("clean", frame, params=PARAMS, threshold=5)


class _NeverValidating:
    """A stand-in for the runner's thread-local whose `configs` never holds anything."""

    configs = property(lambda self: None, lambda self, value: None)


def test_memoized_configurations_give_gx_own_verdicts(make_frame, monkeypatch):
    """While a batch is validated, each expectation's configuration is built once (GX
    rebuilds it for every kwarg it reads): the verdicts are the ones GX gives without that."""
    frame = make_frame(
        ARTICLE_SCHEMA,
        [
            {
                "doc_id": "ok",
                "source_id": "Example Times",
                "title": "t",
                "published_at": datetime(2025, 1, 1, tzinfo=UTC),
                "page_type": "article",
            },
            {
                "doc_id": "old",
                "source_id": "Example Times",
                "title": " ",
                "published_at": datetime(1980, 1, 1, tzinfo=UTC),
                "page_type": "video",
            },
            {"doc_id": "bad", "source_id": "Elsewhere", "title": None, "published_at": None},
        ],
    )
    from expectations.gates import _suite
    from expectations.params import GateParams

    suite = _suite("extract", GateParams.of(PARAMS))
    columns = runner.suite_columns(suite)
    memoized = runner.evaluate(suite, frame.select(columns))
    monkeypatch.setattr(runner, "_validating", _NeverValidating())
    assert runner.evaluate(suite, frame.select(columns)) == memoized
    assert [c.success for c in memoized].count(False) == 6
    # outside a validation the property is GX's own: a fresh configuration each time
    first = suite.expectations[0]
    assert first.configuration is not first.configuration
