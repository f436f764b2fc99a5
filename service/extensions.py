"""The app's long-lived objects (analyser, factor config, gazetteer), set up by init_app."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from flask import Flask, current_app

from models.analysis import Analyzer
from models.baseline import BaselineAnalyzer
from models.factor_config import FactorConfig, load_factor_config
from models.gazetteer import Gazetteer, default_gazetteer
from service.settings import Settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    analyzer: Analyzer
    factors: FactorConfig
    gazetteer: Gazetteer


def build_runtime(settings: Settings) -> Runtime:
    """Load what analysis and scoring need; used by the app and by CLI jobs alike."""
    analyzer = BaselineAnalyzer(settings.config_dir)
    logger.info("analyser %s loaded", analyzer.model_version)
    return Runtime(
        analyzer=analyzer,
        factors=load_factor_config(settings.config_dir),
        gazetteer=default_gazetteer(),
    )


def init_app(app: Flask) -> None:
    app.extensions["travelrisk.runtime"] = build_runtime(app.config["SETTINGS"])


def runtime() -> Runtime:
    """The current app's runtime objects."""
    value: Runtime = current_app.extensions["travelrisk.runtime"]
    return value
