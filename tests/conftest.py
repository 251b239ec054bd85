"""Shared fixtures: the project's paths, a real Prefect server for the session, a scratch
warehouse per test, a sources registry written for a test, HTTP servers on 127.0.0.1
(`sites`), and an alert webhook there behind a real Prefect notification block."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.httpserver import Reply, Site

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
SAMPLES = PROJECT / "samples"

# No telemetry (no internet here), no user-wide Prefect state touched by the tests.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
# Runs start their own gate process: a warm gate helper (expectations/gate_process.py)
# would outlive the tests. tests/expectations/test_warm_gates.py tests it, in a folder of
# its own, and ends it.
os.environ.setdefault("NEWSDESK_WARM_GATES", "0")
# Likewise the warm runner (newsdesk/cli/warm_run.py): tests/newsdesk/test_warm_runs.py.
os.environ.setdefault("NEWSDESK_WARM_RUNS", "0")


@pytest.fixture(scope="session")
def prefect_api_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Prefect server (Prefect's own test harness: a subprocess server on a free
    port with a throw-away database), shared by every test that runs a flow."""
    os.environ["PREFECT_HOME"] = str(tmp_path_factory.mktemp("prefect-home"))
    from prefect.settings import PREFECT_API_URL
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=180):
        yield str(PREFECT_API_URL.value())


@pytest.fixture
def warehouse_path(tmp_path: Path) -> Path:
    return tmp_path / "warehouse.duckdb"


@pytest.fixture
def seed_dir(tmp_path: Path) -> Path:
    """The two seeds, in a folder of their own."""
    folder = tmp_path / "seeds"
    folder.mkdir()
    for name in ("000_aead3fb2f9192cb0.txt", "002_9fff910d0917317a.txt"):
        shutil.copy(SEEDS / name, folder / name)
    return folder


@pytest.fixture
def write_registry(tmp_path: Path) -> Callable[..., Path]:
    """Writes `tmp_path/sources.toml`: one [[source]] per name, with its domains, all in one
    time zone; returns its path."""

    def write(sources: dict[str, list[str]], timezone: str = "UTC") -> Path:
        path = tmp_path / "sources.toml"
        path.write_text(
            "\n".join(
                f'[[source]]\nname = "{name}"\ndomains = {json.dumps(domains)}\n'
                f'timezone = "{timezone}"\n'
                for name, domains in sources.items()
            ),
            encoding="utf-8",
        )
        return path

    return write


@pytest.fixture
def sites() -> Iterator[Callable[[], Site]]:
    """Makes HTTP servers on 127.0.0.1 (tests/httpserver.py `Site`, one a host), each on a
    free port; all closed after the test."""
    made: list[Site] = []

    def make() -> Site:
        site = Site()
        made.append(site)
        return site

    yield make
    for site in made:
        site.close()


@pytest.fixture
def webhook(sites: Callable[[], Site]) -> Site:
    """A webhook at /alerts on 127.0.0.1 that keeps every POST it receives (`posted()`)."""
    site = sites()
    site.add("/alerts", Reply(204))
    return site


@pytest.fixture
def alert_block(prefect_api_url: str, webhook: Site) -> str:
    """A real Prefect notification block that posts to `webhook`; returns its slug, the value
    of `alerts_block`."""
    from prefect.blocks.notifications import CustomWebhookNotificationBlock

    CustomWebhookNotificationBlock(
        name="newsdesk-test",
        url=webhook.url("/alerts"),
        json_data={"subject": "{{subject}}", "body": "{{body}}"},
    ).save("newsdesk-test-alerts", overwrite=True)
    return "custom-webhook/newsdesk-test-alerts"
