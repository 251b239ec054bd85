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
    # Each silence is a quarter of the deadline, so two of them are half of it, the line
    # between `timeout` and `connection_error`: the client's count of a silence includes the
    # server's, so a loaded machine only adds to it. The other half of the deadline is room
    # for everything around the silences (connects, the backoff, a loaded scheduler), which
    # must not run the deadline out first; the connect and read timeouts only stop a hang.
    deadline_s = 6.0
    site.add("/stall-then-close", hang_up_after(deadline_s / 4 + 0.05))
    site.add("/close", hang_up_after(0.0))
    patient: FetchSettings = replace(
        settings, connect_timeout_s=30.0, read_timeout_s=30.0, deadline_s=deadline_s, retries=1
    )

    items = list(
        collect(
            [Target(site.url("/stall-then-close")), Target(site.url("/close"))],
            settings=patient,
            state=FetchState(),
            run_id="r",
            now=NOW,
        )
    )

    by_uri = {i.uri: i for i in items}
    stalled, closed = by_uri[site.url("/stall-then-close")], by_uri[site.url("/close")]
    assert isinstance(stalled, IngestFailure) and stalled.reason == "timeout", stalled
    assert "then closed the connection" in stalled.observed
    assert isinstance(closed, IngestFailure) and closed.reason == "connection_error", closed
    assert "RemoteProtocolError" in closed.observed
    assert site.paths().count("/close") == 2  # retried: an early close may be a blip
    assert site.paths().count("/stall-then-close") == 2
