-- Alerts sent about sources that went quiet or kept failing (warehouse/queries/
-- quiet_sources.sql), one row per source and kind each time one went out, so that the next
-- scheduled ingest does not send the same alert again within [quiet] realert_hours.
CREATE TABLE source_alerts (
    alerted_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL,
    source_id VARCHAR NOT NULL,
    kind VARCHAR NOT NULL,  -- quiet | failing
    detail VARCHAR NOT NULL,
    sent_through VARCHAR  -- the notification block, null when none is configured
);
CREATE INDEX source_alerts_source ON source_alerts (source_id, kind, alerted_at);
