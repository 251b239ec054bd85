-- Why open quarantine rows are there: one line per stage and reason, with an example.
CREATE OR REPLACE VIEW v_quarantine_summary AS
SELECT
    stage,
    reason,
    count(DISTINCT doc_id) AS documents,
    count(*) AS failed_checks,
    list(DISTINCT expectation ORDER BY expectation) AS expectations,
    arg_max(uri, last_seen) AS example_uri,
    arg_max(observed, last_seen) AS example_observed,
    min(first_seen) AS first_seen,
    max(last_seen) AS last_seen
FROM quarantine
WHERE status = 'open'
GROUP BY stage, reason
ORDER BY documents DESC, stage, reason;
