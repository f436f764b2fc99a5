"""UK FCDO content API: the 2026 pages, the older schema examples, and broken variants."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.ingest.advisories.uk_fcdo import parse_uk_fcdo
from service.ingest.records import ParseFailure

UK_2026 = "advisory-fixtures-2026-10/uk"
EXAMPLES = "govuk-travel-advice-content-examples"

EXPECTED = {  # file: (iso2, national level, regional state, regions read)
    "colombia": ("CO", 1, "present", 16),
    "cote-d-ivoire": ("CI", 1, "present", 4),
    "cuba": ("CU", 3, "none", 0),
    "france": ("FR", 1, "none", 0),
    "haiti": ("HT", 4, "none", 0),
    "hong-kong": ("HK", 1, "none", 0),
    "kenya": ("KE", 1, "present", 8),
    "mexico": ("MX", 1, "present", 24),
    "thailand": ("TH", 1, "present", 6),
    "trinidad-and-tobago": ("TT", 1, "none", 0),
    "turkey": ("TR", 1, "present", 1),
    "ukraine": ("UA", 1, "present", 13),
}


def page(shared_data: Path, slug: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((shared_data / UK_2026 / f"{slug}.json").read_bytes())
    return doc


@pytest.mark.parametrize("slug", sorted(EXPECTED))
def test_each_2026_page_gives_one_national_level_and_its_regions(
    shared_data: Path, slug: str
) -> None:
    result = parse_uk_fcdo((shared_data / UK_2026 / f"{slug}.json").read_bytes())
    assert result.problems == []
    [record] = result.items
    iso2, level, regional_state, regions = EXPECTED[slug]
    assert (record.country_iso2, record.level, record.regional_state) == (
        iso2,
        level,
        regional_state,
    )
    assert len(record.regions) == regions
    assert record.published_at is not None and record.published_at.tzinfo is not None
    assert record.url == f"https://www.gov.uk/foreign-travel-advice/{slug}"


def test_a_regional_warning_never_raises_the_national_level(shared_data: Path) -> None:
    [ukraine] = parse_uk_fcdo((shared_data / UK_2026 / "ukraine.json").read_bytes()).items
    assert ukraine.level == 1
    assert {w.area: w.level for w in ukraine.regions}["Crimea"] == 4
    assert {w.area: w.level for w in ukraine.regions}["Lviv"] == 3


def test_cross_references_to_a_neighbours_advice_are_not_regions(shared_data: Path) -> None:
    [colombia] = parse_uk_fcdo((shared_data / UK_2026 / "colombia.json").read_bytes()).items
    assert all("Venezuela’s border regions" not in w.area for w in colombia.regions)
    assert max(w.level for w in colombia.regions) == 3


def test_cuba_fuel_shortages_are_fuel_supply_evidence(shared_data: Path) -> None:
    [cuba] = parse_uk_fcdo((shared_data / UK_2026 / "cuba.json").read_bytes()).items
    assert "fuel_supply" in cuba.indicators
    assert cuba.native == "avoid_all_but_essential_travel_to_whole_country"


@pytest.mark.parametrize(
    ("name", "iso2"),
    [
        ("travel_advice__full-country", "AL"),
        ("travel_advice__alt-country", "TR"),
        ("travel_advice__no-parts", "AQ"),
    ],
)
def test_older_content_api_pages_still_parse(shared_data: Path, name: str, iso2: str) -> None:
    result = parse_uk_fcdo((shared_data / EXAMPLES / f"{name}.json").read_bytes())
    assert result.problems == []
    assert [(r.country_iso2, r.level) for r in result.items] == [(iso2, 1)]


def test_index_children_without_a_status_are_explained_not_guessed(shared_data: Path) -> None:
    result = parse_uk_fcdo(
        (shared_data / EXAMPLES / "travel_advice_index__index.json").read_bytes()
    )
    assert result.items == [] and result.errors == []
    assert len(result.unmapped) == 7
    assert all("no alert_status" in p.message for p in result.unmapped)


def test_index_children_with_a_status_are_stored_and_broken_ones_reported(
    shared_data: Path,
) -> None:
    def child(name: str, status: Any) -> dict[str, Any]:
        return {
            "base_path": f"/foreign-travel-advice/{name.lower()}",
            "public_updated_at": "2026-10-01T10:00:00+01:00",
            "details": {"country": {"name": name, "slug": name.lower()}, "alert_status": status},
        }

    index = {
        "document_type": "travel_advice_index",
        "links": {
            "children": [
                child("Haiti", ["avoid_all_travel_to_whole_country"]),
                child("Cuba", ["avoid_some_travel"]),
                child("France", "none"),
                {"details": {"country": {"name": "Narnia"}, "alert_status": []}},
                "not an object",
            ]
        },
    }
    result = parse_uk_fcdo(json.dumps(index).encode())
    assert [(r.country_iso2, r.level) for r in result.items] == [("HT", 4)]
    assert [p.kind for p in result.problems] == ["error", "error", "unmapped", "error"]
    assert "unknown alert_status ['avoid_some_travel']" in result.problems[0].message
    assert "must be a list of strings" in result.problems[1].message


def test_a_page_missing_its_alert_status_is_an_error(shared_data: Path) -> None:
    doc = page(shared_data, "haiti")
    del doc["details"]["alert_status"]
    result = parse_uk_fcdo(json.dumps(doc).encode())
    assert result.items == []
    assert "alert_status" in result.errors[0].message


@pytest.mark.parametrize("data", [b"", b"{not json", b"[]", b'{"document_type": "guide"}'])
def test_input_that_is_not_travel_advice_is_refused(data: bytes) -> None:
    with pytest.raises(ParseFailure):
        parse_uk_fcdo(data)
