"""Denormalised evidence, story keys, ahead-of-official flag.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27 12:01:49

Existing rows are backfilled: readings take country, time and signed strength from
their mention, and stored signals become their own story (their id as story key), since
story keys of old titles cannot be computed in SQL.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import service.storage.tables

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BACKFILL_READINGS = """
UPDATE mention_factors SET
  signal_id = (SELECT m.signal_id FROM mentions m WHERE m.id = mention_factors.mention_id),
  country_iso2 = (SELECT m.country_iso2 FROM mentions m WHERE m.id = mention_factors.mention_id),
  published_at = (SELECT m.published_at FROM mentions m WHERE m.id = mention_factors.mention_id),
  strength = (SELECT m.weight FROM mentions m WHERE m.id = mention_factors.mention_id)
    * probability
    * CASE direction WHEN 'escalating' THEN 1.0 WHEN 'easing' THEN -1.0 ELSE 0.0 END
"""


def upgrade() -> None:
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("story_key", sa.BigInteger(), nullable=True))
    op.execute("UPDATE signals SET story_key = id")
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.alter_column("story_key", nullable=False)
        batch_op.create_index(batch_op.f("ix_signals_story_key"), ["story_key"], unique=False)

    with op.batch_alter_table("mention_factors", schema=None) as batch_op:
        batch_op.add_column(sa.Column("signal_id", sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column("country_iso2", sa.String(length=2), nullable=True))
        batch_op.add_column(
            sa.Column(
                "published_at", service.storage.tables.UTCDateTime(timezone=True), nullable=True
            )
        )
        batch_op.add_column(sa.Column("strength", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("story_key", sa.BigInteger(), nullable=True))
    op.execute(BACKFILL_READINGS)
    op.execute("UPDATE mention_factors SET story_key = signal_id")
    with op.batch_alter_table("mention_factors", schema=None) as batch_op:
        for column in ("signal_id", "country_iso2", "published_at", "strength", "story_key"):
            batch_op.alter_column(column, nullable=False)
        batch_op.create_index("ix_mention_factors_published", ["published_at"], unique=False)

    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("ahead_of_official", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("scores", schema=None) as batch_op:
        batch_op.drop_column("ahead_of_official")
    with op.batch_alter_table("mention_factors", schema=None) as batch_op:
        batch_op.drop_index("ix_mention_factors_published")
        for column in ("story_key", "strength", "published_at", "country_iso2", "signal_id"):
            batch_op.drop_column(column)
    with op.batch_alter_table("signals", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_signals_story_key"))
        batch_op.drop_column("story_key")
