"""A learned analyser fitted once per session on the corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.fitting import Example, fit_analyzer, load_corpus
from models.learned import LearnedAnalyzer

DATA_DIR = Path(__file__).resolve().parents[3] / "models" / "data"


@pytest.fixture(scope="session")
def corpus() -> list[Example]:
    return load_corpus(DATA_DIR)


@pytest.fixture(scope="session")
def analyzer(corpus: list[Example]) -> LearnedAnalyzer:
    return fit_analyzer(corpus)


@pytest.fixture(scope="session")
def small_analyzer(corpus: list[Example]) -> LearnedAnalyzer:
    """Fitted on a slice: enough for persistence and determinism tests, and quick."""
    return fit_analyzer(corpus[::6])
