"""Gate after extract: a parsed, plausible date, a source from the registry, a title, and a
page of a type its source loads (article or liveblog unless the registry's `page_types` says
more): section pages, videos, galleries and shop pages go to quarantine as `not_article`,
with the page type as the observed value. Input: an ARTICLE_SCHEMA frame.

GX's in_set / between / regex checks skip nulls, so each field gets a not-null check with
the same reason: a missing value then fails exactly one expectation per reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from expectations.params import GateParams
from expectations.runner import gx_api, make_suite, rule
from newsdesk.core.contracts.reasons import Reason
from newsdesk.core.registry import DEFAULT_PAGE_TYPES

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

NAME = "after_extract"
# Pages dated "tomorrow" are real: zones ahead of UTC and publishers' clocks run early.
FUTURE_ALLOWANCE = timedelta(days=1)


def build_suite(params: GateParams) -> ExpectationSuite:
    date_min, now, source_names = params.require(NAME, "date_min", "now", "source_names")
    pairs = params.page_types
    if pairs is None:
        pairs = frozenset((name, kind) for name in source_names for kind in DEFAULT_PAGE_TYPES)
    expect = gx_api().expectations
    return make_suite(
        NAME,
        [
            expect.ExpectColumnValuesToNotBeNull(
                column="published_at", meta=rule(Reason.UNPARSED_DATE)
            ),
            expect.ExpectColumnValuesToBeBetween(
                column="published_at",
                min_value=date_min,
                max_value=now + FUTURE_ALLOWANCE,
                meta=rule(Reason.IMPLAUSIBLE_DATE),
            ),
            expect.ExpectColumnValuesToNotBeNull(
                column="source_id", meta=rule(Reason.UNKNOWN_SOURCE)
            ),
            expect.ExpectColumnValuesToBeInSet(
                column="source_id",
                value_set=sorted(source_names),
                meta=rule(Reason.UNKNOWN_SOURCE),
            ),
            expect.ExpectColumnValuesToNotBeNull(column="title", meta=rule(Reason.MISSING_TITLE)),
            expect.ExpectColumnValuesToMatchRegex(
                column="title", regex=r"\S", meta=rule(Reason.MISSING_TITLE)
            ),
            # rows without a source already failed above: only the pair is checked here
            expect.ExpectColumnPairValuesToBeInSet(
                column_A="source_id",
                column_B="page_type",
                value_pairs_set=sorted(pairs) or [("", "")],
                ignore_row_if="either_value_is_missing",
                meta=rule(Reason.NOT_ARTICLE, observed="page_type"),
            ),
        ],
    )
