"""Whitespace normalisation and content hashing: what dedupe and analysis rely on."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from service.ingest.news.text import normalise_space
from service.storage.signals import content_hash

# Text made mostly of the whitespace characters the rules treat differently.
WHITESPACE_HEAVY = st.text(
    alphabet=st.sampled_from(" \t\r\n\f\v\u00a0\u2028\u3000\x1cab."), max_size=40
)


def reference_normalise_space(text: str) -> str:
    """The rule spelled out plainly: collapse horizontal runs, then trim around line breaks."""
    text = re.sub(r"[ \t\r\f\v\u00a0]+", " ", text)
    return re.sub(r"\s*\n\s*", "\n", text).strip()


@given(WHITESPACE_HEAVY)
def test_normalise_space_matches_the_plain_rule(text: str) -> None:
    assert normalise_space(text) == reference_normalise_space(text)


def test_normalise_space_keeps_single_paragraph_breaks() -> None:
    assert normalise_space("  Fuel  queues\t in Bamako. \n\n\n  Convoys\u00a0attacked. ") == (
        "Fuel queues in Bamako.\nConvoys attacked."
    )


@given(WHITESPACE_HEAVY, WHITESPACE_HEAVY)
def test_content_hash_ignores_case_and_whitespace_layout(title: str, text: str) -> None:
    respaced = re.sub(r"\s+", "  \n", f" {text} ")
    assert content_hash(title.upper(), respaced) == content_hash(title.lower(), text)


def test_content_hash_tells_different_stories_apart() -> None:
    assert content_hash("Mali", "fuel blockade") != content_hash("Mali", "fuel restored")
