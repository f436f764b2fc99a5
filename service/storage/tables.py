"""The database schema: SQLAlchemy 2 typed mappings.

Evidence (signals, mentions, advisories) is append-only with the raw payload kept;
scores are the current view plus an append-only daily history. All timestamps are
UTC-aware; :class:`UTCDateTime` makes SQLite behave like PostgreSQL in that.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY, so big ids are plain integers there.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, returns timezone-aware UTC, refuses naive datetimes on the way in."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime, dict[str, Any]: JSON, list[Any]: JSON}


class Source(Base):
    """A configured feed or advisory endpoint and its health."""

    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # news | advisory
    format: Mapped[str] = mapped_column(String(40))
    url: Mapped[str | None] = mapped_column(String(2000))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    etag: Mapped[str | None] = mapped_column(String(500))
    last_modified: Mapped[str | None] = mapped_column(String(100))
    last_attempt_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_error_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    backoff_until: Mapped[datetime | None]
    items_seen_total: Mapped[int] = mapped_column(BigInteger, default=0)
    items_new_total: Mapped[int] = mapped_column(BigInteger, default=0)

    runs: Mapped[list[SourceRun]] = relationship(back_populates="source")


class SourceRun(Base):
    """One fetch-and-ingest of one source: what it saw, stored and failed on."""

    __tablename__ = "source_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    items_seen: Mapped[int] = mapped_column(Integer, default=0)
    items_new: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    error_text: Mapped[str | None] = mapped_column(Text)

    source: Mapped[Source] = relationship(back_populates="runs")

    __table_args__ = (Index("ix_source_runs_source_started", "source_id", "started_at"),)


class Signal(Base):
    """One news article, stored once however many feeds carried it."""

    __tablename__ = "signals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    canonical_url: Mapped[str | None] = mapped_column(String(2000), index=True)
    url: Mapped[str | None] = mapped_column(String(2000))
    title: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str | None] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(index=True)
    ingested_at: Mapped[datetime] = mapped_column(default=utcnow)
    model_version: Mapped[str] = mapped_column(String(100))
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # Copies of one story (syndicated under other URLs) share this key; they count
    # sub-linearly in scoring.
    story_key: Mapped[int] = mapped_column(BigInteger, index=True)

    mentions: Mapped[list[Mention]] = relationship(
        back_populates="signal", cascade="all, delete-orphan", lazy="selectin"
    )


class Mention(Base):
    """A country in a signal: its role, its weight and what the text says about it."""

    __tablename__ = "mentions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    signal_id: Mapped[int] = mapped_column(ForeignKey("signals.id", ondelete="CASCADE"))
    country_iso2: Mapped[str] = mapped_column(String(2))
    role: Mapped[str] = mapped_column(String(20))  # subject | actor | mentioned
    weight: Mapped[float] = mapped_column(Float)
    published_at: Mapped[datetime]  # copied from the signal so scoring needs no join

    signal: Mapped[Signal] = relationship(back_populates="mentions")
    factors: Mapped[list[MentionFactor]] = relationship(
        back_populates="mention", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (
        UniqueConstraint("signal_id", "country_iso2"),
        Index("ix_mentions_country_published", "country_iso2", "published_at"),
    )


class MentionFactor(Base):
    """One factor's probability and direction for one mention: the unit of evidence.

    Country, time, story and signed strength (weight x probability, negative when
    easing) are copied from the mention and signal so a full rescore reads this one
    table instead of joining three.
    """

    __tablename__ = "mention_factors"

    mention_id: Mapped[int] = mapped_column(
        ForeignKey("mentions.id", ondelete="CASCADE"), primary_key=True
    )
    factor: Mapped[str] = mapped_column(String(40), primary_key=True)
    probability: Mapped[float] = mapped_column(Float)
    direction: Mapped[str] = mapped_column(String(12))  # escalating | easing | none
    signal_id: Mapped[int] = mapped_column(BigInteger)
    country_iso2: Mapped[str] = mapped_column(String(2))
    published_at: Mapped[datetime]
    strength: Mapped[float] = mapped_column(Float)
    story_key: Mapped[int] = mapped_column(BigInteger)

    mention: Mapped[Mention] = relationship(back_populates="factors")

    __table_args__ = (Index("ix_mention_factors_published", "published_at"),)


class Advisory(Base):
    """One official advisory version; a new row only when level, indicators or text change."""

    __tablename__ = "advisories"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    source: Mapped[str] = mapped_column(String(40))
    country_iso2: Mapped[str] = mapped_column(String(2))
    level: Mapped[int] = mapped_column(SmallInteger)
    native: Mapped[str] = mapped_column(Text)
    indicators: Mapped[list[Any]] = mapped_column(default=list)
    regions: Mapped[list[Any]] = mapped_column(default=list)
    regional_state: Mapped[str] = mapped_column(String(10), default="none")
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str | None] = mapped_column(String(2000))
    published_at: Mapped[datetime | None]
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[dict[str, Any]] = mapped_column(default=dict)

    __table_args__ = (
        UniqueConstraint("source", "country_iso2", "content_hash"),
        Index("ix_advisories_country_source_published", "country_iso2", "source", "published_at"),
    )


class CurrentScore(Base):
    """The latest score per country and factor (``factor='overall'`` for the country)."""

    __tablename__ = "scores"

    country_iso2: Mapped[str] = mapped_column(String(2), primary_key=True)
    factor: Mapped[str] = mapped_column(String(40), primary_key=True)
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[int] = mapped_column(SmallInteger)
    confidence: Mapped[float] = mapped_column(Float)
    trend: Mapped[str] = mapped_column(String(10))
    drivers: Mapped[list[Any]] = mapped_column(default=list)
    as_of: Mapped[datetime]
    model_version: Mapped[str] = mapped_column(String(100))
    # News puts the country at least a level above every official source.
    ahead_of_official: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ScoreHistory(Base):
    """One row per country, factor and day; rescoring a day replaces that day's row."""

    __tablename__ = "score_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    country_iso2: Mapped[str] = mapped_column(String(2))
    factor: Mapped[str] = mapped_column(String(40))
    as_of: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    level: Mapped[int] = mapped_column(SmallInteger)
    confidence: Mapped[float] = mapped_column(Float)
    model_version: Mapped[str] = mapped_column(String(100))
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("country_iso2", "factor", "as_of"),)


class JobRun(Base):
    """One run of a scheduled or CLI job: when, how it ended, what it counted."""

    __tablename__ = "job_runs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    job_id: Mapped[str] = mapped_column(String(100), index=True)
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(20), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)
    error: Mapped[str | None] = mapped_column(Text)


class ApiKey(Base):
    """A write key; only its SHA-256 is stored."""

    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[Any]] = mapped_column(default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]


class WebhookSubscription(Base):
    """Where to tell a subscriber that a country's level changed."""

    __tablename__ = "webhook_subscriptions"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000))
    secret_hash: Mapped[str] = mapped_column(String(64))
    countries: Mapped[list[Any]] = mapped_column(default=list)  # empty: every country
    factors: Mapped[list[Any]] = mapped_column(default=list)  # empty: overall only
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    deliveries: Mapped[list[WebhookDelivery]] = relationship(back_populates="subscription")


class WebhookDelivery(Base):
    """One event sent (or still to send) to one subscription."""

    __tablename__ = "webhook_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    subscription_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_subscriptions.id", ondelete="CASCADE")
    )
    event: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]

    subscription: Mapped[WebhookSubscription] = relationship(back_populates="deliveries")


class Report(Base):
    """A generated risk report and where its files are."""

    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    as_of: Mapped[datetime]
    formats: Mapped[list[Any]] = mapped_column(default=list)
    directory: Mapped[str] = mapped_column(String(1000))
    summary: Mapped[dict[str, Any]] = mapped_column(default=dict)
