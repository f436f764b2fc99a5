"""The baseline scoring model: decayed, signed evidence saturating towards 100."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.factor_config import load_factor_config
from models.score_model import ScoreModel, build_score_estimator
from models.scoring import Evidence, OfficialLevel, score_country

CONFIG = load_factor_config()
NOW = datetime(2026, 11, 26, 12, tzinfo=UTC)


def evidence(
    factor: str = "security",
    *,
    days_ago: float = 0.0,
    weight: float = 0.9,
    probability: float = 0.95,
    direction: str = "escalating",
    signal_id: int = 1,
    story: int | None = None,
) -> Evidence:
    return Evidence(
        signal_id=signal_id,
        title=f"story {signal_id}",
        url=None,
        published_at=NOW - timedelta(days=days_ago),
        factor=factor,
        weight=weight,
        probability=probability,
        direction=direction,
        story=story,
    )


def test_no_evidence_scores_zero_with_zero_confidence() -> None:
    result = score_country("FR", [], [], config=CONFIG, as_of=NOW)
    assert result.overall.score == 0.0
    assert result.overall.level == 1
    assert result.overall.confidence == 0.0
    assert set(result.factors) == {"security", "fuel_supply", "diplomatic_presence"}


def test_fresh_strong_evidence_raises_the_factor_and_names_its_driver() -> None:
    result = score_country("ML", [evidence()], [], config=CONFIG, as_of=NOW)
    security = result.factors["security"]
    assert security.score > 50 and security.level >= 3
    assert security.trend == "rising"
    assert [(d.signal_id, d.title) for d in security.drivers] == [("1", "story 1")]
    assert result.factors["fuel_supply"].score == 0.0
    assert result.overall.score == security.score


def test_evidence_fades_with_the_factor_half_life() -> None:
    half_life = next(f.half_life_days for f in CONFIG.factors if f.name == "fuel_supply")
    fresh = score_country("ML", [evidence("fuel_supply")], [], config=CONFIG, as_of=NOW)
    old = score_country(
        "ML", [evidence("fuel_supply", days_ago=half_life)], [], config=CONFIG, as_of=NOW
    )
    assert old.factors["fuel_supply"].score < fresh.factors["fuel_supply"].score
    assert old.factors["fuel_supply"].confidence < fresh.factors["fuel_supply"].confidence


def test_easing_evidence_lowers_the_score() -> None:
    up = [evidence(days_ago=3), evidence(days_ago=2, signal_id=2)]
    down = [*up, evidence(direction="easing", signal_id=3)]
    assert (
        score_country("ML", down, [], config=CONFIG, as_of=NOW).factors["security"].score
        < score_country("ML", up, [], config=CONFIG, as_of=NOW).factors["security"].score
    )


def test_evidence_after_as_of_is_ignored() -> None:
    future = evidence(days_ago=-2)
    assert score_country("ML", [future], [], config=CONFIG, as_of=NOW).overall.score == 0.0


def test_official_level_sets_a_floor_under_the_overall_score() -> None:
    officials = [OfficialLevel("us-state", 4, NOW - timedelta(days=90))]
    result = score_country("ML", [], officials, config=CONFIG, as_of=NOW)
    assert result.overall.level == 4
    assert result.overall.confidence == 0.5
    assert result.factors["security"].score == 0.0


def test_trend_eases_when_evidence_is_older_than_a_week() -> None:
    stale = [evidence("fuel_supply", days_ago=20)]
    assert (
        score_country("ML", stale, [], config=CONFIG, as_of=NOW).factors["fuel_supply"].trend
        == "easing"
    )


strengths = st.floats(min_value=0.0, max_value=1.0)
ages = st.floats(min_value=0.0, max_value=365.0)
items = st.lists(
    st.tuples(strengths, strengths, ages, st.sampled_from(["escalating", "easing", "none"])),
    max_size=30,
)


def _build(raw: list[tuple[float, float, float, str]]) -> list[Evidence]:
    return [
        evidence(weight=w, probability=p, days_ago=a, direction=d, signal_id=i)
        for i, (w, p, a, d) in enumerate(raw)
    ]


@given(items, strengths, strengths, ages)
def test_more_escalating_evidence_never_lowers_a_score(raw, weight, probability, age) -> None:
    base = _build(raw)
    more = [*base, evidence(weight=weight, probability=probability, days_ago=age, signal_id=999)]
    before = score_country("ML", base, [], config=CONFIG, as_of=NOW).factors["security"].score
    after = score_country("ML", more, [], config=CONFIG, as_of=NOW).factors["security"].score
    assert after >= before


@given(items, strengths, strengths, ages)
def test_easing_evidence_never_raises_a_score(raw, weight, probability, age) -> None:
    base = _build(raw)
    more = [
        *base,
        evidence(
            weight=weight, probability=probability, days_ago=age, direction="easing", signal_id=999
        ),
    ]
    before = score_country("ML", base, [], config=CONFIG, as_of=NOW).factors["security"].score
    after = score_country("ML", more, [], config=CONFIG, as_of=NOW).factors["security"].score
    assert after <= before


@given(items)
def test_scores_stay_in_range(raw) -> None:
    result = score_country("ML", _build(raw), [], config=CONFIG, as_of=NOW)
    for score in [result.overall, *result.factors.values()]:
        assert 0.0 <= score.score <= 100.0
        assert 1 <= score.level <= 4
        assert 0.0 <= score.confidence <= 1.0
        assert sum(d.contribution for d in score.drivers) <= 1.005  # rounded to 3 places


@pytest.mark.parametrize(
    ("score", "level"), [(0, 1), (24.9, 1), (25, 2), (50, 3), (74.9, 3), (75, 4)]
)
def test_levels_follow_the_configured_thresholds(score: float, level: int) -> None:
    assert CONFIG.level_for(score) == level


def test_copies_of_one_story_count_sub_linearly() -> None:
    one = [evidence(weight=0.3, signal_id=1, story=7)]
    copies = [evidence(weight=0.3, signal_id=i, story=7) for i in range(1, 5)]
    distinct = [evidence(weight=0.3, signal_id=i) for i in range(1, 5)]

    def score(rows: list[Evidence]) -> float:
        return score_country("ML", rows, [], config=CONFIG, as_of=NOW).factors["security"].score

    assert score(one) < score(copies) < score(distinct)


def test_advisory_text_naming_a_factor_is_standing_evidence_with_a_driver() -> None:
    official = OfficialLevel(
        "us-state",
        4,
        NOW - timedelta(days=200),
        factors=("security",),
        advisory_id=3,
        title="us-state: Level 4: Do Not Travel",
    )
    result = score_country("ML", [], [official], config=CONFIG, as_of=NOW)
    assert result.factors["security"].level >= 3
    assert result.factors["security"].drivers[0].signal_id == "advisory:3"
    assert result.factors["fuel_supply"].score == 0.0
    assert result.factors["security"].trend == "steady"


def test_news_above_every_official_level_is_flagged_ahead_of_official() -> None:
    quiet = [OfficialLevel("us-state", 1, NOW - timedelta(days=30))]
    news = [evidence("fuel_supply", signal_id=i, weight=0.9) for i in range(1, 4)]
    assert score_country("LK", news, quiet, config=CONFIG, as_of=NOW).ahead_of_official
    assert not score_country("LK", [], quiet, config=CONFIG, as_of=NOW).ahead_of_official
    assert not score_country("LK", news, [], config=CONFIG, as_of=NOW).ahead_of_official


# --- with the fitted overall mapping -------------------------------------------------------


@pytest.fixture(scope="module")
def calibration() -> ScoreModel:
    """A mapping fitted on small synthetic data: official level, raised by security news."""
    rng = np.random.default_rng(0)
    lagged = rng.integers(1, 5, size=300).astype(np.float64)
    news = rng.uniform(0, 100, size=(300, len(CONFIG.names))) * (rng.random((300, 3)) < 0.3)
    target = np.minimum(lagged + (news[:, 0] > 60), 4.0)
    return ScoreModel(
        build_score_estimator(len(CONFIG.names)).fit(np.column_stack([news, lagged]), target),
        CONFIG.names,
    )


@settings(max_examples=25, deadline=None)
@given(items, strengths, strengths, ages, st.sampled_from([0, 1, 2, 3, 4]))
def test_with_the_fitted_mapping_escalating_evidence_never_lowers_the_overall(
    calibration: ScoreModel, raw, weight, probability, age, official
) -> None:
    officials = [OfficialLevel("ca", official, NOW - timedelta(days=9))] if official else []
    base = _build(raw)
    more = [*base, evidence(weight=weight, probability=probability, days_ago=age, signal_id=999)]
    easing = [*base, evidence(direction="easing", weight=weight, days_ago=age, signal_id=998)]

    def overall(rows: list[Evidence]) -> float:
        result = score_country(
            "ML", rows, officials, config=CONFIG, as_of=NOW, calibration=calibration
        )
        assert 0.0 <= result.overall.score <= 100.0 and 1 <= result.overall.level <= 4
        return result.overall.score

    assert overall(easing) <= overall(base) <= overall(more)


def test_the_fitted_mapping_follows_the_official_level_without_news(
    calibration: ScoreModel,
) -> None:
    def level(official: int) -> int:
        officials = [OfficialLevel("ca", official, NOW - timedelta(days=9))]
        return score_country(
            "ML", [], officials, config=CONFIG, as_of=NOW, calibration=calibration
        ).overall.level

    assert [level(n) for n in (1, 2, 3, 4)] == [1, 2, 3, 4]
    news = [evidence(signal_id=i) for i in range(1, 4)]
    raised = score_country(
        "ML", news, [OfficialLevel("ca", 2, NOW)], config=CONFIG, as_of=NOW, calibration=calibration
    )
    assert raised.overall.level == 3 and raised.overall.trend == "rising"
    assert raised.overall.drivers == raised.factors["security"].drivers
