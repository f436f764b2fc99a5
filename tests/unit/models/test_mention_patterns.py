"""The patterns read around a country mention: how they are built, cued and gated."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from models import articles
from models import mention_patterns as mp
from models.articles import TokenCodes, parse_article
from models.fitting import Example
from models.gazetteer import default_gazetteer


def test_word_kinds_survive_a_full_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(articles, "_TOKEN_MEMORY", 3)
    codes = TokenCodes(mp.cue_kinds)

    def of(sentences: list[tuple[str, ...]]) -> list[int]:
        lengths = np.array([len(s) for s in sentences], dtype=np.intp)
        return mp.sentence_kinds(codes.of(sentences, int(lengths.sum())), lengths).tolist()

    assert of([("rebels", "attacked", "the", "town")]) == [mp.RISK]
    assert of([("cup", "final", "tonight", "in", "paris")]) == [mp.SPORT]
    assert of([("curfew", "after", "the", "match"), (), ("aid", "convoy")]) == [
        mp.RISK | mp.SPORT | mp.NEIGHBOUR,
        0,
        mp.AID | mp.NOUN,
    ]
    assert of([("at", "the", "border"), ("border", "clashes")]) == [
        mp.BORDER,
        mp.BORDER | mp.RISK,
    ]
    assert of([("embassy", "expels", "staff")]) == [
        mp.NOUN | mp.DIPLOMATIC | mp.RISK | mp.HOST | mp.MISSION | mp.MISSION_OBJECT
    ]
    assert of([("quiet", "day"), ()]) == [0, 0]
    assert of([]) == []


def test_patterns_are_cued_by_the_first_word_of_each_alternative() -> None:
    assert mp.first_words(r"compared (?:to|with)|orders? \w+ out|as in|ii\b") == (
        r"compared|orders?|as|ii\b"
    )
    pattern, cue = mp.cued(r"\b", r"prime minister|envoys?", r"\b", also="born")
    assert pattern.search("the prime minister said") and not pattern.search("prime time")
    assert all(cue.fullmatch(w) for w in ("prime", "envoy", "envoys", "born"))
    assert not cue.fullmatch("minister")


_HEAD_WORDS = [
    *("in", "to", "the", "northern", "sit-in", "(in", "fled", "of", "x", "à", "eastern", "tern"),
    *("embassy", "high", "commission", "general", "de", "la", "border", "with", "near", "close"),
    *("towards", "along", "met", "talks", "at", "from", "staff", "like", "aid", "frontier"),
]
_GATED_BEFORE = pytest.mark.parametrize(
    ("pattern", "endings"),
    [
        ("BEFORE_SUBJECT", "SUBJECT_ENDINGS"),
        ("DIPLOMATIC_IN", "DIPLOMATIC_ENDINGS"),
        ("MISSION_OF", "MISSION_ENDINGS"),
        ("VENUE_BEFORE", "VENUE_ENDINGS"),
        ("BORDER_BEFORE", "BORDER_ENDINGS"),
        ("NEAR_BEFORE", "NEAR_ENDINGS"),
    ],
)


@_GATED_BEFORE
@given(
    words=st.lists(
        st.sampled_from(_HEAD_WORDS) | st.text(alphabet="abcdeinorst-'(", min_size=1, max_size=8),
        min_size=1,
        max_size=4,
    )
)
def test_last_word_gates_let_every_match_through(
    pattern: str, endings: str, words: list[str]
) -> None:
    head = " ".join(words) + " "  # as models.mention_features builds a head
    if getattr(mp, pattern).search(head):
        assert words[-1].endswith(getattr(mp, endings))


@_GATED_BEFORE
def test_last_word_gates_let_every_match_of_three_words_through(pattern: str, endings: str) -> None:
    search = getattr(mp, pattern).search
    matched = 0
    for words in itertools.product(_HEAD_WORDS, repeat=3):
        if search(" ".join(words) + " "):
            matched += 1
            assert words[-1].endswith(getattr(mp, endings)), words
    assert matched


def test_a_preposition_just_before_a_mention_is_a_match() -> None:
    for word in mp.SUBJECT_WORDS:
        for head in (f"{word} ", f"fled {word} ", f"x y z {word} "):
            assert mp.BEFORE_SUBJECT.search(head), head


@pytest.mark.parametrize(
    ("pattern", "kinds", "word_kind", "least"),
    [
        ("ACTOR_AFTER", ["ACTOR"], "ACTOR", 100),
        ("MISSION_ACTION", ["MISSION_ACT", "MISSION_OBJECT"], "MISSION_ACT", 100),
        ("GIVING_AFTER", ["GIVING"], "GIVING", 30),
        ("ACTOR_NOUN_AFTER", ["NOUN"], "NOUN_WORD", 100),
        ("VENUE", [], "VENUE_WORD", 10),
    ],
)
def test_words_after_a_country_are_cued_in_every_sentence_they_match(
    corpus: list[Example], pattern: str, kinds: list[str], word_kind: str, least: int
) -> None:
    after = getattr(mp, pattern)
    matched = 0
    for example in corpus:
        article = parse_article(example["title"], example.get("text", ""), default_gazetteer())
        for found, lowered, tokens in zip(
            article.mentions, article.lowered, article.tokens, strict=True
        ):
            for m in found:
                if after.match(lowered, m.end, m.end + mp.TAIL_CHARS):
                    matched += 1
                    for kind in kinds:
                        bit = getattr(mp, kind)
                        assert any(mp.cue_kinds(t) & bit for t in tokens), (kind, lowered)
                    first = mp.FIRST_WORD_AFTER.match(lowered, m.end, m.end + mp.TAIL_CHARS)
                    word = first[1] if first else ""
                    assert mp.first_word_kinds(word) & getattr(mp, word_kind), (word, lowered)
    assert matched > least


_TAIL_PIECES = [
    *(" ", ", ", "'s ", "’s ", " - ", "!!!", "(", "'", "s ", "x", "its ", "back ", "aid "),
    *("has ", "to ", "also ", "now ", "temporarily ", "will ", "is ", "embassy ", "staff "),
    *("says ", "said ", "closes ", "close ", "travel advice ", "help ", "doubles ", "raises "),
    *("pledges ", "sends ", "moves ", "urged", "giving", "reopen", "ii", "peacetalks ", "host"),
    *("government", "foreign", "ministry", "prime minister", "air ", "strikes", "      ", "sarmy"),
]
_FIRST_WORD_GATED = pytest.mark.parametrize(
    ("pattern", "kind"),
    [
        ("ACTOR_AFTER", "ACTOR"),
        ("MISSION_ACTION", "MISSION_ACT"),
        ("GIVING_AFTER", "GIVING"),
        ("VENUE", "VENUE_WORD"),
        ("ACTOR_NOUN_AFTER", "NOUN_WORD"),
    ],
)


def _first_word_gate(pattern: str, kind: str, tail: str) -> bool | None:
    """Whether the first-word gate of ``pattern`` (see models.mention_features) lets through a
    mention of "mali" followed by ``tail``; None where ``pattern`` does not match there."""
    sentence, end = "mali" + tail, 4
    if not getattr(mp, pattern).match(sentence, end, end + mp.TAIL_CHARS):
        return None
    first = mp.FIRST_WORD_AFTER.match(sentence, end, end + mp.TAIL_CHARS)
    return bool(mp.first_word_kinds(first[1] if first else "") & getattr(mp, kind))


@_FIRST_WORD_GATED
@given(pieces=st.lists(st.sampled_from(_TAIL_PIECES) | st.text(max_size=3), max_size=6))
def test_first_word_gates_let_every_match_through(
    pattern: str, kind: str, pieces: list[str]
) -> None:
    assert _first_word_gate(pattern, kind, "".join(pieces)) is not False


@_FIRST_WORD_GATED
def test_first_word_gates_let_every_match_of_three_pieces_through(pattern: str, kind: str) -> None:
    gated = [
        _first_word_gate(pattern, kind, "".join(p))
        for p in itertools.product(_TAIL_PIECES, repeat=3)
    ]
    assert False not in gated
    assert gated.count(True) > 100


@pytest.mark.parametrize(
    "alternation",
    [
        r"attack\w*|kill\w*|strikes?|couvre-feu|pénurie",
        r"raises? \w+ (?:travel )?(?:warning|advisory)|reopen\w* its|bans?\b|II\b|in|into",
    ],
)
def test_grouped_alternation_matches_the_flat_one(alternation: str) -> None:
    flat = re.compile(rf"\b(?:{alternation})\b", re.I)
    grouped = re.compile(rf"\b{mp.either(alternation)}\b", re.I)
    samples = [
        "Attacks in the north",
        "a KILLING spree",
        "no strike today",
        "strikers won",
        "le couvre-feu est levé",
        "La PÉNURIE de carburant",
        "France raises its travel warning for Mali",
        "reopened its embassy",
        "Germany bans exports",
        "Geneva II talks",
        "moved into town",
        "ingested",
        "the Inn",
        "bansai",
    ]
    for sample in samples:
        assert (flat.search(sample) is None) == (grouped.search(sample) is None), sample


def test_grouped_alternation_needs_leading_letters() -> None:
    with pytest.raises(ValueError, match="letter"):
        mp.either(r"\s+x|y")
