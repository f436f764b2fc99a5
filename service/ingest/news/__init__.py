"""News parsers by format id, and the sniffing that picks one for a file.

Every parser takes the raw bytes plus keyword options and returns a
``ParseResult[Article]``; it raises ``ParseFailure`` only when the input as a whole
is unusable. All accept ``source=`` (the name for items that carry none); all but
"txt" accept ``now=`` (the reference for refusing future dates). Format-specific:
"rss" ``content_type=`` (the HTTP header, for its charset), "csv" ``title_column=`` and
``date_column=``, "gdelt-events" ``resolve_country=``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import PurePath

from service.ingest.news.articles import parse_jsonl, parse_text
from service.ingest.news.feeds import parse_feed
from service.ingest.news.gdelt import EVENT_COLUMNS, parse_gdelt_doc, parse_gdelt_events
from service.ingest.news.headlines import TITLE_NAMES, parse_headlines
from service.ingest.news.updates import looks_like_updates, parse_updates
from service.ingest.records import Article, ParseResult

PARSERS: dict[str, Callable[..., ParseResult[Article]]] = {
    "rss": parse_feed,
    "gdelt-doc": parse_gdelt_doc,
    "gdelt-events": parse_gdelt_events,
    "jsonl": parse_jsonl,
    "txt": parse_text,
    "csv": parse_headlines,
    "advisory-updates": parse_updates,
}

_BY_EXTENSION = {
    ".rss": "rss", ".atom": "rss", ".rdf": "rss", ".xml": "rss",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".txt": "txt",
}  # fmt: skip
_FEED_ROOT = re.compile(r"<(rss|feed|rdf:RDF)[\s>]")
_SNIFF_BYTES = 64 * 1024


def _first_line(head: str) -> str:
    return head.partition("\n")[0].strip()


def _is_events_export(head: str) -> bool:
    return _first_line(head).count("\t") == EVENT_COLUMNS - 1


def _json_format(data: bytes, head: str) -> str | None:
    """ "gdelt-doc" for an ArtList answer, "jsonl" for object-per-line JSON, else None."""
    try:
        document = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        document = None
    if isinstance(document, dict) and "articles" in document:
        return "gdelt-doc"
    try:
        first = json.loads(_first_line(head))
    except json.JSONDecodeError:
        return None
    if looks_like_updates(first):
        return "advisory-updates"
    # Our article shape has a title; other JSON Lines (advisory history) are not news.
    return "jsonl" if isinstance(first, dict) and "title" in first else None


def _jsonl_kind(head: str) -> str | None:
    """For a .jsonl file: update reasons, our articles, or (a JSON object without a title,
    e.g. advisory history for the generic import) not news at all. A first line that is
    not JSON is left to the article parser, which reports it with its line number."""
    try:
        first = json.loads(_first_line(head))
    except json.JSONDecodeError:
        return "jsonl"
    if looks_like_updates(first):
        return "advisory-updates"
    return None if isinstance(first, dict) and "title" not in first else "jsonl"


def _has_title_column(head: str) -> bool:
    header = _first_line(head).lower()
    cells = re.split(r"[,;\t|]", header)
    return any(cell.strip().strip("\"'") in TITLE_NAMES for cell in cells)


def detect_format(data: bytes, filename: str | None) -> str | None:
    """The PARSERS key for ``data``, from its file name first, else from its content.

    Returns None when neither says which news format it is (the caller reports that
    rather than guessing; advisory formats are detected elsewhere).
    """
    head = data[:_SNIFF_BYTES].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    extension = PurePath(filename).suffix.lower() if filename else ""
    if extension in _BY_EXTENSION:
        if _BY_EXTENSION[extension] == "jsonl":
            return _jsonl_kind(head)
        return _BY_EXTENSION[extension]
    if extension in (".csv", ".tsv"):
        return "gdelt-events" if _is_events_export(head) else "csv"
    if extension == ".json" or head.startswith(("{", "[")):
        return _json_format(data, head)
    if head.startswith("<"):
        return "rss" if _FEED_ROOT.search(head) else None
    if _is_events_export(head):
        return "gdelt-events"
    return "csv" if _has_title_column(head) else None
