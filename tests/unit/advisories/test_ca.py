"""Canada: the real cta-cap files, our index fixture, and contradictory or broken entries."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.ingest.advisories.ca import parse_ca
from service.ingest.records import ParseFailure

CA_2026 = "advisory-fixtures-2026-10/ca"

EXPECTED = {  # iso: (national level, regional state, regions read)
    "ci": (2, "present", 2),
    "co": (2, "present", 18),
    "fr": (2, "none", 0),
    "hk": (2, "none", 0),
    "ht": (4, "none", 0),
    "ke": (2, "present", 5),
    "mx": (2, "present", 14),
    "th": (2, "present", 2),
    "tr": (2, "present", 2),
    "tt": (2, "present", 5),
    "ua": (4, "none", 0),
}


def cta_cap(shared_data: Path, iso: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((shared_data / CA_2026 / f"cta-cap-{iso}.json").read_bytes())
    return doc


@pytest.mark.parametrize("iso", sorted(EXPECTED))
def test_each_cta_cap_file_gives_state_plus_one_and_its_regions(
    shared_data: Path, iso: str
) -> None:
    result = parse_ca((shared_data / CA_2026 / f"cta-cap-{iso}.json").read_bytes())
    assert result.problems == []
    [record] = result.items
    assert record.country_iso2 == iso.upper()
    assert (record.level, record.regional_state, len(record.regions)) == EXPECTED[iso]
    assert record.published_at is not None and record.published_at.utcoffset() is not None


def test_easier_regions_are_kept_beside_harder_ones(shared_data: Path) -> None:
    [colombia] = parse_ca((shared_data / CA_2026 / "cta-cap-co.json").read_bytes()).items
    levels = {w.level for w in colombia.regions}
    assert levels == {1, 3, 4}
    assert colombia.level == 2


def test_mexico_times_are_converted_from_eastern_to_utc(shared_data: Path) -> None:
    [mexico] = parse_ca((shared_data / CA_2026 / "cta-cap-mx.json").read_bytes()).items
    assert mexico.published_at is not None
    assert mexico.published_at.isoformat() == "2026-10-07T15:16:00+00:00"


def test_a_state_that_contradicts_its_own_wording_is_rejected(shared_data: Path) -> None:
    doc = cta_cap(shared_data, "ht")
    doc["data"]["advisory-state"] = 1
    result = parse_ca(json.dumps(doc).encode())
    assert result.items == []
    assert "contradicts 'Avoid all travel'" in result.errors[0].message


def test_index_entries_are_stored_and_regional_detail_marked_unknown(
    fixture_bytes: dict[str, bytes],
) -> None:
    result = parse_ca(fixture_bytes["ca_index.json"])
    assert result.problems == []
    levels = {r.country_iso2: (r.level, r.regional_state) for r in result.items}
    assert levels == {"AF": (4, "none"), "MX": (2, "unknown"), "NZ": (1, "none")}
    afghanistan = next(r for r in result.items if r.country_iso2 == "AF")
    assert "diplomatic_presence" in afghanistan.indicators


def test_bad_index_entries_are_each_reported_and_the_rest_kept(
    fixture_bytes: dict[str, bytes],
) -> None:
    doc = json.loads(fixture_bytes["ca_index.json"])
    doc["data"]["AF"]["advisory-state"] = "3"
    doc["data"]["MX"]["eng"].pop("advisory-text")
    doc["data"]["XX"] = {"advisory-state": 1, "eng": {"name": "Utopia"}}
    doc["data"]["NO"] = ["not", "an", "object"]
    result = parse_ca(json.dumps(doc).encode())
    assert [r.country_iso2 for r in result.items] == ["NZ"]
    messages = [(p.location.split(" ")[0], p.kind) for p in result.problems]
    assert messages == [
        ("data.AF", "error"),
        ("data.MX", "error"),
        ("data.XX", "unmapped"),
        ("data.NO", "error"),
    ]
    assert "advisory-state must be an integer 0-3" in result.problems[0].message


@pytest.mark.parametrize("data", [b"[]", b'{"metadata": {}}', b"\xff\xfe"])
def test_input_without_canadian_data_is_refused(data: bytes) -> None:
    with pytest.raises(ParseFailure):
        parse_ca(data)
