"""The patterns read around a country mention, and the cheap tests of where each may match.

A mention's role shows in the words beside it: a preposition before it ("fled to Chad"),
a verb of acting after it ("France withdraws its diplomats"), a venue word, a colon
heading a title. This module owns that vocabulary: the patterns (lower case, matched on
lower-cased sentences, see ParsedArticle.lowered), the helpers that build them, the kinds
of cue word and the gates. :mod:`models.mention_features` runs them over a batch of
articles and sums what they read per country.

Most mentions match no pattern, and running every pattern at every mention would be most
of the cost, so each pattern comes with a necessary condition that is cheap to test:

- a cue: a token without which the sentence cannot match, the first word of one of the
  pattern's alternatives (see :func:`cued`). Every token is classified once
  (:func:`cue_kinds`, a mask of bits such as ACTOR or RISK) and every sentence gets the
  union of its tokens' (:func:`sentence_kinds`), so a pattern runs only in sentences
  holding one of its cue words;
- for a pattern before a mention, the last word of its head must end in one of a few
  words, its endings (their bits are read off LAST_WORD_KINDS);
- for a pattern after a mention, the first word after it must be one of the pattern's
  words or of the lead before a verb (FIRST_WORD_KINDS).

A gate only skips mentions at which its pattern cannot match, so gates change the cost,
never the features. Alternations are grouped by first letter (:func:`either`) for the
same reason.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import NDArray

from models.articles import TokenCodes

__all__ = [
    "ACTOR",
    "ACTOR_AFTER",
    "ACTOR_NOUN_AFTER",
    "AID",
    "BEFORE_SUBJECT",
    "BENEFICIARY_BEFORE",
    "BORDER",
    "BORDER_AFTER",
    "BORDER_BEFORE",
    "BORDER_ENDINGS",
    "COORDINATION",
    "CUE_BITS",
    "DATELINE",
    "DIASPORA",
    "DIASPORA_AFTER",
    "DIPLOMATIC",
    "DIPLOMATIC_ENDINGS",
    "DIPLOMATIC_IN",
    "ENDING_BITS",
    "FIRST_WORD_AFTER",
    "FIRST_WORD_KINDS",
    "GIVER_AFTER",
    "GIVING",
    "GIVING_AFTER",
    "HEAD_COLON",
    "HEAD_GAP",
    "HOST",
    "HOST_AFTER",
    "LAST_WORD_KINDS",
    "MISSION",
    "MISSION_ACT",
    "MISSION_ACTION",
    "MISSION_ENDINGS",
    "MISSION_OBJECT",
    "MISSION_OF",
    "NEAR_BEFORE",
    "NEAR_ENDINGS",
    "NEIGHBOUR",
    "NEIGHBOUR_BEFORE",
    "NOUN",
    "NOUN_WORD",
    "PREPOSITION",
    "RISK",
    "SOURCE_BEFORE",
    "SPORT",
    "SUBJECT_ENDINGS",
    "SUBJECT_WORDS",
    "TAIL_CHARS",
    "VENUE",
    "VENUE_BEFORE",
    "VENUE_ENDINGS",
    "VENUE_WORD",
    "WORD_KINDS",
    "cue_kinds",
    "cued",
    "either",
    "first_word_kinds",
    "first_words",
    "sentence_kinds",
]


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


def either(alternation: str) -> str:
    """``(?:alternation)`` regrouped by first letter, for lower-case alternatives.

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


def first_words(alternation: str) -> str:
    """The first word of each alternative of ``alternation``, as one alternation."""
    words = []
    for alternative in _top_level(alternation):
        depth = 0
        for i, ch in enumerate(alternative):
            depth += (ch == "(") - (ch == ")")
            if ch == " " and depth == 0:
                alternative = alternative[:i]
                break
        words.append(alternative)
    return "|".join(words)


def cued(
    before: str, alternation: str, after: str, *, also: str = ""
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The pattern ``before + (alternation) + after``, and its cue: a token that is the
    first word of an alternative (or one of ``also``). In a sentence without a cue token
    the pattern cannot match, so it is not run there."""
    cue = first_words(alternation) + (f"|{also}" if also else "")
    if any(len(word.rstrip("?")) < 2 for word in cue.split("|")):
        raise ValueError(f"cue {cue!r}: tokens have two letters or more, so would never match")
    return re.compile(before + either(alternation) + after), re.compile(f"(?:{cue})")


# Patterns are lower case and match lower-cased sentences (ParsedArticle.lowered).
# -- Before a mention: searched in its head, the (at most four) words before it joined by
# single spaces, with one after the last. Most run only where the last word ends in one of
# a few words (the "endings" beside them).
_SUBJECT_PREPOSITIONS = (
    r"in|from|across|to|into|inside|throughout|within|over|on|at|near|outside|"
    r"of|for|between|leave|leaving|visit|visiting|flee|fleeing|à|au|en|dans|vers|sur|"
    # The target of a strike is where it happens ("Israel air strike hits Syria").
    r"hit|hits|strikes|struck|shells|shelled|bombs|bombed|raids|raided|targets|targeted|"
    r"invades|invaded|enters|entered|attacks|attacked|pounds|pounded|rocks|rocked"
)
BEFORE_SUBJECT = re.compile(
    r"\b" + either(_SUBJECT_PREPOSITIONS) + r"\s+(?:the\s+)?(?:\w+ern\s+)?$"
)
SUBJECT_WORDS = frozenset(_SUBJECT_PREPOSITIONS.split("|"))
if not all(word.isalpha() for word in SUBJECT_WORDS):
    raise ValueError("_SUBJECT_PREPOSITIONS must stay plain words: its heads are read off it")
# A head matching BEFORE_SUBJECT has a last word ending in one of these; a last word that
# is a preposition matches without running the pattern ("fled to Chad").
SUBJECT_ENDINGS = (*_SUBJECT_PREPOSITIONS.split("|"), "the", "ern")
DIPLOMATIC_IN, _DIPLOMATIC_CUE = cued(
    r"\b",
    r"embassy|embassies|consulate|mission|ambassador|envoy|diplomats?|nationals|"
    r"citizens|staff|personnel|troops|forces|travellers|travelers|trips|travel",
    r"\s+(?:in|to|from)\s+(?:the\s+)?$",
)
DIPLOMATIC_ENDINGS = ("in", "to", "from", "the")
# "the Embassy of Canada (to Vietnam)": the country owns the mission, it acts from abroad.
MISSION_OF, _MISSION_CUE = cued(
    r"\b",
    r"embassy|embassies|consulate|high commission|mission|ambassador|representative|"
    r"ambassade|consulat",
    r"(?:\s+general)?\s+(?:of|de|du)\s+(?:the\s+|la\s+)?$",
)
MISSION_ENDINGS = ("of", "de", "du", "the", "la")
NEIGHBOUR_BEFORE, _NEIGHBOUR_CUE = cued(
    r"\b",
    r"neighbou?ring|like|unlike|as in|similar to|compared (?:to|with)|than|"
    r"following|after|before|such as|including|echoes|recalls",
    r"\s+(?:the\s+)?(?:\w+\s+)?$",
)

# -- After a mention: matched at its end, over at most TAIL_CHARS characters.
TAIL_CHARS = 64
# What may stand between a country and its verb ("'s government has now ...").
_AUXILIARIES = ("has", "have", "is", "are", "will", "to", "had")
_ADVERBS = ("also", "now", "again", "formally", "partially", "temporarily")
_SPACE = r"\s+"
_ACTOR_LEAD = (
    r"\W{0,3}(?:'s\s+|’s\s+)?"
    f"(?:{'|'.join(word + _SPACE for word in _AUXILIARIES)})?"
    f"(?:(?:{'|'.join(_ADVERBS)}){_SPACE})?"
)
# The first word after a mention, where a verb after _ACTOR_LEAD or a word of the lead
# itself (the "s" of "'s" included) begins: past at most three non-word characters and
# the apostrophe. The verb patterns run only where it is one of theirs or of the lead.
FIRST_WORD_AFTER = re.compile(r"\W{0,4}(\w+)")
_LEAD_WORDS = frozenset(("s", *_AUXILIARIES, *_ADVERBS))
# Verbs by which a government acts on another country (the subject is elsewhere).
ACTOR_AFTER, _ACTOR_CUE = cued(
    _ACTOR_LEAD,
    (
        r"withdr[ae]w\w*|pull\w*|urg\w*|evacuat\w*|tell\w*|told|warn\w*|advis\w*|calls? for|"
        r"recall\w*|sends?|sent|deploy\w*|impos\w*|sanction\w*|condemn\w*|"
        r"clos\w* its|suspend\w* its|reopen\w* its|says?|said|calls? on|brokers?|"
        r"offers?|pledg\w*|donat\w*|airlift\w*|repatriat\w*|announc\w*|order\w*|"
        r"raises? its|lowers? its|updat\w* its|issu\w*|accus\w*|mediat\w*|bans?\b|"
        r"relocat\w*|moves? its|reduc\w* its|"
        r"raises? (?:\w+ ){1,3}?(?:travel )?(?:warning|advisory)|"
        r"lowers? (?:\w+ ){1,3}?(?:travel )?(?:warning|advisory)|"
        r"downgrad\w*|lifts? (?:its )?\w+ "
        r"(?:departure|warning|advisory)|gives?|contribut\w*|provid\w*|allocat\w*|funds?|"
        r"boosts?|increases? its|will help|helps?|approves? \w+ (?:aid|assistance)|"
        # Present tense only: "granted", "backed by" are passive ("Ukraine granted status").
        r"grants?|assists?|backs?|hands? over|"
        r"to (?:help|send|double|give|provide)|spen[dt]s?|"
        # Pressure from abroad: "..., Russia blames rebels", "U.S. slaps sanctions".
        r"press(?:es|ed|ing)|pressures?|pressured|push(?:es|ed|ing)?|lobb\w*|blam\w*|"
        r"reject\w*|slams?|slammed|slaps?|slapped|tighten\w*|piles? on|steps? up|doubts?|"
        r"mulls?|threaten\w*|vetoe?\w*"
    ),
    r"\b",
)
# A government acting on its own missions, its diplomats or its advice abroad ("Japan
# closes embassy in Tripoli", "UK updates travel advice for Nigeria").
_MISSION_OBJECTS = (
    r"embass\w*|consul\w*|high commission|missions?|visa|ambassadors?|envoys?|diplomat\w*|"
    r"staff\w*|liaison|nunciature|chargé|travel (?:advice|warnings?|advisor(?:y|ies))|"
    r"nationals|citizens|families"
)
MISSION_ACTION, _MISSION_ACTION_CUE = cued(
    _ACTOR_LEAD,
    r"opens?|opened|reopen\w*|clos\w*|shut\w*|suspend\w*|resum\w*|restor\w*|reduc\w*|"
    r"cuts?|pares?|scal\w*|upgrad\w*|inaugurat\w*|establish\w*|sets?|names?|named|"
    r"appoint\w*|moves?|returns?|flies|flew|authori[sz]\w*|relax\w*|updat\w*|raises?|"
    r"lowers?",
    rf"(?:\s+(?:back|down|up|off|out))?\s+(?:[\w\-]+\s+){{0,3}}?(?:{_MISSION_OBJECTS})\b",
)
# The pattern needs one of its objects too: run it only where a sentence has both cues.
_MISSION_OBJECT_CUE = re.compile(f"(?:{first_words(_MISSION_OBJECTS)})")
# The giving verbs among them: a country that gives acts on others, and one named alone
# in a title that gives is a donor, not a place ("Italy contributes USD 650,000 to the UN").
GIVING_AFTER, _GIVING_CUE = cued(
    _ACTOR_LEAD,
    r"contribut\w*|donat\w*|pledg\w*|gives?|provid\w*|allocat\w*|grants?|assists?|helps?|"
    # "to double", "will help": _ACTOR_LEAD takes the "to" or "will".
    r"doubl\w*|boosts?|funds?|spen[dt]s?|approves? \w+ (?:aid|assistance)",
    r"\b",
)
# "Germany increases humanitarian assistance for ...": a giver without a giving verb.
GIVER_AFTER = re.compile(
    _ACTOR_LEAD
    + r"(?<=\w\s)(?:[a-z]+\s+){1,3}?(?:aid|assistance|support|funding|relief)\s+(?:to|for)\b"
)
_AID_CUE = re.compile(r"aid|assistance|support|funding|relief")
# Verbs by which a government acts at home on foreigners (it stays the subject).
HOST_AFTER, _HOST_CUE = cued(
    r"\W{0,3}(?:'s\s+)?(?:has\s+|will\s+|to\s+)?",
    r"expel\w*|summon\w*|orders? \w+ (?:ambassador|envoy|diplomats?) out|"
    r"declares? \w+ (?:ambassador|envoy|diplomats?)",
    r"\b",
)
_NOUN_ADJECTIVES = ("foreign", "defence", "defense", "state", "home")
ACTOR_NOUN_AFTER, _ACTOR_NOUN_CUE = cued(
    rf"(?:'s|’s)?\s*(?:{'|'.join(_NOUN_ADJECTIVES)})?\s*",
    r"ministry|office|department|"
    r"government|embassy|embassies|ambassador|envoy|diplomats?|nationals|citizens|troops|"
    r"forces|officials|military|navy|president|prime minister|state department|"
    r"high commission|consulate|aid|army|jets|drones|missiles|airstrikes?|air force|"
    r"air (?:strikes?|raids?)|warplanes|mortars?|rockets?|shells",
    r"\b",
)
DIASPORA_AFTER, _DIASPORA_CUE = cued(
    r"(?:-born|\s+",
    r"community|communities|diaspora|expatriates|expats|migrants|"
    r"refugees|restaurant|food|cuisine|music|musicians|film|artist|designer|players?|"
    r"team|coach|fans|squad|striker|national team|wine|exports?",
    r")\b",
    also="born",
)
# A city named as the venue of talks or a conference is not where the story happens.
VENUE = re.compile(
    r"\W{0,2}"
    + either(
        r"ii\b|peace|talks|conference|summit|meeting|process|donor|hosts?|"
        r"accord|agreement|convention"
    )
)
# What the first word after a city VENUE matches at starts with (see FIRST_WORD_AFTER).
_VENUE_STARTS = (
    *("ii", "peace", "talks", "conference", "summit", "meeting", "process", "donor", "host"),
    *("accord", "agreement", "convention"),
)
# A city followed by a date in a title is where a statement was given or a press
# conference held ("remarks to the press, New York, 2 October"), not where the story is.
_MONTH = (
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec|janv|févr|avr|mai|juin|juil|août|déc)"
    r"\w*\.?"
)
DATELINE = re.compile(
    r"\s*,?\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th|er)?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}\b)"
)
# A country named for its border is beside the event, not its place ("Benin border
# stays shut", "Turkish-Syrian border", "its border with Lebanon").
BORDER_AFTER = re.compile(r"(?:'s|’s|n)?\s*(?:-\s*\w+\s+)?(?:border|frontier)\b")
_BORDER_CUE = re.compile(r"border|frontier")
BORDER_BEFORE = re.compile(r"\b(?:border|frontier)(?:\s+\w+)?\s+with\s+(?:the\s+)?$")
BORDER_ENDINGS = ("with", "the")
# "Town near Turkey": a country (not a city) that is only near the event is beside it.
NEAR_BEFORE = re.compile(r"\b(?:near|close to|towards?|along)\s+(?:the\s+)?$")
NEAR_ENDINGS = ("near", "to", "toward", "towards", "along", "the")
# A demonym after a word of giving names the people helped, not the giver ("aid to
# hungry Syrian families", "Denmark helps Somali refugees").
BENEFICIARY_BEFORE = re.compile(
    r"\b" + either(r"for|to|helps?|aid|assist\w*|support\w*|feed|reaches") + r"\s+(?:\w+\s+){0,2}$"
)
# A place where people meet about a story is its venue ("donors meet in Kuwait").
VENUE_BEFORE = re.compile(
    r"\b"
    + either(
        r"meet\w*|met|gather\w*|talks|conference|summit|pledg\w*|held|hosted|convene\w*|"
        r"negotiations"
    )
    + r"\s+(?:in|at)\s+$"
)
VENUE_ENDINGS = ("in", "at")
# Countries named one after the other share a verb or a heading ("Belgium and France close
# consulates", "Iraq/Jordan: ..."): what stands between them.
COORDINATION = re.compile(r"\s*(?:,|/|&|\band\b|\bet\b)\s*(?:the\s+)?|\s*,\s*and\s+(?:the\s+)?")
# A title that ends by naming its source ("...: Amman", "..., says Ban", "selon Washington"):
# the country speaks, it is not where the story is.
SOURCE_BEFORE = re.compile(r"(?::|\bselon|\bsays|\bsaid|\baccording to)\s+(?:the\s+)?$")
# A colon, or a dash with space around it ("Syria - flash update"): "Saudi-led" and
# "Benin–Niger corridor" are compounds, not headings.
HEAD_COLON = re.compile(r"\s*:|\s+[\-–—]+\s")
# What may stand between the start of a title and a country heading it, or between the
# countries of a heading list ("Iraq/Jordan/Turkey: ...", "Mali and Niger - ...").
HEAD_GAP = re.compile(r"(?:the\s+|[\s,/&]+|and\s+|et\s+)*")

# -- Words of a sentence (its lower-cased tokens, see ParsedArticle.tokens).
_RISK_WORD = re.compile(
    either(
        r"attack\w*|kill\w*|bomb\w*|terror\w*|jihad\w*|militan\w*|insurg\w*|gunmen|"
        r"clash\w*|fight\w*|coup|curfew|unrest|violen\w*|kidnap\w*|shell\w*|strikes?|"
        r"fuel|petrol|diesel|shortage\w*|blockade\w*|rationing|queues?|embass\w*|"
        r"consul\w*|diplomat\w*|evacuat\w*|ceasefire|truce|reopen\w*|restor\w*|"
        r"emergency|protest\w*|riot\w*|martial|siege|displac\w*|armed|attaque\w*|"
        # "couvre" stands for couvre-feu: the tokeniser splits words at hyphens.
        r"carburant|blocus|pénurie|combats?|violences|couvre|ambassade"
    )
)
_SPORT_WORD = re.compile(
    either(
        # "final" also catches "semi-final" (the tokeniser splits at the hyphen).
        r"beat|beats|friendly|match|cup|league|goal\w*|score[ds]?|win|won|draw|"
        r"tournament|qualifier|olympic\w*|championship|final|coach|squad|stun|thrash\w*"
    )
)


# Kinds of cue words in a sentence, as bits of one mask.
(
    RISK,
    SPORT,
    BORDER,
    AID,
    HOST,
    NOUN,
    DIASPORA,
    DIPLOMATIC,
    NEIGHBOUR,
    ACTOR,
    MISSION,
    GIVING,
    MISSION_ACT,
    MISSION_OBJECT,
) = (1 << k for k in range(14))
# The kind of cue word each pattern reads a token as (matched on the whole token).
_TOKEN_KINDS = (
    (RISK, _RISK_WORD),
    (SPORT, _SPORT_WORD),
    (BORDER, _BORDER_CUE),
    (AID, _AID_CUE),
    (HOST, _HOST_CUE),
    (NOUN, _ACTOR_NOUN_CUE),
    (DIASPORA, _DIASPORA_CUE),
    (DIPLOMATIC, _DIPLOMATIC_CUE),
    (NEIGHBOUR, _NEIGHBOUR_CUE),
    (ACTOR, _ACTOR_CUE),
    (MISSION, _MISSION_CUE),
    (GIVING, _GIVING_CUE),
    (MISSION_ACT, _MISSION_ACTION_CUE),
    (MISSION_OBJECT, _MISSION_OBJECT_CUE),
)


# The bits a cue-kind mask uses.
CUE_BITS = len(_TOKEN_KINDS)


def cue_kinds(word: str) -> int:
    """The kinds of cue word a token is (a mask of RISK, SPORT, ...; 0 for none)."""
    kind = 0
    for bit, pattern in _TOKEN_KINDS:
        if pattern.fullmatch(word):
            kind |= bit
    return kind


def sentence_kinds(token_kinds: NDArray[np.int64], lengths: NDArray[np.intp]) -> NDArray[np.int64]:
    """The kinds of cue word in each sentence, from those of its tokens.

    Parameters
    ----------
    token_kinds : ndarray of int
        :func:`cue_kinds` of every token of the sentences, one sentence after another.
    lengths : ndarray of int
        The number of tokens of each sentence.

    Returns
    -------
    ndarray of int
        One mask per sentence (0 for a sentence without tokens).
    """
    starts = np.cumsum(lengths) - lengths
    # The appended 0 keeps every start a valid index (an empty last sentence included).
    masks: NDArray[np.int64] = np.bitwise_or.reduceat(np.append(token_kinds, 0), starts)
    masks[lengths == 0] = 0
    return masks


# Which tokens are cue words, classified once per token.
WORD_KINDS = TokenCodes(cue_kinds)
_VERB_KINDS = ACTOR | MISSION_ACT | GIVING
# Beside the cue kinds, a first word VENUE may match at, and one ACTOR_NOUN_AFTER may.
VENUE_WORD, NOUN_WORD = 1 << CUE_BITS, 1 << (CUE_BITS + 1)


def first_word_kinds(word: str) -> int:
    """The cue kinds of the first word after a mention (see FIRST_WORD_AFTER), every
    verb kind for a word of the lead (which a verb of any kind may follow), VENUE_WORD
    and NOUN_WORD."""
    kind = _VERB_KINDS if word in _LEAD_WORDS else cue_kinds(word)
    if word.startswith(_VENUE_STARTS):
        kind |= VENUE_WORD
    # The noun may follow "'s" or an adjective, with or without a space, or more spaces
    # than the first word is looked for past ("").
    if not word or word.startswith(("s", *_NOUN_ADJECTIVES)) or kind & NOUN:
        kind |= NOUN_WORD
    return kind


FIRST_WORD_KINDS = TokenCodes(first_word_kinds)

# The "before" patterns gated by the last word of a head, with the endings it needs and
# a bit of its own; PREPOSITION marks a last word that matches BEFORE_SUBJECT for sure.
_ENDINGS = {
    BEFORE_SUBJECT: SUBJECT_ENDINGS,
    DIPLOMATIC_IN: DIPLOMATIC_ENDINGS,
    MISSION_OF: MISSION_ENDINGS,
    VENUE_BEFORE: VENUE_ENDINGS,
    BORDER_BEFORE: BORDER_ENDINGS,
    NEAR_BEFORE: NEAR_ENDINGS,
}
ENDING_BITS = {pattern: 1 << k for k, pattern in enumerate(_ENDINGS)}
PREPOSITION = 1 << len(_ENDINGS)


def _last_word_kinds(word: str) -> int:
    """The ENDING_BITS of the patterns a head ending in ``word`` may match, and
    PREPOSITION if it is one."""
    kind = PREPOSITION if word in SUBJECT_WORDS else 0
    for pattern, endings in _ENDINGS.items():
        if word.endswith(endings):
            kind |= ENDING_BITS[pattern]
    return kind


LAST_WORD_KINDS = TokenCodes(_last_word_kinds)
