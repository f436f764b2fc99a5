"""The training corpus and the held-out set stay apart and follow LABELS.md."""

from __future__ import annotations

from pathlib import Path

from models.fitting import Example, corpus_files, load_jsonl

DATA_DIR = Path(__file__).resolve().parents[3] / "models" / "data"
ROLES = {"subject", "actor", "mentioned"}
LABELS = {"escalating", "easing", "none"}
FACTORS = {"security", "fuel_supply", "diplomatic_presence"}


def _well_formed(example: Example) -> bool:
    return (
        isinstance(example["title"], str)
        and isinstance(example["text"], str)
        and set(example["countries"].values()) <= ROLES
        and set(example["labels"]) == FACTORS
        and set(example["labels"].values()) <= LABELS
    )


def test_heldout_is_never_trained_on(corpus: list[Example]) -> None:
    heldout = load_jsonl(DATA_DIR / "heldout" / "heldout.jsonl")
    assert len(heldout) >= 120
    assert all(_well_formed(e) for e in heldout)
    assert not any("heldout" in p.parts for p in corpus_files(DATA_DIR))
    seen = {(e["title"].casefold(), e["text"].casefold()) for e in corpus}
    assert not [e["id"] for e in heldout if (e["title"].casefold(), e["text"].casefold()) in seen]


def test_corpus_is_well_formed_with_unique_ids(corpus: list[Example]) -> None:
    assert all(_well_formed(e) for e in corpus)
    ids = [e["id"] for e in corpus]
    assert len(ids) == len(set(ids))
