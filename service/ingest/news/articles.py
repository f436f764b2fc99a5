"""Our own article files: JSON Lines (one article an object) and plain ``.txt`` (one article).

The JSONL shape is DESIGN.md's: ``{"title": str, "text": str, "url": str?,
"published_at": ISO-8601?, "source": str?}``. A line that breaks the shape is reported
with its line number and skipped, so one bad line never costs the good ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from service.ingest.dates import parse_date
from service.ingest.news.text import bounded, decode_bytes, make_article
from service.ingest.records import Article, ParseFailure, ParseProblem, ParseResult

_STRING_FIELDS = ("title", "text", "url", "published_at", "source")


def _shape_error(obj: Any) -> str | None:
    """What is wrong with one decoded JSONL value, or None when it is an article."""
    if not isinstance(obj, dict):
        return f"expected a JSON object, got {type(obj).__name__}"
    wrong = [
        f"{key!r} must be a string, got {type(obj[key]).__name__}"
        for key in _STRING_FIELDS
        if obj.get(key) is not None and not isinstance(obj[key], str)
    ]
    if wrong:
        return "; ".join(wrong)
    if not (obj.get("title") or "").strip():
        return "'title' is missing or empty"
    return None


def json_lines(
    content: str, result: ParseResult[Article], *, what: str
) -> Iterator[tuple[str, Any]]:
    """Each non-blank line's location and decoded value; undecodable lines become problems.

    Raises :class:`ParseFailure` (naming ``what``) when not a single line is JSON.
    """
    any_json = False
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        location = f"line {number}"
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            result.problems.append(ParseProblem(location, f"not JSON: {exc.msg}"))
            continue
        any_json = True
        yield location, value
    if not any_json:
        first = result.errors[0].message if result.errors else "empty body"
        raise ParseFailure(f"not JSON Lines of {what} ({first})")


def parse_jsonl(
    data: bytes, *, source: str | None = None, now: datetime | None = None
) -> ParseResult[Article]:
    """Parse article JSON Lines; bad lines become problems ("line N: ...").

    ``text`` may be absent (a headline-only article); every present field must be a
    string. ``source`` is used for objects that name none. Raises
    :class:`ParseFailure` for an empty body or when not a single line is JSON.
    """
    result: ParseResult[Article] = ParseResult()
    content = decode_bytes(data, problems=result.problems)
    for location, obj in json_lines(content, result, what="articles"):
        error = _shape_error(obj)
        if error:
            result.problems.append(ParseProblem(location, error))
            continue
        article = make_article(
            title=obj["title"],
            text=obj.get("text") or "",
            url=obj.get("url"),
            published_at=parse_date(
                obj.get("published_at"), location=location, problems=result.problems, now=now
            ),
            source=obj.get("source") or source,
            raw=bounded(obj),
            location=location,
            problems=result.problems,
        )
        if article is not None:
            result.items.append(article)
    return result


def parse_text(data: bytes, *, source: str | None = None) -> ParseResult[Article]:
    """Parse a ``.txt`` article: first non-empty line the title, the rest the text.

    Raises :class:`ParseFailure` when the file holds no text at all.
    """
    result: ParseResult[Article] = ParseResult()
    content = decode_bytes(data, problems=result.problems).strip()
    if not content:
        raise ParseFailure("empty body")
    title, _, text = content.partition("\n")
    article = make_article(
        title=title,
        text=text,
        url=None,
        published_at=None,
        source=source,
        raw={},
        location="line 1",
        problems=result.problems,
    )
    if article is not None:
        result.items.append(article)
    return result
