"""What the stages hand each other: frame schemas, rejection reasons, fetch state."""

from newsdesk.core.contracts.article import ARTICLE_SCHEMA
from newsdesk.core.contracts.clean import CLEAN_COLUMNS, CLEAN_SCHEMA
from newsdesk.core.contracts.frames import (
    DQ_SCHEMA,
    FOUND_SCHEMA,
    PROPOSED_SOURCE_SCHEMA,
    TEMPLATE_LINE_SCHEMA,
)
from newsdesk.core.contracts.raw import RAW_SCHEMA
from newsdesk.core.contracts.reasons import REJECT_SCHEMA, Reason

__all__ = [
    "ARTICLE_SCHEMA",
    "CLEAN_COLUMNS",
    "CLEAN_SCHEMA",
    "DQ_SCHEMA",
    "FOUND_SCHEMA",
    "PROPOSED_SOURCE_SCHEMA",
    "RAW_SCHEMA",
    "REJECT_SCHEMA",
    "TEMPLATE_LINE_SCHEMA",
    "Reason",
]
