"""Request checks that apply to every API write, before any view runs."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import UnsupportedMediaType

BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


def init_app(app: Flask) -> None:
    @app.before_request
    def require_json_body() -> None:
        """A write with a body must say it is JSON; anything else is a 415 problem."""
        if request.method in BODY_METHODS and request.path.startswith("/v1/"):
            if request.content_length == 0 and not request.mimetype:
                return
            if request.mimetype != "application/json":
                raise UnsupportedMediaType(
                    f"send the body as application/json, not {request.mimetype or 'nothing'}"
                )
