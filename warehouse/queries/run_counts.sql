-- A flow run's warehouse run and its counts, for the failure alert (flows/alerts.py).
-- Parameters: $flow_run_id VARCHAR.
SELECT run_id, ingested, loaded, updated, duplicates, quarantined
FROM runs
WHERE flow_run_id = $flow_run_id
ORDER BY run_id DESC
LIMIT 1
