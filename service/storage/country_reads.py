"""The country list and country detail, composed from stored scores and advisories.

Every country of the gazetteer is present, with zero scores and zero confidence when
nothing is known about it yet.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.gazetteer import Country
from service.storage.advisories import latest_per_source
from service.storage.scores import OVERALL, current_scores
from service.storage.tables import CurrentScore

EMPTY_SCORE: dict[str, Any] = {"score": 0.0, "level": 1, "confidence": 0.0, "trend": "steady"}


def _score_fields(row: CurrentScore | None, *, with_drivers: bool) -> dict[str, Any]:
    if row is None:
        return {**EMPTY_SCORE, "drivers": []} if with_drivers else dict(EMPTY_SCORE)
    fields: dict[str, Any] = {
        "score": row.score,
        "level": row.level,
        "confidence": row.confidence,
        "trend": row.trend,
    }
    if with_drivers:
        fields["drivers"] = [
            {
                **d,
                "signal_id": str(d["signal_id"]),
                "published_at": datetime.fromisoformat(d["published_at"]),
            }
            for d in row.drivers
        ]
    return fields


def _country_fields(
    country: Country,
    rows: dict[str, CurrentScore],
    factors: tuple[str, ...],
    *,
    with_drivers: bool,
) -> dict[str, Any]:
    overall = rows.get(OVERALL)
    return {
        "iso2": country.iso2,
        "name": country.name,
        "as_of": overall.as_of if overall else None,
        "overall": _score_fields(overall, with_drivers=with_drivers),
        "factors": {f: _score_fields(rows.get(f), with_drivers=with_drivers) for f in factors},
    }


def list_countries(
    session: Session, *, countries: tuple[Country, ...], factors: tuple[str, ...]
) -> list[dict[str, Any]]:
    """Every country with its overall and factor scores (no drivers)."""
    scores = current_scores(session)
    return [
        _country_fields(c, scores.get(c.iso2, {}), factors, with_drivers=False) for c in countries
    ]


def country_detail(
    session: Session, *, country: Country, factors: tuple[str, ...]
) -> dict[str, Any]:
    """One country with drivers and the latest advisory of each official source."""
    rows = current_scores(session, country_iso2=country.iso2).get(country.iso2, {})
    detail = _country_fields(country, rows, factors, with_drivers=True)
    overall = rows.get(OVERALL)
    detail["model_version"] = overall.model_version if overall else None
    detail["advisories"] = [
        {
            "source": a.source,
            "level": a.level,
            "native": a.native,
            "published_at": a.published_at,
            "url": a.url,
            "indicators": a.indicators,
            "regions": a.regions,
        }
        for a in latest_per_source(session, country_iso2=country.iso2)
    ]
    return detail
