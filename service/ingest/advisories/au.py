"""Australia's Smartraveller destinations export (``/destinations-export``, a JSON array).

Each destination has ``title``, ``field_overall_advice_level`` (the national level in words),
``field_advice_levels`` (HTML naming the areas with other levels), ``field_last_update`` (the
text of the latest change, not a date), ``field_url`` and ``changed`` (Drupal's
"Fri, 2025-11-14 14:22", Canberra time), which is the date we keep.
"""

from __future__ import annotations

import re
from typing import Any

from ..records import AdvisoryRecord, ParseFailure, ParseProblem, ParseResult, RegionalWarning
from .common import error, indicators_for, load_json, parse_timestamp, resolve_country, unmapped
from .htmltext import parse_html
from .levels import level_for, normalise_wording, not_a_level_reason

SOURCE = "au"

_REGIONAL = re.compile(
    r"^(?P<advice>do not travel|reconsider your need to travel|exercise a high degree of caution"
    r"|exercise normal safety precautions)\s+(?:to|in)\s+(?P<area>[^.]+?)"
    r"(?:\s+(?:due to|because of)\b[^.]*)?(?:\.|$)",
    re.IGNORECASE,
)


def parse_au(data: bytes) -> ParseResult[AdvisoryRecord]:
    """Parse the Smartraveller export: one record per destination with a published level."""
    doc = load_json(data, SOURCE)
    if not isinstance(doc, list):
        raise ParseFailure("au: expected the destinations export, a JSON array of destinations")
    result: ParseResult[AdvisoryRecord] = ParseResult()
    for index, entry in enumerate(doc):
        outcome = _entry(entry, f"[{index}]")
        if isinstance(outcome, ParseProblem):
            result.problems.append(outcome)
        else:
            result.items.append(outcome)
    return result


def _entry(entry: Any, location: str) -> AdvisoryRecord | ParseProblem:
    if not isinstance(entry, dict):
        return error(location, f"expected an object, got {type(entry).__name__}")
    title = entry.get("title")
    where = f"{location} ({title or '?'})"
    country = resolve_country(where, title)
    if isinstance(country, ParseProblem):
        return country
    native = entry.get("field_overall_advice_level")
    if not isinstance(native, str) or not native.strip():
        return error(where, f"field_overall_advice_level must be text, got {native!r}")
    level = level_for(SOURCE, native)
    if level is None:
        reason = not_a_level_reason(SOURCE, native)
        return unmapped(where, reason) if reason else error(where, f"unknown level {native!r}")
    try:
        published = parse_timestamp(entry.get("changed"))
    except ValueError as exc:
        return error(where, f"changed: {exc}")
    levels_html = entry.get("field_advice_levels")
    levels_html = levels_html if isinstance(levels_html, str) else ""
    regions = tuple(_regions(levels_html, str(title)))
    text = " ".join(
        parse_html(t).text()
        for t in (entry.get("field_last_update"), entry.get("field_last_update_notes"), levels_html)
        if isinstance(t, str)
    )
    url = entry.get("field_url")
    return AdvisoryRecord(
        source=SOURCE,
        country_iso2=country,
        level=level,
        native=native.strip(),
        published_at=published,
        url=url if isinstance(url, str) and url else None,
        text=text,
        indicators=indicators_for(text),
        regions=regions,
        regional_state="present" if regions else "none",
        raw=entry,
    )


def _regions(levels_html: str, country_name: str) -> list[RegionalWarning]:
    """Areas named with their own level; the sentence about the whole country is skipped."""
    own = normalise_wording(country_name)
    found: dict[tuple[str, int], RegionalWarning] = {}
    for node in parse_html(levels_html).iter("p", "li"):
        match = _REGIONAL.match(node.own_text())
        if not match:
            continue
        area = match["area"].strip()
        folded = normalise_wording(area).removesuffix(" overall").removeprefix("the ")
        level = level_for(SOURCE, match["advice"])
        if level and folded != own:
            native = match["advice"].capitalize()
            found.setdefault((area, level), RegionalWarning(area=area, level=level, native=native))
    return list(found.values())
