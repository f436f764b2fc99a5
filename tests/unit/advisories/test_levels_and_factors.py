"""Native wording -> 1-4 tables and advisory text -> factor evidence."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.ingest.advisories.factor_evidence import evidence, load_phrases, us_indicator_letters
from service.ingest.advisories.levels import level_for, not_a_level_reason, tai_score_to_level

HISTORY = "advisories-history-marcolussetti/info_history"


@pytest.mark.parametrize(
    ("source", "native", "level"),
    [
        ("us-state", "Level 4: Do Not Travel", 4),
        ("us-state", "Level 2: Exercise Increased Caution", 2),
        ("us-state", "Level 3: Do Not Travel", None),  # number and words disagree
        ("ca", "Avoid non-essential travel (with regional advisories)", 3),
        ("ca", "Take normal security precautions", 1),
        ("au", "Reconsider your need to travel", 3),
        ("ie", "Avoid Non-Essential Travel", 3),
        ("ie", "High Degree of Caution", 2),
        ("uk-fcdo", "avoid_all_but_essential_travel_to_whole_country", 3),
        ("de", "warning", 4),
        ("au", "Panic", None),
    ],
)
def test_native_wording_maps_to_the_shared_scale(source: str, native: str, level: int) -> None:
    assert level_for(source, native) == level


def test_values_that_are_not_levels_carry_a_reason() -> None:
    assert not_a_level_reason("ie", "No summary found")
    assert not_a_level_reason("us-state", "Other")
    assert not_a_level_reason("us-state", "Level 4: Do Not Travel") is None


@pytest.mark.parametrize(("score", "level"), [(0, 1), (2.49, 1), (2.5, 2), (3.5, 3), (4.5, 4)])
def test_travel_advisory_info_bands(score: float, level: int) -> None:
    assert tai_score_to_level(score) == level


def test_us_reasons_give_indicator_letters() -> None:
    assert us_indicator_letters(" crime, terrorism, civil unrest, and kidnapping") == (
        "C",
        "T",
        "U",
        "K",
    )
    assert us_indicator_letters(" wrongful detention") == ("D",)


def test_mali_october_2025_uk_updates_are_fuel_and_embassy_evidence(shared_data: Path) -> None:
    reasons = {}
    lines = (shared_data / HISTORY / "unitedkingdom_info_history.jsonl").read_text(encoding="utf-8")
    for line in lines.splitlines():
        row = json.loads(line)
        if row["country_dir"] == "Mali" and row["info"]["update_date"].startswith("2025-10"):
            reasons[row["info"]["update_date"][:10]] = evidence(row["info"]["update_reason"])
    found = set().union(*(r.keys() for r in reasons.values()))
    assert {"fuel_supply", "diplomatic_presence"} <= found


@pytest.mark.parametrize(
    ("text", "factor"),
    [
        ("The Embassy has suspended operations in Juba.", "diplomatic_presence"),
        ("Ordered departure of non-emergency U.S. government employees.", "diplomatic_presence"),
        ("Consular assistance is severely limited.", "diplomatic_presence"),
        ("Jihadist blockade has caused fuel shortages in Bamako.", "fuel_supply"),
        ("Risk of kidnapping and armed conflict.", "security"),
    ],
)
def test_advisory_phrases_raise_their_factor(text: str, factor: str) -> None:
    assert factor in evidence(text)


def test_routine_updates_are_no_evidence() -> None:
    assert evidence("Editorial change. Updated entry requirements for passports.") == {}


def test_the_phrase_file_rejects_a_wrong_shape(tmp_path: Path) -> None:
    bad = tmp_path / "factors.yaml"
    bad.write_text("security: terrorism\n", encoding="utf-8")
    with pytest.raises(ValueError, match="must list phrases"):
        load_phrases(bad)
