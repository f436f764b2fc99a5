"""Prediction without scikit-learn's per-call overhead, read from fitted attributes.

scikit-learn validates inputs on every call (hundreds of microseconds each); the service
analyses thousands of articles a second. The factor pipeline is linear after TF-IDF, so
its fitted vocabularies, IDF weights, logistic coefficients and sigmoid calibrators are
read once into arrays here and applied with numpy. Each sentence of a batch is featurised
once; one sparse product pools the sentences of every country's text.
``tests/unit/models/test_fastpath.py`` checks that this agrees with the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray
from scipy import sparse
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from models.factors import LEAD_SENTENCES, FactorClassifier, lead_text, line_ngrams

__all__ = ["DIRECTION_THRESHOLD", "CompiledFactorModel", "PooledBatch", "UnsupportedModel"]

# Below this relevance the text says nothing about the factor and the direction is "none".
DIRECTION_THRESHOLD = 0.5
# Words whose character n-grams are remembered; cleared when full.
_CHAR_CACHE_SIZE = 200_000

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
        # Word and character n-grams share one column space, as in the FeatureUnion's
        # output: characters come after the words. Each block is normalised on its own.
        n_word = len(word.idf_)
        self._word_vocab: dict[str, int] = word.vocabulary_
        self._char_vocab = {gram: n_word + i for gram, i in char.vocabulary_.items()}
        self._idf = np.concatenate([word.idf_, char.idf_])
        self._n_word = n_word
        self._sublinear = np.repeat(
            [bool(word.sublinear_tf), bool(char.sublinear_tf)], [n_word, len(char.idf_)]
        )
        if char.analyzer != "char_wb" or char.preprocessor is not lead_text:
            raise UnsupportedModel("expected char_wb n-grams of lead_text")
        self._char_min, self._char_max = char.ngram_range
        self._char_cache: dict[str, list[int]] = {}
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
        self._weights = np.column_stack(columns) if columns else np.zeros((len(self._idf), 0))

    def sentence_terms(self, sentence: str) -> list[int]:
        """Columns of a sentence's word n-grams (repeats kept)."""
        get = self._word_vocab.get
        return [i for i in map(get, line_ngrams(sentence)) if i is not None]

    def char_terms(self, text: str) -> list[int]:
        """Columns of the character n-grams of a (lead) text (repeats kept).

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
        return found

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

    def predict_pooled(self, batch: PooledBatch) -> tuple[NDArray[np.float64], NDArray[np.bool_]]:
        """Relevance and direction of every pooled text of a batch at once.

        Parameters
        ----------
        batch : PooledBatch
            The pooled texts, filled through :meth:`PooledBatch.add`.

        Returns
        -------
        relevance : ndarray of shape (n_texts, n_factors)
            Probability that the text speaks to each factor.
        easing : ndarray of shape (n_texts, n_factors)
            True where the direction is easing; only meaningful where relevance is at
            least :data:`DIRECTION_THRESHOLD` (the caller reads "none" below it).
        """
        scores = self._pooled_scores(batch)
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

    def _pooled_scores(self, batch: PooledBatch) -> NDArray[np.float64]:
        """Linear scores of every pooled text's TF-IDF features (one column per head).

        One sparse product counts the terms of all texts at once, (texts x pieces) @
        (pieces x columns); TF-IDF weighting and per-block L2 normalisation then act on
        its entries as the fitted vectorizers do, and a product with the coefficients
        gives the scores.
        """
        counts = _ones_matrix(batch.pools, len(batch.pieces)) @ _ones_matrix(
            batch.pieces, len(self._idf)
        )
        columns, data = counts.indices, counts.data
        values = np.where(self._sublinear[columns], 1.0 + np.log(data), data) * self._idf[columns]
        # One norm per text and block (words, characters).
        texts = np.repeat(np.arange(counts.shape[0]), np.diff(counts.indptr))
        block = 2 * texts + (columns >= self._n_word)
        values /= np.sqrt(np.bincount(block, values * values, minlength=2 * counts.shape[0]))[block]
        tfidf = sparse.csr_matrix((values, columns, counts.indptr), shape=counts.shape)
        scores: NDArray[np.float64] = tfidf @ self._weights
        return scores


class PooledBatch:
    """The pooled texts of a batch of articles, each a list of featurised sentence pieces.

    A sentence is featurised once however many countries' texts pool it: its word terms
    and (for lead sentences) its character terms are stored once per article in
    ``pieces``, and a pooled text lists the ids of its pieces there.

    Parameters
    ----------
    model : CompiledFactorModel
        The model whose vocabularies featurise the sentences.
    """

    def __init__(self, model: CompiledFactorModel) -> None:
        self._model = model
        self.pieces: list[list[int]] = []
        self.pools: list[list[int]] = []
        self._sentences: Sequence[str] = ()
        self._words: dict[int, int] = {}
        self._chars: dict[int, int] = {}

    def start_article(self, sentences: Sequence[str]) -> None:
        """Make ``sentences`` the ones that following :meth:`add` calls index."""
        self._sentences = sentences
        self._words = {}
        self._chars = {}

    def add(self, keep: Sequence[int]) -> int:
        """Pool the current article's sentences ``keep`` (title first); returns its row.

        Word n-grams come from every kept sentence, character n-grams from the first
        :data:`~models.factors.LEAD_SENTENCES` only, as :func:`~models.factors.lead_text`
        reads a pooled text.
        """
        model = self._model
        pool = [self._piece(j, self._words, model.sentence_terms) for j in keep]
        pool += [self._piece(j, self._chars, model.char_terms) for j in keep[:LEAD_SENTENCES]]
        self.pools.append(pool)
        return len(self.pools) - 1

    def _piece(self, j: int, ids: dict[int, int], terms: Callable[[str], list[int]]) -> int:
        """The id of sentence ``j``'s terms in ``pieces``, featurising it on first use."""
        piece = ids.get(j)
        if piece is None:
            piece = ids[j] = len(self.pieces)
            self.pieces.append(terms(self._sentences[j]))
        return piece


def _ones_matrix(rows: list[list[int]], width: int) -> sparse.csr_matrix:
    """A CSR matrix with one row per list and a 1 in each listed column (repeats add up)."""
    indptr = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(np.fromiter(map(len, rows), dtype=np.int64, count=len(rows)), out=indptr[1:])
    indices = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(indptr[-1]))
    return sparse.csr_matrix((np.ones(len(indices)), indices, indptr), shape=(len(rows), width))


def _apply(head: _Head, scores: NDArray[np.float64]) -> NDArray[np.float64]:
    z = head.a * (scores[:, head.column] + head.bias) + head.c
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(z))
    return out
