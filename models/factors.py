"""Text -> factor probabilities and direction, from sentences pooled per country.

A country's evidence is the sentences that mention it (the title always counts; for the
subject also the sentences that mention no country): a sentence about Mali's fuel says
nothing about France's. :func:`build_factor_pipeline` turns such pooled texts into TF-IDF
word n-grams (whole text) and character n-grams (the lead: title and first sentence, where
the event is stated and where most of the cost of character n-grams would otherwise go)
and fits one :class:`FactorClassifier` per factor: a calibrated relevance model (does the
text speak to the factor?) and a calibrated direction model (escalating vs easing).
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.multioutput import MultiOutputClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from models.articles import WORD, ParsedArticle

__all__ = [
    "FactorClassifier",
    "build_factor_pipeline",
    "lead_text",
    "line_ngrams",
    "pooled_text",
]

LEAD_SENTENCES = 2


def line_ngrams(text: str) -> list[str]:
    """Word unigrams and bigrams of each line; bigrams never span two sentences.

    Because n-grams stay inside a line, a pooled text's features are the sum of its
    sentences' features, which lets the analyser featurise each sentence only once.
    """
    out: list[str] = []
    for line in text.lower().split("\n"):
        tokens = WORD.findall(line)
        out += tokens
        out += [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]
    return out


def pooled_sentences(
    named: Sequence[AbstractSet[str]],
    iso2: str,
    *,
    subject: bool,
    actors: AbstractSet[str] = frozenset(),
) -> list[int]:
    """Indices of the sentences that speak about ``iso2``: the title, those naming it and,
    for the subject, those naming no country or only actors ("The British Embassy has
    withdrawn its staff" in a story about Mali is about Mali).

    ``named`` holds the countries each sentence names, the title first.
    """
    return [0] + [
        j for j in range(1, len(named)) if iso2 in named[j] or (subject and named[j] <= actors)
    ]


def pooled_text(
    article: ParsedArticle,
    iso2: str | None,
    *,
    subject: bool,
    actors: AbstractSet[str] = frozenset(),
) -> str:
    """The sentences that speak about ``iso2``, one per line, title first.

    Parameters
    ----------
    article : ParsedArticle
        The parsed article.
    iso2 : str or None
        The country; None pools the whole article (a story with no country).
    subject : bool
        Also keep sentences that name no country or only ``actors`` (they are about the
        subject).
    actors : set of str, optional
        The article's actor countries.

    Returns
    -------
    str
        The pooled sentences joined by newlines; the title is always the first line.
    """
    if iso2 is None:
        return "\n".join(article.sentences)
    named = [{m.iso2 for m in found} for found in article.mentions]
    keep = pooled_sentences(named, iso2, subject=subject, actors=actors)
    return "\n".join(article.sentences[j] for j in keep)


def lead_text(text: str) -> str:
    """The first lines of a pooled text, lower-cased (the character n-grams' input)."""
    return "\n".join(text.split("\n", LEAD_SENTENCES)[:LEAD_SENTENCES]).lower()


def _calibrated(C: float, cv: int, y: NDArray[Any]) -> BaseEstimator:
    """A calibrated logistic regression, or a plain one when classes are too small to split."""
    # liblinear is several times faster than lbfgs on sparse binary problems (all of
    # ours); other shapes (scikit-learn's generic checks) fall back to lbfgs.
    solver = "liblinear" if len(np.unique(y)) == 2 else "lbfgs"
    base = LogisticRegression(
        C=C, class_weight="balanced", solver=solver, max_iter=2000, random_state=0
    )
    smallest = int(np.unique(y, return_counts=True)[1].min())
    folds = min(cv, smallest)
    if folds < 2:
        return base
    return CalibratedClassifierCV(base, method="sigmoid", cv=folds, ensemble=False)


class FactorClassifier(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """Two-stage classifier: relevance (``negative_class`` or not), then direction.

    ``predict_proba`` gives ``P(negative) = 1 - p`` and ``P(k) = p * P(k | relevant)`` for
    the other classes, so the relevance probability and the direction are read from one
    calibrated distribution.

    Parameters
    ----------
    negative_class : str or int, default="none"
        The class meaning "the text says nothing about this factor".
    C : float, default=4.0
        Inverse regularisation of the relevance model (and of the direction model when
        ``direction_C`` is None).
    direction_C : float or None, default=None
        Inverse regularisation of the direction model; None uses ``C``.
    calibration_cv : int, default=5
        Folds of the sigmoid calibration (fewer when a class is smaller).

    Attributes
    ----------
    classes_ : ndarray
        Class labels.
    relevance_ : estimator or None
        Calibrated relevance model (None when ``y`` has only relevant or only negative rows).
    direction_ : estimator or None
        Calibrated direction model over the relevant classes (None with fewer than two).
    n_features_in_ : int
        Number of input features.
    """

    def __init__(
        self,
        negative_class: str | int = "none",
        C: float = 4.0,
        calibration_cv: int = 5,
        direction_C: float | None = None,
    ) -> None:
        self.negative_class = negative_class
        self.C = C
        self.calibration_cv = calibration_cv
        self.direction_C = direction_C

    def fit(self, X: Any, y: Any) -> FactorClassifier:
        """Fit relevance and direction.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Text features.
        y : array-like of shape (n_samples,)
            Labels; ``negative_class`` marks irrelevant rows.

        Returns
        -------
        FactorClassifier
            This classifier.
        """
        X, y = validate_data(self, X, y, accept_sparse="csr")
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        relevant = np.asarray(y != self.negative_class)
        self.relevance_: Any = None
        self.direction_: Any = None
        self._constant_relevance_ = float(relevant.mean())
        if 0 < relevant.sum() < len(y):
            rel_y = relevant.astype(int)
            self.relevance_ = _calibrated(self.C, self.calibration_cv, rel_y).fit(X, rel_y)
        positive = y[relevant]
        if len(np.unique(positive)) >= 2:
            direction_C = self.C if self.direction_C is None else self.direction_C
            self.direction_ = _calibrated(direction_C, self.calibration_cv, positive).fit(
                X[relevant], positive
            )
        return self

    def relevance_proba(self, X: Any) -> NDArray[np.float64]:
        """Probability that each row speaks to the factor at all."""
        check_is_fitted(self, "classes_")
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        if self.relevance_ is None:
            return np.full(X.shape[0], self._constant_relevance_)
        proba: NDArray[np.float64] = self.relevance_.predict_proba(X)[:, 1]
        return proba

    def predict_proba(self, X: Any) -> NDArray[np.float64]:
        """Class probabilities, columns in ``classes_`` order."""
        relevance = self.relevance_proba(X)
        X = validate_data(self, X, accept_sparse="csr", reset=False)
        out = np.zeros((X.shape[0], len(self.classes_)))
        positive = [c for c in self.classes_ if c != self.negative_class]
        if self.direction_ is not None:
            direction = self.direction_.predict_proba(X)
            for j, label in enumerate(self.direction_.classes_):
                out[:, int(np.searchsorted(self.classes_, label))] = relevance * direction[:, j]
        elif positive:
            out[:, int(np.searchsorted(self.classes_, positive[0]))] = relevance
        if self.negative_class in self.classes_:
            out[:, int(np.searchsorted(self.classes_, self.negative_class))] = 1.0 - relevance
        elif out.shape[1]:
            out /= np.maximum(out.sum(axis=1, keepdims=True), 1e-12)
        return out

    def predict(self, X: Any) -> NDArray[Any]:
        """Most likely class."""
        check_is_fitted(self, "classes_")
        labels: NDArray[Any] = self.classes_[np.argmax(self.predict_proba(X), axis=1)]
        return labels

    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def build_factor_pipeline(**params: Any) -> Pipeline:
    """The factor model: pooled text -> TF-IDF -> one :class:`FactorClassifier` per factor.

    Parameters
    ----------
    **params
        Pipeline parameters in ``set_params`` form, e.g. ``factors__estimator__C=2.0`` or
        ``features__word__ngram_range=(1, 3)``.

    Returns
    -------
    Pipeline
        Unfitted; ``fit(texts, Y)`` takes ``Y`` of shape (n_texts, n_factors) with the
        labels "escalating", "easing" or "none".
    """
    pipeline = Pipeline(
        [
            (
                "features",
                FeatureUnion(
                    [
                        (
                            "word",
                            TfidfVectorizer(analyzer=line_ngrams, sublinear_tf=True, max_df=0.5),
                        ),
                        (
                            "char",
                            TfidfVectorizer(
                                analyzer="char_wb",
                                ngram_range=(3, 5),
                                min_df=2,
                                sublinear_tf=True,
                                preprocessor=lead_text,
                            ),
                        ),
                    ]
                ),
            ),
            ("factors", MultiOutputClassifier(FactorClassifier())),
        ]
    )
    return pipeline.set_params(**params)
