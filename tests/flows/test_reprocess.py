"""Templates that cannot eat an article, `newsdesk extract --db` reproducing a run, and
`newsdesk reprocess`: real Prefect runs into a real DuckDB file."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from uuid import UUID

import duckdb
import pytest
from typer.testing import CliRunner

from newsdesk.cli import app
from tasks.extract.stage import PARSER_VERSION
from tests.conftest import PROJECT, SEEDS
from tests.flows.test_pipeline import (
    SEED_LOADED,
    SEED_QUARANTINED,
    UNKNOWN_HTML,
    rows,
    seed_inputs,
)

# A short line the publisher prints under its stories: a template line once two different
# articles show it, but a line of the story as long as only one article (in any of its
# versions) does.
NOTICE = "Our team in Beirut contributed reporting to this story."
SOURCE_URL = "https://english.almayadeen.net/news/"
PYTHON_SPEED = """
[[source]]
name = "Python Speed"
domains = ["pythonspeed.com"]
timezone = "America/New_York"
"""


def page(folder: Path, seed: str, name: str) -> Path:
    """A seed text dump with the notice, published on the source's site as `name`."""
    folder.mkdir(parents=True, exist_ok=True)
    text = (SEEDS / seed).read_text(encoding="utf-8")
    anchor = "\n\nOn October 10," if "On October 10," in text else "\n\nAs such,"
    path = folder / name
    path.write_text(text.replace(anchor, f"\n\n{NOTICE}{anchor}", 1), encoding="utf-8")
    meta = {"url": f"{SOURCE_URL}{name}", "published": "2022-10-20T10:00:00"}
    (folder / f"{name}.meta.json").write_text(json.dumps(meta))
    return path


def run(db: Path, paths: list[Path], *, sources: Path | None = None, **params: object) -> dict:
    from flows.pipeline import newsdesk_run

    overrides = {"db": str(db), "workers": 1, "batch_size": 3, "extract_threshold": 0.9}
    if sources:
        overrides["sources"] = str(sources)
    return newsdesk_run(paths=[str(p) for p in paths], settings_overrides=overrides, **params)


def body_of(db: Path, name: str) -> str:
    [(body,)] = rows(db, "SELECT body FROM articles WHERE url = ?", [f"{SOURCE_URL}{name}"])
    return body


def extract_with_db(db: Path, path: Path) -> dict:
    result = CliRunner().invoke(
        app, ["extract", str(path), "--db", str(db), "--workers", "1", "--no-gates"]
    )
    assert result.exit_code == 0, result.stderr
    [record] = json.loads(result.stdout)
    return record


def accounted(summary: dict) -> bool:
    parts = ("loaded", "updated", "duplicates", "quarantined")
    return summary["ingested"] == sum(summary[k] for k in parts)


def test_a_page_fetched_again_with_changes_keeps_its_own_lines(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path
) -> None:
    first = page(tmp_path / "v1", SEED_LOADED, "b.txt")
    assert run(warehouse_path, [first])["loaded"] == 1
    assert NOTICE in body_of(warehouse_path, "b.txt")
    # the same URL again, changed: its earlier version's lines are its own, not template
    second = page(tmp_path / "v2", SEED_LOADED, "b.txt")
    second.write_text(
        second.read_text(encoding="utf-8").replace(
            "the official underlined.", "the official underlined, according to Belta."
        ),
        encoding="utf-8",
    )
    assert run(warehouse_path, [second])["updated"] == 1
    body = body_of(warehouse_path, "b.txt")
    assert NOTICE in body and "according to Belta" in body
    assert "The regional military group comprised of Russia" in body
    assert rows(warehouse_path, "SELECT count(*) FROM article_versions") == [(2,)]


def test_a_line_on_two_articles_is_template_and_reprocess_brings_it_to_the_older_one(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path
) -> None:
    older = page(tmp_path / "a", SEED_QUARANTINED, "a.txt")
    run(warehouse_path, [older])
    assert NOTICE in body_of(warehouse_path, "a.txt")  # one article: still its own line
    newer = page(tmp_path / "b", SEED_LOADED, "b.txt")
    run(warehouse_path, [newer])
    assert NOTICE not in body_of(warehouse_path, "b.txt")  # a second article: template
    assert "The regional military group comprised of Russia" in body_of(warehouse_path, "b.txt")

    # extract --db cleans as a run on that warehouse does: the newer page as it was loaded,
    # the older one as a run now would (the notice is on two articles since)
    assert extract_with_db(warehouse_path, newer)["body"] == body_of(warehouse_path, "b.txt")
    assert NOTICE not in extract_with_db(warehouse_path, older)["body"]
    # (a warehouse written by an older release: its version names that release)
    older_parser = "newsdesk 0.0.1; trafilatura 1.0"
    with duckdb.connect(str(warehouse_path)) as con:
        con.execute("UPDATE articles SET parser_version = ?", [older_parser])
        con.execute("UPDATE article_versions SET parser_version = ?", [older_parser])
    before = body_of(warehouse_path, "a.txt")

    done = run(warehouse_path, [], reprocess={})
    assert done["status"] == "loaded"
    assert (done["ingested"], done["updated"], done["duplicates"]) == (2, 1, 1)
    assert accounted(done)
    after = body_of(warehouse_path, "a.txt")
    assert NOTICE not in after and after == extract_with_db(warehouse_path, older)["body"]
    versions = rows(
        warehouse_path,
        """
        SELECT v.parser_version, v.body, r.command FROM article_versions AS v
        JOIN runs AS r USING (run_id) JOIN articles AS a USING (article_id)
        WHERE a.url = ? ORDER BY v.valid_from""",
        [f"{SOURCE_URL}a.txt"],
    )
    assert versions == [(older_parser, before, "run"), (PARSER_VERSION, None, "reprocess")]
    # the unchanged article keeps the version that made it
    [(parser,)] = rows(
        warehouse_path, "SELECT parser_version FROM articles WHERE url = ?", [f"{SOURCE_URL}b.txt"]
    )
    assert parser == older_parser
    # nothing learned twice: the reprocess kept the lines the pages taught when they came in
    [(pages,)] = rows(
        warehouse_path,
        "SELECT pages_seen FROM source_template_lines WHERE line = ?",
        [NOTICE.casefold()],
    )
    assert pages == 2


@pytest.fixture
def loaded(prefect_api_url: str, tmp_path: Path, warehouse_path: Path) -> Path:
    """The seeds and an HTML page of a publisher the registry does not know yet."""
    summary = run(warehouse_path, [seed_inputs(tmp_path / "inputs")])
    assert (summary["loaded"], summary["quarantined"]) == (1, 2)
    return warehouse_path


def test_reprocess_loads_a_quarantined_page_that_now_passes(
    prefect_api_url: str, loaded: Path, tmp_path: Path
) -> None:
    registry = tmp_path / "sources.toml"
    registry.write_text((PROJECT / "sources.toml").read_text(encoding="utf-8") + PYTHON_SPEED)
    done = run(loaded, [], sources=registry, reprocess={})
    # every stored page again: the article unchanged, the newly known publisher's page
    # loaded, the seed that shows no date quarantined again
    assert (done["ingested"], done["loaded"], done["updated"]) == (3, 1, 0)
    assert (done["duplicates"], done["quarantined"]) == (1, 1)
    assert accounted(done)
    assert rows(loaded, "SELECT count(*) FROM articles WHERE source_id = 'Python Speed'") == [(1,)]
    resolved = rows(
        loaded,
        """
        SELECT regexp_extract(uri, '[^/]+$'), reason, status FROM quarantine
        WHERE stage <> 'ingest' ORDER BY 1, 2""",
    )
    assert (UNKNOWN_HTML.name, "unknown_source", "resolved") in resolved
    assert (SEED_QUARANTINED, "unparsed_date", "open") in resolved
    # one Prefect run, named so the UI says what it was, recorded as a reprocess
    [(flow_run_id, status)] = rows(
        loaded, "SELECT flow_run_id, status FROM runs WHERE command = 'reprocess'"
    )
    assert status == "loaded"
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        assert client.read_flow_run(UUID(flow_run_id)).name.endswith(" reprocess")
    # the gates ran on the reprocessed pages, as in any run
    stages = rows(
        loaded,
        """
        SELECT DISTINCT d.stage FROM dq_results AS d JOIN runs AS r USING (run_id)
        WHERE r.command = 'reprocess' ORDER BY 1""",
    )
    assert [s for (s,) in stages] == ["clean", "extract", "ingest", "load"]


def test_reprocess_command_picks_a_source_and_a_date(
    prefect_api_url: str, loaded: Path, tmp_path: Path
) -> None:
    registry = tmp_path / "sources.toml"
    registry.write_text((PROJECT / "sources.toml").read_text(encoding="utf-8") + PYTHON_SPEED)
    common = ["--db", str(loaded), "--sources", str(registry)]
    cli = CliRunner(env={"PREFECT_API_URL": prefect_api_url})

    nothing = cli.invoke(app, [*common, "reprocess", "--since", "2999-01-01", "--json"])
    assert nothing.exit_code == 0, nothing.stderr
    assert json.loads(nothing.stdout)["ingested"] == 0

    one = cli.invoke(app, [*common, "reprocess", "--source", "Python Speed", "--json"])
    assert one.exit_code == 0, one.stderr
    summary = json.loads(one.stdout)
    assert (summary["ingested"], summary["loaded"], summary["quarantined"]) == (1, 1, 0)
    [(params,)] = rows(loaded, "SELECT params FROM runs WHERE run_id = ?", [summary["run_id"]])
    assert json.loads(params)["reprocess"] == {"source": "Python Speed", "since": None}

    unknown = cli.invoke(app, [*common, "reprocess", "--source", "Nobody"])
    assert unknown.exit_code == 1 and "no source named 'Nobody'" in unknown.stderr
    bad_date = cli.invoke(app, [*common, "reprocess", "--since", "last week"])
    assert bad_date.exit_code == 1 and "--since wants a date" in bad_date.stderr


def test_extract_db_says_when_the_warehouse_is_older_than_the_code(tmp_path: Path) -> None:
    from warehouse.migrate import MIGRATIONS_DIR, migrate

    old = tmp_path / "old-migrations"
    old.mkdir()
    for path in MIGRATIONS_DIR.glob("000[1-4]_*.sql"):
        shutil.copy(path, old / path.name)
    (tmp_path / "views").mkdir()
    db = tmp_path / "old.duckdb"
    migrate(db, migrations_dir=old, views_dir=tmp_path / "views")
    page_path = page(tmp_path / "pages", SEED_LOADED, "b.txt")
    result = CliRunner().invoke(app, ["extract", str(page_path), "--db", str(db)])
    assert result.exit_code == 1
    assert "predates this newsdesk" in result.stderr and "Traceback" not in result.stderr
    missing = CliRunner().invoke(app, ["extract", str(page_path), "--db", str(tmp_path / "no")])
    assert missing.exit_code == 1 and "no warehouse at" in missing.stderr
