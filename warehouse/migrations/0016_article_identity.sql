-- One article per canonical URL (tasks/extract/stage.identity). `url` is now the canonical
-- URL (scheme and host case, default port, fragment and tracking parameters normalised);
-- `url_given` keeps the URL as the input named it. Rows loaded before keep their URL in
-- both. `body_sha` is the current version's text, so that the same text again is no update.
ALTER TABLE articles ADD COLUMN url_given VARCHAR;
ALTER TABLE articles ADD COLUMN body_sha VARCHAR;
UPDATE articles SET url_given = url;
UPDATE articles SET body_sha = v.body_sha
FROM (
    SELECT article_id, arg_max(body_sha, valid_from) AS body_sha
    FROM article_versions GROUP BY article_id
) AS v
WHERE articles.article_id = v.article_id;

-- A document whose text is already an article of the same source under another URL: it is
-- recorded here, linked to that first article, and not loaded again. Across sources the
-- same text is each outlet's own article (syndication), so those are not listed here.
CREATE TABLE article_duplicates (
    doc_id VARCHAR PRIMARY KEY,
    article_id VARCHAR NOT NULL,
    url VARCHAR,
    url_given VARCHAR,
    uri VARCHAR,
    source_id VARCHAR,
    body_sha VARCHAR NOT NULL,
    first_run_id VARCHAR NOT NULL,
    seen_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
