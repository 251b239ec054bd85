from pathlib import Path

import pytest

from newsdesk.core import config
from newsdesk.core.config import DEFAULTS_FILE, SettingsError, load_settings


def test_defaults_ship_with_the_package_and_read_paths_from_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An installed newsdesk has its settings: the defaults are package data, and their
    relative paths are read from where newsdesk runs."""
    assert DEFAULTS_FILE.is_file() and DEFAULTS_FILE.parent == Path(config.__file__).parent
    monkeypatch.chdir(tmp_path)
    settings = load_settings(env={})
    assert settings.db == tmp_path / ".newsdesk" / "warehouse.duckdb"
    assert settings.sources == tmp_path / "sources.toml"
    assert settings.batch_size > 0 and settings.pipeline.batch_size == settings.batch_size


def test_a_settings_file_changes_only_its_keys_with_paths_from_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "conf").mkdir()
    (tmp_path / "conf" / "mine.toml").write_text(
        '[warehouse]\ndb = "data/w.duckdb"\n[gates]\nmin_words = 12\n', encoding="utf-8"
    )
    elsewhere = tmp_path / "run"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    settings = load_settings(env={"NEWSDESK_SETTINGS": str(tmp_path / "conf" / "mine.toml")})
    assert settings.db == tmp_path / "conf" / "data" / "w.duckdb"
    assert settings.min_words == 12
    assert settings.sources == elsewhere / "sources.toml"  # a shipped default, from cwd
    assert settings.batch_size == load_settings(env={}).batch_size
    (elsewhere / "newsdesk.toml").write_text("[pipeline]\nbatch_size = 3\n", encoding="utf-8")
    assert load_settings(env={}).batch_size == 3  # ./newsdesk.toml when there is one


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


def test_a_settings_file_with_a_stray_section_or_key_is_refused(tmp_path: Path) -> None:
    """Found by hand: `[pipelin]` or a `batch_size = 5` outside any section was ignored
    without a word (the shipped value kept), and NEWSDESK_SETTINGS naming a folder ended in
    a traceback."""
    for text, stray in [
        ("[pipelin]\nbatch_size = 5\n", "'pipelin'"),
        ("batch_size = 5\n", "'batch_size'"),
    ]:
        path = tmp_path / "newsdesk.toml"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(SettingsError, match=f"{stray} is not a settings section"):
            load_settings(env={"NEWSDESK_SETTINGS": str(path)})
    with pytest.raises(SettingsError, match="Is a directory"):
        load_settings(env={"NEWSDESK_SETTINGS": str(tmp_path)})


def test_local_input_settings() -> None:
    defaults = load_settings(env={})
    assert (defaults.follow_links, defaults.read_timeout_s) == (False, 30.0)
    on = load_settings(env={"NEWSDESK_PIPELINE_FOLLOW_LINKS": "true"})
    assert on.follow_links is True
    # The command line passes str(True) for --follow-links.
    assert load_settings(env={}, overrides={"follow_links": "True"}).follow_links is True
    with pytest.raises(SettingsError, match="follow_links"):
        load_settings(env={"NEWSDESK_PIPELINE_FOLLOW_LINKS": "sometimes"})
