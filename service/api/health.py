"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

import logging
from typing import Any

import marshmallow as ma
from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from models.registry import ArtifactError
from service.api.errors import abort
from service.extensions import runtime
from service.metrics import registry
from service.storage.db import db

logger = logging.getLogger(__name__)

blp = Blueprint("health", __name__, description="Health and metrics")


class HealthSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "ok"})


class ReadinessSchema(ma.Schema):
    status = ma.fields.String(metadata={"description": "ready"})
    database = ma.fields.Boolean(metadata={"description": "The database answers"})
    model_version = ma.fields.String(metadata={"description": "The loaded analyser"})


@blp.route("/healthz")
class Liveness(MethodView):
    @blp.response(200, HealthSchema)
    def get(self) -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}


@blp.route("/readyz")
class Readiness(MethodView):
    @blp.response(200, ReadinessSchema)
    def get(self) -> dict[str, Any]:
        """The database is reachable and the models are loaded."""
        if not db.ping():
            abort(503, message="not ready: database unreachable")
        try:
            version = runtime().analyzer.model_version
        except ArtifactError:  # a lazy app meets a broken artifact here first
            logger.exception("readiness: the active model cannot be loaded")
            abort(503, message="not ready: the active model cannot be loaded (see the logs)")
        return {"status": "ready", "database": True, "model_version": version}


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.doc(responses={200: {"description": "Prometheus text exposition format"}})
    def get(self) -> Response:
        """Request counts and latencies, in Prometheus' text format."""
        return Response(generate_latest(registry(current_app)), mimetype=CONTENT_TYPE_LATEST)
