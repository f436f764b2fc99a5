"""The learned analyser: attribution gates factor readings so only subjects carry risk.

A country's factor probability is ``P(subject) * P(factor | its pooled sentences)``: the
chance that the article reports a change in that factor *in that country*. Scoring
multiplies it by the country's weight and the direction's sign, so an actor ("France
withdraws its diplomats") or a bystander ("like neighbouring Niger") adds nothing to its
own scores however alarming the sentences that name it are.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline

from models.analysis import Analysis, CountryAnalysis, Direction, FactorReading, Role
from models.attribution import ParsedArticle, country_features, parse_article
from models.factors import pooled_text
from models.fastpath import DIRECTION_THRESHOLD, CompiledFactorModel
from models.gazetteer import Gazetteer, default_gazetteer

__all__ = ["MIN_SUBJECT_PROBABILITY", "LearnedAnalyzer"]

_ROLES: tuple[Role, ...] = ("subject", "actor", "mentioned")
# Countries less likely than this to be the subject get no factor pass: their gated
# probabilities would round to (nearly) zero anyway, and the pass is most of the cost.
MIN_SUBJECT_PROBABILITY = 0.01


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
        self._role_features = featurizer.feature_names_out_
        self._compiled = CompiledFactorModel(factor_model, self.factor_names)

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
        countries = article.countries
        if not countries:
            return {}
        features = country_features(article, countries, self._role_features)
        scores = features @ self._role_coef.T + self._role_bias
        scores -= scores.max(axis=1, keepdims=True)
        odds = np.exp(scores)
        proba = odds / odds.sum(axis=1, keepdims=True)
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
        article = self.parse(title, text)
        roles = self.role_proba(article)
        if not roles:
            return Analysis(self._version, [])
        countries = list(roles)
        subject_p = np.array([roles[c][0] for c in countries])
        labels: list[Role] = [_ROLES[int(np.argmax(roles[c]))] for c in countries]
        total = float(subject_p.sum())
        weights = subject_p / total if total > 0 else np.full(len(countries), 1 / len(countries))
        compiled = self._compiled
        sentences = article.sentences
        word_cache: dict[int, Any] = {}
        char_cache: dict[int, Any] = {}
        silent = {name: FactorReading(0.0, "none") for name in self.factor_names}
        result = []
        for i, iso2 in enumerate(countries):
            gate = float(subject_p[i])
            factors = silent
            if gate >= MIN_SUBJECT_PROBABILITY:
                keep = [0]
                for j in range(1, len(sentences)):
                    found = article.mentions[j]
                    if any(m.iso2 == iso2 for m in found) or (labels[i] == "subject" and not found):
                        keep.append(j)
                for j in keep:
                    if j not in word_cache:
                        word_cache[j] = compiled.sentence_terms(sentences[j])
                for j in keep[:2]:
                    if j not in char_cache:
                        char_cache[j] = compiled.char_terms(sentences[j])
                readings = compiled.predict(
                    np.concatenate([word_cache[j] for j in keep]),
                    np.concatenate([char_cache[j] for j in keep[:2]]),
                )
                factors = {}
                for name, (p, direction) in readings.items():
                    gated = round(gate * p, 3)
                    factors[name] = FactorReading(gated, direction if gated > 0.0 else "none")
            result.append(CountryAnalysis(iso2, labels[i], round(float(weights[i]), 3), factors))
        result.sort(key=lambda c: (-c.weight, c.iso2))
        return Analysis(self._version, result)

    def reference_texts(self, article: ParsedArticle) -> dict[str, str]:
        """The pooled text of each country as the factor pipeline sees it (for tests)."""
        roles = self.role_proba(article)
        return {
            c: pooled_text(article, c, subject=_ROLES[int(np.argmax(p))] == "subject")
            for c, p in roles.items()
        }
