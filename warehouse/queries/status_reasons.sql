-- `newsdesk status`: per run of $runs, what its gates turned away (error severity), by stage
-- and reason.
SELECT run_id, stage, coalesce(reason, expectation) AS reason, sum(failed)::BIGINT AS rows
FROM dq_results
WHERE run_id IN (SELECT unnest($runs)) AND severity = 'error' AND failed > 0
GROUP BY ALL
ORDER BY run_id, rows DESC, stage, reason
