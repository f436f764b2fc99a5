"""The baseline analyser: word-list expansion and what its single lexicon pass counts."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.baseline import BaselineAnalyzer, _sentence_spans, expand_phrases


@pytest.fixture(scope="module")
def baseline() -> BaselineAnalyzer:
    return BaselineAnalyzer()


@pytest.mark.parametrize(
    ("entry", "phrases"),
    [
        ("coup", ["coup"]),
        ("attack(s|ed)?", ["attack", "attacks", "attacked"]),
        ("jihadis[tm]s?", ["jihadist", "jihadists", "jihadism", "jihadisms"]),
        ("air ?strikes?", ["airstrike", "airstrikes", "air strike", "air strikes"]),
        ("(?:civil )?unrest", ["unrest", "civil unrest"]),
        ("a(b|c(d|e))f", ["abf", "acdf", "acef"]),
    ],
)
def test_word_list_entries_expand_to_every_phrase_they_match(
    entry: str, phrases: list[str]
) -> None:
    assert sorted(expand_phrases(entry)) == sorted(phrases)


@pytest.mark.parametrize(
    "entry", ["attacks*", "bomb.", "fuel+", "[a-z]ed", "(open", "close)", "x\\b"]
)
def test_entries_that_are_not_finite_phrase_lists_are_refused(entry: str) -> None:
    with pytest.raises(ValueError, match="word-list entry"):
        expand_phrases(entry)


def factors_of(
    baseline: BaselineAnalyzer, title: str, text: str = ""
) -> dict[str, tuple[float, str]]:
    (country,) = baseline.analyze(title, text).countries
    return {name: (r.probability, r.direction) for name, r in country.factors.items()}


def test_the_longest_phrase_wins_so_a_lifted_curfew_is_easing(baseline: BaselineAnalyzer) -> None:
    assert factors_of(baseline, "Mali: curfew lifted in Bamako")["security"] == (0.5, "easing")
    assert factors_of(baseline, "Mali imposes a curfew in Bamako")["security"] == (
        0.5,
        "escalating",
    )


def test_phrases_inside_longer_words_do_not_count(baseline: BaselineAnalyzer) -> None:
    assert factors_of(baseline, "Mali: the coupon scheme is back")["security"] == (0.0, "none")


def test_offsets_hold_when_lower_casing_lengthens_the_text(baseline: BaselineAnalyzer) -> None:
    # Each "İ" lower-cases to two characters; a phrase must still count in its own sentence.
    text = "İ" * 40 + " France was attacked. Mali is calm."
    readings = {
        c.iso2: c.factors["security"].direction
        for c in baseline.analyze("Mali and France", text).countries
    }
    assert readings == {"FR": "escalating", "ML": "none"}


def reference_sentence_spans(title_length: int, document: str) -> list[tuple[int, int]]:
    """The splitting rule spelled out with a lookbehind: after . ! or ? and spaces, before
    a capital, digit or quote; or at line breaks. Blank pieces are dropped."""
    spans = [(0, title_length)]
    begin = offset = title_length + 1
    for separator in re.finditer(r"(?<=[.!?])\s+(?=[\"“‘'A-Z0-9])|\n+", document[offset:]):
        start, end = offset + separator.start(), offset + separator.end()
        if document[begin:start].strip():
            spans.append((begin, start))
        begin = end
    if document[begin:].strip():
        spans.append((begin, len(document)))
    return spans


@given(
    st.text(alphabet=st.sampled_from("ab .!?\n\t'“A1"), max_size=12),
    st.text(alphabet=st.sampled_from("ab .!?\n\t'“A1"), max_size=60),
)
def test_sentences_split_by_the_plain_rule(title: str, text: str) -> None:
    title = title.replace("\n", " ")
    document = f"{title}\n{text}"
    assert _sentence_spans(len(title), document) == reference_sentence_spans(len(title), document)
