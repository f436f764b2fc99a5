"""Country evidence over time -> factor scores, levels, confidence, trend and drivers.

Pure and columnar: arrays of evidence in, numbers out, so a full rescore of a million
mentions is a handful of numpy passes. Each piece of news evidence is the country's
weight in the article x the factor probability x the source's trust, signed by
direction (easing counts against) and fading with the factor's half-life. Copies of one
story count sub-linearly: the k-th strongest item of a story counts 1/sqrt(k). Official
advisories enter twice: the factors their text names add standing evidence, and the
median national level sets a floor under the overall score, so a country without news
still reads sensibly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from statistics import median
from typing import TYPE_CHECKING, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from models.factor_config import FactorConfig

if TYPE_CHECKING:
    from models.score_model import ScoreModel

Trend = Literal["rising", "steady", "easing"]
TREND_WINDOW = timedelta(days=7)
TREND_THRESHOLD = 5.0
MAX_DRIVERS = 5
SECONDS_PER_DAY = 86_400.0
# Overall score floor implied by the official consensus level (midpoints of the level bands).
ADVISORY_FLOOR = {1: 0.0, 2: 35.0, 3: 60.0, 4: 85.0}
# Standing evidence for a factor an advisory's text names, by the advisory's level.
ADVISORY_FACTOR_STRENGTH = {1: 0.1, 2: 0.3, 3: 0.55, 4: 0.8}
ADVISORY_CONFIDENCE = 0.5
DISAGREEMENT_PENALTY = 0.7  # confidence factor when official sources are 2+ levels apart
DIRECTION_SIGN = {"escalating": 1.0, "easing": -1.0, "none": 0.0}

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class EvidenceColumns:
    """News evidence as parallel arrays, one element per (mention, factor) reading.

    ``strength`` is weight x probability x trust, signed: negative for easing.
    ``story`` groups copies of one story (same id = same story). ``published`` is
    seconds since the epoch (UTC).
    """

    country: npt.NDArray[np.str_]
    factor: npt.NDArray[np.str_]
    signal_id: IntArray
    published: FloatArray
    strength: FloatArray
    story: IntArray

    @classmethod
    def empty(cls) -> EvidenceColumns:
        return cls(
            np.array([], dtype=str),
            np.array([], dtype=str),
            np.array([], dtype=np.int64),
            np.array([], dtype=np.float64),
            np.array([], dtype=np.float64),
            np.array([], dtype=np.int64),
        )

    def __len__(self) -> int:
        return len(self.signal_id)


@dataclass(frozen=True)
class OfficialLevel:
    """The latest national level of one official source, and the factors its text names."""

    source: str
    level: int
    published_at: datetime | None
    factors: tuple[str, ...] = ()
    advisory_id: int | None = None
    title: str = ""
    url: str | None = None


@dataclass(frozen=True)
class Driver:
    """A signal or advisory that moved a score, with its share of the evidence."""

    signal_id: str
    contribution: float
    title: str = ""
    url: str | None = None
    published_at: datetime | None = None


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
    ahead_of_official: bool = False


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def _damped(values: FloatArray, groups: IntArray, story: IntArray) -> FloatArray:
    """Scale the k-th strongest item of each (group, story, sign) by 1/sqrt(k).

    Most stories have one item per group; only repeated ones are sorted.
    """
    damped = values.copy()
    if len(values) < 2:
        return damped
    sign = np.sign(values).astype(np.int64)
    key = (story * (groups.max() + 1) + groups) * 3 + sign + 1
    _, inverse, counts = np.unique(key, return_inverse=True, return_counts=True)
    repeated = np.flatnonzero(counts[inverse] > 1)
    if len(repeated) == 0:
        return damped
    order = repeated[np.lexsort((-np.abs(values[repeated]), key[repeated]))]
    sorted_keys = key[order]
    starts = np.ones(len(order), dtype=bool)
    starts[1:] = sorted_keys[1:] != sorted_keys[:-1]
    run_start = np.maximum.accumulate(np.where(starts, np.arange(len(order)), 0))
    rank = np.arange(len(order)) - run_start + 1
    damped[order] = values[order] / np.sqrt(rank)
    return damped


@dataclass(frozen=True)
class _Totals:
    total: FloatArray  # per group: signed decayed evidence
    volume: FloatArray  # per group: absolute decayed evidence
    contribution: FloatArray  # per evidence item (0 when excluded)


def _totals(
    columns: EvidenceColumns,
    groups: IntArray,
    half_lives: FloatArray,
    n_groups: int,
    at: float,
) -> _Totals:
    included = columns.published <= at
    age_days = np.maximum(at - columns.published, 0.0) / SECONDS_PER_DAY
    decayed = np.where(included, columns.strength * 0.5 ** (age_days / half_lives), 0.0)
    contribution = _damped(decayed, groups, columns.story)
    return _Totals(
        total=np.bincount(groups, weights=contribution, minlength=n_groups).astype(np.float64),
        volume=np.bincount(groups, weights=np.abs(contribution), minlength=n_groups).astype(
            np.float64
        ),
        contribution=contribution,
    )


def _trend(now: float, before: float) -> Trend:
    if now - before > TREND_THRESHOLD:
        return "rising"
    if before - now > TREND_THRESHOLD:
        return "easing"
    return "steady"


def _saturate(total: float, saturation: float) -> float:
    return 100.0 * (1.0 - math.exp(-max(total, 0.0) / saturation))


def news_scores(totals: FloatArray, saturations: FloatArray) -> FloatArray:
    """:func:`_saturate` over a (countries x factors) matrix of signed evidence totals."""
    return 100.0 * (1.0 - np.exp(-np.maximum(totals, 0.0) / saturations))


def official_consensus(levels: Sequence[int]) -> float:
    """The median of the sources' national levels; 1 (normal precautions) when none."""
    return float(median(levels)) if levels else 1.0


def _top_items(contribution: FloatArray, groups: IntArray) -> dict[int, IntArray]:
    """Indices of the MAX_DRIVERS largest absolute contributions of every group."""
    nonzero = np.flatnonzero(contribution != 0)
    if len(nonzero) == 0:
        return {}
    magnitude = np.abs(contribution[nonzero])
    # One float sort: the integer part orders groups, the fraction puts larger items first.
    composite = groups[nonzero] + (1.0 - magnitude / (magnitude.max() * 1.000001))
    order = nonzero[np.argsort(composite, kind="stable")]
    sorted_groups = groups[order]
    boundaries = np.flatnonzero(np.diff(sorted_groups)) + 1
    return {
        int(chunk_groups[0]): chunk[:MAX_DRIVERS]
        for chunk, chunk_groups in zip(
            np.split(order, boundaries), np.split(sorted_groups, boundaries), strict=True
        )
    }


def _advisory_evidence(
    officials: Sequence[OfficialLevel], factor: str
) -> tuple[float, OfficialLevel | None]:
    """Standing strength of the advisories naming ``factor`` (the strongest counts)."""
    naming = [o for o in officials if factor in o.factors]
    if not naming:
        return 0.0, None
    strongest = max(naming, key=lambda o: o.level)
    return ADVISORY_FACTOR_STRENGTH.get(strongest.level, 0.0), strongest


def _advisory_driver(official: OfficialLevel, share: float) -> Driver:
    return Driver(
        signal_id=f"advisory:{official.advisory_id}",
        contribution=round(share, 3),
        title=official.title or f"{official.source} advisory",
        url=official.url,
        published_at=official.published_at,
    )


def score_all(
    columns: EvidenceColumns,
    officials: Mapping[str, Sequence[OfficialLevel]],
    *,
    countries: Iterable[str],
    config: FactorConfig,
    as_of: datetime,
    calibration: ScoreModel | None = None,
) -> dict[str, CountryScore]:
    """Score every country in ``countries`` as of ``as_of``.

    Parameters
    ----------
    columns : EvidenceColumns
        News evidence; items published after ``as_of`` are ignored.
    officials : mapping of ISO2 to OfficialLevel sequences
        The latest advisory of each source per country.
    countries : iterable of str
        The countries to score (those absent from the evidence score from advisories only).
    config : FactorConfig
        Factors with half-lives and saturation, and level thresholds.
    as_of : datetime
        Timezone-aware moment to score at.
    calibration : ScoreModel, optional
        The fitted overall mapping; None keeps the analytic one (highest factor,
        floored by the official consensus).

    Returns
    -------
    dict of str to CountryScore
        Drivers carry signal ids (``str``); titles and links are the caller's to fill.
    """
    names = config.names
    wanted = sorted(set(countries))
    index = {iso2: i for i, iso2 in enumerate(wanted)}
    # Hash-based codes: one pass over the rows instead of a Python lookup per row.
    country_codes, country_values = pd.factorize(columns.country)
    factor_codes, factor_values = pd.factorize(columns.factor)
    country_map = np.array([index.get(str(c), -1) for c in country_values], dtype=np.int64)
    factor_map = np.array(
        [names.index(f) if f in names else -1 for f in factor_values], dtype=np.int64
    )
    country_idx = country_map[country_codes] if len(columns) else np.array([], dtype=np.int64)
    factor_idx = factor_map[factor_codes] if len(columns) else np.array([], dtype=np.int64)
    keep = (country_idx >= 0) & (factor_idx >= 0)
    country_idx, factor_idx = country_idx[keep], factor_idx[keep]
    cols = EvidenceColumns(
        columns.country[keep],
        columns.factor[keep],
        columns.signal_id[keep],
        columns.published[keep],
        columns.strength[keep],
        columns.story[keep],
    )
    groups = country_idx * len(names) + factor_idx
    half_life_by_factor = np.array([f.half_life_days for f in config.factors], dtype=np.float64)
    half_lives = half_life_by_factor[factor_idx]
    n_groups = len(wanted) * len(names)
    now = _totals(cols, groups, half_lives, n_groups, _epoch(as_of))
    before = _totals(cols, groups, half_lives, n_groups, _epoch(as_of - TREND_WINDOW))
    tops = _top_items(now.contribution, groups)
    currents = {
        iso2: [
            o for o in officials.get(iso2, ()) if o.published_at is None or o.published_at <= as_of
        ]
        for iso2 in wanted
    }
    calibrated = _calibrated(calibration, now, before, currents, config)

    results: dict[str, CountryScore] = {}
    for iso2, c in index.items():
        current = currents[iso2]
        factors: dict[str, FactorScore] = {}
        news_levels: list[int] = []
        for f, spec in enumerate(config.factors):
            g = c * len(names) + f
            standing, named_by = _advisory_evidence(current, spec.name)
            news_score = _saturate(now.total[g], spec.saturation)
            score = _saturate(now.total[g] + standing, spec.saturation)
            news_levels.append(config.level_for(news_score))
            volume = now.volume[g] + standing
            drivers = [
                Driver(str(cols.signal_id[i]), round(abs(now.contribution[i]) / volume, 3))
                for i in tops.get(g, ())
            ]
            if named_by is not None:
                drivers.append(_advisory_driver(named_by, standing / volume))
                drivers.sort(key=lambda d: -d.contribution)
            factors[spec.name] = FactorScore(
                score=round(score, 1),
                level=config.level_for(score),
                confidence=round(1.0 - math.exp(-volume / 2.0), 3),
                trend=_trend(score, _saturate(before.total[g] + standing, spec.saturation)),
                drivers=drivers[:MAX_DRIVERS],
            )
        fitted = None if calibrated is None else (calibrated[0][c], calibrated[1][c])
        results[iso2] = _overall(iso2, factors, current, news_levels, config, fitted)
    return results


def _calibrated(
    calibration: ScoreModel | None,
    now: _Totals,
    before: _Totals,
    currents: Mapping[str, Sequence[OfficialLevel]],
    config: FactorConfig,
) -> tuple[FloatArray, FloatArray] | None:
    """The fitted overall score of every country now and a trend window ago (one batch)."""
    if calibration is None:
        return None
    saturations = np.array([f.saturation for f in config.factors], dtype=np.float64)
    shape = (len(currents), len(config.factors))
    official = np.array(
        [official_consensus([o.level for o in rows]) for rows in currents.values()],
        dtype=np.float64,
    )
    return (
        calibration.score(news_scores(now.total.reshape(shape), saturations), official, config),
        calibration.score(news_scores(before.total.reshape(shape), saturations), official, config),
    )


def _overall(
    iso2: str,
    factors: dict[str, FactorScore],
    officials: Sequence[OfficialLevel],
    news_levels: list[int],
    config: FactorConfig,
    fitted: tuple[float, float] | None = None,
) -> CountryScore:
    """The overall score and its drivers (those of the highest factor).

    Analytic: the highest factor, floored by the official consensus. Fitted: the
    calibration's score now, its trend from its score a trend window ago.
    """
    top = max(factors.values(), key=lambda f: f.score)
    score, confidence, trend = top.score, top.confidence, top.trend
    levels = [o.level for o in officials]
    ahead = False
    if levels:
        score = max(score, ADVISORY_FLOOR[int(math.floor(median(levels)))])
        agreement = DISAGREEMENT_PENALTY if max(levels) - min(levels) >= 2 else 1.0
        confidence = max(confidence, ADVISORY_CONFIDENCE * agreement)
        ahead = max(news_levels) >= max(levels) + 1
    if fitted is not None:
        score, trend = float(fitted[0]), _trend(float(fitted[0]), float(fitted[1]))
    overall = FactorScore(
        score=round(score, 1),
        level=config.level_for(score),
        confidence=round(confidence, 3),
        trend=trend,
        drivers=top.drivers,
    )
    return CountryScore(iso2=iso2, overall=overall, factors=factors, ahead_of_official=ahead)


@dataclass(frozen=True)
class Evidence:
    """One signal's reading of one factor for one country (the row form of the columns)."""

    signal_id: int
    title: str
    url: str | None
    published_at: datetime
    factor: str
    weight: float
    probability: float
    direction: str
    trust: float = 1.0
    story: int | None = None

    @property
    def strength(self) -> float:
        sign = DIRECTION_SIGN.get(self.direction, 0.0)
        return self.weight * self.probability * self.trust * sign


def columns_from(country: str, evidence: Sequence[Evidence]) -> EvidenceColumns:
    """Columns for one country's evidence rows (each row its own story unless told)."""
    return EvidenceColumns(
        country=np.array([country] * len(evidence), dtype=str),
        factor=np.array([e.factor for e in evidence], dtype=str),
        signal_id=np.array([e.signal_id for e in evidence], dtype=np.int64),
        published=np.array([_epoch(e.published_at) for e in evidence], dtype=np.float64),
        strength=np.array([e.strength for e in evidence], dtype=np.float64),
        story=np.array(
            [e.signal_id if e.story is None else e.story for e in evidence], dtype=np.int64
        ),
    )


def score_country(
    iso2: str,
    evidence: Sequence[Evidence],
    officials: Sequence[OfficialLevel],
    *,
    config: FactorConfig,
    as_of: datetime,
    calibration: ScoreModel | None = None,
) -> CountryScore:
    """Score one country from evidence rows; drivers get the rows' titles and links."""
    columns = columns_from(iso2, evidence) if evidence else EvidenceColumns.empty()
    result = score_all(
        columns,
        {iso2: officials},
        countries=[iso2],
        config=config,
        as_of=as_of,
        calibration=calibration,
    )[iso2]
    by_id = {str(e.signal_id): e for e in evidence}
    return with_driver_details(
        result, {k: (e.title, e.url, e.published_at) for k, e in by_id.items()}
    )


def with_driver_details(
    result: CountryScore, details: Mapping[str, tuple[str, str | None, datetime]]
) -> CountryScore:
    """Fill drivers' title, link and time from ``details`` keyed by signal id."""

    def fill(score: FactorScore) -> FactorScore:
        drivers = [
            Driver(d.signal_id, d.contribution, *details[d.signal_id])
            if d.signal_id in details
            else d
            for d in score.drivers
        ]
        return FactorScore(score.score, score.level, score.confidence, score.trend, drivers)

    return CountryScore(
        iso2=result.iso2,
        overall=fill(result.overall),
        factors={name: fill(score) for name, score in result.factors.items()},
        ahead_of_official=result.ahead_of_official,
    )
