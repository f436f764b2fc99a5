"""Storing analysed articles as signals with their mentions: idempotent by content.

A story is identified by its content hash and its canonical URL; an item the source
identifies itself (``Article.dedupe_key``) by that key alone. Batches are looked up with
one query and written with bulk INSERTs, because per-row ORM flushes were the slowest
part of an ingest run.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice, zip_longest
from typing import Any, TypeVar

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.analysis import Analysis, FactorReading
from models.scoring import DIRECTION_SIGN
from service.ingest.records import Article
from service.ingest.urls import canonical_url
from service.storage.bulk import BulkInsert
from service.storage.tables import Mention, MentionFactor, Signal

T = TypeVar("T")
# Driver-level bulk INSERTs: the ORM's bulk path, and Core's, cost more per row than
# the database's own work.
INSERT_SIGNALS = BulkInsert(
    Signal.metadata.tables[Signal.__tablename__],
    (
        "content_hash",
        "canonical_url",
        "url",
        "title",
        "text",
        "source",
        "published_at",
        "ingested_at",
        "model_version",
        "raw",
        "story_key",
    ),
)
INSERT_MENTIONS = BulkInsert(
    Mention.metadata.tables[Mention.__tablename__],
    ("signal_id", "country_iso2", "role", "weight", "published_at"),
)
INSERT_READINGS = BulkInsert(
    MentionFactor.metadata.tables[MentionFactor.__tablename__],
    (
        "mention_id",
        "factor",
        "probability",
        "direction",
        "signal_id",
        "country_iso2",
        "published_at",
        "strength",
        "story_key",
    ),
)
# Bound parameters per IN list: well under SQLite's and PostgreSQL's limits.
LOOKUP_CHUNK = 500


def content_hash(title: str, text: str) -> str:
    """SHA-256 of the normalised title and text: the same story twice has one hash."""
    normalised = unicodedata.normalize("NFKC", f"{title}\n{text}").casefold()
    # str.split() splits on exactly the characters \s matches, several times faster.
    return hashlib.sha256(" ".join(normalised.split()).encode()).hexdigest()


STORY_WORD = re.compile(r"[^\W\d_]{3,}")
STORY_STOPWORDS = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "into",
        "over",
        "after",
        "amid",
        "says",
        "said",
        "will",
        "has",
        "have",
        "its",
        "are",
        "was",
        "were",
        "been",
        "new",
        "news",
        "live",
        "update",
        "updates",
        "report",
        "reports",
    ]
)


def story_key(title: str) -> int:
    """Key shared by copies of one story: its title's content words, order and case aside.

    Outlets syndicate a story under their own URL with small edits to the text; the
    headline's words rarely change. A signed 63-bit integer so both databases store it.
    """
    normalised = unicodedata.normalize("NFKC", title).casefold()
    words = sorted({w for w in STORY_WORD.findall(normalised) if w not in STORY_STOPWORDS})
    digest = hashlib.blake2b(" ".join(words).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") >> 1


def signed_strength(weight: float, reading: FactorReading) -> float:
    """Weight x probability, negative for easing and zero without a direction."""
    return weight * reading.probability * DIRECTION_SIGN.get(reading.direction, 0.0)


def says_something(reading: FactorReading) -> bool:
    """Whether a reading is worth a row: a zero, directionless reading is what a missing
    row already means (and most of the keyword analyser's readings are exactly that)."""
    return reading.probability != 0.0 or reading.direction != "none"


def reading_fields(signal_id: int, iso2: str, published: datetime, story: int) -> dict[str, Any]:
    """The columns a factor reading copies from its signal and mention."""
    return {
        "signal_id": signal_id,
        "country_iso2": iso2,
        "published_at": published,
        "story_key": story,
    }


Identity = tuple[str, str | None]  # (content hash, canonical URL)


def identity(article: Article) -> Identity:
    """The ``(content_hash, canonical_url)`` a stored signal is recognised by.

    A keyed article hashes its key instead of its text and has no canonical URL, so it
    neither matches nor shadows other items that cite the same page.
    """
    if article.dedupe_key is not None:
        key = hashlib.sha256(f"dedupe-key\n{article.dedupe_key}".encode()).hexdigest()
        return key, None
    return content_hash(article.title, article.text), canonical_url(article.url)


@dataclass(frozen=True)
class StoreOutcome:
    signal: Signal
    created: bool


@dataclass(frozen=True)
class BatchOutcome:
    """One article of a batch: the signal that holds it and whether it was new."""

    signal_id: int
    created: bool


def find_duplicate(session: Session, *, digest: str, canonical: str | None) -> Signal | None:
    """The stored signal with the same content hash or canonical URL, if any."""
    found = session.scalars(select(Signal).where(Signal.content_hash == digest)).first()
    if found is None and canonical is not None:
        found = session.scalars(select(Signal).where(Signal.canonical_url == canonical)).first()
    return found


def _chunks(values: Iterable[T], size: int) -> Iterable[list[T]]:
    iterator = iter(values)
    while chunk := list(islice(iterator, size)):
        yield chunk


def find_duplicates(
    session: Session, *, digests: set[str], canonicals: set[str]
) -> tuple[dict[str, int], dict[str, int]]:
    """Signal ids of stored signals by content hash and by canonical URL, a chunk per query."""
    by_digest: dict[str, int] = {}
    by_url: dict[str, int] = {}
    half = LOOKUP_CHUNK // 2
    empty: list[str] = []
    for hashes, urls in zip_longest(
        _chunks(sorted(digests), half), _chunks(sorted(canonicals), half), fillvalue=empty
    ):
        query = select(Signal.id, Signal.content_hash, Signal.canonical_url).where(
            or_(Signal.content_hash.in_(hashes), Signal.canonical_url.in_(urls))
        )
        for signal_id, digest, canonical in session.execute(query):
            by_digest[digest] = signal_id
            if canonical is not None:
                by_url[canonical] = min(signal_id, by_url.get(canonical, signal_id))
    return by_digest, by_url


def stored_positions(session: Session, identities: Sequence[Identity]) -> set[int]:
    """Positions in ``identities`` of stories already stored."""
    by_digest, by_url = find_duplicates(
        session,
        digests={digest for digest, _ in identities},
        canonicals={canonical for _, canonical in identities if canonical is not None},
    )
    return {
        position
        for position, (digest, canonical) in enumerate(identities)
        if digest in by_digest or (canonical is not None and canonical in by_url)
    }


def store_signal(
    session: Session, *, article: Article, analysis: Analysis, received_at: datetime | None = None
) -> StoreOutcome:
    """Add the article and its mentions unless the same story is already stored.

    An article without a publication time is dated when it was received. The caller
    owns the transaction.
    """
    digest, canonical = identity(article)
    existing = find_duplicate(session, digest=digest, canonical=canonical)
    if existing is not None:
        return StoreOutcome(existing, created=False)
    published = article.published_at or received_at or datetime.now(UTC)
    story = story_key(article.title)
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
        story_key=story,
    )
    session.add(signal)
    session.flush()  # the readings carry the signal's id
    for country in analysis.countries:
        mention = Mention(
            country_iso2=country.iso2,
            role=country.role,
            weight=country.weight,
            published_at=published,
        )
        mention.factors = [
            MentionFactor(
                **reading_fields(signal.id, country.iso2, published, story),
                factor=name,
                probability=reading.probability,
                direction=reading.direction,
                strength=signed_strength(country.weight, reading),
            )
            for name, reading in country.factors.items()
            if says_something(reading)
        ]
        signal.mentions.append(mention)
    session.flush()
    return StoreOutcome(signal, created=True)


def store_signals(
    session: Session,
    *,
    items: Sequence[tuple[Article, Analysis]],
    received_at: datetime | None = None,
    identities: Sequence[Identity] | None = None,
) -> list[BatchOutcome]:
    """Store a batch of analysed articles; the same outcome as :func:`store_signal` per item.

    One lookup finds what is already stored, duplicates within the batch collapse onto
    their first occurrence, and the new signals, mentions and factor readings go in with
    three bulk INSERTs. Raises IntegrityError if another writer stored one of these
    stories meanwhile; the caller then retries item by item. The caller owns the
    transaction. ``identities`` (as :func:`identity` gives them, one per item) saves
    computing them again when the caller already has.
    """
    received = received_at or datetime.now(UTC)
    if identities is None:
        identities = [identity(article) for article, _ in items]
    by_digest, by_url = find_duplicates(
        session,
        digests={digest for digest, _ in identities},
        canonicals={canonical for _, canonical in identities if canonical is not None},
    )
    # Position in the batch of the first new item with each identity, or a stored id.
    pending_digest: dict[str, int] = {}
    pending_url: dict[str, int] = {}
    resolved: list[int | None] = []  # stored signal id, or None for "new at this position"
    first_of: list[int] = []  # for each item, the batch position it duplicates (or itself)
    new_positions: list[int] = []
    for position, (digest, canonical) in enumerate(identities):
        stored = by_digest.get(digest)
        if stored is None and canonical is not None:
            stored = by_url.get(canonical)
        if stored is not None:
            resolved.append(stored)
            first_of.append(position)
            continue
        earlier = pending_digest.get(digest)
        if earlier is None and canonical is not None:
            earlier = pending_url.get(canonical)
        resolved.append(None)
        if earlier is not None:
            first_of.append(earlier)
            continue
        first_of.append(position)
        new_positions.append(position)
        pending_digest[digest] = position
        if canonical is not None:
            pending_url[canonical] = position

    new_ids = _insert_new(session, items, identities, new_positions, received)
    outcomes = []
    for position, stored in enumerate(resolved):
        if stored is not None:
            outcomes.append(BatchOutcome(stored, created=False))
        elif first_of[position] == position:
            outcomes.append(BatchOutcome(new_ids[position], created=True))
        else:
            outcomes.append(BatchOutcome(new_ids[first_of[position]], created=False))
    return outcomes


def _insert_new(
    session: Session,
    items: Sequence[tuple[Article, Analysis]],
    identities: Sequence[tuple[str, str | None]],
    positions: Sequence[int],
    received: datetime,
) -> dict[int, int]:
    """Bulk-insert the items at ``positions``; their new signal ids by position."""
    if not positions:
        return {}
    connection = session.connection()
    published = {p: items[p][0].published_at or received for p in positions}
    stories = {p: story_key(items[p][0].title) for p in positions}
    ingested = datetime.now(UTC)
    digests = [identities[p][0] for p in positions]
    # Plain executemany, then read the ids back by natural key (content_hash; signal and
    # country): RETURNING in parameter order makes SQLite insert one row per statement.
    INSERT_SIGNALS.execute(
        connection,
        (
            (
                digest,
                identities[p][1],
                items[p][0].url,
                items[p][0].title,
                items[p][0].text,
                items[p][0].source,
                published[p],
                ingested,
                items[p][1].model_version,
                items[p][0].raw,
                stories[p],
            )
            for p, digest in zip(positions, digests, strict=True)
        ),
    )
    ids = _ids_by_digest(session, digests)
    by_position = {p: ids[digest] for p, digest in zip(positions, digests, strict=True)}

    mention_rows: list[tuple[int, str, str, float, datetime]] = []
    for position in positions:
        signal_id = by_position[position]
        for country in items[position][1].countries:
            mention_rows.append(
                (signal_id, country.iso2, country.role, country.weight, published[position])
            )
    if not mention_rows:
        return by_position
    INSERT_MENTIONS.execute(connection, mention_rows)
    mention_ids = _mention_ids(session, sorted(by_position.values()))
    INSERT_READINGS.execute(
        connection,
        (
            (
                mention_ids[signal_id, country.iso2],
                name,
                reading.probability,
                reading.direction,
                signal_id,
                country.iso2,
                published[position],
                signed_strength(country.weight, reading),
                stories[position],
            )
            for position, signal_id in by_position.items()
            for country in items[position][1].countries
            for name, reading in country.factors.items()
            if says_something(reading)
        ),
    )
    return by_position


def _ids_by_digest(session: Session, digests: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for chunk in _chunks(digests, LOOKUP_CHUNK):
        query = select(Signal.content_hash, Signal.id).where(Signal.content_hash.in_(chunk))
        found.update((digest, signal_id) for digest, signal_id in session.execute(query))
    return found


def _mention_ids(session: Session, signal_ids: list[int]) -> dict[tuple[int, str], int]:
    found: dict[tuple[int, str], int] = {}
    for chunk in _chunks(signal_ids, LOOKUP_CHUNK):
        query = select(Mention.signal_id, Mention.country_iso2, Mention.id).where(
            Mention.signal_id.in_(chunk)
        )
        found.update(((s, c), m) for s, c, m in session.execute(query))
    return found


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
