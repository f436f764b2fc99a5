"""UK FCDO travel advice from the GOV.UK content API (a country page or the index).

The national level comes from ``details.alert_status``: only whole-country statuses raise it
(the FCDO has no middle national level), while ``..._to_parts`` statuses describe regions,
whose names are read from the ``warnings-and-insurance`` part ("FCDO advises against all
travel to: <ul>...").
"""

from __future__ import annotations

import re
from typing import Any

from ..records import (
    AdvisoryRecord,
    ParseFailure,
    ParseProblem,
    ParseResult,
    RegionalState,
    RegionalWarning,
)
from .common import error, indicators_for, load_json, parse_timestamp, resolve_country, unmapped
from .htmltext import Node, parse_html
from .levels import LEVEL_WORDS, normalise_wording

SOURCE = "uk-fcdo"
WARNINGS_PART = "warnings-and-insurance"
GOV_UK = "https://www.gov.uk"

_WHOLE = {
    "avoid_all_travel_to_whole_country": 4,
    "avoid_all_but_essential_travel_to_whole_country": 3,
}
_ADVISES = re.compile(
    r"advises? against (?P<scope>all but essential|all) travel\s+(?:to|on|in)\b\s*(?P<rest>[^.]*)",
    re.IGNORECASE,
)
_CUT = re.compile(r"\s+(?:due to|owing to|because)\b.*$|[\s,]*\bexcept\b.*$", re.IGNORECASE)
_OTHER_COUNTRY_LINK = re.compile(r"/foreign-travel-advice/(?P<slug>[a-z-]+)/?$")


def parse_uk_fcdo(data: bytes) -> ParseResult[AdvisoryRecord]:
    """Parse one travel_advice page, or every child of the travel_advice_index page."""
    doc = load_json(data, SOURCE)
    if not isinstance(doc, dict):
        raise ParseFailure("uk-fcdo: expected a GOV.UK content item (a JSON object)")
    result: ParseResult[AdvisoryRecord] = ParseResult()
    kind = doc.get("document_type") or doc.get("schema_name")
    if kind == "travel_advice":
        entries = [("document", doc)]
    elif kind == "travel_advice_index":
        children = (doc.get("links") or {}).get("children")
        if not isinstance(children, list):
            raise ParseFailure("uk-fcdo: travel_advice_index without links.children")
        entries = [(f"links.children[{i}]", child) for i, child in enumerate(children)]
    else:
        raise ParseFailure(f"uk-fcdo: document_type {kind!r} is not travel advice")
    for location, entry in entries:
        outcome = _entry(entry, location)
        if isinstance(outcome, ParseProblem):
            result.problems.append(outcome)
        else:
            result.items.append(outcome)
    return result


def _entry(entry: Any, location: str) -> AdvisoryRecord | ParseProblem:
    if not isinstance(entry, dict) or not isinstance(entry.get("details"), dict):
        return error(location, "not a content item with a details object")
    details = entry["details"]
    country_info = details.get("country") if isinstance(details.get("country"), dict) else {}
    name, slug = country_info.get("name"), country_info.get("slug")
    where = f"{location} ({name or slug or entry.get('title') or '?'})"
    country = resolve_country(where, name, slug)
    if isinstance(country, ParseProblem):
        return country
    statuses = details.get("alert_status")
    if statuses is None and location != "document":
        return unmapped(where, "index entry carries no alert_status; the country page has it")
    if not isinstance(statuses, list) or not all(isinstance(s, str) for s in statuses):
        return error(where, f"details.alert_status must be a list of strings, got {statuses!r}")
    unknown = [s for s in statuses if s not in LEVEL_WORDS[SOURCE]]
    if unknown:
        return error(where, f"unknown alert_status {unknown}")
    try:
        published = parse_timestamp(entry.get("public_updated_at"))
    except ValueError as exc:
        return error(where, f"public_updated_at: {exc}")
    warnings_html = _warnings_html(details)
    regions: tuple[RegionalWarning, ...] = ()
    if warnings_html and any(s.endswith("_to_parts") for s in statuses):
        regions = tuple(_regions(parse_html(warnings_html), name or "", slug or ""))
    regional_state: RegionalState = "present" if regions else "none"
    if not regions and any(s.endswith("_to_parts") for s in statuses):
        regional_state = "unknown"
    change = details.get("change_description") or ""
    text = "\n\n".join(t for t in (str(change), parse_html(warnings_html).text()) if t)
    base_path = entry.get("base_path")
    return AdvisoryRecord(
        source=SOURCE,
        country_iso2=country,
        level=max((_WHOLE.get(s, 1) for s in statuses), default=1),
        native=", ".join(statuses) or "no alert status",
        published_at=published,
        url=f"{GOV_UK}{base_path}" if isinstance(base_path, str) else None,
        text=text,
        indicators=indicators_for(text, *statuses),
        regions=regions,
        regional_state=regional_state,
        raw=entry,
    )


def _warnings_html(details: dict[str, Any]) -> str:
    """The warnings part's HTML, or the older single ``summary`` body."""
    for part in details.get("parts") or []:
        if isinstance(part, dict) and part.get("slug") == WARNINGS_PART:
            return str(part.get("body") or "")
    summary = details.get("summary")
    return summary if isinstance(summary, str) else ""


def _regions(body: Node, name: str, slug: str) -> list[RegionalWarning]:
    """Areas the FCDO advises against, from sentences and the lists that follow them."""
    own = {normalise_wording(name), f"the {normalise_wording(name)}"}
    found: dict[tuple[str, int], RegionalWarning] = {}
    pending: tuple[int, str] | None = None

    def add(area: str, level: int, native: str) -> None:
        area = _CUT.sub("", area).strip(" .:;,-")
        if area and normalise_wording(area) not in own:
            found.setdefault((area, level), RegionalWarning(area=area, level=level, native=native))

    in_list_item = {id(p) for li in body.iter("li") for p in li.iter("p")}
    for node in body.iter("h2", "p", "li"):
        if id(node) in in_list_item:
            continue
        text = node.own_text()
        if node.tag == "h2":
            pending = None
            continue
        match = _ADVISES.search(text) if node.tag == "p" else None
        if match and not _about_other_country(node, match["rest"], slug):
            native = f"advises against {match['scope'].lower()} travel"
            level = LEVEL_WORDS[SOURCE][native]
            rest = match["rest"].strip()
            if rest.endswith(":") and not re.search(r"\bexcept\b", rest, re.IGNORECASE):
                pending = (level, native)
            else:
                add(rest, level, native)
                pending = None
        elif node.tag == "li" and pending:
            add(text, *pending)
    return list(found.values())


def _about_other_country(node: Node, area: str, own_slug: str) -> bool:
    """True when the area is a link to another country's advice (a cross-reference)."""
    for link in node.iter("a"):
        target = _OTHER_COUNTRY_LINK.search(link.attrs.get("href", ""))
        if target and target["slug"] != own_slug and link.text() in area:
            return True
    return False
