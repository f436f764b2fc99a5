"""The factors and level thresholds of config/factors.yaml, as typed values."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_CONFIG_DIR = Path(__file__).resolve().parents[1] / "config"


@dataclass(frozen=True)
class FactorSpec:
    """One risk factor and how fast its evidence fades."""

    name: str
    description: str
    half_life_days: float
    saturation: float


@dataclass(frozen=True)
class FactorConfig:
    factors: tuple[FactorSpec, ...]
    level_thresholds: tuple[tuple[int, float], ...]  # (level, min score), highest first

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.factors)

    def level_for(self, score: float) -> int:
        """The 1-4 level of a 0-100 score."""
        for level, threshold in self.level_thresholds:
            if score >= threshold:
                return level
        return 1


def load_factor_config(config_dir: Path | None = None) -> FactorConfig:
    """Read config/factors.yaml; a missing or malformed file is a clear ValueError."""
    path = (config_dir or DEFAULT_CONFIG_DIR) / "factors.yaml"
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        factors = tuple(
            FactorSpec(
                name=name,
                description=str(spec["description"]),
                half_life_days=float(spec["half_life_days"]),
                saturation=float(spec["saturation"]),
            )
            for name, spec in document["factors"].items()
        )
        thresholds = tuple(
            sorted(((int(k), float(v)) for k, v in document["levels"].items()), reverse=True)
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ValueError(f"{path}: malformed factor configuration: {exc!r}") from None
    if not factors:
        raise ValueError(f"{path}: no factors defined")
    return FactorConfig(factors=factors, level_thresholds=thresholds)
