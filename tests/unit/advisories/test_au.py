"""Australia's Smartraveller destinations export (our fixture of the public schema)."""

from __future__ import annotations

import json

import pytest

from service.ingest.advisories.au import parse_au
from service.ingest.records import ParseFailure


def test_each_destination_gets_its_level_and_canberra_time_in_utc(
    fixture_bytes: dict[str, bytes],
) -> None:
    result = parse_au(fixture_bytes["au_destinations_export.json"])
    assert result.problems == []
    got = {r.country_iso2: (r.level, r.native) for r in result.items}
    assert got == {
        "ML": (4, "Do not travel"),
        "TH": (2, "Exercise a high degree of caution"),
        "NZ": (1, "Exercise normal safety precautions"),
    }
    mali = result.items[0]
    assert mali.published_at is not None
    assert mali.published_at.isoformat() == "2025-10-31T03:22:00+00:00"


def test_mali_update_text_is_evidence_for_fuel_and_consular_presence(
    fixture_bytes: dict[str, bytes],
) -> None:
    mali = parse_au(fixture_bytes["au_destinations_export.json"]).items[0]
    assert {"fuel_supply", "diplomatic_presence", "security"} <= set(mali.indicators)
    assert mali.regions == ()


def test_thai_border_areas_are_regional_and_the_overall_sentence_is_not(
    fixture_bytes: dict[str, bytes],
) -> None:
    thailand = parse_au(fixture_bytes["au_destinations_export.json"]).items[1]
    assert thailand.regional_state == "present"
    assert sorted(w.level for w in thailand.regions) == [3, 4]
    assert all("overall" not in w.area for w in thailand.regions)


def test_missing_unknown_or_mistyped_levels_are_reported_per_destination(
    fixture_bytes: dict[str, bytes],
) -> None:
    doc = json.loads(fixture_bytes["au_destinations_export.json"])
    doc[0]["field_overall_advice_level"] = "Be very afraid"
    doc[1]["field_overall_advice_level"] = 4
    doc[2]["changed"] = "yesterday"
    doc.append({"title": "Atlantis", "field_overall_advice_level": "Do not travel"})
    doc.append({"title": "Fiji", "field_overall_advice_level": "No travel advice"})
    doc.append(None)
    result = parse_au(json.dumps(doc).encode())
    assert result.items == []
    kinds = [p.kind for p in result.problems]
    assert kinds == ["error", "error", "error", "unmapped", "unmapped", "error"]
    assert "unknown level 'Be very afraid'" in result.problems[0].message


def test_a_document_that_is_not_the_export_is_refused() -> None:
    with pytest.raises(ParseFailure):
        parse_au(b'{"advisories": []}')
