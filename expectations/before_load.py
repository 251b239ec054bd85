"""Gate before load: one row per article id, and every ingested document accounted for.
Input: an ARTICLE_SCHEMA frame; the accounting check takes the batch's counts."""

from __future__ import annotations

from typing import TYPE_CHECKING

import polars as pl

from expectations.params import GateParams
from expectations.runner import gx_api, make_suite, rule
from newsdesk.core.contracts.reasons import Reason

if TYPE_CHECKING:
    from great_expectations import ExpectationSuite

NAME = "before_load"
ACCOUNTING = "accounting"


def build_suite(params: GateParams) -> ExpectationSuite:
    del params  # nothing to set: uniqueness needs no parameter
    expect = gx_api().expectations
    return make_suite(
        NAME,
        [
            # GX flags every copy of a repeated id; keep_first lets the first copy load.
            expect.ExpectColumnValuesToBeUnique(
                column="article_id", meta=rule(Reason.DUPLICATE_ARTICLE_ID, keep_first=True)
            ),
        ],
    )


def accounting_frame(
    *, ingested: int, loaded: int, quarantined: int, duplicates: int
) -> pl.DataFrame:
    """One row: the documents that came in and the ones the batch accounts for."""
    return pl.DataFrame(
        {
            "ingested": [ingested],
            "loaded": [loaded],
            "quarantined": [quarantined],
            "duplicates": [duplicates],
        },
        schema={c: pl.Int64 for c in ("ingested", "loaded", "quarantined", "duplicates")},
    ).with_columns(accounted=pl.col("loaded") + pl.col("quarantined") + pl.col("duplicates"))


def accounting_suite() -> ExpectationSuite:
    expect = gx_api().expectations
    return make_suite(
        ACCOUNTING,
        [
            expect.ExpectColumnPairValuesToBeEqual(
                column_A="ingested", column_B="accounted", meta=rule(Reason.ACCOUNTING_MISMATCH)
            ),
        ],
    )
