"""Hand-made features of each country in a parsed article, for the role classifier.

Each mention is read once (the words just before and after it, its kind, its sentence)
and the readings are summed per country, so the cost grows with the number of mentions,
not with mentions times countries. A few features relate a country to the others in the
headline ("Japan raises its warning for Burkina Faso": Burkina Faso follows an actor).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from models.articles import ParsedArticle

__all__ = ["FEATURE_NAMES", "country_features"]


def _top_level(alternation: str) -> list[str]:
    """The alternatives of ``alternation`` split at ``|`` outside any group."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(alternation):
        if ch == "(" and alternation[i - 1 : i] != "\\":
            depth += 1
        elif ch == ")" and alternation[i - 1 : i] != "\\":
            depth -= 1
        elif ch == "|" and depth == 0:
            parts.append(alternation[start:i])
            start = i + 1
    return [*parts, alternation[start:]]


def _either(alternation: str) -> str:
    """``(?:alternation)`` regrouped by first letter, for patterns compiled with ``re.I``.

    Python's regex engine tries a flat alternation branch by branch at every position it
    searches: forty words cost forty failed tests at every word start. Grouped by first
    letter, behind a lookahead on that letter, most positions fail on one test. The
    language matched is the same; every alternative must start with a letter.
    """
    groups: dict[str, list[str]] = {}
    for alternative in _top_level(alternation):
        if not alternative[:1].isalpha():
            raise ValueError(f"alternative {alternative!r} does not start with a letter")
        groups.setdefault(alternative[0].lower(), []).append(alternative[1:])
    branches = "|".join(f"{first}(?:{'|'.join(rests)})" for first, rests in groups.items())
    return f"(?=[{''.join(groups)}])(?:{branches})"


_BEFORE_SUBJECT = re.compile(
    r"\b"
    + _either(
        r"in|from|across|to|into|inside|throughout|within|over|on|at|near|outside|"
        r"of|for|leave|leaving|visit|visiting|flee|fleeing|à|au|en|dans|vers|sur"
    )
    + r"\s+(?:the\s+)?(?:\w+ern\s+)?$",
    re.I,
)
_DIPLOMATIC_IN = re.compile(
    r"\b"
    + _either(
        r"embassy|embassies|consulate|mission|ambassador|envoy|diplomats?|nationals|"
        r"citizens|staff|personnel|troops|forces|travellers|travelers|trips|travel"
    )
    + r"\s+(?:in|to|from)\s+(?:the\s+)?$",
    re.I,
)
# Verbs by which a government acts on another country (the subject is elsewhere).
_ACTOR_AFTER = re.compile(
    r"^\W{0,3}(?:'s\s+|’s\s+)?(?:has\s+|have\s+|is\s+|are\s+|will\s+|to\s+|had\s+)?"
    r"(?:(?:also|now|again|formally|partially|temporarily)\s+)?"
    + _either(
        r"withdr[ae]w\w*|pull\w*|urg\w*|evacuat\w*|tell\w*|told|warn\w*|advis\w*|"
        r"recall\w*|sends?|sent|deploy\w*|impos\w*|sanction\w*|condemn\w*|"
        r"clos\w* its|suspend\w* its|reopen\w* its|says?|said|calls? on|brokers?|"
        r"offers?|pledg\w*|donat\w*|airlift\w*|repatriat\w*|announc\w*|order\w*|"
        r"raises? its|lowers? its|updat\w* its|issu\w*|accus\w*|mediat\w*|bans?\b|"
        r"relocat\w*|moves? its|reduc\w* its|raises? \w+ (?:travel )?(?:warning|advisory)|"
        r"lowers? \w+ (?:travel )?(?:warning|advisory)|downgrad\w*|lifts? (?:its )?\w+ "
        r"(?:departure|warning|advisory)|gives?|contribut\w*|provid\w*|allocat\w*|funds?|"
        r"boosts?|increases? its|will help|helps?|approves? \w+ (?:aid|assistance)|"
        r"to (?:help|send|double|give|provide)"
    )
    + r"\b",
    re.I,
)
# Verbs by which a government acts at home on foreigners (it stays the subject).
_HOST_AFTER = re.compile(
    r"^\W{0,3}(?:'s\s+)?(?:has\s+|will\s+|to\s+)?"
    + _either(
        r"expel\w*|summon\w*|orders? \w+ (?:ambassador|envoy|diplomats?) out|"
        r"declares? \w+ (?:ambassador|envoy|diplomats?)"
    )
    + r"\b",
    re.I,
)
_ACTOR_NOUN_AFTER = re.compile(
    r"^(?:'s|’s)?\s*(?:foreign|defence|defense|state|home)?\s*"
    + _either(
        r"ministry|office|department|"
        r"government|embassy|embassies|ambassador|envoy|diplomats?|nationals|citizens|troops|"
        r"forces|officials|military|navy|president|prime minister|state department|"
        r"high commission|consulate|aid|army|jets|drones|missiles|airstrikes?|air force"
    )
    + r"\b",
    re.I,
)
_NEIGHBOUR_BEFORE = re.compile(
    r"\b"
    + _either(
        r"neighbou?ring|like|unlike|as in|similar to|compared (?:to|with)|than|"
        r"following|after|before|such as|including|echoes|recalls"
    )
    + r"\s+(?:the\s+)?(?:\w+\s+)?$",
    re.I,
)
_DIASPORA_AFTER = re.compile(
    r"^(?:-born|\s+"
    + _either(
        r"community|communities|diaspora|expatriates|expats|migrants|"
        r"refugees|restaurant|food|cuisine|music|musicians|film|artist|designer|players?|"
        r"team|coach|fans|squad|striker|national team|wine|exports?"
    )
    + r")\b",
    re.I,
)
_RISK = re.compile(
    r"\b"
    + _either(
        r"attack\w*|kill\w*|bomb\w*|terror\w*|jihad\w*|militan\w*|insurg\w*|gunmen|"
        r"clash\w*|fight\w*|coup|curfew|unrest|violen\w*|kidnap\w*|shell\w*|strikes?|"
        r"fuel|petrol|diesel|shortage\w*|blockade\w*|rationing|queues?|embass\w*|"
        r"consul\w*|diplomat\w*|evacuat\w*|ceasefire|truce|reopen\w*|restor\w*|"
        r"emergency|protest\w*|riot\w*|martial|siege|displac\w*|armed|attaque\w*|"
        r"carburant|blocus|pénurie|combats?|violences|couvre-feu|ambassade"
    )
    + r"\b",
    re.I,
)
_SPORT = re.compile(
    r"\b"
    + _either(
        r"beat|beats|friendly|match|cup|league|goal\w*|score[ds]?|win|won|draw|"
        r"tournament|qualifier|olympic\w*|championship|semi-final|final|coach|squad|stun|"
        r"thrash\w*"
    )
    + r"\b",
    re.I,
)
# A city named as the venue of talks or a conference is not where the story happens.
_VENUE = re.compile(
    r"^\W{0,2}"
    + _either(
        r"II\b|peace|talks|conference|summit|meeting|process|donor|hosts?|"
        r"accord|agreement|convention"
    ),
    re.I,
)
_HEAD_COLON = re.compile(r"^\s*[:\-–—]")

FEATURE_NAMES: tuple[str, ...] = (
    "in_title",
    "first_in_title",
    "title_only_country",
    "title_prep_before",
    "title_actor_after",
    "title_colon_after",
    "title_host_after",
    "title_city",
    "title_demonym_only",
    "title_after_actor",
    "title_other_actor",
    "first_overall",
    "first_position",
    "log_count",
    "count_share",
    "sentence_share",
    "log_n_countries",
    "prep_before",
    "diplomatic_in_before",
    "capital_city",
    "demonym_share",
    "actor_after",
    "host_after",
    "actor_noun_after",
    "demonym_actor_noun",
    "neighbour_before",
    "diaspora_after",
    "venue_after",
    "capital_actor",
    "sole_risk_sentences",
    "shared_risk_sentences",
    "sport_sentences",
    "title_sport",
    "is_top_count",
    "other_actor_patterns",
    "actor_cue",
    "first_in_title_actor_cue",
)
_INDEX = {name: i for i, name in enumerate(FEATURE_NAMES)}
# Counts that are log1p-compressed (a long article should not drown a headline).
_LOGGED = [
    _INDEX[n]
    for n in (
        "prep_before",
        "diplomatic_in_before",
        "capital_city",
        "actor_after",
        "host_after",
        "actor_noun_after",
        "demonym_actor_noun",
        "neighbour_before",
        "diaspora_after",
        "venue_after",
        "capital_actor",
        "sole_risk_sentences",
        "shared_risk_sentences",
        "sport_sentences",
        "other_actor_patterns",
    )
]


def _features(article: ParsedArticle) -> tuple[list[str], NDArray[np.float64]]:
    """Countries of the article in order of appearance and their raw feature rows."""
    sentences, mentions = article.sentences, article.mentions
    order: dict[str, int] = {}
    for found in mentions:
        for m in found:
            order.setdefault(m.iso2, len(order))
    n = len(order)
    n_feat = len(FEATURE_NAMES)
    rows = [[0.0] * n_feat for _ in range(n)]
    counts = [0] * n
    demonyms = [0] * n
    first_sentence = [-1] * n
    actor_mentions = [0] * n
    title_actor_at = -1
    n_sentences = len(sentences)
    ix = _INDEX
    for index, found in enumerate(mentions):
        if not found:
            continue
        sentence = sentences[index]
        present = {order[m.iso2] for m in found}
        risky = bool(_RISK.search(sentence))
        sporty = index > 0 and bool(_SPORT.search(sentence))
        for c in present:
            row = rows[c]
            if first_sentence[c] < 0:
                first_sentence[c] = index
            row[ix["sole_risk_sentences" if len(present) == 1 else "shared_risk_sentences"]] += (
                risky
            )
            row[ix["sport_sentences"]] += sporty
            row[ix["sentence_share"]] += 1.0
        for m in found:
            c = order[m.iso2]
            row = rows[c]
            counts[c] += 1
            # The head patterns look at most four words back; searching only those is
            # several times cheaper than searching the raw 48 characters.
            raw = sentence[max(0, m.start - 48) : m.start]
            spaced = raw[-1:].isspace()
            head = " ".join(raw.split()[-4:]) + " " if spaced else ""
            tail = sentence[m.end : m.end + 64]
            demonym = m.kind == "demonym"
            demonyms[c] += demonym
            # Every head pattern needs a space before the mention.
            before = spaced and _BEFORE_SUBJECT.search(head) is not None
            actor = _ACTOR_AFTER.match(tail) is not None
            host = _HOST_AFTER.match(tail) is not None
            noun = _ACTOR_NOUN_AFTER.match(tail.lstrip() if demonym else tail) is not None
            city = m.kind in ("capital", "city")
            row[ix["prep_before"]] += before
            row[ix["diplomatic_in_before"]] += spaced and _DIPLOMATIC_IN.search(head) is not None
            row[ix["capital_city"]] += city
            row[ix["actor_after"]] += actor
            row[ix["host_after"]] += host
            row[ix["demonym_actor_noun" if demonym else "actor_noun_after"]] += noun
            row[ix["neighbour_before"]] += spaced and _NEIGHBOUR_BEFORE.search(head) is not None
            row[ix["diaspora_after"]] += _DIASPORA_AFTER.match(tail) is not None
            row[ix["venue_after"]] += city and _VENUE.match(tail) is not None
            row[ix["capital_actor"]] += city and (actor or host)
            actor_mentions[c] += actor
            if index == 0:
                row[ix["title_prep_before"]] += before
                row[ix["title_actor_after"]] += actor
                row[ix["title_host_after"]] += host
                row[ix["title_city"]] += city
                row[ix["title_colon_after"]] += _HEAD_COLON.match(tail) is not None
                if actor and title_actor_at < 0:
                    title_actor_at = m.end
    total = sum(counts) or 1
    top = max(counts, default=0)
    title_found = mentions[0]
    title_codes = {order[m.iso2] for m in title_found}
    title_demonym = {order[m.iso2] for m in title_found if m.kind != "demonym"}
    first_title = order[title_found[0].iso2] if title_found else -1
    title_actors = {
        order[m.iso2] for m in title_found if rows[order[m.iso2]][ix["title_actor_after"]]
    }
    sport_title = float(_SPORT.search(sentences[0]) is not None)
    for c in range(n):
        row = rows[c]
        in_title = c in title_codes
        row[ix["in_title"]] = float(in_title)
        row[ix["first_in_title"]] = float(c == first_title)
        row[ix["title_only_country"]] = float(in_title and len(title_codes) == 1)
        row[ix["title_demonym_only"]] = float(in_title and c not in title_demonym)
        row[ix["title_other_actor"]] = float(bool(title_actors - {c}))
        row[ix["title_sport"]] = sport_title
        row[ix["first_overall"]] = float(c == 0)
        row[ix["first_position"]] = (
            1.0 - first_sentence[c] / (n_sentences - 1) if n_sentences > 1 else 1.0
        )
        row[ix["log_count"]] = math.log1p(counts[c])
        row[ix["count_share"]] = counts[c] / total
        row[ix["sentence_share"]] /= n_sentences
        # Beyond four countries (lists of a region's countries) more add nothing.
        row[ix["log_n_countries"]] = math.log(min(n, 4))
        row[ix["is_top_count"]] = float(counts[c] == top)
        row[ix["demonym_share"]] = demonyms[c] / max(1, counts[c])
        row[ix["other_actor_patterns"]] = float(sum(actor_mentions) - actor_mentions[c])
        # Acting needs a cue of its own: a verb, an official noun or a capital acting.
        row[ix["actor_cue"]] = float(
            row[ix["actor_after"]] + row[ix["actor_noun_after"]] + row[ix["demonym_actor_noun"]] > 0
        )
        row[ix["first_in_title_actor_cue"]] = row[ix["first_in_title"]] * row[ix["actor_cue"]]
    if title_actor_at >= 0:
        for m in title_found:
            if m.start >= title_actor_at and order[m.iso2] not in title_actors:
                rows[order[m.iso2]][ix["title_after_actor"]] = 1.0
    out = np.asarray(rows, dtype=np.float64).reshape(n, n_feat)
    out[:, _LOGGED] = np.log1p(out[:, _LOGGED])
    return list(order), out


def country_features(
    article: ParsedArticle, countries: Sequence[str], names: Sequence[str] = FEATURE_NAMES
) -> NDArray[np.float64]:
    """Mention features of several countries of one article (the columns ``names``).

    Parameters
    ----------
    article : ParsedArticle
        The parsed article.
    countries : sequence of str
        ISO alpha-2 codes found in it.
    names : sequence of str, default=FEATURE_NAMES
        The feature columns to return.

    Returns
    -------
    ndarray of shape (len(countries), len(names))
        The features.
    """
    order, rows = _features(article)
    where = {c: i for i, c in enumerate(order)}
    picked = rows[[where[c] for c in countries]] if countries else rows[:0]
    if tuple(names) == FEATURE_NAMES:
        return picked
    return picked[:, [_INDEX[n] for n in names]]
