"""Prediction without scikit-learn's per-call overhead, read from fitted attributes.

scikit-learn validates inputs on every call (hundreds of microseconds each); the service
analyses thousands of articles a second. The factor pipeline is linear after TF-IDF, so
its fitted vocabularies, IDF weights, logistic coefficients and sigmoid calibrators are
read once into arrays here and applied with numpy. Each sentence is featurised once and
pooled per country. ``tests/unit/models`` checks that this agrees with the pipeline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
from numpy.typing import NDArray
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

    def sentence_terms(self, sentence: str) -> list[int]:
        """Vocabulary indices of a sentence's word n-grams (repeats kept)."""
        get = self._word_vocab.get
        return [i for i in map(get, line_ngrams(sentence)) if i is not None]

    def char_terms(self, text: str) -> list[int]:
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
        scores = _pooled_scores(
            batch.word_sentences,
            batch.word_pools,
            self._word_idf,
            self._word_weights,
            self._word_sublinear,
        )
        scores += _pooled_scores(
            batch.char_sentences,
            batch.char_pools,
            self._char_idf,
            self._char_weights,
            self._char_sublinear,
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


class PooledBatch:
    """The pooled texts of a batch of articles, each a list of its sentences' ids.

    A sentence is featurised once however many countries' texts pool it: its word and
    character terms are stored once per article in ``word_sentences`` /
    ``char_sentences`` and a pooled text lists the ids of its sentences there.

    Parameters
    ----------
    model : CompiledFactorModel
        The model whose vocabularies featurise the sentences.
    """

    def __init__(self, model: CompiledFactorModel) -> None:
        self._model = model
        self.word_sentences: list[list[int]] = []
        self.char_sentences: list[list[int]] = []
        self.word_pools: list[list[int]] = []
        self.char_pools: list[list[int]] = []
        self._sentences: Sequence[str] = ()
        self._word_ids: dict[int, int] = {}
        self._char_ids: dict[int, int] = {}

    def start_article(self, sentences: Sequence[str]) -> None:
        """Make ``sentences`` the ones that following :meth:`add` calls index."""
        self._sentences = sentences
        self._word_ids = {}
        self._char_ids = {}

    def add(self, keep: Sequence[int]) -> int:
        """Pool the current article's sentences ``keep`` (title first); returns its row.

        Word n-grams come from every kept sentence, character n-grams from the first
        :data:`~models.factors.LEAD_SENTENCES` only, as :func:`~models.factors.lead_text`
        reads a pooled text.
        """
        self.word_pools.append(
            [_intern(j, self._word_ids, self.word_sentences, self._word_terms) for j in keep]
        )
        self.char_pools.append(
            [
                _intern(j, self._char_ids, self.char_sentences, self._char_terms)
                for j in keep[:LEAD_SENTENCES]
            ]
        )
        return len(self.word_pools) - 1

    def _word_terms(self, j: int) -> list[int]:
        return self._model.sentence_terms(self._sentences[j])

    def _char_terms(self, j: int) -> list[int]:
        return self._model.char_terms(self._sentences[j])


def _intern(
    j: int, ids: dict[int, int], table: list[list[int]], terms: Callable[[int], list[int]]
) -> int:
    """The row of sentence ``j`` in ``table``, featurising it on first use."""
    row = ids.get(j)
    if row is None:
        row = ids[j] = len(table)
        table.append(terms(j))
    return row


def _pooled_scores(
    sentences: list[list[int]],
    pools: list[list[int]],
    idf: NDArray[np.float64],
    weights: NDArray[np.float64],
    sublinear: bool,
) -> NDArray[np.float64]:
    """Linear scores of L2-normalised TF-IDF vectors, each pooled from sentence terms.

    Every (pooled text, term) pair of the batch becomes one integer key; counting the
    keys gives each text's term counts, which TF-IDF weights and normalises as
    :class:`~sklearn.feature_extraction.text.TfidfVectorizer` does. Plain numpy: a
    sparse-matrix library's per-call checks would cost more than the work for one article.
    """
    n = len(pools)
    out = np.zeros((n, weights.shape[1]))
    lengths = _lengths(sentences)
    flat = np.fromiter(chain.from_iterable(sentences), dtype=np.intp, count=int(lengths.sum()))
    pool_sizes = _lengths(pools)
    pooled = np.fromiter(chain.from_iterable(pools), dtype=np.intp, count=int(pool_sizes.sum()))
    # Spell out each pooled text as its sentences' terms, one after the other.
    taken = lengths[pooled]
    total = int(taken.sum())
    if total == 0:
        return out
    first = np.cumsum(lengths) - lengths
    positions = np.arange(total) + np.repeat(first[pooled] - (np.cumsum(taken) - taken), taken)
    text_of_term = np.repeat(np.repeat(np.arange(n), pool_sizes), taken)
    vocab = len(idf)
    keys, counts = np.unique(text_of_term * vocab + flat[positions], return_counts=True)
    rows, index = np.divmod(keys, vocab)
    tf = 1.0 + np.log(counts) if sublinear else counts.astype(np.float64)
    values = tf * idf[index]
    values /= np.sqrt(np.bincount(rows, values * values, minlength=n))[rows]
    # Keys are sorted, so each text's entries are contiguous: sum them run by run.
    starts = np.flatnonzero(np.diff(rows, prepend=-1))
    out[rows[starts]] = np.add.reduceat(values[:, None] * weights[index], starts, axis=0)
    return out


def _lengths(rows: list[list[int]]) -> NDArray[np.intp]:
    return np.fromiter(map(len, rows), dtype=np.intp, count=len(rows))


def _apply(head: _Head, scores: NDArray[np.float64]) -> NDArray[np.float64]:
    z = head.a * (scores[:, head.column] + head.bias) + head.c
    out: NDArray[np.float64] = 1.0 / (1.0 + np.exp(z))
    return out
