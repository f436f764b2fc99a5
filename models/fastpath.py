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
from models.factors import FactorClassifier, lead_text, line_ngrams

__all__ = ["DIRECTION_THRESHOLD", "CompiledFactorModel", "UnsupportedModel"]

# Below this relevance the text says nothing about the factor and the direction is "none".
DIRECTION_THRESHOLD = 0.5
# Words whose character n-grams are remembered; cleared when full.
_CHAR_CACHE_SIZE = 200_000

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
        if char.analyzer != "char_wb" or char.preprocessor is not lead_text:
            raise UnsupportedModel("expected char_wb n-grams of lead_text")
        self._char_min, self._char_max = char.ngram_range
        self._char_cache: dict[str, list[int]] = {}
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
        get = self._word_vocab.get
        found = [i for i in map(get, line_ngrams(sentence)) if i is not None]
        return np.array(found, dtype=np.intp)

    def char_terms(self, text: str) -> NDArray[np.intp]:
        """Vocabulary indices of the character n-grams of a (lead) text.

        The same n-grams as the fitted ``char_wb`` vectorizer, read per word from a
        bounded cache: news reuses its words, and n-gram generation is the costly part.
        """
        cache = self._char_cache
        found: list[int] = []
        for word in lead_text(text).split():
            terms = cache.get(word)
            if terms is None:
                if len(cache) >= _CHAR_CACHE_SIZE:
                    cache.clear()
                terms = cache[word] = self._word_char_terms(word)
            found += terms
        return np.array(found, dtype=np.intp)

    def _word_char_terms(self, word: str) -> list[int]:
        get = self._char_vocab.get
        padded = f" {word} "
        out: list[int] = []
        for n in range(self._char_min, self._char_max + 1):
            if len(padded) < n:
                grams = [padded]
            else:
                grams = [padded[i : i + n] for i in range(len(padded) - n + 1)]
            out += [i for i in map(get, grams) if i is not None]
            if len(padded) <= n:
                break
        return out

    def predict_pooled(
        self,
        word_terms: Sequence[Sequence[NDArray[np.intp]]],
        char_terms: Sequence[Sequence[NDArray[np.intp]]],
    ) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Relevance and direction of many pooled texts at once.

        Parameters
        ----------
        word_terms : sequence of sequence of ndarray
            Per pooled text, the word-term indices of each of its sentences.
        char_terms : sequence of sequence of ndarray
            Per pooled text, the character-term indices of each of its lead sentences.

        Returns
        -------
        relevance : ndarray of shape (n_texts, n_factors)
            Probability that the text speaks to each factor.
        easing : ndarray of shape (n_texts, n_factors)
            True where the direction is easing; only meaningful where relevance is at
            least :data:`DIRECTION_THRESHOLD` (the caller reads "none" below it).
        """
        scores = _pooled_scores(
            word_terms, self._word_idf, self._word_weights, self._word_sublinear
        )
        scores += _pooled_scores(
            char_terms, self._char_idf, self._char_weights, self._char_sublinear
        )
        n = scores.shape[0]
        relevance = np.empty((n, len(self._heads)))
        easing = np.zeros((n, len(self._heads)), dtype=bool)
        for j, (_, rel, direction, constant, positive) in enumerate(self._heads):
            relevance[:, j] = constant if rel is None else _apply(rel, scores)
            if direction is None:
                easing[:, j] = positive == "easing"
            else:
                up = _apply(direction, scores)
                if positive != "escalating":
                    up = 1.0 - up
                easing[:, j] = up < 0.5
        return relevance, easing

    def predict(
        self, word_terms: NDArray[np.intp], char_terms: NDArray[np.intp]
    ) -> dict[str, Reading]:
        """Relevance probability and direction per factor for one pooled text's terms."""
        relevance, easing = self.predict_pooled([[word_terms]], [[char_terms]])
        out: dict[str, Reading] = {}
        for j, (name, *_) in enumerate(self._heads):
            p = float(relevance[0, j])
            reading: Direction = "none"
            if p >= DIRECTION_THRESHOLD:
                reading = "easing" if easing[0, j] else "escalating"
            out[name] = (p, reading)
        return out


def _pooled_scores(
    terms: Sequence[Sequence[NDArray[np.intp]]],
    idf: NDArray[np.float64],
    weights: NDArray[np.float64],
    sublinear: bool,
) -> NDArray[np.float64]:
    """Linear scores of L2-normalised TF-IDF vectors, each pooled from sentence terms."""
    n = len(terms)
    out = np.zeros((n, weights.shape[1]))
    parts = [a for row in terms for a in row]
    if not parts:
        return out
    flat = np.concatenate(parts)
    if flat.size == 0:
        return out
    lengths = np.fromiter((sum(len(a) for a in row) for row in terms), dtype=np.intp, count=n)
    vocab = len(idf)
    keys = np.repeat(np.arange(n, dtype=np.intp), lengths) * vocab + flat
    keys, counts = np.unique(keys, return_counts=True)
    rows, index = np.divmod(keys, vocab)
    tf = 1.0 + np.log(counts) if sublinear else counts.astype(np.float64)
    values = tf * idf[index]
    norms = np.sqrt(np.bincount(rows, values * values, minlength=n))
    values /= norms[rows]
    cumulative = np.zeros((len(rows) + 1, weights.shape[1]))
    np.cumsum(values[:, None] * weights[index], axis=0, out=cumulative[1:])
    ends = np.searchsorted(rows, np.arange(n), side="right")
    starts = np.concatenate([[0], ends[:-1]])
    out[:] = cumulative[ends] - cumulative[starts]
    return out


def _apply(head: _Head, scores: NDArray[np.float64]) -> NDArray[np.float64]:
    z = head.a * (scores[:, head.column] + head.bias) + head.c
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(z))
    return out
