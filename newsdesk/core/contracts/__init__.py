"""What the stages hand each other: frame schemas, rejection reasons, stages and run ids,
the clean → extract hints, fetch state."""

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
from newsdesk.core.contracts.run import Stage, new_run_id, run_id_at

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
    "Stage",
    "new_run_id",
    "run_id_at",
]
