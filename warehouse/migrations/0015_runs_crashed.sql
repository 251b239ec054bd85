-- A run whose process died (kill -9, out of memory, power) is `crashed`, not `started`
-- forever: the next run, `newsdesk status` and maintenance find it through the run lock
-- (flows/run_lock), whose holder the kernel releases when it dies. DuckDB cannot change a
-- CHECK constraint in place, so the table is rebuilt with the same rows; pid and host say
-- which process ran it.
CREATE TABLE runs_0015 (
    run_id VARCHAR PRIMARY KEY,
    flow_run_id VARCHAR,
    command VARCHAR NOT NULL,
    params JSON,
    status VARCHAR NOT NULL DEFAULT 'started'
        CHECK (status IN ('started', 'gated', 'loaded', 'failed', 'aborted', 'crashed')),
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    ingested BIGINT NOT NULL DEFAULT 0,
    loaded BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    duplicates BIGINT NOT NULL DEFAULT 0,
    quarantined BIGINT NOT NULL DEFAULT 0,
    batches INTEGER NOT NULL DEFAULT 0,
    error VARCHAR,
    pid INTEGER,
    host VARCHAR
);
INSERT INTO runs_0015 SELECT *, NULL, NULL FROM runs;
DROP VIEW IF EXISTS v_runs;
DROP TABLE runs;
ALTER TABLE runs_0015 RENAME TO runs;
