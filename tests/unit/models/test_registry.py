"""Saving, activating and loading artifacts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.learned import LearnedAnalyzer
from models.registry import ArtifactError, activate, load_active, save_artifact

TITLE = "France withdraws diplomatic staff from Mali amid fuel blockade"


def test_round_trip(small_analyzer: LearnedAnalyzer, tmp_path: Path) -> None:
    assert load_active(tmp_path) is None
    version = save_artifact(small_analyzer, {"macro_f1": 0.5}, "ab" * 32, tmp_path)
    activate(version, tmp_path)
    loaded = load_active(tmp_path)
    assert loaded is not None and loaded.model_version == version
    metadata = json.loads((tmp_path / version / "metadata.json").read_text())
    assert metadata["training_data_sha256"] == "ab" * 32
    assert set(metadata["libraries"]) >= {"python", "sklearn", "numpy", "scipy", "skops"}
    assert metadata["metrics"] == {"macro_f1": 0.5}
    before = small_analyzer.analyze(TITLE, "")
    after = loaded.analyze(TITLE, "")
    assert after.countries == before.countries


def test_refuses_other_sklearn_version(small_analyzer: LearnedAnalyzer, tmp_path: Path) -> None:
    version = save_artifact(small_analyzer, {}, "cd" * 32, tmp_path)
    activate(version, tmp_path)
    path = tmp_path / version / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata["libraries"]["sklearn"] = "0.24.2"
    path.write_text(json.dumps(metadata))
    with pytest.raises(ArtifactError, match=r"scikit-learn 0\.24\.2"):
        load_active(tmp_path)


def test_activate_unknown_version(tmp_path: Path) -> None:
    with pytest.raises(ArtifactError):
        activate("nope", tmp_path)
