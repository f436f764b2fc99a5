"""The fitted overall-score mapping: monotone, versioned, trained on countries held apart."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.factor_config import load_factor_config
from models.registry import ArtifactError
from models.score_model import (
    ScoreModel,
    activate_score_model,
    level_to_score,
    load_active_score_model,
    load_score_model,
    save_score_model,
)
from models.score_training import (
    HISTORY,
    LevelChange,
    OfficialHistory,
    TrainingSet,
    consensus_at,
    cross_validate_score_model,
    fit_score_model,
    load_official_history,
    scraper_level,
)

CONFIG = load_factor_config()
N_FACTORS = len(CONFIG.names)
T0 = datetime(2025, 6, 30, 23, 59, 59, tzinfo=UTC)


def synthetic(n_countries: int = 60, dates: int = 8, seed: int = 0) -> TrainingSet:
    """Consensus that mostly stays put and rises where security news is strong."""
    rng = np.random.default_rng(seed)
    rows = n_countries * dates
    lagged = rng.integers(1, 5, size=rows).astype(np.float64)
    news = rng.uniform(0, 100, size=(rows, N_FACTORS)) * (rng.random((rows, N_FACTORS)) < 0.3)
    target = np.minimum(lagged + (news[:, 0] > 50), 4.0)
    countries = tuple(f"C{i % n_countries:02d}" for i in range(rows))
    when = tuple(T0 + timedelta(days=30 * (i // n_countries)) for i in range(rows))
    return TrainingSet(news, lagged, target, countries, when)


@pytest.fixture(scope="module")
def model() -> ScoreModel:
    return fit_score_model(synthetic(), CONFIG)


@given(st.floats(min_value=1.0, max_value=4.0))
def test_a_predicted_level_lands_in_its_rounded_band(level: float) -> None:
    score = float(level_to_score(np.array([level]), CONFIG)[0])
    assert 0.0 <= score <= 100.0
    assert CONFIG.level_for(score) == min(int(np.floor(level + 0.5)), 4)


features = st.lists(
    st.floats(min_value=0.0, max_value=100.0), min_size=N_FACTORS, max_size=N_FACTORS
)


@settings(max_examples=25, deadline=None)
@given(
    features,
    st.floats(min_value=1.0, max_value=4.0),
    st.integers(min_value=0, max_value=N_FACTORS),
    st.floats(min_value=0.0, max_value=100.0),
)
def test_more_of_any_feature_never_lowers_the_fitted_score(
    model: ScoreModel, news: list[float], official: float, which: int, more: float
) -> None:
    row = np.array([*news, official])
    raised = row.copy()
    raised[which] = raised[which] + more if which < N_FACTORS else min(official + more / 25, 4.0)
    before = model.score(row[None, :N_FACTORS], row[N_FACTORS:], CONFIG)[0]
    after = model.score(raised[None, :N_FACTORS], raised[N_FACTORS:], CONFIG)[0]
    assert 0.0 <= before <= after <= 100.0


def test_the_fit_learns_the_official_level_and_the_news_that_raises_it(model: ScoreModel) -> None:
    quiet = np.zeros((4, N_FACTORS))
    levels = model.predict_level(quiet, np.array([1.0, 2.0, 3.0, 4.0]))
    assert np.all(np.abs(levels - [1, 2, 3, 4]) < 0.3)
    loud = quiet.copy()
    loud[:, 0] = 95.0
    assert model.predict_level(loud[:1], np.array([2.0]))[0] > levels[1] + 0.5


def test_cross_validation_holds_every_country_out_once_and_reports_both_figures() -> None:
    metrics = cross_validate_score_model(synthetic(), CONFIG)
    assert (metrics["held_out_countries"], metrics["rows"], metrics["folds"]) == (60, 480, 5)
    assert metrics["spearman_ours"] > 0.9 and metrics["spearman_advisories_only"] > 0.9
    # Only the news can foresee the rises, so only the fitted mapping gets them right.
    assert metrics["accuracy_level_ours"] > metrics["accuracy_level_advisories_only"]


def test_a_saved_model_loads_activates_and_predicts_the_same(
    model: ScoreModel, tmp_path: Path
) -> None:
    assert load_active_score_model(tmp_path, CONFIG) is None
    version = save_score_model(model, {"spearman_ours": 0.9}, "ab" * 32, tmp_path)
    activate_score_model(version, tmp_path)
    loaded = load_active_score_model(tmp_path, CONFIG)
    assert loaded is not None and loaded.version == version
    rows = synthetic(seed=1)
    np.testing.assert_array_equal(
        loaded.score(rows.news, rows.lagged, CONFIG), model.score(rows.news, rows.lagged, CONFIG)
    )
    metadata = json.loads((tmp_path / version / "metadata.json").read_text())
    assert metadata["kind"] == "score-model" and metadata["training_data_sha256"] == "ab" * 32
    assert metadata["metrics"] == {"spearman_ours": 0.9} and "sklearn" in metadata["libraries"]


def test_an_artifact_of_another_sklearn_or_kind_is_refused(
    model: ScoreModel, tmp_path: Path
) -> None:
    version = save_score_model(model, {}, "cd" * 32, tmp_path)
    path = tmp_path / version / "metadata.json"
    metadata = json.loads(path.read_text())
    path.write_text(json.dumps({**metadata, "libraries": {"sklearn": "0.0.1"}}))
    with pytest.raises(ArtifactError, match="scikit-learn 0.0.1"):
        load_score_model(version, tmp_path, CONFIG)
    path.write_text(json.dumps({**metadata, "kind": None}))
    with pytest.raises(ArtifactError, match="not a score model"):
        load_score_model(version, tmp_path, CONFIG)


@pytest.mark.parametrize(
    ("source", "wording", "level"),
    [
        ("canada", "Avoid all travel (with regional advisories)", 4),
        ("australia", "Reconsider your need to travel", 3),
        ("ireland", "No summary found", None),
        ("unitedstates", "Level 2: Exercise Increased Caution", 2),
        ("unitedstates", "Other", None),
    ],
)
def test_scraper_wordings_map_to_the_shared_scale(
    source: str, wording: str, level: int | None
) -> None:
    assert scraper_level(source, wording) == level


def test_consensus_is_the_median_of_the_sources_still_observed() -> None:
    at = datetime(2025, 5, 1, tzinfo=UTC)
    history = OfficialHistory(
        (
            LevelChange("canada", "ML", at, 4),
            LevelChange("unitedstates", "ML", at, 3),
            LevelChange("canada", "FR", at, 1),
        ),
        {"canada": at + timedelta(days=400), "unitedstates": at + timedelta(days=100)},
    )
    assert consensus_at(history, at + timedelta(days=1)) == {"ML": 3.5, "FR": 1.0}
    assert consensus_at(history, at + timedelta(days=200)) == {"ML": 4.0, "FR": 1.0}
    assert consensus_at(history, at - timedelta(days=1)) == {}


@pytest.mark.shared_data
def test_the_real_history_says_mali_is_level_4_in_october_2025(shared_data: Path) -> None:
    history = load_official_history(shared_data / HISTORY)
    consensus = consensus_at(history, datetime(2025, 10, 31, tzinfo=UTC))
    assert consensus["ML"] == 4.0 and consensus["FR"] == 2.0  # Canada: high caution
    assert len(consensus) > 200
