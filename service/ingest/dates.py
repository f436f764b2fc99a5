"""One date parser for every source, so that all stored times are comparable UTC instants.

Feeds disagree on formats (RFC 822 with "GMT" or "+0530", ISO 8601, GDELT's
``20250101123000`` stamps, bare dates); a date we cannot trust is worse than none,
because it would make an old story look fresh or a story look like it came from the
future. So an unusable date becomes ``None`` plus a :class:`ParseProblem`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

from service.ingest.records import ParseProblem

#: How far ahead of "now" a date may lie before we call it wrong (clock skew, time zones).
FUTURE_TOLERANCE = timedelta(days=1)

_GDELT_STAMP = re.compile(r"\d{14}")  # YYYYMMDDHHMMSS, GDELT DATEADDED
_COMPACT_DATE = re.compile(r"\d{8}")  # YYYYMMDD, GDELT SQLDATE
_GDELT_SEENDATE = re.compile(r"\d{8}T\d{6}Z")  # DOC 2.0 API seendate


_COMPACT_FORMATS = (
    (_GDELT_STAMP, "%Y%m%d%H%M%S"),
    (_COMPACT_DATE, "%Y%m%d"),
    (_GDELT_SEENDATE, "%Y%m%dT%H%M%SZ"),
)


def _parse(value: str) -> datetime | None:
    """The instant ``value`` names (naive means UTC), or None when no format fits."""
    try:
        for pattern, fmt in _COMPACT_FORMATS:
            if pattern.fullmatch(value):
                return datetime.strptime(value, fmt)
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def parse_date(
    value: str | None,
    *,
    location: str,
    problems: list[ParseProblem],
    now: datetime | None = None,
) -> datetime | None:
    """Parse ``value`` to a timezone-aware UTC datetime.

    Returns None without a problem when the source gave no date, and None with a
    problem appended to ``problems`` when the date is unparseable or more than
    :data:`FUTURE_TOLERANCE` after ``now`` (default: the current time). Times
    without a zone are taken as UTC, which is what GDELT and our JSONL mean.
    """
    if value is None or not value.strip():
        return None
    text = value.strip()
    parsed = _parse(text)
    if parsed is None:
        problems.append(ParseProblem(location, f"unparseable date {text[:80]!r}"))
        return None
    try:
        parsed = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    except OverflowError:
        problems.append(ParseProblem(location, f"date {text[:80]!r} is out of range"))
        return None
    reference = now if now is not None else datetime.now(UTC)
    if parsed > reference + FUTURE_TOLERANCE:
        problems.append(ParseProblem(location, f"date {text[:80]!r} is in the future; ignored"))
        return None
    return parsed
