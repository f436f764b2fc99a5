"""/v1/sources: each configured source's health."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app
from flask.views import MethodView
from flask_smorest import Blueprint

from service.api.schemas import SourceListSchema
from service.sources import load_sources
from service.storage.db import db
from service.storage.sources import list_sources

blp = Blueprint("sources", __name__, url_prefix="/v1/sources", description="Source health")

NEVER_RUN: dict[str, Any] = {
    "last_attempt_at": None,
    "last_success_at": None,
    "last_error_at": None,
    "last_error": None,
    "consecutive_failures": 0,
    "backoff_until": None,
    "circuit_open": False,
    "items_seen_total": 0,
    "items_new_total": 0,
    "last_run": None,
}


@blp.route("")
class Sources(MethodView):
    @blp.response(200, SourceListSchema)
    def get(self) -> dict[str, Any]:
        """Every source: last success, last error, failures in a row, backoff and counts."""
        specs = load_sources(current_app.config["SETTINGS"].config_dir)
        now = datetime.now(UTC)
        items: dict[str, dict[str, Any]] = {
            name: {
                "name": name,
                "kind": spec.kind,
                "format": spec.format,
                "url": spec.url,
                "enabled": spec.enabled,
                "interval_minutes": spec.interval_minutes,
                **NEVER_RUN,
            }
            for name, spec in specs.items()
        }
        for source, run in list_sources(db.session):
            spec = specs.get(source.name)
            items[source.name] = {
                "name": source.name,
                "kind": source.kind,
                "format": source.format,
                "url": source.url,
                "enabled": spec.enabled if spec else False,
                "interval_minutes": spec.interval_minutes if spec else None,
                "last_attempt_at": source.last_attempt_at,
                "last_success_at": source.last_success_at,
                "last_error_at": source.last_error_at,
                "last_error": source.last_error,
                "consecutive_failures": source.consecutive_failures,
                "backoff_until": source.backoff_until,
                "circuit_open": bool(source.backoff_until and source.backoff_until > now),
                "items_seen_total": source.items_seen_total,
                "items_new_total": source.items_new_total,
                "last_run": run,
            }
        return {"items": [items[name] for name in sorted(items)], "next_cursor": None}
