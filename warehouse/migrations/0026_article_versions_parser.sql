-- A reprocess (newsdesk reprocess) extracts an article's stored page again with newer code:
-- the article changes while its page does not. Each version row now names the parser that
-- made it, and a version that was superseded keeps its body (the current one is in
-- articles), so what an older parser made stays readable next to what replaced it.
-- Versions already stored: the current one gets its article's parser_version; older ones
-- are unknown (NULL).
ALTER TABLE article_versions ADD COLUMN parser_version VARCHAR;
ALTER TABLE article_versions ADD COLUMN body VARCHAR;
UPDATE article_versions SET parser_version = a.parser_version
FROM articles AS a
WHERE article_versions.article_id = a.article_id AND article_versions.doc_id = a.doc_id;
