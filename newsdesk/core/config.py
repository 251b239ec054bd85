"""Runtime settings, layered with pydantic-settings (lowest first):

1. the defaults that ship with the package (newsdesk/core/newsdesk.toml), whose relative
   paths are read from the working folder;
2. a settings file: NEWSDESK_SETTINGS, else ./newsdesk.toml when there is one; it need only
   hold the keys it changes, and its relative paths are read from its own folder;
3. NEWSDESK_<SECTION>_<KEY> variables (NEWSDESK_DB and NEWSDESK_SOURCES for short);
4. explicit overrides (command-line options, a flow's settings_overrides), by flat name.

Sections are models (settings.fetch.retries); the flat names the stages use
(settings.fetch_retries, settings.min_words) are read-only views of the same values.
"""

from __future__ import annotations

import os
import re
import tomllib
from collections.abc import Mapping
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from pydantic_settings.sources.utils import parse_env_vars

PROJECT_DIR = Path(__file__).resolve().parents[2]
DEFAULTS_FILE = Path(str(resources.files("newsdesk.core").joinpath("newsdesk.toml")))
SETTINGS_ENV = "NEWSDESK_SETTINGS"
LOCAL_SETTINGS_FILE = "newsdesk.toml"


_SIZE = re.compile(r"\d+(\.\d+)?\s*(B|[KMGT]i?B)", re.IGNORECASE)


class SettingsError(ValueError):
    """A setting is missing or has the wrong type; the message names the key."""


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class WarehouseSettings(_Section):
    db: Path
    sources: Path
    write_lock_timeout_s: float
    read_lock_timeout_s: float
    run_lock_timeout_s: float
    memory_limit: str

    @field_validator("memory_limit")
    @classmethod
    def _size(cls, value: str) -> str:
        # It goes into a SET statement: a number and a unit only.
        if not _SIZE.fullmatch(value.strip()):
            raise ValueError(f"memory_limit must be a size such as 128MB or 1GiB, not {value!r}")
        return value.strip()


class PipelineSettings(_Section):
    # a batch of 0 ended a reprocess in "range() arg 3 must not be zero"
    batch_size: int = Field(ge=1)
    workers: int = Field(ge=0)  # 0: one per core
    max_bytes: int
    flush_s: float
    read_timeout_s: float
    follow_links: bool
    executor: Literal["processes", "dask"]
    dask_address: str
    overlap: bool

    @field_validator("dask_address")
    @classmethod
    def _tcp(cls, value: str) -> str:
        if value and not value.startswith(("tcp://", "tls://")):
            raise ValueError(f"dask_address must be tcp://HOST:PORT (or tls://), not {value!r}")
        return value


class GateSettings(_Section):
    min_words: int
    date_min: date
    ingest_threshold: float
    clean_threshold: float
    extract_threshold: float
    load_threshold: float
    threshold_min_rows: int


class PrefectSettings(_Section):
    mode: Literal["auto", "ephemeral"]
    home: Path
    host: str
    port: int


class FetchConfig(_Section):
    user_agent: str
    # comma-separated in NEWSDESK_FETCH_ALLOW, a list in the file
    allow: Annotated[tuple[str, ...], NoDecode]
    per_host_delay_s: float
    per_host_concurrency: int
    total_concurrency: int
    connect_timeout_s: float
    read_timeout_s: float
    deadline_s: float
    retries: int
    max_feed_items: int
    max_sitemap_urls: int
    max_sitemap_depth: int
    max_pages: int

    @field_validator("allow", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        items = value.split(",") if isinstance(value, str) else value
        return tuple(str(item).strip() for item in items if str(item).strip())


class ScheduleSettings(_Section):
    timezone: str
    ingest: str
    ingest_parameters: dict[str, Any]
    replay: str
    maintenance: str


class MaintenanceSettings(_Section):
    dq_retention_days: int
    template_retention_days: int
    export_dir: str


class AlertSettings(_Section):
    block: str


class StorySettings(_Section):
    copy_threshold: float
    story_threshold: float
    window_days: float


class QuietSettings(_Section):
    """[quiet]: when a registry source counts as quiet or failing (warehouse/quiet.py)."""

    share: float
    baseline_days: int
    min_days: int
    failed_fetch_hours: float
    realert_hours: float


# The flat names (stage code, overrides) → (section, key).
FLAT: dict[str, tuple[str, str]] = {
    "db": ("warehouse", "db"),
    "sources": ("warehouse", "sources"),
    "write_lock_timeout_s": ("warehouse", "write_lock_timeout_s"),
    "read_lock_timeout_s": ("warehouse", "read_lock_timeout_s"),
    "run_lock_timeout_s": ("warehouse", "run_lock_timeout_s"),
    "warehouse_memory_limit": ("warehouse", "memory_limit"),
    "batch_size": ("pipeline", "batch_size"),
    "workers": ("pipeline", "workers"),
    "max_bytes": ("pipeline", "max_bytes"),
    "flush_s": ("pipeline", "flush_s"),
    "read_timeout_s": ("pipeline", "read_timeout_s"),
    "follow_links": ("pipeline", "follow_links"),
    "executor": ("pipeline", "executor"),
    "dask_address": ("pipeline", "dask_address"),
    "overlap": ("pipeline", "overlap"),
    **{key: ("gates", key) for key in GateSettings.model_fields},
    **{f"prefect_{key}": ("prefect", key) for key in PrefectSettings.model_fields},
    **{f"fetch_{key}": ("fetch", key) for key in FetchConfig.model_fields},
    **{f"schedule_{key}": ("schedules", key) for key in ScheduleSettings.model_fields},
    **{key: ("maintenance", key) for key in MaintenanceSettings.model_fields},
    "alerts_block": ("alerts", "block"),
    **{f"stories_{key}": ("stories", key) for key in StorySettings.model_fields},
    **{f"quiet_{key}": ("quiet", key) for key in QuietSettings.model_fields},
}
_SHORT_ENV = {"NEWSDESK_DB": "db", "NEWSDESK_SOURCES": "sources"}


def _nest(flat: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    nested: dict[str, dict[str, Any]] = {}
    for name, value in flat.items():
        if value is None:
            continue
        if name not in FLAT:
            raise SettingsError(f"unknown setting {name!r}")
        section, key = FLAT[name]
        nested.setdefault(section, {})[key] = value
    return nested


def _paths_from(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Relative paths of a layer, made absolute from `base`."""
    for section, key in (("warehouse", "db"), ("warehouse", "sources"), ("prefect", "home")):
        value = data.get(section, {}).get(key)
        if isinstance(value, str | Path):
            path = Path(value).expanduser()
            data[section][key] = path if path.is_absolute() else base / path
    return data


class _Env(EnvSettingsSource):
    """NEWSDESK_<SECTION>_<KEY> from a given environment (os.environ unless told)."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._environ, False, True, None)

    def __call__(self) -> dict[str, Any]:
        return _paths_from(super().__call__(), Path.cwd())


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise SettingsError(f"settings file not found: {path}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(f"{path}: not valid TOML: {exc}") from exc
    except UnicodeDecodeError as exc:
        raise SettingsError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except OSError as exc:  # a folder, no permission
        raise SettingsError(f"settings file {path}: {exc.strerror or exc}") from exc
    # A misspelt section ([pipelin]) or a key outside any section was ignored without a
    # word, the shipped value kept: every key of a settings file is in a known section.
    sections = set(Settings.model_fields)
    stray = sorted(k for k, v in data.items() if k not in sections or not isinstance(v, dict))
    if stray:
        raise SettingsError(
            f"{path}: {', '.join(map(repr, stray))} is not a settings section; keys go in "
            f"one of [{'], ['.join(sorted(sections))}]"
        )
    return data


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        frozen=True,
        env_prefix="NEWSDESK_",
        env_nested_delimiter="_",
        env_nested_max_split=1,  # NEWSDESK_FETCH_PER_HOST_DELAY_S → fetch.per_host_delay_s
        extra="ignore",
    )

    warehouse: WarehouseSettings
    pipeline: PipelineSettings
    gates: GateSettings
    prefect: PrefectSettings
    fetch: FetchConfig
    schedules: ScheduleSettings
    maintenance: MaintenanceSettings
    alerts: AlertSettings
    stories: StorySettings
    quiet: QuietSettings

    @classmethod
    def settings_customise_sources(
        cls, settings_cls: type[BaseSettings], init_settings: PydanticBaseSettingsSource, **_: Any
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)  # load_settings hands the layers over as init values

    def __getattr__(self, name: str) -> Any:
        if name in FLAT:
            section, key = FLAT[name]
            return getattr(getattr(self, section), key)
        return super().__getattr__(name)  # type: ignore[misc]

    @property
    def worker_count(self) -> int:
        return self.pipeline.workers or os.cpu_count() or 1

    def threshold(self, stage: str) -> float:
        return float(getattr(self.gates, f"{stage}_threshold"))

    def replace(self, **flat: Any) -> Settings:
        """These settings with some values changed, by flat name (as overrides give them)."""
        updates = {
            section: getattr(self, section).model_copy(update=values)
            for section, values in _nest(flat).items()
        }
        return self.model_copy(update=updates)


def _merge(*layers: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for layer in layers:
        for section, values in layer.items():
            if isinstance(values, dict):
                merged.setdefault(section, {}).update(values)
    return merged


def settings_file(env: Mapping[str, str]) -> Path | None:
    """The user's settings file: NEWSDESK_SETTINGS, else ./newsdesk.toml if present."""
    if env.get(SETTINGS_ENV):
        return Path(env[SETTINGS_ENV]).expanduser()
    local = Path.cwd() / LOCAL_SETTINGS_FILE
    return local if local.is_file() else None


def _error(exc: ValidationError) -> SettingsError:
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        where = f"[{loc[0]}] {'.'.join(loc[1:])}" if len(loc) > 1 else f"[{loc[0]}]"
        if error["type"] == "missing":
            problems.append(f"missing setting {where}")
        else:
            problems.append(f"setting {where} = {error.get('input')!r}: {error['msg']}")
    return SettingsError("; ".join(problems))


def load_settings(
    path: Path | None = None,
    *,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """The layered settings (see the module docstring); `path` is the settings file."""
    env = os.environ if env is None else env
    user_file = path or settings_file(env)
    user = _paths_from(_read_toml(user_file), user_file.parent) if user_file else {}
    short = {_SHORT_ENV[k]: v for k, v in env.items() if k in _SHORT_ENV and v}
    layers = [
        _paths_from(dict(_defaults_data()), Path.cwd()),
        user,
        _Env(Settings, env)(),
        _paths_from(_nest(short), Path.cwd()),
        _paths_from(_nest(overrides or {}), Path.cwd()),
    ]
    merged = _merge(*layers)
    try:
        return Settings(**merged)
    except ValidationError as exc:
        raise _error(exc) from None


@cache
def _defaults_text() -> str:
    return DEFAULTS_FILE.read_text(encoding="utf-8")


def _defaults_data() -> dict[str, Any]:
    return {k: dict(v) for k, v in tomllib.loads(_defaults_text()).items()}


@cache
def defaults() -> Settings:
    """The settings that ship with the package, alone (no file, no environment): where the
    stages' own defaults come from (fetch knobs, lock timeouts), so each is written once."""
    return Settings(**_paths_from(_defaults_data(), Path.cwd()))
