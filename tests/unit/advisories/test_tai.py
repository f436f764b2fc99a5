"""travel-advisory.info data.json (our fixture of its public schema)."""

from __future__ import annotations

import json

import pytest

from service.ingest.advisories.tai import parse_tai
from service.ingest.records import ParseFailure


def test_scores_fall_into_the_sites_own_bands(fixture_bytes: dict[str, bytes]) -> None:
    result = parse_tai(fixture_bytes["tai_data.json"])
    got = {r.country_iso2: r.level for r in result.items}
    assert got == {"AF": 4, "FR": 1, "MX": 2, "TR": 3}
    assert result.items[0].native == "5/5 from 8 sources"


def test_a_country_no_government_covers_is_explained_not_stored(
    fixture_bytes: dict[str, bytes],
) -> None:
    result = parse_tai(fixture_bytes["tai_data.json"])
    assert result.errors == []
    [problem] = result.unmapped
    assert problem.location == "data.BV (Bouvet Island)"
    assert "no active sources" in problem.message


def test_out_of_range_or_mistyped_scores_are_reported_per_country(
    fixture_bytes: dict[str, bytes],
) -> None:
    doc = json.loads(fixture_bytes["tai_data.json"])
    doc["data"]["AF"]["advisory"]["score"] = 7
    doc["data"]["FR"]["advisory"]["score"] = "2.3"
    doc["data"]["MX"]["advisory"]["sources_active"] = None
    doc["data"]["TR"].pop("advisory")
    result = parse_tai(json.dumps(doc).encode())
    assert result.items == []
    assert [p.kind for p in result.errors] == ["error"] * 4
    assert "score must be a number 0-5, got 7" in result.errors[0].message


def test_a_document_without_data_is_refused() -> None:
    with pytest.raises(ParseFailure):
        parse_tai(b'{"api": {}}')
