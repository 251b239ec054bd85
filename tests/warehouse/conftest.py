from pathlib import Path

import pytest

from warehouse.migrate import migrate


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A migrated warehouse file in tmp_path."""
    path = tmp_path / "newsdesk.duckdb"
    migrate(path)
    return path
