-- The first schema of the warehouse. Times are TIMESTAMPTZ (stored as UTC instants).
-- No foreign keys: DuckDB rewrites updated rows as delete + insert, which referencing rows
-- would block; lineage columns (run_id, doc_id) are joined on instead.

-- One row per newsdesk run; run_id is an increasing load id (dlt's create_load_id).
CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    flow_run_id VARCHAR,
    command VARCHAR NOT NULL,
    params JSON,
    status VARCHAR NOT NULL DEFAULT 'started'
        CHECK (status IN ('started', 'gated', 'loaded', 'failed', 'aborted')),
    started_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    finished_at TIMESTAMPTZ,
    -- every document of the run lands in exactly one of loaded, updated, duplicates, quarantined
    ingested BIGINT NOT NULL DEFAULT 0,
    loaded BIGINT NOT NULL DEFAULT 0,
    updated BIGINT NOT NULL DEFAULT 0,
    duplicates BIGINT NOT NULL DEFAULT 0,
    quarantined BIGINT NOT NULL DEFAULT 0,
    batches INTEGER NOT NULL DEFAULT 0,
    error VARCHAR
);

-- The publisher registry (sources.toml) as last synced; entries removed from the file stay,
-- flagged, so old articles still find their source.
CREATE TABLE sources (
    name VARCHAR PRIMARY KEY,
    aliases VARCHAR[] NOT NULL,
    domains VARCHAR[] NOT NULL,
    timezone VARCHAR NOT NULL,
    language VARCHAR,
    feeds VARCHAR[] NOT NULL,
    sitemaps VARCHAR[] NOT NULL,
    in_registry BOOLEAN NOT NULL DEFAULT true,
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Every document that reached ingest, content-addressed; the bytes are kept for replay.
CREATE TABLE raw_documents (
    doc_id VARCHAR PRIMARY KEY,
    uri VARCHAR NOT NULL,
    url VARCHAR,
    fetched_at TIMESTAMPTZ,
    media_type VARCHAR,
    encoding VARCHAR,
    size_bytes BIGINT,
    content BLOB,
    source_hint VARCHAR,
    title_hint VARCHAR,
    published_hint VARCHAR,
    ingest_ms DOUBLE,
    first_run_id VARCHAR NOT NULL,
    last_run_id VARCHAR NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- The current version of each article; doc_id is the raw document it was extracted from.
CREATE TABLE articles (
    article_id VARCHAR PRIMARY KEY,
    doc_id VARCHAR NOT NULL,
    uri VARCHAR,
    url VARCHAR,
    source_id VARCHAR,
    site_name VARCHAR,
    title VARCHAR,
    published_at TIMESTAMPTZ,
    published_local VARCHAR,
    published_raw VARCHAR,
    published_tz VARCHAR,
    published_method VARCHAR,
    modified_at TIMESTAMPTZ,
    section VARCHAR,
    language VARCHAR,
    description VARCHAR,
    image_url VARCHAR,
    body VARCHAR,
    word_count BIGINT,
    extraction_method VARCHAR,
    parser_version VARCHAR,
    fetched_at TIMESTAMPTZ,
    clean_ms DOUBLE,
    extract_ms DOUBLE,
    first_run_id VARCHAR NOT NULL,
    last_run_id VARCHAR NOT NULL,
    loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

CREATE TABLE article_authors (
    article_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    author VARCHAR NOT NULL,
    PRIMARY KEY (article_id, position)
);

CREATE TABLE article_tags (
    article_id VARCHAR NOT NULL,
    position INTEGER NOT NULL,
    tag VARCHAR NOT NULL,
    PRIMARY KEY (article_id, position)
);

-- History: a row each time an article took a new raw document (its first load included).
CREATE TABLE article_versions (
    article_id VARCHAR NOT NULL,
    doc_id VARCHAR NOT NULL,
    run_id VARCHAR NOT NULL,
    title VARCHAR,
    published_at TIMESTAMPTZ,
    word_count BIGINT,
    body_sha VARCHAR,
    valid_from TIMESTAMPTZ NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, doc_id, run_id)
);

-- Documents a gate turned away, one row per failed check; replayable from raw_documents.
CREATE TABLE quarantine (
    doc_id VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    uri VARCHAR,
    reason VARCHAR NOT NULL,
    observed VARCHAR,
    status VARCHAR NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    first_run_id VARCHAR NOT NULL,
    last_run_id VARCHAR NOT NULL,
    times_seen INTEGER NOT NULL DEFAULT 1,
    first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_run_id VARCHAR,
    resolved_at TIMESTAMPTZ,
    PRIMARY KEY (doc_id, stage, expectation)
);

-- Every expectation evaluated by a gate, per batch.
CREATE TABLE dq_results (
    run_id VARCHAR NOT NULL,
    batch_no INTEGER NOT NULL,
    suite VARCHAR NOT NULL,
    stage VARCHAR NOT NULL,
    expectation VARCHAR NOT NULL,
    column_name VARCHAR,
    reason VARCHAR,
    severity VARCHAR NOT NULL CHECK (severity IN ('error', 'warn')),
    evaluated BIGINT,
    failed BIGINT,
    success BOOLEAN NOT NULL,
    threshold DOUBLE,
    sample JSON,
    recorded_at TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- Lines that repeat across a source's pages (menus, tickers, footers), learned run by run.
CREATE TABLE source_template_lines (
    source_id VARCHAR NOT NULL,
    line VARCHAR NOT NULL,
    pages_seen BIGINT NOT NULL,
    first_run_id VARCHAR NOT NULL,
    last_run_id VARCHAR NOT NULL,
    PRIMARY KEY (source_id, line)
);

-- Domains seen on pages of no known source: candidates for sources.toml.
CREATE TABLE proposed_sources (
    domain VARCHAR PRIMARY KEY,
    site_name VARCHAR,
    language VARCHAR,
    pages BIGINT NOT NULL,
    sample_uri VARCHAR,
    first_run_id VARCHAR NOT NULL,
    last_run_id VARCHAR NOT NULL,
    first_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_seen TIMESTAMPTZ NOT NULL DEFAULT now(),
    status VARCHAR NOT NULL DEFAULT 'proposed' CHECK (status IN ('proposed', 'accepted'))
);
