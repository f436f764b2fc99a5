"""Helpers every news parser shares: decoding bytes, HTML to text, building a clean Article.

Kept in one place so that all formats obey the same limits: a 1 MB "title" from a
broken feed is clipped the same way whether it came from RSS, JSONL or CSV.
"""

from __future__ import annotations

import codecs
import re
from datetime import datetime
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

from charset_normalizer import from_bytes

from service.ingest.records import Article, ParseFailure, ParseProblem

#: Real headlines are under 300 characters; anything far longer is a broken feed.
MAX_TITLE_CHARS = 1_000
#: Enough for a long article; bounds what one bad item can cost downstream.
MAX_TEXT_CHARS = 100_000

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_BLOCK_TAGS = frozenset({
    "br", "p", "div", "li", "ul", "ol", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "section", "article", "header", "footer", "figure", "figcaption", "hr",
})  # fmt: skip
_INVISIBLE_TAGS = frozenset({"script", "style", "template", "noscript", "iframe", "object"})
# Only runs that change: a lone space matches nothing, so prose needs few substitutions.
_SPACES = re.compile(r"[\t\r\f\v\u00a0][ \t\r\f\v\u00a0]*| [ \t\r\f\v\u00a0]+")
_BLANK_LINES = re.compile(r"[^\S\n]*\n\s*")


def decode_bytes(data: bytes, *, problems: list[ParseProblem]) -> str:
    """Decode as UTF-8 (BOMs honoured), else as the detected charset with a problem noted.

    Raises :class:`ParseFailure` when no charset fits (binary data, not text).
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise ParseFailure(f"byte order mark says {encoding} but: {exc}") from exc
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        detected = _detect_charset(data)
        if detected is None:
            raise ParseFailure(f"not text: no charset decodes these bytes ({exc})") from exc
        problems.append(
            ParseProblem(
                "document",
                f"not valid UTF-8 ({exc.reason} at byte {exc.start}); decoded as {detected}",
            )
        )
        return data.decode(detected)


def _detect_charset(data: bytes) -> str | None:
    """charset-normalizer's best guess, with ties going to windows-1252.

    Short Western text fits several code pages equally well; windows-1252 is what
    browsers (and feedparser) fall back to, so it is the likeliest meaning of a tie.
    """
    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return None
    tied = (match for match in matches if match.chaos == best.chaos)
    if any("cp1252" in match.could_be_from_charset for match in tied):
        return "cp1252"
    return best.encoding


class _TextExtractor(HTMLParser):
    """Collects the visible text of an HTML fragment; never executes or fetches anything."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _INVISIBLE_TAGS:
            self._hidden_depth = max(0, self._hidden_depth - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth:
            self.parts.append(data)


def normalise_space(text: str) -> str:
    """Collapse runs of spaces; keep single line breaks between paragraphs."""
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = _BLANK_LINES.sub("\n", text)
    return text.strip()


def html_to_text(fragment: str) -> str:
    """The visible text of an HTML fragment, entities decoded, scripts and styles dropped."""
    if "<" not in fragment and "&" not in fragment:
        return normalise_space(fragment)
    extractor = _TextExtractor()
    extractor.feed(fragment)
    extractor.close()
    return normalise_space("".join(extractor.parts))


def clip(value: str, limit: int, *, what: str, location: str, problems: list[ParseProblem]) -> str:
    """``value`` cut to ``limit`` characters, with a problem noted when it was cut."""
    if len(value) <= limit:
        return value
    problems.append(
        ParseProblem(location, f"{what} of {len(value)} characters truncated to {limit}")
    )
    return value[:limit]


def bounded(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with long strings cut, so that audit copies cannot outgrow the article."""
    return {
        key: value[:MAX_TEXT_CHARS] if isinstance(value, str) else value
        for key, value in raw.items()
    }


def clean_url(value: str | None, *, location: str, problems: list[ParseProblem]) -> str | None:
    """An http(s) URL or None: other schemes (javascript:, file:) must never reach a page."""
    if not value or not value.strip():
        return None
    url = value.strip()
    if urlsplit(url).scheme.lower() in ("http", "https") and len(url) <= 2048:
        return url
    problems.append(ParseProblem(location, f"unusable URL {url[:80]!r} dropped"))
    return None


def make_article(
    *,
    title: str,
    text: str,
    url: str | None,
    published_at: datetime | None,
    source: str | None,
    raw: dict[str, Any],
    location: str,
    problems: list[ParseProblem],
) -> Article | None:
    """A normalised Article, or None (with a problem) when there is nothing to analyse.

    ``title`` and ``text`` must already be plain text. A missing title falls back to
    the text's first line, because headline-less items still carry evidence.
    """
    title = normalise_space(title).replace("\n", " ")
    text = normalise_space(text)
    if not title:
        title = text.split("\n", 1)[0]
    if not title:
        problems.append(ParseProblem(location, "no title and no text; skipped"))
        return None
    return Article(
        title=clip(title, MAX_TITLE_CHARS, what="title", location=location, problems=problems),
        text=clip(text, MAX_TEXT_CHARS, what="text", location=location, problems=problems),
        url=clean_url(url, location=location, problems=problems),
        published_at=published_at,
        source=(normalise_space(source)[:200] or None) if source else None,
        raw=raw,
    )
