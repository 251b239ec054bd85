"""Ingest from the web: feeds, sitemaps, URL lists and WARC files; see collect.collect()."""
