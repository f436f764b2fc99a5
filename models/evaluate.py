"""Metrics of the learned analyser and the baseline, side by side.

Per-example scoring (:func:`score_examples`) is shared by cross-validation on the corpus,
the hand-written held-out set and the real-data checks:

- ``subject_accuracy``: share of examples whose predicted subject set equals the labelled one.
- ``factor_f1`` / ``factor_macro_f1``: per factor, "raised" means the labelled subject's
  probability is >= 0.5 (any country's, for a story with no subject); truth is a label
  other than ``none``. A factor never labelled nor raised has no F1 (null) and is left
  out of the macro average.
- ``direction_accuracy``: of labelled-relevant factors that were raised, the share with
  the labelled direction; ``direction_accuracy_strict`` counts misses as wrong.
- ``wrong_country_raised``: examples where a country not labelled subject gets a factor >= 0.5.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import KFold

from models.analysis import Analysis, Analyzer
from models.baseline import BaselineAnalyzer
from models.factor_config import load_factor_config
from models.fitting import Example, fit_analyzer, load_corpus, load_jsonl
from models.gazetteer import Gazetteer, default_gazetteer
from models.registry import load_active

logger = logging.getLogger(__name__)

__all__ = [
    "cross_validate",
    "evaluate",
    "reliefweb_check",
    "score_examples",
    "update_reasons_check",
]

RAISED = 0.5
RELIEFWEB_FILES = {
    "central_african_republic": "CF",
    "mali": "ML",
    "philippines": "PH",
    "somalia": "SO",
    "syria": "SY",
}
REASON_SOURCES = ("unitedkingdom", "canada")


def _f1(tp: int, fp: int, fn: int) -> float | None:
    """F1, or None when the factor was neither labelled nor raised (nothing to score)."""
    if tp + fp + fn == 0:
        return None
    return 2 * tp / (2 * tp + fp + fn)


def score_examples(
    analyses: Sequence[Analysis], examples: Sequence[Example], factors: Sequence[str]
) -> dict[str, Any]:
    """Score analyses against labelled examples (definitions in the module docstring)."""
    counts = {f: [0, 0, 0] for f in factors}
    subject_ok = direction_ok = direction_seen = direction_total = wrong = 0
    for analysis, example in zip(analyses, examples, strict=True):
        truth = {c for c, r in example["countries"].items() if r == "subject"}
        predicted = {c.iso2 for c in analysis.countries if c.role == "subject"}
        subject_ok += truth == predicted
        if any(
            r.probability >= RAISED
            for c in analysis.countries
            if c.iso2 not in truth
            for r in c.factors.values()
        ):
            wrong += 1
        for f in factors:
            label = example["labels"].get(f, "none")
            readings = [
                c.factors[f]
                for c in analysis.countries
                if f in c.factors and (c.iso2 in truth or not truth)
            ]
            best = max(readings, key=lambda r: r.probability, default=None)
            raised = best is not None and best.probability >= RAISED
            tp, fp, fn = counts[f]
            counts[f] = [
                tp + (raised and label != "none"),
                fp + (raised and label == "none"),
                fn + (not raised and label != "none"),
            ]
            if label != "none":
                direction_total += 1
                if raised and best is not None:
                    direction_seen += 1
                    direction_ok += best.direction == label
    f1 = {f: None if (v := _f1(*counts[f])) is None else round(v, 4) for f in factors}
    scored = [v for v in f1.values() if v is not None]
    n = max(1, len(examples))
    return {
        "n": len(examples),
        "subject_accuracy": round(subject_ok / n, 4),
        "factor_f1": f1,
        "factor_macro_f1": round(float(np.mean(scored)), 4) if scored else None,
        "direction_accuracy": round(direction_ok / max(1, direction_seen), 4),
        "direction_accuracy_strict": round(direction_ok / max(1, direction_total), 4),
        "wrong_country_raised": wrong,
    }


def _analyze_all(analyzer: Analyzer, examples: Sequence[Example]) -> list[Analysis]:
    return [analyzer.analyze(e["title"], e.get("text", "")) for e in examples]


def cross_validate(
    examples: Sequence[Example],
    *,
    seed: int = 0,
    folds: int = 5,
    gazetteer: Gazetteer | None = None,
) -> dict[str, Any]:
    """Out-of-fold metrics of the learned analyser: no example is scored by a model fitted on it."""
    factors = load_factor_config().names
    gazetteer = gazetteer or default_gazetteer()
    analyses: list[Analysis | None] = [None] * len(examples)
    splitter = KFold(n_splits=folds, shuffle=True, random_state=seed)
    for train_idx, test_idx in splitter.split(np.arange(len(examples))):
        model = fit_analyzer([examples[i] for i in train_idx], gazetteer=gazetteer)
        for i in test_idx:
            analyses[i] = model.analyze(examples[i]["title"], examples[i].get("text", ""))
    done = [a for a in analyses if a is not None]
    return score_examples(done, examples, factors)


def reliefweb_check(analyzer: Analyzer, folder: Path) -> dict[str, Any]:
    """Of titles where a subject is named, the share whose top subject is the labelled country.

    ``precision``/``coverage`` count the most weighted subject only; ``*_any_subject``
    count a title as right when the labelled country is among its subjects (a report on
    "Syria, Jordan, Lebanon and Iraq" names all four).
    """
    named = right = right_any = total = 0
    for stem, iso2 in RELIEFWEB_FILES.items():
        with (folder / f"reliefweb_reports_{stem}.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                total += 1
                subjects = [
                    c for c in analyzer.analyze(row["title"], "").countries if c.role == "subject"
                ]
                if subjects:
                    named += 1
                    right += max(subjects, key=lambda c: c.weight).iso2 == iso2
                    right_any += any(c.iso2 == iso2 for c in subjects)
    return {
        "titles": total,
        "precision": round(right / max(1, named), 4),
        "coverage": round(right / max(1, total), 4),
        "precision_any_subject": round(right_any / max(1, named), 4),
        "coverage_any_subject": round(right_any / max(1, total), 4),
    }


def reason_sha1(reason: str) -> str:
    """The key that ties a hand label to a reason without copying its text into the repo."""
    return hashlib.sha1(reason.strip().encode("utf-8")).hexdigest()[:16]


def update_reason_examples(
    folder: Path, labels_path: Path, gazetteer: Gazetteer
) -> dict[str, list[Example]]:
    """Hand-labelled UK and Canada update reasons, per source.

    Parameters
    ----------
    folder : Path
        ``advisories-history-marcolussetti`` in ../shared/data (the reasons' text).
    labels_path : Path
        Our labels, one ``{source, name, reason_sha1, labels}`` object per line.
    gazetteer : Gazetteer
        Resolves the source's country name: that country is the labelled subject.

    Returns
    -------
    dict
        Source name to examples, each posted as the check does: the country as the data
        names it in the title ("<name>: travel advice update"), the reason as the text;
        the labels are that country's.

    Raises
    ------
    ValueError
        When a label's reason is not in the data under that country's name (a changed
        snapshot would silently shrink the set otherwise), or the name resolves to no
        country.
    """
    reasons: dict[tuple[str, str], str] = {}
    names: dict[tuple[str, str], set[str]] = {}
    for source in REASON_SOURCES:
        for record in load_jsonl(folder / "info_history" / f"{source}_info_history.jsonl"):
            reason = (record["info"].get("update_reason") or "").strip()
            if reason:
                key = (source, reason_sha1(reason))
                reasons.setdefault(key, reason)
                names.setdefault(key, set()).add(record["info"].get("name", ""))
    examples: dict[str, list[Example]] = {source: [] for source in REASON_SOURCES}
    for label in load_jsonl(labels_path):
        key = (label["source"], label["reason_sha1"])
        if label["name"] not in names.get(key, ()):
            raise ValueError(
                f"{labels_path}: no {key[0]} update reason with sha1 {key[1]} for {label['name']!r}"
            )
        iso2 = gazetteer.resolve(label["name"])
        if iso2 is None:
            raise ValueError(f"{labels_path}: {label['name']!r} names no country")
        examples[label["source"]].append(
            {
                "title": f"{label['name']}: travel advice update",
                "text": reasons[key],
                "countries": {iso2: "subject"},
                "labels": label["labels"],
            }
        )
    return examples


def update_reasons_check(analyzer: Analyzer, examples: dict[str, list[Example]]) -> dict[str, Any]:
    """Metrics on the hand-labelled reasons, per source and over both.

    ``subject_accuracy`` and ``wrong_country_raised`` watch the countries a reason names
    besides its own ("the Embassy of Canada", "a US Embassy alert"): they must not be
    read as the subject or carry its factors.
    """
    factors = load_factor_config().names
    analysed = {source: _analyze_all(analyzer, group) for source, group in examples.items()}
    out: dict[str, Any] = {
        source: score_examples(analysed[source], group, factors)
        for source, group in examples.items()
    }
    out["all"] = score_examples(
        [a for source in examples for a in analysed[source]],
        [e for group in examples.values() for e in group],
        factors,
    )
    return out


def evaluate(data_dir: Path, artifacts_dir: Path, shared_data_dir: Path | None) -> dict[str, Any]:
    """Learned vs baseline metrics: cross-validated, held-out, and real data when given.

    Parameters
    ----------
    data_dir : Path
        The corpus folder (``heldout/`` inside it is the held-out set, and
        ``update_reasons/*.jsonl`` our labels of real update reasons: ``dev`` seen while
        writing the corpus, ``test`` frozen before any model saw it).
    artifacts_dir : Path
        Where the active learned model is; fitted on the corpus when none is active.
    shared_data_dir : Path or None
        ``../shared/data`` for the real-data checks; None skips them.

    Returns
    -------
    dict
        JSON-able metrics under ``learned`` and ``baseline``.
    """
    factors = load_factor_config().names
    gazetteer = default_gazetteer()
    # Real-data sets first: a label that no longer matches the data fails before the
    # minutes of cross-validation, not after.
    reasons: dict[str, dict[str, list[Example]]] = {}
    if shared_data_dir is not None:
        for labels in sorted((data_dir / "update_reasons").glob("*.jsonl")):
            reasons[labels.stem] = update_reason_examples(
                shared_data_dir / "advisories-history-marcolussetti", labels, gazetteer
            )
        if not reasons:
            logger.warning("no update-reason labels in %s: that check is skipped", data_dir)
    examples = load_corpus(data_dir)
    learned = load_active(artifacts_dir) or fit_analyzer(examples, gazetteer=gazetteer)
    baseline = BaselineAnalyzer(gazetteer=gazetteer)
    heldout = [e for p in sorted((data_dir / "heldout").glob("*.jsonl")) for e in load_jsonl(p)]
    out: dict[str, Any] = {"learned": {"model_version": learned.model_version}, "baseline": {}}
    out["learned"]["cross_validated"] = cross_validate(examples, gazetteer=gazetteer)
    out["baseline"]["cross_validated"] = score_examples(
        _analyze_all(baseline, examples), examples, factors
    )
    for name, analyzer in (("learned", learned), ("baseline", baseline)):
        if heldout:
            out[name]["heldout"] = score_examples(_analyze_all(analyzer, heldout), heldout, factors)
    if shared_data_dir is not None:
        relief = shared_data_dir / "reliefweb-titles-2013-2014-luiscape"
        for name, analyzer in (("learned", learned), ("baseline", baseline)):
            out[name]["reliefweb"] = reliefweb_check(analyzer, relief)
            out[name]["update_reasons"] = {
                split: update_reasons_check(analyzer, sets) for split, sets in reasons.items()
            }
    return out


if __name__ == "__main__":  # pragma: no cover - manual use; the service CLI wraps evaluate()
    root = Path(__file__).resolve().parent
    shared = root.parents[1] / "shared" / "data"
    result = evaluate(root / "data", root / "artifacts", shared if shared.is_dir() else None)
    print(json.dumps(result, indent=2))
