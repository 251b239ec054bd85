"""A server that holds a request silent and then hangs up: a `timeout` when the silences used
the fetch's time, a `connection_error` when it hung up at once (a real server on 127.0.0.1)."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

from newsdesk.core.contracts.fetch import FetchState
from tasks.ingest.records import IngestFailure
from tasks.ingest.web.collect import Target, collect
from tasks.ingest.web.settings import FetchSettings
from tests.httpserver import Request, Site

NOW = datetime(2025, 1, 1, tzinfo=UTC)


def hang_up_after(seconds: float):
    """Read the request, say nothing for `seconds` (less than the client's read timeout), then
    close the connection without an answer."""

    def answer(_request: Request) -> None:
        time.sleep(seconds)
        return None  # the server closes the connection: no status line, no body

    return answer


def test_a_stall_that_ends_in_a_close_is_a_timeout_an_early_close_is_not(sites, settings):
    site: Site = sites()
    site.add("/stall-then-close", hang_up_after(1.1))
    site.add("/close", hang_up_after(0.0))
    # two attempts: each silence ends in a close well inside the read timeout and the
    # deadline, so the last failure is a close, yet 2.2 s of the 4 s went to silence
    patient: FetchSettings = replace(settings, read_timeout_s=5.0, deadline_s=4.0, retries=1)

    started = time.monotonic()
    items = list(
        collect(
            [Target(site.url("/stall-then-close")), Target(site.url("/close"))],
            settings=patient,
            state=FetchState(),
            run_id="r",
            now=NOW,
        )
    )
    took = time.monotonic() - started

    by_uri = {i.uri: i for i in items}
    stalled, closed = by_uri[site.url("/stall-then-close")], by_uri[site.url("/close")]
    assert isinstance(stalled, IngestFailure) and stalled.reason == "timeout", stalled
    assert "then closed the connection" in stalled.observed
    assert isinstance(closed, IngestFailure) and closed.reason == "connection_error", closed
    assert "RemoteProtocolError" in closed.observed
    assert site.paths().count("/close") == 2  # retried: an early close may be a blip
    assert site.paths().count("/stall-then-close") == 2
    assert took < 4.0 + 1.0, took
