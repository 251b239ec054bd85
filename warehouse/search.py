"""Full-text search over articles: DuckDB's fts extension (BM25), loaded offline from the
duckdb-ext-fts package, with an index kept current after each run.

The extension builds its index as plain tables in the schema `fts_main_articles` (docs,
terms, dict, stats, fields, stopwords) and a `match_bm25` macro over them, but it never
updates them when the table changes: `PRAGMA create_fts_index` rebuilds everything.
`refresh_index` therefore does a full build only the first time (or when the indexed
fields change) and otherwise applies the run's changes itself with the extension's own
tokenizer, stemmer and stopwords: the old postings of changed articles leave, the new ones
come in, document frequencies and the collection statistics follow. The result is the
index a rebuild would give (tests/warehouse/test_search.py compares them).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from warehouse.connection import (
    READ_TIMEOUT_S,
    WRITE_TIMEOUT_S,
    open_read,
    open_write,
    transaction,
)

SCHEMA = "fts_main_articles"
# Indexed in this order; standfirst only where the warehouse has that column.
FIELDS = ("title", "standfirst", "body")


class SearchUnavailable(RuntimeError):
    """The fts extension or the index is missing."""


def extension_dir() -> Path:
    """The folder DuckDB should look in for the fts extension (the duckdb-ext-fts package)."""
    spec = importlib.util.find_spec("duckdb_ext")
    if spec is None or not spec.submodule_search_locations:
        raise SearchUnavailable("the duckdb-ext-fts package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "extensions"


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load fts from the package's folder: no download, also on a read-only connection."""
    con.execute("SET extension_directory = ?", [str(extension_dir())])
    try:
        con.execute("LOAD fts")
    except duckdb.Error as exc:
        raise SearchUnavailable(f"could not load the fts extension: {exc}") from exc


def _fields(con: duckdb.DuckDBPyConnection) -> list[str]:
    columns = {
        name
        for (name,) in con.execute(
            "SELECT column_name FROM duckdb_columns() "
            "WHERE schema_name = 'main' AND table_name = 'articles'"
        ).fetchall()
    }
    return [f for f in FIELDS if f in columns]


def _indexed_fields(con: duckdb.DuckDBPyConnection) -> list[str] | None:
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'fields'",
        [SCHEMA],
    ).fetchone()[0]
    if not exists:
        return None
    return [
        f for (f,) in con.execute(f"SELECT field FROM {SCHEMA}.fields ORDER BY fieldid").fetchall()
    ]


def rebuild(con: duckdb.DuckDBPyConnection) -> None:
    fields = ", ".join(f"'{f}'" for f in _fields(con))  # names from the catalog, not input
    con.execute(f"PRAGMA create_fts_index('articles', 'article_id', {fields}, overwrite=1)")


_CHANGED_SQL = f"""
SELECT article_id FROM articles
WHERE last_run_id NOT IN (SELECT run_id FROM search_index_runs)
   OR article_id NOT IN (SELECT name FROM {SCHEMA}.docs)
"""


def _changed(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether an article changed since the index last took it in (or is not in it)."""
    return con.execute(f"SELECT EXISTS ({_CHANGED_SQL})").fetchone()[0]


def _apply_changes(con: duckdb.DuckDBPyConnection, fields: list[str]) -> int:
    """Re-index the articles changed by runs not yet in the index, and any it lacks."""
    s = SCHEMA
    con.execute(f"CREATE OR REPLACE TEMP TABLE fts_changed AS {_CHANGED_SQL}")
    (changed,) = con.execute("SELECT count(*) FROM fts_changed").fetchone()
    if not changed:
        return 0
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE fts_old AS
        SELECT docid FROM {s}.docs WHERE name IN (SELECT article_id FROM fts_changed);
        UPDATE {s}.dict SET df = dict.df - old.n
        FROM (SELECT termid, count(DISTINCT docid) AS n FROM {s}.terms
              WHERE docid IN (SELECT docid FROM fts_old) GROUP BY termid) AS old
        WHERE dict.termid = old.termid;
        DELETE FROM {s}.terms WHERE docid IN (SELECT docid FROM fts_old);
        DELETE FROM {s}.docs WHERE docid IN (SELECT docid FROM fts_old);
        CREATE OR REPLACE TEMP TABLE fts_newdocs AS
        SELECT (SELECT coalesce(max(docid), -1) FROM {s}.docs)
               + row_number() OVER (ORDER BY article_id) AS docid, article_id AS name
        FROM fts_changed;
        """
    )
    tokenized = " UNION ALL ".join(
        f"SELECT unnest({s}.tokenize(a.{field})) AS w, d.docid, "
        f"(SELECT fieldid FROM {s}.fields WHERE field = '{field}') AS fieldid "
        f"FROM articles AS a JOIN fts_newdocs AS d ON d.name = a.article_id"
        for field in fields
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE fts_newterms AS
        WITH tokenized AS ({tokenized})
        SELECT stem(w, 'porter') AS term, docid, fieldid FROM tokenized
        WHERE w NOT IN (SELECT sw FROM {s}.stopwords) AND w NOT NULL AND w <> '';
        INSERT INTO {s}.dict (termid, term, df)
        SELECT (SELECT coalesce(max(termid), -1) FROM {s}.dict)
               + row_number() OVER (ORDER BY term), term, 0
        FROM (SELECT DISTINCT term FROM fts_newterms
              WHERE term NOT IN (SELECT term FROM {s}.dict));
        UPDATE {s}.dict SET df = dict.df + new.n
        FROM (SELECT term, count(DISTINCT docid) AS n FROM fts_newterms GROUP BY term) AS new
        WHERE dict.term = new.term;
        DELETE FROM {s}.dict WHERE df <= 0;
        INSERT INTO {s}.terms (docid, fieldid, termid)
        SELECT t.docid, t.fieldid, d.termid FROM fts_newterms AS t JOIN {s}.dict AS d USING (term);
        INSERT INTO {s}.docs (docid, name, len)
        SELECT d.docid, d.name, count(t.term)
        FROM fts_newdocs AS d LEFT JOIN fts_newterms AS t USING (docid) GROUP BY ALL;
        DELETE FROM {s}.stats;
        INSERT INTO {s}.stats SELECT count(docid), sum(len) / count(len) FROM {s}.docs;
        DROP TABLE fts_old; DROP TABLE fts_newdocs; DROP TABLE fts_newterms;
        DROP TABLE fts_changed;
        """
    )
    return int(changed)


def refresh_index(
    db_path: Path | str, run_id: str | None, *, timeout_s: float = WRITE_TIMEOUT_S
) -> dict[str, Any]:
    """Bring the search index up to date after a run; returns what was done."""
    with open_write(db_path, timeout_s) as con:
        fields = _fields(con)
        # Loading fts costs more than the rest when no article changed (a rerun of known
        # pages): the check for changes needs only the index's plain tables.
        if _indexed_fields(con) != fields or _changed(con):
            load_fts(con)
        with transaction(con):
            if _indexed_fields(con) != fields:
                rebuild(con)
                result = {"mode": "rebuilt"}
                # Every run so far is in the index now.
                con.execute(
                    "INSERT OR IGNORE INTO search_index_runs (run_id, mode) "
                    "SELECT DISTINCT last_run_id, 'rebuilt' FROM articles"
                )
            else:
                result = {"mode": "incremental", "articles": _apply_changes(con, fields)}
            if run_id is not None:
                con.execute(
                    "INSERT OR REPLACE INTO search_index_runs (run_id, mode, articles) "
                    "VALUES (?, ?, ?)",
                    [run_id, result["mode"], result.get("articles")],
                )
    return result


# BM25 as match_bm25 computes it (k1 = 1.2, b = 0.75, the same expression), but set-based:
# match_bm25 is a per-row macro, and calling it on every article took 7 s at 111,000 articles.
# Scores are equal to match_bm25's (tests/warehouse/test_search_stories.py).
_SEARCH_SQL = """
WITH tokens AS (
    SELECT DISTINCT stem(unnest({schema}.tokenize($q)), 'porter') AS t
),
qterms AS (
    SELECT d.termid, d.df FROM {schema}.dict AS d JOIN tokens ON d.term = tokens.t
),
tf AS (
    SELECT p.docid, p.termid, count(*) AS tf
    FROM {schema}.terms AS p JOIN qterms USING (termid)
    GROUP BY p.docid, p.termid
),
scores AS (
    SELECT tf.docid, sum(
        log(((st.num_docs - q.df) + 0.5) / (q.df + 0.5) + 1)
        * ((tf.tf * (1.2 + 1)) / (tf.tf + 1.2 * ((1 - 0.75) + 0.75 * (d.len / st.avgdl))))
    ) AS score
    FROM tf
    JOIN qterms AS q USING (termid)
    JOIN {schema}.docs AS d USING (docid),
    {schema}.stats AS st
    GROUP BY tf.docid
)
SELECT s.score, a.article_id, a.source_id, a.published_at, a.title, a.url, a.body
FROM scores AS s
JOIN {schema}.docs AS d USING (docid)
JOIN articles AS a ON a.article_id = d.name
WHERE ($since IS NULL OR a.published_at >= $since)
  AND ($until IS NULL OR a.published_at < $until)
  AND ($source IS NULL OR a.source_id = $source)
ORDER BY s.score DESC, a.published_at DESC, a.article_id
LIMIT $limit
"""


def search(
    db_path: Path | str,
    text: str,
    *,
    since: Any = None,
    until: Any = None,
    source: str | None = None,
    limit: int = 20,
    timeout_s: float = READ_TIMEOUT_S,
) -> pl.DataFrame:
    """Articles ranked by BM25 over the indexed fields, best first (with their body)."""
    with open_read(db_path, timeout_s) as con:
        load_fts(con)
        if _indexed_fields(con) is None:
            raise SearchUnavailable("no search index yet: it is built by the next run")
        result = con.execute(
            _SEARCH_SQL.format(schema=SCHEMA),
            {"q": text, "since": since, "until": until, "source": source, "limit": limit},
        )
        return result.pl()


def query_terms(con: duckdb.DuckDBPyConnection, text: str) -> list[str]:
    """The query's stemmed terms, as the index sees them (for marking snippets)."""
    rows = con.execute(
        f"SELECT DISTINCT stem(unnest({SCHEMA}.tokenize($q)), 'porter')", {"q": text}
    ).fetchall()
    return [t for (t,) in rows if t]


_WORD = r"\w+"
SNIPPET_WORDS = 30


def with_snippets(
    db_path: Path | str,
    hits: pl.DataFrame,
    text: str,
    *,
    words: int = SNIPPET_WORDS,
    timeout_s: float = READ_TIMEOUT_S,
) -> pl.DataFrame:
    """Replace `body` by a snippet: the `words`-word window of the body (or the title) with
    the most query terms, each marked **like this**. Words are matched by their stem, as
    the index matches them (goat matches goats, military matches militaries)."""

    bodies = [(b or "") for b in hits["body"]]
    tokens = {w.lower() for body in bodies for w in re.findall(_WORD, body)}
    tokens |= {w.lower() for t in hits["title"] if t for w in re.findall(_WORD, t)}
    with open_read(db_path, timeout_s) as con:
        load_fts(con)
        wanted = set(query_terms(con, text))
        stems = (
            dict(
                con.execute(
                    "SELECT w, stem(w, 'porter') FROM (SELECT unnest($w) AS w)",
                    {"w": sorted(tokens)},
                ).fetchall()
            )
            if tokens
            else {}
        )
    hit = {w for w, s in stems.items() if s in wanted}

    def snippet(body: str, title: str | None) -> str:
        parts = body.split() or (title or "").split()
        marks = [any(w.lower() in hit for w in re.findall(_WORD, p)) for p in parts]
        best, start = -1, 0
        for i in range(max(1, len(parts) - words + 1)):
            n = sum(marks[i : i + words])
            if n > best:
                best, start = n, i
        window = [
            f"**{p}**" if marked else p
            for p, marked in zip(
                parts[start : start + words], marks[start : start + words], strict=True
            )
        ]
        return (
            ("… " if start else "")
            + " ".join(window)
            + (" …" if start + words < len(parts) else "")
        )

    return hits.with_columns(
        snippet=pl.Series(
            [snippet(b, t) for b, t in zip(bodies, hits["title"], strict=True)], dtype=pl.String
        )
    ).drop("body")


# The macros PRAGMA create_fts_index defines, with their parameters (duckdb_functions()
# gives their bodies but not the defaults).
_MACRO_PARAMS = {
    "tokenize": "s",
    "match_bm25": "docname, query_string, fields := NULL, k := 1.2, b := 0.75, conjunctive := 0",
}


def copy_index(con: duckdb.DuckDBPyConnection, target: str) -> bool:
    """Copy the search index (its tables and macros) into the attached database `target`,
    e.g. a read copy for analysts; False when the warehouse has no index yet."""
    if _indexed_fields(con) is None:
        return False
    (main,) = con.execute("SELECT current_database()").fetchone()
    tables = [
        name
        for (name,) in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = ?",
            [main, SCHEMA],
        ).fetchall()
    ]
    macros = con.execute(
        "SELECT function_name, macro_definition FROM duckdb_functions() "
        "WHERE database_name = ? AND schema_name = ? AND function_type = 'macro'",
        [main, SCHEMA],
    ).fetchall()
    # Names come from the catalog and from _MACRO_PARAMS, not from a caller.
    con.execute(f'CREATE SCHEMA IF NOT EXISTS "{target}".{SCHEMA}')
    for table in tables:
        con.execute(
            f'CREATE OR REPLACE TABLE "{target}".{SCHEMA}."{table}" AS '
            f'SELECT * FROM "{main}".{SCHEMA}."{table}"'
        )
    for name, body in macros:
        con.execute(
            f'CREATE OR REPLACE MACRO "{target}".{SCHEMA}.{name}({_MACRO_PARAMS[name]}) AS {body}'
        )
    return True
