"""Gate after extract: a parsed, plausible date, a source from the registry, a title.
Input: an ARTICLE_SCHEMA frame.

GX's in_set / between / regex checks skip nulls, so each field gets a not-null check with
the same reason: a missing value then fails exactly one expectation per reason.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from expectations.params import GateParams
from expectations.runner import gx_api, make_suite, rule
from newsdesk.core.contracts.reasons import Reason

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

NAME = "after_extract"
# Pages dated "tomorrow" are real: zones ahead of UTC and publishers' clocks run early.
FUTURE_ALLOWANCE = timedelta(days=1)


def build_suite(params: GateParams) -> ExpectationSuite:
    date_min, now, source_names = params.require(NAME, "date_min", "now", "source_names")
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
        ],
    )
