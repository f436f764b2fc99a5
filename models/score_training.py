"""Fit and evaluate the overall-score mapping against the official advisory history.

Training rows are (country, month end) pairs. Features: the news-only score of each
factor at that moment (the real news of ../shared/data analysed by the analyser, decayed
and damped exactly as :func:`models.scoring.score_all` does) and the official consensus
``lag_days`` earlier. Target: the official consensus at that moment (median of the
sources' normalised levels, replayed from the marcolussetti change logs). So the model
learns where the official consensus is heading given news and where it stood; in
service it is applied to today's news and today's consensus.

Evaluation splits countries into folds (``GroupKFold``): every country is held out once
and scored by a model that never saw it. It reports the Spearman correlation of our
overall level with the held-out countries' consensus, and that of the advisories-only
baseline (the lagged consensus itself).

Pure: files in, numbers out; no database and no service code.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from statistics import median
from typing import Any

import numpy as np
import pandas as pd
from scipy.stats import spearmanr
from sklearn.model_selection import GroupKFold

from models.analysis import Analyzer
from models.factor_config import FactorConfig, load_factor_config
from models.gazetteer import Gazetteer, default_gazetteer
from models.score_model import (
    ScoreModel,
    activate_score_model,
    build_score_estimator,
    level_to_score,
    save_score_model,
)
from models.scoring import DIRECTION_SIGN, EvidenceColumns, FloatArray, score_all

__all__ = [
    "LevelChange",
    "NewsItem",
    "TrainingSet",
    "build_training_set",
    "consensus_at",
    "levels_at",
    "cross_validate_score_model",
    "evaluate_score_model",
    "load_news",
    "load_official_history",
    "news_columns",
    "train_score_model",
]

log = logging.getLogger(__name__)

HISTORY = "advisories-history-marcolussetti"
WSJ = "wsj-world-rss-orx365/wsj_world_items_2025-04_2026-02.csv"
GOOGLE_NEWS = "google-news-headlines-wklnd/google_news_top_headlines_2025-07-24_2026-05-31.csv"
DEFAULT_LAG_DAYS = 90
# A source whose scraper stopped is not assumed to still say what it last said.
COVERAGE_GRACE = timedelta(days=2)

# The scraper's wording per source (Canada may add " (with regional advisories)"; the
# US column reads "Level N: ..."). The UK change log has no level at all.
SCRAPER_WORDS: Mapping[str, Mapping[str, int]] = {
    "canada": {
        "take normal security precautions": 1,
        "exercise a high degree of caution": 2,
        "avoid non-essential travel": 3,
        "avoid all travel": 4,
    },
    "australia": {
        "exercise normal safety precautions": 1,
        "exercise a high degree of caution": 2,
        "reconsider your need to travel": 3,
        "do not travel": 4,
    },
    "ireland": {
        "normal precautions": 1,
        "high degree of caution": 2,
        "avoid non-essential travel": 3,
        "do not travel": 4,
    },
}
US_LEVEL = re.compile(r"^level\s+([1-4])\b")
REGIONAL_SUFFIX = re.compile(r"\s*\(with regional advisories\)\s*$")


@dataclass(frozen=True)
class LevelChange:
    """One source's level for one country from ``at`` on (None: no level any more)."""

    source: str
    iso2: str
    at: datetime
    level: int | None


@dataclass(frozen=True)
class OfficialHistory:
    """Every level change, and until when each source was observed."""

    changes: tuple[LevelChange, ...]
    observed_until: Mapping[str, datetime]


@dataclass(frozen=True)
class NewsItem:
    title: str
    text: str
    published: datetime


@dataclass(frozen=True)
class TrainingSet:
    """Rows of (country, date): features, target, the lagged consensus and groups."""

    news: FloatArray  # (n, n_factors) news-only factor scores
    lagged: FloatArray  # (n,) official consensus lag_days earlier
    target: FloatArray  # (n,) official consensus at the date
    countries: tuple[str, ...]
    dates: tuple[datetime, ...]

    def __len__(self) -> int:
        return len(self.target)


def _utc(value: str) -> datetime:
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def scraper_level(source: str, wording: str) -> int | None:
    """The 1-4 level of a scraper's ``risk_level`` cell, or None when it is not a level."""
    text = REGIONAL_SUFFIX.sub("", wording.strip().lower())
    if source == "unitedstates":
        match = US_LEVEL.match(text)
        return int(match.group(1)) if match else None
    return SCRAPER_WORDS.get(source, {}).get(text)


def load_official_history(history_dir: Path, gazetteer: Gazetteer | None = None) -> OfficialHistory:
    """Replay the change logs of the sources that publish levels (CA, AU, IE, US).

    Parameters
    ----------
    history_dir : Path
        ``../shared/data/advisories-history-marcolussetti``.
    gazetteer : Gazetteer, optional
        Resolves destination names; the default gazetteer when None.

    Returns
    -------
    OfficialHistory
        Level changes in time order; destinations the gazetteer does not know (islands
        with their own advice, regions) are left out.
    """
    gazetteer = gazetteer or default_gazetteer()
    changes: list[LevelChange] = []
    observed: dict[str, datetime] = {}
    for source in ("canada", "australia", "ireland", "unitedstates"):
        path = history_dir / "summary_changes" / f"{source}_summary_changes.csv"
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                at = _utc(row["snapshot_time_utc"])
                observed[source] = max(observed.get(source, at), at)
                iso2 = gazetteer.resolve(row["destination"])
                if iso2 is None or row["change_type"] == "updated":
                    continue
                level = (
                    None
                    if row["change_type"] == "removed"
                    else scraper_level(source, row["risk_level"])
                )
                changes.append(LevelChange(source, iso2, at, level))
    changes.sort(key=lambda c: c.at)
    return OfficialHistory(tuple(changes), observed)


def levels_at(history: OfficialHistory, at: datetime) -> dict[str, dict[str, int]]:
    """Each source's latest level per country as of ``at`` (country -> source -> level).

    A source counts only while its scraper was observed (the US and Australian scrapers
    stopped in August 2025), so no level is carried past what the data shows.
    """
    latest: dict[tuple[str, str], int | None] = {}
    for change in history.changes:
        if change.at > at:
            break
        latest[(change.source, change.iso2)] = change.level
    levels: dict[str, dict[str, int]] = defaultdict(dict)
    for (source, iso2), level in latest.items():
        if level is not None and at <= history.observed_until[source] + COVERAGE_GRACE:
            levels[iso2][source] = level
    return dict(levels)


def consensus_at(history: OfficialHistory, at: datetime) -> dict[str, float]:
    """Median of the sources' latest levels per country as of ``at``."""
    return {iso2: float(median(by.values())) for iso2, by in levels_at(history, at).items()}


def _wsj(path: Path) -> Iterator[NewsItem]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield NewsItem(row["title"], row["description"], _utc(row["pub_date_utc"]))


def _google_news(path: Path) -> Iterator[NewsItem]:
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            yield NewsItem(row["title"], "", _utc(row["first_seen_utc"]))


def news_files(shared_data_dir: Path) -> list[Path]:
    """The news files training reads (WSJ world items, Google News headlines)."""
    return [shared_data_dir / WSJ, shared_data_dir / GOOGLE_NEWS]


def load_news(shared_data_dir: Path) -> list[NewsItem]:
    """The WSJ world items (title + standfirst) and the Google News headlines (title)."""
    wsj, google = news_files(shared_data_dir)
    return [*_wsj(wsj), *_google_news(google)]


def news_columns(items: Sequence[NewsItem], analyzer: Analyzer) -> EvidenceColumns:
    """Analyse every item; one signed reading per (item, country, factor) with a direction.

    Strength is weight x probability x sign (trust 1); each item is its own story.
    """
    country: list[str] = []
    factor: list[str] = []
    item_id: list[int] = []
    published: list[float] = []
    strength: list[float] = []
    for number, item in enumerate(items):
        for mention in analyzer.analyze(item.title, item.text).countries:
            for name, reading in mention.factors.items():
                sign = DIRECTION_SIGN.get(reading.direction, 0.0)
                if sign == 0.0 or reading.probability <= 0.0:
                    continue
                country.append(mention.iso2)
                factor.append(name)
                item_id.append(number)
                published.append(item.published.timestamp())
                strength.append(mention.weight * reading.probability * sign)
    ids = np.array(item_id, dtype=np.int64)
    return EvidenceColumns(
        country=np.array(country, dtype=str),
        factor=np.array(factor, dtype=str),
        signal_id=ids,
        published=np.array(published, dtype=np.float64),
        strength=np.array(strength, dtype=np.float64),
        story=ids,
    )


def month_ends(first: datetime, last: datetime) -> list[datetime]:
    """The last moment (23:59:59 UTC) of every month whose end lies in [first, last]."""
    ends: list[datetime] = []
    for stamp in pd.date_range(first.date(), last.date(), freq="ME"):
        end = datetime(stamp.year, stamp.month, stamp.day, 23, 59, 59, tzinfo=UTC)
        if first <= end <= last:
            ends.append(end)
    return ends


def news_score_matrix(
    columns: EvidenceColumns, countries: Sequence[str], config: FactorConfig, at: datetime
) -> FloatArray:
    """News-only factor scores (countries x factors) as :func:`score_all` computes them."""
    scored = score_all(columns, {}, countries=countries, config=config, as_of=at)
    return np.array(
        [[scored[c].factors[f].score for f in config.names] for c in countries], dtype=np.float64
    )


def build_training_set(
    columns: EvidenceColumns,
    history: OfficialHistory,
    dates: Iterable[datetime],
    *,
    config: FactorConfig,
    lag_days: int = DEFAULT_LAG_DAYS,
) -> TrainingSet:
    """One row per (country, date) with a consensus both at the date and ``lag_days`` before.

    Both consensuses are taken over the sources observed at both moments, so a source
    that stopped being scraped (US, Australia, Ireland in 2025) never reads as a change.

    Parameters
    ----------
    columns : EvidenceColumns
        Analysed news evidence (all of it; each date only sees what was published by then).
    history : OfficialHistory
        The replayed official levels.
    dates : iterable of datetime
        Moments to sample (month ends).
    config : FactorConfig
        Factors, half-lives and saturations.
    lag_days : int, default=90
        How far back the official feature looks.

    Returns
    -------
    TrainingSet
    """
    news_rows: list[FloatArray] = []
    lagged: list[float] = []
    target: list[float] = []
    countries: list[str] = []
    when: list[datetime] = []
    for at in dates:
        now_levels = levels_at(history, at)
        before_levels = levels_at(history, at - timedelta(days=lag_days))
        now: dict[str, float] = {}
        before: dict[str, float] = {}
        for iso2, by_source in now_levels.items():
            shared = sorted(set(by_source) & set(before_levels.get(iso2, {})))
            if shared:
                now[iso2] = float(median(by_source[s] for s in shared))
                before[iso2] = float(median(before_levels[iso2][s] for s in shared))
        both = sorted(now)
        if not both:
            continue
        news_rows.append(news_score_matrix(columns, both, config, at))
        lagged.extend(before[c] for c in both)
        target.extend(now[c] for c in both)
        countries.extend(both)
        when.extend([at] * len(both))
    width = len(config.names)
    return TrainingSet(
        news=np.vstack(news_rows) if news_rows else np.zeros((0, width)),
        lagged=np.array(lagged, dtype=np.float64),
        target=np.array(target, dtype=np.float64),
        countries=tuple(countries),
        dates=tuple(when),
    )


def fit_score_model(data: TrainingSet, config: FactorConfig, *, seed: int = 0) -> ScoreModel:
    """Fit the monotone regressor on every row of ``data``."""
    estimator = build_score_estimator(len(config.names), seed=seed)
    estimator.fit(np.column_stack([data.news, data.lagged]), data.target)
    return ScoreModel(estimator, config.names)


def _spearman(a: FloatArray, b: FloatArray) -> float | None:
    if len(a) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return None
    return round(float(spearmanr(a, b).statistic), 4)


def cross_validate_score_model(
    data: TrainingSet, config: FactorConfig, *, n_splits: int = 5, seed: int = 0
) -> dict[str, Any]:
    """Hold every country out once; Spearman of our level and of the baseline vs consensus.

    Returns
    -------
    dict
        ``spearman_ours`` (our overall level), ``spearman_ours_score`` (the 0-100 score),
        ``spearman_advisories_only`` (the lagged consensus; ``_level`` rounded to a
        level), ``spearman_news_only`` (highest analytic news level), the same on the rows
        where the consensus moved during the lag (``*_changed``), the exact-level
        accuracy of both, ``mae_level_*``, and the counts of held-out countries and rows.
    """
    groups = np.array(data.countries)
    n_countries = len(set(data.countries))
    splits = min(n_splits, n_countries)
    if splits < 2:
        raise ValueError(f"need at least 2 countries to hold any out, have {n_countries}")
    predicted = np.zeros(len(data), dtype=np.float64)
    for train, test in GroupKFold(n_splits=splits).split(data.news, data.target, groups):
        part = TrainingSet(
            data.news[train],
            data.lagged[train],
            data.target[train],
            tuple(groups[train]),
            tuple(data.dates[i] for i in train),
        )
        model = fit_score_model(part, config, seed=seed)
        predicted[test] = model.predict_level(data.news[test], data.lagged[test])
    scores = level_to_score(predicted, config)
    levels = np.array([config.level_for(s) for s in scores], dtype=np.float64)
    changed = data.lagged != data.target
    level_target = np.floor(data.target + 0.5)  # consensus as a level (2.5 -> 3)
    baseline_level = np.floor(data.lagged + 0.5)
    news_only = np.array([config.level_for(s) for s in data.news.max(axis=1)], dtype=np.float64)
    return {
        "held_out_countries": n_countries,
        "rows": len(data),
        "rows_changed": int(changed.sum()),
        "folds": splits,
        "spearman_ours": _spearman(levels, data.target),
        "spearman_ours_score": _spearman(scores, data.target),
        "spearman_advisories_only": _spearman(data.lagged, data.target),
        "spearman_advisories_only_level": _spearman(baseline_level, data.target),
        "spearman_news_only": _spearman(news_only, data.target),
        "spearman_ours_changed": _spearman(levels[changed], data.target[changed]),
        "spearman_advisories_only_changed": _spearman(data.lagged[changed], data.target[changed]),
        "accuracy_level_ours": round(float(np.mean(levels == level_target)), 4),
        "accuracy_level_advisories_only": round(float(np.mean(baseline_level == level_target)), 4),
        "mae_level_ours": round(float(np.mean(np.abs(predicted - data.target))), 4),
        "mae_level_advisories_only": round(float(np.mean(np.abs(data.lagged - data.target))), 4),
    }


def data_hash(shared_data_dir: Path, analyzer: Analyzer, lag_days: int) -> str:
    """SHA-256 of the input files, the analyser version and the lag."""
    digest = hashlib.sha256()
    history = shared_data_dir / HISTORY / "summary_changes"
    for path in [*sorted(history.glob("*_summary_changes.csv")), *news_files(shared_data_dir)]:
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    digest.update(f"{analyzer.model_version}|lag={lag_days}".encode())
    return digest.hexdigest()


def _prepare(
    shared_data_dir: Path, analyzer: Analyzer, config: FactorConfig, lag_days: int
) -> TrainingSet:
    history = load_official_history(shared_data_dir / HISTORY)
    items = load_news(shared_data_dir)
    columns = news_columns(items, analyzer)
    first_news = min(i.published for i in items if i.published.year >= 2025)
    last_news = max(i.published for i in items)
    first_official = min(c.at for c in history.changes)
    start = max(first_news, first_official + timedelta(days=lag_days))
    dates = month_ends(start, last_news)
    log.info(
        "score training: %d news items (%d readings), %d level changes, %d dates",
        len(items),
        len(columns),
        len(history.changes),
        len(dates),
    )
    return build_training_set(columns, history, dates, config=config, lag_days=lag_days)


def evaluate_score_model(
    shared_data_dir: Path,
    analyzer: Analyzer,
    *,
    config: FactorConfig | None = None,
    lag_days: int = DEFAULT_LAG_DAYS,
    seed: int = 0,
) -> dict[str, Any]:
    """Country-held-out Spearman figures of the fitted mapping and of the baseline.

    Parameters
    ----------
    shared_data_dir : Path
        ``../shared/data``.
    analyzer : Analyzer
        Turns the news into evidence (the service's analyser).
    config : FactorConfig, optional
        Factors and thresholds (config/factors.yaml when None).
    lag_days : int, default=90
        Lag of the official feature.
    seed : int, default=0

    Returns
    -------
    dict
        See :func:`cross_validate_score_model`, plus ``lag_days`` and ``analyzer``.
    """
    config = config or load_factor_config()
    data = _prepare(shared_data_dir, analyzer, config, lag_days)
    metrics = cross_validate_score_model(data, config, seed=seed)
    return {**metrics, "lag_days": lag_days, "analyzer": analyzer.model_version}


def train_score_model(
    shared_data_dir: Path,
    artifacts_dir: Path,
    analyzer: Analyzer,
    *,
    config: FactorConfig | None = None,
    lag_days: int = DEFAULT_LAG_DAYS,
    seed: int = 0,
    activate: bool = True,
) -> dict[str, Any]:
    """Cross-validate, fit on every country, save a new score artifact and activate it.

    Parameters
    ----------
    shared_data_dir : Path
        ``../shared/data`` (advisory history and news, read in place).
    artifacts_dir : Path
        The score artifacts folder (e.g. ``<model_dir>/scoring``).
    analyzer : Analyzer
        Turns the news into evidence (the service's analyser).
    config : FactorConfig, optional
        Factors and thresholds (config/factors.yaml when None).
    lag_days : int, default=90
        Lag of the official feature.
    seed : int, default=0
    activate : bool, default=True
        Point ACTIVE at the new version.

    Returns
    -------
    dict
        ``version``, ``rows``, ``data_sha256``, ``seconds`` and the held-out ``metrics``.
    """
    started = time.perf_counter()
    config = config or load_factor_config()
    data = _prepare(shared_data_dir, analyzer, config, lag_days)
    metrics = {
        **cross_validate_score_model(data, config, seed=seed),
        "lag_days": lag_days,
        "analyzer": analyzer.model_version,
    }
    model = fit_score_model(data, config, seed=seed)
    digest = data_hash(shared_data_dir, analyzer, lag_days)
    Path(artifacts_dir).mkdir(parents=True, exist_ok=True)
    version = save_score_model(model, metrics, digest, Path(artifacts_dir))
    if activate:
        activate_score_model(version, Path(artifacts_dir))
    seconds = round(time.perf_counter() - started, 1)
    log.info("score model %s trained in %ss: %s", version, seconds, metrics)
    return {
        "version": version,
        "rows": len(data),
        "data_sha256": digest,
        "seconds": seconds,
        "metrics": metrics,
    }
