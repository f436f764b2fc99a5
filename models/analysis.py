"""What an analyser says about one article: the countries in it and the factors per country.

Shared by the baseline analyser and the learned models so the service can use either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Protocol

Role = Literal["subject", "actor", "mentioned"]
Direction = Literal["escalating", "easing", "none"]
ROLES: tuple[Role, ...] = ("subject", "actor", "mentioned")
DIRECTIONS: tuple[Direction, ...] = ("escalating", "easing", "none")


@dataclass(frozen=True, slots=True)
class FactorReading:
    """How likely the text speaks to a factor for one country, and which way."""

    probability: float
    direction: Direction


@dataclass(frozen=True, slots=True)
class CountryAnalysis:
    """One country in an article: its role, its weight (share of the story) and factors."""

    iso2: str
    role: Role
    weight: float
    factors: dict[str, FactorReading] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Analysis:
    """The analysis of one article, tagged with the model that made it."""

    model_version: str
    countries: list[CountryAnalysis]

    def country(self, iso2: str) -> CountryAnalysis | None:
        return next((c for c in self.countries if c.iso2 == iso2), None)


class Analyzer(Protocol):
    """Anything that turns an article into an :class:`Analysis`."""

    @property
    def model_version(self) -> str: ...

    def analyze(self, title: str, text: str) -> Analysis: ...
