"""Liveness, readiness and Prometheus metrics."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask import Response, current_app
from flask.views import MethodView
from flask_smorest import Blueprint
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from service.api.errors import abort
from service.extensions import runtime
from service.metrics import registry
from service.storage.db import db

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
        database = db.ping()
        analyzer = current_app.extensions.get("travelrisk.runtime")
        if not database or analyzer is None:
            abort(
                503,
                message="not ready: " + ("database unreachable" if not database else "no model"),
            )
        return {
            "status": "ready",
            "database": True,
            "model_version": runtime().analyzer.model_version,
        }


@blp.route("/metrics")
class Metrics(MethodView):
    @blp.doc(responses={200: {"description": "Prometheus text exposition format"}})
    def get(self) -> Response:
        """Request counts and latencies, in Prometheus' text format."""
        return Response(generate_latest(registry(current_app)), mimetype=CONTENT_TYPE_LATEST)
