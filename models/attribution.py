"""Which country an article is about (subject), who acts on it (actor), who is context.

An article is parsed once into sentences and country mentions (:func:`parse_article`);
every (article, country) pair then becomes a row of hand-made mention features
(:class:`MentionFeaturizer`) that a small linear model (:class:`RoleClassifier`) turns into
role probabilities. The subject probability is what gates a country's factor readings
downstream, so actors and bystanders cannot carry risk.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.base import BaseEstimator, ClassifierMixin, TransformerMixin
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from models.gazetteer import Gazetteer, Mention

__all__ = [
    "FEATURE_NAMES",
    "MentionFeaturizer",
    "ParsedArticle",
    "RoleClassifier",
    "country_features",
    "parse_article",
]

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘'A-Z0-9])|\n+")
_BEFORE_SUBJECT = re.compile(
    r"\b(?:in|from|across|to|into|inside|throughout|within|over|on|at|near|outside|"
    r"of|for|leave|leaving|visit|visiting|flee|fleeing)\s+(?:the\s+)?(?:\w+ern\s+)?$",
    re.I,
)
_DIPLOMATIC_IN = re.compile(
    r"\b(?:embassy|embassies|consulate|mission|ambassador|envoy|diplomats?|nationals|"
    r"citizens|staff|personnel|troops|forces)\s+(?:in|to|from)\s+(?:the\s+)?$",
    re.I,
)
_ACTOR_AFTER = re.compile(
    r"^\W{0,3}(?:'s\s+|’s\s+)?(?:has\s+|have\s+|is\s+|are\s+|will\s+|to\s+|had\s+)?"
    r"(?:(?:also|now|again|formally|partially|temporarily)\s+)?"
    r"(?:withdr[ae]w\w*|pull\w*|urg\w*|evacuat\w*|tell\w*|told|warn\w*|advis\w*|"
    r"recall\w*|expel\w*|sends?|sent|deploy\w*|impos\w*|sanction\w*|condemn\w*|"
    r"clos\w* its|suspend\w* its|reopen\w* its|says?|said|calls? on|brokers?|"
    r"offers?|pledg\w*|donat\w*|airlift\w*|repatriat\w*|announc\w*|order\w*|"
    r"raises? its|lowers? its|updat\w* its|issu\w*|accus\w*|summon\w*|mediat\w*|"
    r"relocat\w*|moves? its|reduc\w* its)\b",
    re.I,
)
_ACTOR_NOUN_AFTER = re.compile(
    r"^(?:'s|’s)?\s*(?:foreign|defence|defense|state|home)?\s*(?:ministry|office|department|"
    r"government|embassy|embassies|ambassador|envoy|diplomats?|nationals|citizens|troops|"
    r"forces|officials|military|navy|president|prime minister|state department|"
    r"high commission|consulate|aid|army)\b",
    re.I,
)
_NEIGHBOUR_BEFORE = re.compile(
    r"\b(?:neighbou?ring|like|unlike|as in|similar to|compared (?:to|with)|than|"
    r"following|after|before|such as|including)\s+(?:the\s+)?(?:\w+\s+)?$",
    re.I,
)
_DIASPORA_AFTER = re.compile(
    r"^(?:-born|\s+(?:community|communities|diaspora|expatriates|expats|migrants|"
    r"refugees|restaurant|food|cuisine|music|film|artist|players?|team|coach|"
    r"fans|squad|striker|national team))\b",
    re.I,
)
_RISK = re.compile(
    r"\b(?:attack\w*|kill\w*|bomb\w*|terror\w*|jihad\w*|militan\w*|insurg\w*|gunmen|"
    r"clash\w*|fight\w*|coup|curfew|unrest|violen\w*|kidnap\w*|shell\w*|strikes?|"
    r"fuel|petrol|diesel|shortage\w*|blockade\w*|rationing|queues?|embass\w*|"
    r"consul\w*|diplomat\w*|evacuat\w*|ceasefire|truce|reopen\w*|restor\w*|"
    r"emergency|protest\w*|riot\w*|martial|siege|displac\w*|armed)\b",
    re.I,
)
_SPORT = re.compile(
    r"\b(?:beat|beats|friendly|match|cup|league|goal\w*|score[ds]?|win|won|draw|"
    r"tournament|qualifier|olympic\w*|championship|semi-final|final|coach|squad)\b",
    re.I,
)
_HEAD_COLON = re.compile(r"^\s*:")

FEATURE_NAMES: tuple[str, ...] = (
    "in_title",
    "first_in_title",
    "title_only_country",
    "title_prep_before",
    "title_actor_after",
    "title_colon_after",
    "first_overall",
    "first_position",
    "log_count",
    "count_share",
    "sentence_share",
    "log_n_countries",
    "prep_before",
    "diplomatic_in_before",
    "capital_city",
    "demonym_share",
    "actor_after",
    "actor_noun_after",
    "neighbour_before",
    "diaspora_after",
    "sole_risk_sentences",
    "shared_risk_sentences",
    "sport_sentences",
    "title_sport",
    "is_top_count",
    "other_actor_patterns",
)


@dataclass(frozen=True)
class ParsedArticle:
    """An article split into sentences (the title is sentence 0) with mentions per sentence.

    Mention offsets are relative to their sentence.
    """

    sentences: tuple[str, ...]
    mentions: tuple[tuple[Mention, ...], ...]
    flags: list[list[bool]] = field(default_factory=list, compare=False, repr=False)

    @property
    def countries(self) -> tuple[str, ...]:
        """Countries in order of first appearance."""
        seen: dict[str, None] = {}
        for found in self.mentions:
            for m in found:
                seen.setdefault(m.iso2, None)
        return tuple(seen)

    def sentences_of(self, iso2: str) -> list[int]:
        """Indices of the sentences that mention ``iso2``."""
        return [i for i, found in enumerate(self.mentions) if any(m.iso2 == iso2 for m in found)]


def parse_article(title: str, text: str, gazetteer: Gazetteer) -> ParsedArticle:
    """Split an article into sentences and attach each country mention to its sentence.

    Parameters
    ----------
    title : str
        The headline (sentence 0).
    text : str
        The body; may be empty.
    gazetteer : Gazetteer
        The country matcher.

    Returns
    -------
    ParsedArticle
        Sentences and their mentions, offsets relative to each sentence.
    """
    sentences = [" ".join(title.split())]
    starts = [0]
    position = 0
    for piece in SENTENCE_END.split(text):
        found = text.find(piece, position) if piece else -1
        if found >= 0:
            position = found + len(piece)
        if piece.strip():
            sentences.append(piece)
            starts.append(found if found >= 0 else position)
    title_mentions = tuple(gazetteer.find_mentions(sentences[0]))
    body: list[list[Mention]] = [[] for _ in sentences[1:]]
    if len(sentences) > 1:
        body_starts = starts[1:]
        for m in gazetteer.find_mentions(text):
            i = bisect_right(body_starts, m.start) - 1
            if i < 0:
                continue
            offset = body_starts[i]
            body[i].append(Mention(m.iso2, m.start - offset, m.end - offset, m.surface, m.kind))
    return ParsedArticle(tuple(sentences), (title_mentions, *(tuple(b) for b in body)))


def _sentence_flags(article: ParsedArticle) -> tuple[list[bool], list[bool]]:
    """Per sentence: has risk words, has sport words (computed once per article)."""
    cached = article.flags
    if not cached:
        cached.append([bool(_RISK.search(s)) for s in article.sentences])
        cached.append([bool(_SPORT.search(s)) for s in article.sentences])
    return cached[0], cached[1]


def _country_row(article: ParsedArticle, iso2: str) -> list[float]:
    sentences, mentions = article.sentences, article.mentions
    n_sentences = len(sentences)
    counts: dict[str, int] = {}
    for found in mentions:
        for m in found:
            counts[m.iso2] = counts.get(m.iso2, 0) + 1
    own = counts.get(iso2, 0)
    total = sum(counts.values()) or 1
    title_found = mentions[0]
    in_title = any(m.iso2 == iso2 for m in title_found)
    title = sentences[0]
    f = dict.fromkeys(FEATURE_NAMES, 0.0)
    f["in_title"] = float(in_title)
    f["first_in_title"] = float(bool(title_found) and title_found[0].iso2 == iso2)
    f["title_only_country"] = float(in_title and {m.iso2 for m in title_found} == {iso2})
    f["title_sport"] = float(bool(_SPORT.search(title)))
    first_index = next(
        (i for i, found in enumerate(mentions) if any(m.iso2 == iso2 for m in found)), 0
    )
    f["first_overall"] = float(article.countries[:1] == (iso2,))
    f["first_position"] = 1.0 - first_index / max(1, n_sentences - 1) if n_sentences > 1 else 1.0
    f["log_count"] = float(np.log1p(own))
    f["count_share"] = own / total
    f["log_n_countries"] = float(np.log(len(counts)))
    f["is_top_count"] = float(own == max(counts.values()))
    own_sentences = 0
    risky_sentences, sport_flags = _sentence_flags(article)
    for index, found in enumerate(mentions):
        mine = [m for m in found if m.iso2 == iso2]
        if not mine:
            if any(_ACTOR_AFTER.match(sentences[index][m.end : m.end + 64]) for m in found):
                f["other_actor_patterns"] += 1.0
            continue
        own_sentences += 1
        sentence = sentences[index]
        others = {m.iso2 for m in found} - {iso2}
        risky = risky_sentences[index]
        if risky and not others:
            f["sole_risk_sentences"] += 1.0
        elif risky:
            f["shared_risk_sentences"] += 1.0
        if sport_flags[index]:
            f["sport_sentences"] += 1.0
        for m in mine:
            head, tail = sentence[max(0, m.start - 48) : m.start], sentence[m.end : m.end + 64]
            before = bool(_BEFORE_SUBJECT.search(head))
            f["prep_before"] += before
            f["diplomatic_in_before"] += bool(_DIPLOMATIC_IN.search(head))
            f["capital_city"] += m.kind in ("capital", "city")
            f["demonym_share"] += m.kind == "demonym"
            actor = bool(_ACTOR_AFTER.match(tail))
            f["actor_after"] += actor
            f["actor_noun_after"] += bool(_ACTOR_NOUN_AFTER.match(tail))
            f["neighbour_before"] += bool(_NEIGHBOUR_BEFORE.search(head))
            f["diaspora_after"] += bool(_DIASPORA_AFTER.match(tail))
            if index == 0:
                f["title_prep_before"] += before
                f["title_actor_after"] += actor
                f["title_colon_after"] += bool(_HEAD_COLON.match(tail))
            if m.kind == "demonym" and _ACTOR_NOUN_AFTER.match(" " + tail.lstrip()):
                f["actor_noun_after"] += 1.0
    f["sentence_share"] = own_sentences / n_sentences
    f["demonym_share"] /= max(1, own)
    for name in (
        "prep_before",
        "diplomatic_in_before",
        "capital_city",
        "actor_after",
        "actor_noun_after",
        "neighbour_before",
        "diaspora_after",
        "sole_risk_sentences",
        "shared_risk_sentences",
        "sport_sentences",
        "other_actor_patterns",
    ):
        f[name] = float(np.log1p(f[name]))
    return [f[name] for name in FEATURE_NAMES]


def country_features(
    article: ParsedArticle, countries: Sequence[str], names: Sequence[str] = FEATURE_NAMES
) -> NDArray[np.float64]:
    """Mention features of several countries of one article (the columns ``names``).

    Parameters
    ----------
    article : ParsedArticle
        The parsed article.
    countries : sequence of str
        ISO alpha-2 codes found in it.
    names : sequence of str, default=FEATURE_NAMES
        The feature columns to return.

    Returns
    -------
    ndarray of shape (len(countries), len(names))
        The features.
    """
    keep = [FEATURE_NAMES.index(n) for n in names]
    rows = [_country_row(article, iso2) for iso2 in countries]
    out = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))
    return out[:, keep]


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
        keep = [FEATURE_NAMES.index(n) for n in self.feature_names_out_]
        rows = [_country_row(article, iso2) for article, iso2 in X]
        out = np.asarray(rows, dtype=np.float64).reshape(len(rows), len(FEATURE_NAMES))
        return out[:, keep]

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
