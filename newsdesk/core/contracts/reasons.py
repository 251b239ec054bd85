"""The shape of a rejected row: every stage hands its failures on in this form."""

from enum import StrEnum
from typing import Any

import polars as pl


class Reason(StrEnum):
    """Why a document left the pipeline (pandera's SchemaErrorReason, for news pages)."""

    EMPTY_CONTENT = "empty_content"
    TOO_LARGE = "too_large"
    UNDECODABLE = "undecodable"
    UNSUPPORTED_TYPE = "unsupported_type"
    UNREADABLE = "unreadable"
    SPECIAL_FILE = "special_file"  # a FIFO, socket or device under an input folder: not opened
    OUTSIDE_ROOT = "outside_root"  # a symlink leading out of the folder given
    MALFORMED_RECORD = "malformed_record"
    RAW_MISSING = "raw_missing"  # a stored page's file in the raw store is gone or damaged
    EMPTY_BODY = "empty_body"
    EXTRACTION_DISCARDED = "extraction_discarded"
    EXTRACTION_ERROR = "extraction_error"
    UNPARSED_DATE = "unparsed_date"
    IMPLAUSIBLE_DATE = "implausible_date"
    UNKNOWN_SOURCE = "unknown_source"
    MISSING_TITLE = "missing_title"
    NOT_ARTICLE = "not_article"  # a listing, video, product… page its source does not load
    DUPLICATE_ARTICLE_ID = "duplicate_article_id"
    # Fetching from the web (tasks/ingest/web): the page never arrived, and why.
    INVALID_URL = "invalid_url"
    HTTP_STATUS = "http_status"
    TIMEOUT = "timeout"
    CONNECTION_ERROR = "connection_error"
    ROBOTS_DISALLOWED = "robots_disallowed"
    BLOCKED_ADDRESS = "blocked_address"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    MALFORMED_XML = "malformed_xml"
    UNSAFE_XML = "unsafe_xml"
    OVER_LIMIT = "over_limit"  # left out by a cap: feed items, sitemap URLs or depth, pages/run
    # Access (tasks/ingest/access.py): the page arrived but gives no story, and why.
    PAYWALLED = "paywalled"
    BLOCKED = "blocked"
    JS_REQUIRED = "js_required"
    ACCOUNTING_MISMATCH = "accounting_mismatch"  # batch-level: loaded + quarantined + dup ≠ in


REJECT_SCHEMA = pl.Schema(
    {
        "doc_id": pl.String,
        "run_id": pl.String,
        "uri": pl.String,
        "stage": pl.String,  # ingest | clean | extract | load
        "expectation": pl.String,  # the GX expectation (or check) that failed
        "reason": pl.String,  # a Reason value
        "observed": pl.String,  # the value the check saw, as text
    }
)


def split_failures(
    results: list[dict[str, Any]], schema: pl.Schema, *, stage: str, expectation: str
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A stage's per-row results: the rows that came through (in `schema`), and a reject
    (extraction_error) for each row whose function raised and returned its `error`."""
    ok = [r for r in results if "error" not in r]
    failed = [
        {
            "doc_id": r["doc_id"],
            "run_id": r["run_id"],
            "uri": r["uri"],
            "stage": stage,
            "expectation": expectation,
            "reason": str(Reason.EXTRACTION_ERROR),
            "observed": r["error"][:500],
        }
        for r in results
        if "error" in r
    ]
    return pl.DataFrame(ok, schema=schema), pl.DataFrame(failed, schema=REJECT_SCHEMA)
