"""Alembic builds exactly the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from service.storage import migrate
from service.storage.db import make_engine
from service.storage.tables import Base


def test_upgrade_creates_every_table_and_matches_the_models(database_url: str) -> None:
    migrate.upgrade(database_url)
    migrate.upgrade(database_url)  # idempotent: a second upgrade is a no-op
    assert migrate.current_revision(database_url) is not None
    engine = make_engine(database_url)
    try:
        assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection), Base.metadata)
        assert diff == []
    finally:
        engine.dispose()


def test_upgrade_from_0001_backfills_evidence_of_existing_signals(database_url: str) -> None:
    migrate.upgrade(database_url, "0001")
    engine = make_engine(database_url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO signals (id, content_hash, title, text, published_at,"
                    " ingested_at, model_version, raw) VALUES (7, 'h', 't', '',"
                    " :at, :at, 'v', '{}')"
                ),
                {"at": "2026-11-20 09:30:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO mentions (id, signal_id, country_iso2, role, weight,"
                    " published_at) VALUES (3, 7, 'ML', 'subject', 0.5, :at)"
                ),
                {"at": "2026-11-20 09:30:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO mention_factors (mention_id, factor, probability, direction)"
                    " VALUES (3, 'security', 0.8, 'easing'), (3, 'fuel_supply', 0.9, 'none')"
                )
            )
        migrate.upgrade(database_url)
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT factor, signal_id, country_iso2, strength, story_key"
                    " FROM mention_factors ORDER BY factor"
                )
            ).all()
            story = connection.execute(text("SELECT story_key FROM signals")).scalar_one()
    finally:
        engine.dispose()
    assert [tuple(r) for r in rows] == [
        ("fuel_supply", 7, "ML", 0.0, 7),
        ("security", 7, "ML", -0.4, 7),
    ]
    assert story == 7
