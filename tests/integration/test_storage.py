"""Storage on SQLite and PostgreSQL: idempotent signals, advisory versions, UTC, scores."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from flask import Flask
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from models.analysis import Analysis, CountryAnalysis, FactorReading
from models.factor_config import load_factor_config
from service.ingest.records import AdvisoryRecord, Article, RegionalWarning
from service.rescore import rescore
from service.storage.advisories import latest_per_source, store_advisory
from service.storage.db import db
from service.storage.scores import current_scores
from service.storage.signals import BatchOutcome, store_signal, store_signals
from service.storage.tables import Advisory, Mention, MentionFactor, ScoreHistory, Signal

PUBLISHED = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
MALI = Analysis(
    "test-1",
    [
        CountryAnalysis(
            "ML",
            "subject",
            0.9,
            {
                "security": FactorReading(0.9, "escalating"),
                "diplomatic_presence": FactorReading(0.8, "escalating"),
            },
        ),
        CountryAnalysis("FR", "actor", 0.1, {"security": FactorReading(0.0, "none")}),
    ],
)


def article(**changes: object) -> Article:
    fields: dict[str, object] = {
        "title": "France withdraws diplomats from Mali",
        "text": "Paris pulls embassy staff out of Bamako.",
        "url": "https://news.example.org/mali?utm_source=rss",
        "published_at": PUBLISHED,
        "source": "example",
    }
    fields.update(changes)
    return Article(**fields)  # type: ignore[arg-type]


def test_a_signal_is_stored_once_with_its_mentions(session: Session) -> None:
    first = store_signal(session, article=article(), analysis=MALI)
    again = store_signal(session, article=article(), analysis=MALI)
    session.commit()
    assert first.created and not again.created
    assert again.signal.id == first.signal.id
    assert session.scalar(select(func.count(Signal.id))) == 1
    stored = session.scalars(select(Mention).order_by(Mention.country_iso2)).all()
    assert [(m.country_iso2, m.role, m.weight) for m in stored] == [
        ("FR", "actor", 0.1),
        ("ML", "subject", 0.9),
    ]
    assert {(f.factor, f.direction) for f in stored[1].factors} == {
        ("security", "escalating"),
        ("diplomatic_presence", "escalating"),
    }


def test_same_story_from_another_feed_with_the_same_url_is_a_duplicate(session: Session) -> None:
    store_signal(session, article=article(), analysis=MALI)
    other_feed = article(
        title="Mali: France pulls diplomats", url="https://news.example.org/mali?fbclid=abc"
    )
    assert not store_signal(session, article=other_feed, analysis=MALI).created


def test_same_text_with_different_whitespace_and_case_is_a_duplicate(session: Session) -> None:
    store_signal(session, article=article(url=None), analysis=MALI)
    shouted = article(url=None, title="FRANCE  withdraws diplomats from MALI")
    assert not store_signal(session, article=shouted, analysis=MALI).created


def test_timestamps_come_back_timezone_aware_utc(session: Session) -> None:
    paris = timezone(timedelta(hours=1))
    store_signal(
        session,
        article=article(published_at=datetime(2026, 11, 20, 10, 30, tzinfo=paris)),
        analysis=MALI,
    )
    session.commit()
    session.expire_all()
    signal = session.scalars(select(Signal)).one()
    assert signal.published_at == PUBLISHED
    assert signal.published_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(session: Session) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        store_signal(session, article=article(published_at=datetime(2026, 11, 20)), analysis=MALI)


def stored_rows(session: Session) -> list[tuple[object, ...]]:
    """Every stored signal with its mentions and readings, ids left out."""
    session.expire_all()
    rows = []
    for signal in session.scalars(select(Signal).order_by(Signal.content_hash)):
        for mention in sorted(signal.mentions, key=lambda m: m.country_iso2):
            for reading in sorted(mention.factors, key=lambda f: f.factor):
                rows.append(
                    (
                        signal.content_hash,
                        signal.canonical_url,
                        signal.published_at,
                        signal.raw,
                        signal.story_key,
                        mention.country_iso2,
                        mention.role,
                        mention.weight,
                        mention.published_at,
                        reading.factor,
                        reading.probability,
                        reading.direction,
                        reading.strength,
                        (reading.signal_id, reading.country_iso2)
                        == (signal.id, mention.country_iso2),
                        reading.published_at,
                        reading.story_key,
                    )
                )
    return rows


def test_a_batch_is_stored_exactly_as_one_by_one(session: Session) -> None:
    paris = timezone(timedelta(hours=1))
    batch = [
        (article(raw={"id": 1, "tags": ["mali", "fuel"]}), MALI),
        (article(title="Fuel convoys attacked", url=None, published_at=None), MALI),
        (
            article(
                title="Embassy staff leave",
                url="https://other.example/x",
                published_at=datetime(2026, 11, 20, 10, 30, tzinfo=paris),
            ),
            MALI,
        ),
    ]
    received = datetime(2026, 11, 21, tzinfo=UTC)
    outcomes = store_signals(session, items=batch, received_at=received)
    session.commit()
    assert [o.created for o in outcomes] == [True, True, True]
    in_bulk = stored_rows(session)
    assert {row[2] for row in in_bulk} == {PUBLISHED, received}
    assert all(row[2].utcoffset() == timedelta(0) for row in in_bulk)

    for table in (MentionFactor, Mention, Signal):
        session.execute(delete(table))
    for item, analysis in batch:
        store_signal(session, article=item, analysis=analysis, received_at=received)
    session.commit()
    assert stored_rows(session) == in_bulk


def test_a_batch_collapses_its_own_duplicates_and_skips_stored_ones(session: Session) -> None:
    store_signal(session, article=article(), analysis=MALI)
    first = session.scalars(select(Signal.id)).one()
    new = article(title="Fuel convoys attacked", url="https://other.example/x")
    outcomes = store_signals(session, items=[(article(), MALI), (new, MALI), (new, MALI)])
    session.commit()
    assert outcomes[0] == BatchOutcome(first, created=False)
    assert outcomes[1].created and outcomes[2] == BatchOutcome(outcomes[1].signal_id, False)
    assert session.scalar(select(func.count(Signal.id))) == 2


def test_a_batch_with_a_naive_timestamp_is_refused(session: Session) -> None:
    with pytest.raises(Exception, match="naive datetime"):
        store_signals(session, items=[(article(published_at=datetime(2026, 11, 20)), MALI)])


def advisory(level: int = 4, text: str = "Do not travel due to crime, terrorism.", **kw: object):
    fields: dict[str, object] = {
        "source": "us-state",
        "country_iso2": "ML",
        "level": level,
        "native": f"Level {level}",
        "published_at": PUBLISHED,
        "text": text,
        "indicators": ("T", "K"),
    }
    fields.update(kw)
    return AdvisoryRecord(**fields)  # type: ignore[arg-type]


def test_advisory_versions_are_added_only_when_content_changes(session: Session) -> None:
    assert store_advisory(session, record=advisory()) is not None
    assert store_advisory(session, record=advisory()) is None  # same snapshot again
    later_same = advisory(published_at=PUBLISHED + timedelta(days=7))
    assert store_advisory(session, record=later_same) is None  # republished, unchanged
    lowered = advisory(level=3, published_at=PUBLISHED + timedelta(days=14))
    assert store_advisory(session, record=lowered) is not None
    session.commit()
    assert session.scalar(select(func.count(Advisory.id))) == 2
    [latest] = latest_per_source(session, country_iso2="ML")
    assert latest.level == 3


def test_advisory_keeps_regions_and_raw_payload(session: Session) -> None:
    record = advisory(
        regions=(RegionalWarning("Gao region", 4, "Do Not Travel"),),
        regional_state="present",
        raw={"title": "Mali - Level 4: Do Not Travel"},
    )
    store_advisory(session, record=record)
    session.commit()
    session.expire_all()
    stored = session.scalars(select(Advisory)).one()
    assert stored.regions == [{"area": "Gao region", "level": 4, "native": "Do Not Travel"}]
    assert stored.raw == {"title": "Mali - Level 4: Do Not Travel"}
    assert stored.indicators == ["T", "K"]


def test_rescore_writes_current_scores_and_one_history_row_per_day(
    app: Flask, session: Session
) -> None:
    store_signal(session, article=article(), analysis=MALI)
    store_advisory(session, record=advisory())
    session.commit()
    config = load_factor_config()
    as_of = PUBLISHED + timedelta(hours=2)
    with app.app_context():
        for _ in range(2):  # rescoring the same day replaces that day's rows
            with db.session_scope() as scope:
                rescore(scope, as_of=as_of, config=config, model_version="test-1")
    mali = current_scores(session, country_iso2="ML")["ML"]
    assert mali["overall"].level == 4  # the US level-4 advisory sets the floor
    assert mali["security"].score > 0 and mali["fuel_supply"].score == 0
    assert mali["security"].drivers[0]["title"] == "France withdraws diplomats from Mali"
    rows = session.scalar(
        select(func.count(ScoreHistory.id)).where(ScoreHistory.country_iso2 == "ML")
    )
    assert rows == 4  # overall + three factors, once
