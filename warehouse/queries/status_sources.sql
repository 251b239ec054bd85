-- `newsdesk status`: v_source_health plus the last successful fetch of any URL on the
-- source's domains (the host of a URL read as v_source_health reads it).
WITH fetched AS (
    SELECT regexp_extract(
               lower(coalesce(final_url, url)), '^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?:www\.)?([^/:?#]+)', 1
           ) AS host,
           max(fetched_at) AS last_fetch_ok
    FROM fetch_log
    WHERE reason IS NULL AND status < 400
    GROUP BY host
),
by_source AS (
    SELECT s.name, max(f.last_fetch_ok) AS last_fetch_ok
    FROM (SELECT name, unnest(domains) AS domain FROM sources) AS s
    JOIN fetched AS f ON f.host = s.domain OR ends_with(f.host, '.' || s.domain)
    GROUP BY s.name
)
SELECT h.source_id, h.in_registry, h.articles, h.articles_per_day_7d, h.last_loaded_at,
       h.last_published_at, b.last_fetch_ok, h.quarantined_docs, h.quarantine_rate
FROM v_source_health AS h
LEFT JOIN by_source AS b ON b.name = h.source_id
ORDER BY h.source_id
