"""Recompute every country's scores from stored evidence and advisories."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models.factor_config import FactorConfig
from models.gazetteer import default_gazetteer
from models.scoring import CountryScore, OfficialLevel, score_country
from service.storage.advisories import latest_levels_all
from service.storage.scores import load_evidence, write_scores

logger = logging.getLogger(__name__)

# Evidence older than this many half-lives contributes under 0.1 % and is not loaded.
HALF_LIVES_KEPT = 10


def rescore(
    session: Session,
    *,
    as_of: datetime,
    config: FactorConfig,
    model_version: str,
    only: set[str] | None = None,
) -> list[CountryScore]:
    """Score every country (or ``only`` these) as of ``as_of``; store scores and history."""
    horizon = max(spec.half_life_days for spec in config.factors) * HALF_LIVES_KEPT
    evidence = load_evidence(session, since=as_of - timedelta(days=horizon), until=as_of)
    advisories = latest_levels_all(session, until=as_of)
    countries = sorted({c.iso2 for c in default_gazetteer().countries} | set(evidence))
    if only is not None:
        countries = [c for c in countries if c in only]
    results = [
        score_country(
            iso2,
            evidence.get(iso2, []),
            [OfficialLevel(a.source, a.level, a.published_at) for a in advisories.get(iso2, [])],
            config=config,
            as_of=as_of,
        )
        for iso2 in countries
    ]
    written = write_scores(session, results=results, as_of=as_of, model_version=model_version)
    logger.info(
        "rescored %d countries as of %s from %d countries with evidence (%d rows)",
        len(results),
        as_of.isoformat(),
        len(evidence),
        written,
    )
    return results
