"""Country evidence over time -> factor scores, levels, confidence, trend and drivers.

Pure: evidence in, numbers out. Each piece of news evidence is the product of the
country's weight in the article and the factor probability, signed by direction
(easing counts against), and fades with the factor's half-life. A factor's decayed sum
saturates towards 100. Official advisories set a floor under the overall score so a
country without news still reads sensibly.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import Literal

from models.factor_config import FactorConfig, FactorSpec

Trend = Literal["rising", "steady", "easing"]
TREND_WINDOW = timedelta(days=7)
TREND_THRESHOLD = 5.0
MAX_DRIVERS = 5
# Overall score floor implied by the official consensus level (midpoints of the level bands).
ADVISORY_FLOOR = {1: 0.0, 2: 35.0, 3: 60.0, 4: 85.0}
ADVISORY_CONFIDENCE = 0.5
DIRECTION_SIGN = {"escalating": 1.0, "easing": -1.0, "none": 0.0}


@dataclass(frozen=True)
class Evidence:
    """One signal's reading of one factor for one country."""

    signal_id: int
    title: str
    url: str | None
    published_at: datetime
    factor: str
    weight: float
    probability: float
    direction: str

    @property
    def signed_strength(self) -> float:
        return self.weight * self.probability * DIRECTION_SIGN.get(self.direction, 0.0)


@dataclass(frozen=True)
class OfficialLevel:
    """The latest national level of one official source for the country."""

    source: str
    level: int
    published_at: datetime | None


@dataclass(frozen=True)
class Driver:
    """A signal that moved a score, with its share of the absolute decayed evidence."""

    signal_id: int
    title: str
    url: str | None
    published_at: datetime
    contribution: float


@dataclass(frozen=True)
class FactorScore:
    score: float
    level: int
    confidence: float
    trend: Trend
    drivers: list[Driver] = field(default_factory=list)


@dataclass(frozen=True)
class CountryScore:
    iso2: str
    overall: FactorScore
    factors: dict[str, FactorScore]


def _decay(spec: FactorSpec, age: timedelta) -> float:
    return float(0.5 ** (max(age.total_seconds(), 0.0) / 86400.0 / spec.half_life_days))


def _factor_value(
    spec: FactorSpec, evidence: Sequence[Evidence], as_of: datetime
) -> tuple[float, float, list[tuple[Evidence, float]]]:
    """Score 0-100, effective evidence volume, and each item's decayed signed strength."""
    weighted = [
        (item, item.signed_strength * _decay(spec, as_of - item.published_at))
        for item in evidence
        if item.published_at <= as_of
    ]
    total = sum(value for _, value in weighted)
    volume = sum(abs(value) for _, value in weighted)
    score = 100.0 * (1.0 - math.exp(-max(total, 0.0) / spec.saturation))
    return score, volume, weighted


def _trend(now: float, before: float) -> Trend:
    if now - before > TREND_THRESHOLD:
        return "rising"
    if before - now > TREND_THRESHOLD:
        return "easing"
    return "steady"


def _drivers(weighted: list[tuple[Evidence, float]]) -> list[Driver]:
    volume = sum(abs(v) for _, v in weighted)
    if volume == 0:
        return []
    ranked = sorted(weighted, key=lambda pair: -abs(pair[1]))[:MAX_DRIVERS]
    return [
        Driver(e.signal_id, e.title, e.url, e.published_at, round(abs(v) / volume, 3))
        for e, v in ranked
        if v != 0
    ]


def score_factor(
    spec: FactorSpec, config: FactorConfig, evidence: Sequence[Evidence], as_of: datetime
) -> FactorScore:
    """Score one factor of one country as of a moment.

    Parameters
    ----------
    spec : FactorSpec
        The factor, with its half-life and saturation.
    config : FactorConfig
        Level thresholds.
    evidence : sequence of Evidence
        This country's evidence for this factor; items after ``as_of`` are ignored.
    as_of : datetime
        Timezone-aware moment to score at.

    Returns
    -------
    FactorScore
    """
    score, volume, weighted = _factor_value(spec, evidence, as_of)
    before, _, _ = _factor_value(spec, evidence, as_of - TREND_WINDOW)
    return FactorScore(
        score=round(score, 1),
        level=config.level_for(score),
        confidence=round(1.0 - math.exp(-volume / 2.0), 3),
        trend=_trend(score, before),
        drivers=_drivers(weighted),
    )


def score_country(
    iso2: str,
    evidence: Iterable[Evidence],
    officials: Sequence[OfficialLevel],
    *,
    config: FactorConfig,
    as_of: datetime,
) -> CountryScore:
    """Every factor of one country plus the overall score.

    The overall score is the highest factor score (whose drivers it shares), raised to
    the floor implied by the median official level when advisories exist.
    """
    by_factor: dict[str, list[Evidence]] = defaultdict(list)
    for item in evidence:
        by_factor[item.factor].append(item)
    factors = {
        spec.name: score_factor(spec, config, by_factor.get(spec.name, []), as_of)
        for spec in config.factors
    }
    news_max = max(factors.values(), key=lambda f: f.score)
    score, confidence = news_max.score, max(f.confidence for f in factors.values())
    levels = [o.level for o in officials if o.published_at is None or o.published_at <= as_of]
    if levels:
        consensus = int(math.floor(median(levels)))
        score = max(score, ADVISORY_FLOOR[consensus])
        confidence = max(confidence, ADVISORY_CONFIDENCE)
    overall = FactorScore(
        score=round(score, 1),
        level=config.level_for(score),
        confidence=round(confidence, 3),
        trend=news_max.trend,
        drivers=news_max.drivers,
    )
    return CountryScore(iso2=iso2, overall=overall, factors=factors)
