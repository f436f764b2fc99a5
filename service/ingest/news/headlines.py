"""Headline CSVs: one article a row, with a title column and (usually) a date column.

Such files come from scrapers and archives, each naming its columns differently
("title", "headline"; "pub_date_utc", "date.created", "first_seen_utc"), so the columns
can be given or are found among common names. Cells over the csv module's field limit
(128 KiB) are reported and their row skipped.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from service.ingest.dates import parse_date
from service.ingest.news.text import bounded, decode_bytes, make_article
from service.ingest.records import Article, ParseFailure, ParseProblem, ParseResult

# Candidate names per role, best first, compared without case or punctuation.
TITLE_NAMES = ("title", "headline", "headlines", "heading")
DATE_NAMES = (
    "publishedat", "pubdateutc", "pubdate", "published", "publicationdate", "date",
    "datetime", "datecreated", "createdat", "created", "timestamp", "seendate",
    "firstseenutc", "firstseen", "time",
)  # fmt: skip
URL_NAMES = ("url", "originalurl", "articleurl", "link", "rwurl", "sourceurl", "linkinfeed")
TEXT_NAMES = ("text", "description", "summary", "standfirst", "body", "content", "abstract")
SOURCE_NAMES = ("source", "outlet", "publisher", "sitename", "domain")

_DELIMITERS = ",;\t|"
_NOT_ALNUM = re.compile(r"[^a-z0-9]")


def _key(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    """Index of the first column whose name is one of ``names`` (in their order)."""
    keys = [_key(name) for name in header]
    return next((keys.index(name) for name in names if name in keys), None)


def _column(header: list[str], given: str | None, names: tuple[str, ...]) -> int | None:
    """Index of the column given by name, else the best auto-detected one."""
    if given is None:
        return _find(header, names)
    if given not in header:
        raise ParseFailure(f"no column {given!r}; columns are {header}")
    return header.index(given)


def parse_headlines(
    data: bytes,
    *,
    title_column: str | None = None,
    date_column: str | None = None,
    source: str | None = None,
    now: datetime | None = None,
) -> ParseResult[Article]:
    """Parse a headline CSV (comma, semicolon, tab or pipe separated, header row first).

    URL, text and outlet columns are picked up when present under common names;
    ``source`` is used for rows without an outlet. Raises :class:`ParseFailure` when
    there is no header or no title column.
    """
    result: ParseResult[Article] = ParseResult()
    content = decode_bytes(data, problems=result.problems)
    first_line = next((line for line in content.splitlines() if line.strip()), "")
    if not first_line:
        raise ParseFailure("empty body")
    delimiter = max(_DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(content, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(row for row in reader if any(row))]
    except csv.Error as exc:
        raise ParseFailure(f"unreadable CSV header: {exc}") from exc
    title_at = _column(header, title_column, TITLE_NAMES)
    if title_at is None:
        raise ParseFailure(f"no title column (looked for {TITLE_NAMES}); columns are {header}")
    date_at = _column(header, date_column, DATE_NAMES)
    if date_at is None:
        result.problems.append(ParseProblem("line 1", "no date column; rows have no date"))
    url_at, text_at, source_at = (
        _find(header, names) for names in (URL_NAMES, TEXT_NAMES, SOURCE_NAMES)
    )

    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            result.problems.append(ParseProblem(f"line {reader.line_num}", str(exc)))
            continue
        location = f"line {reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            result.problems.append(
                ParseProblem(location, f"expected {len(header)} fields, got {len(row)}")
            )
            continue
        article = make_article(
            title=row[title_at],
            text=row[text_at] if text_at is not None else "",
            url=row[url_at] if url_at is not None else None,
            published_at=parse_date(
                row[date_at] if date_at is not None else None,
                location=location,
                problems=result.problems,
                now=now,
            ),
            source=(row[source_at] if source_at is not None else None) or source,
            raw=bounded(dict(zip(header, row, strict=True))),
            location=location,
            problems=result.problems,
        )
        if article is not None:
            result.items.append(article)
    return result
