"""Storing analysed articles as signals with their mentions: idempotent by content."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.analysis import Analysis
from service.ingest.records import Article
from service.ingest.urls import canonical_url
from service.storage.tables import Mention, MentionFactor, Signal

WHITESPACE = re.compile(r"\s+")


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the normalised title and text: the same story twice has one hash."""
    normalised = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    return hashlib.sha256(WHITESPACE.sub(" ", normalised).strip().encode()).hexdigest()


@dataclass(frozen=True)
class StoreOutcome:
    signal: Signal
    created: bool


def find_duplicate(session: Session, *, digest: str, canonical: str | None) -> Signal | None:
    """The stored signal with the same content hash or canonical URL, if any."""
    found = session.scalars(select(Signal).where(Signal.content_hash == digest)).first()
    if found is None and canonical is not None:
        found = session.scalars(select(Signal).where(Signal.canonical_url == canonical)).first()
    return found


def store_signal(
    session: Session, *, article: Article, analysis: Analysis, received_at: datetime | None = None
) -> StoreOutcome:
    """Add the article and its mentions unless the same story is already stored.

    An article without a publication time is dated when it was received. The caller
    owns the transaction.
    """
    digest = content_hash(article.title, article.text)
    canonical = canonical_url(article.url)
    existing = find_duplicate(session, digest=digest, canonical=canonical)
    if existing is not None:
        return StoreOutcome(existing, created=False)
    published = article.published_at or received_at or datetime.now(UTC)
    signal = Signal(
        content_hash=digest,
        canonical_url=canonical,
        url=article.url,
        title=article.title,
        text=article.text,
        source=article.source,
        published_at=published,
        model_version=analysis.model_version,
        raw=article.raw,
    )
    for country in analysis.countries:
        mention = Mention(
            country_iso2=country.iso2,
            role=country.role,
            weight=country.weight,
            published_at=published,
        )
        mention.factors = [
            MentionFactor(factor=name, probability=reading.probability, direction=reading.direction)
            for name, reading in country.factors.items()
        ]
        signal.mentions.append(mention)
    session.add(signal)
    session.flush()
    return StoreOutcome(signal, created=True)


def list_signals(
    session: Session,
    *,
    country_iso2: str | None,
    factor: str | None,
    since: datetime | None,
    before: tuple[datetime, int] | None,
    limit: int,
) -> list[Signal]:
    """Stored signals newest first, keyset-paginated below ``(published_at, id)``.

    ``factor`` keeps signals with a reading of that factor in some direction, for
    ``country_iso2`` when both are given.
    """
    query = select(Signal)
    if country_iso2 is not None or factor is not None:
        mention = select(Mention.signal_id)
        if country_iso2 is not None:
            mention = mention.where(Mention.country_iso2 == country_iso2)
        if factor is not None:
            mention = mention.join(MentionFactor).where(
                MentionFactor.factor == factor, MentionFactor.direction != "none"
            )
        query = query.where(Signal.id.in_(mention))
    if since is not None:
        query = query.where(Signal.published_at >= since)
    if before is not None:
        published, signal_id = before
        query = query.where(
            (Signal.published_at < published)
            | ((Signal.published_at == published) & (Signal.id < signal_id))
        )
    query = query.order_by(Signal.published_at.desc(), Signal.id.desc()).limit(limit)
    return list(session.scalars(query))
