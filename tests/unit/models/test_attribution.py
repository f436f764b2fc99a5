"""Parsing, mention features and role decoding."""

from __future__ import annotations

import itertools
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models import articles
from models.articles import WORD, parse_article
from models.attribution import PROMOTE_SUBJECT, decode_roles
from models.gazetteer import Mention, default_gazetteer
from models.mention_features import FEATURE_NAMES, article_features, country_features
from models.mention_patterns import BEFORE_SUBJECT

_PREP = FEATURE_NAMES.index("prep_before")


def _row(title: str, text: str, iso2: str) -> dict[str, float]:
    article = parse_article(title, text, default_gazetteer())
    values = country_features(article, [iso2])[0]
    return dict(zip(FEATURE_NAMES, values.tolist(), strict=True))


def test_parse_keeps_punctuation_and_offsets() -> None:
    text = "Fighting spread to Gao. Residents fled!\nMali's army said little."
    article = parse_article("Clashes in Mali", text, default_gazetteer())
    assert article.sentences == (
        "Clashes in Mali",
        "Fighting spread to Gao.",
        "Residents fled!",
        "Mali's army said little.",
    )
    for sentence, found in zip(article.sentences, article.mentions, strict=True):
        for m in found:
            assert sentence[m.start : m.end] == m.surface
    assert article.sentences_of("ML") == [0, 1, 3]


def test_a_mention_across_a_sentence_end_belongs_to_no_sentence() -> None:
    text = "Ships left St. Petersburg for Mali. Fighting in Gao."
    article = parse_article("Storm", text, default_gazetteer())
    assert article.sentences[1:] == ("Ships left St.", "Petersburg for Mali.", "Fighting in Gao.")
    assert [[m.surface for m in found] for found in article.mentions] == [[], [], ["Mali"], ["Gao"]]
    assert article.mentions[3][0].start == len("Fighting in ")


@given(
    st.lists(
        st.sampled_from(
            # Plain names, names across a sentence end, inside a word, and names that
            # context settles (a person, the US state, the Congo of the other mentions).
            ["Mali", "Gao", "St. Petersburg", "D.R. Congo", "iMali", "x", " ", ". ", "\n"]
            + ["Jordan", "Michael ", "Georgia", "Atlanta, ", "Congo", "Kinshasa", "Gulf of Guinea"]
        ),
        max_size=20,
    ).map("".join)
)
def test_body_mentions_go_to_the_sentence_holding_them(text: str) -> None:
    gazetteer = default_gazetteer()
    spans = articles.sentence_spans(text)
    expected: list[list[Mention]] = [[] for _ in spans]
    for m in gazetteer.find_mentions(text):
        for holder, (begin, end) in zip(expected, spans, strict=True):
            if begin <= m.start and m.end <= end:
                holder.append(m._replace(start=m.start - begin, end=m.end - begin))
    article = parse_article("", text, gazetteer)
    assert article.mentions[1:] == tuple(map(tuple, expected))
    assert all(type(m) is Mention for found in article.mentions for m in found)


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=60))
def test_word_tokens_are_scikit_learns(text: str) -> None:
    assert WORD.findall(text) == re.findall(r"(?u)\b\w\w+\b", text)


def _plain_sentence_spans(text: str, start: int) -> list[tuple[int, int]]:
    """The splitting rule spelled out with a lookbehind, blank pieces dropped."""
    spans = []
    begin = start
    for gap in re.finditer(r"(?<=[.!?])\s+(?=[\"“‘'A-Z0-9])|\n+", text[start:]):
        if text[begin : start + gap.start()].strip():
            spans.append((begin, start + gap.start()))
        begin = start + gap.end()
    if text[begin:].strip():
        spans.append((begin, len(text)))
    return spans


_SENTENCE_PIECES = ["a", "A", "1", "'", "“", ".", "!", "?", " ", ". ", "? ", "\t", "\xa0"]


@settings(max_examples=500)
@given(
    # Texts with and without line breaks take different paths.
    st.lists(st.sampled_from(_SENTENCE_PIECES), max_size=30).map("".join)
    | st.lists(st.sampled_from([*_SENTENCE_PIECES, "\n", ".\n"]), max_size=30).map("".join),
    st.integers(min_value=0, max_value=8),
)
def test_sentence_spans_follow_the_plain_rule(text: str, start: int) -> None:
    start = min(start, len(text))
    assert articles.sentence_spans(text, start) == _plain_sentence_spans(text, start)


@given(st.text(alphabet=st.characters(max_codepoint=127)) | st.text())
def test_tokens_are_the_word_pattern_s_on_each_lowered_sentence(text: str) -> None:
    article = parse_article("", text, default_gazetteer())
    assert article.tokens == tuple(tuple(WORD.findall(s)) for s in article.lowered)


def test_lowered_sentences_keep_mention_offsets() -> None:
    article = parse_article(
        "İstanbul talks on Syria", "Fighting in İdlib, Syria.", default_gazetteer()
    )
    for lowered, found in zip(article.lowered, article.mentions, strict=True):
        for m in found:
            assert lowered[m.start : m.end] == m.surface.lower()
    assert article.tokens[1] == tuple(WORD.findall("fighting in İdlib, syria.".lower()))


def test_features_see_the_actor_and_the_country_it_acts_on() -> None:
    title = "Japan raises its travel warning for Burkina Faso"
    japan, burkina = _row(title, "", "JP"), _row(title, "", "BF")
    assert japan["title_actor_after"] > 0 and burkina["title_actor_after"] == 0
    assert burkina["title_after_actor"] == 1.0 and japan["title_after_actor"] == 0.0
    assert burkina["title_other_actor"] == 1.0 and japan["title_other_actor"] == 0.0


def test_features_of_host_verbs_venues_and_capital_metonyms() -> None:
    assert _row("Mali expels French ambassador", "", "ML")["title_host_after"] == 1.0
    assert _row("Geneva talks on Syria stall", "", "CH")["venue_after"] > 0
    assert _row("Tokyo withdraws embassy families from Yangon", "", "JP")["capital_actor"] > 0


def test_border_marks_the_neighbour_not_the_country_in_crisis() -> None:
    title = "Niger's fuel crisis worsens as Benin border stays shut"
    assert _row(title, "", "BJ")["border_after"] > 0
    assert _row(title, "", "NE")["border_after"] == 0
    assert _row("Refugees gather on the Turkish-Syrian border", "", "TR")["border_after"] > 0
    text = "Shelling hit villages along the border with Lebanon."
    assert _row("Fighting in Homs", text, "LB")["border_after"] > 0
    assert _row("Curfew in Lebanon after clashes", "", "LB")["border_after"] == 0
    # "Near" a country puts the event beside it; near a city, the city is the place.
    assert _row("Tanks enter a town near Turkey", "", "TR")["border_after"] > 0
    assert _row("Clashes near Aleppo leave 12 dead", "", "SY")["border_after"] == 0


def test_givers_named_before_aid_act_on_others() -> None:
    title = "Germany increases humanitarian assistance for Syrian refugees"
    assert _row(title, "", "DE")["title_actor_after"] > 0
    assert _row("Turkey spent USD 650 mln on refugees", "", "TR")["actor_after"] > 0
    # A country's own relief effort, after a colon, is not a giver's.
    assert _row("Somalia: drought relief for two million people", "", "SO")["actor_after"] == 0


def test_pressure_from_abroad_is_acting() -> None:
    title = "Syrian forces kill 15, U.S. slaps sanctions"
    assert _row(title, "", "US")["actor_after"] > 0
    assert _row(title, "", "SY")["actor_after"] == 0
    assert _row("Top Syria rebel killed as Russia pushes peace", "", "RU")["actor_after"] > 0
    assert _row("West presses for sanctions, Russia rejects", "", "RU")["actor_after"] > 0
    # The word must follow the country as its verb: a press freedom story is not pressure.
    assert _row("Turkey press freedom falls again", "", "TR")["actor_after"] == 0
    title = "Syria army shells towns, Russia lobbies conference"
    assert _row(title, "", "RU")["actor_after"] > 0
    assert _row(title, "", "SY")["actor_after"] == 0


def test_venue_before_marks_where_people_meet() -> None:
    assert _row("Donors meet in Kuwait to raise aid for Yemen", "", "KW")["venue_after"] > 0
    assert _row("Yemen talks held in Muscat stall", "", "OM")["venue_after"] > 0
    assert _row("Donors meet in Kuwait to raise aid for Yemen", "", "YE")["venue_after"] == 0
    assert _row("Gunmen kill two in Kuwait", "", "KW")["venue_after"] == 0


def test_demonym_beneficiary_marks_the_people_helped() -> None:
    title = "Iceland increases assistance to Syrian refugees"
    assert _row(title, "", "SY")["demonym_beneficiary"] > 0
    assert _row(title, "", "IS")["demonym_beneficiary"] == 0
    assert _row("Norwegian grant to help feed hungry Afghans", "", "AF")["demonym_beneficiary"] > 0
    # Only demonyms: a country named after "to" is the ordinary preposition feature.
    assert _row("Aid convoy heads to Syria", "", "SY")["demonym_beneficiary"] == 0
    assert _row("Syrian army shells rebel town", "", "SY")["demonym_beneficiary"] == 0
    # Victims of an attack are not beneficiaries.
    assert _row("Attack on Turkish workers in Mogadishu", "", "TR")["demonym_beneficiary"] == 0


def test_features_of_many_countries_match_one_by_one() -> None:
    article = parse_article(
        "France withdraws diplomatic staff from Mali",
        "Like neighbouring Niger, Mali faces a fuel blockade. Burkina Faso is calm.",
        default_gazetteer(),
    )
    together = country_features(article, article.countries)
    for i, iso2 in enumerate(article.countries):
        assert np.array_equal(together[i], country_features(article, [iso2])[0])
    assert country_features(article, []).shape == (0, len(FEATURE_NAMES))


def test_features_of_a_batch_match_article_by_article() -> None:
    gazetteer = default_gazetteer()
    articles = [
        parse_article(title, text, gazetteer)
        for title, text in [
            ("France withdraws diplomatic staff from Mali", "Like neighbouring Niger, Mali..."),
            ("Markets rally on rate hopes", "No country is named here."),
            ("Mali beat France 2-1 in a friendly", ""),
            ("Japan raises its travel warning for Burkina Faso", "Ouagadougou is calm. Mali too."),
            ("", ""),
            ("Kenyan troops enter Somalia: Nairobi says", "Kenya's army said Somali forces..."),
        ]
    ]
    countries, rows = article_features(articles)
    first = 0
    for article, found in zip(articles, countries, strict=True):
        (alone,), expected = article_features([article])
        assert found == alone == article.countries
        assert np.array_equal(rows[first : first + len(found)], expected)
        first += len(found)
    assert first == len(rows)


def test_the_owner_of_a_mission_acts_from_abroad() -> None:
    text = "Need help? – added information on the temporary closure of the Embassy of Canada"
    assert _row("Vietnam: travel advice update", text, "CA")["actor_after"] > 0
    text = "The Consulate General of Canada in Hong Kong is closed"
    assert _row("Hong Kong: travel advice update", text, "CA")["actor_after"] > 0
    assert _row("Hong Kong: travel advice update", text, "HK")["actor_after"] == 0
    assert _row("Mali : l'ambassade de France à Bamako ferme", "", "FR")["actor_after"] > 0
    # Where a mission is, is not whose it is.
    assert _row("Canada closes the embassy in Mali", "", "ML")["actor_after"] == 0


def test_givers_and_advisers_name_the_country_after_their_verb() -> None:
    assert _row("Denmark grants $20 mn more for Syria refugees", "", "DK")["actor_after"] > 0
    assert _row("Baku assists typhoon-hit Philippines", "", "AZ")["actor_after"] > 0
    title = "Japan raises Burkina Faso travel warning to highest level"
    assert _row(title, "", "JP")["actor_after"] > 0
    assert _row(title, "", "BF")["actor_after"] == 0
    # Passive participles name the one acted on, not the actor.
    assert _row("Ukraine granted EU candidate status", "", "UA")["actor_after"] == 0
    assert _row("Sudan, backed by Egypt, retakes Khartoum", "", "SD")["actor_after"] == 0
    assert _row("Niger handed over to junta as France withdraws", "", "NE")["actor_after"] == 0


def _head(sentence: str, start: int) -> str:
    """A head as the features define it: the last four words of the 48 characters before
    a mention that follows a space, joined by single spaces, with one after them."""
    if not (start and sentence[start - 1].isspace()):
        return ""
    return " ".join(sentence[max(0, start - 48) : start].split()[-4:]) + " "


_HEAD_PIECES = ["in", "to", "the", "fled", "within", "northern", "x" * 46 + "in", ",", "("]
_SPACES = ["", " ", "  ", "\t", "\u00a0", " \u2003", " " * 44]


def _prep_before_follows_the_head(text: str) -> bool:
    """Whether the prep_before feature of the country ending ``text`` (a body: titles are
    respaced) is what _BEFORE_SUBJECT reads in its head; True where no one country is named."""
    article = parse_article("Report", text, default_gazetteer())
    named = zip(article.lowered, article.mentions, strict=True)
    found = [(lowered, m) for lowered, mentions in named for m in mentions]
    if len(found) != 1:  # "inChad" names no country
        return True
    ((lowered, mention),) = found
    expected = BEFORE_SUBJECT.search(_head(lowered, mention.start))
    return (country_features(article, ["TD"])[0, _PREP] > 0) == bool(expected)


def test_preposition_before_is_read_off_the_head_whatever_the_spacing() -> None:
    for pieces in itertools.product(_HEAD_PIECES, _SPACES, _HEAD_PIECES, _SPACES):
        assert _prep_before_follows_the_head("".join(pieces) + "Chad"), pieces


@given(st.lists(st.sampled_from(_HEAD_PIECES) | st.sampled_from(_SPACES), max_size=10))
def test_preposition_before_is_read_off_long_heads(pieces: list[str]) -> None:
    assert _prep_before_follows_the_head("".join(pieces) + "Chad"), pieces


@pytest.mark.parametrize(
    ("proba", "expected"),
    [
        # argmax wins when a subject is clear
        ([[0.9, 0.05, 0.05], [0.1, 0.8, 0.1]], [0, 1]),
        # no subject outright: the most subject-like country is promoted
        ([[0.3, 0.1, 0.6], [0.1, 0.8, 0.1]], [0, 1]),
        # ... but not when nobody is subject-like at all
        ([[PROMOTE_SUBJECT / 2, 0.1, 0.9], [0.05, 0.9, 0.05]], [2, 1]),
        # a second subject much weaker than the first becomes a mention
        ([[0.95, 0.0, 0.05], [0.6, 0.1, 0.3]], [0, 2]),
        # two equally strong subjects both stay
        ([[0.9, 0.05, 0.05], [0.88, 0.02, 0.1]], [0, 0]),
    ],
)
def test_decode_roles(proba: list[list[float]], expected: list[int]) -> None:
    assert decode_roles(np.array(proba)).tolist() == expected


def test_decode_roles_of_no_country() -> None:
    assert decode_roles(np.zeros((0, 3))).shape == (0,)


def test_decode_roles_of_many_articles_match_one_by_one() -> None:
    rng = np.random.default_rng(0)
    sizes = [3, 0, 1, 5, 2, 0, 4]
    proba = rng.dirichlet([1.0, 1.0, 1.0], size=sum(sizes))
    proba[3:4] = [0.1, 0.2, 0.7]  # a lone country with no subject-like role
    together = decode_roles(proba, sizes)
    first = 0
    for n in sizes:
        assert (
            together[first : first + n].tolist() == decode_roles(proba[first : first + n]).tolist()
        )
        first += n


def test_a_colon_labels_the_story_only_after_the_countries_heading_the_title() -> None:
    assert (
        _row("Chad: returnees from the Central African Republic", "", "TD")["title_colon_after"]
        == 1.0
    )
    title = "Iraq/Jordan/Turkey: Syrians blocked from fleeing"
    assert all(_row(title, "", c)["title_colon_after"] == 1.0 for c in ("IQ", "JO", "TR"))
    # A country ending a title before a dash and a date does not head it.
    title = "Crisis report: Syria, Jordan, Lebanon, Iraq and Turkey - 22 November"
    assert _row(title, "", "TR")["title_colon_after"] == 0.0
    # Hyphenated compounds are not headings.
    assert _row("Saudi-led coalition strikes near Sanaa", "", "SA")["title_colon_after"] == 0.0
    assert _row("Syria - flash update on Idlib", "", "SY")["title_colon_after"] == 1.0


def test_a_city_followed_by_a_date_in_a_title_is_a_venue() -> None:
    title = "Transcript of the press conference by the Special Envoy - Geneva, 29 January 2014"
    assert _row(title, "", "CH")["venue_after"] > 0
    title = "Remarks to the press on Syria, New York, Wednesday, 22 August 2012"
    assert _row(title, "", "US")["venue_after"] > 0
    assert _row(title, "", "SY")["venue_after"] == 0
    # Only in titles, and only cities: a body's wire dateline names where the story is.
    text = "Bamako, 5 March (Reuters) - Gunmen attacked an army post."
    assert _row("Attack on army post", text, "ML")["venue_after"] == 0
    assert _row("Flash update on Syria, 12 March", "", "SY")["venue_after"] == 0


def test_giving_verbs_mark_donors_and_a_lone_donor() -> None:
    title = "Italy contributes USD 650,000 to the UN"
    row = _row(title, "", "IT")
    assert row["giving_after"] > 0 and row["lone_giver"] == 1.0
    assert _row("Britain to double humanitarian aid", "", "GB")["lone_giver"] == 1.0
    row = _row("Norway gives 80 million kroner to Somalia", "", "NO")
    assert row["giving_after"] > 0 and row["lone_giver"] == 0.0
    assert _row("Nigeria says troops killed 30 insurgents", "", "NG")["giving_after"] == 0
    assert _row("Making the most of Geneva II", "", "CH")["lone_venue"] == 1.0


def test_a_government_acting_on_its_missions_abroad_acts() -> None:
    for title, actor in [
        ("Japan closes embassy in Tripoli", "JP"),
        ("Qatar opens embassy in Astana", "QA"),
        ("UK updates travel advice for Nigeria after kidnappings", "GB"),
        ("Japan raises travel warnings for Mali and Niger", "JP"),
        ("Belgium and France close consulates in Goma", "BE"),
        ("Italy, Spain and Portugal temporarily close Kyiv embassies", "IT"),
    ]:
        assert _row(title, "", actor)["actor_after"] > 0, title
    assert _row("Japan closes embassy in Tripoli", "", "LY")["actor_after"] == 0
    # A border or a road is not a mission.
    assert _row("Dominican Republic closes border with Haiti", "", "DO")["actor_after"] == 0


def test_the_target_of_a_strike_is_where_it_happens() -> None:
    title = "Israeli air strike hits Lebanon's Bekaa valley"
    assert _row(title, "", "LB")["title_prep_before"] == 1.0
    assert (
        _row(title, "", "IL")["actor_noun_after"] + _row(title, "", "IL")["demonym_actor_noun"] > 0
    )
    assert _row("Syria fighting rages as Iran calls for a halt", "", "IR")["actor_after"] > 0


def test_a_country_named_before_the_people_it_helps_is_their_giver() -> None:
    title = "US ships more sorghum for South Sudanese families"
    assert _row(title, "", "US")["title_before_beneficiary"] == 1.0
    assert _row(title, "", "SS")["title_before_beneficiary"] == 0.0
    assert (
        _row("Fighting in Syria displaces Iraqi families", "", "SY")["title_before_beneficiary"]
        == 0.0
    )
