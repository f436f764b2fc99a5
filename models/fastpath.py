"""Prediction without scikit-learn's per-call overhead, read from fitted attributes.

scikit-learn validates inputs on every call (hundreds of microseconds each); the service
analyses thousands of articles a second. The factor pipeline is linear after TF-IDF, so
its fitted vocabularies, IDF weights, logistic coefficients and sigmoid calibrators are
read once into arrays here and applied with numpy. Each sentence is featurised once and
pooled per country. ``tests/unit/models`` checks that this agrees with the pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from models.analysis import Direction
from models.factors import FactorClassifier, line_ngrams

__all__ = ["DIRECTION_THRESHOLD", "CompiledFactorModel", "UnsupportedModel"]

# Below this relevance the text says nothing about the factor and the direction is "none".
DIRECTION_THRESHOLD = 0.5

Reading = tuple[float, Direction]
_LABELS = {"easing", "escalating", "none"}


class UnsupportedModel(ValueError):
    """The fitted pipeline has a shape the fast path does not reproduce."""


@dataclass(frozen=True)
class _Head:
    """``p = expit(-(a * (x @ w + b) + c))`` for one binary calibrated model."""

    column: int
    bias: float
    a: float
    c: float


def _binary_parts(model: Any) -> tuple[NDArray[np.float64], float, float, float]:
    if isinstance(model, LogisticRegression) and model.coef_.shape[0] == 1:
        return model.coef_[0], float(model.intercept_[0]), -1.0, 0.0
    if (
        isinstance(model, CalibratedClassifierCV)
        and model.method == "sigmoid"
        and len(model.calibrated_classifiers_) == 1
        and len(model.classes_) == 2
    ):
        inner = model.calibrated_classifiers_[0]
        base = inner.estimator
        if isinstance(base, LogisticRegression) and base.coef_.shape[0] == 1:
            cal = inner.calibrators[0]
            return base.coef_[0], float(base.intercept_[0]), float(cal.a_), float(cal.b_)
    raise UnsupportedModel(f"no fast path for {type(model).__name__}")


class CompiledFactorModel:
    """The fitted factor pipeline as arrays: relevance and direction per factor.

    Parameters
    ----------
    pipeline : Pipeline
        A fitted :func:`models.factors.build_factor_pipeline`.
    factor_names : sequence of str
        Factor names in target column order.
    """

    def __init__(self, pipeline: Pipeline, factor_names: Sequence[str]) -> None:
        union = pipeline.named_steps["features"]
        word = union.transformer_list[0][1]
        char = union.transformer_list[1][1]
        if word.analyzer is not line_ngrams or word.norm != "l2" or char.norm != "l2":
            raise UnsupportedModel("unexpected vectorizers")
        self._word_vocab: dict[str, int] = word.vocabulary_
        self._word_idf = word.idf_
        self._char_vocab: dict[str, int] = char.vocabulary_
        self._char_idf = char.idf_
        self._char_analyzer = char.build_analyzer()
        self._word_sublinear = bool(word.sublinear_tf)
        self._char_sublinear = bool(char.sublinear_tf)
        n_word = len(self._word_idf)
        columns: list[NDArray[np.float64]] = []
        self._heads: list[tuple[str, _Head | None, _Head | None, float, str]] = []
        estimators = pipeline.named_steps["factors"].estimators_
        for name, est in zip(factor_names, estimators, strict=True):
            classes = {str(c) for c in est.classes_}
            if not isinstance(est, FactorClassifier) or not classes <= _LABELS:
                raise UnsupportedModel(f"{name}: expected classes among {sorted(_LABELS)}")
            heads: list[_Head | None] = []
            for model in (est.relevance_, est.direction_):
                if model is None:
                    heads.append(None)
                    continue
                w, b, a, c = _binary_parts(model)
                heads.append(_Head(len(columns), b, a, c))
                columns.append(w)
            positive = "easing" if classes & _LABELS == {"easing", "none"} else "escalating"
            if est.direction_ is not None:
                positive = str(est.direction_.classes_[1])
            self._heads.append((name, heads[0], heads[1], est._constant_relevance_, positive))
        weights = np.column_stack(columns) if columns else np.zeros((0, 0))
        self._word_weights = np.ascontiguousarray(weights[:n_word])
        self._char_weights = np.ascontiguousarray(weights[n_word:])

    def sentence_terms(self, sentence: str) -> NDArray[np.intp]:
        """Vocabulary indices of a sentence's word n-grams (repeats kept)."""
        vocab = self._word_vocab
        found = [vocab.get(g, -1) for g in line_ngrams(sentence)]
        return np.fromiter((i for i in found if i >= 0), dtype=np.intp)

    def char_terms(self, text: str) -> NDArray[np.intp]:
        """Vocabulary indices of the character n-grams of a (lead) text."""
        vocab = self._char_vocab
        found = [vocab.get(g, -1) for g in self._char_analyzer(text)]
        return np.fromiter((i for i in found if i >= 0), dtype=np.intp)

    @staticmethod
    def _scores(
        terms: NDArray[np.intp], idf: NDArray[np.float64], weights: Any, sublinear: bool
    ) -> NDArray[np.float64]:
        if terms.size == 0:
            return np.zeros(weights.shape[1])
        index, counts = np.unique(terms, return_counts=True)
        tf = 1.0 + np.log(counts) if sublinear else counts.astype(np.float64)
        values = tf * idf[index]
        values /= np.sqrt(values @ values)
        scores: NDArray[np.float64] = values @ weights[index]
        return scores

    def predict(
        self, word_terms: NDArray[np.intp], char_terms: NDArray[np.intp]
    ) -> dict[str, Reading]:
        """Relevance probability and direction per factor for one pooled text's terms."""
        scores = self._scores(word_terms, self._word_idf, self._word_weights, self._word_sublinear)
        scores = scores + self._scores(
            char_terms, self._char_idf, self._char_weights, self._char_sublinear
        )
        out: dict[str, Reading] = {}
        for name, relevance, direction, constant, positive in self._heads:
            p = constant if relevance is None else _apply(relevance, scores)
            reading: Direction = "none"
            if p >= DIRECTION_THRESHOLD:
                q = 1.0 if direction is None else _apply(direction, scores)
                up = q if positive == "escalating" else 1.0 - q
                reading = "easing" if up < 1.0 - up else "escalating"
            out[name] = (p, reading)
        return out


def _apply(head: _Head, scores: NDArray[np.float64]) -> float:
    z = head.a * (float(scores[head.column]) + head.bias) + head.c
    return float(1.0 / (1.0 + np.exp(z)))
