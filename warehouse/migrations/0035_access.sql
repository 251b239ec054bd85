-- Why a page gave nothing (tasks/ingest/access.py): open, paywalled, blocked or js_required,
-- and the evidence that decided it (e.g. "jsonld isAccessibleForFree=false; gated part
-- .premium holds 12 words"). Documents stored before this migration were never read for it
-- and stay null; a replay reads them again.
ALTER TABLE raw_documents ADD COLUMN access VARCHAR;
ALTER TABLE raw_documents ADD COLUMN access_evidence VARCHAR;
