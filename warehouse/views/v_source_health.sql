-- Per source: volume, freshness, and how often its pages end up in quarantine.
-- A quarantined page is attributed to a source by its source hint or its URL's domain.
CREATE OR REPLACE VIEW v_source_health AS
WITH open_docs AS (
    SELECT DISTINCT
        q.doc_id,
        r.source_hint,
        regexp_extract(
            lower(coalesce(r.url, q.uri)), '^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?:www\.)?([^/:?#]+)', 1
        ) AS host
    FROM quarantine AS q
    LEFT JOIN raw_documents AS r ON r.doc_id = q.doc_id
    WHERE q.status = 'open'
),
source_domains AS (
    SELECT name, unnest(domains) AS domain FROM sources
),
attributed AS (
    SELECT d.doc_id, s.name FROM open_docs AS d JOIN sources AS s ON d.source_hint = s.name
    UNION
    SELECT d.doc_id, sd.name
    FROM open_docs AS d
    JOIN source_domains AS sd ON d.host = sd.domain OR ends_with(d.host, '.' || sd.domain)
),
quarantined AS (
    SELECT name AS source_id, count(DISTINCT doc_id) AS quarantined_docs
    FROM attributed
    GROUP BY name
),
volume AS (
    SELECT
        source_id,
        count(*) AS articles,
        max(loaded_at) AS last_loaded_at,
        max(published_at) AS last_published_at,
        count(*) FILTER (WHERE published_at >= now() - INTERVAL 7 DAY) AS articles_7d
    FROM articles
    GROUP BY source_id
)
SELECT
    s.name AS source_id,
    s.in_registry,
    coalesce(v.articles, 0) AS articles,
    v.last_loaded_at,
    v.last_published_at,
    round(coalesce(v.articles_7d, 0) / 7.0, 2) AS articles_per_day_7d,
    coalesce(q.quarantined_docs, 0) AS quarantined_docs,
    round(
        coalesce(q.quarantined_docs, 0)
        / nullif(coalesce(v.articles, 0) + coalesce(q.quarantined_docs, 0), 0),
        4
    ) AS quarantine_rate
FROM sources AS s
LEFT JOIN volume AS v ON v.source_id = s.name
LEFT JOIN quarantined AS q ON q.source_id = s.name
ORDER BY s.name;
