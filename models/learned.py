"""The learned analyser: attribution gates factor readings so only subjects carry risk.

A country's factor probability is ``P(subject) * P(factor | its pooled sentences)``: the
chance that the article reports a change in that factor *in that country*. Scoring
multiplies it by the country's weight and the direction's sign, so an actor ("France
withdraws its diplomats") or a bystander ("like neighbouring Niger") adds nothing to its
own scores however alarming the sentences that name it are.
"""

from __future__ import annotations

import gc
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice

import numpy as np
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline

from models.analysis import Analysis, CountryAnalysis, Direction, FactorReading, Role
from models.articles import ParsedArticle, TokenCodes, parse_article
from models.attribution import decode_roles
from models.factors import pooled_sentences, pooled_text
from models.fastpath import DIRECTION_THRESHOLD, CompiledFactorModel, PooledBatch
from models.gazetteer import Gazetteer, default_gazetteer
from models.mention_features import FEATURE_NAMES, article_features
from models.mention_patterns import CUE_BITS, cue_kinds, sentence_kinds

__all__ = ["MIN_SUBJECT_PROBABILITY", "NON_SUBJECT_GATE", "LearnedAnalyzer"]

_ROLES: tuple[Role, ...] = ("subject", "actor", "mentioned")
_SUBJECT, _ACTOR = _ROLES.index("subject"), _ROLES.index("actor")
_DIRECTIONS: tuple[Direction, ...] = ("none", "escalating", "easing")
# Countries less likely than this to be the subject get no factor pass (all zeros): their
# gated probabilities could not exceed it, far below any threshold a reader acts on, and
# the pass is most of the cost.
MIN_SUBJECT_PROBABILITY = 0.05
# A country the decoding did not make the subject keeps this share of its subject
# probability as its factor gate: the role decision, not just the score, silences
# actors and bystanders. Chosen by corpus cross-validation.
NON_SUBJECT_GATE = 0.5
# The countries a sentence with no mention names (shared, never modified).
_NONE: frozenset[str] = frozenset()
# Articles analysed together: enough to share numpy's per-call costs, few enough that
# the batch's intermediate arrays stay small.
BATCH_SIZE = 256


class LearnedAnalyzer:
    """Analyzer backed by a fitted attribution pipeline and a fitted factor pipeline.

    Parameters
    ----------
    role_model : Pipeline
        ``MentionFeaturizer`` + ``RoleClassifier``, fitted; classes are role names.
    factor_model : Pipeline
        :func:`models.factors.build_factor_pipeline`, fitted on pooled texts.
    factor_names : sequence of str
        Factor names in the column order of the factor model's targets.
    version : str
        Model version reported in every analysis.
    gazetteer : Gazetteer, optional
        The country matcher; the shared default when omitted.
    """

    def __init__(
        self,
        role_model: Pipeline,
        factor_model: Pipeline,
        factor_names: Sequence[str],
        version: str,
        gazetteer: Gazetteer | None = None,
    ) -> None:
        self.role_model = role_model
        self.factor_model = factor_model
        self.factor_names = tuple(factor_names)
        self._version = version
        self._gazetteer = gazetteer or default_gazetteer()
        classifier = role_model.named_steps["roles"]
        featurizer = role_model.named_steps["features"]
        classes = list(classifier.classes_)
        order = [classes.index(r) if r in classes else -1 for r in _ROLES]
        self._role_coef = np.vstack(
            [classifier.coef_[j] if j >= 0 else np.zeros(classifier.coef_.shape[1]) for j in order]
        )
        self._role_bias = np.array([classifier.intercept_[j] if j >= 0 else -50.0 for j in order])
        role_features = [str(n) for n in featurizer.feature_names_out_]
        unknown = set(role_features) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"role model uses features this code lacks: {sorted(unknown)}")
        self._role_columns = [FEATURE_NAMES.index(n) for n in role_features]
        self._compiled = CompiledFactorModel(factor_model, self.factor_names)
        self._token_codes = TokenCodes(self._token_code)
        self._silent = {name: FactorReading(0.0, "none") for name in self.factor_names}
        # Every reading there can be, shared: the one of probability k / 1000 and direction
        # code d is at k * len(_DIRECTIONS) + d.
        self._readings = [
            FactorReading(p, direction)
            for p in (np.arange(1001) / 1000).tolist()
            for direction in _DIRECTIONS
        ]

    @property
    def model_version(self) -> str:
        return self._version

    def with_version(self, version: str) -> LearnedAnalyzer:
        """The same models reporting another version (the registry names them on save)."""
        return LearnedAnalyzer(
            self.role_model, self.factor_model, self.factor_names, version, self._gazetteer
        )

    def parse(self, title: str, text: str) -> ParsedArticle:
        """Sentences and country mentions of an article."""
        return parse_article(title, text, self._gazetteer)

    def role_proba(self, article: ParsedArticle) -> dict[str, NDArray[np.float64]]:
        """Probabilities of (subject, actor, mentioned) per country in the article."""
        (countries,), features = article_features([article])
        proba = self._role_probabilities(features)
        return {c: proba[i] for i, c in enumerate(countries)}

    def factor_readings(self, texts: Sequence[str]) -> list[dict[str, tuple[float, Direction]]]:
        """Relevance and direction per factor for pooled texts, through the sklearn pipeline.

        The reference path (slow); :meth:`analyze` uses the compiled equivalent.
        """
        if not texts:
            return []
        out: list[dict[str, tuple[float, Direction]]] = [{} for _ in texts]
        probas = self.factor_model.predict_proba(list(texts))
        estimators = self.factor_model.named_steps["factors"].estimators_
        for name, est, proba in zip(self.factor_names, estimators, probas, strict=True):
            classes = list(est.classes_)
            for i in range(len(texts)):
                p = 1.0 - float(proba[i, classes.index("none")])
                up = float(proba[i, classes.index("escalating")])
                down = float(proba[i, classes.index("easing")])
                direction: Direction = "none"
                if p >= DIRECTION_THRESHOLD:
                    direction = "easing" if down > up else "escalating"
                out[i][name] = (p, direction)
        return out

    def analyze(self, title: str, text: str) -> Analysis:
        """Countries in the article with role, weight and gated factor readings.

        Parameters
        ----------
        title : str
            The headline.
        text : str
            The body (may be empty).

        Returns
        -------
        Analysis
            One entry per country, most weighted first.
        """
        return self.analyze_many([(title, text)])[0]

    def analyze_many(self, articles: Iterable[tuple[str, str]]) -> list[Analysis]:
        """:meth:`analyze` for many articles, :data:`BATCH_SIZE` at a time.

        Parameters
        ----------
        articles : iterable of (str, str)
            ``(title, text)`` pairs.

        Returns
        -------
        list of Analysis
            One per article, in order.
        """
        out: list[Analysis] = []
        pairs = iter(articles)
        while batch := list(islice(pairs, BATCH_SIZE)):
            with _collector_paused():
                out += self._analyze_batch(batch)
        return out

    def _analyze_batch(self, pairs: list[tuple[str, str]]) -> list[Analysis]:
        """Parse, attribute and read the factors of a batch, each stage over all of it."""
        parsed = [parse_article(title, text, self._gazetteer) for title, text in pairs]
        sentences = [tokens for article in parsed for tokens in article.tokens]
        lengths = np.fromiter(map(len, sentences), dtype=np.intp, count=len(sentences))
        codes = self._token_codes.of(sentences, int(lengths.sum()))
        countries, features = article_features(
            parsed, sentence_kinds(codes & ((1 << CUE_BITS) - 1), lengths)
        )
        proba = self._role_probabilities(features)
        sizes = [len(found) for found in countries]
        roles = decode_roles(proba, sizes)
        subject_p = proba[:, 0]
        scored = np.flatnonzero(subject_p >= MIN_SUBJECT_PROBABILITY)
        batch = PooledBatch(
            codes >> CUE_BITS, lengths, [s for article in parsed for s in article.sentences]
        )
        _pool(batch, parsed, countries, roles.tolist(), scored.tolist())
        gates = subject_p[scored] * np.where(roles[scored] == _SUBJECT, 1.0, NON_SUBJECT_GATE)
        readings = [*self._gated_readings(batch, gates), self._silent]  # [-1]: silent
        text_of = np.full(len(subject_p), -1)  # per country: its pooled text, or -1
        text_of[scored] = np.arange(len(scored))
        return self._analyses(countries, roles, _weights(subject_p, sizes), text_of, readings)

    def _analyses(
        self,
        countries: Sequence[Sequence[str]],
        roles: NDArray[np.intp],
        weights: NDArray[np.float64],
        text_of: NDArray[np.intp],
        readings: list[dict[str, FactorReading]],
    ) -> list[Analysis]:
        """Each article's countries, most weighted first (then by code), from per-country
        columns over the batch (articles one after the other)."""
        codes = [iso2 for found in countries for iso2 in found]
        article_of = np.repeat(np.arange(len(countries)), [len(found) for found in countries])
        order = np.lexsort((np.array(codes, dtype=str), -weights, article_of)).tolist()
        labels, shares, texts = roles.tolist(), weights.tolist(), text_of.tolist()
        ranked = [
            CountryAnalysis(codes[i], _ROLES[labels[i]], shares[i], readings[texts[i]])
            for i in order
        ]
        out: list[Analysis] = []
        first = 0
        for found in countries:
            out.append(Analysis(self._version, ranked[first : first + len(found)]))
            first += len(found)
        return out

    def _token_code(self, token: str) -> int:
        """A token's factor-model id and cue kinds in one int: one lookup serves both stages."""
        return self._compiled.token_id(token) << CUE_BITS | cue_kinds(token)

    def _gated_readings(
        self, batch: PooledBatch, gates: NDArray[np.float64]
    ) -> list[dict[str, FactorReading]]:
        """Factor readings of every pooled text of the batch, scaled by its gate."""
        relevance, easing = self._compiled.predict_pooled(batch)
        gated = (gates[:, None] * relevance).round(3)
        # 0 none, 1 escalating, 2 easing
        directions = ((gated > 0.0) & (relevance >= DIRECTION_THRESHOLD)) * (1 + easing)
        # Rounded to three decimals, a gated probability is k / 1000 for an integer k.
        keys = np.rint(gated * 1000).astype(np.intp) * len(_DIRECTIONS) + directions
        names, reading = self.factor_names, self._readings.__getitem__
        return [dict(zip(names, map(reading, row), strict=True)) for row in keys.tolist()]

    def _role_probabilities(self, features: NDArray[np.float64]) -> NDArray[np.float64]:
        """Role probabilities (subject, actor, mentioned) of feature rows."""
        scores = features[:, self._role_columns] @ self._role_coef.T + self._role_bias
        scores -= scores.max(axis=1, keepdims=True)
        odds = np.exp(scores)
        proba: NDArray[np.float64] = odds / odds.sum(axis=1, keepdims=True)
        return proba

    def reference_texts(self, article: ParsedArticle) -> dict[str, str]:
        """The pooled text of each country as the factor pipeline sees it (for tests)."""
        roles = self.role_proba(article)
        labels = dict(zip(roles, decode_roles(np.array(list(roles.values()))), strict=True))
        actors = {c for c, label in labels.items() if _ROLES[label] == "actor"}
        return {
            c: pooled_text(article, c, subject=label == 0, actors=actors)
            for c, label in labels.items()
        }


def _pool(
    batch: PooledBatch,
    parsed: Sequence[ParsedArticle],
    countries: Sequence[Sequence[str]],
    roles: Sequence[int],
    scored: Sequence[int],
) -> None:
    """Add the pooled sentences of the ``scored`` countries (increasing rows of the batch's
    countries, ``roles`` their role indices) to ``batch``, in that order."""
    start = 0  # the article's first country among ``scored``
    first_country = first_sentence = 0
    for article, found in zip(parsed, countries, strict=True):
        last_country = first_country + len(found)
        end = bisect_left(scored, last_country, start)
        if end > start:
            named = [
                {m.iso2 for m in mentions} if mentions else _NONE for mentions in article.mentions
            ]
            actors = {
                iso2
                for iso2, role in zip(found, roles[first_country:last_country], strict=True)
                if role == _ACTOR
            }
            batch.start_article(first_sentence)
            for i in scored[start:end]:
                iso2 = found[i - first_country]
                subject = roles[i] == _SUBJECT
                batch.add(pooled_sentences(named, iso2, subject=subject, actors=actors))
        start = end
        first_country = last_country
        first_sentence += len(article.sentences)


def _weights(subject_p: NDArray[np.float64], sizes: list[int]) -> NDArray[np.float64]:
    """Each country's share of its article's subject probability (equal shares if none)."""
    counts = np.asarray(sizes, dtype=np.intp)
    if not counts.sum():
        return np.zeros(0)
    counts = counts[counts > 0]
    totals = np.repeat(np.add.reduceat(subject_p, np.cumsum(counts) - counts), counts)
    even = 1.0 / np.repeat(counts, counts)
    shares = np.divide(subject_p, totals, out=even, where=totals > 0)
    weights: NDArray[np.float64] = shares.round(3)
    return weights


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch is analysed.

    A batch allocates tens of thousands of short-lived objects (mentions, tokens,
    readings) and no reference cycles, so the collector frees nothing there; its passes,
    triggered every few hundred allocations and walking every live object, cost 15-20 %
    of the batch. Reference counting frees the garbage as usual; the collector resumes
    afterwards (unless it was already off).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
