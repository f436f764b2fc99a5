"""Prediction without scikit-learn's per-call overhead, read from fitted attributes.

scikit-learn validates inputs on every call (hundreds of microseconds each); the service
analyses thousands of articles a second. The factor pipeline is linear after TF-IDF, so
its fitted vocabularies, IDF weights, logistic coefficients and sigmoid calibrators are
read once into arrays here and applied with numpy. Words become ids (the caller looks
them up, see :meth:`CompiledFactorModel.token_id`), bigrams are looked up as id pairs in
a hash index, each sentence of a batch is featurised once, and one sparse product pools
the sentences of every country's text.
``tests/unit/models/test_fastpath.py`` checks that this agrees with the pipeline.

The sparse products call scipy's compiled CSR kernels directly (see :func:`_product`):
scipy's matrix objects validate and convert their arrays on every construction and
product, tens of microseconds each, which a batch of one article pays a dozen times.
The kernels are the ones scipy's ``@`` runs, so the sums are added in the same order and
the results are the same to the last bit.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any, NamedTuple

import numpy as np
import pandas as pd
from numpy.typing import NDArray
from scipy.sparse import _sparsetools
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from models.factors import LEAD_SENTENCES, FactorClassifier, lead_text, line_ngrams

__all__ = ["DIRECTION_THRESHOLD", "CompiledFactorModel", "PooledBatch", "UnsupportedModel"]

# Below this relevance the text says nothing about the factor and the direction is "none".
DIRECTION_THRESHOLD = 0.5
# Words whose character n-grams are remembered (30-60 MB) before the memory starts afresh.
_CHAR_MEMORY = 200_000

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
        # Word and character n-grams are separate blocks (characters come after words in
        # the FeatureUnion's output), each weighted and normalised on its own.
        n_word = len(word.idf_)
        self._read_word_vocabulary(word.vocabulary_)
        self._char_vocab: dict[str, int] = char.vocabulary_
        self._word_idf: NDArray[np.float64] = word.idf_
        self._char_idf: NDArray[np.float64] = char.idf_
        self._word_sublinear = bool(word.sublinear_tf)
        self._char_sublinear = bool(char.sublinear_tf)
        if char.analyzer != "char_wb" or char.preprocessor is not lead_text:
            raise UnsupportedModel("expected char_wb n-grams of lead_text")
        self._char_min, self._char_max = char.ngram_range
        self._char_grams = _WordGrams(len(char.idf_))
        columns: list[NDArray[np.float64]] = []
        fitted: list[_Head] = []  # the heads in column order
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
                fitted.append(_Head(len(columns), b, a, c))
                heads.append(fitted[-1])
                columns.append(w)
            positive = "easing" if classes & _LABELS == {"easing", "none"} else "escalating"
            if est.direction_ is not None:
                positive = str(est.direction_.classes_[1])
            self._heads.append((name, heads[0], heads[1], est._constant_relevance_, positive))
        # Every head's calibration, in column order, to apply to all heads at once.
        self._head_a = np.array([head.a for head in fitted])
        self._head_bias = np.array([head.bias for head in fitted])
        self._head_c = np.array([head.c for head in fitted])
        weights = np.column_stack(columns) if columns else np.zeros((n_word + len(char.idf_), 0))
        # C order: the kernel reads each n-gram's coefficients as one contiguous row.
        self._word_weights = np.ascontiguousarray(weights[:n_word])
        self._char_weights = np.ascontiguousarray(weights[n_word:])

    def _read_word_vocabulary(self, vocabulary: dict[str, int]) -> None:
        """Token ids, the unigram column of each id, and bigrams as id-pair codes."""
        tokens = sorted({token for gram in vocabulary for token in gram.split(" ")})
        self._token_ids = {token: i for i, token in enumerate(tokens)}
        self._unknown = len(tokens)  # the id of every token outside the vocabulary
        self._unigram_columns = np.full(len(tokens) + 1, -1, dtype=np.int64)
        codes: list[int] = []
        columns: list[int] = []
        for gram, column in vocabulary.items():
            parts = [self._token_ids[t] for t in gram.split(" ")]
            if len(parts) == 1:
                self._unigram_columns[parts[0]] = column
            elif len(parts) == 2:
                codes.append(self._pair_code(parts[0], parts[1]))
                columns.append(column)
            else:
                raise UnsupportedModel(f"n-gram longer than two words: {gram!r}")
        # A hash index finds a batch's pairs several times faster than a binary search;
        # its table is built on first use, so it is built here, before threads share it.
        self._bigram_codes = pd.Index(np.asarray(codes, dtype=np.int64))
        self._bigram_codes.get_indexer(self._bigram_codes[:1])
        self._bigram_columns = np.asarray(columns, dtype=np.int64)

    def _pair_code(self, first: Any, second: Any) -> Any:
        """One integer per (token id, token id) pair, unknown ids included."""
        return first * (self._unknown + 1) + second

    def token_id(self, token: str) -> int:
        """The id of a lower-cased word token, one id for every word outside the vocabulary."""
        return self._token_ids.get(token, self._unknown)

    def word_terms(
        self, ids: NDArray[np.int64], lengths: NDArray[np.intp]
    ) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """The word unigrams and bigrams of tokenised sentences, as (sentence, column) pairs.

        Parameters
        ----------
        ids : ndarray of int
            :meth:`token_id` of every token of the sentences, one sentence after another.
        lengths : ndarray of int
            The number of tokens of each sentence.

        Returns
        -------
        rows, columns : ndarray of int
            One pair per n-gram occurrence in the vocabulary (repeats kept); bigrams
            never span two sentences.
        """
        sentence_of = np.repeat(np.arange(len(lengths)), lengths)
        unigrams = self._unigram_columns[ids]
        known = unigrams >= 0
        rows = [sentence_of[known]]
        columns = [unigrams[known]]
        if len(ids) > 1:
            within = sentence_of[:-1] == sentence_of[1:]
            where = self._bigram_codes.get_indexer(self._pair_code(ids[:-1], ids[1:])[within])
            found = where >= 0
            rows.append(sentence_of[:-1][within][found])
            columns.append(self._bigram_columns[where[found]])
        return np.concatenate(rows), np.concatenate(columns)

    def lead_char_counts(self, leads: Sequence[str]) -> _Csr:
        """Counts of the character n-grams of lead sentences, one row per sentence.

        The same n-grams as the fitted ``char_wb`` vectorizer reading
        :func:`~models.factors.lead_text`. A word's n-grams are generated once and kept
        as a row of a growing matrix (news reuses its words, and generating n-grams is
        the costly part), so one sparse product (sentences x words) @ (words x n-grams)
        adds them up.
        """
        words = [lead_text(lead).split() for lead in leads]
        flat = list(chain.from_iterable(words))
        grams = self._char_grams
        if len(grams.rows) >= _CHAR_MEMORY:
            grams = self._char_grams = _WordGrams(len(self._char_idf))
        try:
            rows = np.fromiter(map(grams.rows.__getitem__, flat), dtype=np.int32, count=len(flat))
        except KeyError:
            grams.add([w for w in flat if w not in grams.rows], self._word_char_terms)
            rows = np.fromiter(map(grams.rows.__getitem__, flat), dtype=np.int32, count=len(flat))
        matrix = grams.matrix  # read after the lookups: it has every row they found
        indptr = np.zeros(len(words) + 1, dtype=np.int32)
        np.cumsum(np.fromiter(map(len, words), dtype=np.int32, count=len(words)), out=indptr[1:])
        _check_int32(len(rows), len(matrix.indptr) - 1)
        lead_words = _Csr(indptr, rows, np.ones(len(rows)), len(matrix.indptr) - 1)
        return _product(lead_words, matrix)

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
        # Each head's p = expit(-(a * (x @ w + b) + c)), all heads in one pass.
        proba = 1.0 / (1.0 + np.exp(self._head_a * (scores + self._head_bias) + self._head_c))
        n = scores.shape[0]
        relevance = np.empty((n, len(self._heads)))
        easing = np.zeros((n, len(self._heads)), dtype=bool)
        for j, (_, rel, direction, constant, positive) in enumerate(self._heads):
            relevance[:, j] = constant if rel is None else proba[:, rel.column]
            if direction is None:
                easing[:, j] = positive == "easing"
            else:
                up = proba[:, direction.column]
                if positive != "escalating":
                    up = 1.0 - up
                easing[:, j] = up < 0.5
        return relevance, easing

    def _pooled_scores(self, batch: PooledBatch) -> NDArray[np.float64]:
        """Linear scores of every pooled text's TF-IDF features (one column per head).

        Sparse products count the terms of all texts at once: (texts x sentences) @
        (sentences x word n-grams), over the sentences some text pools, and (texts x
        lead sentences) @ (lead sentences x character n-grams). TF-IDF weighting and L2
        normalisation then act on each block's entries as the fitted vectorizers do, and
        products with the coefficients give the scores.
        """
        texts, sentences, places = batch.pairs()
        used, pieces = _present(sentences, len(batch.lengths))
        n_used = int(np.count_nonzero(used))
        word_counts = _product(
            _ones(texts, pieces, (batch.n_texts, n_used)),
            _ones(
                *self.word_terms(
                    batch.token_ids[np.repeat(used, batch.lengths)], batch.lengths[used]
                ),
                (n_used, len(self._word_idf)),
            ),
        )
        lead = places < LEAD_SENTENCES
        is_lead, lead_pieces = _present(sentences[lead], len(batch.lengths))
        leads = np.flatnonzero(is_lead)
        char_counts = _product(
            _ones(texts[lead], lead_pieces, (batch.n_texts, len(leads))),
            self.lead_char_counts([batch.sentences[i] for i in leads.tolist()]),
        )
        words = _tfidf(word_counts, self._word_idf, self._word_sublinear)
        chars = _tfidf(char_counts, self._char_idf, self._char_sublinear)
        scores: NDArray[np.float64] = _times_dense(words, self._word_weights) + _times_dense(
            chars, self._char_weights
        )
        return scores


class PooledBatch:
    """The pooled texts of a batch of articles, as the batch's sentences each keeps.

    Every sentence of the batch is featurised once, however many countries' texts pool
    it, from the token ids of all its sentences; so are the lead sentences (whose
    character n-grams count).

    Parameters
    ----------
    token_ids : ndarray of int
        :meth:`CompiledFactorModel.token_id` of every token of the batch's sentences,
        one sentence after another (articles in order, each title first).
    lengths : ndarray of int
        The number of tokens of each sentence.
    sentences : sequence of str
        The sentences themselves, in the same order.
    """

    def __init__(
        self, token_ids: NDArray[np.int64], lengths: NDArray[np.intp], sentences: Sequence[str]
    ) -> None:
        self.token_ids = token_ids
        self.lengths = lengths
        self.sentences = sentences
        self._kept: list[Sequence[int]] = []
        self._firsts: list[int] = []  # per text: its article's title among the sentences
        self._first = 0

    @property
    def n_texts(self) -> int:
        return len(self._kept)

    def start_article(self, first: int) -> None:
        """Make the article whose title is sentence ``first`` the one :meth:`add` pools."""
        self._first = first

    def add(self, keep: Sequence[int]) -> int:
        """Pool the current article's sentences ``keep`` (title first); returns its row.

        Word n-grams come from every kept sentence, character n-grams from the first
        :data:`~models.factors.LEAD_SENTENCES` only, as :func:`~models.factors.lead_text`
        reads a pooled text.
        """
        self._kept.append(keep)
        self._firsts.append(self._first)
        return len(self._kept) - 1

    def pairs(self) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
        """Every (text, sentence) pair, text by text in pooled order, and its place in the
        text (0 for the title)."""
        counts = np.fromiter(map(len, self._kept), dtype=np.intp, count=self.n_texts)
        total = int(counts.sum())
        sentences = np.fromiter(chain.from_iterable(self._kept), dtype=np.intp, count=total)
        sentences += np.repeat(np.asarray(self._firsts, dtype=np.intp), counts)
        places = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
        return np.repeat(np.arange(self.n_texts), counts), sentences, places


class _WordGrams:
    """The character n-gram columns of words, one row per word of a growing sparse matrix.

    Threads may share it: a writer holds the lock, writes its words' rows past the
    published ones, publishes the longer ``matrix`` and only then the words' ``rows``; so
    a reader that found its words and then reads ``matrix`` has their rows, which never
    change once written.

    Parameters
    ----------
    n_columns : int
        The number of character n-gram columns.
    """

    def __init__(self, n_columns: int) -> None:
        self.rows: dict[str, int] = {}
        self.matrix = _Csr(
            np.zeros(1, dtype=np.int32), np.zeros(0, dtype=np.int32), np.ones(0), n_columns
        )
        self._lock = threading.Lock()
        self._indptr = np.zeros(1024, dtype=np.int32)
        self._indices = np.zeros(16 * 1024, dtype=np.int32)
        self._ones = np.ones(len(self._indices))

    def add(self, words: Sequence[str], columns_of: Callable[[str], list[int]]) -> None:
        """Give each of ``words`` not yet here a row: its n-gram columns, ``columns_of`` it."""
        with self._lock:
            new = [w for w in dict.fromkeys(words) if w not in self.rows]
            columns = [columns_of(w) for w in new]
            counts = np.fromiter(map(len, columns), dtype=np.int64, count=len(columns))
            n_words, n_entries = len(self.rows), int(self.matrix.indptr[-1])
            words_end, entries_end = n_words + len(new), n_entries + int(counts.sum())
            _check_int32(entries_end, self.matrix.n_columns)
            self._indptr = _with_room(self._indptr, words_end + 1)
            self._indices = _with_room(self._indices, entries_end)
            if len(self._ones) < len(self._indices):
                self._ones = np.ones(len(self._indices))
            self._indptr[n_words + 1 : words_end + 1] = n_entries + np.cumsum(counts)
            self._indices[n_entries:entries_end] = np.fromiter(
                chain.from_iterable(columns), dtype=np.int32, count=entries_end - n_entries
            )
            self.matrix = self.matrix._replace(
                indptr=self._indptr[: words_end + 1],
                indices=self._indices[:entries_end],
                data=self._ones[:entries_end],
            )
            self.rows.update(zip(new, range(n_words, words_end), strict=True))


def _with_room(array: NDArray[np.int32], size: int) -> NDArray[np.int32]:
    """``array``, or a copy at least twice as long when it is shorter than ``size``."""
    if len(array) >= size:
        return array
    bigger = np.zeros(max(size, 2 * len(array)), dtype=array.dtype)
    bigger[: len(array)] = array
    return bigger


def _present(items: NDArray[np.intp], n: int) -> tuple[NDArray[np.bool_], NDArray[np.intp]]:
    """Which of ``range(n)`` occur in ``items``, and each item's rank among those."""
    present = np.zeros(n, dtype=bool)
    present[items] = True
    return present, (np.cumsum(present) - 1)[items]


_INT32_MAX = int(np.iinfo(np.int32).max)


class _Csr(NamedTuple):
    """A CSR matrix as scipy's kernels take it: row pointers, columns, values, width."""

    indptr: NDArray[np.int32]
    indices: NDArray[np.int32]
    data: NDArray[np.float64]
    n_columns: int

    @property
    def shape(self) -> tuple[int, int]:
        """(rows, columns): scikit-learn's normaliser reads it."""
        return len(self.indptr) - 1, self.n_columns


def _check_int32(nnz: int, n_columns: int) -> None:
    """The kernels are called with 32-bit indices (scipy's ``@`` would switch to 64-bit):
    refuse sizes that would overflow them instead of reading out of bounds."""
    if nnz > _INT32_MAX or n_columns > _INT32_MAX:
        raise OverflowError(f"{nnz} entries x {n_columns} columns exceed 32-bit indices")


def _ones(
    rows: NDArray[np.integer[Any]], columns: NDArray[np.integer[Any]], shape: tuple[int, int]
) -> _Csr:
    """A CSR matrix with a 1 at each (row, column) pair; repeated pairs add up.

    Built directly from the pairs sorted by row, without a conversion from coordinates
    (which also sorts and merges every row's columns: the products that use these
    matrices add repeats up anyway).
    """
    _check_int32(len(rows), shape[1])
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(shape[0] + 1, dtype=np.int32)
    np.cumsum(np.bincount(rows, minlength=shape[0]), out=indptr[1:])
    indices = columns[order].astype(np.int32, copy=False)
    return _Csr(indptr, indices, np.ones(len(order)), shape[1])


def _product(left: _Csr, right: _Csr) -> _Csr:
    """``left @ right`` by scipy's own kernel (see the module docstring).

    Each row's columns come out in the kernel's order (not sorted), as from ``@``.
    """
    if left.n_columns != len(right.indptr) - 1:
        raise ValueError(
            f"cannot multiply {left.n_columns} columns by {len(right.indptr) - 1} rows"
        )
    n_rows = len(left.indptr) - 1
    # Room for every (left entry, right entry) pair: a bound, not the exact count that
    # scipy's first pass over the matrices works out, read from only the right rows the
    # left entries use (the right matrix may be every word's n-grams).
    nnz = int((right.indptr[left.indices + 1] - right.indptr[left.indices]).sum())
    _check_int32(nnz, right.n_columns)
    indptr = np.empty(n_rows + 1, dtype=np.int32)
    indices = np.empty(nnz, dtype=np.int32)
    data = np.empty(nnz)
    _sparsetools.csr_matmat(
        n_rows,
        right.n_columns,
        left.indptr,
        left.indices,
        left.data,
        right.indptr,
        right.indices,
        right.data,
        indptr,
        indices,
        data,
    )
    end = int(indptr[-1])  # the bound's unused room is dropped
    return _Csr(indptr, indices[:end], data[:end], right.n_columns)


def _times_dense(matrix: _Csr, dense: NDArray[np.float64]) -> NDArray[np.float64]:
    """``matrix @ dense`` by scipy's own kernel (``dense`` is read row-major)."""
    if matrix.n_columns != dense.shape[0]:
        raise ValueError(f"cannot multiply {matrix.n_columns} columns by {dense.shape[0]} rows")
    n_rows = len(matrix.indptr) - 1
    out = np.zeros((n_rows, dense.shape[1]))
    _sparsetools.csr_matvecs(
        n_rows,
        matrix.n_columns,
        dense.shape[1],
        matrix.indptr,
        matrix.indices,
        matrix.data,
        dense.ravel(),
        out.ravel(),
    )
    return out


def _tfidf(counts: _Csr, idf: NDArray[np.float64], sublinear: bool) -> _Csr:
    """Counts weighted as the fitted TfidfVectorizer does, (1 + log tf) * idf, then each row
    scaled to unit L2 norm by scikit-learn's own kernel; overwrites the counts' values."""
    values = counts.data
    if sublinear:
        np.log(values, out=values)
        values += 1.0
    values *= idf.take(counts.indices)
    inplace_csr_row_normalize_l2(counts)
    return counts
