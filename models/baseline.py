"""The baseline analyser: gazetteer matching plus the word lists of config/.

It is deliberately small and transparent. It stays in the code base as the reference
that the learned models must beat in ``evaluate``, and as the fallback when no trained
artifact is installed.
"""

from __future__ import annotations

import functools
import hashlib
import re
import string
from bisect import bisect_right
from collections import defaultdict
from pathlib import Path

import yaml

from models.analysis import Analysis, CountryAnalysis, Direction, FactorReading, Role
from models.articles import sentence_spans
from models.factor_config import DEFAULT_CONFIG_DIR
from models.gazetteer import Gazetteer, Mention, default_gazetteer, trie_pattern

SUBJECT_PREPOSITIONS = re.compile(r"\b(?:in|from|across|to|into|inside|throughout)\s+$", re.I)
ROLE_SHARE = {"subject": 1.0, "mentioned": 0.2, "actor": 0.1}


# Lower-cases ASCII only, so offsets in the lowered text are offsets in the original:
# the slow fallback for the rare text that str.lower() makes longer.
ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
DIRECTIONS = ("escalating", "easing")  # slot 0 and 1 of a count
UNSUPPORTED = frozenset("\\.*+{}^$]")


def _compile_lexicon(
    factors: dict[str, dict[str, list[str]]],
) -> tuple[re.Pattern[str], dict[str, tuple[int, int]]]:
    """One trie-shaped pattern for every phrase of every list, and the map from phrase to
    (factor index, count slot). Easing lists are read first, so a phrase listed both ways
    counts as easing. A flat alternation of ~150 expressions was tried one by one at every
    position of the text; the trie rejects most positions on their first character."""
    phrases: dict[str, tuple[int, int]] = {}
    for index, lists in enumerate(factors.values()):
        for slot in (1, 0):
            for expression in lists[DIRECTIONS[slot]]:
                for phrase in expand_phrases(expression):
                    phrases.setdefault(phrase, (index, slot))
    return re.compile(r"(?<![a-z0-9])(?:" + trie_pattern(phrases) + r")\b"), phrases


def expand_phrases(expression: str) -> list[str]:
    """Every phrase a word-list entry matches: "attack(s|ed)?" is attack, attacks, attacked.

    Entries are finite patterns: literal text, groups ``(a|b)`` or ``(?:a|b)``, classes
    such as ``[sz]`` and the ``?`` quantifier. Anything else (``*``, ``+``, ranges,
    escapes) would make the list infinite or ambiguous and raises ValueError.
    """
    phrases, end = _alternatives(expression, 0)
    if end != len(expression):
        raise ValueError(f"unbalanced ')' in word-list entry {expression!r}")
    return phrases


def _alternatives(expression: str, i: int) -> tuple[list[str], int]:
    options: list[str] = []
    while True:
        sequence, i = _sequence(expression, i)
        options.extend(sequence)
        if i < len(expression) and expression[i] == "|":
            i += 1
            continue
        return options, i


def _sequence(expression: str, i: int) -> tuple[list[str], int]:
    built = [""]
    while i < len(expression) and expression[i] not in "|)":
        char = expression[i]
        if char == "(":
            i += 3 if expression.startswith("(?:", i) else 1
            atom, i = _alternatives(expression, i)
            if i >= len(expression):
                raise ValueError(f"unclosed '(' in word-list entry {expression!r}")
            i += 1
        elif char == "[":
            close = expression.find("]", i)
            atom = list(expression[i + 1 : close])
            if close < 0 or not atom or "-" in atom or "^" in atom or "\\" in atom:
                raise ValueError(f"unsupported class in word-list entry {expression!r}")
            i = close + 1
        elif char in UNSUPPORTED:
            raise ValueError(f"unsupported {char!r} in word-list entry {expression!r}")
        else:
            atom = [char]
            i += 1
        if i < len(expression) and expression[i] == "?":
            atom = ["", *atom]
            i += 1
        built = [head + tail for head in built for tail in atom]
    return built, i


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
        self._lexicon, self._phrases = _compile_lexicon(document["factors"])
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

        At each position the longest phrase wins and consumes the text, so "curfew
        lifted" counts as easing and not also as "curfew".
        """
        counts = [[[0, 0] for _ in self._factors] for _ in starts]
        lowered = document.lower()
        if len(lowered) != len(document):  # a letter such as "İ" lower-cased to two
            lowered = document.translate(ASCII_LOWER)
        for match in self._lexicon.finditer(lowered):
            factor, slot = self._phrases[match.group()]
            counts[bisect_right(starts, match.start()) - 1][factor][slot] += 1
        return counts


def _sentence_spans(title_length: int, document: str) -> list[tuple[int, int]]:
    """(start, end) of the title and of each non-blank sentence of the text in ``document``."""
    return [(0, title_length), *sentence_spans(document, title_length + 1)]


@functools.cache
def _reading(up: int, down: int) -> FactorReading:
    hits = up + down
    if hits == 0:
        return FactorReading(0.0, "none")
    direction: Direction = "easing" if down > up else "escalating"
    return FactorReading(round(min(0.99, 1.0 - 0.5**hits), 3), direction)
