import json

from expectations import check_accounting, run_gate
from newsdesk.core.contracts.article import ARTICLE_SCHEMA


def article(doc_id: str, article_id: str) -> dict[str, object]:
    return {"article_id": article_id, "doc_id": doc_id, "run_id": "run-1", "uri": f"u/{doc_id}"}


def test_duplicates_keep_the_first_copy(make_frame):
    ids = ["a1", "a2", "a1", "a3", "a1", "a2"]
    frame = make_frame(ARTICLE_SCHEMA, [article(f"d{i}", a) for i, a in enumerate(ids)])
    result = run_gate("load", frame, params={}, threshold=1.0)

    assert result.passed["doc_id"].to_list() == ["d0", "d1", "d3"]
    assert result.rejects.select("doc_id", "reason", "observed").rows() == [
        ("d2", "duplicate_article_id", "a1"),
        ("d4", "duplicate_article_id", "a1"),
        ("d5", "duplicate_article_id", "a2"),
    ]
    (outcome,) = result.outcomes
    assert (outcome.failed, outcome.success) == (3, False)
    assert outcome.sample[0] == {"id": "d2", "observed": "a1"}


def test_unique_ids_pass(make_frame):
    frame = make_frame(ARTICLE_SCHEMA, [article("d0", "a0"), article("d1", "a1")])
    result = run_gate("load", frame, params={}, threshold=0.0)
    assert result.rejects.is_empty()
    assert result.passed.equals(frame)
    assert all(o.success for o in result.outcomes)
    assert not result.exceeded


def test_accounting_balances():
    result = check_accounting(ingested=10, loaded=6, quarantined=3, duplicates=1)
    assert not result.exceeded
    assert [(o.reason, o.success, o.failed) for o in result.outcomes] == [
        ("accounting_mismatch", True, 0)
    ]


def test_accounting_mismatch_is_detected():
    result = check_accounting(ingested=10, loaded=6, quarantined=2, duplicates=1)
    assert result.exceeded
    (outcome,) = result.outcomes
    assert (outcome.reason, outcome.success, outcome.failed) == ("accounting_mismatch", False, 1)
    assert json.loads(outcome.sample[0]["observed"]) == {"ingested": 10, "accounted": 9}
    assert result.rejects.is_empty()  # a batch-level failure blames no single document
    dq = result.dq_rows("run-1", 0)
    assert dq.select("suite", "reason", "failed", "success").row(0) == (
        "accounting",
        "accounting_mismatch",
        1,
        False,
    )
