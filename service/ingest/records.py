"""What every parser produces: normalised records plus per-entry errors.

Parsers are pure (bytes in, records out) so that they can be tested against real
files without a database; the pipeline decides what to store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Literal, TypeVar

RegionalState = Literal["none", "present", "unknown"]


@dataclass(frozen=True)
class Article:
    """One news item, normalised from any format.

    ``published_at`` is timezone-aware UTC or None when the source gave no usable date.
    ``raw`` is the item as the source gave it (JSON-serialisable), kept for audit.
    ``dedupe_key`` is set when the source gives each item its own identity that the URL
    and text do not carry (a GDELT event id: many events cite one article); such an item
    is then a duplicate only of an item with the same key, never by URL or text.
    """

    title: str
    text: str
    url: str | None = None
    published_at: datetime | None = None
    source: str | None = None
    raw: dict[str, Any] = field(default_factory=dict)
    dedupe_key: str | None = None


@dataclass(frozen=True)
class RegionalWarning:
    """An advisory level that applies to part of a country only."""

    area: str
    level: int
    native: str


@dataclass(frozen=True)
class AdvisoryRecord:
    """One official advisory for one country, normalised to the 1-4 scale.

    ``native`` keeps the source's own wording or value; ``indicators`` the source's
    risk flags (US letters such as ``"T"``, or factor names found in the text);
    ``regional_state`` says whether the source gives regional advisories and whether
    they could be read ("unknown" when the source says there are some but none parsed).
    """

    source: str
    country_iso2: str
    level: int
    native: str
    published_at: datetime | None
    url: str | None = None
    text: str = ""
    indicators: tuple[str, ...] = ()
    regions: tuple[RegionalWarning, ...] = ()
    regional_state: RegionalState = "none"
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ParseProblem:
    """A part of the input that could not be used, and why.

    ``location`` points a person at it: ``"line 17"``, ``"item 3"``, ``"data.XK"``.
    ``kind`` is ``"error"`` for malformed input and ``"unmapped"`` for a well-formed
    entry deliberately not stored (e.g. "Worldwide Caution" is not a country).
    """

    location: str
    message: str
    kind: Literal["error", "unmapped"] = "error"


T = TypeVar("T")


@dataclass
class ParseResult(Generic[T]):
    """Records parsed from one input plus the problems met on the way.

    A parser never raises on bad entries: it reports them here and keeps the good
    ones. It raises :class:`ParseFailure` only when the input as a whole is unusable.
    """

    items: list[T] = field(default_factory=list)
    problems: list[ParseProblem] = field(default_factory=list)

    @property
    def errors(self) -> list[ParseProblem]:
        return [p for p in self.problems if p.kind == "error"]

    @property
    def unmapped(self) -> list[ParseProblem]:
        return [p for p in self.problems if p.kind == "unmapped"]


class ParseFailure(ValueError):
    """The whole input is unusable (not the declared format, truncated, hostile XML)."""
