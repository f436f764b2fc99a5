"""Our own import for advisory history: CSV, JSON Lines, or a JSON document of records.

Fields are ``source, country, level, native, published_at, url, text``; a ``mapping`` of our
field -> theirs reads other layouts (dotted paths such as ``country.alpha_2`` for nested
JSON, and ``$.``-prefixed paths such as ``$.last_updated`` for a value of the whole document,
e.g. a snapshot's date). The native wording of every source in levels.py is understood.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Mapping
from typing import Any, Literal

from ..records import AdvisoryRecord, ParseFailure, ParseProblem, ParseResult
from .common import error, indicators_for, load_json, parse_timestamp, resolve_country, unmapped
from .levels import LEVEL_WORDS, ca_has_regional_suffix, level_for, not_a_level_reason

FIELDS = ("source", "country", "level", "native", "published_at", "url", "text")
ROOT_PREFIX = "$."

# Source names used by other datasets (the marcolussetti scraper's folder names) -> our ids.
SOURCE_ALIASES: Mapping[str, str] = {
    "canada": "ca",
    "unitedkingdom": "uk-fcdo",
    "uk": "uk-fcdo",
    "ireland": "ie",
    "unitedstates": "us-state",
    "us": "us-state",
    "australia": "au",
    "germany": "de",
}

Format = Literal["csv", "jsonl", "json"]


def parse_generic(
    data: bytes,
    *,
    source: str | None = None,
    mapping: Mapping[str, str] | None = None,
    records_key: str | None = None,
    fmt: Format | None = None,
) -> ParseResult[AdvisoryRecord]:
    """Parse advisory rows of any known source; ``source`` is the default for rows without one."""
    fields = {field: field for field in FIELDS}
    unknown = set(mapping or {}) - set(FIELDS)
    if unknown:
        raise ParseFailure(f"generic: mapping names unknown fields {sorted(unknown)}")
    fields.update(mapping or {})
    text = _decode(data)
    chosen = fmt or _sniff(text)
    root: Any = None
    if chosen == "csv":
        records = _csv_records(text, fields["country"])
    elif chosen == "jsonl":
        records = _jsonl_records(text)
    else:
        root = load_json(data, "generic")
        records = _json_records(root, records_key)
    result: ParseResult[AdvisoryRecord] = ParseResult()
    for location, record in records:
        outcome = _record(record, location, fields, root, source)
        if isinstance(outcome, ParseProblem):
            result.problems.append(outcome)
        else:
            result.items.append(outcome)
    return result


def _decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ParseFailure(f"generic: not UTF-8 text ({exc.reason} at byte {exc.start})") from exc


def _sniff(text: str) -> Format:
    """JSON when the whole text is one JSON value, JSON Lines when each line is, else CSV."""
    stripped = text.strip()
    if stripped[:1] in ("{", "["):
        try:
            json.loads(stripped)
            return "json"
        except json.JSONDecodeError:
            return "jsonl"
    return "csv"


def _csv_records(text: str, country_field: str) -> Iterator[tuple[str, Any]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or country_field not in reader.fieldnames:
        raise ParseFailure(f"generic: CSV header has no {country_field!r} column")
    width = len(reader.fieldnames)
    for row in reader:
        location = f"line {reader.line_num}"
        if None in row or any(value is None for value in row.values()):
            yield location, ParseFailure(f"row does not have the header's {width} fields")
        else:
            yield location, row


def _jsonl_records(text: str) -> Iterator[tuple[str, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield f"line {number}", json.loads(line)
        except json.JSONDecodeError as exc:
            yield f"line {number}", ParseFailure(f"not valid JSON ({exc.msg})")


def _json_records(root: Any, records_key: str | None) -> Iterator[tuple[str, Any]]:
    records = _get(root, records_key) if records_key else root
    if not isinstance(records, list):
        where = f"key {records_key!r}" if records_key else "the document (give records_key)"
        raise ParseFailure(f"generic: expected a list of records at {where}")
    prefix = records_key or ""
    for index, record in enumerate(records):
        yield f"{prefix}[{index}]", record


def _get(value: Any, path: str) -> Any:
    for part in path.split("."):
        if isinstance(value, dict):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def _field(record: Mapping[str, Any], root: Any, path: str) -> Any:
    if path.startswith(ROOT_PREFIX):
        return _get(root, path.removeprefix(ROOT_PREFIX))
    return record.get(path) if path in record else _get(record, path)


def _record(
    record: Any, location: str, fields: Mapping[str, str], root: Any, default_source: str | None
) -> AdvisoryRecord | ParseProblem:
    if isinstance(record, ParseFailure):
        return error(location, str(record))
    if not isinstance(record, dict):
        return error(location, f"expected an object, got {type(record).__name__}")
    values = {field: _field(record, root, path) for field, path in fields.items()}
    wrong = [f for f in ("source", "native", "url", "text") if _not_text(values[f])]
    if wrong:
        return error(location, f"fields must be text: {', '.join(wrong)}")
    given_source = values["source"] or default_source
    if not given_source:
        return error(location, "no source: pass source= or map a source field")
    source = SOURCE_ALIASES.get(given_source.lower(), given_source)
    if source not in LEVEL_WORDS:
        return error(location, f"unknown source {given_source!r}")
    country = values["country"]
    where = f"{location} ({country})" if isinstance(country, str) and country else location
    iso2 = resolve_country(where, country)
    if isinstance(iso2, ParseProblem):
        return iso2
    level = _level(where, source, values["level"], values["native"])
    if isinstance(level, ParseProblem):
        return level
    try:
        published = parse_timestamp(values["published_at"])
    except ValueError as exc:
        return error(where, f"published_at: {exc}")
    native = values["native"] or f"level {level}"
    text = values["text"] or ""
    return AdvisoryRecord(
        source=source,
        country_iso2=iso2,
        level=level,
        native=native,
        published_at=published,
        url=values["url"] or None,
        text=text,
        indicators=indicators_for(text),
        regional_state="unknown" if source == "ca" and ca_has_regional_suffix(native) else "none",
        raw=record,
    )


def _not_text(value: Any) -> bool:
    return value is not None and not isinstance(value, str)


def _level(where: str, source: str, level: Any, native: str | None) -> int | ParseProblem:
    """The level from the number, the wording, or both (which must then agree).

    A wording the source uses for "no level" (US "Other", Irish "No summary found") wins over
    any number beside it, since scrapers put sentinels such as -1 there.
    """
    reason = not_a_level_reason(source, native) if native else None
    if reason:
        return unmapped(where, reason)
    number: int | None = None
    if level not in (None, ""):
        try:
            number = int(level) if not isinstance(level, bool | float) else None
        except (TypeError, ValueError):
            number = None
        if number not in (1, 2, 3, 4):
            return error(where, f"level must be 1-4, got {level!r}")
    from_words = level_for(source, native) if native else None
    if native and from_words is None and number is None:
        return error(where, f"unknown {source} wording {native!r}")
    if number is not None and from_words is not None and number != from_words:
        return error(where, f"level {number} contradicts {native!r} (level {from_words})")
    resolved = number or from_words
    return resolved if resolved is not None else unmapped(where, "no level given")
