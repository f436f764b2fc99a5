"""Which sentences a country's factor readings are drawn from."""

from __future__ import annotations

from models.factors import pooled_sentences

# Title, then sentences naming: Mali; nobody; France (an actor); France and Mali; Niger.
NAMED = [{"ML", "FR"}, {"ML"}, set(), {"FR"}, {"FR", "ML"}, {"NE"}]


def test_the_subject_keeps_sentences_naming_it_nobody_or_only_actors() -> None:
    assert pooled_sentences(NAMED, "ML", subject=True, actors={"FR"}) == [0, 1, 2, 3, 4]


def test_without_actors_a_sentence_about_another_country_is_not_the_subjects() -> None:
    assert pooled_sentences(NAMED, "ML", subject=True) == [0, 1, 2, 4]


def test_other_countries_keep_only_the_title_and_sentences_naming_them() -> None:
    assert pooled_sentences(NAMED, "FR", subject=False, actors={"FR"}) == [0, 3, 4]
    assert pooled_sentences(NAMED, "NE", subject=False, actors={"FR"}) == [0, 5]
