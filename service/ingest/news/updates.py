"""Official advisory *update reasons* as articles ("advisory-updates").

Governments say why they changed their advice ("Updated information on fuel shortages",
"embassy staff withdrawn") long before, or without, changing the level. Those reasons
are evidence about the country, so they are analysed like news: each becomes an
article titled "<country>: travel advice update", from the source "<government>-advice".

The layout is the advisory-history scraper's JSONL (one object a line with ``source``
and ``info.name``, ``info.update_reason``, ``info.update_date``); flat objects with
``country``, ``reason``, ``published_at`` and ``source`` are read too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from service.ingest.dates import parse_date
from service.ingest.news.articles import json_lines
from service.ingest.news.text import bounded, decode_bytes, make_article
from service.ingest.records import Article, ParseProblem, ParseResult

# The scraper's names for governments, mapped to our advisory source ids.
GOVERNMENTS = {
    "unitedkingdom": "uk-fcdo",
    "unitedstates": "us-state",
    "canada": "ca",
    "australia": "au",
    "ireland": "ie",
}


def _fields(obj: dict[str, Any]) -> tuple[Any, Any, Any, Any]:
    info = obj.get("info")
    if isinstance(info, dict):
        return (
            info.get("name"),
            info.get("update_reason"),
            info.get("update_date"),
            obj.get("source"),
        )
    return obj.get("country"), obj.get("reason"), obj.get("published_at"), obj.get("source")


def looks_like_updates(first: object) -> bool:
    """True for the first object of an update-reason file (used by format detection)."""
    if not isinstance(first, dict):
        return False
    info = first.get("info")
    return (isinstance(info, dict) and "update_reason" in info) or {"country", "reason"} <= set(
        first
    )


def parse_updates(
    data: bytes, *, source: str | None = None, now: datetime | None = None
) -> ParseResult[Article]:
    """One article per line with a reason; a line without one is reported and skipped.

    Raises :class:`ParseFailure` for an empty body or when no line is JSON.
    """
    result: ParseResult[Article] = ParseResult()
    content = decode_bytes(data, problems=result.problems)
    for location, obj in json_lines(content, result, what="advisory update reasons"):
        if not isinstance(obj, dict):
            result.problems.append(ParseProblem(location, "expected a JSON object"))
            continue
        country, reason, published, government = _fields(obj)
        if not isinstance(country, str) or not country.strip():
            result.problems.append(ParseProblem(location, "no country name"))
            continue
        if not isinstance(reason, str) or not reason.strip():
            result.problems.append(
                ParseProblem(location, f"{country}: no update reason", kind="unmapped")
            )
            continue
        name = GOVERNMENTS.get(str(government), str(government or source or "official"))
        article = make_article(
            title=f"{country.strip()}: travel advice update",
            text=reason,
            url=None,
            published_at=parse_date(
                published if isinstance(published, str) else None,
                location=location,
                problems=result.problems,
                now=now,
            ),
            source=f"{name}-advice",
            raw=bounded(obj),
            location=location,
            problems=result.problems,
        )
        if article is not None:
            result.items.append(article)
    return result
