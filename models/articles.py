"""An article split once into sentences, with the gazetteer's country mentions and the
lower-cased word tokens of each sentence.

Everything downstream (mention features, pooled factor texts) reads this one parse, so
the gazetteer runs once per title and once per body and every sentence is tokenised once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import eq

import numpy as np
from numpy.typing import NDArray

from models.gazetteer import Gazetteer, Mention, MentionTuple

__all__ = [
    "SENTENCE_END",
    "WORD",
    "ParsedArticle",
    "TokenCodes",
    "parse_article",
    "sentence_spans",
]

# A sentence ends at ., ! or ? followed by space and a capital, digit or quote, or at a
# line break. The punctuation stays with its sentence. Written to start with one
# character class ("[.!?]\s+(?=...)|\n+" otherwise) so that the regex engine skips
# ahead to candidate characters in C: three times faster on news text.
SENTENCE_END = re.compile(r"[.!?\n](?:(?<=[.!?])\s+(?=[\"“‘'A-Z0-9])|(?<=\n)\n*)")
# The same rule for text without line breaks once "!" and "?" read as ".": a pattern
# starting with one literal character is found by a plain character loop, several times
# faster than the class above, which is tested through a table at every character.
_FULL_STOP_END = re.compile(r"\.\s+(?=[\"“‘'A-Z0-9])")
# A word token: two or more word characters. The same tokens as scikit-learn's default
# pattern r"\b\w\w+\b" (a greedy run of word characters is a whole word), found faster.
WORD = re.compile(r"\w\w+")
# Bytes: each ASCII word character as itself, everything else as a space.
_SPACE_NON_WORD = bytes(c if re.fullmatch(r"\w", chr(c), re.ASCII) else 32 for c in range(256))
# The one-character words str.split cuts from such text (no tokens).
_LETTERS = frozenset(_SPACE_NON_WORD.decode()) - {" "}
_VISIBLE = re.compile(r"\S")
# Distinct tokens a TokenCodes remembers before it starts afresh.
_TOKEN_MEMORY = 500_000


@dataclass(frozen=True, slots=True)
class ParsedArticle:
    """An article split into sentences (the title is sentence 0) with mentions per sentence.

    Mention offsets are relative to their sentence. ``lowered`` holds each sentence in
    lower case with its offsets unchanged (patterns match it without ``re.I``, which is
    twice as fast), ``tokens`` each sentence's lower-cased :data:`WORD` tokens.
    """

    sentences: tuple[str, ...]
    mentions: tuple[tuple[Mention, ...], ...]
    lowered: tuple[str, ...]
    tokens: tuple[tuple[str, ...], ...]

    @property
    def countries(self) -> tuple[str, ...]:
        """Countries in order of first appearance."""
        seen: dict[str, None] = {}
        for found in self.mentions:
            for m in found:
                seen.setdefault(m.iso2, None)
        return tuple(seen)

    def sentences_of(self, iso2: str) -> list[int]:
        """Indices of the sentences that mention ``iso2``."""
        return [i for i, found in enumerate(self.mentions) if any(m.iso2 == iso2 for m in found)]


class TokenCodes:
    """An integer per token (whatever ``code`` makes of it), worked out once per token.

    News reuses its words, so tokens are coded by one dict lookup each instead of regex
    searches or several lookups. The dict holds strings and ints, which the garbage
    collector does not walk; it is replaced as a whole when full, and a token is stored
    only once coded, so a concurrent reader never sees a half-made entry.

    Parameters
    ----------
    code : callable
        The (non-negative) code of a token.
    """

    def __init__(self, code: Callable[[str], int]) -> None:
        self._code = code
        self._known: dict[str, int] = {}

    def of(self, sentences: Sequence[Sequence[str]], n_tokens: int) -> NDArray[np.int64]:
        """The codes of the ``n_tokens`` tokens of ``sentences``, one sentence after another."""
        known = self._known
        tokens = chain.from_iterable(sentences)
        codes = np.fromiter(map(known.get, tokens, repeat(-1)), dtype=np.int64, count=n_tokens)
        if n_tokens and codes.min() < 0:
            every = list(chain.from_iterable(sentences))
            new = {every[i] for i in np.flatnonzero(codes < 0).tolist()}
            if len(known) + len(new) > _TOKEN_MEMORY:
                known = self._known = {}
                new = set(every)
            code = self._code
            for token in new:
                known[token] = code(token)
            codes = np.fromiter(map(known.__getitem__, every), dtype=np.int64, count=n_tokens)
        return codes


def sentence_spans(text: str, start: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each non-blank sentence of ``text`` from ``start`` on, the ending
    punctuation included (:data:`SENTENCE_END`)."""
    spans: list[tuple[int, int]] = []
    position = start
    visible = _VISIBLE.search
    if text.find("\n", start) < 0:
        probe = text.replace("!", ".").replace("?", ".")
        for match in _FULL_STOP_END.finditer(probe, start):
            spans.append((position, match.start() + 1))  # never blank: it holds the "."
            position = match.end()
    else:
        for match in SENTENCE_END.finditer(text, start):
            end, after = match.span()
            if text[end] != "\n":
                end += 1
            if visible(text, position, end):
                spans.append((position, end))
            position = after
    if visible(text, position):
        spans.append((position, len(text)))
    return spans


def _by_sentence(
    mentions: list[MentionTuple], spans: list[tuple[int, int]]
) -> list[tuple[Mention, ...]]:
    """Each span's mentions with offsets relative to its start, in one walk over both
    sorted lists; a mention not inside one span (across a sentence end) is dropped."""
    found = []
    new = tuple.__new__  # a Mention without the named tuple's Python-level __new__
    pending = iter(mentions)
    mention = next(pending, None)
    for begin, end in spans:
        here = []
        while mention is not None and mention[1] < end:
            iso2, start, stop, surface, kind = mention
            if start >= begin and stop <= end:
                here.append(new(Mention, (iso2, start - begin, stop - begin, surface, kind)))
            mention = next(pending, None)
        found.append(tuple(here))
    return found


def _lower_in_place(sentence: str, lowered: str) -> str:
    """``lowered`` if it is as long as ``sentence``; else the sentence lower-cased char by
    char, leaving the few characters whose lower case is longer ("İ") as they are."""
    if len(lowered) == len(sentence):
        return lowered
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in sentence)


def _tokens(lowered: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """The :data:`WORD` tokens of each sentence.

    An ASCII sentence is cut by ``str.split`` once its other characters are spaces: about
    40% less time than the regex, whose cost is mostly per token found. One-letter words
    (in one sentence out of six) are looked for by one set operation rather than a test
    per word; it hashes the words while they are fresh, and TokenCodes reuses the hashes.
    """
    tokens = []
    no_letter = _LETTERS.isdisjoint
    for sentence in lowered:
        if sentence.isascii():
            words = sentence.encode().translate(_SPACE_NON_WORD).decode().split()
            if no_letter(words):
                tokens.append(tuple(words))
            else:
                tokens.append(tuple([word for word in words if len(word) > 1]))
        else:
            tokens.append(tuple(WORD.findall(sentence)))
    return tuple(tokens)


def parse_article(title: str, text: str, gazetteer: Gazetteer) -> ParsedArticle:
    """Split an article into sentences and attach each country mention to its sentence.

    Parameters
    ----------
    title : str
        The headline (sentence 0).
    text : str
        The body; may be empty.
    gazetteer : Gazetteer
        The country matcher.

    Returns
    -------
    ParsedArticle
        Sentences, their mentions (offsets relative to each sentence) and tokens.
    """
    head = " ".join(title.split())
    spans = sentence_spans(text)
    body = [text[a:b] for a, b in spans]
    found = _by_sentence(gazetteer.mention_tuples(text), spans) if spans else []
    sentences = (head, *body)
    lower = [s.lower() for s in sentences]
    same_length = all(map(eq, map(len, sentences), map(len, lower)))
    return ParsedArticle(
        sentences,
        (tuple(gazetteer.find_mentions(head)), *found),
        tuple(lower) if same_length else tuple(map(_lower_in_place, sentences, lower)),
        _tokens(lower),
    )
