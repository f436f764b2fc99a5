"""The country list and country detail, composed from stored scores and advisories.

Every country of the gazetteer is present, with zero scores and zero confidence when
nothing is known about it yet.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from models.gazetteer import Country
from models.official import OfficialAdvisory, compare, regional_summary
from service.storage.advisories import latest_per_source
from service.storage.scores import OVERALL, current_scores
from service.storage.tables import Advisory, CurrentScore

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
        "ahead_of_official": bool(overall and overall.ahead_of_official),
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
    latest = latest_per_source(session, country_iso2=country.iso2)
    officials = [_official(a) for a in latest]
    detail["advisories"] = [
        {**advisory_fields(a), **asdict(regional_summary(o))}
        for a, o in zip(latest, officials, strict=True)
    ]
    detail["official"] = asdict(compare(officials))
    return detail


def _official(advisory: Advisory) -> OfficialAdvisory:
    return OfficialAdvisory(
        source=advisory.source,
        level=advisory.level,
        regional_levels=tuple(int(r["level"]) for r in advisory.regions),
        regional_state=advisory.regional_state,
    )


def advisory_fields(advisory: Advisory) -> dict[str, Any]:
    """One stored advisory version as the API shows it."""
    return {
        "source": advisory.source,
        "level": advisory.level,
        "native": advisory.native,
        "published_at": advisory.published_at,
        "url": advisory.url,
        "indicators": advisory.indicators,
        "regions": advisory.regions,
        "text": advisory.text,
    }
