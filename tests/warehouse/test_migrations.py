import re
import shutil
from pathlib import Path

import duckdb
import pytest

from warehouse.migrate import (
    MIGRATIONS_DIR,
    VIEWS_DIR,
    MigrationError,
    discover,
    is_current,
    migrate,
)

TABLES = {
    "runs",
    "sources",
    "raw_documents",
    "articles",
    "article_authors",
    "article_tags",
    "article_versions",
    "quarantine",
    "dq_results",
    "source_template_lines",
    "proposed_sources",
    "schema_migrations",
    "article_signatures",
    "article_bands",
    "article_terms",
    "article_links",
    "stories",
    "story_articles",
    "story_runs",
    "search_index_runs",
}
VIEWS = {
    "v_articles",
    "v_daily_counts",
    "v_quarantine_summary",
    "v_source_health",
    "v_runs",
    "v_stories",
}
# Versions shipped in the repository; the tests add theirs above them (9xxx).
SHIPPED = [m.version for m in discover()]


@pytest.fixture
def migrations(tmp_path: Path) -> Path:
    """A private copy of the migrations folder that a test may add to or edit."""
    return Path(shutil.copytree(MIGRATIONS_DIR, tmp_path / "migrations"))


def _catalog(path: Path) -> tuple[set[str], set[str], list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
        views = {
            r[0]
            for r in con.execute(
                "SELECT view_name FROM duckdb_views() WHERE NOT internal"
            ).fetchall()
        }
        history = con.execute(
            "SELECT version, name, checksum FROM schema_migrations ORDER BY version"
        ).fetchall()
    return tables, views, history


def test_fresh_file_gets_every_table_and_view_once(tmp_path: Path) -> None:
    path = tmp_path / "wh" / "newsdesk.duckdb"  # the folder does not exist yet
    assert migrate(path) == SHIPPED
    tables, views, history = _catalog(path)
    assert tables >= TABLES
    assert views >= VIEWS
    assert [(v, n, c) for v, n, c in history] == [
        (m.version, m.name, m.checksum) for m in discover()
    ]
    assert history[0][:2] == (1, "0001_init.sql")

    assert migrate(path) == []  # applying twice is a no-op
    assert _catalog(path) == (tables, views, history)


def test_new_migrations_apply_in_order_and_later_ones_only_once(
    tmp_path: Path, migrations: Path
) -> None:
    path = tmp_path / "newsdesk.duckdb"
    (migrations / "9004_later.sql").write_text("ALTER TABLE t3 ADD COLUMN b INTEGER;")
    (migrations / "9003_first.sql").write_text("CREATE TABLE t3 (a INTEGER);")
    assert migrate(path, migrations_dir=migrations) == [*SHIPPED, 9003, 9004]
    (migrations / "9005_more.sql").write_text("INSERT INTO t3 VALUES (1, 2);")
    assert migrate(path, migrations_dir=migrations) == [9005]
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT a, b FROM t3").fetchall() == [(1, 2)]


def test_editing_an_applied_migration_is_an_error(tmp_path: Path, migrations: Path) -> None:
    path = tmp_path / "newsdesk.duckdb"
    migrate(path, migrations_dir=migrations)
    init = migrations / "0001_init.sql"
    init.write_text(init.read_text() + "\n-- a harmless-looking edit\n")
    with pytest.raises(MigrationError, match=re.escape("0001_init.sql was edited")):
        migrate(path, migrations_dir=migrations)


def test_missing_or_out_of_order_migrations_are_errors(tmp_path: Path, migrations: Path) -> None:
    path = tmp_path / "newsdesk.duckdb"
    (migrations / "9003_x.sql").write_text("CREATE TABLE x (a INTEGER);")
    migrate(path, migrations_dir=migrations)
    (migrations / "9002_late.sql").write_text("CREATE TABLE late (a INTEGER);")
    with pytest.raises(MigrationError, match="numbered below the newest applied"):
        migrate(path, migrations_dir=migrations)
    (migrations / "9002_late.sql").unlink()
    (migrations / "9003_x.sql").unlink()
    with pytest.raises(MigrationError, match=re.escape("9003_x.sql is missing")):
        migrate(path, migrations_dir=migrations)


def test_badly_named_files_and_duplicate_versions_are_errors(
    tmp_path: Path, migrations: Path
) -> None:
    (migrations / "3_no_padding.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match=re.escape("named NNNN_<what>.sql")):
        migrate(tmp_path / "a.duckdb", migrations_dir=migrations)
    (migrations / "3_no_padding.sql").unlink()
    (migrations / "0001_again.sql").write_text("SELECT 1;")
    with pytest.raises(MigrationError, match="version 0001 used by both"):
        migrate(tmp_path / "b.duckdb", migrations_dir=migrations)


def test_a_failing_migration_leaves_nothing_behind(tmp_path: Path, migrations: Path) -> None:
    path = tmp_path / "newsdesk.duckdb"
    migrate(path, migrations_dir=migrations)
    (migrations / "9003_broken.sql").write_text(
        "CREATE TABLE half (a INTEGER);\nINSERT INTO half VALUES ('not a number');"
    )
    with pytest.raises(MigrationError, match=re.escape("9003_broken.sql failed")):
        migrate(path, migrations_dir=migrations)
    tables, _, history = _catalog(path)
    assert "half" not in tables
    assert [v for v, _, _ in history] == SHIPPED


def test_views_are_recreated_from_their_files(tmp_path: Path) -> None:
    views = Path(shutil.copytree(VIEWS_DIR, tmp_path / "views"))
    path = tmp_path / "newsdesk.duckdb"
    migrate(path, views_dir=views)
    (views / "v_runs.sql").write_text("CREATE OR REPLACE VIEW v_runs AS SELECT 42 AS answer;")
    assert migrate(path, views_dir=views) == []
    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT * FROM v_runs").fetchall() == [(42,)]


def test_a_start_with_the_same_files_skips_the_work_and_any_change_redoes_it(
    tmp_path: Path,
) -> None:
    """schema_state holds the fingerprint of the files the last completed migration run had:
    with the same files a start does nothing (a view dropped by hand stays dropped, which
    shows nothing was recreated); a changed view file, or a lost fingerprint, redoes it."""
    views = Path(shutil.copytree(VIEWS_DIR, tmp_path / "views"))
    path = tmp_path / "newsdesk.duckdb"
    migrate(path, views_dir=views)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP VIEW v_runs")
        assert is_current(con, views_dir=views)
    migrate(path, views_dir=views)
    assert "v_runs" not in _catalog(path)[1]

    (views / "v_runs.sql").write_text("CREATE OR REPLACE VIEW v_runs AS SELECT 7 AS answer;")
    with duckdb.connect(str(path), read_only=True) as con:
        assert not is_current(con, views_dir=views)
    migrate(path, views_dir=views)
    with duckdb.connect(str(path)) as con:
        assert con.execute("SELECT * FROM v_runs").fetchall() == [(7,)]
        con.execute("DROP VIEW v_runs")
        con.execute("DELETE FROM schema_state")  # as if the last migration run was cut short
    migrate(path, views_dir=views)
    assert "v_runs" in _catalog(path)[1]
