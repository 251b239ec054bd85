-- Local files a run has read, so that a rerun does not read an unchanged file again
-- (tasks/ingest/files.py). A file is unchanged when its size and modification time (ns), and
-- those of its .meta.json sidecar, equal the ones recorded here. Rows are written in the
-- transaction that loads the batch holding the file's last record: a file on record here
-- is in the warehouse (loaded, a duplicate or quarantined). `newsdesk run --rescan` reads
-- every file again whatever this says.
CREATE TABLE file_reads (
    uri VARCHAR PRIMARY KEY,
    size_bytes BIGINT NOT NULL,
    mtime_ns BIGINT NOT NULL,
    sidecar_mtime_ns BIGINT,
    run_id VARCHAR NOT NULL,
    read_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
