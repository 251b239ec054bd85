-- Stories with their articles (earliest first), each with its outlet, time, title and the
-- relation that tied it in: the article that started the story, or copy / same_story.
CREATE OR REPLACE VIEW v_stories AS
SELECT
    s.*,
    m.articles
FROM stories AS s
LEFT JOIN (
    SELECT
        sa.story_id,
        list(
            {
                'article_id': a.article_id,
                'source_id': a.source_id,
                'published_at': a.published_at,
                'title': a.title,
                'url': a.url
            }
            ORDER BY a.published_at NULLS LAST, a.article_id
        ) AS articles
    FROM story_articles AS sa
    JOIN articles AS a USING (article_id)
    GROUP BY sa.story_id
) AS m USING (story_id);
