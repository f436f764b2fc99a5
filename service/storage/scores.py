"""Reading evidence for scoring, and writing and reading current scores and history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Float, case, cast, delete, func, select
from sqlalchemy.orm import Session

from models.scoring import CountryScore, EvidenceColumns, FactorScore
from service.storage.tables import CurrentScore, Mention, MentionFactor, ScoreHistory, Signal

OVERALL = "overall"


def load_evidence_columns(
    session: Session, *, since: datetime, until: datetime, trust: Mapping[str, float]
) -> EvidenceColumns:
    """Every signed factor reading published in ``[since, until]``, as columns.

    Signs, times and strengths are computed in SQL so a million readings load without
    building a Python object per row; ``trust`` weighs each signal's source (default 1).
    """
    sign = case(
        (MentionFactor.direction == "escalating", 1.0),
        (MentionFactor.direction == "easing", -1.0),
        else_=0.0,
    )
    rows = session.execute(
        select(
            Mention.country_iso2,
            MentionFactor.factor,
            Mention.signal_id,
            cast(func.extract("epoch", Mention.published_at), Float),
            Mention.weight * MentionFactor.probability * sign,
            Signal.source,
        )
        .join(MentionFactor, MentionFactor.mention_id == Mention.id)
        .join(Signal, Signal.id == Mention.signal_id)
        .where(
            Mention.published_at >= since,
            Mention.published_at <= until,
            MentionFactor.direction != "none",
        )
    ).all()
    if not rows:
        return EvidenceColumns.empty()
    country, factor, signal_id, published, strength, source = zip(*rows, strict=True)
    weights = np.array([trust.get(s or "", 1.0) for s in source], dtype=np.float64)
    ids = np.array(signal_id, dtype=np.int64)
    return EvidenceColumns(
        country=np.array(country, dtype=str),
        factor=np.array(factor, dtype=str),
        signal_id=ids,
        published=np.array(published, dtype=np.float64),
        strength=np.array(strength, dtype=np.float64) * weights,
        story=ids,
    )


def driver_details(
    session: Session, *, signal_ids: Iterable[str]
) -> dict[str, tuple[str, str | None, datetime]]:
    """Title, link and time of the signals named as drivers."""
    ids = sorted({int(i) for i in signal_ids if i.isdigit()})
    details: dict[str, tuple[str, str | None, datetime]] = {}
    for start in range(0, len(ids), 900):  # stay under SQLite's bound-parameter limit
        chunk = ids[start : start + 900]
        for signal_id, title, url, published in session.execute(
            select(Signal.id, Signal.title, Signal.url, Signal.published_at).where(
                Signal.id.in_(chunk)
            )
        ):
            details[str(signal_id)] = (title, url, published)
    return details


def _drivers_json(score: FactorScore) -> list[dict[str, Any]]:
    return [
        {**asdict(d), "published_at": d.published_at.isoformat() if d.published_at else None}
        for d in score.drivers
    ]


def write_scores(
    session: Session, *, results: list[CountryScore], as_of: datetime, model_version: str
) -> int:
    """Replace these countries' current scores and that day's history; returns rows written."""
    day: date = as_of.date()
    countries = [r.iso2 for r in results]
    session.execute(delete(CurrentScore).where(CurrentScore.country_iso2.in_(countries)))
    session.execute(
        delete(ScoreHistory).where(
            ScoreHistory.as_of == day, ScoreHistory.country_iso2.in_(countries)
        )
    )
    current: list[CurrentScore] = []
    history: list[ScoreHistory] = []
    for result in results:
        for factor, score in [(OVERALL, result.overall), *result.factors.items()]:
            current.append(
                CurrentScore(
                    country_iso2=result.iso2,
                    factor=factor,
                    score=score.score,
                    level=score.level,
                    confidence=score.confidence,
                    trend=score.trend,
                    drivers=_drivers_json(score),
                    as_of=as_of,
                    model_version=model_version,
                )
            )
            history.append(
                ScoreHistory(
                    country_iso2=result.iso2,
                    factor=factor,
                    as_of=day,
                    score=score.score,
                    level=score.level,
                    confidence=score.confidence,
                    model_version=model_version,
                )
            )
    session.add_all(current)
    session.add_all(history)
    session.flush()
    return len(current) + len(history)


def current_scores(
    session: Session, *, country_iso2: str | None = None
) -> dict[str, dict[str, CurrentScore]]:
    """Stored current scores keyed by country then factor."""
    query = select(CurrentScore)
    if country_iso2 is not None:
        query = query.where(CurrentScore.country_iso2 == country_iso2)
    by_country: dict[str, dict[str, CurrentScore]] = defaultdict(dict)
    for row in session.scalars(query):
        by_country[row.country_iso2][row.factor] = row
    return by_country


def score_history(
    session: Session,
    *,
    country_iso2: str,
    factor: str | None,
    since: date | None,
    until: date | None,
    after: tuple[date, str] | None,
    limit: int,
) -> list[ScoreHistory]:
    """History rows oldest first, keyset-paginated after ``(as_of, factor)``."""
    query = select(ScoreHistory).where(ScoreHistory.country_iso2 == country_iso2)
    if factor is not None:
        query = query.where(ScoreHistory.factor == factor)
    if since is not None:
        query = query.where(ScoreHistory.as_of >= since)
    if until is not None:
        query = query.where(ScoreHistory.as_of <= until)
    if after is not None:
        after_day, after_factor = after
        query = query.where(
            (ScoreHistory.as_of > after_day)
            | ((ScoreHistory.as_of == after_day) & (ScoreHistory.factor > after_factor))
        )
    query = query.order_by(ScoreHistory.as_of, ScoreHistory.factor).limit(limit)
    return list(session.scalars(query))
