-- Articles per publication day (UTC) and source; undated articles have day NULL.
CREATE OR REPLACE VIEW v_daily_counts AS
SELECT
    (published_at AT TIME ZONE 'UTC')::DATE AS day,
    source_id,
    count(*) AS articles,
    sum(word_count)::BIGINT AS words,
    max(loaded_at) AS last_loaded_at
FROM articles
GROUP BY ALL
ORDER BY day DESC NULLS LAST, source_id;
