"""Copies and stories in the warehouse: the stored signatures, bands and story terms, the
candidate joins that find links, and the `stories` table rebuilt from the links.

The logic that hashes, scores and groups is in tasks/stories; this module holds the SQL.
A run indexes the articles it loaded or changed (and any article still without a
signature, e.g. after an interrupted run), so earlier articles are never hashed again.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa

from warehouse.connection import (
    READ_TIMEOUT_S,
    WRITE_TIMEOUT_S,
    open_read,
    open_write,
    transaction,
)
from warehouse.read import query

# A term in more than this share of articles (and more than _COMMON_MIN of them) is too
# common to tell events apart; leaving it out of the join keeps the candidate join linear.
_COMMON_SHARE = 0.02
_COMMON_MIN = 50


def articles_to_index(
    db_path: Path | str, run_id: str, *, timeout_s: float = READ_TIMEOUT_S
) -> list[str]:
    """Ids of the articles this run loaded or changed, of any without a signature, and of
    any hashed by a run whose stories step did not finish."""
    if not Path(db_path).exists():
        return []
    frame = query(
        db_path,
        """
        SELECT a.article_id
        FROM articles AS a LEFT JOIN article_signatures AS s USING (article_id)
        WHERE a.last_run_id = $run OR s.article_id IS NULL
           OR s.run_id NOT IN (SELECT run_id FROM story_runs)
        ORDER BY a.article_id
        """,
        {"run": run_id},
        timeout_s=timeout_s,
    )
    return frame["article_id"].to_list() if frame.height else []


def article_texts(
    db_path: Path | str, article_ids: list[str], *, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """article_id, title, standfirst (null where the warehouse has no such column), body."""
    columns = query(
        db_path,
        "SELECT column_name FROM duckdb_columns() WHERE table_name = 'articles' "
        "AND column_name = 'standfirst'",
        timeout_s=timeout_s,
    )
    standfirst = "standfirst" if columns.height else "NULL::VARCHAR AS standfirst"
    return query(
        db_path,
        f"""
        SELECT article_id, title, {standfirst}, body FROM articles
        WHERE article_id IN (SELECT unnest($ids)) ORDER BY article_id
        """,
        {"ids": article_ids},
        timeout_s=timeout_s,
    )


def save_features(
    db_path: Path | str,
    run_id: str,
    *,
    indexed: list[str],
    signatures: pl.DataFrame,
    bands: pl.DataFrame,
    terms: pl.DataFrame,
    timeout_s: float = WRITE_TIMEOUT_S,
) -> None:
    """Replace the features of the `indexed` articles and drop their old links."""
    tables = {
        "idx": pl.DataFrame({"article_id": indexed}, schema={"article_id": pl.String}).to_arrow(),
        "sigs": signatures.to_arrow(),
        "bnds": bands.to_arrow(),
        "trms": terms.to_arrow(),
    }
    with open_write(db_path, timeout_s) as con:
        for name, table in tables.items():
            con.register(f"new_{name}", table)
        with transaction(con):
            for table in ("article_signatures", "article_bands", "article_terms"):
                con.execute(
                    f"DELETE FROM {table} WHERE article_id IN (SELECT article_id FROM new_idx)"
                )
            con.execute(
                "DELETE FROM article_links WHERE article_id IN (SELECT article_id FROM new_idx) "
                "OR other_id IN (SELECT article_id FROM new_idx)"
            )
            con.execute(
                "INSERT INTO article_signatures (article_id, body_sha, minhash, shingles, run_id) "
                "SELECT article_id, body_sha, minhash, shingles, $run FROM new_sigs",
                {"run": run_id},
            )
            con.execute("INSERT INTO article_bands SELECT article_id, band, bucket FROM new_bnds")
            con.execute("INSERT INTO article_terms SELECT article_id, term, in_title FROM new_trms")


def copy_candidates(
    db_path: Path | str, article_ids: list[str], *, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """Pairs (article_id < other_id) sharing an LSH bucket, one of them in `article_ids`,
    with both signatures."""
    return query(
        db_path,
        """
        WITH pairs AS (
            SELECT DISTINCT least(n.article_id, o.article_id) AS article_id,
                   greatest(n.article_id, o.article_id) AS other_id
            FROM article_bands AS n
            JOIN article_bands AS o
              ON o.band = n.band AND o.bucket = n.bucket AND o.article_id <> n.article_id
            WHERE n.article_id IN (SELECT unnest($ids))
        )
        SELECT p.article_id, p.other_id, sa.minhash AS minhash_a, sb.minhash AS minhash_b
        FROM pairs AS p
        JOIN article_signatures AS sa ON sa.article_id = p.article_id
        JOIN article_signatures AS sb ON sb.article_id = p.other_id
        ORDER BY 1, 2
        """,
        {"ids": article_ids},
        timeout_s=timeout_s,
    )


def story_candidates(
    db_path: Path | str,
    article_ids: list[str],
    *,
    window_days: float,
    title_weight: float,
    timeout_s: float = READ_TIMEOUT_S,
) -> pl.DataFrame:
    """Pairs (article_id < other_id) published within `window_days` of each other that share
    story terms, one of them in `article_ids`: the rarity-weighted (idf) sum of the shared
    terms, and that sum over the smaller and over the geometric mean of the two articles'
    own term weights (`overlap`, `cosine`). A title term weighs `title_weight` times more."""
    return query(
        db_path,
        """
        WITH n AS (SELECT count(DISTINCT article_id)::DOUBLE AS docs FROM article_terms),
        idf AS (
            SELECT term, count(*) AS df, ln(1 + (SELECT docs FROM n) / count(*)) AS idf
            FROM article_terms GROUP BY term
        ),
        new AS (
            SELECT article_id, published_at FROM articles
            WHERE article_id IN (SELECT unnest($ids))
        ),
        -- the new articles' terms that are rare enough to pair on
        x AS (
            SELECT t.article_id, t.term, new.published_at,
                   i.idf * CASE WHEN t.in_title THEN $title_weight ELSE 1 END AS w
            FROM article_terms AS t JOIN new USING (article_id) JOIN idf AS i USING (term)
            WHERE i.df <= greatest($common_min, $common_share * (SELECT docs FROM n))
        ),
        -- every article's terms keyed by (term, day), and each new term once per day of
        -- its window: an equi-join on both keeps far-apart articles out of the join
        y AS (
            SELECT t.article_id, t.term, o.published_at,
                   floor(epoch(o.published_at) / 86400)::BIGINT AS day,
                   i.idf * CASE WHEN t.in_title THEN $title_weight ELSE 1 END AS w
            FROM article_terms AS t JOIN idf AS i USING (term)
            JOIN articles AS o ON o.article_id = t.article_id
            WHERE t.term IN (SELECT term FROM x)
        ),
        x_days AS (
            SELECT x.*, floor(epoch(x.published_at) / 86400)::BIGINT + d.range AS day
            FROM x, range(-ceil($window)::BIGINT, ceil($window)::BIGINT + 1) AS d
        ),
        pairs AS (
            SELECT least(x.article_id, y.article_id) AS article_id,
                   greatest(x.article_id, y.article_id) AS other_id,
                   sum(least(x.w, y.w)) AS shared, count(*) AS shared_terms
            FROM x_days AS x
            JOIN y ON y.term = x.term AND y.day = x.day AND y.article_id <> x.article_id
            WHERE abs(epoch(y.published_at) - epoch(x.published_at)) <= $window * 86400
              -- a pair of two new articles is counted from its smaller id only
              AND (y.article_id NOT IN (SELECT article_id FROM new) OR x.article_id < y.article_id)
            GROUP BY ALL
        ),
        totals AS (
            SELECT t.article_id,
                   sum(i.idf * CASE WHEN t.in_title THEN $title_weight ELSE 1 END) AS total
            FROM article_terms AS t JOIN idf AS i USING (term)
            WHERE t.article_id IN (SELECT article_id FROM pairs UNION SELECT other_id FROM pairs)
            GROUP BY t.article_id
        )
        SELECT p.article_id, p.other_id, p.shared, p.shared_terms,
               p.shared / least(ta.total, tb.total) AS overlap,
               p.shared / sqrt(ta.total * tb.total) AS cosine
        FROM pairs AS p
        JOIN totals AS ta ON ta.article_id = p.article_id
        JOIN totals AS tb ON tb.article_id = p.other_id
        ORDER BY 1, 2
        """,
        {
            "ids": article_ids,
            "window": window_days,
            "title_weight": title_weight,
            "common_min": _COMMON_MIN,
            "common_share": _COMMON_SHARE,
        },
        timeout_s=timeout_s,
    )


def links(db_path: Path | str, *, timeout_s: float = READ_TIMEOUT_S) -> pl.DataFrame:
    return query(
        db_path,
        "SELECT article_id, other_id, similarity, relation FROM article_links ORDER BY 1, 2",
        timeout_s=timeout_s,
    )


# The articles whose stories a run can change, from the articles it touched: every article
# linked to one of them, every member of a story one of them is in, and so on until nothing
# is added (a changed article may have lost the link that held its old story together, so
# the old stories' members are followed too, not only the links). A node is an article or a
# story; the walk is DuckDB's, and what comes back to Python is the neighbourhood only.
_AROUND_SQL = """
WITH RECURSIVE edges(from_story, a, to_story, b) AS (
    SELECT false, article_id, false, other_id FROM article_links
    UNION ALL SELECT false, other_id, false, article_id FROM article_links
    UNION ALL SELECT false, article_id, true, story_id FROM story_articles
    UNION ALL SELECT true, story_id, false, article_id FROM story_articles
),
reach(is_story, id) AS (
    SELECT false, article_id FROM (SELECT unnest($ids) AS article_id)
    UNION
    SELECT e.to_story, e.b FROM reach AS r
    JOIN edges AS e ON e.from_story = r.is_story AND e.a = r.id
)
SELECT id AS article_id FROM reach WHERE NOT is_story ORDER BY 1
"""


def links_around(
    db_path: Path | str, article_ids: list[str], *, timeout_s: float = READ_TIMEOUT_S
) -> tuple[list[str], pl.DataFrame]:
    """The articles whose stories change with `article_ids` (those, and all that their links
    and stories reach), and the stored links among them (article_id, other_id, similarity,
    relation): what a run reads instead of every link in the warehouse."""
    with open_read(db_path, timeout_s) as con:
        around = [a for (a,) in con.execute(_AROUND_SQL, {"ids": article_ids}).fetchall()]
        found = con.execute(
            "SELECT article_id, other_id, similarity, relation FROM article_links "
            "WHERE article_id IN (SELECT unnest($ids)) ORDER BY 1, 2",
            {"ids": around},
        ).pl()
    return around, found


# Stories change only around the run's articles: `affected` (links_around) holds every
# article a run's links and stories reach, so each group recomputed here lies wholly inside
# it, every old story that meets it is inside it too, and the stories elsewhere stay as they
# are. `new_components` gives the group (after this run's links) of each linked one.
_STORIES_SQL = """
CREATE OR REPLACE TEMP TABLE members AS
SELECT a.article_id, a.published_at, a.source_id, a.title, a.first_run_id, a.last_run_id,
       first_value(a.article_id) OVER (
           PARTITION BY coalesce(c.component, a.article_id)
           ORDER BY a.published_at NULLS LAST, a.first_run_id, a.article_id
       ) AS story_id
FROM articles AS a LEFT JOIN new_components AS c USING (article_id)
WHERE a.article_id IN (SELECT article_id FROM affected);

DELETE FROM stories WHERE story_id IN (
    SELECT story_id FROM story_articles WHERE article_id IN (SELECT article_id FROM affected)
);
DELETE FROM story_articles WHERE article_id IN (SELECT article_id FROM affected);
INSERT INTO story_articles SELECT article_id, story_id FROM members;

INSERT INTO stories
WITH outlet_first AS (
    SELECT story_id, source_id, min((published_at, first_run_id)) AS since
    FROM members GROUP BY story_id, source_id
),
outlets AS (
    SELECT story_id, list(source_id ORDER BY since NULLS LAST, source_id) AS outlets
    FROM outlet_first GROUP BY story_id
),
copied AS (
    SELECT article_id FROM article_links
    WHERE relation = 'copy' AND article_id IN (SELECT article_id FROM affected)
    UNION SELECT other_id FROM article_links
    WHERE relation = 'copy' AND other_id IN (SELECT article_id FROM affected)
)
SELECT m.story_id,
       min(m.published_at),
       arg_min(m.source_id, (m.published_at, m.first_run_id, m.article_id)),
       count(*),
       count(DISTINCT m.source_id),
       any_value(o.outlets),
       count(*) FILTER (WHERE m.article_id IN (SELECT article_id FROM copied)),
       arg_min(m.title, (m.published_at, m.first_run_id, m.article_id)),
       min(m.first_run_id),
       max(m.last_run_id)
FROM members AS m JOIN outlets AS o USING (story_id)
GROUP BY m.story_id;
DROP TABLE members;
"""


def save_links_and_stories(
    db_path: Path | str,
    run_id: str,
    *,
    new_links: pl.DataFrame,
    components: pl.DataFrame,
    touched: list[str],
    affected: list[str],
    timeout_s: float = WRITE_TIMEOUT_S,
) -> tuple[int, int]:
    """Add the run's links, recompute the stories of the `affected` articles (links_around
    the `touched` ones: the articles the run indexed and the ends of its new links) from
    `components` (article_id, component of each linked one among them); returns (stories,
    new stories)."""
    links_table = new_links.select("article_id", "other_id", "similarity", "relation").to_arrow()
    comp_table: pa.Table = components.select("article_id", "component").to_arrow()
    with open_write(db_path, timeout_s) as con:
        con.register("new_links", links_table)
        con.register("new_components", comp_table)
        con.register(
            "affected",
            pl.DataFrame({"article_id": affected}, schema={"article_id": pl.String}).to_arrow(),
        )
        with transaction(con):
            con.execute(
                """
                INSERT INTO article_links (article_id, other_id, similarity, relation, run_id)
                SELECT article_id, other_id, similarity, relation, $run FROM new_links
                ON CONFLICT (article_id, other_id) DO UPDATE SET
                    similarity = excluded.similarity, relation = excluded.relation,
                    run_id = excluded.run_id, linked_at = now()
                """,
                {"run": run_id},
            )
            con.execute(_STORIES_SQL)
            con.execute(
                "INSERT OR REPLACE INTO story_runs (run_id, indexed, links) VALUES (?, ?, ?)",
                [run_id, len(touched), links_table.num_rows],
            )
            total, new = con.execute(
                "SELECT count(*), count(*) FILTER (WHERE first_run_id = $run) FROM stories",
                {"run": run_id},
            ).fetchone()
    return int(total), int(new)


def run_stories(
    db_path: Path | str, run_id: str, *, limit: int = 10, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """The stories this run started or added to that span more than one article."""
    return query(
        db_path,
        """
        SELECT story_id, first_seen, first_outlet, article_count, outlets, title,
               first_run_id = $run AS new
        FROM stories WHERE last_run_id = $run AND article_count > 1
        ORDER BY article_count DESC, first_seen LIMIT $limit
        """,
        {"run": run_id, "limit": limit},
        timeout_s=timeout_s,
    )


def describe(
    db_path: Path | str, article_ids: list[str], *, timeout_s: float = READ_TIMEOUT_S
) -> pl.DataFrame:
    """article_id, source_id, published_at, title of the given articles."""
    return query(
        db_path,
        "SELECT article_id, source_id, published_at, title FROM articles "
        "WHERE article_id IN (SELECT unnest($ids)) "
        "ORDER BY published_at NULLS LAST, first_run_id, article_id",
        {"ids": article_ids},
        timeout_s=timeout_s,
    )


def list_stories(
    db_path: Path | str,
    *,
    since: object = None,
    source: str | None = None,
    min_articles: int = 1,
    limit: int = 100,
    timeout_s: float = READ_TIMEOUT_S,
) -> pl.DataFrame:
    """Stories from v_stories, earliest first; `source` keeps those it took part in."""
    return query(
        db_path,
        """
        SELECT story_id, first_seen, first_outlet, article_count, outlets, copies, title
        FROM v_stories
        WHERE ($since IS NULL OR first_seen >= $since)
          AND ($source IS NULL OR list_contains(outlets, $source))
          AND article_count >= $min
        ORDER BY first_seen NULLS LAST, story_id
        LIMIT $limit
        """,
        {"since": since, "source": source, "min": min_articles, "limit": limit},
        timeout_s=timeout_s,
    )
