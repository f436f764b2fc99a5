"""Advisory text -> factor evidence (security, diplomatic_presence, fuel_supply).

Official advisories rarely change level when an embassy draws down or fuel runs short, but
their text says so. The phrase lists live in config/advisory_factors.yaml so analysts can
extend them without a code change; this module only compiles and applies them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import yaml

from .levels import normalise_wording

FACTORS_FILE = Path(__file__).resolve().parents[3] / "config" / "advisory_factors.yaml"

# State Department risk indicator letters and the words in an advisory's reasons that set them.
# The RSS feed carries no indicator markup, so the letters are read from the "due to ..." reasons.
US_INDICATORS: Mapping[str, str] = {
    "C": r"crim",
    "T": r"terroris",
    "U": r"(?:civil )?unrest|demonstration|protest",
    "H": r"health|covid|disease|ebola",
    "N": r"natural disaster|hurricane|earthquake|volcan",
    "E": r"event",
    "K": r"kidnap|hostage",
    "D": r"wrongful detention|detention|exit ban",
    "O": r"other",
}


def load_phrases(path: Path = FACTORS_FILE) -> dict[str, tuple[str, ...]]:
    """Read the factor -> phrases table, refusing a file that is not that shape."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping of factor -> list of phrases")
    table: dict[str, tuple[str, ...]] = {}
    for factor, phrases in data.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise ValueError(f"{path}: factor {factor!r} must list phrases as strings")
        table[str(factor)] = tuple(normalise_wording(p) for p in phrases)
    return table


@cache
def _patterns() -> dict[str, re.Pattern[str]]:
    compiled: dict[str, re.Pattern[str]] = {}
    for factor, phrases in load_phrases().items():
        alternatives = "|".join(r"\s+".join(map(re.escape, p.split())) for p in phrases)
        compiled[factor] = re.compile(rf"\b(?:{alternatives})")
    return compiled


def evidence(text: str) -> dict[str, list[str]]:
    """Each factor the text gives evidence for, with the distinct phrases that matched."""
    folded = normalise_wording(text)
    found: dict[str, list[str]] = {}
    for factor, pattern in _patterns().items():
        hits = sorted({m.group(0) for m in pattern.finditer(folded)})
        if hits:
            found[factor] = hits
    return found


def factors_in(text: str) -> tuple[str, ...]:
    """The factor names the text gives evidence for, sorted (for AdvisoryRecord.indicators)."""
    return tuple(sorted(evidence(text)))


def us_indicator_letters(reasons: str) -> tuple[str, ...]:
    """US risk indicator letters (C, T, U, H, N, E, K, D, O) named by an advisory's reasons."""
    folded = normalise_wording(reasons)
    return tuple(
        letter for letter, words in US_INDICATORS.items() if re.search(rf"\b(?:{words})", folded)
    )
