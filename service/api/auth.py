"""API keys for writes: ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.

Keys come from TRAVELRISK_API_KEYS or the api_keys table; only SHA-256 digests are
compared, in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from flask import current_app, request
from sqlalchemy import select

from service.api.errors import abort
from service.storage.db import db
from service.storage.tables import ApiKey

P = ParamSpec("P")
R = TypeVar("R")


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _presented_key() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip() or None
    return request.headers.get("X-API-Key") or None


def _is_valid(key: str) -> bool:
    digest = key_digest(key)
    configured = [key_digest(k) for k in current_app.config["SETTINGS"].api_keys]
    if any(hmac.compare_digest(digest, known) for known in configured):
        return True
    stored = db.session.scalars(
        select(ApiKey.key_hash).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
    ).first()
    return stored is not None


def require_api_key(view: Callable[P, R]) -> Callable[P, R]:
    """401 without a key, 403 with a wrong one; the view runs only for a valid key."""

    @wraps(view)
    def guarded(*args: P.args, **kwargs: P.kwargs) -> R:
        key = _presented_key()
        if key is None:
            abort(
                401,
                message="this endpoint needs an API key (Authorization: Bearer <key>)",
                headers={"WWW-Authenticate": 'Bearer realm="travelrisk"'},
            )
        if not _is_valid(key):
            abort(403, message="the API key is not valid")
        return view(*args, **kwargs)

    return guarded
