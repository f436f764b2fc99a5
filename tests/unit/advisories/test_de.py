"""Germany's travelwarning flags (our fixture of the Auswärtiges Amt open-data schema)."""

from __future__ import annotations

import json

import pytest

from service.ingest.advisories.de import UNNAMED_PARTS, parse_de
from service.ingest.records import ParseFailure


def test_flags_map_to_the_documented_levels(fixture_bytes: dict[str, bytes]) -> None:
    result = parse_de(fixture_bytes["de_travelwarning.json"])
    assert result.problems == []
    got = {r.country_iso2: (r.level, r.native) for r in result.items}
    assert got == {
        "AF": (4, "warning"),
        "ML": (4, "warning"),
        "TR": (1, "partialWarning, situationPartWarning"),
        "CU": (3, "situationWarning"),
        "FR": (1, "no warning flags"),
    }


def test_partial_warnings_are_regional_and_say_the_parts_are_unnamed(
    fixture_bytes: dict[str, bytes],
) -> None:
    turkey = next(
        r for r in parse_de(fixture_bytes["de_travelwarning.json"]).items if r.country_iso2 == "TR"
    )
    assert turkey.regional_state == "present"
    assert {(w.area, w.level) for w in turkey.regions} == {(UNNAMED_PARTS, 4), (UNNAMED_PARTS, 3)}


def test_epoch_seconds_become_utc_datetimes(fixture_bytes: dict[str, bytes]) -> None:
    afghanistan = parse_de(fixture_bytes["de_travelwarning.json"]).items[0]
    assert afghanistan.published_at is not None
    assert afghanistan.published_at.isoformat() == "2025-10-06T09:00:00+00:00"


def test_wrong_flag_types_and_missing_entries_are_reported_per_country(
    fixture_bytes: dict[str, bytes],
) -> None:
    doc = json.loads(fixture_bytes["de_travelwarning.json"])
    doc["response"]["199124"]["warning"] = "yes"
    doc["response"]["contentList"].append("999999")
    doc["response"]["203160"]["countryCode"] = "QQ"
    doc["response"]["203160"]["countryName"] = "Nowhere"
    doc["response"]["203160"].pop("iso3CountryCode")
    result = parse_de(json.dumps(doc).encode())
    assert [r.country_iso2 for r in result.items] == ["TR", "CU", "FR"]
    assert [(p.location.split(" ")[0], p.kind) for p in result.problems] == [
        ("response.199124", "error"),
        ("response.203160", "unmapped"),
        ("response.999999", "error"),
    ]
    assert "flags must be true/false: warning" in result.problems[0].message


def test_a_document_without_a_response_is_refused() -> None:
    with pytest.raises(ParseFailure):
        parse_de(b'{"data": {}}')
