"""What every advisory parser shares: input decoding, country resolution, dates, problems.

Kept in one place so that every source reports the same kind of problem in the same words,
and so that "is this a country?" has one answer across sources.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from zoneinfo import ZoneInfo

from models.gazetteer import default_gazetteer

from ..records import ParseFailure, ParseProblem
from .factor_evidence import factors_in
from .levels import normalise_wording

# Well-formed entries that name no single country: stored nowhere, reported with the reason.
NON_COUNTRIES: dict[str, str] = {
    "worldwide caution": "a worldwide caution, not a country",
    "worldwide": "a worldwide advisory, not a country",
    "no travel advice": "a placeholder page, not a destination",
    "azores": "an autonomous region of Portugal with its own advice; Portugal's level is separate",
    "canary islands": "a region of Spain with its own advice; Spain's level is separate",
    "madeira": "an autonomous region of Portugal with its own advice; Portugal's level is separate",
}

_AU_CHANGED = re.compile(r"^[A-Za-z]{3}, (\d{4}-\d{2}-\d{2} \d{2}:\d{2})$")
_SYDNEY = ZoneInfo("Australia/Sydney")


def load_json(data: bytes, what: str) -> Any:
    """Decode a JSON document or raise ParseFailure naming the format that was expected."""
    try:
        return json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ParseFailure(f"{what}: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc
    except json.JSONDecodeError as exc:
        raise ParseFailure(f"{what}: not valid JSON ({exc.msg}, line {exc.lineno})") from exc


def error(location: str, message: str) -> ParseProblem:
    return ParseProblem(location=location, message=message, kind="error")


def unmapped(location: str, message: str) -> ParseProblem:
    return ParseProblem(location=location, message=message, kind="unmapped")


def resolve_country(location: str, *candidates: object) -> str | ParseProblem:
    """The ISO alpha-2 code of the first candidate (code or name) the gazetteer knows.

    Returns a problem instead: "unmapped" for a known non-country or an unknown name (a
    well-formed entry), "error" when no candidate is a non-empty string.
    """
    names = [c.strip() for c in candidates if isinstance(c, str) and c.strip()]
    if not names:
        return error(location, "no country name or code")
    gazetteer = default_gazetteer()
    for name in names:
        iso2 = gazetteer.resolve(name)
        if iso2:
            return iso2
    for name in names:
        reason = NON_COUNTRIES.get(normalise_wording(name))
        if reason:
            return unmapped(location, f"{name!r}: {reason}")
    return unmapped(location, f"{names[-1]!r}: not a country the gazetteer knows")


def parse_timestamp(value: object) -> datetime | None:
    """A timezone-aware UTC datetime from the date forms the sources use.

    Accepts ISO 8601 (naive means UTC), RFC 822 with or without a time, epoch seconds or
    milliseconds, and Smartraveller's "Fri, 2025-11-14 14:22" (Canberra time). None and ""
    give None; anything else that cannot be read raises ValueError for the caller to report.
    """
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"not a date: {value!r}")
    if isinstance(value, int | float):
        seconds = value / 1000 if value > 10**11 else value
        return datetime.fromtimestamp(seconds, tz=UTC)
    if not isinstance(value, str):
        raise ValueError(f"not a date: {value!r}")
    text = value.strip()
    au = _AU_CHANGED.match(text)
    if au:
        local = datetime.strptime(au.group(1), "%Y-%m-%d %H:%M").replace(tzinfo=_SYDNEY)
        return local.astimezone(UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        parsed = _rfc822(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _rfc822(text: str) -> datetime:
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError):
        pass
    for layout in ("%a, %d %b %Y", "%d %b %Y", "%B %d, %Y"):
        try:
            return datetime.strptime(text, layout)
        except ValueError:
            continue
    raise ValueError(f"not a date: {text!r}")


def indicators_for(text: str, *explicit: str) -> tuple[str, ...]:
    """The source's own flags first, then the factor names its text gives evidence for."""
    return tuple(dict.fromkeys((*explicit, *factors_in(text))))
