"""GDELT: the DOC 2.0 API's ArtList JSON and the Events 2.0 export (tab-separated, 61 columns).

ArtList gives headlines with URLs. An Events row is not an article but coded evidence
("France expels or withdraws from Mali", CAMEO 166, Goldstein -5), so each row becomes an
Article whose title is built from the event and whose ``raw`` keeps the coded fields for
the analyser. Events name countries with FIPS 10-4 codes, which is what the US State
Department's country tags are, so they are resolved through the gazetteer's "us-state" tags.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from service.ingest.dates import parse_date
from service.ingest.news.text import bounded, decode_bytes, make_article
from service.ingest.records import Article, ParseFailure, ParseProblem, ParseResult

#: FIPS-like country code -> ISO 3166 alpha-2, or None when unknown.
CountryResolver = Callable[[str], str | None]

EVENT_COLUMNS = 61
# Column positions in the GDELT 2.0 Event export (codebook order, 0-based).
_FIELDS = {
    "GLOBALEVENTID": 0, "SQLDATE": 1, "Actor1Name": 6, "Actor1CountryCode": 7,
    "Actor2Name": 16, "Actor2CountryCode": 17, "IsRootEvent": 25, "EventCode": 26,
    "EventRootCode": 28, "QuadClass": 29, "GoldsteinScale": 30, "NumMentions": 31,
    "NumSources": 32, "NumArticles": 33, "AvgTone": 34, "ActionGeo_FullName": 52,
    "ActionGeo_CountryCode": 53, "DATEADDED": 59, "SOURCEURL": 60,
}  # fmt: skip

#: CAMEO labels: every root code, plus the reduce-relations family that signals diplomacy.
CAMEO_LABELS = {
    "01": "make public statement", "02": "appeal", "03": "express intent to cooperate",
    "04": "consult", "05": "engage in diplomatic cooperation",
    "06": "engage in material cooperation", "07": "provide aid", "08": "yield",
    "09": "investigate", "10": "demand", "11": "disapprove", "12": "reject",
    "13": "threaten", "14": "protest", "15": "exhibit military posture",
    "16": "reduce relations", "17": "coerce", "18": "assault", "19": "fight",
    "20": "use unconventional mass violence",
    "161": "reduce or break diplomatic relations", "162": "reduce or stop material aid",
    "163": "impose embargo, boycott or sanctions", "164": "halt negotiations",
    "165": "halt mediation", "166": "expel or withdraw",
    "1661": "expel or withdraw peacekeepers", "1662": "expel or withdraw inspectors",
    "1663": "expel or withdraw aid agencies",
}  # fmt: skip


def _state_tag_resolver() -> CountryResolver:
    """The gazetteer's State Department tags; imported late, only Events need it."""
    from models.gazetteer import default_gazetteer

    gazetteer = default_gazetteer()
    return lambda code: gazetteer.resolve_tag("us-state", code)


def _event_label(code: str) -> str:
    label = CAMEO_LABELS.get(code) or CAMEO_LABELS.get(code[:3]) or CAMEO_LABELS.get(code[:2])
    return label or "event"


def _event_fields(cells: list[str]) -> tuple[dict[str, Any], str | None]:
    """The kept fields of one row with numbers converted, or an error message."""
    fields: dict[str, Any] = {name: cells[at].strip() for name, at in _FIELDS.items()}
    code = fields["EventCode"]
    if not (code.isdigit() and 2 <= len(code) <= 4):
        return fields, f"EventCode {code[:20]!r} is not a CAMEO code"
    try:
        fields["GoldsteinScale"] = float(fields["GoldsteinScale"])
        fields["NumSources"] = int(fields["NumSources"])
    except ValueError as exc:
        return fields, f"bad number: {exc}"
    if not -10.0 <= fields["GoldsteinScale"] <= 10.0:
        return fields, f"GoldsteinScale {fields['GoldsteinScale']} outside -10..10"
    return fields, None


def _event_title(fields: dict[str, Any]) -> str:
    actor = fields["Actor1Name"].title() or "Unknown actor"
    title = f"{actor}: {_event_label(fields['EventCode'])} (CAMEO {fields['EventCode']})"
    if fields["Actor2Name"]:
        title += f" with {fields['Actor2Name'].title()}"
    if fields["ActionGeo_FullName"]:
        title += f" in {fields['ActionGeo_FullName']}"
    return title


def parse_gdelt_events(
    data: bytes,
    *,
    resolve_country: CountryResolver | None = None,
    source: str | None = "gdelt",
    now: datetime | None = None,
) -> ParseResult[Article]:
    """Parse a GDELT 2.0 Events export; one Article per event row.

    Each event is its own item (``dedupe_key`` ``"gdelt-event:<GLOBALEVENTID>"``), so
    events sharing a SOURCEURL are all kept and the same event exported twice is not.
    ``raw`` keeps the coded fields plus ``action_country_iso2`` (None when the FIPS
    code is empty or unknown; unknown codes are reported once each as "unmapped").
    ``resolve_country`` maps FIPS codes (default: the gazetteer's "us-state" tags).
    Raises :class:`ParseFailure` when no line has the export's 61 columns.
    """
    result: ParseResult[Article] = ParseResult()
    content = decode_bytes(data, problems=result.problems)
    resolve = resolve_country or _state_tag_resolver()
    unknown: dict[str, list[str]] = {}
    rows = 0
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        location = f"line {number}"
        cells = line.split("\t")
        if len(cells) != EVENT_COLUMNS:
            message = f"expected {EVENT_COLUMNS} tab-separated columns, got {len(cells)}"
            result.problems.append(ParseProblem(location, message))
            continue
        rows += 1
        fields, error = _event_fields(cells)
        if error:
            result.problems.append(ParseProblem(location, error))
            continue
        fips = fields["ActionGeo_CountryCode"]
        fields["action_country_iso2"] = resolve(fips) if fips else None
        if fips and fields["action_country_iso2"] is None:
            unknown.setdefault(fips, []).append(location)
        title = _event_title(fields)
        article = make_article(
            title=title,
            text=f"{title}. Goldstein scale {fields['GoldsteinScale']:+.1f}; "
            f"reported by {fields['NumSources']} sources.",
            url=fields["SOURCEURL"],
            published_at=parse_date(
                fields["DATEADDED"] or fields["SQLDATE"],
                location=location,
                problems=result.problems,
                now=now,
            ),
            source=source,
            raw=fields,
            location=location,
            problems=result.problems,
        )
        if article is not None:
            # Many events cite one article (one SOURCEURL), and events coded alike have
            # the same generated text: only the event id tells them apart.
            event_id = fields["GLOBALEVENTID"]
            key = f"gdelt-event:{event_id}" if event_id else None
            result.items.append(replace(article, dedupe_key=key))
    if not rows:
        raise ParseFailure(f"not a GDELT 2.0 events export (no line has {EVENT_COLUMNS} columns)")
    for fips, locations in unknown.items():
        result.problems.append(
            ParseProblem(
                locations[0],
                f"ActionGeo_CountryCode {fips!r} ({len(locations)} rows) is not a country the "
                "gazetteer knows; kept without a country",
                kind="unmapped",
            )
        )
    return result


def _doc_item_error(item: Any) -> str | None:
    if not isinstance(item, dict):
        return f"expected a JSON object, got {type(item).__name__}"
    wrong = [
        f"{key!r} must be a string, got {type(item[key]).__name__}"
        for key in ("url", "title", "seendate", "domain", "language", "sourcecountry")
        if item.get(key) is not None and not isinstance(item[key], str)
    ]
    return "; ".join(wrong) or None


def parse_gdelt_doc(
    data: bytes, *, source: str | None = None, now: datetime | None = None
) -> ParseResult[Article]:
    """Parse a DOC 2.0 API answer in ``mode=ArtList&format=json``.

    ``{}`` (what the API sends for no matches) gives no items. Items have no body, so
    ``text`` is empty; ``source`` defaults to each item's domain. Raises
    :class:`ParseFailure` for a non-JSON answer (the API answers errors in plain text).
    """
    result: ParseResult[Article] = ParseResult()
    content = decode_bytes(data, problems=result.problems)
    try:
        document = json.loads(content)
    except json.JSONDecodeError as exc:
        raise ParseFailure(f"not GDELT JSON ({exc.msg}): {content.strip()[:200]!r}") from exc
    if not isinstance(document, dict):
        raise ParseFailure(f"not a GDELT ArtList: top level is {type(document).__name__}")
    articles = document.get("articles", [])
    if not isinstance(articles, list):
        raise ParseFailure(f"not a GDELT ArtList: 'articles' is {type(articles).__name__}")
    for number, item in enumerate(articles, start=1):
        location = f"item {number}"
        error = _doc_item_error(item)
        if error:
            result.problems.append(ParseProblem(location, error))
            continue
        article = make_article(
            title=item.get("title") or "",
            text="",
            url=item.get("url"),
            published_at=parse_date(
                item.get("seendate"), location=location, problems=result.problems, now=now
            ),
            source=source or item.get("domain"),
            raw=bounded(item),
            location=location,
            problems=result.problems,
        )
        if article is not None:
            result.items.append(article)
    return result
