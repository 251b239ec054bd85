-- Web ingest (tasks/ingest/web): what the crawler remembers between runs and what it did.

-- One row per page, feed or sitemap fetched successfully, keyed by its canonical URL
-- (tracking parameters, fragment, default port and trailing slash removed). etag and
-- last_modified make the next request conditional; doc_id (sha256 of the content last
-- fetched) tells an unchanged page from a changed one.
CREATE TABLE seen_urls (
    canonical_url VARCHAR PRIMARY KEY,
    last_fetched_at TIMESTAMPTZ NOT NULL,
    etag VARCHAR,
    last_modified VARCHAR,
    doc_id VARCHAR,
    status INTEGER,
    final_url VARCHAR
);

-- Every request a crawl made for a target or a link, answered or not. reason is a
-- tasks.rejects.Reason value when it failed; headers holds the ones worth keeping.
CREATE TABLE fetch_log (
    run_id VARCHAR NOT NULL,
    url VARCHAR NOT NULL,
    status INTEGER,
    reason VARCHAR,
    bytes BIGINT NOT NULL,
    elapsed_ms DOUBLE NOT NULL,
    fetched_at TIMESTAMPTZ NOT NULL,
    final_url VARCHAR,
    headers JSON
);

CREATE INDEX fetch_log_run ON fetch_log (run_id);
