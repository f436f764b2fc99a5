"""The labelled corpus and fitting the learned analyser from it.

Shared by :mod:`models.train` (fit once, save) and :mod:`models.evaluate` (fit per fold).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from models.articles import ParsedArticle, parse_article
from models.attribution import MentionFeaturizer, RoleClassifier
from models.factor_config import load_factor_config
from models.factors import build_factor_pipeline, pooled_text
from models.gazetteer import Gazetteer, default_gazetteer
from models.learned import LearnedAnalyzer

__all__ = [
    "build_role_pipeline",
    "corpus_files",
    "corpus_hash",
    "factor_rows",
    "fit_analyzer",
    "load_corpus",
    "load_jsonl",
    "role_rows",
]

Example = dict[str, Any]

# Inverse regularisation of the factor models, chosen by 5-fold corpus cross-validation
# (macro-F1 0.884 / 0.887 / 0.889 at C = 4 / 8 / 16): the corpus now holds enough hard
# negatives ("fuel tax", "opens embassy") that a looser fit learns them instead of
# letting "fuel" or "embassy" alone decide.
FACTOR_C = 16.0
# The direction models (escalating vs easing, fitted on relevant rows only) fit looser:
# 5-fold corpus direction accuracy 0.9455 / 0.9462 / 0.9474 at C = 16 / 24 / 32, with
# relevance, and so the factor F1s and wrong-country counts, left as they are at 16.
FACTOR_DIRECTION_C = 32.0


def corpus_files(data_dir: Path) -> list[Path]:
    """The training files: ``*.jsonl`` directly in ``data_dir`` (never ``heldout/``)."""
    return sorted(p for p in Path(data_dir).glob("*.jsonl") if p.is_file())


def load_jsonl(path: Path) -> list[Example]:
    """Examples of one JSONL file; blank lines are skipped."""
    with Path(path).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_corpus(data_dir: Path) -> list[Example]:
    """Every training example, in file then line order.

    Parameters
    ----------
    data_dir : Path
        The corpus folder (``models/data``).

    Returns
    -------
    list of dict
        Examples as in LABELS.md.
    """
    return [example for path in corpus_files(data_dir) for example in load_jsonl(path)]


def corpus_hash(data_dir: Path) -> str:
    """SHA-256 over the training files' names and bytes, in name order."""
    digest = hashlib.sha256()
    for path in corpus_files(data_dir):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def role_rows(
    examples: Sequence[Example], parsed: Sequence[ParsedArticle]
) -> tuple[list[tuple[ParsedArticle, str]], list[str]]:
    """One row per (article, country found): countries the labels omit count as mentioned."""
    rows: list[tuple[ParsedArticle, str]] = []
    labels: list[str] = []
    for example, article in zip(examples, parsed, strict=True):
        for iso2 in article.countries:
            rows.append((article, iso2))
            labels.append(example["countries"].get(iso2, "mentioned"))
    return rows, labels


def factor_rows(
    examples: Sequence[Example], parsed: Sequence[ParsedArticle], factors: Sequence[str]
) -> tuple[list[str], np.ndarray[Any, Any]]:
    """One pooled text per labelled subject (the whole text when there is none)."""
    texts: list[str] = []
    targets: list[list[str]] = []
    for example, article in zip(examples, parsed, strict=True):
        labels = [example["labels"].get(f, "none") for f in factors]
        subjects = [c for c, role in example["countries"].items() if role == "subject"]
        actors = {c for c, role in example["countries"].items() if role == "actor"}
        found = set(article.countries)
        for iso2 in subjects or [None]:
            country = iso2 if iso2 in found else None
            texts.append(pooled_text(article, country, subject=True, actors=actors))
            targets.append(labels)
    return texts, np.asarray(targets, dtype=object)


def build_role_pipeline(**params: Any) -> Pipeline:
    """Mention features -> :class:`RoleClassifier` (params in ``set_params`` form)."""
    pipeline = Pipeline([("features", MentionFeaturizer()), ("roles", RoleClassifier(C=1.0))])
    return pipeline.set_params(**params)


def fit_analyzer(
    examples: Sequence[Example],
    *,
    gazetteer: Gazetteer | None = None,
    version: str = "unsaved",
) -> LearnedAnalyzer:
    """Fit attribution and factor models on examples.

    Parameters
    ----------
    examples : sequence of dict
        Labelled examples (LABELS.md).
    gazetteer : Gazetteer, optional
        The country matcher; the shared default when omitted.
    version : str, default="unsaved"
        The version the analyser reports until the registry names it.

    Returns
    -------
    LearnedAnalyzer
        The fitted analyser. Fitting is deterministic (no randomised solver).
    """
    gazetteer = gazetteer or default_gazetteer()
    factors = load_factor_config().names
    parsed = [parse_article(e["title"], e.get("text", ""), gazetteer) for e in examples]
    rows, roles = role_rows(examples, parsed)
    role_model = build_role_pipeline().fit(rows, roles)
    texts, targets = factor_rows(examples, parsed, factors)
    factor_model = build_factor_pipeline(
        factors__estimator__C=FACTOR_C, factors__estimator__direction_C=FACTOR_DIRECTION_C
    ).fit(texts, targets)
    return LearnedAnalyzer(role_model, factor_model, factors, version, gazetteer)
