"""Opaque keyset cursors and the ``Link: rel="next"`` header of list endpoints."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import urlencode

from flask import request

from service.api.errors import abort

T = TypeVar("T")

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000


def encode_cursor(key: list[Any]) -> str:
    raw = json.dumps(key, separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *, length: int) -> list[Any]:
    """The key inside a cursor; a cursor we did not make is a 422 problem."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        key = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        key = None
    if not isinstance(key, list) or len(key) != length:
        abort(422, message="invalid cursor", errors={"cursor": ["not a cursor from this API"]})
    return key


def page(
    rows: Sequence[T], limit: int, key: Callable[[T], list[Any]]
) -> tuple[list[T], str | None]:
    """The first ``limit`` rows and the cursor after them (None on the last page).

    Queries fetch ``limit + 1`` rows: the extra one only says that another page exists.
    """
    if len(rows) <= limit:
        return list(rows), None
    kept = list(rows[:limit])
    return kept, encode_cursor(key(kept[-1]))


def next_link_headers(next_cursor: str | None) -> dict[str, str]:
    """``Link`` header pointing at the next page with the same query, if there is one."""
    if next_cursor is None:
        return {}
    query = {k: v for k, v in request.args.items() if k != "cursor"}
    query["cursor"] = next_cursor
    return {"Link": f'<{request.base_url}?{urlencode(query)}>; rel="next"'}
