"""Columns of a cleaned batch: the raw columns plus the main text and hints."""

import polars as pl

from newsdesk.core.contracts.raw import RAW_SCHEMA

CLEAN_COLUMNS = pl.Schema(
    {
        "body": pl.String,  # main text, paragraphs joined by blank lines
        "word_count": pl.Int64,
        "language": pl.String,  # ISO 639-1 code or null
        "clean_method": pl.String,  # e.g. "trafilatura", "text-dump"
        "hints": pl.String,  # JSON object: what the cleaner saw that extract needs
        "clean_ms": pl.Float64,
    }
)

# The bytes stay behind in the raw_documents table; later stages carry only text.
CLEAN_SCHEMA = pl.Schema(
    {**{k: v for k, v in RAW_SCHEMA.items() if k != "content"}, **CLEAN_COLUMNS}
)
