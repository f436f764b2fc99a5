"""An article split once into sentences, with the gazetteer's country mentions per sentence.

Everything downstream (mention features, pooled factor texts) reads this one parse, so
the gazetteer runs once per title and once per body.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from models.gazetteer import Gazetteer, Mention

__all__ = ["SENTENCE_END", "ParsedArticle", "parse_article"]

# A sentence ends at ., ! or ? followed by space and a capital, digit or quote, or at a
# line break. The punctuation stays with its sentence.
SENTENCE_END = re.compile(r"[.!?]\s+(?=[\"“‘'A-Z0-9])|\n+")


@dataclass(frozen=True)
class ParsedArticle:
    """An article split into sentences (the title is sentence 0) with mentions per sentence.

    Mention offsets are relative to their sentence.
    """

    sentences: tuple[str, ...]
    mentions: tuple[tuple[Mention, ...], ...]

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


def _split(text: str) -> tuple[list[str], list[int]]:
    """Sentences of a body and their start offsets in it."""
    sentences: list[str] = []
    starts: list[int] = []
    position = 0
    for match in SENTENCE_END.finditer(text):
        end = match.start() + (0 if text[match.start()] == "\n" else 1)
        piece = text[position:end]
        if piece.strip():
            sentences.append(piece)
            starts.append(position)
        position = match.end()
    piece = text[position:]
    if piece.strip():
        sentences.append(piece)
        starts.append(position)
    return sentences, starts


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
        Sentences and their mentions, offsets relative to each sentence.
    """
    head = " ".join(title.split())
    body, starts = _split(text) if text else ([], [])
    title_mentions = tuple(gazetteer.find_mentions(head))
    found: list[list[Mention]] = [[] for _ in body]
    if body:
        for m in gazetteer.find_mentions(text):
            i = bisect_right(starts, m.start) - 1
            if i < 0 or m.end > starts[i] + len(body[i]):
                continue
            offset = starts[i]
            found[i].append(m.shifted(-offset))
    return ParsedArticle((head, *body), (title_mentions, *(tuple(f) for f in found)))
