"""Reading evidence for scoring, and writing and reading current scores and history."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date, datetime
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from sqlalchemy import Float, Row, Select, cast, delete, func, select
from sqlalchemy.orm import Session

from models.scoring import CountryScore, EvidenceColumns, FactorScore
from service.storage.tables import CurrentScore, MentionFactor, ScoreHistory, Signal

OVERALL = "overall"


def load_evidence_columns(
    session: Session, *, since: datetime, until: datetime, trust: Mapping[str, float]
) -> EvidenceColumns:
    """Every signed factor reading published in ``[since, until]``, as columns.

    One table, times as epoch seconds computed in SQL, rows fetched without per-row
    type processing: a million readings load in seconds. ``trust`` weighs each signal
    by its source's name (default 1).
    """
    query = select(
        MentionFactor.country_iso2,
        MentionFactor.factor,
        MentionFactor.signal_id,
        cast(func.extract("epoch", MentionFactor.published_at), Float),
        MentionFactor.strength,
        MentionFactor.story_key,
    ).where(
        MentionFactor.published_at >= since,
        MentionFactor.published_at <= until,
        MentionFactor.strength != 0,
    )
    rows = _fetch_raw(session, query)
    if not rows:
        return EvidenceColumns.empty()
    frame = pd.DataFrame.from_records(
        rows, columns=["country", "factor", "signal_id", "published", "strength", "story"]
    )
    strength = frame["strength"].to_numpy(dtype=np.float64)
    signal_ids = frame["signal_id"].to_numpy(dtype=np.int64)
    if trust:
        strength = strength * _trust_weights(session, signal_ids, trust)
    return EvidenceColumns(
        country=frame["country"].to_numpy(dtype=object),
        factor=frame["factor"].to_numpy(dtype=object),
        signal_id=signal_ids,
        published=frame["published"].to_numpy(dtype=np.float64),
        strength=strength,
        story=frame["story"].to_numpy(dtype=np.int64),
    )


def _fetch_raw(session: Session, query: Select[Any]) -> list[Any]:
    """Rows as plain driver tuples: for millions of rows, SQLAlchemy's per-row result
    handling costs more than the query. Bind values still go through their column types
    (UTC datetimes are stored naive on SQLite)."""
    connection = session.connection()
    compiled = query.compile(dialect=connection.dialect)
    values = {
        name: (
            processor(value)
            if (processor := compiled.binds[name].type.bind_processor(connection.dialect))
            else value
        )
        for name, value in compiled.construct_params().items()
    }
    arguments: Any = (
        tuple(values[name] for name in compiled.positiontup or ())
        if compiled.positional
        else values
    )
    cursor = connection.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(str(compiled), arguments)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def _trust_weights(
    session: Session, signal_ids: npt.NDArray[np.int64], trust: Mapping[str, float]
) -> npt.NDArray[np.float64]:
    """Each reading's source trust, looked up once per trusted or distrusted source."""
    weights = np.ones(len(signal_ids), dtype=np.float64)
    for source, value in trust.items():
        if value == 1.0:
            continue
        ids = np.fromiter(
            session.scalars(select(Signal.id).where(Signal.source == source)), dtype=np.int64
        )
        weights[np.isin(signal_ids, ids)] = value
    return weights


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
                    ahead_of_official=result.ahead_of_official and factor == OVERALL,
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
) -> list[Row[tuple[date, str, float, int, float, str]]]:
    """History rows oldest first, keyset-paginated after ``(as_of, factor)``.

    Plain rows, not ORM objects: a year of one country is ~1,500 rows, served often.
    """
    query = select(
        ScoreHistory.as_of,
        ScoreHistory.factor,
        ScoreHistory.score,
        ScoreHistory.level,
        ScoreHistory.confidence,
        ScoreHistory.model_version,
    ).where(ScoreHistory.country_iso2 == country_iso2)
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
    return list(session.execute(query))
