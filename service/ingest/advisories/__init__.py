"""Parsers of official travel advisories: bytes in, AdvisoryRecords and problems out.

``PARSERS`` maps a format id (the ``--format`` of ``ingest``) to its parser and
``detect_format`` guesses the id from the content, falling back to the file name.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..records import AdvisoryRecord, ParseResult
from .au import parse_au
from .ca import parse_ca
from .de import parse_de
from .generic import parse_generic
from .tai import parse_tai
from .uk_fcdo import parse_uk_fcdo
from .us_state import parse_us_state

Parser = Callable[..., ParseResult[AdvisoryRecord]]  # bytes plus keyword options

PARSERS: dict[str, Parser] = {
    "us-state": parse_us_state,
    "uk-fcdo": parse_uk_fcdo,
    "ca": parse_ca,
    "au": parse_au,
    "de": parse_de,
    "tai": parse_tai,
    "generic": parse_generic,
}

_NAME_HINTS = (
    ("tastws", "us-state"),
    ("cta-cap-", "ca"),
    ("index-alpha-eng", "ca"),
    ("index-updated", "ca"),
    ("travelwarning", "de"),
    ("destinations-export", "au"),
    ("foreign-travel-advice", "uk-fcdo"),
)


def detect_format(data: bytes, filename: str | None = None) -> str | None:
    """The format id of an advisory document, or None when it is none we know.

    The content decides (an RSS feed with Threat-Level categories, a GOV.UK travel_advice
    item, Canada's ``advisory-state`` ...); CSV and JSON Lines are ``generic``. The file name
    is only a fallback, so a renamed download is still recognised.
    """
    head = data.lstrip()[:2048]
    if head.startswith(b"<"):
        # News feeds are RSS too: only the State Department's carries Threat-Level tags.
        return "us-state" if b"Threat-Level" in data else None
    if head[:1] in (b"{", b"["):
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            doc = None
        found = _json_format(doc) if doc is not None else "generic"
        return found or _from_name(filename) or "generic"
    name_hint = _from_name(filename)
    if name_hint:
        return name_hint
    first_line = head.split(b"\n", 1)[0]
    return "generic" if b"," in first_line else None


def _json_format(doc: Any) -> str | None:
    if isinstance(doc, list):
        if doc and isinstance(doc[0], dict) and "field_overall_advice_level" in doc[0]:
            return "au"
        return "generic"
    if not isinstance(doc, dict):
        return None
    if str(doc.get("document_type") or doc.get("schema_name")).startswith("travel_advice"):
        return "uk-fcdo"
    if isinstance(doc.get("response"), dict):
        return "de"
    body = doc.get("data")
    if isinstance(body, dict):
        sample = body if "advisory-state" in body else next(iter(body.values()), None)
        if isinstance(sample, dict) and "advisory-state" in sample:
            return "ca"
        if isinstance(sample, dict) and isinstance(sample.get("advisory"), dict):
            return "tai"
    return None


def _from_name(filename: str | None) -> str | None:
    lowered = (filename or "").lower()
    return next((fmt for hint, fmt in _NAME_HINTS if hint in lowered), None)


__all__ = ["PARSERS", "Parser", "detect_format", "parse_generic"]
