-- Maintenance (warehouse/maintenance.py): a template line seen on one article only and not
-- for $days days is no template (a headline, a caption), so it is forgotten.
DELETE FROM source_template_lines
WHERE article_id IS NOT NULL AND last_seen < now() - to_days($days)
