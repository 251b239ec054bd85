"""Runtime settings: committed defaults in newsdesk.toml, NEWSDESK_* variables override keys."""

from __future__ import annotations

import json
import os
import tomllib
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULT_SETTINGS_FILE = PROJECT_DIR / "newsdesk.toml"


class SettingsError(ValueError):
    """A setting is missing or has the wrong type; the message names the key."""


@dataclass(frozen=True)
class Settings:
    db: Path
    sources: Path
    write_lock_timeout_s: float
    read_lock_timeout_s: float
    batch_size: int
    workers: int
    max_bytes: int
    min_words: int
    date_min: date
    ingest_threshold: float
    clean_threshold: float
    extract_threshold: float
    load_threshold: float
    threshold_min_rows: int
    prefect_mode: str
    prefect_home: Path
    prefect_host: str
    prefect_port: int
    fetch_user_agent: str
    fetch_allow: tuple[str, ...]
    fetch_per_host_delay_s: float
    fetch_per_host_concurrency: int
    fetch_total_concurrency: int
    fetch_connect_timeout_s: float
    fetch_read_timeout_s: float
    fetch_deadline_s: float
    fetch_retries: int
    run_lock_timeout_s: float
    schedule_timezone: str
    schedule_ingest: str
    schedule_ingest_parameters: dict[str, Any]
    schedule_replay: str
    schedule_maintenance: str
    dq_retention_days: int
    template_retention_days: int
    export_dir: str
    alerts_block: str

    @property
    def worker_count(self) -> int:
        return self.workers or os.cpu_count() or 1

    def threshold(self, stage: str) -> float:
        return float(getattr(self, f"{stage}_threshold"))


# Settings field → (section, key) in newsdesk.toml.
_KEYS: dict[str, tuple[str, str]] = {
    "db": ("warehouse", "db"),
    "sources": ("warehouse", "sources"),
    "write_lock_timeout_s": ("warehouse", "write_lock_timeout_s"),
    "read_lock_timeout_s": ("warehouse", "read_lock_timeout_s"),
    "batch_size": ("pipeline", "batch_size"),
    "workers": ("pipeline", "workers"),
    "max_bytes": ("pipeline", "max_bytes"),
    "min_words": ("gates", "min_words"),
    "date_min": ("gates", "date_min"),
    "ingest_threshold": ("gates", "ingest_threshold"),
    "clean_threshold": ("gates", "clean_threshold"),
    "extract_threshold": ("gates", "extract_threshold"),
    "load_threshold": ("gates", "load_threshold"),
    "threshold_min_rows": ("gates", "threshold_min_rows"),
    "prefect_mode": ("prefect", "mode"),
    "prefect_home": ("prefect", "home"),
    "prefect_host": ("prefect", "host"),
    "prefect_port": ("prefect", "port"),
    "fetch_user_agent": ("fetch", "user_agent"),
    "fetch_allow": ("fetch", "allow"),
    "fetch_per_host_delay_s": ("fetch", "per_host_delay_s"),
    "fetch_per_host_concurrency": ("fetch", "per_host_concurrency"),
    "fetch_total_concurrency": ("fetch", "total_concurrency"),
    "fetch_connect_timeout_s": ("fetch", "connect_timeout_s"),
    "fetch_read_timeout_s": ("fetch", "read_timeout_s"),
    "fetch_deadline_s": ("fetch", "deadline_s"),
    "fetch_retries": ("fetch", "retries"),
    "run_lock_timeout_s": ("warehouse", "run_lock_timeout_s"),
    "schedule_timezone": ("schedules", "timezone"),
    "schedule_ingest": ("schedules", "ingest"),
    "schedule_ingest_parameters": ("schedules", "ingest_parameters"),
    "schedule_replay": ("schedules", "replay"),
    "schedule_maintenance": ("schedules", "maintenance"),
    "dq_retention_days": ("maintenance", "dq_retention_days"),
    "template_retention_days": ("maintenance", "template_retention_days"),
    "export_dir": ("maintenance", "export_dir"),
    "alerts_block": ("alerts", "block"),
}
_SHORT_ENV = {"db": "NEWSDESK_DB", "sources": "NEWSDESK_SOURCES"}


def _convert(name: str, kind: Any, value: Any, base: Path) -> Any:
    try:
        if kind is Path or kind == "Path":
            path = Path(str(value)).expanduser()
            return path if path.is_absolute() else base / path
        if kind in (int, "int"):
            return int(value)
        if kind in (float, "float"):
            return float(value)
        if kind in (date, "date"):
            return value if isinstance(value, date) else date.fromisoformat(str(value))
        if kind == "dict[str, Any]":
            # From the environment a JSON object, from the file an inline table.
            parsed = json.loads(value) if isinstance(value, str) else value
            if not isinstance(parsed, dict):
                raise TypeError("expected a table / JSON object")
            return parsed
        if kind == "tuple[str, ...]":
            items = value.split(",") if isinstance(value, str) else list(value)
            return tuple(str(item).strip() for item in items if str(item).strip())
        return str(value)
    except (TypeError, ValueError) as exc:
        section, key = _KEYS[name]
        raise SettingsError(f"setting [{section}] {key} = {value!r}: {exc}") from exc


def load_settings(
    path: Path | None = None,
    *,
    env: dict[str, str] | None = None,
    overrides: dict[str, Any] | None = None,
) -> Settings:
    """Defaults from the settings file, then NEWSDESK_* variables, then explicit overrides
    (command-line options). Relative paths in the file are read from the file's folder;
    relative paths from the environment or the command line from the working directory."""
    path = path or Path(os.environ.get("NEWSDESK_SETTINGS", DEFAULT_SETTINGS_FILE))
    env = os.environ if env is None else env
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"settings file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
    kinds = {f.name: f.type for f in fields(Settings)}
    values: dict[str, Any] = {}
    for name, (section, key) in _KEYS.items():
        env_name = f"NEWSDESK_{section}_{key}".upper()
        if overrides and overrides.get(name) is not None:
            raw, base = overrides[name], Path.cwd()
        elif name in _SHORT_ENV and env.get(_SHORT_ENV[name]):
            raw, base = env[_SHORT_ENV[name]], Path.cwd()
        elif env.get(env_name):
            raw, base = env[env_name], Path.cwd()
        elif key in data.get(section, {}):
            raw, base = data[section][key], path.parent
        else:
            raise SettingsError(f"{path}: missing setting [{section}] {key}")
        values[name] = _convert(name, kinds[name], raw, base)
    if values["prefect_mode"] not in {"auto", "ephemeral"}:
        raise SettingsError(
            f"setting [prefect] mode = {values['prefect_mode']!r}: use auto or ephemeral"
        )
    return Settings(**values)
