"""The compiled factor model gives the scikit-learn pipeline's probabilities."""

from __future__ import annotations

import random

import pytest

from models.articles import WORD
from models.factors import pooled_sentences, pooled_text
from models.fastpath import DIRECTION_THRESHOLD, CompiledFactorModel, PooledBatch
from models.fitting import Example
from models.learned import LearnedAnalyzer


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
    batch = PooledBatch()
    texts: list[str] = []
    for example in corpus[::9]:
        article = analyzer.parse(str(example["title"]), str(example.get("text", "")))
        batch.start_article(article.sentences, article.tokens)
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
    batch = PooledBatch()
    texts = []
    for _ in range(200):
        sentences = [
            " ".join(rng.choice(words) for _ in range(rng.randint(1, 30)))
            for _ in range(rng.randint(1, 6))
        ]
        batch.start_article(sentences, [WORD.findall(s.lower()) for s in sentences])
        batch.add(range(len(sentences)))
        texts.append("\n".join(sentences))
    _assert_same(analyzer, compiled, batch, texts)


def test_empty_batch(analyzer: LearnedAnalyzer) -> None:
    compiled = CompiledFactorModel(analyzer.factor_model, analyzer.factor_names)
    relevance, easing = compiled.predict_pooled(PooledBatch())
    assert relevance.shape == easing.shape == (0, len(analyzer.factor_names))
