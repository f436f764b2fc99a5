"""The configured sources of config/sources.yaml, as typed values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import yaml

SourceKind = Literal["news", "advisory"]


class SourceConfigError(ValueError):
    """config/sources.yaml is malformed; the message names the source and the field."""


@dataclass(frozen=True)
class SourceSpec:
    name: str
    kind: SourceKind
    format: str
    url: str
    interval_minutes: int
    enabled: bool = True


def _spec(name: str, raw: Any, defaults: dict[str, Any]) -> SourceSpec:
    if not isinstance(raw, dict):
        raise SourceConfigError(f"source {name!r}: expected a mapping")
    merged = {**defaults, **raw}
    try:
        kind = merged["kind"]
        if kind not in ("news", "advisory"):
            raise SourceConfigError(f"source {name!r}: kind must be news or advisory")
        spec = SourceSpec(
            name=name,
            kind=kind,
            format=str(merged["format"]),
            url=str(merged["url"]),
            interval_minutes=int(merged.get("interval_minutes", 60)),
            enabled=bool(merged.get("enabled", True)),
        )
    except KeyError as exc:
        raise SourceConfigError(f"source {name!r}: missing {exc.args[0]!r}") from None
    except (TypeError, ValueError) as exc:
        raise SourceConfigError(f"source {name!r}: {exc}") from None
    if spec.interval_minutes < 1:
        raise SourceConfigError(f"source {name!r}: interval_minutes must be at least 1")
    return spec


def load_sources(config_dir: Path) -> dict[str, SourceSpec]:
    """Every source of ``config_dir/sources.yaml`` by name (an absent file means none)."""
    path = config_dir / "sources.yaml"
    if not path.is_file():
        return {}
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise SourceConfigError(f"{path}: not valid YAML: {exc}") from None
    defaults = document.get("defaults") or {}
    return {
        name: _spec(name, raw, defaults) for name, raw in (document.get("sources") or {}).items()
    }
