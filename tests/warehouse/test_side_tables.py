"""Registry sync, proposed sources, learned template lines, read-only SQL and export."""

from pathlib import Path

import duckdb
import polars as pl
import pytest

from newsdesk.core.contracts.frames import PROPOSED_SOURCE_SCHEMA, TEMPLATE_LINE_SCHEMA
from newsdesk.core.registry import Registry, Source, load_registry
from tasks.clean.templates import MANY
from tests.warehouse.wh_frames import frames, good_batch
from warehouse import rawstore
from warehouse.connection import WarehouseMissing
from warehouse.load import (
    load_batch,
    load_template_lines,
    record_proposed_sources,
    save_template_lines,
    start_run,
    sync_sources,
)
from warehouse.read import ReadOnlyQuery, export_parquet, query

REPO = Path(__file__).resolve().parents[2]


def test_sync_sources_follows_the_registry(db: Path) -> None:
    registry = load_registry(REPO / "sources.toml")
    assert sync_sources(db, registry) == len(registry.sources)
    assert sync_sources(db, registry) == 0  # nothing changed
    first = registry.sources[0]
    renamed = Registry((Source(name=first.name, domains=first.domains, timezone="UTC"),))
    assert sync_sources(db, renamed) == len(registry.sources)  # one changed, others retired
    rows = query(db, "SELECT name, timezone, aliases, in_registry FROM sources ORDER BY name")
    assert rows.height == len(registry.sources)
    kept = rows.filter(pl.col("name") == first.name).row(0, named=True)
    assert (kept["timezone"], kept["aliases"], kept["in_registry"]) == ("UTC", [], True)
    assert rows.filter(pl.col("name") != first.name)["in_registry"].to_list() == [False] * (
        len(registry.sources) - 1
    )


def test_proposed_sources_accumulate_and_are_accepted_by_the_registry(db: Path) -> None:
    proposals = pl.DataFrame(
        [
            {
                "domain": "www.New-Site.com",
                "site_name": None,
                "language": "en",
                "pages": 2,
                "sample_uri": "https://new-site.com/a",
            },
            {
                "domain": "new-site.com",
                "site_name": "New Site",
                "language": None,
                "pages": 1,
                "sample_uri": None,
            },
            {
                "domain": "other.net",
                "site_name": None,
                "language": None,
                "pages": 1,
                "sample_uri": None,
            },
        ],
        schema=PROPOSED_SOURCE_SCHEMA,
    )
    assert record_proposed_sources(db, run_id="1.0", proposals=proposals) == 2
    record_proposed_sources(db, run_id="2.0", proposals=proposals.slice(0, 1))
    rows = query(db, "SELECT * FROM proposed_sources ORDER BY domain").rows(named=True)
    new_site = rows[0]
    assert (new_site["domain"], new_site["site_name"], new_site["language"]) == (
        "new-site.com",
        "New Site",
        "en",
    )
    assert (new_site["pages"], new_site["first_run_id"], new_site["last_run_id"]) == (
        5,
        "1.0",
        "2.0",
    )
    sync_sources(
        db, Registry((Source(name="New Site", domains=("new-site.com",), timezone="UTC"),))
    )
    statuses = query(db, "SELECT domain, status FROM proposed_sources ORDER BY domain").rows()
    assert statuses == [("new-site.com", "accepted"), ("other.net", "proposed")]


def test_template_lines_remember_their_one_article_until_a_second_shows_them(db: Path) -> None:
    lines = pl.DataFrame(
        [
            ("Example News", "Breaking News", "a1", 3),
            ("Example News", "Most read", "a1", 1),
            ("Example News", "Breaking News", "a2", 1),
            ("Other", "Menu", "b1", 2),
        ],
        schema=TEMPLATE_LINE_SCHEMA,
        orient="row",
    )
    assert save_template_lines(db, run_id="1.0", lines=lines) == 3
    assert load_template_lines(db) == {
        "Example News": {"Breaking News": MANY, "Most read": "a1"},
        "Other": {"Menu": "b1"},
    }
    # a later version of the same article leaves it one article's line; another article
    # makes it a line of two (MANY) for good
    save_template_lines(db, run_id="2.0", lines=lines.slice(1, 1))
    save_template_lines(
        db,
        run_id="3.0",
        lines=pl.DataFrame(
            [("Other", "Menu", "b2", 1), ("Example News", "Breaking News", "a1", 1)],
            schema=TEMPLATE_LINE_SCHEMA,
            orient="row",
        ),
    )
    assert load_template_lines(db, "Example News") == {
        "Example News": {"Breaking News": MANY, "Most read": "a1"}
    }
    assert load_template_lines(db, "Other") == {"Other": {"Menu": MANY}}
    assert (
        query(
            db, "SELECT pages_seen FROM source_template_lines WHERE line = 'Breaking News'"
        ).item()
        == 5
    )
    # maintenance forgets one-off lines by when they were last seen: a sighting renews it
    seen = dict(query(db, "SELECT line, last_seen FROM source_template_lines").rows())
    assert seen["Breaking News"] > seen["Most read"]
    assert load_template_lines(db.parent / "absent.duckdb") == {}


def test_sql_is_read_only_and_says_so(db: Path) -> None:
    with pytest.raises(ReadOnlyQuery, match="read-only"):
        query(db, "INSERT INTO runs (run_id, command) VALUES ('1', 'x')")
    with pytest.raises(ReadOnlyQuery):
        query(db, "DROP TABLE articles")
    with pytest.raises(duckdb.CatalogException):
        query(db, "SELECT * FROM no_such_table")
    assert query(db, "SELECT ? + 1 AS two", [1]).rows() == [(2,)]
    assert query(db, "SET threads = 1").height == 0
    with pytest.raises(WarehouseMissing, match="no warehouse"):
        query(db.parent / "absent.duckdb", "SELECT 1")


def test_export_writes_every_table_as_parquet(db: Path, tmp_path: Path) -> None:
    run = start_run(db, command="test")
    raws, articles = good_batch(run, range(3))
    load_batch(db, run_id=run, **frames(raws, articles))
    written = export_parquet(db, tmp_path / "export")
    names = {p.stem for p in written}
    assert {"articles", "raw_documents", "quarantine", "runs", "schema_migrations"} <= names
    assert pl.read_parquet(tmp_path / "export" / "articles.parquet").height == 3
    exported_raw = pl.read_parquet(tmp_path / "export" / "raw_documents.parquet")
    # the export names each page's bytes by hash; the bytes are in the raw store
    root = rawstore.store_root(db)
    assert sorted(rawstore.get(root, sha) for sha in exported_raw["content_sha256"]) == sorted(
        r["content"] for r in raws
    )


def test_a_runs_template_memory_reads_the_warehouse_per_batch_and_merges_its_own(db: Path) -> None:
    """TemplateMemory holds none of the warehouse's lines: it looks up a batch's lines there
    and in its own scratch file, and a line the warehouse knows from one article becomes
    MANY once this run shows it on another, as one memory holding both would say."""
    from tasks.clean.templates import TemplateMemory

    kept = pl.DataFrame(
        [("News", "Most read", "a1", 1), ("News", "Menu", "a1", 1), ("News", "Menu", "a2", 1)],
        schema=TEMPLATE_LINE_SCHEMA,
        orient="row",
    )
    save_template_lines(db, run_id="1.0", lines=kept)
    memory = TemplateMemory(db).check()
    assert memory.template_for("News", "a1", {"Most read", "Menu", "Story"}) == {"Menu"}
    memory.add("News", "a1", {"Most read", "Subscribe"})  # a version of a1: still a1's lines
    assert memory.template_for("News", "a1", {"Most read", "Subscribe"}) == frozenset()
    assert memory.template_for("News", "a3", {"Most read", "Subscribe"}) == {
        "Most read",
        "Subscribe",
    }
    memory.add("News", "a3", {"Most read"})
    assert memory.lines("News") == {"Most read": MANY, "Menu": MANY, "Subscribe": "a1"}
    # the warehouse itself is not written by the memory
    assert load_template_lines(db) == {"News": {"Most read": "a1", "Menu": MANY}}
    scratch = memory._run.folder if memory._run else None
    memory.close()
    assert scratch is not None and not scratch.exists()


def test_a_run_syncs_the_registry_only_when_it_changed(db: Path) -> None:
    """start_run syncs `sources` when the registry differs from the one last synced
    (schema_state 'registry'), and leaves the table alone otherwise."""
    registry = load_registry(REPO / "sources.toml")
    start_run(db, command="run", registry=registry)
    first = registry.sources[0]
    with duckdb.connect(str(db)) as con:  # a mark the sync would overwrite
        con.execute("UPDATE sources SET timezone = 'Asia/Tokyo' WHERE name = ?", [first.name])
    start_run(db, command="run", registry=registry)
    tz = "SELECT timezone FROM sources WHERE name = ?"
    assert query(db, tz, [first.name])["timezone"].to_list() == ["Asia/Tokyo"]  # not synced

    changed = Registry((Source(name=first.name, domains=first.domains, timezone="UTC"),))
    start_run(db, command="run", registry=changed)
    assert query(db, tz, [first.name])["timezone"].to_list() == ["UTC"]
    assert query(db, "SELECT count(*) AS n FROM sources WHERE in_registry")["n"][0] == 1
