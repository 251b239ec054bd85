"""Search index and stories on a real warehouse file, without a flow: the incremental index
equals a rebuild, filters and snippets, and a changed article's links follow its text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from tasks.stories.index import index_run
from tasks.stories.stage import StoryParams
from warehouse import search
from warehouse import stories as wh
from warehouse.connection import open_write

WIRE = (
    "Storm Ciaran brought hurricane-force winds to the south of England and the Channel "
    "Islands on Thursday, with gusts of more than 100 miles per hour recorded in Jersey, "
    "flood warnings across the coast and thousands of homes left without power overnight."
)


def put(db: Path, run_id: str, rows: list[dict]) -> None:
    """Articles as a run would leave them (new, or updated in place with last_run_id)."""
    with open_write(db) as con:
        con.execute("INSERT OR IGNORE INTO runs (run_id, command) VALUES (?, 'test')", [run_id])
        con.register("batch", pl.DataFrame(rows).to_arrow())
        con.execute(
            """
            INSERT INTO articles (article_id, doc_id, source_id, title, body, published_at,
                                  first_run_id, last_run_id)
            SELECT article_id, article_id, source_id, title, body, published_at, $run, $run
            FROM batch
            ON CONFLICT (article_id) DO UPDATE SET title = excluded.title,
                body = excluded.body, last_run_id = excluded.last_run_id
            """,
            {"run": run_id},
        )


def art(aid: str, source: str, title: str, body: str, day: int = 2) -> dict:
    return {
        "article_id": aid,
        "source_id": source,
        "title": title,
        "body": body,
        "published_at": datetime(2023, 11, day, 12, tzinfo=UTC),
    }


def index_tables(db: Path) -> dict[str, list]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            "docs": con.execute(
                "SELECT name, len FROM fts_main_articles.docs ORDER BY name"
            ).fetchall(),
            "postings": con.execute(
                """
                SELECT d.name, f.field, t.term, count(*) FROM fts_main_articles.terms AS p
                JOIN fts_main_articles.docs AS d USING (docid)
                JOIN fts_main_articles.dict AS t USING (termid)
                JOIN fts_main_articles.fields AS f USING (fieldid)
                GROUP BY ALL ORDER BY ALL
                """
            ).fetchall(),
            "df": con.execute(
                "SELECT term, df FROM fts_main_articles.dict WHERE df > 0 ORDER BY term"
            ).fetchall(),
            "stats": con.execute("SELECT * FROM fts_main_articles.stats").fetchall(),
        }


def test_search_before_any_index_says_so(db: Path) -> None:
    with pytest.raises(search.SearchUnavailable, match="no search index"):
        search.search(db, "storm")


def test_incremental_index_equals_a_rebuild_and_searches_with_filters(db: Path) -> None:
    put(
        db,
        "1.0",
        [
            art("a", "Metro", "Storm Ciaran may fire a sting jet", WIRE),
            art("b", "Salon", "Goats ruled this island", "Wild goats ate every plant."),
        ],
    )
    assert search.refresh_index(db, "1.0") == {"mode": "rebuilt"}
    put(
        db,
        "2.0",
        [
            art("c", "Surge", "Storm Ciaran: hurricane-force winds bash UK", WIRE + " Storms!", 3),
            art(
                "b",
                "Salon",
                "Goats left the island",
                "The goats are gone; storm petrels came back.",
            ),
        ],
    )
    assert search.refresh_index(db, "2.0") == {"mode": "incremental", "articles": 2}
    assert search.refresh_index(db, "2.0")["articles"] == 0  # same run again: nothing left
    # Run 3.0's update never happens (interrupted); run 4.0's takes both runs' changes.
    put(db, "3.0", [art("d", "Metro", "Storm warning", "Rain again on the coast.", 3)])
    put(db, "4.0", [art("e", "Salon", "Goats again", "More goats than ever.", 3)])
    assert search.refresh_index(db, "4.0") == {"mode": "incremental", "articles": 2}
    incremental = index_tables(db)
    with open_write(db) as con:
        search.load_fts(con)
        search.rebuild(con)
    assert index_tables(db) == incremental

    hits = search.search(db, "storm winds")
    order = hits["article_id"].to_list()
    assert order[0] == "c"  # both words, more often
    assert order.index("a") < order.index("b")  # storm and winds beat a storm petrel
    with duckdb.connect(str(db), read_only=True) as con:  # the extension's own BM25 agrees
        search.load_fts(con)
        macro = dict(
            con.execute(
                "SELECT article_id, fts_main_articles.match_bm25(article_id, 'storm winds') "
                "FROM articles"
            ).fetchall()
        )
    for article_id, score in hits.select("article_id", "score").iter_rows():
        assert score == pytest.approx(macro[article_id])
    assert set(hits["article_id"]) == {"a", "b", "c", "d"}  # b mentions storm petrels
    assert set(search.search(db, "storm", source="Metro")["article_id"]) == {"a", "d"}
    assert search.search(db, "storm", source="Surge")["article_id"].to_list() == ["c"]
    later = search.search(db, "storm", since=datetime(2023, 11, 3, tzinfo=UTC))
    assert set(later["article_id"]) == {"c", "d"}
    assert search.search(db, "storm", until=datetime(2023, 11, 1, tzinfo=UTC)).is_empty()
    assert search.search(db, "zeppelin").is_empty()

    snip = search.with_snippets(db, search.search(db, "hurricane storms"), "hurricane storms")
    first = snip.row(0, named=True)
    assert "**Storm**" in first["snippet"] and "**hurricane-force**" in first["snippet"]
    assert "body" not in snip.columns


def assert_stories_as_rebuilt(db: Path) -> None:
    """The stories the runs left equal the stories recomputed from every article."""
    from tasks.stories.groups import components
    from warehouse import stories as wh

    def snapshot() -> list:
        with duckdb.connect(str(db), read_only=True) as con:
            return [
                con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
                for table in ("stories", "story_articles")
            ]

    kept = snapshot()
    links = wh.links(db)
    with duckdb.connect(str(db), read_only=True) as con:
        everyone = [a for (a,) in con.execute("SELECT article_id FROM articles").fetchall()]
    wh.save_links_and_stories(
        db,
        "check",
        new_links=links.head(0),
        components=components(links.select("article_id", "other_id").iter_rows()),
        touched=everyone,
        affected=everyone,
    )
    assert snapshot() == kept


def test_links_follow_an_article_whose_text_changed(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("tasks.stories.index.CHUNK", 2)  # 3 articles: hashed in two chunks
    params = StoryParams()
    put(
        db,
        "1.0",
        [
            art("a", "AP", "Storm Ciaran hits England", WIRE),
            art("b", "Mirror", "Storm hits the south", WIRE + " (AP)", 3),
            art("c", "Salon", "Goats ruled this island", "Wild goats ate every plant " * 9),
        ],
    )
    first = index_run(db, "1.0", params)
    assert (first.indexed, first.copies, first.stories) == (3, 1, 2)
    assert index_run(db, "1.0", params).indexed == 3  # the run's own articles again: same
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article_links").fetchone() == (1,)
    assert index_run(db, "9.0", params).indexed == 0  # a later run with nothing new
    assert_stories_as_rebuilt(db)

    put(db, "2.0", [art("b", "Mirror", "Goats are back", "Nothing about weather here " * 9, 3)])
    second = index_run(db, "2.0", params)
    assert (second.indexed, second.copies) == (1, 0)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article_links").fetchone() == (0,)
        assert con.execute("SELECT count(*), max(article_count) FROM stories").fetchone() == (3, 1)
        assert con.execute(
            "SELECT run_id FROM article_signatures WHERE article_id = 'a'"
        ).fetchone() == ("1.0",)
    assert_stories_as_rebuilt(db)  # the split story, recomputed around b only, is right

    # A third run: d copies a, and e tells the goats story again; c joins nothing.
    put(
        db,
        "3.0",
        [
            art("d", "Wire", "Storm Ciaran", WIRE + " More later.", 4),
            art("e", "Daily", "Goats are back", "Nothing about weather here " * 8, 4),
        ],
    )
    third = index_run(db, "3.0", params)
    assert third.copies == 2  # d-a, e-b
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "SELECT article_count, outlets FROM stories ORDER BY article_count DESC, story_id"
        ).fetchall() == [(2, ["AP", "Wire"]), (2, ["Mirror", "Daily"]), (1, ["Salon"])]
    assert_stories_as_rebuilt(db)


def test_the_index_copies_into_another_file_with_its_macros(db: Path, tmp_path: Path) -> None:
    """What a read copy for analysts needs: the index's tables and match_bm25."""
    put(
        db,
        "1.0",
        [
            art("a", "Metro", "Storm Ciaran may fire a sting jet", WIRE),
            art("b", "Salon", "Goats ruled this island", "Wild goats ate every plant."),
        ],
    )
    search.refresh_index(db, "1.0")
    copy = tmp_path / "copy.duckdb"
    with open_write(db) as con:
        search.load_fts(con)
        con.execute(f"ATTACH '{copy}' AS read_copy")
        con.execute("CREATE TABLE read_copy.articles AS SELECT * FROM articles")
        assert search.copy_index(con, "read_copy")
        con.execute("DETACH read_copy")
    assert search.search(copy, "storm")["article_id"].to_list() == ["a"]
    with duckdb.connect(str(copy), read_only=True) as con:
        search.load_fts(con)
        assert con.execute(
            "SELECT article_id FROM articles "
            "WHERE fts_main_articles.match_bm25(article_id, 'goats') IS NOT NULL"
        ).fetchall() == [("b",)]


def test_the_standfirst_is_indexed_and_searched(db: Path) -> None:
    put(db, "1.0", [art("a", "Metro", "Storm Ciaran may fire a sting jet", WIRE)])
    with open_write(db) as con:
        con.execute("UPDATE articles SET standfirst = 'Forecasters warn of a weather bomb'")
    assert search.refresh_index(db, "1.0") == {"mode": "rebuilt"}
    assert search.search(db, "forecasters")["article_id"].to_list() == ["a"]
    with duckdb.connect(str(db), read_only=True) as con:
        fields = con.execute("SELECT field FROM fts_main_articles.fields ORDER BY fieldid")
        assert fields.fetchall() == [("title",), ("standfirst",), ("body",)]


def test_a_step_interrupted_after_hashing_is_done_again_by_the_next_run(db: Path) -> None:
    from tasks.stories.signatures import LshParams, bands, signatures
    from tasks.stories.terms import terms
    from warehouse import stories as wh

    put(
        db,
        "1.0",
        [
            art("a", "AP", "Storm Ciaran hits England", WIRE),
            art("b", "Mirror", "Storm hits the south", WIRE + " (AP)", 3),
        ],
    )
    texts = wh.article_texts(db, ["a", "b"])
    sigs = signatures(texts)
    wh.save_features(
        db,
        "1.0",
        indexed=["a", "b"],
        signatures=sigs,
        bands=bands(sigs, LshParams.for_threshold(0.4)),
        terms=terms(texts),
    )
    # ...and the run died before its links: the next run picks both articles up again.
    again = index_run(db, "2.0", StoryParams())
    assert (again.indexed, again.copies) == (2, 1)
    assert index_run(db, "3.0", StoryParams()).indexed == 0


def test_a_run_reads_only_the_links_around_its_articles(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stories step reads the links its articles' links and stories reach, not every
    link of the warehouse; a changed article that held a story together splits it, and a
    story that keeps its other links stays whole."""
    params = StoryParams()
    goats = "Wild goats ate every plant on the island " * 9
    put(
        db,
        "1.0",
        [
            art("a", "AP", "Storm Ciaran hits England", WIRE),
            art("b", "Mirror", "Storm hits the south", WIRE + " (AP)", 3),
            art("c", "Metro", "Storm Ciaran", WIRE + " More later.", 3),
            art("x", "Salon", "Goats ruled this island", goats),
            art("y", "Daily", "Goats are back", goats + " Again.", 4),
        ],
    )
    index_run(db, "1.0", params)
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM article_links").fetchone() == (4,)

    read: list[tuple[list[str], list[str]]] = []
    real = wh.links_around

    def spy(db_path: Path, ids: list[str], **kw: float) -> tuple[list[str], pl.DataFrame]:
        affected, found = real(db_path, ids, **kw)
        read.append((affected, sorted({*found["article_id"], *found["other_id"]})))
        return affected, found

    monkeypatch.setattr(wh, "links_around", spy)
    put(db, "2.0", [art("b", "Mirror", "Budget day", "Nothing about weather here " * 9, 3)])
    second = index_run(db, "2.0", params)
    assert second.indexed == 1
    # b's old story (a, b, c) is recomputed; the goats' story is never read
    assert read == [(["a", "b", "c"], ["a", "c"])]
    with duckdb.connect(str(db), read_only=True) as con:
        stories = con.execute(
            "SELECT article_count, outlets FROM stories ORDER BY article_count DESC, story_id"
        ).fetchall()
    assert stories == [(2, ["AP", "Metro"]), (2, ["Salon", "Daily"]), (1, ["Mirror"])]
    assert_stories_as_rebuilt(db)
