"""Which country an article is about (subject), who acts on it (actor), who is context.

An article is parsed once into sentences and country mentions
(:func:`models.articles.parse_article`); every (article, country) pair then becomes a row
of hand-made mention features (:mod:`models.mention_features`, wrapped here as
:class:`MentionFeaturizer`) that a small linear model (:class:`RoleClassifier`) turns into
role probabilities. The subject probability is what gates a country's factor readings
downstream, so actors and bystanders cannot carry risk.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from models.articles import ParsedArticle, parse_article
from models.mention_features import FEATURE_NAMES, country_features

__all__ = [
    "FEATURE_NAMES",
    "MentionFeaturizer",
    "ParsedArticle",
    "RoleClassifier",
    "decode_roles",
    "country_features",
    "parse_article",
]


class MentionFeaturizer(TransformerMixin, BaseEstimator):  # type: ignore[misc]
    """Turn (parsed article, country) pairs into numeric mention features.

    Parameters
    ----------
    with_title : bool, default=True
        Keep the title features (turn off to study body-only attribution).

    Attributes
    ----------
    feature_names_out_ : ndarray of str
        Names of the output columns.
    n_features_out_ : int
        Number of output columns.
    """

    def __init__(self, with_title: bool = True) -> None:
        self.with_title = with_title

    def fit(self, X: Sequence[tuple[ParsedArticle, str]], y: Any = None) -> MentionFeaturizer:
        """Record the output columns; the features themselves are not learned.

        Parameters
        ----------
        X : sequence of (ParsedArticle, str)
            Pairs of a parsed article and an ISO alpha-2 code found in it.
        y : ignored

        Returns
        -------
        MentionFeaturizer
            This featurizer.
        """
        self._check_input(X)
        names = [n for n in FEATURE_NAMES if self.with_title or not n.startswith("title")]
        self.feature_names_out_ = np.asarray(names, dtype=object)
        self.n_features_out_ = len(names)
        return self

    def transform(self, X: Sequence[tuple[ParsedArticle, str]]) -> NDArray[np.float64]:
        """Features of each pair.

        Parameters
        ----------
        X : sequence of (ParsedArticle, str)
            Pairs of a parsed article and an ISO alpha-2 code found in it.

        Returns
        -------
        ndarray of shape (n_pairs, n_features_out_)
            The mention features.
        """
        check_is_fitted(self, "n_features_out_")
        self._check_input(X)
        names = [str(n) for n in self.feature_names_out_]
        out = np.zeros((len(X), len(names)))
        groups: dict[int, tuple[ParsedArticle, list[int]]] = {}
        for i, (article, _) in enumerate(X):
            groups.setdefault(id(article), (article, []))[1].append(i)
        for article, where in groups.values():
            out[where] = country_features(article, [X[i][1] for i in where], names)
        return out

    def get_feature_names_out(self, input_features: Any = None) -> NDArray[np.object_]:
        """Names of the output columns."""
        check_is_fitted(self, "n_features_out_")
        return np.asarray(self.feature_names_out_, dtype=object)

    @staticmethod
    def _check_input(X: Any) -> None:
        if not all(
            isinstance(row, tuple)
            and len(row) == 2
            and isinstance(row[0], ParsedArticle)
            and isinstance(row[1], str)
            for row in X
        ):
            raise TypeError("MentionFeaturizer expects (ParsedArticle, iso2) pairs")

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.two_d_array = False
        tags.requires_fit = True
        return tags


class RoleClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Standardised multinomial logistic regression, folded into one linear map.

    Standardisation and the regression are fitted with scikit-learn and then folded into
    ``coef_`` / ``intercept_`` so prediction is one small matrix product: attribution runs
    on every article the service sees.

    Parameters
    ----------
    C : float, default=1.0
        Inverse regularisation strength.
    class_weight : dict, "balanced" or None, default=None
        Passed to :class:`~sklearn.linear_model.LogisticRegression`.
    max_iter : int, default=2000
        Solver iterations.

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    coef_ : ndarray of shape (n_classes, n_features)
        Folded coefficients on the raw features.
    intercept_ : ndarray of shape (n_classes,)
        Folded intercepts.
    n_features_in_ : int
        Number of input features.
    """

    def __init__(
        self,
        C: float = 1.0,
        class_weight: dict[Any, float] | str | None = None,
        max_iter: int = 2000,
    ) -> None:
        self.C = C
        self.class_weight = class_weight
        self.max_iter = max_iter

    def fit(self, X: Any, y: Any) -> RoleClassifier:
        """Fit on mention features and role labels.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Mention features.
        y : array-like of shape (n_samples,)
            Roles.

        Returns
        -------
        RoleClassifier
            This classifier.
        """
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        scaler = StandardScaler().fit(X)
        model = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter
        ).fit(scaler.transform(X), y)
        self.classes_ = model.classes_
        self.n_iter_ = model.n_iter_
        coef = model.coef_ / scaler.scale_
        intercept = model.intercept_ - coef @ scaler.mean_
        if len(self.classes_) == 2:  # binary: expand to one column per class
            coef = np.vstack([-coef / 2, coef / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        self.coef_ = coef
        self.intercept_ = intercept
        return self

    def decision_function(self, X: Any) -> NDArray[np.float64]:
        """Per-class scores (logits up to a constant)."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False)
        scores: NDArray[np.float64] = X @ self.coef_.T + self.intercept_
        return scores[:, 1] - scores[:, 0] if len(self.classes_) == 2 else scores

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities, columns in ``classes_`` order."""
        check_is_fitted(self, "coef_")
        X = validate_data(self, X, reset=False)
        scores = X @ self.coef_.T + self.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        odds = np.exp(scores)
        proba: NDArray[np.float64] = odds / odds.sum(axis=1, keepdims=True)
        return proba

    def predict(self, X: Any) -> NDArray[Any]:
        """Most likely class."""
        check_is_fitted(self, "coef_")
        labels: NDArray[Any] = self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        return labels


# An article about an event has a subject: when no country wins "subject" outright, the
# most subject-like one still takes it if this likely. Chosen by corpus cross-validation.
PROMOTE_SUBJECT = 0.2
# A second subject must be nearly as subject-like as the first: most stories have one.
SUBJECT_RATIO = 0.9


def decode_roles(
    proba: NDArray[np.float64], sizes: Sequence[int] | NDArray[np.intp] | None = None
) -> NDArray[np.intp]:
    """Role indices (0 subject, 1 actor, 2 mentioned) of the countries of one or more articles.

    Each country takes its most likely role, except that a second subject must be nearly
    as subject-like as its article's first (:data:`SUBJECT_RATIO`), and an article where
    no country is the subject gives the subject role to its most subject-like country
    when that country's subject probability is at least :data:`PROMOTE_SUBJECT`.

    Parameters
    ----------
    proba : ndarray of shape (n_countries, 3)
        Role probabilities in (subject, actor, mentioned) order, articles one after the
        other.
    sizes : sequence of int, optional
        Countries per article, in order (articles with none may be included); one
        article when omitted.

    Returns
    -------
    ndarray of shape (n_countries,)
        Role indices.
    """
    if proba.size == 0:
        return np.zeros(0, dtype=np.intp)
    counts = np.asarray([len(proba)] if sizes is None else sizes, dtype=np.intp)
    counts = counts[counts > 0]
    starts = np.cumsum(counts) - counts
    subject = proba[:, 0]
    labels: NDArray[np.intp] = np.argmax(proba, axis=1)
    top = np.repeat(np.maximum.reduceat(subject, starts), counts)
    labels[(labels == 0) & (subject < SUBJECT_RATIO * top)] = 2
    has_subject = np.add.reduceat(labels == 0, starts) > 0
    # The most subject-like country of each article (the first, on ties).
    group = np.repeat(np.arange(len(counts)), counts)
    tops = np.flatnonzero(subject == top)
    best = tops[np.unique(group[tops], return_index=True)[1]]
    promote = ~has_subject & (subject[best] >= PROMOTE_SUBJECT)
    labels[best[promote]] = 0
    return labels
