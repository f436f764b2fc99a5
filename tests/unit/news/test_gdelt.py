"""GDELT DOC 2.0 ArtList JSON and Events 2.0 export rows."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from service.ingest.news.gdelt import EVENT_COLUMNS, parse_gdelt_doc, parse_gdelt_events
from service.ingest.records import ParseFailure

NOW = datetime(2025, 11, 1, tzinfo=UTC)


def event_row(**fields: str) -> str:
    """One tab-separated export row; unnamed columns are empty, as they often are."""
    positions = {
        "GLOBALEVENTID": 0, "SQLDATE": 1, "Actor1Name": 6, "Actor1CountryCode": 7,
        "Actor2Name": 16, "EventCode": 26, "EventRootCode": 28, "GoldsteinScale": 30,
        "NumSources": 32, "ActionGeo_FullName": 52, "ActionGeo_CountryCode": 53,
        "DATEADDED": 59, "SOURCEURL": 60,
    }  # fmt: skip
    defaults = {
        "GLOBALEVENTID": "1266781234", "SQLDATE": "20251030", "Actor1Name": "FRANCE",
        "Actor1CountryCode": "FRA", "Actor2Name": "MALI", "EventCode": "166",
        "EventRootCode": "16", "GoldsteinScale": "-4.0", "NumSources": "3",
        "ActionGeo_FullName": "Bamako, Bamako, Mali", "ActionGeo_CountryCode": "ML",
        "DATEADDED": "20251030081500", "SOURCEURL": "https://example.org/mali-embassy",
    }  # fmt: skip
    cells = [""] * EVENT_COLUMNS
    for name, value in {**defaults, **fields}.items():
        cells[positions[name]] = value
    return "\t".join(cells)


def test_event_becomes_an_article_with_its_coded_fields() -> None:
    result = parse_gdelt_events(event_row().encode(), now=NOW)

    article = result.items[0]
    assert article.title == (
        "France: expel or withdraw (CAMEO 166) with Mali in Bamako, Bamako, Mali"
    )
    assert article.text.endswith("Goldstein scale -4.0; reported by 3 sources.")
    assert article.url == "https://example.org/mali-embassy"
    assert article.published_at == datetime(2025, 10, 30, 8, 15, tzinfo=UTC)
    assert article.source == "gdelt"
    assert article.raw["action_country_iso2"] == "ML"
    assert article.raw["EventCode"] == "166"
    assert article.raw["GoldsteinScale"] == -4.0
    assert article.raw["NumSources"] == 3
    assert result.problems == []


@pytest.mark.parametrize(
    ("fips", "iso2"), [("UK", "GB"), ("GM", "DE"), ("UV", "BF"), ("NG", "NE"), ("", None)]
)
def test_fips_codes_resolve_through_the_state_department_tags(fips: str, iso2: str | None) -> None:
    """FIPS is not ISO: UK is Britain, GM Germany, UV Burkina Faso, NG Niger."""
    result = parse_gdelt_events(event_row(ActionGeo_CountryCode=fips).encode(), now=NOW)

    assert result.items[0].raw["action_country_iso2"] == iso2
    assert result.problems == []


def test_unknown_fips_code_is_kept_and_reported_once() -> None:
    rows = [event_row(ActionGeo_CountryCode="QQ", GLOBALEVENTID=str(n)) for n in range(3)]

    result = parse_gdelt_events("\n".join(rows).encode(), now=NOW)

    assert len(result.items) == 3
    assert all(a.raw["action_country_iso2"] is None for a in result.items)
    assert [(p.location, p.kind) for p in result.problems] == [("line 1", "unmapped")]
    assert "'QQ' (3 rows)" in result.problems[0].message


def test_bad_rows_are_reported_by_line_and_the_rest_kept() -> None:
    rows = [
        event_row(),
        "only\tthree\tcolumns",
        event_row(GoldsteinScale="very bad"),
        event_row(EventCode="ABC"),
        event_row(GoldsteinScale="-42"),
        event_row(DATEADDED="29990101000000", SQLDATE=""),
        event_row(Actor1Name="", Actor2Name="", ActionGeo_FullName="", EventCode="1823"),
    ]

    result = parse_gdelt_events("\n".join(rows).encode(), now=NOW)

    assert [p.location for p in result.problems] == [f"line {n}" for n in range(2, 7)]
    assert "expected 61 tab-separated columns, got 3" in result.problems[0].message
    assert "future" in result.problems[4].message
    assert len(result.items) == 3
    assert result.items[1].published_at is None
    assert result.items[2].title == "Unknown actor: assault (CAMEO 1823)"


def test_not_an_events_export_is_a_failure() -> None:
    with pytest.raises(ParseFailure, match="not a GDELT 2.0 events export"):
        parse_gdelt_events(b"title,date\nA,2025-01-01\n")


def test_resolver_can_be_injected() -> None:
    result = parse_gdelt_events(event_row().encode(), resolve_country={"ML": "XK"}.get, now=NOW)

    assert result.items[0].raw["action_country_iso2"] == "XK"


ARTLIST = {
    "articles": [
        {
            "url": "https://example.org/fuel",
            "url_mobile": "",
            "title": "Fuel blockade chokes Bamako",
            "seendate": "20251030T081500Z",
            "socialimage": "",
            "domain": "example.org",
            "language": "English",
            "sourcecountry": "Mali",
        },
        {"url": "https://example.org/2", "title": 12, "seendate": "20251030T081500Z"},
        "not an object",
        {"url": "https://example.org/3", "title": "Undated", "seendate": "garbage"},
    ]
}


def test_artlist_items_and_their_problems() -> None:
    result = parse_gdelt_doc(json.dumps(ARTLIST).encode(), now=NOW)

    assert [a.title for a in result.items] == ["Fuel blockade chokes Bamako", "Undated"]
    first = result.items[0]
    assert first.published_at == datetime(2025, 10, 30, 8, 15, tzinfo=UTC)
    assert (first.url, first.source, first.text) == ("https://example.org/fuel", "example.org", "")
    assert first.raw["sourcecountry"] == "Mali"
    assert [(p.location, p.message) for p in result.problems] == [
        ("item 2", "'title' must be a string, got int"),
        ("item 3", "expected a JSON object, got str"),
        ("item 4", "unparseable date 'garbage'"),
    ]


def test_empty_answer_has_no_items() -> None:
    """The DOC API answers {} when nothing matches."""
    assert parse_gdelt_doc(b"{}").items == []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"Invalid query: the specified phrase is too short.", "not GDELT JSON"),
        (b"[1, 2]", "top level is list"),
        (b'{"articles": {"a": 1}}', "'articles' is dict"),
    ],
)
def test_unusable_answers_are_failures(body: bytes, reason: str) -> None:
    with pytest.raises(ParseFailure, match=reason):
        parse_gdelt_doc(body)
