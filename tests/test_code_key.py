"""bench.code_key: the trainers' caches are keyed by the code they come from."""

from __future__ import annotations

from bench.code_key import code_digest
from tasks.page.page_type import MODEL_PATH


def test_the_digest_is_stable_and_leaves_out_what_it_is_told() -> None:
    assert code_digest() == code_digest()
    assert code_digest(leave_out=(MODEL_PATH,)) != code_digest()
