-- `newsdesk status`: the last $limit runs, newest first.
SELECT run_id, command, status, started_at, duration_s, ingested, loaded, updated,
       duplicates, quarantined, error
FROM v_runs
ORDER BY run_id DESC
LIMIT $limit
