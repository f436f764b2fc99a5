"""Hand-made features of each country in a parsed article, for the role classifier.

Each mention is read once (the words just before and after it, its kind, its sentence)
and the readings are summed per country, so the cost grows with the number of mentions,
not with mentions times countries. A few features relate a country to the others in the
headline ("Japan raises its warning for Burkina Faso": Burkina Faso follows an actor).

:func:`article_features` works on a whole batch of articles at once, column by column:
each pattern runs once per mention (and only in sentences holding one of its cue words,
see :func:`_cued`), and numpy sums the readings per country. Training and the service
share it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from itertools import chain, count, pairwise, repeat
from operator import attrgetter, itemgetter
from typing import Any

import numpy as np
from numpy.typing import NDArray

from models.articles import ParsedArticle, TokenCodes
from models.gazetteer import Mention

__all__ = [
    "CUE_BITS",
    "FEATURE_NAMES",
    "article_features",
    "country_features",
    "cue_kinds",
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


def _either(alternation: str) -> str:
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


def _first_words(alternation: str) -> str:
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


def _cued(
    before: str, alternation: str, after: str, *, also: str = ""
) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The pattern ``before + (alternation) + after``, and its cue: a token that is the
    first word of an alternative (or one of ``also``). In a sentence without a cue token
    the pattern cannot match, so it is not run there."""
    cue = _first_words(alternation) + (f"|{also}" if also else "")
    if any(len(word.rstrip("?")) < 2 for word in cue.split("|")):
        raise ValueError(f"cue {cue!r}: tokens have two letters or more, so would never match")
    return re.compile(before + _either(alternation) + after), re.compile(f"(?:{cue})")


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
_BEFORE_SUBJECT = re.compile(
    r"\b" + _either(_SUBJECT_PREPOSITIONS) + r"\s+(?:the\s+)?(?:\w+ern\s+)?$"
)
_SUBJECT_WORDS = frozenset(_SUBJECT_PREPOSITIONS.split("|"))
if not all(word.isalpha() for word in _SUBJECT_WORDS):
    raise ValueError("_SUBJECT_PREPOSITIONS must stay plain words: its heads are read off it")
# A head matching _BEFORE_SUBJECT has a last word ending in one of these; a last word that
# is a preposition matches without running the pattern ("fled to Chad").
_SUBJECT_ENDINGS = (*_SUBJECT_PREPOSITIONS.split("|"), "the", "ern")
_DIPLOMATIC_IN, _DIPLOMATIC_CUE = _cued(
    r"\b",
    r"embassy|embassies|consulate|mission|ambassador|envoy|diplomats?|nationals|"
    r"citizens|staff|personnel|troops|forces|travellers|travelers|trips|travel",
    r"\s+(?:in|to|from)\s+(?:the\s+)?$",
)
_DIPLOMATIC_ENDINGS = ("in", "to", "from", "the")
# "the Embassy of Canada (to Vietnam)": the country owns the mission, it acts from abroad.
_MISSION_OF, _MISSION_CUE = _cued(
    r"\b",
    r"embassy|embassies|consulate|high commission|mission|ambassador|representative|"
    r"ambassade|consulat",
    r"(?:\s+general)?\s+(?:of|de|du)\s+(?:the\s+|la\s+)?$",
)
_MISSION_ENDINGS = ("of", "de", "du", "the", "la")
_NEIGHBOUR_BEFORE, _NEIGHBOUR_CUE = _cued(
    r"\b",
    r"neighbou?ring|like|unlike|as in|similar to|compared (?:to|with)|than|"
    r"following|after|before|such as|including|echoes|recalls",
    r"\s+(?:the\s+)?(?:\w+\s+)?$",
)

# -- After a mention: matched at its end, over at most 64 characters.
# Verbs by which a government acts on another country (the subject is elsewhere).
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
_FIRST_WORD_AFTER = re.compile(r"\W{0,4}(\w+)")
_LEAD_WORDS = frozenset(("s", *_AUXILIARIES, *_ADVERBS))
_ACTOR_AFTER, _ACTOR_CUE = _cued(
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
_MISSION_ACTION, _MISSION_ACTION_CUE = _cued(
    _ACTOR_LEAD,
    r"opens?|opened|reopen\w*|clos\w*|shut\w*|suspend\w*|resum\w*|restor\w*|reduc\w*|"
    r"cuts?|pares?|scal\w*|upgrad\w*|inaugurat\w*|establish\w*|sets?|names?|named|"
    r"appoint\w*|moves?|returns?|flies|flew|authori[sz]\w*|relax\w*|updat\w*|raises?|"
    r"lowers?",
    rf"(?:\s+(?:back|down|up|off|out))?\s+(?:[\w\-]+\s+){{0,3}}?(?:{_MISSION_OBJECTS})\b",
)
# The pattern needs one of its objects too: run it only where a sentence has both cues.
_MISSION_OBJECT_CUE = re.compile(f"(?:{_first_words(_MISSION_OBJECTS)})")
# The giving verbs among them: a country that gives acts on others, and one named alone
# in a title that gives is a donor, not a place ("Italy contributes USD 650,000 to the UN").
_GIVING_AFTER, _GIVING_CUE = _cued(
    _ACTOR_LEAD,
    r"contribut\w*|donat\w*|pledg\w*|gives?|provid\w*|allocat\w*|grants?|assists?|helps?|"
    # "to double", "will help": _ACTOR_LEAD takes the "to" or "will".
    r"doubl\w*|boosts?|funds?|spen[dt]s?|approves? \w+ (?:aid|assistance)",
    r"\b",
)
# "Germany increases humanitarian assistance for ...": a giver without a giving verb.
_GIVER_AFTER = re.compile(
    _ACTOR_LEAD
    + r"(?<=\w\s)(?:[a-z]+\s+){1,3}?(?:aid|assistance|support|funding|relief)\s+(?:to|for)\b"
)
_AID_CUE = re.compile(r"aid|assistance|support|funding|relief")
# Verbs by which a government acts at home on foreigners (it stays the subject).
_HOST_AFTER, _HOST_CUE = _cued(
    r"\W{0,3}(?:'s\s+)?(?:has\s+|will\s+|to\s+)?",
    r"expel\w*|summon\w*|orders? \w+ (?:ambassador|envoy|diplomats?) out|"
    r"declares? \w+ (?:ambassador|envoy|diplomats?)",
    r"\b",
)
_NOUN_ADJECTIVES = ("foreign", "defence", "defense", "state", "home")
_ACTOR_NOUN_AFTER, _ACTOR_NOUN_CUE = _cued(
    rf"(?:'s|’s)?\s*(?:{'|'.join(_NOUN_ADJECTIVES)})?\s*",
    r"ministry|office|department|"
    r"government|embassy|embassies|ambassador|envoy|diplomats?|nationals|citizens|troops|"
    r"forces|officials|military|navy|president|prime minister|state department|"
    r"high commission|consulate|aid|army|jets|drones|missiles|airstrikes?|air force|"
    r"air (?:strikes?|raids?)|warplanes|mortars?|rockets?|shells",
    r"\b",
)
_DIASPORA_AFTER, _DIASPORA_CUE = _cued(
    r"(?:-born|\s+",
    r"community|communities|diaspora|expatriates|expats|migrants|"
    r"refugees|restaurant|food|cuisine|music|musicians|film|artist|designer|players?|"
    r"team|coach|fans|squad|striker|national team|wine|exports?",
    r")\b",
    also="born",
)
# A city named as the venue of talks or a conference is not where the story happens.
_VENUE = re.compile(
    r"\W{0,2}"
    + _either(
        r"ii\b|peace|talks|conference|summit|meeting|process|donor|hosts?|"
        r"accord|agreement|convention"
    )
)
# What the first word after a city _VENUE matches at starts with (see _FIRST_WORD_AFTER).
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
_DATELINE = re.compile(
    r"\s*,?\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s*)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th|er)?\s+{_MONTH}|{_MONTH}\s+\d{{1,2}}\b)"
)
# A country named for its border is beside the event, not its place ("Benin border
# stays shut", "Turkish-Syrian border", "its border with Lebanon").
_BORDER_AFTER = re.compile(r"(?:'s|’s|n)?\s*(?:-\s*\w+\s+)?(?:border|frontier)\b")
_BORDER_CUE = re.compile(r"border|frontier")
_BORDER_BEFORE = re.compile(r"\b(?:border|frontier)(?:\s+\w+)?\s+with\s+(?:the\s+)?$")
_BORDER_ENDINGS = ("with", "the")
# "Town near Turkey": a country (not a city) that is only near the event is beside it.
_NEAR_BEFORE = re.compile(r"\b(?:near|close to|towards?|along)\s+(?:the\s+)?$")
_NEAR_ENDINGS = ("near", "to", "toward", "towards", "along", "the")
# A demonym after a word of giving names the people helped, not the giver ("aid to
# hungry Syrian families", "Denmark helps Somali refugees").
_BENEFICIARY_BEFORE = re.compile(
    r"\b" + _either(r"for|to|helps?|aid|assist\w*|support\w*|feed|reaches") + r"\s+(?:\w+\s+){0,2}$"
)
# A place where people meet about a story is its venue ("donors meet in Kuwait").
_VENUE_BEFORE = re.compile(
    r"\b"
    + _either(
        r"meet\w*|met|gather\w*|talks|conference|summit|pledg\w*|held|hosted|convene\w*|"
        r"negotiations"
    )
    + r"\s+(?:in|at)\s+$"
)
_VENUE_ENDINGS = ("in", "at")
# A colon, or a dash with space around it ("Syria - flash update"): "Saudi-led" and
# "Benin–Niger corridor" are compounds, not headings.
# Countries named one after the other share a verb or a heading ("Belgium and France close
# consulates", "Iraq/Jordan: ..."): what stands between them.
_COORDINATION = re.compile(r"\s*(?:,|/|&|\band\b|\bet\b)\s*(?:the\s+)?|\s*,\s*and\s+(?:the\s+)?")
# A title that ends by naming its source ("...: Amman", "..., says Ban", "selon Washington"):
# the country speaks, it is not where the story is.
_SOURCE_BEFORE = re.compile(r"(?::|\bselon|\bsays|\bsaid|\baccording to)\s+(?:the\s+)?$")
_HEAD_COLON = re.compile(r"\s*:|\s+[\-–—]+\s")
# What may stand between the start of a title and a country heading it, or between the
# countries of a heading list ("Iraq/Jordan/Turkey: ...", "Mali and Niger - ...").
_HEAD_GAP = re.compile(r"(?:the\s+|[\s,/&]+|and\s+|et\s+)*")
_TAIL_CHARS = 64
# Mention kinds as the features group them: a country's name, a city of it, its people.
_NAME, _CITY, _DEMONYM = 1, 2, 3
_KIND_GROUP = {"name": _NAME, "alias": _NAME, "capital": _CITY, "city": _CITY, "demonym": _DEMONYM}

# -- Words of a sentence (its lower-cased tokens, see ParsedArticle.tokens).
_RISK_WORD = re.compile(
    _either(
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
    _either(
        # "final" also catches "semi-final" (the tokeniser splits at the hyphen).
        r"beat|beats|friendly|match|cup|league|goal\w*|score[ds]?|win|won|draw|"
        r"tournament|qualifier|olympic\w*|championship|final|coach|squad|stun|thrash\w*"
    )
)

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
    "other_country_acts",
    "actor_cue",
    "first_in_title_actor_cue",
    "border_after",
    "demonym_beneficiary",
    "giving_after",
    "lone_giver",
    "lone_venue",
    "title_before_beneficiary",
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
        "border_after",
        "demonym_beneficiary",
        "giving_after",
    )
]


# Kinds of cue words in a sentence, as bits of one mask.
(
    _RISK,
    _SPORT,
    _BORDER,
    _AID,
    _HOST,
    _NOUN,
    _DIASPORA,
    _DIPLOMATIC,
    _NEIGHBOUR,
    _ACTOR,
    _MISSION,
    _GIVING,
    _MISSION_ACT,
    _MISSION_OBJECT,
) = (1 << k for k in range(14))
# The kind of cue word each pattern reads a token as (matched on the whole token).
_TOKEN_KINDS = (
    (_RISK, _RISK_WORD),
    (_SPORT, _SPORT_WORD),
    (_BORDER, _BORDER_CUE),
    (_AID, _AID_CUE),
    (_HOST, _HOST_CUE),
    (_NOUN, _ACTOR_NOUN_CUE),
    (_DIASPORA, _DIASPORA_CUE),
    (_DIPLOMATIC, _DIPLOMATIC_CUE),
    (_NEIGHBOUR, _NEIGHBOUR_CUE),
    (_ACTOR, _ACTOR_CUE),
    (_MISSION, _MISSION_CUE),
    (_GIVING, _GIVING_CUE),
    (_MISSION_ACT, _MISSION_ACTION_CUE),
    (_MISSION_OBJECT, _MISSION_OBJECT_CUE),
)


# The bits a cue-kind mask uses.
CUE_BITS = len(_TOKEN_KINDS)


def cue_kinds(word: str) -> int:
    """The kinds of cue word a token is (a mask of _RISK, _SPORT, ...; 0 for none)."""
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
_WORD_KINDS = TokenCodes(cue_kinds)
_VERB_KINDS = _ACTOR | _MISSION_ACT | _GIVING
# Beside the cue kinds, a first word _VENUE may match at, and one _ACTOR_NOUN_AFTER may.
_VENUE_WORD, _NOUN_WORD = 1 << CUE_BITS, 1 << (CUE_BITS + 1)


def _first_word_kinds(word: str) -> int:
    """The cue kinds of the first word after a mention (see _FIRST_WORD_AFTER), every
    verb kind for a word of the lead (which a verb of any kind may follow), _VENUE_WORD
    and _NOUN_WORD."""
    kind = _VERB_KINDS if word in _LEAD_WORDS else cue_kinds(word)
    if word.startswith(_VENUE_STARTS):
        kind |= _VENUE_WORD
    # The noun may follow "'s" or an adjective, with or without a space, or more spaces
    # than the first word is looked for past ("").
    if not word or word.startswith(("s", *_NOUN_ADJECTIVES)) or kind & _NOUN:
        kind |= _NOUN_WORD
    return kind


_FIRST_WORD_KINDS = TokenCodes(_first_word_kinds)

# The "before" patterns gated by the last word of a head, with the endings it needs and
# a bit of its own; _PREPOSITION marks a last word that matches _BEFORE_SUBJECT for sure.
_ENDINGS = {
    _BEFORE_SUBJECT: _SUBJECT_ENDINGS,
    _DIPLOMATIC_IN: _DIPLOMATIC_ENDINGS,
    _MISSION_OF: _MISSION_ENDINGS,
    _VENUE_BEFORE: _VENUE_ENDINGS,
    _BORDER_BEFORE: _BORDER_ENDINGS,
    _NEAR_BEFORE: _NEAR_ENDINGS,
}
_ENDING_BITS = {pattern: 1 << k for k, pattern in enumerate(_ENDINGS)}
_PREPOSITION = 1 << len(_ENDINGS)


def _last_word_kinds(word: str) -> int:
    """The _ENDING_BITS of the patterns a head ending in ``word`` may match, and
    _PREPOSITION if it is one."""
    kind = _PREPOSITION if word in _SUBJECT_WORDS else 0
    for pattern, endings in _ENDINGS.items():
        if word.endswith(endings):
            kind |= _ENDING_BITS[pattern]
    return kind


_LAST_WORD_KINDS = TokenCodes(_last_word_kinds)


def article_features(
    articles: Sequence[ParsedArticle], kinds: NDArray[np.int64] | None = None
) -> tuple[list[tuple[str, ...]], NDArray[np.float64]]:
    """Countries of each article in order of appearance, and their feature rows stacked.

    Parameters
    ----------
    articles : sequence of ParsedArticle
        Parsed articles.
    kinds : ndarray of int, optional
        The :func:`sentence_kinds` of every sentence of ``articles``, one article after
        another, for a caller that has its tokens' kinds already; found here if omitted.

    Returns
    -------
    countries : list of tuple of str
        ISO alpha-2 codes of each article, in order of first appearance.
    features : ndarray of shape (total countries, len(FEATURE_NAMES))
        One row per country, articles one after the other in ``countries`` order.
    """
    if kinds is None:
        sentences = [tokens for article in articles for tokens in article.tokens]
        lengths = np.fromiter(map(len, sentences), dtype=np.intp, count=len(sentences))
        kinds = sentence_kinds(_WORD_KINDS.of(sentences, int(lengths.sum())), lengths)
    read = _Readings(articles)
    return read.countries, read.features(kinds)


class _Readings:
    """The mentions of a batch of articles, flattened, and the features summed from them.

    Rows are countries (an article's rows are consecutive, in order of first appearance);
    readings per mention and per (sentence, country) pair are kept column-wise so that
    each pattern runs in one comprehension and numpy does the summing. Which row each
    mention counts for is worked out by numpy for the whole batch too.
    """

    def __init__(self, articles: Sequence[ParsedArticle]) -> None:
        by_sentence = list(chain.from_iterable(article.mentions for article in articles))
        mentions: list[Mention] = list(chain.from_iterable(by_sentence))
        n_mentions = len(mentions)
        # Per article: its number of sentences, and its title's index in the batch.
        self.n_sentences = np.fromiter(
            map(len, map(attrgetter("mentions"), articles)), dtype=np.intp, count=len(articles)
        )
        self.titles = self.n_sentences.cumsum() - self.n_sentences
        # Per sentence of the batch, then per sentence naming a country.
        counts = np.fromiter(map(len, by_sentence), dtype=np.intp, count=len(by_sentence))
        article_of = np.arange(len(articles)).repeat(self.n_sentences)
        self.named = counts.nonzero()[0]
        self.per_named = counts[self.named]
        self.index_named = self.named - self.titles[article_of[self.named]]  # in the article
        # Per mention: its lower-cased sentence, its article, its place in it.
        in_batch = np.arange(len(by_sentence)).repeat(counts)
        lowered = list(chain.from_iterable(article.lowered for article in articles))
        self.sentences = list(map(lowered.__getitem__, in_batch.tolist()))
        self.article = article_of[in_batch]
        self.in_title = in_batch == self.titles[self.article]
        self.starts: Sequence[int] = ()
        self.ends: Sequence[int] = ()
        self.kind_names: Sequence[str] = ()
        iso2s: Sequence[str] = ()
        if n_mentions:
            iso2s, self.starts, self.ends, _, self.kind_names = zip(*mentions, strict=True)
        # Rows: (article, country) pairs, numbered in order of first mention.
        numbers: defaultdict[str, int] = defaultdict(count().__next__)
        country = np.fromiter(map(numbers.__getitem__, iso2s), dtype=np.intp, count=n_mentions)
        _, firsts, group = np.unique(
            self.article * len(numbers) + country, return_index=True, return_inverse=True
        )
        by_first = np.argsort(firsts)
        row_of_group = np.empty_like(by_first)
        row_of_group[by_first] = np.arange(len(by_first))
        self.rows: NDArray[np.intp] = row_of_group[group]
        first_mentions = firsts[by_first]
        self.n_rows = len(first_mentions)
        self.first_sentence = (in_batch - self.titles[self.article])[first_mentions]
        self.sizes = np.bincount(self.article[first_mentions], minlength=len(articles))
        self.first_rows = self.sizes.cumsum() - self.sizes
        names = [iso2s[i] for i in first_mentions.tolist()]
        bounds = [*self.first_rows.tolist(), len(names)]
        self.countries = [tuple(names[lo:hi]) for lo, hi in pairwise(bounds)]
        # The mentions of each title.
        title_starts = (counts.cumsum() - counts)[self.titles]
        title_ends = title_starts + counts[self.titles]
        self.title_spans = list(zip(title_starts.tolist(), title_ends.tolist(), strict=True))
        self.first_title_row = np.full(len(articles), -1)
        titled = title_ends > title_starts
        self.first_title_row[titled] = self.rows[title_starts[titled]]

    def features(self, kinds: NDArray[np.int64]) -> NDArray[np.float64]:
        """The feature rows, given the cue kinds of every sentence of the batch."""
        n_rows = self.n_rows
        out = np.zeros((n_rows, len(FEATURE_NAMES)))
        if not n_rows:
            return out
        ix = _INDEX
        per_mention = self.per_named
        named_kinds = kinds[self.named]
        sentence_index = self.index_named
        mention_kinds = named_kinds.repeat(per_mention)
        in_title = self.in_title
        kind_group = np.fromiter(
            map(_KIND_GROUP.get, self.kind_names, repeat(0)),
            dtype=np.intp,
            count=len(self.kind_names),
        )
        city, named, demonym = kind_group == _CITY, kind_group == _NAME, kind_group == _DEMONYM
        (
            before,
            diplomatic_in,
            neighbour,
            beneficiary,
            actor,
            host,
            noun,
            diaspora,
            venue,
            colon,
            border,
            giving,
        ) = self._mention_readings(
            self.sentences,
            self.starts,
            self.ends,
            in_title,
            mention_kinds,
            city,
            demonym,
            named,
        )
        by_mention = {
            "prep_before": before,
            "diplomatic_in_before": diplomatic_in,
            "capital_city": city,
            "actor_after": actor,
            "host_after": host,
            "actor_noun_after": noun & ~demonym,
            "demonym_actor_noun": noun & demonym,
            "neighbour_before": neighbour,
            "diaspora_after": diaspora,
            "venue_after": venue,
            "border_after": border,
            "demonym_beneficiary": beneficiary,
            "giving_after": giving,
            "capital_actor": city & (actor | host),
            "title_prep_before": before & in_title,
            "title_actor_after": actor & in_title,
            "title_host_after": host & in_title,
            "title_city": city & in_title,
            "title_colon_after": colon,
        }
        summed = _per_row(
            self.rows,
            n_rows,
            [*by_mention.values(), in_title, in_title & ~demonym, demonym, np.ones_like(city)],
        )
        out[:, [ix[name] for name in by_mention]] = summed[:, : len(by_mention)]
        named_in_title = summed[:, -4] > 0
        named_in_title_by_name = summed[:, -3] > 0
        demonyms, counts = summed[:, -2], summed[:, -1]
        actor_counts = out[:, ix["actor_after"]].copy()  # before the log below
        title_actor = out[:, ix["title_actor_after"]]
        # Per (sentence, country named in it), sentence after sentence.
        named_of = np.arange(len(per_mention)).repeat(per_mention)
        # Sorted, then deduplicated: np.unique of plain integers hashes them, ten times
        # slower at this size.
        keys = np.sort(named_of * n_rows + self.rows)
        pairs = keys[np.concatenate(((True,), keys[1:] != keys[:-1]))]
        per_sentence = np.bincount(pairs // n_rows, minlength=len(per_mention))
        pair_kinds = named_kinds.repeat(per_sentence)
        risky = pair_kinds & _RISK > 0
        # A sentence naming one country that acts in it ("Tokyo told its nationals to leave
        # after attacks") reports risk elsewhere, not in that country.
        acting = np.add.reduceat(actor, per_mention.cumsum() - per_mention) > 0
        sole = ((per_sentence == 1) & ~acting).repeat(per_sentence)
        sporty = (pair_kinds & _SPORT > 0) & (sentence_index > 0).repeat(per_sentence)
        pair_sums = _per_row(
            pairs % n_rows, n_rows, [risky & sole, risky & ~sole, sporty, np.ones_like(sole)]
        )
        out[:, ix["sole_risk_sentences"]] = pair_sums[:, 0]
        out[:, ix["shared_risk_sentences"]] = pair_sums[:, 1]
        out[:, ix["sport_sentences"]] = pair_sums[:, 2]
        sentence_counts = pair_sums[:, 3]

        # Relations between the countries of one article.
        first_rows, sizes = self.first_rows, self.sizes
        article_of = np.arange(len(first_rows)).repeat(sizes)
        group_starts = first_rows[sizes > 0]

        def per_article(values: NDArray[Any], reduce: np.ufunc = np.add) -> NDArray[np.float64]:
            """``values`` reduced over each article's rows, repeated on every row."""
            reduced: NDArray[np.float64] = reduce.reduceat(values, group_starts)
            return reduced.repeat(sizes[sizes > 0])

        title_actors = title_actor > 0
        n_sentences = self.n_sentences[article_of].astype(np.float64)
        first_sentence = self.first_sentence.astype(np.float64)
        first_title = self.first_title_row[article_of]
        actor_cue = (
            out[:, ix["actor_after"]]
            + out[:, ix["actor_noun_after"]]
            + out[:, ix["demonym_actor_noun"]]
            > 0
        )
        is_first_in_title = np.arange(n_rows) == first_title
        out[:, ix["in_title"]] = named_in_title
        out[:, ix["first_in_title"]] = is_first_in_title
        out[:, ix["title_only_country"]] = named_in_title & (per_article(named_in_title) == 1)
        out[:, ix["title_demonym_only"]] = named_in_title & ~named_in_title_by_name
        lone = out[:, ix["title_only_country"]] > 0
        out[:, ix["lone_giver"]] = lone & (out[:, ix["giving_after"]] > 0)
        out[:, ix["lone_venue"]] = lone & (out[:, ix["venue_after"]] > 0)
        out[:, ix["title_other_actor"]] = per_article(title_actors) - title_actors > 0
        title_sport = kinds[self.titles] & _SPORT > 0
        out[:, ix["title_sport"]] = title_sport[article_of]
        out[:, ix["first_overall"]] = np.arange(n_rows) == first_rows[article_of]
        out[:, ix["first_position"]] = np.where(
            n_sentences > 1, 1.0 - first_sentence / np.maximum(n_sentences - 1, 1), 1.0
        )
        out[:, ix["log_count"]] = np.log1p(counts)
        out[:, ix["count_share"]] = counts / per_article(counts)
        out[:, ix["sentence_share"]] = sentence_counts / n_sentences
        # Beyond four countries (lists of a region's countries) more add nothing.
        out[:, ix["log_n_countries"]] = np.log(np.minimum(sizes.repeat(sizes), 4))
        out[:, ix["is_top_count"]] = counts == per_article(counts, np.maximum)
        out[:, ix["demonym_share"]] = demonyms / np.maximum(counts, 1)
        # Whether another country acts, not how often: one actor's second verb ("France urges
        # ...; Paris closes embassy") says nothing more about the others.
        out[:, ix["other_country_acts"]] = per_article(actor_counts) - actor_counts > 0
        # Acting needs a cue of its own: a verb, an official noun or a capital acting.
        out[:, ix["actor_cue"]] = actor_cue
        out[:, ix["first_in_title_actor_cue"]] = is_first_in_title & actor_cue
        self._title_after_actor(out[:, ix["title_after_actor"]], actor & in_title, title_actors)
        self._title_before_beneficiary(
            out[:, ix["title_before_beneficiary"]], beneficiary & in_title
        )
        out[:, _LOGGED] = np.log1p(out[:, _LOGGED])
        return out

    def _mention_readings(
        self,
        sentences: list[str],
        starts: Sequence[int],
        ends: Sequence[int],
        in_title: NDArray[np.bool_],
        kinds: NDArray[np.intp],
        city: NDArray[np.bool_],
        demonym: NDArray[np.bool_],
        named: NDArray[np.bool_],
    ) -> tuple[NDArray[np.bool_], ...]:
        """Per mention, whether each pattern matches before or after it.

        In order: preposition, diplomatic noun, neighbour word and word of giving
        (demonyms only) before; actor verb or owned mission ("the Embassy of Canada"),
        host verb, actor noun, diaspora word, venue word (cities only), colon (titles
        only) and border after or before. Tails are matched in place, at most 64
        characters from the mention. Arguments hold one entry per mention: its
        lower-cased sentence, its start and end there, whether it is in the title, the
        cue words of its sentence and its kind. A pattern runs only at the mentions that
        meet a cheap necessary condition of it (a cue word in the sentence, see _cued, or
        the last word before the mention or the first after it): most mentions meet few.
        """
        n = len(sentences)

        def where(mask: NDArray[np.bool_]) -> list[int]:
            at: list[int] = mask.nonzero()[0].tolist()
            return at

        def having(kind: int) -> list[int]:
            """Mentions in sentences with a cue of ``kind``."""
            return where(kinds & kind > 0)

        # The words of each head (the last four of the 48 characters before the mention:
        # rsplit leaves any earlier ones in its first item), and the last one; just ""
        # where no space precedes the mention, as every "before" pattern needs a word and
        # a space after it. Words repeat, so the gates of a last word are looked up.
        words_before = [
            (s[i - 48 if i > 48 else 0 : i].rsplit(None, 4) or [""])
            if i and s[i - 1].isspace()
            else [""]
            for s, i in zip(sentences, starts, strict=True)
        ]
        last_words = list(map(itemgetter(-1), words_before))
        last_kinds = _LAST_WORD_KINDS.of([last_words], n)

        def ending(pattern: re.Pattern[str], among: NDArray[np.bool_] | bool = True) -> list[int]:
            """The mentions (of ``among``) after whose last word ``pattern`` may match."""
            return where((last_kinds & _ENDING_BITS[pattern] > 0) & among)

        prepositions = last_kinds & _PREPOSITION > 0
        # The "before" patterns, each with the mentions it runs at.
        befores = {
            _BEFORE_SUBJECT: ending(_BEFORE_SUBJECT, ~prepositions),
            _DIPLOMATIC_IN: ending(_DIPLOMATIC_IN, kinds & _DIPLOMATIC > 0),
            _NEIGHBOUR_BEFORE: having(_NEIGHBOUR),
            _BENEFICIARY_BEFORE: where(demonym),
            _SOURCE_BEFORE: self._title_tails(sentences),
            _MISSION_OF: ending(_MISSION_OF, kinds & _MISSION > 0),
            _VENUE_BEFORE: ending(_VENUE_BEFORE),
            _BORDER_BEFORE: ending(_BORDER_BEFORE, kinds & _BORDER > 0),
            _NEAR_BEFORE: ending(_NEAR_BEFORE, named),
        }
        read = np.zeros(n, dtype=bool)
        for at in befores.values():
            read[at] = True
        heads = {i: " ".join(words_before[i][-4:]) + " " for i in where(read)}

        def before(pattern: re.Pattern[str]) -> NDArray[np.bool_]:
            found = np.zeros(n, dtype=bool)
            at = befores[pattern]
            if at:
                search = pattern.search
                found[at] = [search(heads[i]) is not None for i in at]
            return found

        def after(pattern: re.Pattern[str], at: list[int]) -> NDArray[np.bool_]:
            found = np.zeros(n, dtype=bool)
            if at:
                match = pattern.match
                found[at] = [
                    match(sentences[i], ends[i], ends[i] + _TAIL_CHARS) is not None for i in at
                ]
            return found

        # A verb pattern runs where its verb is a cue word of the sentence and the first
        # word after the mention is one (or a word of the lead before a verb); the actor
        # noun pattern where its cue and its first word agree too, _VENUE only after
        # cities, where that word starts with one of its words.
        mission = _MISSION_ACT | _MISSION_OBJECT
        read_at = where(
            (kinds & (_ACTOR | _GIVING | _NOUN) > 0) | (kinds & mission == mission) | city
        )
        first_word = _FIRST_WORD_AFTER.match
        words = [
            match[1] if (match := first_word(sentences[i], ends[i], ends[i] + _TAIL_CHARS)) else ""
            for i in read_at
        ]
        word_kinds = np.zeros(n, dtype=np.int64)
        word_kinds[read_at] = _FIRST_WORD_KINDS.of([words], len(words))
        verb_kinds = word_kinds & kinds
        giver = after(_GIVER_AFTER, having(_AID))
        acting = (
            after(_ACTOR_AFTER, where(verb_kinds & _ACTOR > 0))
            | after(
                _MISSION_ACTION,
                where((verb_kinds & _MISSION_ACT > 0) & (kinds & _MISSION_OBJECT > 0)),
            )
            | giver
            | before(_SOURCE_BEFORE)
            | before(_MISSION_OF)
        )
        heading = after(_HEAD_COLON, self._title_heads(sentences))
        giving = after(_GIVING_AFTER, where(verb_kinds & _GIVING > 0)) | giver
        _share_along_lists(sentences, starts, ends, [acting, heading, giving])
        subject = before(_BEFORE_SUBJECT)
        subject |= prepositions
        return (
            subject,
            before(_DIPLOMATIC_IN),
            before(_NEIGHBOUR_BEFORE),
            before(_BENEFICIARY_BEFORE),
            acting,
            after(_HOST_AFTER, having(_HOST)),
            after(_ACTOR_NOUN_AFTER, where((kinds & _NOUN > 0) & (word_kinds & _NOUN_WORD > 0))),
            after(_DIASPORA_AFTER, having(_DIASPORA)),
            after(_VENUE, where(city & (word_kinds & _VENUE_WORD > 0)))
            | after(_DATELINE, where(city & in_title))
            | before(_VENUE_BEFORE),
            heading,
            after(_BORDER_AFTER, having(_BORDER)) | before(_BORDER_BEFORE) | before(_NEAR_BEFORE),
            giving,
        )

    def _title_tails(self, sentences: list[str]) -> list[int]:
        """The title mentions followed by at most two words before the title ends."""
        ends = self.ends
        return [
            j
            for lo, hi in self.title_spans
            for j in range(lo, hi)
            if len(sentences[j][ends[j] :].split()) <= 2
        ]

    def _title_heads(self, sentences: list[str]) -> list[int]:
        """The title mentions that head their title: only separators, "the" or other
        heading countries before them ("Chad: ...", "Iraq/Jordan: ..."), so a colon or
        dash after them labels the story, unlike one after a country that ends a title
        ("Situation report: Jordan, Iraq - 5 May")."""
        heads = []
        gap = _HEAD_GAP.fullmatch
        for lo, hi in self.title_spans:
            position = 0
            for j in range(lo, hi):
                if gap(sentences[j], position, self.starts[j]) is None:
                    break
                heads.append(j)
                position = self.ends[j]
        return heads

    def _first_in_titles(self, flags: NDArray[np.bool_]) -> list[int]:
        """The first mention of each title that has one of ``flags`` (title mentions)."""
        at = flags.nonzero()[0]
        first = np.ones(len(at), dtype=bool)
        first[1:] = self.article[at[1:]] != self.article[at[:-1]]
        found: list[int] = at[first].tolist()
        return found

    def _title_before_beneficiary(
        self, column: NDArray[np.float64], beneficiary: NDArray[np.bool_]
    ) -> None:
        """Mark countries named in a title before the people it helps ("US ships wheat for
        Syrians", "Further UK support for Syrians"): the giver, even without a verb."""
        rows = self.rows
        for first in self._first_in_titles(beneficiary):
            lo, hi = self.title_spans[self.article[first]]
            for j in range(lo, hi):
                if self.ends[j] <= self.starts[first] and rows[j] != rows[first]:
                    column[rows[j]] = 1.0

    def _title_after_actor(
        self, column: NDArray[np.float64], actor: NDArray[np.bool_], title_actors: NDArray[np.bool_]
    ) -> None:
        """Mark countries named in a title after its first actor ("... for Burkina Faso")."""
        rows = self.rows
        for first in self._first_in_titles(actor):
            lo, hi = self.title_spans[self.article[first]]
            for j in range(lo, hi):
                if self.starts[j] >= self.ends[first] and not title_actors[rows[j]]:
                    column[rows[j]] = 1.0


def _share_along_lists(
    sentences: list[str],
    starts: Sequence[int],
    ends: Sequence[int],
    readings: list[NDArray[np.bool_]],
) -> None:
    """Give each of ``readings`` (one flag per mention) also to each mention listed just
    before one that has it ("Belgium and France close ...": Belgium closes too).

    From each mention followed by one with some reading, back along the list as far as
    mentions stand coordinated; later mentions first, so a reading travels along a
    whole list whichever of its members has it.
    """
    if len(starts) < 2:
        return
    followed = np.logical_or.reduce(readings)[1:].nonzero()[0]
    coordinated = _COORDINATION.fullmatch
    for last in followed[::-1].tolist():
        i = last
        while (
            i >= 0
            and sentences[i] is sentences[i + 1]
            and ends[i] <= starts[i + 1]
            and coordinated(sentences[i], ends[i], starts[i + 1])
        ):
            for reading in readings:
                reading[i] |= reading[i + 1]
            i -= 1


def _per_row(
    rows: NDArray[np.intp], n_rows: int, flags: Sequence[NDArray[np.bool_]]
) -> NDArray[np.float64]:
    """How many entries of each row have each flag: shape (n_rows, len(flags)).

    One bincount for all the flags (a batch of one article would otherwise pay numpy's
    per-call cost once a column), of the (flag, row) of each flag set: most are not.
    """
    k = len(flags)
    flag, entry = np.array(flags).nonzero()
    counts = np.bincount(flag * n_rows + rows[entry], minlength=k * n_rows)
    return counts.reshape(k, n_rows).T.astype(np.float64)


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
    (order,), rows = article_features([article])
    where = {c: i for i, c in enumerate(order)}
    picked = rows[[where[c] for c in countries]] if countries else rows[:0]
    if tuple(names) == FEATURE_NAMES:
        return picked
    return picked[:, [_INDEX[n] for n in names]]
