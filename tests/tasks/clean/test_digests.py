"""Same output: what clean + extract make of the repository's own pages (samples/, the seeds,
the test fixtures, and their HTML pages rendered by inscriptis and html2text) matches the
digests pinned in tests/fixtures/digests/repo.json. A refactoring must keep them; a change
meant to change output re-pins them (`python -m bench.digests --write --repo-only`) and says
so in its commit. The dev-set version is tests/quality/test_digests.py."""

from __future__ import annotations

import json

from bench.digests import REPO_FIXTURE, differences, page_digest, repo_digests


def test_repository_pages_give_the_pinned_output() -> None:
    pinned = json.loads(REPO_FIXTURE.read_text(encoding="utf-8"))
    found = repo_digests()
    assert len(found) >= 30  # text dumps, HTML pages and both renders of each
    assert differences(pinned, found) == []


def test_digest_tells_body_from_fields() -> None:
    record = {"path": "/a/x.txt", "body": "Story.", "title": "T", "gate_failures": []}
    moved = {**record, "path": "/b/x.txt", "gate_failures": [{"stage": "extract"}]}
    assert page_digest(moved) == page_digest(record)  # where a page lies is not output
    body, fields = page_digest(record)
    rebodied = page_digest({**record, "body": "Story!"})
    assert rebodied[0] != body and rebodied[1] == fields
    retitled = page_digest({**record, "title": "U"})
    assert retitled[0] == body and retitled[1] != fields
    assert differences({"a": [body, fields]}, {"a": [body, "0"], "b": [body, fields]}) == [
        "a: fields changed",
        "b: new",
    ]
