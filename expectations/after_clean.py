"""Gate after clean: the cleaner found a body of at least `min_words` words.
Input: a CLEAN_SCHEMA frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from expectations.params import GateParams
from expectations.runner import gx_api, make_suite, rule
from newsdesk.core.contracts.reasons import Reason

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

NAME = "after_clean"


def build_suite(params: GateParams) -> ExpectationSuite:
    (min_words,) = params.require(NAME, "min_words")
    expect = gx_api().expectations
    return make_suite(
        NAME,
        [
            expect.ExpectColumnValuesToNotBeNull(column="body", meta=rule(Reason.EMPTY_BODY)),
            # between skips nulls: a null count is caught by the not-null check below.
            expect.ExpectColumnValuesToBeBetween(
                column="word_count", min_value=min_words, meta=rule(Reason.EMPTY_BODY)
            ),
            expect.ExpectColumnValuesToNotBeNull(column="word_count", meta=rule(Reason.EMPTY_BODY)),
        ],
    )
