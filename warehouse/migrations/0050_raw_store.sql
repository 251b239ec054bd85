-- Raw page bytes move out of the warehouse file into the content-addressed store beside it
-- (warehouse/rawstore.py: <db stem>.raw/<sha256[:2]>/<sha256>.gz). A row names its bytes by
-- their sha256 (null when none were kept) and the number of bytes stored (0 when none).
-- `content` stays for rows loaded before this; warehouse/migrate.py moves those bytes out
-- and empties it on the next read-write open, so content_size IS NULL marks a row not moved.
ALTER TABLE raw_documents ADD COLUMN content_sha256 VARCHAR;
ALTER TABLE raw_documents ADD COLUMN content_size BIGINT;
