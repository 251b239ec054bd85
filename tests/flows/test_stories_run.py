"""End to end: two real runs over the samples and the seeds build copies, stories and the
search index incrementally; `newsdesk stories`, `newsdesk search` and match_bm25 read them."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from tests.conftest import PROJECT, SAMPLES

SEED_000 = "000_aead3fb2f9192cb0.txt"
SALON = "salon-us-emissions-2019.html"

# A second outlet for the seed that names none, and a mirror that republishes a page.
EXTRA_SOURCES = """
[[source]]
name = "Kashmir Observer Desk"
domains = ["kod.example"]
timezone = "Asia/Karachi"
language = "en"

[[source]]
name = "Wire Mirror"
domains = ["mirror.example"]
timezone = "UTC"
language = "en"
"""


def rows(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def run(db: Path, paths: list[Path], sources: Path) -> tuple[dict, dict[str, list]]:
    """The run's summary and its table artifacts (key -> rows)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from flows.pipeline import newsdesk_run

    overrides = {"db": str(db), "workers": 1, "sources": str(sources)}
    state = newsdesk_run(
        paths=[str(p) for p in paths], settings_overrides=overrides, return_state=True
    )
    flow_run_id = state.state_details.flow_run_id
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]))
        )
    artifacts = {a.key: json.loads(a.data) for a in found if a.type == "table"}
    return state.result(), artifacts


def cli(db: Path, sources: Path, *args: str) -> str:
    from newsdesk.cli import app

    result = CliRunner().invoke(app, ["--db", str(db), "--sources", str(sources), *args])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def registry(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    path.write_text((PROJECT / "sources.toml").read_text() + EXTRA_SOURCES)
    return path


def test_seeds_form_one_story_and_a_mirror_is_a_copy(
    prefect_api_url: str, tmp_path: Path, warehouse_path: Path, registry: Path
) -> None:
    first = tmp_path / "first"
    shutil.copytree(SAMPLES, first, ignore=shutil.ignore_patterns(SEED_000))
    summary, artifacts = run(warehouse_path, [first], registry)
    assert summary["status"] == "loaded" and summary["loaded"] == 6
    assert artifacts["newsdesk-run-copies"] == [{"articles": 0, "title": "no copies"}]
    stories_1 = rows(warehouse_path, "SELECT count(*), max(article_count) FROM stories")
    assert stories_1 == [(6, 1)]  # six unrelated articles: six stories of one
    hashed_1 = dict(rows(warehouse_path, "SELECT article_id, run_id FROM article_signatures"))

    # Second run: the seed 000 with a sidecar naming its outlet and date, and a mirror of
    # the Salon page on another site.
    second = tmp_path / "second"
    second.mkdir()
    shutil.copy(SAMPLES / "text" / SEED_000, second / SEED_000)
    (second / f"{SEED_000}.meta.json").write_text(
        json.dumps({"source": "Kashmir Observer Desk", "published": "2022-10-18T09:00:00+05:00"})
    )
    # Other bytes (else it is the same document): the mirror's own comment at the end.
    mirror = (SAMPLES / "html" / SALON).read_bytes() + b"\n<!-- mirrored by mirror.example -->\n"
    (second / "mirror.html").write_bytes(mirror)
    (second / "mirror.html.meta.json").write_text(
        json.dumps(
            {"url": "https://mirror.example/2020/01/11/us-emissions", "source": "Wire Mirror"}
        )
    )
    summary, artifacts = run(warehouse_path, [second], registry)
    assert summary["status"] == "loaded" and summary["loaded"] == 2
    # The run's artifacts: the stories it started or grew, the largest copy clusters.
    grew = {row["outlets"]: row for row in artifacts["newsdesk-run-stories"]}
    assert grew["Al Mayadeen English, Kashmir Observer Desk"]["new"] == "grew"
    assert grew["Salon, Wire Mirror"]["articles"] == 2
    [cluster] = artifacts["newsdesk-run-copies"]
    assert (cluster["articles"], cluster["outlets"]) == (2, "Salon, Wire Mirror")

    # Only the new articles were hashed; the first run's signatures were kept.
    hashed_2 = dict(rows(warehouse_path, "SELECT article_id, run_id FROM article_signatures"))
    assert len(hashed_2) == 8
    assert {k: hashed_2[k] for k in hashed_1} == hashed_1
    assert sum(1 for v in hashed_2.values() if v == summary["run_id"]) == 2

    links = rows(
        warehouse_path,
        """
        SELECT a.source_id, b.source_id, l.relation, l.similarity
        FROM article_links AS l
        JOIN articles AS a ON a.article_id = l.article_id
        JOIN articles AS b ON b.article_id = l.other_id
        ORDER BY l.relation
        """,
    )
    assert len(links) == 2
    copy, same = links
    assert copy[2] == "copy" and {copy[0], copy[1]} == {"Salon", "Wire Mirror"}
    assert copy[3] > 0.9
    assert same[2] == "same_story"
    assert {same[0], same[1]} == {"Al Mayadeen English", "Kashmir Observer Desk"}

    story = rows(
        warehouse_path,
        "SELECT first_outlet, article_count, outlets, title FROM v_stories "
        "WHERE list_contains(outlets, 'Kashmir Observer Desk')",
    )
    assert story == [
        (
            "Al Mayadeen English",
            2,
            ["Al Mayadeen English", "Kashmir Observer Desk"],
            "Russian-Belarusian joint military group kicks off protection mission",
        )
    ]
    assert rows(warehouse_path, "SELECT count(*) FROM stories") == [(6,)]

    out = cli(warehouse_path, registry, "stories", "--min-articles", "2", "--format", "json")
    listed = json.loads(out)
    assert [s["article_count"] for s in listed] == [2, 2]
    assert listed[0]["first_outlet"] == "Salon"  # 2020 comes before 2022: earliest first
    assert listed[1]["outlets"] == ["Al Mayadeen English", "Kashmir Observer Desk"]
    assert (
        json.loads(
            cli(
                warehouse_path,
                registry,
                "stories",
                "--since",
                "2021-01-01",
                "--source",
                "Kashmir Observer Desk",
                "--format",
                "json",
            )
        )[0]["story_id"]
        == listed[1]["story_id"]
    )

    # Search: the index was built by the first run and brought up to date by the second;
    # `newsdesk search` and `newsdesk sql` read the analysts' copy, which carries the index.
    from warehouse.publish import read_copy_path

    assert read_copy_path(warehouse_path).exists()
    hits = json.loads(
        cli(warehouse_path, registry, "search", "Lukashenka combat centers", "--format", "json")
    )
    assert hits[0]["source_id"] == "Kashmir Observer Desk"
    assert "**Lukashenka**" in hits[0]["snippet"] or "**combat**" in hits[0]["snippet"]
    none = json.loads(
        cli(
            warehouse_path,
            registry,
            "search",
            "Lukashenka",
            "--until",
            "2022-01-01",
            "--format",
            "json",
        )
    )
    assert none == []
    bm25 = json.loads(
        cli(
            warehouse_path,
            registry,
            "sql",
            "SELECT source_id FROM (SELECT *, fts_main_articles.match_bm25(article_id, "
            "'emissions') AS score FROM articles) WHERE score IS NOT NULL ORDER BY score DESC",
            "--format",
            "json",
        )
    )
    assert {r["source_id"] for r in bm25} == {"Salon", "Wire Mirror"}
