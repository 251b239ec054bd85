-- Sources that went quiet, as of $now (warehouse/quiet.py runs this; [quiet] in newsdesk.toml).
-- One row per registry source with its recent rate next to its own baseline, and two flags:
--   quiet:   on each of the last $min_days full UTC days it published fewer articles than
--            $share of its median per day over the $baseline_days before them (a source
--            whose median is 0 has no rate to fall from and is never quiet);
--   failing: every fetch of its pages, feeds and sitemaps has failed for at least
--            $fetch_hours, and it was still tried within them.
-- Parameters: $now TIMESTAMPTZ, $share DOUBLE, $baseline_days INTEGER, $min_days INTEGER,
-- $fetch_hours DOUBLE.
WITH registry AS (
    SELECT name AS source_id, domains FROM sources WHERE in_registry
),
today AS (
    SELECT CAST(timezone('UTC', CAST($now AS TIMESTAMPTZ)) AS DATE) AS day
),
days AS (
    SELECT
        CAST(d AS DATE) AS day,
        CAST(d AS DATE) >= t.day - CAST($min_days AS INTEGER) AS recent
    FROM today AS t,
        generate_series(
            CAST(t.day - CAST($baseline_days + $min_days AS INTEGER) AS TIMESTAMP),
            CAST(t.day - 1 AS TIMESTAMP),
            INTERVAL 1 DAY
        ) AS g(d)
),
published AS (
    SELECT a.source_id, CAST(timezone('UTC', a.published_at) AS DATE) AS day, count(*) AS n
    FROM articles AS a
    WHERE a.published_at >= CAST((SELECT min(day) FROM days) AS TIMESTAMP) AT TIME ZONE 'UTC'
      AND a.published_at < CAST((SELECT day FROM today) AS TIMESTAMP) AT TIME ZONE 'UTC'
    GROUP BY ALL
),
daily AS (
    SELECT r.source_id, d.day, d.recent, coalesce(p.n, 0) AS n
    FROM registry AS r
    CROSS JOIN days AS d
    LEFT JOIN published AS p ON p.source_id = r.source_id AND p.day = d.day
),
rates AS (
    SELECT
        source_id,
        median(n) FILTER (WHERE NOT recent) AS baseline_per_day,
        list(n ORDER BY day) FILTER (WHERE recent) AS recent_per_day,
        max(n) FILTER (WHERE recent) AS recent_max
    FROM daily
    GROUP BY source_id
),
fetches AS (
    SELECT
        r.source_id,
        f.fetched_at,
        f.reason,
        f.reason IS NULL AND coalesce(f.status, 0) < 400 AS ok
    FROM fetch_log AS f
    JOIN (SELECT source_id, unnest(domains) AS domain FROM registry) AS r
        ON regexp_extract(
            lower(coalesce(f.final_url, f.url)),
            '^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?:www\.)?([^/:?#]+)', 1
        ) IN (r.domain)
        OR ends_with(
            regexp_extract(
                lower(coalesce(f.final_url, f.url)),
                '^[a-z][a-z0-9+.-]*://(?:[^@/]*@)?(?:www\.)?([^/:?#]+)', 1
            ),
            '.' || r.domain
        )
),
last_ok AS (
    SELECT source_id, max(fetched_at) FILTER (WHERE ok) AS last_fetch_ok
    FROM fetches
    GROUP BY source_id
),
failing AS (
    SELECT
        f.source_id,
        l.last_fetch_ok,
        count(*) AS failed_fetches,
        min(f.fetched_at) AS failing_since,
        max(f.fetched_at) AS last_failure,
        string_agg(DISTINCT coalesce(f.reason, 'unknown'), ', ' ORDER BY coalesce(f.reason, 'unknown')) AS failure_reasons
    FROM fetches AS f
    JOIN last_ok AS l USING (source_id)
    WHERE NOT f.ok AND (l.last_fetch_ok IS NULL OR f.fetched_at > l.last_fetch_ok)
    GROUP BY f.source_id, l.last_fetch_ok
)
SELECT
    r.source_id,
    x.baseline_per_day,
    x.recent_per_day,
    coalesce(x.baseline_per_day > 0 AND x.recent_max < $share * x.baseline_per_day, false)
        AS quiet,
    coalesce(
        f.failing_since <= CAST($now AS TIMESTAMPTZ) - to_seconds(CAST($fetch_hours * 3600 AS BIGINT))
        AND f.last_failure > CAST($now AS TIMESTAMPTZ) - to_seconds(CAST($fetch_hours * 3600 AS BIGINT)),
        false
    ) AS failing,
    coalesce(f.failed_fetches, 0) AS failed_fetches,
    f.failing_since,
    f.failure_reasons,
    coalesce(f.last_fetch_ok, l.last_fetch_ok) AS last_fetch_ok
FROM registry AS r
LEFT JOIN rates AS x USING (source_id)
LEFT JOIN failing AS f USING (source_id)
LEFT JOIN last_ok AS l USING (source_id)
ORDER BY r.source_id;
