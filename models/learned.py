"""The learned analyser: attribution gates factor readings so only subjects carry risk.

A country's factor probability is ``P(subject) * P(factor | its pooled sentences)``: the
chance that the article reports a change in that factor *in that country*. Scoring
multiplies it by the country's weight and the direction's sign, so an actor ("France
withdraws its diplomats") or a bystander ("like neighbouring Niger") adds nothing to its
own scores however alarming the sentences that name it are.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
from numpy.typing import NDArray
from sklearn.pipeline import Pipeline

from models.analysis import Analysis, CountryAnalysis, Direction, FactorReading, Role
from models.articles import ParsedArticle, parse_article
from models.attribution import decode_roles
from models.factors import pooled_sentences, pooled_text
from models.fastpath import DIRECTION_THRESHOLD, CompiledFactorModel, PooledBatch
from models.gazetteer import Gazetteer, default_gazetteer
from models.mention_features import FEATURE_NAMES, country_features

__all__ = ["MIN_SUBJECT_PROBABILITY", "NON_SUBJECT_GATE", "LearnedAnalyzer"]

_ROLES: tuple[Role, ...] = ("subject", "actor", "mentioned")
# Countries less likely than this to be the subject get no factor pass (all zeros): their
# gated probabilities could not exceed it, far below any threshold a reader acts on, and
# the pass is most of the cost.
MIN_SUBJECT_PROBABILITY = 0.05
# A country the decoding did not make the subject keeps this share of its subject
# probability as its factor gate: the role decision, not just the score, silences
# actors and bystanders. Chosen by corpus cross-validation.
NON_SUBJECT_GATE = 0.5


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
        self._role_features = [str(n) for n in featurizer.feature_names_out_]
        unknown = set(self._role_features) - set(FEATURE_NAMES)
        if unknown:
            raise ValueError(f"role model uses features this code lacks: {sorted(unknown)}")
        self._compiled = CompiledFactorModel(factor_model, self.factor_names)
        self._silent = {name: FactorReading(0.0, "none") for name in self.factor_names}

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
        countries, proba = self._roles(article)
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
        """:meth:`analyze` for many articles, with one factor pass over all of them.

        Parameters
        ----------
        articles : iterable of (str, str)
            ``(title, text)`` pairs.

        Returns
        -------
        list of Analysis
            One per article, in order.
        """
        plans: list[tuple[list[str], NDArray[np.float64], list[Role], list[int]]] = []
        batch = PooledBatch(self._compiled)
        gates: list[float] = []
        for title, text in articles:
            article = self.parse(title, text)
            countries, proba = self._roles(article)
            labels = [_ROLES[k] for k in decode_roles(proba)]
            rows: list[int] = []
            if countries:
                batch.start_article(article.sentences)
                named = [{m.iso2 for m in found} for found in article.mentions]
                actors = {c for c, label in zip(countries, labels, strict=True) if label == "actor"}
                for i, iso2 in enumerate(countries):
                    if proba[i, 0] < MIN_SUBJECT_PROBABILITY:
                        rows.append(-1)
                        continue
                    subject = labels[i] == "subject"
                    keep = pooled_sentences(named, iso2, subject=subject, actors=actors)
                    rows.append(batch.add(keep))
                    gates.append(proba[i, 0] * (1.0 if subject else NON_SUBJECT_GATE))
            plans.append((countries, proba, labels, rows))
        readings = self._gated_readings(batch, gates)
        return [self._assemble(plan, readings) for plan in plans]

    def _gated_readings(
        self, batch: PooledBatch, gates: list[float]
    ) -> list[dict[str, FactorReading]]:
        """Factor readings of every pooled text of the batch, scaled by its gate."""
        relevance, easing = self._compiled.predict_pooled(batch)
        gated = (np.asarray(gates)[:, None] * relevance).round(3)
        directions = np.where(
            (gated > 0.0) & (relevance >= DIRECTION_THRESHOLD),
            np.where(easing, "easing", "escalating"),
            "none",
        )
        names = self.factor_names
        return [
            dict(zip(names, map(FactorReading, p, d), strict=True))
            for p, d in zip(gated.tolist(), directions.tolist(), strict=True)
        ]

    def _roles(self, article: ParsedArticle) -> tuple[list[str], NDArray[np.float64]]:
        countries = list(article.countries)
        if not countries:
            return [], np.zeros((0, len(_ROLES)))
        features = country_features(article, countries, self._role_features)
        scores = features @ self._role_coef.T + self._role_bias
        scores -= scores.max(axis=1, keepdims=True)
        odds = np.exp(scores)
        return countries, odds / odds.sum(axis=1, keepdims=True)

    def _assemble(
        self,
        plan: tuple[list[str], NDArray[np.float64], list[Role], list[int]],
        readings: list[dict[str, FactorReading]],
    ) -> Analysis:
        countries, proba, labels, rows = plan
        if not countries:
            return Analysis(self._version, [])
        subject_p = proba[:, 0]
        total = float(subject_p.sum())
        n = len(countries)
        weights = (subject_p / total if total > 0 else np.full(n, 1 / n)).round(3).tolist()
        result = [
            CountryAnalysis(iso2, label, weight, readings[row] if row >= 0 else self._silent)
            for iso2, label, weight, row in zip(countries, labels, weights, rows, strict=True)
        ]
        result.sort(key=lambda c: (-c.weight, c.iso2))
        return Analysis(self._version, result)

    def reference_texts(self, article: ParsedArticle) -> dict[str, str]:
        """The pooled text of each country as the factor pipeline sees it (for tests)."""
        roles = self.role_proba(article)
        labels = dict(zip(roles, decode_roles(np.array(list(roles.values()))), strict=True))
        actors = {c for c, label in labels.items() if _ROLES[label] == "actor"}
        return {
            c: pooled_text(article, c, subject=label == 0, actors=actors)
            for c, label in labels.items()
        }
