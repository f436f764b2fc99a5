"""US State Department travel advisories RSS (``TAsTWs.xml``).

Each ``<item>`` is one destination: the title ("Mali - Level 4: Do Not Travel"), a
``Threat-Level`` and a ``Country-Tag`` category (State's own FIPS-like codes, so "UK" is the
United Kingdom and "AJ" Azerbaijan), a date-only ``pubDate`` and an HTML description whose
lead sentence names the reasons ("... due to crime, terrorism and kidnapping") and whose
"Do Not Travel to ..." paragraphs and lists are the regional warnings.
"""

from __future__ import annotations

import re
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from models.gazetteer import default_gazetteer

from ..records import (
    AdvisoryRecord,
    ParseFailure,
    ParseProblem,
    ParseResult,
    RegionalState,
    RegionalWarning,
)
from .common import error, indicators_for, parse_timestamp, resolve_country, unmapped
from .factor_evidence import us_indicator_letters
from .htmltext import Node, parse_html
from .levels import level_for, normalise_wording, not_a_level_reason

SOURCE = "us-state"

_TITLE = re.compile(r"^(?P<name>.+?)\s+-\s+(?P<native>\S.*)$")
_ADVICE = re.compile(
    r"^(?P<advice>do not travel|reconsider travel|exercise increased caution"
    r"|exercise normal precautions?)\b\s*(?:to|in|within|along|near)?\b\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
_HEADING = re.compile(
    r"^(?P<area>.+?)\s+[\u2013\u2014-]\s+(?P<advice>do not travel|reconsider travel"
    r"|exercise increased caution|exercise normal precautions?)$",
    re.IGNORECASE,
)
_DUE_TO = re.compile(r"\bdue to\b(?P<reasons>[^.]*)", re.IGNORECASE)
# Advice sentences about behaviour, not places ("... when visiting bars", "... due to crime").
_NOT_AN_AREA = re.compile(r"^(?:$|when\b|while\b|if\b|and\b|because\b|at\b)", re.IGNORECASE)
_SOME_AREAS = "some areas have increased risk"


def parse_us_state(data: bytes) -> ParseResult[AdvisoryRecord]:
    """Parse the State Department RSS feed into one record per country item."""
    channel = _channel(data)
    result: ParseResult[AdvisoryRecord] = ParseResult()
    for index, item in enumerate(channel.findall("item"), start=1):
        outcome = _item(item, f"item {index}")
        if isinstance(outcome, ParseProblem):
            result.problems.append(outcome)
        else:
            result.items.append(outcome)
    return result


def _channel(data: bytes) -> Element:
    try:
        root = fromstring(data)
    except defusedxml.DefusedXmlException as exc:
        raise ParseFailure(f"us-state: refused unsafe XML ({type(exc).__name__})") from exc
    except ParseError as exc:
        raise ParseFailure(f"us-state: not well-formed XML ({exc})") from exc
    channel: Element | None = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ParseFailure(f"us-state: expected an RSS <channel>, found <{root.tag}>")
    return channel


def _item(item: Element, location: str) -> AdvisoryRecord | ParseProblem:
    raw = _raw(item)
    title_match = _TITLE.match(" ".join(raw["title"].split()))
    if not title_match:
        return error(location, f"title {raw['title']!r} is not 'Country - Level N: advice'")
    name = title_match["name"]
    tag = raw["categories"].get("Country-Tag", "")
    where = f"{location} ({name})"
    iso2 = default_gazetteer().resolve_tag(SOURCE, tag) if tag else None
    country = iso2 or resolve_country(where, name)
    if isinstance(country, ParseProblem):
        return country
    native = raw["categories"].get("Threat-Level") or title_match["native"]
    level = level_for(SOURCE, native)
    if level is None:
        reason = not_a_level_reason(SOURCE, native)
        if reason:
            return unmapped(where, f"{native!r}: {reason}")
        return error(where, f"unknown Threat-Level {native!r}")
    try:
        published = parse_timestamp(raw["pubDate"])
    except ValueError as exc:
        return error(where, f"pubDate: {exc}")
    body = parse_html(raw["description"])
    text = body.text()
    regions = tuple(_regions(body, name))
    regional_state: RegionalState = "present" if regions else "none"
    if not regions and _SOME_AREAS in normalise_wording(text):
        regional_state = "unknown"
    lead = text[: text.lower().find("read the")] if "read the" in text.lower() else text[:600]
    reasons = " ".join(m["reasons"] for m in _DUE_TO.finditer(lead))
    return AdvisoryRecord(
        source=SOURCE,
        country_iso2=country,
        level=level,
        native=native,
        published_at=published,
        url=raw["link"] or None,
        text=text,
        indicators=indicators_for(text, *us_indicator_letters(reasons)),
        regions=regions,
        regional_state=regional_state,
        raw=raw,
    )


def _raw(item: Element) -> dict[str, Any]:
    categories = {c.get("domain", ""): (c.text or "").strip() for c in item.findall("category")}
    return {
        "title": (item.findtext("title") or "").strip(),
        "link": (item.findtext("link") or "").strip(),
        "pubDate": (item.findtext("pubDate") or "").strip(),
        "categories": categories,
        "description": item.findtext("description") or "",
    }


def _regions(body: Node, country_name: str) -> list[RegionalWarning]:
    """Areas named after an advice phrase, in paragraphs, list items or section headings."""
    own = normalise_wording(country_name)
    found: dict[tuple[str, int], RegionalWarning] = {}
    pending: str | None = None

    def add(area: str, native: str) -> None:
        area = _DUE_TO.split(area, maxsplit=1)[0].strip(" .:;,")
        level = level_for(SOURCE, native)
        if _NOT_AN_AREA.match(area) or not level:
            return
        if normalise_wording(area) not in (own, f"the {own}"):
            found.setdefault((area, level), RegionalWarning(area=area, level=level, native=native))

    for node in body.iter("p", "li", "h3", "h4", "h5"):
        text = node.own_text()
        advice = _ADVICE.match(text)
        heading = _HEADING.match(text)
        if advice:
            native = advice["advice"].title()
            rest = advice["rest"].strip()
            if rest.strip(" :") == "":
                pending = native
            else:
                add(rest, native)
                pending = None
        elif heading:
            add(heading["area"], heading["advice"].title())
        elif node.tag == "li" and pending:
            add(text, pending)
        elif node.tag == "p" and text:
            pending = None
    return list(found.values())
