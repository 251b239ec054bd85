-- Runs whose changes are in the full-text search index (warehouse/search.py). An article
-- last changed by a run missing here (its index update was interrupted) is indexed again
-- by the next update.
CREATE TABLE search_index_runs (
    run_id VARCHAR PRIMARY KEY,
    mode VARCHAR NOT NULL,
    articles INTEGER,
    indexed_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
