"""The one date parser: every format the sources use, and the dates we refuse."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.ingest.dates import parse_date
from service.ingest.records import ParseProblem

NOW = datetime(2026, 8, 13, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Thu, 13 Aug 2026 09:41:47 +0530", datetime(2026, 8, 13, 4, 11, 47, tzinfo=UTC)),
        ("Thu, 13 Aug 2026 09:26:33 GMT", datetime(2026, 8, 13, 9, 26, 33, tzinfo=UTC)),
        ("13 Aug 2026 09:26:33 -0000", datetime(2026, 8, 13, 9, 26, 33, tzinfo=UTC)),
        ("Wed, 12 Aug 2026 22:00:00 EST", datetime(2026, 8, 13, 3, 0, tzinfo=UTC)),
        ("2026-08-12T10:00:00+02:00", datetime(2026, 8, 12, 8, 0, tzinfo=UTC)),
        ("2026-08-12T10:00:00Z", datetime(2026, 8, 12, 10, 0, tzinfo=UTC)),
        ("2026-08-12 10:00:00", datetime(2026, 8, 12, 10, 0, tzinfo=UTC)),
        ("2026-08-12T10:00:00.123456Z", datetime(2026, 8, 12, 10, 0, 0, 123456, tzinfo=UTC)),
        ("2014-01-29", datetime(2014, 1, 29, tzinfo=UTC)),
        ("20260812103000", datetime(2026, 8, 12, 10, 30, tzinfo=UTC)),
        ("20260812", datetime(2026, 8, 12, tzinfo=UTC)),
        ("20260812T103000Z", datetime(2026, 8, 12, 10, 30, tzinfo=UTC)),
        ("  2026-08-12  ", datetime(2026, 8, 12, tzinfo=UTC)),
    ],
)
def test_formats(value: str, expected: datetime) -> None:
    problems: list[ParseProblem] = []

    parsed = parse_date(value, location="item 1", problems=problems, now=NOW)

    assert parsed == expected
    assert parsed is not None and parsed.tzinfo == UTC
    assert problems == []


@pytest.mark.parametrize("value", [None, "", "   "])
def test_absent_date_is_none_without_a_problem(value: str | None) -> None:
    problems: list[ParseProblem] = []

    assert parse_date(value, location="line 2", problems=problems, now=NOW) is None
    assert problems == []


@pytest.mark.parametrize(
    "value", ["yesterday", "2026-13-45", "20261399", "Thu, 99 Foo 2026", "0" * 500]
)
def test_unparseable_is_none_with_a_problem(value: str) -> None:
    problems: list[ParseProblem] = []

    assert parse_date(value, location="line 7", problems=problems, now=NOW) is None
    assert problems[0].location == "line 7"
    assert problems[0].message.startswith("unparseable date")
    assert len(problems[0].message) < 120


def test_more_than_a_day_ahead_is_refused_but_time_zone_skew_is_not() -> None:
    problems: list[ParseProblem] = []

    far = parse_date("2026-08-15T00:00:00Z", location="item 3", problems=problems, now=NOW)
    near = parse_date("2026-08-14T11:00:00Z", location="item 4", problems=problems, now=NOW)

    assert far is None
    assert near == datetime(2026, 8, 14, 11, 0, tzinfo=UTC)
    assert [(p.location, "future" in p.message) for p in problems] == [("item 3", True)]
