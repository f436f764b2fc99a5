"""RSS 0.9x/1.0/2.0 and Atom feeds, via feedparser behind a defusedxml gate.

feedparser is forgiving, which is what real feeds need (undeclared entities, wrong
charsets, truncated downloads), but it will expand entity declarations it should never
see. So every document first goes through defusedxml: hostile XML (billion laughs,
external entities) is refused before feedparser reads a byte of it.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import ParseError

import feedparser
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from feedparser import CharacterEncodingOverride

from service.ingest.dates import parse_date
from service.ingest.news.text import MAX_TEXT_CHARS, html_to_text, make_article, normalise_space
from service.ingest.records import Article, ParseFailure, ParseProblem, ParseResult

_ENTITY_DECLARATION = re.compile(rb"<!ENTITY", re.IGNORECASE)
_HTML_START = re.compile(
    rb"^(\xef\xbb\xbf)?\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>])", re.IGNORECASE | re.S
)


def _xml_error(data: bytes) -> str | None:
    """Why expat rejects ``data`` (None if well-formed); ParseFailure if it is hostile."""
    try:
        fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as exc:
        raise ParseFailure(f"refused hostile XML ({type(exc).__name__}: {exc})") from exc
    except (ParseError, LookupError) as exc:
        # A broken document may still hide a declaration expat never reached.
        if _ENTITY_DECLARATION.search(data):
            raise ParseFailure("refused XML with entity declarations") from exc
        return str(exc)
    return None


def _field(entry: Any, key: str) -> Any:
    """``entry[key]`` without feedparser's aliasing (its "updated" alias warns)."""
    return dict.get(entry, key)


def _as_text(detail: Any, value: str) -> str:
    """Plain text from a feedparser value, stripping markup only when it is markup."""
    kind = str(detail.get("type", "")) if isinstance(detail, dict) else ""
    return html_to_text(value) if "html" in kind else normalise_space(value)


def _body(entry: Any) -> str:
    """The richest body the entry has: full content if any, else its summary."""
    for content in _field(entry, "content") or ():
        value = content.get("value") or ""
        if value.strip():
            return _as_text(content, value)
    return _as_text(_field(entry, "summary_detail"), _field(entry, "summary") or "")


def _raw(entry: Any) -> dict[str, Any]:
    """The fields of an entry worth keeping for audit, bounded in size."""
    fields = ("id", "link", "title", "summary", "published", "updated", "author")
    raw: dict[str, Any] = {
        key: str(_field(entry, key))[:MAX_TEXT_CHARS] for key in fields if _field(entry, key)
    }
    tags = [str(tag.get("term")) for tag in _field(entry, "tags") or () if tag.get("term")]
    if tags:
        raw["tags"] = tags
    return raw


def parse_feed(
    data: bytes,
    *,
    source: str | None = None,
    content_type: str | None = None,
    now: datetime | None = None,
) -> ParseResult[Article]:
    """Parse an RSS or Atom document into Articles.

    ``content_type`` is the HTTP Content-Type header, whose charset (when present)
    helps decode feeds that lie about their encoding. ``source`` names the feed when
    given; otherwise the feed's own title does. Raises :class:`ParseFailure` for an
    empty body, hostile XML, an HTML page, or a document with no recoverable items.
    """
    if not data.strip():
        raise ParseFailure("empty body")
    xml_error = _xml_error(data)
    headers = {"content-type": content_type} if content_type else {}
    # A stream, never bytes: feedparser would try to open() bytes as a file name.
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers)
    entries = parsed.entries
    if not parsed.version and not entries:
        if _HTML_START.match(data):
            raise ParseFailure("not a feed: the document is an HTML page")
        raise ParseFailure(f"not an RSS or Atom feed ({xml_error or 'no feed root element'})")
    if xml_error and not entries:
        raise ParseFailure(f"malformed feed with no recoverable items: {xml_error}")

    result: ParseResult[Article] = ParseResult()
    feed_title = _field(parsed.feed, "title")
    name = source or (normalise_space(str(feed_title)) if feed_title else None)
    for number, entry in enumerate(entries, start=1):
        location = f"item {number}"
        article = make_article(
            title=_as_text(_field(entry, "title_detail"), _field(entry, "title") or ""),
            text=_body(entry),
            url=_field(entry, "link"),
            published_at=parse_date(
                _field(entry, "published") or _field(entry, "updated"),
                location=location,
                problems=result.problems,
                now=now,
            ),
            source=name,
            raw=_raw(entry),
            location=location,
            problems=result.problems,
        )
        if article is not None:
            result.items.append(article)
    if parsed.bozo or xml_error:
        reason = parsed.get("bozo_exception") or xml_error
        what = (
            "wrong charset" if isinstance(reason, CharacterEncodingOverride) else "malformed feed"
        )
        message = f"{what} ({reason}); kept {len(result.items)} items"
        result.problems.insert(0, ParseProblem("document", message))
    return result
