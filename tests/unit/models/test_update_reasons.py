"""Our hand labels of real UK and Canada update reasons, joined to ../shared/data in place."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from models.baseline import BaselineAnalyzer
from models.evaluate import (
    REASON_SOURCES,
    reason_sha1,
    update_reason_examples,
    update_reasons_check,
)
from models.fitting import Example, load_jsonl
from models.gazetteer import default_gazetteer
from models.learned import LearnedAnalyzer

LABELS_PATH = (
    Path(__file__).resolve().parents[3] / "models" / "data" / "update_reasons" / "labels.jsonl"
)
FACTORS = {"security", "fuel_supply", "diplomatic_presence"}


@pytest.fixture(scope="module")
def reasons(shared_data: Path) -> dict[str, list[Example]]:
    return update_reason_examples(
        shared_data / "advisories-history-marcolussetti", LABELS_PATH, default_gazetteer()
    )


def test_labels_hold_keys_and_labels_but_no_reason_text() -> None:
    rows = load_jsonl(LABELS_PATH)
    assert len(rows) >= 300
    assert all(set(row) == {"source", "name", "reason_sha1", "labels"} for row in rows)
    assert all(row["source"] in REASON_SOURCES for row in rows)
    assert all(re.fullmatch(r"[0-9a-f]{16}", row["reason_sha1"]) for row in rows)
    assert all(set(row["labels"]) == FACTORS for row in rows)
    assert all(set(row["labels"].values()) <= {"escalating", "easing", "none"} for row in rows)
    keys = [(row["source"], row["reason_sha1"]) for row in rows]
    assert len(keys) == len(set(keys))


def test_every_label_finds_its_reason_and_country(
    reasons: dict[str, list[Example]],
) -> None:
    assert {source: len(group) for source, group in reasons.items()} == {
        "unitedkingdom": 184,
        "canada": 121,
    }
    uk = reasons["unitedkingdom"]
    assert all(str(e["title"]).endswith(": travel advice update") for e in uk)
    assert all(len(e["countries"]) == 1 for group in reasons.values() for e in group)


def test_a_label_whose_reason_is_gone_is_an_error(shared_data: Path, tmp_path: Path) -> None:
    labels = tmp_path / "labels.jsonl"
    row = {
        "source": "canada",
        "name": "Mali",
        "reason_sha1": reason_sha1("a reason no government wrote"),
        "labels": dict.fromkeys(FACTORS, "none"),
    }
    labels.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="no canada update reason with sha1"):
        update_reason_examples(
            shared_data / "advisories-history-marcolussetti", labels, default_gazetteer()
        )


def test_learned_beats_the_keyword_baseline_on_the_reasons(
    analyzer: LearnedAnalyzer, reasons: dict[str, list[Example]]
) -> None:
    learned = update_reasons_check(analyzer, reasons)
    baseline = update_reasons_check(BaselineAnalyzer(), reasons)
    assert learned["all"]["n"] == learned["unitedkingdom"]["n"] + learned["canada"]["n"]
    assert learned["all"]["factor_macro_f1"] >= 0.88
    for source in ("unitedkingdom", "canada", "all"):
        assert learned[source]["factor_macro_f1"] > baseline[source]["factor_macro_f1"]
