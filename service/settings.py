"""Typed settings: defaults <- config/settings.yaml <- TRAVELRISK_* environment.

Every setting has one name: ``database_url`` in YAML is ``TRAVELRISK_DATABASE_URL`` in
the environment. Invalid values fail at start with one message naming the setting.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

import yaml

REPO_ROOT = Path(__file__).resolve().parents[1]
ENV_PREFIX = "TRAVELRISK_"
LogFormat = Literal["text", "json"]
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class SettingsError(ValueError):
    """A setting has an invalid value; the message names it and where it came from."""


@dataclass(frozen=True)
class Settings:
    """Everything the service can be told, with the defaults of the embedded set-up."""

    database_url: str = "sqlite:///var/travelrisk.db"
    api_keys: tuple[str, ...] = ()
    log_level: str = "INFO"
    log_format: LogFormat = "text"
    config_dir: Path = REPO_ROOT / "config"
    model_dir: Path = REPO_ROOT / "models" / "artifacts"
    report_dir: Path = REPO_ROOT / "var" / "reports"
    demo_dir: Path = REPO_ROOT / "demo"
    max_request_bytes: int = 1024 * 1024
    scheduler_enabled: bool = True
    # Seconds in one minute of the schedule (sources' interval_minutes, the hourly rescore):
    # 60 in real life; tests shrink it to run a day's schedule in seconds.
    scheduler_tick_seconds: float = 60.0
    fetch_timeout_seconds: float = 20.0
    fetch_max_bytes: int = 20 * 1024 * 1024
    sql_echo: bool = False

    def __post_init__(self) -> None:
        if self.log_level not in LOG_LEVELS:
            raise SettingsError(
                f"log_level: {self.log_level!r} is not one of {', '.join(LOG_LEVELS)}"
            )
        if self.log_format not in get_args(LogFormat):
            raise SettingsError(f"log_format: {self.log_format!r} is not 'text' or 'json'")
        if "://" not in self.database_url:
            raise SettingsError(
                f"database_url: {self.database_url!r} is not a database URL "
                "(e.g. sqlite:///var/travelrisk.db or postgresql+psycopg://user@host/db)"
            )
        for name in ("max_request_bytes", "fetch_max_bytes"):
            if getattr(self, name) <= 0:
                raise SettingsError(f"{name}: must be a positive number of bytes")
        if self.fetch_timeout_seconds <= 0:
            raise SettingsError("fetch_timeout_seconds: must be positive")
        if not 0.1 <= self.scheduler_tick_seconds <= 3600:
            raise SettingsError("scheduler_tick_seconds: must be between 0.1 and 3600 seconds")

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def _coerce(name: str, raw: Any, target: str, origin: str) -> Any:
    """Convert a YAML or environment value to the field's type, or say which setting is wrong."""
    try:
        if target == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in ("1", "true", "yes", "on"):
                return True
            if text in ("0", "false", "no", "off"):
                return False
            raise ValueError("expected true/false")
        if target == "int":
            if isinstance(raw, bool):
                raise ValueError("expected an integer")
            return int(raw)
        if target == "float":
            return float(raw)
        if target == "Path":
            path = Path(str(raw)).expanduser()
            return path if path.is_absolute() else REPO_ROOT / path
        if target == "tuple[str, ...]":
            items = raw if isinstance(raw, list) else str(raw).split(",")
            return tuple(str(item).strip() for item in items if str(item).strip())
        if isinstance(raw, (dict, list)):
            raise ValueError("expected a single value")
        return str(raw)
    except (TypeError, ValueError) as exc:
        raise SettingsError(f"{name} (from {origin}): invalid value {raw!r}: {exc}") from None


def load_settings(
    overrides: Mapping[str, Any] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    config_file: Path | None = None,
) -> Settings:
    """Build settings from defaults, the YAML file, the environment, then ``overrides``.

    Parameters
    ----------
    overrides : mapping, optional
        Values that win over everything (tests and the CLI use this).
    environ : mapping, optional
        The environment to read ``TRAVELRISK_*`` from; ``os.environ`` by default.
    config_file : Path, optional
        The YAML file; ``TRAVELRISK_CONFIG_FILE`` or ``config/settings.yaml`` by default.

    Returns
    -------
    Settings
    """
    env = os.environ if environ is None else environ
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    path = config_file or Path(
        env.get(f"{ENV_PREFIX}CONFIG_FILE", REPO_ROOT / "config/settings.yaml")
    )
    values: dict[str, Any] = {}

    if path.is_file():
        try:
            document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise SettingsError(f"{path}: not valid YAML: {exc}") from None
        if not isinstance(document, dict):
            raise SettingsError(f"{path}: expected a mapping of setting names to values")
        for key, raw in document.items():
            if key not in fields:
                raise SettingsError(f"{key} (from {path}): unknown setting")
            values[key] = _coerce(key, raw, str(fields[key].type), str(path))

    for name, spec in fields.items():
        env_name = ENV_PREFIX + name.upper()
        if env_name in env:
            values[name] = _coerce(name, env[env_name], str(spec.type), env_name)

    for key, raw in (overrides or {}).items():
        if key not in fields:
            raise SettingsError(f"{key}: unknown setting")
        values[key] = (
            raw
            if not isinstance(raw, str)
            else _coerce(key, raw, str(fields[key].type), "overrides")
        )
    return Settings(**values)
