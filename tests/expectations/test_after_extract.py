from datetime import UTC, date, datetime, timedelta

import pytest

from expectations import GateParams, run_gate
from expectations.after_extract import build_suite
from expectations.runner import validate
from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.registry import Registry, Source

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
REGISTRY = Registry(
    (
        Source(name="Al Mayadeen English", domains=("english.almayadeen.net",), timezone="UTC"),
        Source(name="Example Times", domains=("example.com",), timezone="UTC"),
    )
)
PARAMS = GateParams(date_min=date(1990, 1, 1), now=NOW, source_names=REGISTRY.names)


def article(doc_id: str, **overrides: object) -> dict[str, object]:
    row = {
        "article_id": f"a-{doc_id}",
        "doc_id": doc_id,
        "run_id": "run-1",
        "uri": f"file:///in/{doc_id}.txt",
        "source_id": "Al Mayadeen English",
        "title": "A title",
        "authors": ["A. Writer"],
        "tags": ["politics"],
        "published_at": datetime(2025, 5, 30, 8, 0, tzinfo=UTC),
        "body": "text",
        "word_count": 1,
    }
    return row | overrides


def reasons(result) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for doc_id, reason in result.rejects.select("doc_id", "reason").iter_rows():
        grouped.setdefault(doc_id, []).append(reason)
    return {doc_id: sorted(found) for doc_id, found in grouped.items()}


def test_page_without_date_or_source_gets_exactly_two_reasons(make_frame):
    frame = make_frame(ARTICLE_SCHEMA, [article("seed-002", published_at=None, source_id=None)])
    result = run_gate("extract", frame, params=PARAMS, threshold=0.0)

    assert reasons(result) == {"seed-002": ["unknown_source", "unparsed_date"]}
    assert result.rejects.height == 2
    assert result.rows_failed == 1
    assert result.failure_rate == 1.0
    assert result.passed.is_empty()
    assert result.exceeded


def test_rejects_exactly_the_bad_articles(make_frame):
    frame = make_frame(
        ARTICLE_SCHEMA,
        [
            article("good"),
            article("second-source", source_id="Example Times"),
            article("tomorrow", published_at=NOW + timedelta(hours=23)),
            article("oldest", published_at=datetime(1990, 1, 1, tzinfo=UTC)),
            article("too-old", published_at=datetime(1989, 12, 31, tzinfo=UTC)),
            article("future", published_at=NOW + timedelta(days=2)),
            article("stranger", source_id="Unknown Daily"),
            article("alias-not-name", source_id="Al Mayadeen"),  # gate wants the registry name
            article("blank-title", title="   "),
            article("no-title", title=None),
            article("all-wrong", title="", source_id="Nobody", published_at=None),
        ],
    )
    result = run_gate("extract", frame, params=PARAMS, threshold=1.0)

    assert reasons(result) == {
        "too-old": ["implausible_date"],
        "future": ["implausible_date"],
        "stranger": ["unknown_source"],
        "alias-not-name": ["unknown_source"],
        "blank-title": ["missing_title"],
        "no-title": ["missing_title"],
        "all-wrong": ["missing_title", "unknown_source", "unparsed_date"],
    }
    assert result.passed["doc_id"].to_list() == ["good", "second-source", "tomorrow", "oldest"]
    assert result.passed.schema == ARTICLE_SCHEMA  # list columns survive
    assert result.passed["authors"].to_list()[0] == ["A. Writer"]
    stranger = result.rejects.filter(doc_id="stranger").row(0, named=True)
    assert stranger["observed"] == "Unknown Daily"
    assert stranger["expectation"] == "expect_column_values_to_be_in_set(source_id)"
    future = result.rejects.filter(doc_id="future").row(0, named=True)
    assert future["observed"].startswith("2025-06-03 12:00:00")


def test_parameters_are_checked():
    with pytest.raises(ValueError, match="timezone-aware"):
        GateParams(now=datetime(2025, 1, 1))
    with pytest.raises(ValueError, match="unknown gate parameters"):
        GateParams.of({"max_byte": 1})
    assert GateParams.of({"source_names": ["b", "a"]}).source_names == frozenset({"a", "b"})


def test_suite_needs_date_window_and_registry(make_frame):
    frame = make_frame(ARTICLE_SCHEMA, [article("good")])
    with pytest.raises(ValueError, match=r"\['now', 'source_names'\]"):
        run_gate("extract", frame, params={"date_min": date(1990, 1, 1)}, threshold=0.0)


def test_non_article_pages_are_quarantined_with_their_type(make_frame):
    """A section page or a video page is not an article: quarantined as not_article, the
    type as the observed value; a source that allows listings in the registry loads them."""
    registry = Registry(
        (
            Source(name="Al Mayadeen English", domains=("english.almayadeen.net",), timezone="UTC"),
            Source(
                name="Example Times",
                domains=("example.com",),
                timezone="UTC",
                page_types=("article", "listing"),
            ),
        )
    )
    params = GateParams(
        date_min=date(1990, 1, 1),
        now=NOW,
        source_names=registry.names,
        page_types=registry.page_type_pairs(),
    )
    rows = [
        article("story", page_type="article"),
        article("live", page_type="liveblog"),
        article("section", page_type="listing"),
        article("clip", page_type="video"),
        article("allowed", page_type="listing", source_id="Example Times"),
        article("video-elsewhere", page_type="video", source_id="Example Times"),
    ]
    result = run_gate("extract", make_frame(ARTICLE_SCHEMA, rows), params=params, threshold=1.0)

    assert reasons(result) == {
        "section": ["not_article"],
        "clip": ["not_article"],
        "video-elsewhere": ["not_article"],
    }
    observed = dict(result.rejects.select("doc_id", "observed").iter_rows())
    assert observed == {"section": "listing", "clip": "video", "video-elsewhere": "video"}
    assert sorted(result.passed["doc_id"]) == ["allowed", "live", "story"]


def test_the_registry_is_cut_to_the_batch_sources_without_changing_a_verdict(make_frame):
    """GX's cost grows with a value set's size, so a gate gets only the registry's part the
    batch names: the same rows pass and fail, with the same reasons, as with all of it."""
    names = [f"Outlet {i}" for i in range(300)]
    listings = ("article", "listing")
    registry = Registry(
        tuple(
            Source(
                name=name,
                domains=(f"outlet{i}.example",),
                timezone="UTC",
                **({"page_types": listings} if i == 7 else {}),
            )
            for i, name in enumerate(names)
        )
    )
    params = GateParams(
        date_min=date(1990, 1, 1),
        now=NOW,
        source_names=registry.names,
        page_types=registry.page_type_pairs(),
    )
    narrowed = params.for_sources(["Outlet 7", "Nowhere", None, "Outlet 7"])
    assert narrowed.source_names == frozenset({"Outlet 7"})
    assert narrowed.page_types == frozenset({("Outlet 7", "article"), ("Outlet 7", "listing")})
    defaults = GateParams(date_min=date(1990, 1, 1), now=NOW, source_names=registry.names)
    assert defaults.for_sources(["Outlet 1"]).page_types is None  # the defaults follow the names
    assert GateParams(max_bytes=5).for_sources(["Outlet 1"]) == GateParams(max_bytes=5)

    rows = [
        article("known", source_id="Outlet 3"),
        article("listing-allowed", source_id="Outlet 7", page_type="listing"),
        article("listing-refused", source_id="Outlet 3", page_type="listing"),
        article("unknown", source_id="Nowhere"),
        article("no-source", source_id=None),
    ]
    frame = make_frame(ARTICLE_SCHEMA, rows)
    result = run_gate("extract", frame, params=params, threshold=1.0)
    whole = validate(frame, build_suite(params), stage="extract", threshold=1.0)
    assert result.rejects.equals(whole.rejects)
    assert reasons(result) == {
        "listing-refused": ["not_article"],
        "unknown": ["unknown_source"],
        "no-source": ["unknown_source"],
    }
    assert sorted(result.passed["doc_id"]) == ["known", "listing-allowed"]
