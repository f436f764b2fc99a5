"""Reading evidence for scoring, and writing and reading current scores and history."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from models.scoring import CountryScore, Evidence, FactorScore
from service.storage.tables import CurrentScore, Mention, MentionFactor, ScoreHistory, Signal

OVERALL = "overall"


def load_evidence(
    session: Session, *, since: datetime, until: datetime
) -> dict[str, list[Evidence]]:
    """Every factor reading published in ``[since, until]``, grouped by country."""
    rows = session.execute(
        select(
            Mention.country_iso2,
            Signal.id,
            Signal.title,
            Signal.url,
            Mention.published_at,
            MentionFactor.factor,
            Mention.weight,
            MentionFactor.probability,
            MentionFactor.direction,
        )
        .join(Signal, Signal.id == Mention.signal_id)
        .join(MentionFactor, MentionFactor.mention_id == Mention.id)
        .where(
            Mention.published_at >= since,
            Mention.published_at <= until,
            MentionFactor.direction != "none",
        )
    ).all()
    by_country: dict[str, list[Evidence]] = defaultdict(list)
    for iso2, signal_id, title, url, published, factor, weight, probability, direction in rows:
        by_country[iso2].append(
            Evidence(signal_id, title, url, published, factor, weight, probability, direction)
        )
    return by_country


def _drivers_json(score: FactorScore) -> list[dict[str, Any]]:
    return [{**asdict(d), "published_at": d.published_at.isoformat()} for d in score.drivers]


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
