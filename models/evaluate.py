"""Metrics of the learned analyser and the baseline, side by side.

Per-example scoring (:func:`score_examples`) is shared by cross-validation on the corpus,
the hand-written held-out set and the real-data checks:

- ``subject_accuracy``: share of examples whose predicted subject set equals the labelled one.
- ``factor_f1`` / ``factor_macro_f1``: per factor, "raised" means the labelled subject's
  probability is >= 0.5 (any country's, for a story with no subject); truth is a label
  other than ``none``.
- ``direction_accuracy``: of labelled-relevant factors that were raised, the share with
  the labelled direction; ``direction_accuracy_strict`` counts misses as wrong.
- ``wrong_country_raised``: examples where a country not labelled subject gets a factor >= 0.5.
"""

from __future__ import annotations

import csv
import json
import random
import re
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

__all__ = ["cross_validate", "evaluate", "reliefweb_check", "score_examples", "uk_reasons_check"]

RAISED = 0.5
RELIEFWEB_FILES = {
    "central_african_republic": "CF",
    "mali": "ML",
    "philippines": "PH",
    "somalia": "SO",
    "syria": "SY",
}
# Weak labels for UK update reasons: a factor is relevant iff its words appear.
UK_RULES = {
    "security": re.compile(r"\bterror", re.I),
    "fuel_supply": re.compile(r"\b(?:fuel|petrol|diesel)\b", re.I),
    "diplomatic_presence": re.compile(r"\b(?:embass|high commission|consulate)", re.I),
}
# Reasons with none of these words are routine (visas, style reviews, health) -> all none.
UK_RISKY = re.compile(
    r"terror|fuel|petrol|diesel|embass|commission|consul|attack|conflict|protest|unrest|"
    r"security|military|hostil|curfew|kidnap|crime|violence|tension|strike|clash|border|"
    r"fighting|missile|drone|election|advise against|evacuat|airspace|emergency",
    re.I,
)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn)


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
    f1 = {f: round(_f1(*counts[f]), 4) for f in factors}
    n = max(1, len(examples))
    return {
        "n": len(examples),
        "subject_accuracy": round(subject_ok / n, 4),
        "factor_f1": f1,
        "factor_macro_f1": round(float(np.mean(list(f1.values()))), 4),
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
    """Of titles where a subject is named, the share whose top subject is the labelled country."""
    named = right = total = 0
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
    return {
        "titles": total,
        "precision": round(right / max(1, named), 4),
        "coverage": round(right / max(1, total), 4),
    }


def uk_reason_examples(folder: Path, gazetteer: Gazetteer, *, seed: int = 0) -> list[Example]:
    """Weakly labelled UK update reasons (labelling rule: :data:`UK_RULES`).

    Every distinct reason naming terrorism, fuel or an embassy, plus as many routine
    reasons (no risk word at all), sampled with ``seed``. Removals ("Removal of
    information about ...", "no longer") are labelled easing, others escalating.
    """
    path = folder / "info_history" / "unitedkingdom_info_history.jsonl"
    seen: set[tuple[str, str]] = set()
    flagged: list[Example] = []
    routine: list[Example] = []
    for record in load_jsonl(path):
        name, reason = record["info"].get("name", ""), record["info"].get("update_reason") or ""
        iso2 = gazetteer.resolve(name)
        if not reason or iso2 is None or (name, reason) in seen:
            continue
        seen.add((name, reason))
        easing = bool(re.search(r"^remov|no longer|lifted|reopen|resum", reason, re.I))
        labels = {
            f: ("easing" if easing else "escalating") if rule.search(reason) else "none"
            for f, rule in UK_RULES.items()
        }
        example = {
            "title": f"{name}: travel advice update",
            "text": reason,
            "countries": {iso2: "subject"},
            "labels": labels,
        }
        if any(v != "none" for v in labels.values()):
            flagged.append(example)
        elif not UK_RISKY.search(reason):
            routine.append(example)
    random.Random(seed).shuffle(routine)
    return flagged + routine[: len(flagged)]


def uk_reasons_check(analyzer: Analyzer, examples: Sequence[Example]) -> dict[str, Any]:
    """Factor F1 on the weakly labelled UK reasons (subject fixed by the title)."""
    metrics = score_examples(_analyze_all(analyzer, examples), examples, load_factor_config().names)
    return {k: metrics[k] for k in ("n", "factor_f1", "factor_macro_f1", "direction_accuracy")}


def evaluate(data_dir: Path, artifacts_dir: Path, shared_data_dir: Path | None) -> dict[str, Any]:
    """Learned vs baseline metrics: cross-validated, held-out, and real data when given.

    Parameters
    ----------
    data_dir : Path
        The corpus folder (``heldout/`` inside it is the held-out set).
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
        uk = uk_reason_examples(shared_data_dir / "advisories-history-marcolussetti", gazetteer)
        for name, analyzer in (("learned", learned), ("baseline", baseline)):
            out[name]["reliefweb"] = reliefweb_check(analyzer, relief)
            out[name]["uk_reasons"] = uk_reasons_check(analyzer, uk)
    return out


if __name__ == "__main__":  # pragma: no cover - manual use; the service CLI wraps evaluate()
    root = Path(__file__).resolve().parent
    shared = root.parents[1] / "shared" / "data"
    result = evaluate(root / "data", root / "artifacts", shared if shared.is_dir() else None)
    print(json.dumps(result, indent=2))
