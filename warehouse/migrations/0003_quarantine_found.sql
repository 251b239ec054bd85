-- What the pipeline had found in a quarantined document when a gate turned it away (its
-- title, date string, publisher as printed, body), so a person can see the page and fix the
-- cause without re-running it. One row per document: the latest stage that saw it.
CREATE TABLE quarantine_found (
    doc_id VARCHAR PRIMARY KEY,
    stage VARCHAR NOT NULL,
    title VARCHAR,
    published_raw VARCHAR,
    site_name VARCHAR,
    url VARCHAR,
    word_count BIGINT,
    body VARCHAR,
    run_id VARCHAR NOT NULL,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
