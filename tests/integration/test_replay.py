"""Replay of real data: WSJ world items + Canadian advisory history, backfilled day by day."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask.testing import FlaskCliRunner

from bench.replay import replay_app, run_replay


@pytest.mark.shared_data
@pytest.mark.slow
def test_backfill_of_real_news_raises_mali_after_the_fuel_blockade_stories(
    shared_data: Path, tmp_path: Path
) -> None:
    with replay_app(tmp_path) as app:
        replay = run_replay(
            app,
            shared_data,
            country="ML",
            first=date(2025, 10, 20),
            last=date(2025, 12, 8),
            every=1,
        )
    series = replay.series
    assert replay.news.new == 3540 and replay.advisories.new > 0
    assert all(set(scores) >= {"overall", "fuel_supply"} for scores in series.values())
    # Canada: "Avoid all travel" throughout -> the overall floor of level 4.
    assert all(scores["overall"] >= 75 for scores in series.values())
    # WSJ 2025-10-30 "Al Qaeda Is on the Brink of Taking Over a Country" (Mali).
    assert series[date(2025, 10, 31)]["security"] > series[date(2025, 10, 29)]["security"]
    # WSJ 2025-12-05: ransom and fuel blockade of Bamako.
    assert series[date(2025, 12, 8)]["fuel_supply"] > series[date(2025, 12, 4)]["fuel_supply"]
    # The UK's update reasons: fuel shortages (14 Oct), blockades (24 Oct), embassy staff
    # withdrawn (31 Oct) raise fuel supply and diplomatic presence from October on.
    assert replay.update_reasons.new > 0 and replay.update_reasons.errors == 0
    assert series[date(2025, 10, 20)]["fuel_supply"] > 25.0
    assert series[date(2025, 10, 27)]["diplomatic_presence"] == 0.0
    assert series[date(2025, 11, 3)]["diplomatic_presence"] > 25.0


def test_score_backfill_needs_both_ends_and_no_as_of(runner: FlaskCliRunner) -> None:
    only_from = runner.invoke(args=["score", "--from", "2025-10-01"])
    assert only_from.exit_code == 2 and "--from and --to together" in only_from.output
    backwards = runner.invoke(args=["score", "--from", "2025-10-05", "--to", "2025-10-01"])
    assert backwards.exit_code == 2 and "before --from" in backwards.output


def test_score_backfill_writes_one_history_day_per_day(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["score", "--from", "2025-10-01", "--to", "2025-10-03"])
    assert result.exit_code == 0, result.output
    assert "backfilled 3 days, 2025-10-01 to 2025-10-03" in result.output
