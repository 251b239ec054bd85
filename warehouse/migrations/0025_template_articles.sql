-- Which article a learned template line was seen on, so that a line becomes template only
-- once two different articles show it: the versions of one page (same URL, fetched again or
-- re-run) are one article and can no longer make their own story look like furniture.
-- article_id is the one article the line was seen on; NULL once two or more articles have
-- shown it. Lines stored before could have come from the versions of one page: those seen
-- on one page only are forgotten (the next two articles that show them teach them again),
-- those seen on more count as seen on several articles, as they did until now.
ALTER TABLE source_template_lines ADD COLUMN article_id VARCHAR;
DELETE FROM source_template_lines WHERE pages_seen < 2;
