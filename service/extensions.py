"""The app's long-lived objects (analyser, factor config, gazetteer), set up by init_app."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from flask import Flask, current_app

from models.analysis import Analyzer
from models.baseline import BaselineAnalyzer
from models.factor_config import FactorConfig, load_factor_config
from models.gazetteer import Gazetteer, default_gazetteer
from models.registry import load_active
from models.score_model import ScoreModel, load_active_score_model
from service.settings import Settings

logger = logging.getLogger(__name__)

SCORE_MODELS = "scoring"  # sub-folder of the model folder for fitted score models


@dataclass(frozen=True)
class Runtime:
    analyzer: Analyzer
    factors: FactorConfig
    gazetteer: Gazetteer
    score_model: ScoreModel | None  # fitted overall-score mapping, when one is trained


def load_analyzer(settings: Settings) -> Analyzer:
    """The active trained analyser, or the baseline when none has been trained.

    A broken or incompatible artifact stops the start with its reason rather than
    silently scoring with something else.
    """
    learned = load_active(settings.model_dir)
    if learned is not None:
        logger.info("analyser %s loaded from %s", learned.model_version, settings.model_dir)
        return learned
    baseline = BaselineAnalyzer(settings.config_dir)
    logger.info(
        "no trained model in %s (run `python -m service train`); using %s",
        settings.model_dir,
        baseline.model_version,
    )
    return baseline


def build_runtime(settings: Settings) -> Runtime:
    """Load what analysis and scoring need; used by the app and by CLI jobs alike."""
    analyzer = load_analyzer(settings)
    factors = load_factor_config(settings.config_dir)
    score_model = load_active_score_model(settings.model_dir / SCORE_MODELS, factors)
    if score_model is not None:
        logger.info("score model %s loaded", score_model.version)
    return Runtime(
        analyzer=analyzer, factors=factors, gazetteer=default_gazetteer(), score_model=score_model
    )


def init_app(app: Flask, *, lazy: bool = False) -> None:
    """Load the runtime now (a server fails at start), or on first use when ``lazy``.

    The command line is lazy: ``train`` must run when the active artifact is broken,
    since retraining is how that is repaired.
    """
    app.extensions["travelrisk.runtime"] = None if lazy else build_runtime(app.config["SETTINGS"])
    app.extensions["travelrisk.runtime_lock"] = threading.Lock()


def runtime() -> Runtime:
    """The current app's runtime objects, loaded on first use by a lazy app."""
    value: Runtime | None = current_app.extensions["travelrisk.runtime"]
    if value is None:
        with current_app.extensions["travelrisk.runtime_lock"]:
            value = current_app.extensions["travelrisk.runtime"]
            if value is None:
                value = build_runtime(current_app.config["SETTINGS"])
                current_app.extensions["travelrisk.runtime"] = value
    return value
