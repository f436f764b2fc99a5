"""The baseline analyser: gazetteer matching plus the word lists of config/.

It is deliberately small and transparent. It stays in the code base as the reference
that the learned models must beat in ``evaluate``, and as the fallback when no trained
artifact is installed.
"""

from __future__ import annotations

import hashlib
import re
import string
from bisect import bisect_right
from collections import defaultdict
from pathlib import Path

import yaml

from models.analysis import Analysis, CountryAnalysis, Direction, FactorReading, Role
from models.factor_config import DEFAULT_CONFIG_DIR
from models.gazetteer import Gazetteer, Mention, default_gazetteer

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘'A-Z0-9])|\n+")
SUBJECT_PREPOSITIONS = re.compile(r"\b(?:in|from|across|to|into|inside|throughout)\s+$", re.I)
ROLE_SHARE = {"subject": 1.0, "mentioned": 0.2, "actor": 0.1}


# Lower-cases ASCII only, so offsets in the lowered text are offsets in the original.
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
DIRECTIONS = ("escalating", "easing")  # slot 0 and 1 of a count


def _compile_lexicon(
    factors: dict[str, dict[str, list[str]]],
) -> tuple[re.Pattern[str], dict[str, tuple[int, int]]]:
    """One pattern for every list (a named group per factor and direction), and the map
    from group name to (factor index, count slot). Easing lists come first (see _count)."""
    branches = []
    groups = {}
    for index, lists in enumerate(factors.values()):
        for slot in (1, 0):
            name = f"f{index}_{DIRECTIONS[slot]}"
            groups[name] = (index, slot)
            branches.append(
                f"(?P<{name}>" + "|".join(f"(?:{p})" for p in lists[DIRECTIONS[slot]]) + ")"
            )
    return re.compile(r"(?<![a-z0-9])(?:" + "|".join(branches) + r")\b"), groups


class BaselineAnalyzer:
    """Keyword analyser: who the story is about by counting, factors by word lists.

    Parameters
    ----------
    config_dir : Path, optional
        Folder holding ``baseline_lexicons.yaml``; the repository's config/ by default.
    gazetteer : Gazetteer, optional
        Country matcher; the shared default gazetteer by default.
    """

    def __init__(self, config_dir: Path | None = None, gazetteer: Gazetteer | None = None):
        path = (config_dir or DEFAULT_CONFIG_DIR) / "baseline_lexicons.yaml"
        raw = path.read_bytes()
        document = yaml.safe_load(raw)
        self._gazetteer = gazetteer or default_gazetteer()
        self._factors = tuple(document["factors"])
        self._lexicon, self._groups = _compile_lexicon(document["factors"])
        self._actor_follow = re.compile(
            r"^\W{0,3}(?:'s\s+)?(?:has\s+|have\s+|is\s+|will\s+)?(?:"
            + "|".join(document["actor_verbs"] + document["actor_nouns"])
            + r")\b",
            re.I,
        )
        self._version = "baseline-" + hashlib.sha256(raw).hexdigest()[:12]

    @property
    def model_version(self) -> str:
        return self._version

    @property
    def factors(self) -> tuple[str, ...]:
        return self._factors

    def analyze(self, title: str, text: str) -> Analysis:
        """Countries in the article with a role, a weight and factor readings each."""
        document = f"{title}\n{text}"
        spans = _sentence_spans(len(title), document)
        starts = [begin for begin, _ in spans]
        by_country: dict[str, list[tuple[int, Mention]]] = defaultdict(list)
        countries_in: list[set[str]] = [set() for _ in spans]
        for mention in self._gazetteer.find_mentions(document):
            index = bisect_right(starts, mention.start) - 1
            countries_in[index].add(mention.iso2)
            by_country[mention.iso2].append((index, mention))
        if not by_country:
            return Analysis(self._version, [])

        salience: dict[str, float] = {}
        actors: set[str] = set()
        for iso2, found in by_country.items():
            salience[iso2] = len(found) + sum(2.0 for index, _ in found if index == 0)
            for index, mention in found:
                begin, end = spans[index]
                if SUBJECT_PREPOSITIONS.search(document, begin, mention.start):
                    salience[iso2] += 1.5
                others = countries_in[index] - {iso2}
                if others and self._actor_follow.match(document[mention.end : end]):
                    actors.add(iso2)
        candidates = {c: s for c, s in salience.items() if c not in actors} or salience
        top = max(candidates.values())
        roles: dict[str, Role] = {
            iso2: "subject" if iso2 in candidates and s >= top else "mentioned"
            for iso2, s in salience.items()
        }
        roles.update({iso2: "actor" for iso2 in actors if roles[iso2] != "subject"})

        shares = {iso2: salience[iso2] * ROLE_SHARE[roles[iso2]] for iso2 in salience}
        total = sum(shares.values())
        unattributed = [i for i, found in enumerate(countries_in) if not found]
        hits = self._count(document, starts)
        result = []
        for iso2 in sorted(salience, key=lambda c: (-shares[c], c)):
            # A subject owns every sentence naming it plus those naming no country; anyone
            # else only sentences about it alone (a sentence on Mali's fuel says nothing
            # about France's).
            if roles[iso2] == "subject":
                own = {index for index, _ in by_country[iso2]} | set(unattributed)
            else:
                own = {i for i, _ in by_country[iso2] if countries_in[i] == {iso2}}
            totals = [[0, 0] for _ in self._factors]
            for i in own:
                for f, (up, down) in enumerate(hits[i]):
                    totals[f][0] += up
                    totals[f][1] += down
            result.append(
                CountryAnalysis(
                    iso2=iso2,
                    role=roles[iso2],
                    weight=round(shares[iso2] / total, 3),
                    factors={
                        factor: _reading(*totals[f]) for f, factor in enumerate(self._factors)
                    },
                )
            )
        return Analysis(self._version, result)

    def _count(self, document: str, starts: list[int]) -> list[list[list[int]]]:
        """[sentence][factor] -> [escalating hits, easing hits], in one pass over the text.

        One combined pattern is much faster than one per list. At each position the
        first alternative wins and consumes the phrase, and easing phrases come before
        escalating ones, so "curfew lifted" counts as easing and not also as "curfew".
        """
        counts = [[[0, 0] for _ in self._factors] for _ in starts]
        for match in self._lexicon.finditer(document.translate(ASCII_LOWER)):
            factor, slot = self._groups[match.lastgroup or ""]
            counts[bisect_right(starts, match.start()) - 1][factor][slot] += 1
        return counts


def _sentence_spans(title_length: int, document: str) -> list[tuple[int, int]]:
    """(start, end) of the title and of each non-blank sentence of the text in ``document``."""
    spans = [(0, title_length)]
    begin = title_length + 1
    for separator in SENTENCE_END.finditer(document, begin):
        if document[begin : separator.start()].strip():
            spans.append((begin, separator.start()))
        begin = separator.end()
    if document[begin:].strip():
        spans.append((begin, len(document)))
    return spans


def _reading(up: int, down: int) -> FactorReading:
    hits = up + down
    if hits == 0:
        return FactorReading(0.0, "none")
    direction: Direction = "easing" if down > up else "escalating"
    return FactorReading(round(min(0.99, 1.0 - 0.5**hits), 3), direction)
