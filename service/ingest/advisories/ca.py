"""Global Affairs Canada travel advice: the index and the per-country ``cta-cap`` files.

``advisory-state`` 0-3 is the national level (plus one on our scale). Canada also publishes
the same level as words (``eng.advisory-text``); when the two disagree the entry is rejected,
because one of them is wrong and we cannot tell which. In a ``cta-cap`` file the second and
later ``AdvisoryContainer`` blocks of ``eng.advisories`` are regional advisories, including
regions that are easier than the national level.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from ..records import (
    AdvisoryRecord,
    ParseFailure,
    ParseProblem,
    ParseResult,
    RegionalState,
    RegionalWarning,
)
from .common import error, indicators_for, load_json, parse_timestamp, resolve_country
from .htmltext import Node, parse_html
from .levels import CA_STATE_TO_LEVEL, ca_has_regional_suffix, level_for, normalise_wording

SOURCE = "ca"
DESTINATION_URL = "https://travel.gc.ca/destinations/"

_FRIENDLY = re.compile(r"^(?P<when>\w+ \d{1,2}, \d{4} \d{1,2}:\d{2}) (?P<zone>EDT|EST)$")
_EASTERN = {"EDT": timezone(timedelta(hours=-4)), "EST": timezone(timedelta(hours=-5))}
_GENERIC_AREA = {"regional advisory", "regional advisories"}
_DANGLING_EXCLUSION = re.compile(r",?\s+excluding(?:\s+the\s+\w+(?:\s+of)?)?:?$", re.I)
_TRAVEL_TO = re.compile(r"\btravel (?:to|in)\b\s*(?P<area>.*?)(?:,?\s+due to\b.*)?$", re.I)


def parse_ca(data: bytes) -> ParseResult[AdvisoryRecord]:
    """Parse a ``cta-cap-{iso}.json`` file (one country) or the index (every country)."""
    doc = load_json(data, SOURCE)
    body = doc.get("data") if isinstance(doc, dict) else None
    if not isinstance(body, dict):
        raise ParseFailure("ca: expected a JSON object with a 'data' object")
    result: ParseResult[AdvisoryRecord] = ParseResult()
    if "country-iso" in body or "advisory-state" in body:
        entries: list[tuple[str, Any, str | None]] = [("data", body, None)]
    else:
        entries = [(f"data.{key}", value, key) for key, value in body.items()]
    for location, entry, key in entries:
        outcome = _entry(entry, location, key)
        if isinstance(outcome, ParseProblem):
            result.problems.append(outcome)
        else:
            result.items.append(outcome)
    return result


def _entry(entry: Any, location: str, key: str | None) -> AdvisoryRecord | ParseProblem:
    if not isinstance(entry, dict):
        return error(location, f"expected an object, got {type(entry).__name__}")
    eng: dict[str, Any] = entry["eng"] if isinstance(entry.get("eng"), dict) else {}
    name = eng.get("name") or entry.get("country-eng")
    where = f"{location} ({name or key or '?'})"
    country = resolve_country(where, entry.get("country-iso") or key, name)
    if isinstance(country, ParseProblem):
        return country
    state = entry.get("advisory-state")
    if isinstance(state, bool) or not isinstance(state, int) or state not in CA_STATE_TO_LEVEL:
        return error(where, f"advisory-state must be an integer 0-3, got {state!r}")
    level = CA_STATE_TO_LEVEL[state]
    native = eng.get("advisory-text")
    if not isinstance(native, str) or not native.strip():
        return error(where, "eng.advisory-text is missing")
    if level_for(SOURCE, native) != level:
        return error(where, f"advisory-state {state} (level {level}) contradicts {native!r}")
    try:
        published = _published(entry, eng)
    except ValueError as exc:
        return error(where, f"publication date: {exc}")
    advisories_html = eng.get("advisories")
    if not isinstance(advisories_html, str):
        advisories_html = ""
    regions = tuple(_regions(parse_html(advisories_html))) if advisories_html else ()
    says_regional = entry.get("has-regional-advisory") == 1 or ca_has_regional_suffix(native)
    regional_state: RegionalState = "present" if regions else "none"
    if not regions and says_regional:
        regional_state = "unknown"
    text = " ".join(
        t for t in (native, parse_html(advisories_html).text(), eng.get("recent-updates")) if t
    )
    slug = eng.get("url-slug")
    return AdvisoryRecord(
        source=SOURCE,
        country_iso2=country,
        level=level,
        native=native,
        published_at=published,
        url=f"{DESTINATION_URL}{slug}" if isinstance(slug, str) and slug else None,
        text=text,
        indicators=indicators_for(text),
        regions=regions,
        regional_state=regional_state,
        raw=entry,
    )


def _published(entry: dict[str, Any], eng: dict[str, Any]) -> datetime | None:
    """The index's ``date-published``, else the cta-cap's "October 7, 2026 11:16 EDT"."""
    stamp = entry.get("date-published")
    if isinstance(stamp, dict):
        return parse_timestamp(stamp.get("timestamp") or stamp.get("asp") or stamp.get("date"))
    if stamp is not None:
        return parse_timestamp(stamp)
    friendly = eng.get("friendly-date")
    if not friendly:
        return None
    match = _FRIENDLY.match(str(friendly).strip())
    if not match:
        raise ValueError(f"not a date: {friendly!r}")
    local = datetime.strptime(match["when"], "%B %d, %Y %H:%M")
    return local.replace(tzinfo=_EASTERN[match["zone"]]).astimezone(UTC)


def _regions(advisories: Node) -> list[RegionalWarning]:
    """One warning per regional block, or per listed area when the heading names none."""
    blocks = [d for d in advisories.iter("div") if "AdvisoryContainer" in d.classes]
    warnings: list[RegionalWarning] = []
    for block in blocks[1:]:
        heading = next(block.iter("h3"), None)
        area, _, wording = (heading.text() if heading else "").rpartition(" - ")
        level = level_for(SOURCE, wording)
        if level is None:
            continue
        if normalise_wording(area) not in _GENERIC_AREA:
            warnings.append(RegionalWarning(area=area.strip(), level=level, native=wording))
            continue
        listed = next(block.iter("ul"), None)
        items = _top_items(listed) if listed else []
        areas = [_DANGLING_EXCLUSION.sub("", li.own_text()) for li in items]
        if not areas:
            lead = next(block.iter("p"), None)
            match = _TRAVEL_TO.search(lead.text() if lead else "")
            areas = [match["area"].strip(" .:")] if match and match["area"] else []
        warnings.extend(
            RegionalWarning(area=a.rstrip(":"), level=level, native=wording) for a in areas if a
        )
    return warnings


def _top_items(listed: Node) -> list[Node]:
    return [c for c in listed.children if isinstance(c, Node) and c.tag == "li"]
