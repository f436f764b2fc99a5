"""US State Department RSS: the 2021 snapshot and broken variants of it."""

from __future__ import annotations

from pathlib import Path

import pytest

from service.ingest.advisories.us_state import parse_us_state
from service.ingest.records import AdvisoryRecord, ParseFailure, ParseResult

Result = ParseResult[AdvisoryRecord]

SNAPSHOT = "us-state-dept-rss-2021/TAsTWs_snapshot_2021-02.xml"

ITEM = """<item><title>{title}</title><pubDate>{date}</pubDate>
<link>https://travel.state.gov/x.html</link>
<category domain='Threat-Level'>{level}</category><category domain='Country-Tag'>{tag}</category>
<description><![CDATA[<p>Do not travel to Mali due to <b>crime, terrorism</b>.</p>]]>
</description></item>"""


def feed(*items: str) -> bytes:
    body = "".join(items)
    return f"<?xml version='1.0'?><rss version='2.0'><channel>{body}</channel></rss>".encode()


def item(
    title: str = "Mali - Level 4: Do Not Travel",
    date: str = "Thu, 06 Aug 2020",
    level: str = "Level 4: Do Not Travel",
    tag: str = "ML",
) -> str:
    return ITEM.format(title=title, date=date, level=level, tag=tag)


@pytest.fixture(scope="module")
def snapshot(shared_data: Path) -> Result:
    return parse_us_state((shared_data / SNAPSHOT).read_bytes())


def test_every_one_of_the_210_items_is_stored_or_explained(snapshot: Result) -> None:
    assert len(snapshot.items) + len(snapshot.problems) == 210
    assert len(snapshot.items) == 209
    assert snapshot.errors == []
    assert [p.message for p in snapshot.unmapped] == [
        "'Worldwide Caution': a worldwide caution, not a country"
    ]


def test_mali_is_level_4_with_its_native_words_and_date(snapshot: Result) -> None:
    mali = next(r for r in snapshot.items if r.country_iso2 == "ML")
    assert (mali.level, mali.native) == (4, "Level 4: Do Not Travel")
    assert (
        mali.published_at is not None
        and mali.published_at.isoformat() == "2020-08-06T00:00:00+00:00"
    )
    assert {"C", "T", "K"} <= set(mali.indicators)
    assert "security" in mali.indicators


def test_state_country_tags_are_not_mistaken_for_iso_codes(snapshot: Result) -> None:
    by_title = {r.raw["title"].split(" - ")[0].strip(): r.country_iso2 for r in snapshot.items}
    assert by_title["United Kingdom"] == "GB"
    assert by_title["Azerbaijan"] == "AZ"
    assert by_title["Chad"] == "TD"
    assert by_title["Democratic Republic of the Congo"] == "CD"


def test_level_counts_match_the_feed(snapshot: Result) -> None:
    counts = {n: sum(r.level == n for r in snapshot.items) for n in (1, 2, 3, 4)}
    assert counts == {1: 3, 2: 26, 3: 150, 4: 30}


def test_regional_do_not_travel_areas_stay_apart_from_the_national_level(snapshot: Result) -> None:
    mexico = next(r for r in snapshot.items if r.country_iso2 == "MX")
    assert mexico.level == 3
    assert mexico.regional_state == "present"
    areas = {w.area: w.level for w in mexico.regions}
    assert areas["Tamaulipas state"] == 4
    assert areas["Jalisco state"] == 3
    assert not any(a.lower().startswith(("due to", "when")) for a in areas)


def test_a_bad_item_is_reported_and_its_neighbours_kept() -> None:
    result = parse_us_state(
        feed(
            item(),
            item(title="no level here"),
            item(title="Mali - Level 9: Panic", level="Level 9: Panic"),
            item(date="sometime in spring"),
            item(title="Atlantis - Level 2: Exercise Increased Caution", tag="ZZ"),
        )
    )
    assert [r.country_iso2 for r in result.items] == ["ML"]
    kinds = [(p.location.split(" ")[1], p.kind) for p in result.problems]
    assert kinds == [("2", "error"), ("3", "error"), ("4", "error"), ("5", "unmapped")]
    assert "unknown Threat-Level 'Level 9: Panic'" in result.problems[1].message


@pytest.mark.parametrize(
    "data",
    [
        b"<rss><channel><item>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'></feed>",
        b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]><rss><channel>&lol2;</channel></rss>""",
        b"""<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss><channel><item><title>&x;</title></item></channel></rss>""",
    ],
)
def test_broken_or_hostile_xml_is_refused_as_a_whole(data: bytes) -> None:
    with pytest.raises(ParseFailure):
        parse_us_state(data)
