"""Shared fixtures: the project's paths, a real Prefect server for the session, a scratch
warehouse per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = PROJECT / "tests" / "fixtures"
SEEDS = FIXTURES / "seeds"
SAMPLES = PROJECT / "samples"

# No telemetry (no internet here), no user-wide Prefect state touched by the tests.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")


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
