"""Germany's Auswärtiges Amt open-data travel warnings (``/opendata/travelwarning``).

The response lists one object per country with four boolean flags and no wording:
``warning`` (Reisewarnung, whole country) -> 4; ``situationWarning`` (travel advised against,
whole country) -> 3; neither -> 1. ``partialWarning`` and ``situationPartWarning`` say that
unnamed parts of the country carry a warning (4) or are advised against (3): they become a
regional warning for "unnamed parts", never the national level.
"""

from __future__ import annotations

from typing import Any

from ..records import AdvisoryRecord, ParseFailure, ParseProblem, ParseResult, RegionalWarning
from .common import error, indicators_for, load_json, parse_timestamp, resolve_country
from .levels import LEVEL_WORDS

SOURCE = "de"
FLAGS = ("warning", "partialWarning", "situationWarning", "situationPartWarning")
UNNAMED_PARTS = "unnamed parts of the country"
_PART_LEVELS = {"partialWarning": 4, "situationPartWarning": 3}


def parse_de(data: bytes) -> ParseResult[AdvisoryRecord]:
    """Parse the travelwarning response: one record per content id."""
    doc = load_json(data, SOURCE)
    response = doc.get("response") if isinstance(doc, dict) else None
    if not isinstance(response, dict):
        raise ParseFailure("de: expected a JSON object with a 'response' object")
    ids = response.get("contentList")
    if not isinstance(ids, list):
        ids = [k for k, v in response.items() if isinstance(v, dict)]
    result: ParseResult[AdvisoryRecord] = ParseResult()
    for content_id in ids:
        location = f"response.{content_id}"
        outcome = _entry(response.get(str(content_id)), location)
        if isinstance(outcome, ParseProblem):
            result.problems.append(outcome)
        else:
            result.items.append(outcome)
    return result


def _entry(entry: Any, location: str) -> AdvisoryRecord | ParseProblem:
    if not isinstance(entry, dict):
        return error(location, "listed in contentList but missing or not an object")
    name = entry.get("countryName")
    where = f"{location} ({name or entry.get('countryCode') or '?'})"
    country = resolve_country(where, entry.get("countryCode"), entry.get("iso3CountryCode"), name)
    if isinstance(country, ParseProblem):
        return country
    flags = {flag: entry.get(flag, False) for flag in FLAGS}
    wrong = [flag for flag, value in flags.items() if not isinstance(value, bool)]
    if wrong:
        return error(where, f"flags must be true/false: {', '.join(wrong)}")
    try:
        published = parse_timestamp(entry.get("lastModified"))
    except ValueError as exc:
        return error(where, f"lastModified: {exc}")
    raised = [flag for flag in FLAGS if flags[flag]]
    national = [flag for flag in raised if flag in ("warning", "situationWarning")]
    words = LEVEL_WORDS[SOURCE]
    level = max((words[flag.lower()] for flag in national), default=words["no warning flags"])
    regions = tuple(
        RegionalWarning(area=UNNAMED_PARTS, level=_PART_LEVELS[flag], native=flag)
        for flag in raised
        if flag in _PART_LEVELS
    )
    title = entry.get("title")
    text = title if isinstance(title, str) else ""
    return AdvisoryRecord(
        source=SOURCE,
        country_iso2=country,
        level=level,
        native=", ".join(raised) or "no warning flags",
        published_at=published,
        url=None,
        text=text,
        indicators=indicators_for(text, *raised),
        regions=regions,
        regional_state="present" if regions else "none",
        raw=entry,
    )
