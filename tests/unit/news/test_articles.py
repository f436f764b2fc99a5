"""Article JSONL and .txt files: good lines kept, bad ones reported by line number."""

from __future__ import annotations

import codecs
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.ingest.news.articles import parse_jsonl, parse_text
from service.ingest.news.text import MAX_TITLE_CHARS
from service.ingest.records import ParseFailure

NOW = datetime(2026, 8, 13, 12, 0, tzinfo=UTC)


def jsonl(*objects: object) -> bytes:
    return "\n".join(json.dumps(o, ensure_ascii=False) for o in objects).encode()


GOOD = {
    "title": "France withdraws diplomatic staff from Mali",
    "text": "Paris cites a worsening security situation.",
    "url": "https://example.org/mali",
    "published_at": "2025-10-30T08:00:00Z",
    "source": "Example Wire",
}


def test_full_article_line() -> None:
    article = parse_jsonl(jsonl(GOOD), now=NOW).items[0]

    assert (article.title, article.text, article.url, article.source) == (
        GOOD["title"], GOOD["text"], GOOD["url"], GOOD["source"],
    )  # fmt: skip
    assert article.published_at == datetime(2025, 10, 30, 8, 0, tzinfo=UTC)
    assert article.raw == GOOD


def test_one_broken_line_among_good_ones() -> None:
    data = jsonl(GOOD, {"title": "Second"}) + b'\n{"title": "cut off\n' + jsonl({"title": "Fourth"})

    result = parse_jsonl(data, now=NOW)

    assert [a.title for a in result.items] == [GOOD["title"], "Second", "Fourth"]
    assert [(p.location, p.message.split(":")[0]) for p in result.problems] == [
        ("line 3", "not JSON")
    ]


def test_wrong_types_are_one_problem_per_line() -> None:
    data = jsonl(
        {"title": 42, "text": "x"},
        {"title": "ok", "text": ["not", "a", "string"], "url": 7},
        [1, 2, 3],
        {"text": "no title"},
        GOOD,
    )

    result = parse_jsonl(data, now=NOW)

    assert [a.title for a in result.items] == [GOOD["title"]]
    assert [(p.location, p.message) for p in result.problems] == [
        ("line 1", "'title' must be a string, got int"),
        ("line 2", "'text' must be a string, got list; 'url' must be a string, got int"),
        ("line 3", "expected a JSON object, got list"),
        ("line 4", "'title' is missing or empty"),
    ]


def test_future_and_unparseable_dates_keep_the_article_without_a_date() -> None:
    data = jsonl(
        {"title": "From the future", "published_at": "2030-01-01T00:00:00Z"},
        {"title": "Undated", "published_at": "the other day"},
        {"title": "Tomorrow is tolerated", "published_at": "2026-08-14T06:00:00Z"},
    )

    result = parse_jsonl(data, now=NOW)

    assert [a.published_at for a in result.items] == [
        None, None, datetime(2026, 8, 14, 6, 0, tzinfo=UTC),
    ]  # fmt: skip
    assert [p.location for p in result.problems] == ["line 1", "line 2"]


def test_megabyte_title_is_truncated() -> None:
    result = parse_jsonl(jsonl({"title": "T" * 1_048_576, "text": "body"}))

    assert len(result.items[0].title) == MAX_TITLE_CHARS
    assert "truncated" in result.problems[0].message


def test_bom_is_skipped() -> None:
    result = parse_jsonl(codecs.BOM_UTF8 + jsonl({"title": "Grève"}))

    assert [a.title for a in result.items] == ["Grève"]
    assert result.problems == []


def test_wrong_charset_falls_back_with_a_problem() -> None:
    data = json.dumps({"title": "Pénurie de carburant à Bamako"}, ensure_ascii=False)

    result = parse_jsonl(data.encode("cp1252"))

    assert result.items[0].title == "Pénurie de carburant à Bamako"
    assert result.problems[0].location == "document"
    assert "not valid UTF-8" in result.problems[0].message


@pytest.mark.parametrize(
    ("data", "reason"),
    [(b"", "empty body"), (b"\n \n", "empty body"), (b"<html>oops</html>\n", "not JSON")],
    ids=["empty", "blank-lines", "html"],
)
def test_unusable_input_is_a_failure(data: bytes, reason: str) -> None:
    with pytest.raises(ParseFailure, match=reason):
        parse_jsonl(data)


def test_binary_input_is_a_failure() -> None:
    with pytest.raises(ParseFailure):
        parse_jsonl(bytes(range(256)) * 4)


def test_text_file_first_line_is_the_title(seed_article: Path) -> None:
    result = parse_text(seed_article.read_bytes(), source="seed")

    article = result.items[0]
    assert article.title.startswith("France Withdraws Diplomatic Staff from Mali")
    assert article.text.startswith("PARIS")
    assert "\n" in article.text
    assert article.source == "seed"
    assert result.problems == []


def test_text_file_skips_leading_blank_lines() -> None:
    result = parse_text(b"\r\n\r\n  Embassy shut \r\n\r\nStaff left.\r\nMore.\r\n")

    assert (result.items[0].title, result.items[0].text) == ("Embassy shut", "Staff left.\nMore.")


def test_empty_text_file_is_a_failure() -> None:
    with pytest.raises(ParseFailure, match="empty body"):
        parse_text(b" \n\t\n")
