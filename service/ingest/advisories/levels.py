"""Every source's native advisory wording mapped to the shared 1-4 scale.

One table per source so that a history import (``generic``) can read the wording of any
government we know, and so that docs/advisory-scales.md has a single place to mirror.
Keys are normalised with :func:`normalise_wording`; unknown wording maps to None and the
caller reports it, because guessing a level would put a wrong number in front of users.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

LEVEL_WORDS: Mapping[str, Mapping[str, int]] = {
    "us-state": {
        "exercise normal precautions": 1,
        "exercise normal precaution": 1,
        "exercise increased caution": 2,
        "reconsider travel": 3,
        "do not travel": 4,
    },
    "uk-fcdo": {
        "avoid_all_travel_to_whole_country": 4,
        "avoid_all_but_essential_travel_to_whole_country": 3,
        "avoid_all_travel_to_parts": 4,
        "avoid_all_but_essential_travel_to_parts": 3,
        "advises against all travel": 4,
        "advises against all but essential travel": 3,
        "no alert status": 1,
    },
    "ca": {
        "take normal security precautions": 1,
        "exercise a high degree of caution": 2,
        "avoid non-essential travel": 3,
        "avoid all travel": 4,
    },
    "au": {
        "exercise normal safety precautions": 1,
        "exercise a high degree of caution": 2,
        "reconsider your need to travel": 3,
        "reconsider your travel": 3,
        "do not travel": 4,
    },
    "ie": {
        "normal precautions": 1,
        "high degree of caution": 2,
        "avoid non-essential travel": 3,
        "do not travel": 4,
    },
    "de": {
        "no warning flags": 1,
        "situationwarning": 3,
        "warning": 4,
    },
}

# Well-formed values that are deliberately not a level: reported as "unmapped" with this reason.
NOT_A_LEVEL: Mapping[str, Mapping[str, str]] = {
    "us-state": {
        "caution": "a worldwide caution, not a country level",
        "other": "the source marks it 'Other' (no level published)",
    },
    "ie": {"no summary found": "the scraper could not read the Irish level ('No summary found')"},
    "au": {"no travel advice": "Smartraveller publishes no advice level for it"},
}

# Canada's advisory-state 0-3 is one below our scale.
CA_STATE_TO_LEVEL: Mapping[int, int] = {0: 1, 1: 2, 2: 3, 3: 4}

CA_REGIONAL_SUFFIX = "(with regional advisories)"

_US_LEVEL_PREFIX = re.compile(r"^level\s*([1-4])\s*:?\s*")


def normalise_wording(text: str) -> str:
    """Lower-case, unaccented, single-spaced: the form the tables are keyed by."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return " ".join(folded.replace("\u00a0", " ").lower().split()).strip(" .:")


def level_for(source: str, native: str) -> int | None:
    """The 1-4 level of a source's native wording, or None when we do not know it.

    US wording may carry its own number ("Level 4: Do Not Travel"); the number wins when the
    words are unknown, and a number that contradicts known words gives None (inconsistent).
    Canada's "(with regional advisories)" suffix does not change the national level.
    """
    words = normalise_wording(native)
    if source == "ca" and words.endswith(CA_REGIONAL_SUFFIX):
        words = words.removesuffix(CA_REGIONAL_SUFFIX).strip()
    table = LEVEL_WORDS.get(source, {})
    if source == "us-state":
        match = _US_LEVEL_PREFIX.match(words)
        if match:
            number = int(match.group(1))
            rest = words[match.end() :]
            known = table.get(rest)
            return number if known in (None, number) else None
    return table.get(words)


def not_a_level_reason(source: str, native: str) -> str | None:
    """Why a well-formed native value carries no level, or None if it should have one."""
    return NOT_A_LEVEL.get(source, {}).get(normalise_wording(native))


def tai_score_to_level(score: float) -> int:
    """travel-advisory.info's own risk bands: <2.5 low, <3.5 medium, <4.5 high, else extreme."""
    if score < 2.5:
        return 1
    if score < 3.5:
        return 2
    if score < 4.5:
        return 3
    return 4


def ca_has_regional_suffix(native: str) -> bool:
    """True when Canada's wording says regional advisories exist beside the national one."""
    return normalise_wording(native).endswith(CA_REGIONAL_SUFFIX)
