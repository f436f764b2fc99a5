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

LABELS_DIR = Path(__file__).resolve().parents[3] / "models" / "data" / "update_reasons"
FACTORS = {"security", "fuel_supply", "diplomatic_presence"}
SIZES = {"dev": {"unitedkingdom": 184, "canada": 121}, "test": {"unitedkingdom": 80, "canada": 80}}


@pytest.fixture(scope="module")
def reasons(shared_data: Path) -> dict[str, dict[str, list[Example]]]:
    folder = shared_data / "advisories-history-marcolussetti"
    return {
        split: update_reason_examples(folder, LABELS_DIR / f"{split}.jsonl", default_gazetteer())
        for split in SIZES
    }


def test_labels_hold_keys_and_labels_but_no_reason_text() -> None:
    splits = {split: load_jsonl(LABELS_DIR / f"{split}.jsonl") for split in SIZES}
    for rows in splits.values():
        assert all(set(row) == {"source", "name", "reason_sha1", "labels"} for row in rows)
        assert all(row["source"] in REASON_SOURCES for row in rows)
        assert all(re.fullmatch(r"[0-9a-f]{16}", row["reason_sha1"]) for row in rows)
        assert all(set(row["labels"]) == FACTORS for row in rows)
        assert all(set(row["labels"].values()) <= {"escalating", "easing", "none"} for row in rows)
    keys = {
        split: {(r["source"], r["reason_sha1"]) for r in rows} for split, rows in splits.items()
    }
    assert sum(map(len, keys.values())) == sum(map(len, splits.values()))  # no repeats
    assert not keys["dev"] & keys["test"]


def test_every_label_finds_its_reason_under_its_country(
    reasons: dict[str, dict[str, list[Example]]],
) -> None:
    sizes = {split: {s: len(g) for s, g in sets.items()} for split, sets in reasons.items()}
    assert sizes == SIZES
    # The title names the country as the source does; the labels are that country's.
    example = next(e for e in reasons["dev"]["canada"] if e["title"].startswith("Mali:"))
    assert example["countries"] == {"ML": "subject"}
    assert example["text"]


@pytest.mark.parametrize(
    ("name", "reason", "error"),
    [
        ("Mali", "a reason no government wrote", "no canada update reason with sha1"),
        # A real Canadian reason, filed under the wrong country.
        ("Mali", "Health – updated information on chikungunya", "for 'Mali'"),
    ],
)
def test_a_label_that_no_longer_matches_the_data_is_an_error(
    shared_data: Path, tmp_path: Path, name: str, reason: str, error: str
) -> None:
    labels = tmp_path / "labels.jsonl"
    row = {
        "source": "canada",
        "name": name,
        "reason_sha1": reason_sha1(reason),
        "labels": dict.fromkeys(FACTORS, "none"),
    }
    labels.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=re.escape(error)):
        update_reason_examples(
            shared_data / "advisories-history-marcolussetti", labels, default_gazetteer()
        )


def test_learned_beats_the_keyword_baseline_on_both_splits(
    analyzer: LearnedAnalyzer, reasons: dict[str, dict[str, list[Example]]]
) -> None:
    for split, sets in reasons.items():
        learned = update_reasons_check(analyzer, sets)
        baseline = update_reasons_check(BaselineAnalyzer(), sets)
        assert learned["all"]["n"] == sum(SIZES[split].values())
        for source in ("unitedkingdom", "canada", "all"):
            assert learned[source]["factor_macro_f1"] > baseline[source]["factor_macro_f1"]
            assert learned[source]["wrong_country_raised"] == 0, (split, source)
