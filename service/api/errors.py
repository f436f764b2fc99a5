"""Every error as RFC 9457 ``application/problem+json``, never a stack trace."""

from __future__ import annotations

import logging
from typing import Any, NoReturn

import marshmallow as ma
from flask import Response, json, request
from flask_smorest import Api
from flask_smorest import abort as smorest_abort
from werkzeug.exceptions import HTTPException, InternalServerError

logger = logging.getLogger(__name__)

PROBLEM_JSON = "application/problem+json"


class ProblemSchema(ma.Schema):
    """An RFC 9457 problem document (documentation only; responses are built directly)."""

    type = ma.fields.String(metadata={"description": "A URI naming the problem type"})
    title = ma.fields.String(metadata={"description": "Short summary of the problem type"})
    status = ma.fields.Integer(metadata={"description": "The HTTP status code"})
    detail = ma.fields.String(metadata={"description": "What went wrong in this request"})
    instance = ma.fields.String(metadata={"description": "The request path"})
    errors = ma.fields.Dict(metadata={"description": "Field-by-field validation errors"})
    suggestions = ma.fields.List(
        ma.fields.Dict(), metadata={"description": "Close matches for an unknown identifier"}
    )


def problem_response(status: int, title: str, detail: str | None = None, **extra: Any) -> Response:
    """Build a problem+json response."""
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    body["instance"] = request.path
    body.update({k: v for k, v in extra.items() if v is not None})
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)


def abort(status: int, message: str, **extra: Any) -> NoReturn:
    """Stop the request with a problem; ``extra`` (errors, suggestions) joins the body."""
    smorest_abort(status, message=message, **extra)
    raise AssertionError("flask_smorest.abort returned")  # pragma: no cover


class ProblemApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, answering errors as problem documents."""

    ERROR_SCHEMA = ProblemSchema

    def _register_error_handlers(self) -> None:
        self._app.register_error_handler(HTTPException, self.handle_http_exception)
        self._app.register_error_handler(Exception, self.handle_unexpected)

    def handle_http_exception(self, error: HTTPException) -> Response:
        data = getattr(error, "data", None) or {}
        code = error.code or 500
        detail = data.get("message") or error.description
        errors = data.get("errors") or data.get("messages")
        if isinstance(errors, dict) and set(errors) <= {"json", "query", "path", "headers"}:
            # webargs nests validation errors by location; one location is the usual case.
            errors = errors if len(errors) > 1 else next(iter(errors.values()), None)
        response = problem_response(
            code, error.name, detail, errors=errors, suggestions=data.get("suggestions")
        )
        for name, value in (data.get("headers") or {}).items():
            response.headers[name] = value
        if code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            response.headers["Allow"] = ", ".join(error.valid_methods)
        return response

    def handle_unexpected(self, error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return self.handle_http_exception(error)
        logger.exception("unhandled error on %s %s", request.method, request.path)
        return self.handle_http_exception(InternalServerError())
