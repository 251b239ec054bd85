-- When each learned template line was last seen, so that maintenance can forget lines that a
-- source printed on one page only and never again (a headline, a one-off caption): without
-- it source_template_lines grows by every text page's short lines forever. Lines already
-- stored count as seen now.
ALTER TABLE source_template_lines ADD COLUMN last_seen TIMESTAMPTZ;
UPDATE source_template_lines SET last_seen = now();
