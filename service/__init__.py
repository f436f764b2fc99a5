"""travelrisk: the Flask application factory."""

from __future__ import annotations

from flask import Flask

from service import cli, extensions, metrics, model_commands
from service.api import analyze, countries, guards, health, signals, sources

# Aliased: a bare ``jobs`` here would hide the service.jobs module (the scheduled jobs).
from service.api import jobs as job_runs_api
from service.api.errors import ProblemApi
from service.settings import Settings, load_settings
from service.storage.db import db

API_VERSION = "1.0.0"


def create_app(settings: Settings | None = None, *, lazy_runtime: bool = False) -> Flask:
    """Build the app: settings, database, analyser, API blueprints, error handling.

    Parameters
    ----------
    settings : Settings, optional
        Loaded from config/ and the environment when omitted.
    lazy_runtime : bool, default=False
        Load the analyser on first use instead of now (the command line: ``train`` must
        work while the active artifact is broken).
    """
    settings = settings or load_settings()
    app = Flask(__name__)
    app.config.update(
        SETTINGS=settings,
        MAX_CONTENT_LENGTH=settings.max_request_bytes,
        API_TITLE="travelrisk",
        API_VERSION=API_VERSION,
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH="/docs",
        OPENAPI_SWAGGER_UI_URL="https://cdn.jsdelivr.net/npm/swagger-ui-dist/",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Per-country travel risk from news and official advisories: "
                "security, fuel supply and diplomatic presence, 0-100 and levels 1-4."
            }
        },
    )
    db.init_app(app)
    extensions.init_app(app, lazy=lazy_runtime)
    metrics.init_app(app)
    guards.init_app(app)
    for command in (*cli.COMMANDS, *model_commands.COMMANDS):
        app.cli.add_command(command)
    api = ProblemApi(app)
    api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer"})
    for blueprint in (
        health.blp,
        countries.blp,
        analyze.blp,
        signals.blp,
        sources.blp,
        job_runs_api.blp,
    ):
        api.register_blueprint(blueprint)
    return app
