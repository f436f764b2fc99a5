"""travel-advisory.info ``data.json``: a 0-5 score averaged over the governments it reads.

``data.{ISO2}.advisory.score`` is mapped with the site's own bands (see levels.py); an entry
with ``sources_active`` 0 has no score worth keeping and is reported, not stored.
"""

from __future__ import annotations

from typing import Any

from ..records import AdvisoryRecord, ParseFailure, ParseProblem, ParseResult
from .common import error, indicators_for, load_json, parse_timestamp, resolve_country, unmapped
from .levels import tai_score_to_level

SOURCE = "tai"


def parse_tai(data: bytes) -> ParseResult[AdvisoryRecord]:
    """Parse data.json: one record per country with at least one active source."""
    doc = load_json(data, SOURCE)
    body = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(body, dict):
        raise ParseFailure("tai: expected a JSON object with a 'data' object keyed by country")
    result: ParseResult[AdvisoryRecord] = ParseResult()
    for key, entry in body.items():
        outcome = _entry(entry, f"data.{key}", key)
        if isinstance(outcome, ParseProblem):
            result.problems.append(outcome)
        else:
            result.items.append(outcome)
    return result


def _entry(entry: Any, location: str, key: str) -> AdvisoryRecord | ParseProblem:
    if not isinstance(entry, dict) or not isinstance(entry.get("advisory"), dict):
        return error(location, "expected an object with an 'advisory' object")
    where = f"{location} ({entry.get('name') or key})"
    country = resolve_country(where, entry.get("iso_alpha2") or key, entry.get("name"))
    if isinstance(country, ParseProblem):
        return country
    advisory = entry["advisory"]
    score, active = advisory.get("score"), advisory.get("sources_active")
    if isinstance(active, bool) or not isinstance(active, int):
        return error(where, f"sources_active must be an integer, got {active!r}")
    if active == 0:
        return unmapped(where, "no active sources, so the score says nothing")
    if isinstance(score, bool) or not isinstance(score, int | float) or not 0 <= score <= 5:
        return error(where, f"score must be a number 0-5, got {score!r}")
    try:
        published = parse_timestamp(advisory.get("updated"))
    except ValueError as exc:
        return error(where, f"updated: {exc}")
    message = advisory.get("message")
    text = message if isinstance(message, str) else ""
    url = advisory.get("source")
    return AdvisoryRecord(
        source=SOURCE,
        country_iso2=country,
        level=tai_score_to_level(float(score)),
        native=f"{score:g}/5 from {active} sources",
        published_at=published,
        url=url if isinstance(url, str) and url else None,
        text=text,
        indicators=indicators_for(text),
        raw=entry,
    )
