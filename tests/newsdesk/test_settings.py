from pathlib import Path

import pytest

from newsdesk.core.config import SettingsError, load_settings

PROJECT = Path(__file__).resolve().parents[2]


def test_defaults_come_from_the_committed_file() -> None:
    settings = load_settings(env={})
    assert settings.db == PROJECT / ".newsdesk" / "warehouse.duckdb"
    assert settings.sources == PROJECT / "sources.toml"
    assert settings.batch_size > 0


def test_environment_overrides_single_keys(tmp_path: Path) -> None:
    settings = load_settings(
        env={
            "NEWSDESK_DB": str(tmp_path / "w.duckdb"),
            "NEWSDESK_PIPELINE_BATCH_SIZE": "7",
            "NEWSDESK_FETCH_ALLOW": "127.0.0.1, ::1",
        }
    )
    assert settings.db == tmp_path / "w.duckdb"
    assert settings.batch_size == 7
    assert settings.fetch_allow == ("127.0.0.1", "::1")


def test_command_line_beats_environment(tmp_path: Path) -> None:
    settings = load_settings(
        env={"NEWSDESK_DB": "/elsewhere.duckdb"}, overrides={"db": tmp_path / "cli.duckdb"}
    )
    assert settings.db == tmp_path / "cli.duckdb"


def test_bad_values_name_the_key() -> None:
    with pytest.raises(SettingsError, match=r"\[pipeline\] batch_size"):
        load_settings(env={"NEWSDESK_PIPELINE_BATCH_SIZE": "many"})
    with pytest.raises(SettingsError, match="mode"):
        load_settings(env={"NEWSDESK_PREFECT_MODE": "cloud"})
