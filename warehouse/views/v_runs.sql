-- Runs, newest first, with their counts and how their gates did.
CREATE OR REPLACE VIEW v_runs AS
SELECT
    r.run_id,
    r.command,
    r.status,
    r.started_at,
    r.finished_at,
    round(date_diff('millisecond', r.started_at, r.finished_at) / 1000.0, 3) AS duration_s,
    r.batches,
    r.ingested,
    r.loaded,
    r.updated,
    r.duplicates,
    r.quarantined,
    coalesce(dq.checks, 0) AS dq_checks,
    coalesce(dq.failed_checks, 0) AS dq_failed_checks,
    r.error,
    r.flow_run_id,
    r.params
FROM runs AS r
LEFT JOIN (
    SELECT run_id, count(*) AS checks, count(*) FILTER (WHERE NOT success) AS failed_checks
    FROM dq_results
    GROUP BY run_id
) AS dq ON dq.run_id = r.run_id
ORDER BY r.run_id DESC;
