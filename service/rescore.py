"""Recompute every country's scores from stored evidence and advisories."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from models.factor_config import FactorConfig
from models.gazetteer import default_gazetteer
from models.score_model import ScoreModel
from models.scoring import CountryScore, OfficialLevel, score_all, with_driver_details
from service.storage.advisories import latest_levels_all
from service.storage.scores import driver_details, load_evidence_columns, write_scores

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
    trust: Mapping[str, float] | None = None,
    calibration: ScoreModel | None = None,
) -> list[CountryScore]:
    """Score every country (or ``only`` these) as of ``as_of``; store scores and history.

    ``trust`` weighs evidence by the name of the source that carried it (default 1);
    ``calibration`` is the fitted overall-score model when one is trained and active.
    """
    horizon = max(spec.half_life_days for spec in config.factors) * HALF_LIVES_KEPT
    columns = load_evidence_columns(
        session, since=as_of - timedelta(days=horizon), until=as_of, trust=trust or {}
    )
    advisories = latest_levels_all(session, until=as_of)
    countries = {c.iso2 for c in default_gazetteer().countries} | set(columns.country.tolist())
    if only is not None:
        countries &= only
    officials = {
        iso2: [
            OfficialLevel(
                source=a.source,
                level=a.level,
                published_at=a.published_at,
                factors=tuple(i for i in a.indicators if i in config.names),
                advisory_id=a.id,
                title=f"{a.source}: {a.native}",
                url=a.url,
            )
            for a in rows
        ]
        for iso2, rows in advisories.items()
    }
    scored = score_all(
        columns, officials, countries=countries, config=config, as_of=as_of, calibration=calibration
    )
    if calibration is not None:
        model_version = f"{model_version}+{calibration.version}"
    details = driver_details(
        session,
        signal_ids={
            d.signal_id
            for result in scored.values()
            for f in result.factors.values()
            for d in f.drivers
        },
    )
    results = [with_driver_details(scored[iso2], details) for iso2 in sorted(scored)]
    written = write_scores(session, results=results, as_of=as_of, model_version=model_version)
    logger.info(
        "rescored %d countries as of %s from %d readings (%d rows)",
        len(results),
        as_of.isoformat(),
        len(columns),
        written,
    )
    return results
