"""The fitted mapping from a country's evidence to its overall score, and its artifacts.

The estimator is a gradient-boosted regressor with a monotonic constraint on every
feature: the news-only score of each factor (0-100, the analytic saturation of the
decayed evidence) and the official consensus level (median of the sources' normalised
levels, 1 when no source has one). It predicts the official consensus level a country
is heading for; :meth:`ScoreModel.score` turns that level into a 0-100 score whose
configured level band is the rounded prediction. Because every feature is
non-decreasing in escalating evidence, and the constraint makes the prediction
non-decreasing in every feature, more escalating evidence never lowers the score.

Artifacts follow the analyser registry's layout (``models/registry.py``), in their own
folder: ``<dir>/<version>/model.skops`` + ``metadata.json`` and ``<dir>/ACTIVE``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import sklearn
import skops.io as sio
from sklearn.ensemble import HistGradientBoostingRegressor
from sklearn.utils.validation import check_is_fitted

from models.factor_config import FactorConfig
from models.registry import (
    ArtifactError,
    activate,
    active_version,
    write_versioned,
)

__all__ = [
    "SCORE_TRUSTED_TYPES",
    "ScoreModel",
    "activate_score_model",
    "build_score_estimator",
    "level_to_score",
    "load_active_score_model",
    "load_score_model",
    "save_score_model",
]

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
KIND = "score-model"
MIN_LEVEL, MAX_LEVEL = 1.0, 4.0

# Types in a score artifact beyond the ones skops trusts by default.
SCORE_TRUSTED_TYPES: tuple[str, ...] = (
    "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
    "numpy.float64",
    "numpy.int64",
    "numpy.dtype",
    "numpy.ndarray",
)

FloatArray = npt.NDArray[np.float64]


def build_score_estimator(n_factors: int, *, seed: int = 0) -> HistGradientBoostingRegressor:
    """The regressor: small, shallow and increasing in every feature.

    Parameters
    ----------
    n_factors : int
        Number of factor features; the official consensus level comes after them.
    seed : int, default=0
        Random state (only used if early stopping were on; kept for reproducibility).

    Returns
    -------
    HistGradientBoostingRegressor
        Unfitted, with ``monotonic_cst`` +1 on all ``n_factors + 1`` features.
    """
    return HistGradientBoostingRegressor(
        max_iter=150,
        learning_rate=0.05,
        max_leaf_nodes=8,
        min_samples_leaf=20,
        l2_regularization=1.0,
        monotonic_cst=[1] * (n_factors + 1),
        early_stopping=False,
        random_state=seed,
    )


def level_to_score(level: FloatArray, config: FactorConfig) -> FloatArray:
    """Map a continuous 1-4 level to 0-100 so the configured band is the rounded level.

    Piecewise linear through (1, 0), (1.5, t2), (2.5, t3), (3.5, t4), (4, 100), where
    ``t2..t4`` are the configured level thresholds: increasing, so order is kept.
    """
    thresholds = sorted(t for _, t in config.level_thresholds)
    knots_x = [MIN_LEVEL, *(k + 0.5 for k in range(1, len(thresholds) + 1)), MAX_LEVEL]
    knots_y = [0.0, *thresholds, 100.0]
    clipped = np.clip(np.asarray(level, dtype=np.float64), MIN_LEVEL, MAX_LEVEL)
    return np.interp(clipped, knots_x, knots_y).astype(np.float64)


@dataclass(frozen=True)
class ScoreModel:
    """A fitted overall-score mapping and the factor order its features follow."""

    estimator: HistGradientBoostingRegressor
    factor_names: tuple[str, ...]
    version: str = "unsaved"

    def predict_level(self, news_scores: FloatArray, official: FloatArray) -> FloatArray:
        """The expected official consensus level (continuous, 1-4) of each row.

        Parameters
        ----------
        news_scores : ndarray of shape (n, n_factors)
            News-only factor scores 0-100, columns in ``factor_names`` order.
        official : ndarray of shape (n,)
            Official consensus level per row (1 where no source has a level).

        Returns
        -------
        ndarray of shape (n,)
        """
        check_is_fitted(self.estimator)
        features = np.column_stack([np.asarray(news_scores, dtype=np.float64), official])
        if len(features) == 0:
            return np.zeros(0, dtype=np.float64)
        predicted = np.asarray(self.estimator.predict(features), dtype=np.float64)
        return np.clip(predicted, MIN_LEVEL, MAX_LEVEL)

    def score(
        self, news_scores: FloatArray, official: FloatArray, config: FactorConfig
    ) -> FloatArray:
        """The overall score 0-100 of each row (see :func:`level_to_score`)."""
        return level_to_score(self.predict_level(news_scores, official), config)


def save_score_model(
    model: ScoreModel, metrics: dict[str, Any], data_hash: str, artifacts_dir: Path
) -> str:
    """Write a new versioned score artifact (not activated).

    Parameters
    ----------
    model : ScoreModel
        The fitted mapping.
    metrics : dict
        JSON-able metrics recorded in the metadata.
    data_hash : str
        SHA-256 of the training data.
    artifacts_dir : Path
        The score artifacts folder.

    Returns
    -------
    str
        The new version, ``score-<UTC timestamp>-<data hash prefix>``.
    """
    return write_versioned(
        artifacts_dir,
        payload={"estimator": model.estimator, "factor_names": list(model.factor_names)},
        data_hash=data_hash,
        factors=model.factor_names,
        metrics=metrics,
        prefix="score-",
        extra={"kind": KIND},
    )


def load_score_model(version: str, artifacts_dir: Path, config: FactorConfig) -> ScoreModel:
    """Load one score artifact.

    Raises
    ------
    ArtifactError
        Missing files, an untrusted type, another scikit-learn version, or other factors
        than ``config`` has.
    """
    folder = Path(artifacts_dir) / version
    try:
        metadata = json.loads((folder / METADATA_FILE).read_text(encoding="utf-8"))
        made_with = metadata["libraries"]["sklearn"]
        kind = metadata.get("kind")
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArtifactError(f"score artifact {version!r}: unreadable metadata: {exc}") from exc
    if kind != KIND:
        raise ArtifactError(f"artifact {version!r} is not a score model (kind {kind!r})")
    if made_with != sklearn.__version__:
        raise ArtifactError(
            f"score artifact {version!r} was made with scikit-learn {made_with}, this is "
            f"{sklearn.__version__}; retrain it or install {made_with}"
        )
    path = folder / MODEL_FILE
    try:
        untrusted = set(sio.get_untrusted_types(file=path)) - set(SCORE_TRUSTED_TYPES)
        if untrusted:
            raise ArtifactError(f"score artifact {version!r} holds untrusted types: {untrusted}")
        payload = sio.load(path, trusted=list(SCORE_TRUSTED_TYPES))
        estimator = payload["estimator"]
        factors = tuple(payload["factor_names"])
    except ArtifactError:
        raise
    except Exception as exc:  # skops raises many kinds on corrupt files
        raise ArtifactError(f"score artifact {version!r}: cannot load {path}: {exc}") from exc
    if not isinstance(estimator, HistGradientBoostingRegressor):
        raise ArtifactError(f"score artifact {version!r} holds {type(estimator).__name__}")
    if factors != config.names:
        raise ArtifactError(f"score artifact {version!r} uses {factors}, config has other factors")
    return ScoreModel(estimator, factors, version)


def load_active_score_model(artifacts_dir: Path, config: FactorConfig) -> ScoreModel | None:
    """The active score model, or None (scoring then uses the analytic mapping).

    Raises
    ------
    ArtifactError
        ACTIVE names a version that cannot be loaded.
    """
    version = active_version(artifacts_dir)
    return None if version is None else load_score_model(version, artifacts_dir, config)


def activate_score_model(version: str, artifacts_dir: Path) -> None:
    """Point the score folder's ACTIVE at ``version`` (atomically)."""
    activate(version, artifacts_dir)
