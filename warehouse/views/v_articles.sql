-- Articles with their source's registry fields and their authors and tags as lists
-- (a.* holds standfirst and page_type since migration 0020).
CREATE OR REPLACE VIEW v_articles AS
SELECT
    a.*,
    coalesce(au.authors, []::VARCHAR[]) AS authors,
    coalesce(tg.tags, []::VARCHAR[]) AS tags,
    s.domains AS source_domains,
    s.timezone AS source_timezone,
    s.language AS source_language
FROM articles AS a
LEFT JOIN sources AS s ON s.name = a.source_id
LEFT JOIN (
    SELECT article_id, list(author ORDER BY position) AS authors
    FROM article_authors
    GROUP BY article_id
) AS au ON au.article_id = a.article_id
LEFT JOIN (
    SELECT article_id, list(tag ORDER BY position) AS tags
    FROM article_tags
    GROUP BY article_id
) AS tg ON tg.article_id = a.article_id;
