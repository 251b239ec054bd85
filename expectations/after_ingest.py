"""Gate after ingest: every raw document has content, fits the size limit, decoded, is a
type the cleaner reads, and is open (not paywalled, blocked or an app shell).
Input: a RAW_SCHEMA frame."""

from __future__ import annotations

from typing import TYPE_CHECKING

from expectations.params import GateParams
from expectations.runner import gx_api, make_suite, rule
from newsdesk.core.contracts.reasons import Reason

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

NAME = "after_ingest"
SUPPORTED_TYPES = ("text/html", "text/plain")


def build_suite(params: GateParams) -> ExpectationSuite:
    (max_bytes,) = params.require(NAME, "max_bytes")
    expect = gx_api().expectations
    return make_suite(
        NAME,
        [
            expect.ExpectColumnValuesToBeBetween(
                column="size_bytes", min_value=1, meta=rule(Reason.EMPTY_CONTENT)
            ),
            expect.ExpectColumnValuesToBeBetween(
                column="size_bytes", max_value=max_bytes, meta=rule(Reason.TOO_LARGE)
            ),
            # The ingest stage leaves `encoding` null exactly when no codec decoded the bytes.
            expect.ExpectColumnValuesToNotBeNull(column="encoding", meta=rule(Reason.UNDECODABLE)),
            # in_set skips nulls, so a missing type is caught by its own not-null check.
            expect.ExpectColumnValuesToNotBeNull(
                column="media_type", meta=rule(Reason.UNSUPPORTED_TYPE)
            ),
            expect.ExpectColumnValuesToBeInSet(
                column="media_type",
                value_set=list(SUPPORTED_TYPES),
                meta=rule(Reason.UNSUPPORTED_TYPE),
            ),
            # A page that arrived but gives no story: quarantined with the evidence (null =
            # not read, e.g. undecodable: the checks above say why).
            *(
                expect.ExpectColumnValuesToNotBeInSet(
                    column="access",
                    value_set=[str(reason)],
                    meta=rule(reason, observed="access_evidence"),
                )
                for reason in (Reason.BLOCKED, Reason.JS_REQUIRED, Reason.PAYWALLED)
            ),
        ],
    )
