-- The standfirst (dek, description or summary paragraph) apart from the body, which no longer
-- starts with it; and the kind of page an article row was extracted from (article, liveblog,
-- or another type its source allows in the registry's page_types). Rows loaded before this
-- migration have neither: their standfirst may still open their body.
ALTER TABLE articles ADD COLUMN standfirst VARCHAR;
ALTER TABLE articles ADD COLUMN page_type VARCHAR;
