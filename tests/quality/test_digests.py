"""Same output on the dev set: what `newsdesk extract` makes of every dev-set page (HTML,
w3m dumps, inscriptis and html2text renders of segments/, dates/ and modern/, and the seeds)
matches tests/fixtures/digests/devset.json. A refactoring must keep every digest; a change
meant to change output re-pins them (`python -m bench.digests --write`) and says so in its
commit, with its `make eval` figures.

Cost: one extract over about 4,200 text dumps and 1,400 HTML pages with two workers (renders
come from .cache/renders, or are made once).
"""

from __future__ import annotations

import json

import pytest

from bench.digests import DEVSET_FIXTURE, devset_digests, differences
from bench.eval import DEVSET, DevsetMissing, require_devset

pytestmark = pytest.mark.timeout(1800)


def test_devset_pages_give_the_pinned_output() -> None:
    try:
        require_devset(DEVSET)
    except DevsetMissing as exc:
        pytest.fail(f"{exc}. The output digests cannot be checked without it.", pytrace=False)
    pinned = json.loads(DEVSET_FIXTURE.read_text(encoding="utf-8"))
    found = devset_digests(workers=2)
    diff = differences(pinned, found)
    assert not diff, f"{len(diff)} of {len(found)} pages changed:\n" + "\n".join(diff[:40])
