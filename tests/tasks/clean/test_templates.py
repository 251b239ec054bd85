"""A source's template, learned from its other pages, makes the next page come out cleaner."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from newsdesk.core.registry import Registry, load_registry
from tasks.clean.stage import page_templates
from tasks.clean.templates import (
    MANY,
    TemplateMemory,
    page_keys,
    template_key,
)
from tasks.clean.text_dump import clean_text_dump
from tasks.ingest.records import RawRecord, to_frames
from tasks.page.fields import PageContext, article_id_of
from tasks.parallel import RowMapper
from tests.conftest import PROJECT

CTX = PageContext(registry=Registry(()))
SOURCE = "https://english.almayadeen.net/news/"

# A long prose notice the publisher prints under every story: on its own it reads like the
# story's last paragraph, so only the source's other pages can show it is furniture.
NOTICE = (
    "The Harbour Courier is an independent paper owned by its readers since 1998, and every "
    "story we publish is checked by two editors before it goes out to the people of the coast "
    "who rely on us."
)


def page(title: str, paragraphs: list[str]) -> str:
    story = "\n\n".join(paragraphs)
    return (
        f"Harbour Courier\n\n  • Home\n  • Local\n  • Sport\n\n{title}\n\n{story}\n\n{NOTICE}\n\n"
        "© 2024 Harbour Courier\n"
    )


STORIES = [
    page(
        "Ferry service returns after winter repairs",
        [
            "The morning ferry to the islands sailed again on Monday after three months in the "
            "yard, carrying forty passengers and a delivery of building materials for the school.",
            "The operator said the new engines would cut the crossing by ten minutes and that the "
            "timetable for the summer would be published by the end of the month.",
        ],
    ),
    page(
        "Council approves new harbour wall",
        [
            "Councillors voted by nine to two on Tuesday evening to fund a new sea wall along the "
            "eastern quay, after the storms of last winter flooded six shops on the front.",
            "Work is due to start in September and the council expects the quay to stay open to "
            "fishing boats for most of the building period, with a short closure in November.",
        ],
    ),
    page(
        "Lifeboat crew honoured for night rescue",
        [
            "Five volunteers from the harbour lifeboat station received bravery awards on Friday "
            "for rescuing two sailors whose yacht lost its mast in a gale off the point.",
            "The coxswain said the crew had trained for exactly that kind of call and thanked the "
            "families who had waited at the station through the night for their return.",
        ],
    ),
]


def recurring(pages: list[tuple[str, str]]) -> frozenset[str]:
    """The lines TemplateMemory holds as seen on two or more articles (MANY), after learning
    the (article id, text) pages of one source."""
    memory = TemplateMemory()
    try:
        for article, text in pages:
            memory.add("Courier", article, page_keys(text))
        return frozenset(k for k, a in memory.lines("Courier").items() if a == MANY)
    finally:
        memory.close()


def test_learns_lines_that_recur_across_articles_and_not_the_stories() -> None:
    template = recurring([("a", STORIES[0]), ("b", STORIES[1])])
    assert template_key(NOTICE) in template
    assert template_key("• Sport") in template
    assert template_key(STORIES[0].split("\n\n")[3]) not in template  # the first story paragraph
    assert template_key("Ferry service returns after winter repairs") not in template


def test_needs_at_least_two_articles() -> None:
    assert recurring([("a", STORIES[0])]) == frozenset()
    assert template_key(NOTICE) in recurring([("a", STORIES[0]), ("b", STORIES[1])])


def test_two_versions_of_one_article_are_one_article() -> None:
    updated = STORIES[0].replace("forty passengers", "forty-two passengers")
    story_line = STORIES[0].split("\n\n")[4]  # the second paragraph, shared by both versions
    assert recurring([("a", STORIES[0]), ("a", updated)]) == frozenset()
    template = recurring([("a", STORIES[0]), ("a", updated), ("b", STORIES[1])])
    assert template_key(story_line) not in template
    assert template_key(NOTICE) in template  # furniture counts once per article, still twice


def test_memory_never_counts_a_pages_own_earlier_versions() -> None:
    """A page fetched again with changes keeps its own lines: the lines its earlier version
    showed are that article's, not another's."""
    first = STORIES[0]
    again = first.replace("forty passengers", "forty-two passengers")
    memory = TemplateMemory()
    memory.add("Courier", "ferry", page_keys(first))
    assert memory.template_for("Courier", "ferry", page_keys(again)) == frozenset()
    cleaned = clean_text_dump(again, CTX, memory.template_for("Courier", "ferry", page_keys(again)))
    assert "forty-two passengers" in cleaned.body
    assert "The operator said the new engines" in cleaned.body
    # the same lines are template for another article of the source
    other = memory.template_for("Courier", "council", page_keys(STORIES[1]))
    assert template_key("• Sport") in other and template_key(NOTICE) in other
    assert memory.template_for("Elsewhere", "council", page_keys(STORIES[1])) == frozenset()


def test_a_line_on_two_articles_is_template_for_every_page_of_the_source() -> None:
    memory = TemplateMemory()
    memory.add("Courier", "ferry", page_keys(STORIES[0]))
    memory.add("Courier", "council", page_keys(STORIES[1]))
    # the first article's own page: the notice is now on two articles, its story on one
    template = memory.template_for("Courier", "ferry", page_keys(STORIES[0]))
    assert template_key(NOTICE) in template
    assert template_key("Ferry service returns after winter repairs") not in template
    assert memory.lines("Courier")[template_key(NOTICE)] == MANY


def test_second_page_comes_out_cleaner_because_of_the_first() -> None:
    second = STORIES[1]
    alone = clean_text_dump(second, CTX)
    assert "independent paper owned by its readers" in alone.body  # reads like a paragraph

    memory = TemplateMemory()
    memory.add("Courier", "ferry", page_keys(STORIES[0]))  # the first page teaches the template
    cleaned = clean_text_dump(second, CTX, memory.template_for("Courier", "b", page_keys(second)))
    assert "independent paper owned by its readers" not in cleaned.body
    assert "Councillors voted by nine to two" in cleaned.body
    assert "short closure in November." in cleaned.body


def _batch(pages: list[tuple[str, str]]) -> pl.DataFrame:
    """A raw batch of text dumps of the Al Mayadeen English source, at the given URLs."""
    records = [
        RawRecord(
            uri=f"file:///dumps/{n}.txt",
            content=text.encode(),
            fetched_at=datetime(2024, 1, 1, tzinfo=UTC),
            url=f"https://english.almayadeen.net/news/{url}",
            media_type_hint="text/plain",
        )
        for n, (url, text) in enumerate(pages)
    ]
    raw, _ = to_frames(records, run_id="test", max_bytes=1_000_000)
    return raw


def test_a_batch_counts_the_versions_of_a_url_as_one_article() -> None:
    registry = load_registry(PROJECT / "sources.toml")
    updated = STORIES[0].replace("forty passengers", "forty-two passengers")
    with RowMapper(registry, 1):
        memory = TemplateMemory()
        templates, lines = page_templates(
            _batch([("ferry", STORIES[0]), ("ferry", updated)]), memory
        )
        assert templates == [frozenset(), frozenset()]  # one article: nothing to tell apart
        assert set(lines["article_id"]) == {article_id_of(f"{SOURCE}ferry", "")}

        templates, _ = page_templates(_batch([("council", STORIES[1])]), memory)
        assert template_key("• Sport") in templates[0]  # the ferry article showed it before
        assert template_key(NOTICE) not in templates[0]  # long lines count within a batch

        # a replay or reprocess teaches its own batch only, never the memory
        before = memory.lines("Al Mayadeen English")
        templates, _ = page_templates(
            _batch([("lifeboat", STORIES[2]), ("harbour", STORIES[1])]), memory, remember=False
        )
        assert template_key(NOTICE) in templates[0]
        assert memory.lines("Al Mayadeen English") == before


def test_a_runs_template_memory_does_not_grow_in_the_process() -> None:
    """200,000 distinct lines learned batch by batch: the run's own lines go to a scratch
    DuckDB file, so the Python heap after the 40th batch is what it was after the 5th (a
    dict of them took about 30 MB), and the first batch's lines are still remembered."""
    import tracemalloc

    memory = TemplateMemory()
    tracemalloc.start()
    try:
        for batch in range(40):
            memory.learn(
                pl.DataFrame(
                    {
                        "source_id": f"source {batch % 3}",
                        "line": [f"line {batch} {i}" for i in range(5_000)],
                        "article": f"article {batch}",
                    }
                )
            )
            if batch == 4:
                early = tracemalloc.get_traced_memory()[0]
        late = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert late - early < 2_000_000, (early, late)
    assert memory.template_for("source 0", "article 9", {"line 0 17", "line 0 x"}) == {"line 0 17"}
    assert memory.template_for("source 0", "article 0", {"line 0 17"}) == frozenset()
    memory.close()


def test_batched_lookups_give_the_templates_one_memory_of_every_line_gives() -> None:
    """page_templates asks the memory for a batch's lines before learning them; a memory
    that held every line and learned each batch first (as newsdesk did) finds the same
    template lines for every page, over random batches of pages that share lines, with
    versions of one article and batches that do not learn (a replay's)."""
    import random

    registry = load_registry(PROJECT / "sources.toml")
    words = ["ferry", "council", "harbour", "budget", "tram", "sport", "weather", "opinion"]
    short = [f"{a} {b}" for a in words for b in words[:4]]
    long = [" ".join(random.Random(n).choices(words, k=14)) for n in range(6)]
    with RowMapper(registry, 1):
        for seed in range(3):
            rng = random.Random(seed)
            memory, reference = TemplateMemory(), {}  # reference: key → article or MANY
            for _ in range(8):
                pages = [
                    (f"story-{rng.randrange(8)}", "\n\n".join(rng.sample(short + long, 9)))
                    for _ in range(rng.randint(1, 5))
                ]
                remember = rng.random() < 0.8
                found, _ = page_templates(_batch(pages), memory, remember=remember)
                keyed = [
                    (article_id_of(f"{SOURCE}{url}", ""), page_keys(text)) for url, text in pages
                ]
                in_batch: dict[str, str] = {}
                for article, keys in keyed:
                    taught = {k for k in keys if len(k.split()) < 12}
                    for key in taught if remember else ():
                        if reference.setdefault(key, article) != article:
                            reference[key] = MANY
                    for key in keys - taught if remember else keys:
                        if in_batch.setdefault(key, article) != article:
                            in_batch[key] = MANY
                expected = [
                    frozenset(
                        k
                        for k in keys
                        if reference.get(k, article) != article
                        or in_batch.get(k, article) != article
                    )
                    for article, keys in keyed
                ]
                assert found == expected, seed
            memory.close()
