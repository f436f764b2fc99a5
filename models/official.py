"""What the official advisories say together: levels, disagreement, regional warnings.

Pure: latest advisories in, a comparison out. National and regional levels stay apart;
a regional level never stands in for a national one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MATERIAL_SPREAD = 2  # 1 vs 3 is material, 2 vs 3 is not


@dataclass(frozen=True)
class OfficialAdvisory:
    """The latest national level of one source and its regional warnings."""

    source: str
    level: int
    regional_levels: tuple[int, ...]
    regional_state: str  # none | present | unknown


@dataclass(frozen=True)
class RegionalSummary:
    regional_max: int | None
    has_regional_escalation: bool | None


@dataclass(frozen=True)
class Comparison:
    """How the official sources compare for one country."""

    levels: dict[str, int]
    spread: int | None
    material_disagreement: bool
    highest_level: int | None
    highest_sources: list[str]
    regional_max: int | None


def regional_summary(advisory: OfficialAdvisory) -> RegionalSummary:
    """The highest regional level, and whether a region is above the national level.

    ``has_regional_escalation`` is None when the source says there are regional
    advisories but none could be read: unknown, not false.
    """
    if advisory.regional_levels:
        top = max(advisory.regional_levels)
        return RegionalSummary(top, top > advisory.level)
    if advisory.regional_state == "unknown":
        return RegionalSummary(None, None)
    return RegionalSummary(None, False)


def compare(advisories: Sequence[OfficialAdvisory]) -> Comparison:
    """Spread of the national levels (when at least two sources answered) and who is highest."""
    levels = {a.source: a.level for a in advisories}
    highest = max(levels.values(), default=None)
    spread = max(levels.values()) - min(levels.values()) if len(levels) >= 2 else None
    regional = [r for a in advisories if (r := regional_summary(a).regional_max) is not None]
    return Comparison(
        levels=levels,
        spread=spread,
        material_disagreement=spread is not None and spread >= MATERIAL_SPREAD,
        highest_level=highest,
        highest_sources=sorted(s for s, level in levels.items() if level == highest),
        regional_max=max(regional, default=None),
    )
