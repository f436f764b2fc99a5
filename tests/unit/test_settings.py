"""Settings: defaults <- config file <- TRAVELRISK_* environment; bad values fail clearly."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.settings import REPO_ROOT, SettingsError, load_settings


def test_defaults_give_the_embedded_sqlite_setup(tmp_path: Path) -> None:
    settings = load_settings(environ={}, config_file=tmp_path / "none.yaml")
    assert settings.database_url == "sqlite:///var/travelrisk.db"
    assert settings.api_keys == ()
    assert settings.is_sqlite


def test_environment_wins_over_the_config_file(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text("log_level: WARNING\nmax_request_bytes: 2048\nreport_dir: out/reports\n")
    settings = load_settings(
        environ={"TRAVELRISK_LOG_LEVEL": "DEBUG", "TRAVELRISK_API_KEYS": "a, b,,c"},
        config_file=config,
    )
    assert settings.log_level == "DEBUG"
    assert settings.max_request_bytes == 2048
    assert settings.api_keys == ("a", "b", "c")
    assert settings.report_dir == REPO_ROOT / "out" / "reports"


def test_config_file_can_be_chosen_by_environment(tmp_path: Path) -> None:
    config = tmp_path / "prod.yaml"
    config.write_text("log_format: json\nscheduler_enabled: false\n")
    settings = load_settings(environ={"TRAVELRISK_CONFIG_FILE": str(config)})
    assert settings.log_format == "json"
    assert settings.scheduler_enabled is False


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({"TRAVELRISK_MAX_REQUEST_BYTES": "lots"}, "max_request_bytes"),
        ({"TRAVELRISK_MAX_REQUEST_BYTES": "-5"}, "max_request_bytes"),
        ({"TRAVELRISK_SCHEDULER_ENABLED": "maybe"}, "scheduler_enabled"),
        ({"TRAVELRISK_LOG_LEVEL": "LOUD"}, "log_level"),
        ({"TRAVELRISK_LOG_FORMAT": "xml"}, "log_format"),
        ({"TRAVELRISK_DATABASE_URL": "travelrisk.db"}, "database_url"),
    ],
)
def test_invalid_values_fail_with_one_message_naming_the_setting(
    tmp_path: Path, environ: dict[str, str], named: str
) -> None:
    with pytest.raises(SettingsError, match=named):
        load_settings(environ=environ, config_file=tmp_path / "none.yaml")


def test_unknown_keys_and_bad_yaml_in_the_config_file_are_reported(tmp_path: Path) -> None:
    config = tmp_path / "settings.yaml"
    config.write_text("databse_url: sqlite:///x.db\n")
    with pytest.raises(SettingsError, match="databse_url.*unknown setting"):
        load_settings(environ={}, config_file=config)
    config.write_text("log_level: [unclosed\n")
    with pytest.raises(SettingsError, match="not valid YAML"):
        load_settings(environ={}, config_file=config)


def test_the_shipped_config_file_loads() -> None:
    assert load_settings(environ={}).database_url.startswith("sqlite")
