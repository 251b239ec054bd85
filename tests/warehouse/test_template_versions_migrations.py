"""Migrations 0025 and 0026 on a warehouse written before them."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb

from warehouse.migrate import MIGRATIONS_DIR, migrate


def test_old_template_lines_and_versions_are_carried_over(tmp_path: Path) -> None:
    old = tmp_path / "old-migrations"
    old.mkdir()
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        if int(path.name[:4]) <= 4:
            shutil.copy(path, old / path.name)
    db = tmp_path / "warehouse.duckdb"
    no_views = tmp_path / "no-views"
    no_views.mkdir()
    migrate(db, migrations_dir=old, views_dir=no_views)
    with duckdb.connect(str(db)) as con:
        con.execute("""
            INSERT INTO source_template_lines (source_id, line, pages_seen, first_run_id,
                                               last_run_id, last_seen)
            VALUES ('S', 'menu', 7, 'r1', 'r1', now()), ('S', 'a headline', 1, 'r1', 'r1', now());
            INSERT INTO articles (article_id, doc_id, parser_version, first_run_id, last_run_id)
            VALUES ('a1', 'd2', 'newsdesk 0.1', 'r2', 'r2');
            INSERT INTO article_versions (article_id, doc_id, run_id)
            VALUES ('a1', 'd1', 'r1'), ('a1', 'd2', 'r2');
        """)
    applied = migrate(db)
    assert 25 in applied and 26 in applied
    with duckdb.connect(str(db), read_only=True) as con:
        # a line seen on one page may have been one article's: forgotten; a line seen on
        # several stays a line of several articles (article_id NULL), as it counted before
        assert con.execute(
            "SELECT line, article_id, pages_seen FROM source_template_lines"
        ).fetchall() == [("menu", None, 7)]
        # the current version names its article's parser; an older one is unknown
        assert con.execute(
            "SELECT doc_id, parser_version, body FROM article_versions ORDER BY doc_id"
        ).fetchall() == [("d1", None, None), ("d2", "newsdesk 0.1", None)]
