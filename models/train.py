"""Fit the learned analyser on the corpus, measure it, save and activate the artifact."""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from models.evaluate import cross_validate
from models.fitting import corpus_hash, fit_analyzer, load_corpus
from models.gazetteer import default_gazetteer
from models.registry import activate, save_artifact

__all__ = ["train"]

log = logging.getLogger(__name__)


def train(data_dir: Path, artifacts_dir: Path, *, seed: int = 0) -> dict[str, Any]:
    """Fit on ``data_dir/*.jsonl`` (never ``heldout/``), save a new version, activate it.

    Parameters
    ----------
    data_dir : Path
        The corpus folder.
    artifacts_dir : Path
        Where versions and ACTIVE live.
    seed : int, default=0
        Seed of the cross-validation folds; fitting itself has no randomness.

    Returns
    -------
    dict
        ``version``, ``examples``, ``data_sha256``, ``seconds`` and cross-validated
        ``metrics``.
    """
    started = time.perf_counter()
    gazetteer = default_gazetteer()
    examples = load_corpus(Path(data_dir))
    data_hash = corpus_hash(Path(data_dir))
    log.info("training on %s examples (corpus %s)", len(examples), data_hash[:12])
    metrics = cross_validate(examples, seed=seed, gazetteer=gazetteer)
    analyzer = fit_analyzer(examples, gazetteer=gazetteer)
    Path(artifacts_dir).mkdir(parents=True, exist_ok=True)
    version = save_artifact(analyzer, metrics, data_hash, Path(artifacts_dir))
    activate(version, Path(artifacts_dir))
    seconds = round(time.perf_counter() - started, 1)
    log.info("trained %s in %ss: %s", version, seconds, metrics)
    return {
        "version": version,
        "examples": len(examples),
        "data_sha256": data_hash,
        "seconds": seconds,
        "metrics": metrics,
    }
