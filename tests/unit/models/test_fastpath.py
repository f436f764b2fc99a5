"""The compiled factor model gives the scikit-learn pipeline's probabilities."""

from __future__ import annotations

import random
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from scipy import sparse

from models.articles import WORD
from models.factors import pooled_sentences, pooled_text
from models.fastpath import (
    DIRECTION_THRESHOLD,
    CompiledFactorModel,
    PooledBatch,
    _Csr,
    _ones,
    _product,
    _times_dense,
)
from models.fitting import Example
from models.learned import LearnedAnalyzer


def _batch(
    compiled: CompiledFactorModel, tokens: list[Sequence[str]], sentences: list[str]
) -> PooledBatch:
    """A batch over sentences and their tokens (one article after another)."""
    ids = [compiled.token_id(token) for words in tokens for token in words]
    lengths = np.array([len(words) for words in tokens], dtype=np.intp)
    return PooledBatch(np.array(ids, dtype=np.int64), lengths, sentences)


def _assert_same(
    analyzer: LearnedAnalyzer, compiled: CompiledFactorModel, batch: PooledBatch, texts: list[str]
) -> None:
    relevance, easing = compiled.predict_pooled(batch)
    assert relevance.shape == (len(texts), len(analyzer.factor_names))
    for i, readings in enumerate(analyzer.factor_readings(texts)):
        for j, name in enumerate(analyzer.factor_names):
            p, direction = readings[name]
            assert relevance[i, j] == pytest.approx(p, abs=1e-9)
            if p >= DIRECTION_THRESHOLD:
                assert ("easing" if easing[i, j] else "escalating") == direction


def test_pooled_country_texts_equal_the_pipeline(
    analyzer: LearnedAnalyzer, corpus: list[Example]
) -> None:
    compiled = CompiledFactorModel(analyzer.factor_model, analyzer.factor_names)
    articles = [
        analyzer.parse(str(example["title"]), str(example.get("text", "")))
        for example in corpus[::9]
    ]
    batch = _batch(
        compiled,
        [tokens for article in articles for tokens in article.tokens],
        [sentence for article in articles for sentence in article.sentences],
    )
    texts: list[str] = []
    first = 0
    for article in articles:
        batch.start_article(first)
        first += len(article.sentences)
        named = [{m.iso2 for m in found} for found in article.mentions]
        for iso2 in article.countries:
            for subject in (True, False):
                keep = pooled_sentences(named, iso2, subject=subject)
                assert batch.add(keep) == len(texts)
                texts.append(pooled_text(article, iso2, subject=subject))
    assert len(texts) > 100
    _assert_same(analyzer, compiled, batch, texts)


def test_random_texts_equal_the_pipeline(analyzer: LearnedAnalyzer) -> None:
    compiled = CompiledFactorModel(analyzer.factor_model, analyzer.factor_names)
    words = sorted(
        t
        for t in analyzer.factor_model.named_steps["features"].transformer_list[0][1].vocabulary_
        if " " not in t
    )
    rng = random.Random(0)
    articles = [
        [
            " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
            for _ in range(rng.randint(1, 6))
        ]
        for _ in range(200)
    ]
    every = [sentence for article in articles for sentence in article]
    batch = _batch(compiled, [WORD.findall(s.lower()) for s in every], every)
    first = 0
    for sentences in articles:
        batch.start_article(first)
        batch.add(range(len(sentences)))
        first += len(sentences)
    _assert_same(analyzer, compiled, batch, ["\n".join(a) for a in articles])


def _corpus_batches(
    compiled: CompiledFactorModel, corpus: list[Example], n_batches: int
) -> list[PooledBatch]:
    """Batches of whole corpus examples, each pooled as one text."""
    texts = [[str(e["title"]), str(e.get("text", ""))] for e in corpus]
    batches = []
    for part in range(n_batches):
        articles = texts[part::n_batches]
        every = [sentence for article in articles for sentence in article]
        batch = _batch(compiled, [WORD.findall(s.lower()) for s in every], every)
        for i in range(len(articles)):
            batch.start_article(2 * i)
            batch.add([0, 1])
        batches.append(batch)
    return batches


def test_word_ngrams_survive_a_full_memory(
    analyzer: LearnedAnalyzer, corpus: list[Example], monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = CompiledFactorModel(analyzer.factor_model, analyzer.factor_names)
    batches = _corpus_batches(compiled, corpus, 4)
    expected = [compiled.predict_pooled(batch)[0] for batch in batches]
    monkeypatch.setattr("models.fastpath._CHAR_MEMORY", 50)
    fresh = CompiledFactorModel(analyzer.factor_model, analyzer.factor_names)
    for batch, relevance in zip(batches * 2, expected * 2, strict=True):
        assert np.array_equal(fresh.predict_pooled(batch)[0], relevance)


def test_threads_share_the_word_ngrams(analyzer: LearnedAnalyzer, corpus: list[Example]) -> None:
    batches = _corpus_batches(
        CompiledFactorModel(analyzer.factor_model, analyzer.factor_names), corpus, 16
    )
    alone = CompiledFactorModel(analyzer.factor_model, analyzer.factor_names)
    expected = [alone.predict_pooled(batch)[0] for batch in batches]
    shared = CompiledFactorModel(analyzer.factor_model, analyzer.factor_names)
    with ThreadPoolExecutor(4) as pool:
        found = list(pool.map(lambda batch: shared.predict_pooled(batch)[0], batches))
    assert all(map(np.array_equal, found, expected))


def test_empty_batch(analyzer: LearnedAnalyzer) -> None:
    compiled = CompiledFactorModel(analyzer.factor_model, analyzer.factor_names)
    relevance, easing = compiled.predict_pooled(_batch(compiled, [], []))
    assert relevance.shape == easing.shape == (0, len(analyzer.factor_names))


def _random_csr(rng: np.random.Generator, shape: tuple[int, int], n: int) -> _Csr:
    """A matrix of ones at random (row, column) pairs, repeats included."""
    rows = rng.integers(0, shape[0], n)
    return _ones(rows, rng.integers(0, shape[1], n), shape)


def test_kernels_give_scipys_products_bit_for_bit() -> None:
    """The direct kernel calls keep scipy's entry order, so sums round the same way."""
    rng = np.random.default_rng(0)
    for n_left, n_inner, n_right in [(1, 1, 1), (3, 7, 50), (40, 90, 300), (5, 0, 4)]:
        left = _random_csr(rng, (n_left, n_inner), 4 * n_left if n_inner else 0)
        right = _random_csr(rng, (n_inner, n_right), 6 * n_inner)
        product = _product(left, right)
        as_scipy = sparse.csr_matrix((left.data, left.indices, left.indptr), (n_left, n_inner))
        expected = as_scipy @ sparse.csr_matrix(
            (right.data, right.indices, right.indptr), (n_inner, n_right)
        )
        assert np.array_equal(product.indptr, expected.indptr)
        assert np.array_equal(product.indices, expected.indices)
        assert np.array_equal(product.data, expected.data)
        dense = rng.normal(size=(n_right, 6))
        scaled = product._replace(data=rng.normal(size=len(product.data)))
        expected_dense = (
            sparse.csr_matrix((scaled.data, scaled.indices, scaled.indptr), (n_left, n_right))
            @ dense
        )
        assert np.array_equal(_times_dense(scaled, dense), expected_dense)


def test_kernels_refuse_what_they_would_read_out_of_bounds() -> None:
    """scipy's ``@`` checks shapes and widens indices; the direct calls must refuse instead."""
    rng = np.random.default_rng(0)
    left, right = _random_csr(rng, (2, 3), 4), _random_csr(rng, (4, 5), 4)
    with pytest.raises(ValueError, match="cannot multiply 3 columns by 4 rows"):
        _product(left, right)
    with pytest.raises(ValueError, match="cannot multiply 3 columns by 2 rows"):
        _times_dense(left, np.ones((2, 2)))
    with pytest.raises(OverflowError, match="32-bit"):
        _ones(np.zeros(1, dtype=np.int64), np.zeros(1, dtype=np.int64), (1, 2**31))
