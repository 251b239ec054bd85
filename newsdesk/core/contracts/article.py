"""Columns of an extracted article batch, the input of the load stage."""

import polars as pl

ARTICLE_SCHEMA = pl.Schema(
    {
        "article_id": pl.String,  # hash of the canonical URL, else of the body (see identity)
        "doc_id": pl.String,
        "run_id": pl.String,
        "uri": pl.String,
        "url": pl.String,  # canonical URL when known (tracking parameters, fragment… removed)
        "url_given": pl.String,  # the URL as the input named it (sidecar, fetch, page)
        "source_id": pl.String,  # registry name; null = unknown source
        "site_name": pl.String,  # publisher name as printed on the page
        "title": pl.String,
        "authors": pl.List(pl.String),
        "published_at": pl.Datetime("us", "UTC"),
        "published_local": pl.String,  # ISO wall-clock time as shown, with the zone's offset
        "published_raw": pl.String,  # the date string as found
        "published_tz": pl.String,  # IANA zone (or offset) used to read published_local
        "published_method": pl.String,  # where the date came from (json-ld, meta, text, …)
        "modified_at": pl.Datetime("us", "UTC"),
        "section": pl.String,
        "tags": pl.List(pl.String),
        "language": pl.String,
        "description": pl.String,
        "image_url": pl.String,
        "standfirst": pl.String,  # dek / description / summary paragraph; never part of body
        "body": pl.String,  # the story's own paragraphs, without headline, standfirst, byline
        "page_type": pl.String,  # article, liveblog, listing, video, gallery, product, … other
        "word_count": pl.Int64,
        "extraction_method": pl.String,
        "parser_version": pl.String,
        "fetched_at": pl.Datetime("us", "UTC"),
        "clean_ms": pl.Float64,
        "extract_ms": pl.Float64,
    }
)
