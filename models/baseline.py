"""The baseline analyser: gazetteer matching plus the word lists of config/.

It is deliberately small and transparent. It stays in the code base as the reference
that the learned models must beat in ``evaluate``, and as the fallback when no trained
artifact is installed.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from models.analysis import Analysis, CountryAnalysis, Direction, FactorReading, Role
from models.factor_config import DEFAULT_CONFIG_DIR
from models.gazetteer import Gazetteer, Mention, default_gazetteer

SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"“‘'A-Z0-9])|\n+")
SUBJECT_PREPOSITIONS = re.compile(r"\b(?:in|from|across|to|into|inside|throughout)\s+$", re.I)
ROLE_SHARE = {"subject": 1.0, "mentioned": 0.2, "actor": 0.1}


def _alternation(patterns: list[str]) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(f"(?:{p})" for p in patterns) + r")\b", re.I)


@dataclass(frozen=True)
class _Lexicon:
    escalating: re.Pattern[str]
    easing: re.Pattern[str]


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
        self._lexicons = {
            factor: _Lexicon(_alternation(lists["escalating"]), _alternation(lists["easing"]))
            for factor, lists in document["factors"].items()
        }
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
        return tuple(self._lexicons)

    def analyze(self, title: str, text: str) -> Analysis:
        """Countries in the article with a role, a weight and factor readings each."""
        sentences = [title, *[s for s in SENTENCE_END.split(text) if s.strip()]]
        by_country: dict[str, list[tuple[int, Mention]]] = defaultdict(list)
        countries_in: list[set[str]] = []
        for index, sentence in enumerate(sentences):
            in_sentence = self._gazetteer.find_mentions(sentence)
            countries_in.append({m.iso2 for m in in_sentence})
            for mention in in_sentence:
                by_country[mention.iso2].append((index, mention))
        if not by_country:
            return Analysis(self._version, [])

        salience: dict[str, float] = {}
        actors: set[str] = set()
        for iso2, found in by_country.items():
            salience[iso2] = len(found) + sum(2.0 for index, _ in found if index == 0)
            for index, mention in found:
                sentence = sentences[index]
                if SUBJECT_PREPOSITIONS.search(sentence[: mention.start]):
                    salience[iso2] += 1.5
                others = countries_in[index] - {iso2}
                if others and self._actor_follow.match(sentence[mention.end :]):
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
        result = []
        for iso2 in sorted(salience, key=lambda c: (-shares[c], c)):
            # A subject owns every sentence naming it plus those naming no country; anyone
            # else only sentences about it alone (a sentence on Mali's fuel says nothing
            # about France's).
            if roles[iso2] == "subject":
                own = {index for index, _ in by_country[iso2]} | set(unattributed)
            else:
                own = {i for i, _ in by_country[iso2] if countries_in[i] == {iso2}}
            evidence = " ".join(sentences[i] for i in sorted(own))
            result.append(
                CountryAnalysis(
                    iso2=iso2,
                    role=roles[iso2],
                    weight=round(shares[iso2] / total, 3),
                    factors={f: self._read(lex, evidence) for f, lex in self._lexicons.items()},
                )
            )
        return Analysis(self._version, result)

    @staticmethod
    def _read(lexicon: _Lexicon, evidence: str) -> FactorReading:
        # Easing phrases often contain an escalating word ("curfew lifted"): count them
        # first and blank them out so the word is not also counted as escalation.
        remainder, down = lexicon.easing.subn(" ", evidence)
        up = len(lexicon.escalating.findall(remainder))
        hits = up + down
        if hits == 0:
            return FactorReading(0.0, "none")
        direction: Direction = "easing" if down > up else "escalating"
        return FactorReading(round(min(0.99, 1.0 - 0.5**hits), 3), direction)
