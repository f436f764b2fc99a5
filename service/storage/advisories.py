"""Storing official advisories with change detection, and reading them back."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from service.ingest.records import AdvisoryRecord
from service.storage.tables import Advisory


def advisory_hash(record: AdvisoryRecord) -> str:
    """Identity of one published version: what it says and when it was published."""
    payload = {
        "level": record.level,
        "native": record.native,
        "indicators": sorted(record.indicators),
        "regions": [asdict(r) for r in record.regions],
        "text": record.text,
        "published_at": record.published_at.isoformat() if record.published_at else None,
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def latest_advisory(
    session: Session, *, source: str, country_iso2: str, at: datetime | None = None
) -> Advisory | None:
    """The most recently published stored version for one source and country, or the
    one in effect ``at`` a moment (published then or before)."""
    query = select(Advisory).where(Advisory.source == source, Advisory.country_iso2 == country_iso2)
    if at is not None:
        query = query.where(Advisory.published_at <= at)
    return session.scalars(
        query.order_by(Advisory.published_at.desc().nulls_last(), Advisory.id.desc()).limit(1)
    ).first()


def _same_content(stored: Advisory, record: AdvisoryRecord) -> bool:
    return (
        stored.level == record.level
        and sorted(stored.indicators) == sorted(record.indicators)
        and stored.text == record.text
        and stored.regions == [asdict(r) for r in record.regions]
    )


def store_advisory(session: Session, *, record: AdvisoryRecord) -> Advisory | None:
    """Add a new version when level, indicators, regions or text changed; else None.

    Past snapshots may be imported in any order: a version is compared with the one in
    effect at its publication time, so history fills in without duplicates.
    """
    digest = advisory_hash(record)
    duplicate = session.scalars(
        select(Advisory.id).where(
            Advisory.source == record.source,
            Advisory.country_iso2 == record.country_iso2,
            Advisory.content_hash == digest,
        )
    ).first()
    if duplicate is not None:
        return None
    # Compare with the version in effect when this one was published: a republished,
    # unchanged advisory is no new version, whether it arrives in order or in a replay.
    in_effect = latest_advisory(
        session, source=record.source, country_iso2=record.country_iso2, at=record.published_at
    )
    if in_effect is not None and _same_content(in_effect, record):
        return None
    advisory = Advisory(
        source=record.source,
        country_iso2=record.country_iso2,
        level=record.level,
        native=record.native,
        indicators=list(record.indicators),
        regions=[asdict(r) for r in record.regions],
        regional_state=record.regional_state,
        text=record.text,
        url=record.url,
        published_at=record.published_at,
        content_hash=digest,
        raw=record.raw,
    )
    session.add(advisory)
    session.flush()
    return advisory


def latest_per_source(session: Session, *, country_iso2: str) -> list[Advisory]:
    """The newest advisory of every source for one country, highest level first."""
    rows = session.scalars(
        select(Advisory)
        .where(Advisory.country_iso2 == country_iso2)
        .order_by(Advisory.source, Advisory.published_at.desc().nulls_last(), Advisory.id.desc())
    ).all()
    latest: dict[str, Advisory] = {}
    for row in rows:
        latest.setdefault(row.source, row)
    return sorted(latest.values(), key=lambda a: (-a.level, a.source))


def latest_levels_all(session: Session, *, until: datetime) -> dict[str, list[Advisory]]:
    """Newest advisory per source for every country published by ``until``, keyed by ISO2."""
    rows = session.scalars(
        select(Advisory)
        .where((Advisory.published_at <= until) | Advisory.published_at.is_(None))
        .order_by(
            Advisory.country_iso2,
            Advisory.source,
            Advisory.published_at.desc().nulls_last(),
            Advisory.id.desc(),
        )
    ).all()
    latest: dict[tuple[str, str], Advisory] = {}
    for row in rows:
        latest.setdefault((row.country_iso2, row.source), row)
    by_country: dict[str, list[Advisory]] = {}
    for (iso2, _), advisory in latest.items():
        by_country.setdefault(iso2, []).append(advisory)
    return by_country


def advisory_history(
    session: Session,
    *,
    country_iso2: str,
    source: str | None,
    since: datetime | None,
    until: datetime | None,
    before: int | None,
    limit: int,
) -> list[Advisory]:
    """Stored advisory versions of one country, newest first, paginated below an id.

    Versions are ordered by id (insertion order), which for one source follows
    publication order when snapshots are replayed in date order.
    """
    query = select(Advisory).where(Advisory.country_iso2 == country_iso2)
    if source is not None:
        query = query.where(Advisory.source == source)
    if since is not None:
        query = query.where(Advisory.published_at >= since)
    if until is not None:
        query = query.where(Advisory.published_at <= until)
    if before is not None:
        query = query.where(Advisory.id < before)
    return list(session.scalars(query.order_by(Advisory.id.desc()).limit(limit)))
