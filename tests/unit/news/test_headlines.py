"""Headline CSVs, real and synthetic: columns found by name, bad rows reported by line."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.ingest.news import detect_format
from service.ingest.news.headlines import parse_headlines
from service.ingest.records import ParseFailure

# Rows per file as stated in each folder's PROVENANCE.md.
CSV_ROWS = {
    "wsj-world-rss-orx365/wsj_world_items_2025-04_2026-02.csv": 3540,
    "google-news-headlines-wklnd/google_news_top_headlines_2025-07-24_2026-05-31.csv": 50429,
    "reliefweb-titles-2013-2014-luiscape/reliefweb_reports_central_african_republic.csv": 954,
    "reliefweb-titles-2013-2014-luiscape/reliefweb_reports_mali.csv": 988,
    "reliefweb-titles-2013-2014-luiscape/reliefweb_reports_philippines.csv": 961,
    "reliefweb-titles-2013-2014-luiscape/reliefweb_reports_somalia.csv": 997,
    "reliefweb-titles-2013-2014-luiscape/reliefweb_reports_syria.csv": 5239,
}


@pytest.mark.parametrize(("name", "count"), sorted(CSV_ROWS.items()))
def test_real_headline_csv_parses_every_row(shared_data: Path, name: str, count: int) -> None:
    data = (shared_data / name).read_bytes()

    result = parse_headlines(data)

    assert detect_format(data, name) == "csv"
    assert len(result.items) == count
    assert result.problems == []
    assert all(a.title and a.published_at is not None for a in result.items)


def test_wsj_items_take_the_publisher_url_and_standfirst(shared_data: Path) -> None:
    data = (shared_data / "wsj-world-rss-orx365/wsj_world_items_2025-04_2026-02.csv").read_bytes()

    first = parse_headlines(data).items[0]

    assert first.url is not None and first.url.startswith("https://www.wsj.com/")
    assert first.text.startswith("Australia is boosting its defense budget")
    assert first.published_at == datetime(2024, 4, 17, 4, 34, tzinfo=UTC)
    assert first.raw["guid"] == "WP-WSJ-0001710452"


def test_google_headlines_keep_the_outlet_as_source(shared_data: Path) -> None:
    name = "google-news-headlines-wklnd/google_news_top_headlines_2025-07-24_2026-05-31.csv"

    first = parse_headlines((shared_data / name).read_bytes()).items[0]

    assert first.source == "The New York Times"
    assert first.url is None


def test_reliefweb_dates_are_date_only(shared_data: Path) -> None:
    name = "reliefweb-titles-2013-2014-luiscape/reliefweb_reports_mali.csv"

    first = parse_headlines((shared_data / name).read_bytes()).items[0]

    assert first.published_at == datetime(2014, 1, 29, tzinfo=UTC)
    assert first.url == "http://reliefweb.int/node/633260"


def test_columns_given_as_options_win_over_detection() -> None:
    data = b"title;Headline Text;When\nignored;Coup in Niger;2023-07-26\n"

    result = parse_headlines(data, title_column="Headline Text", date_column="When")

    assert [a.title for a in result.items] == ["Coup in Niger"]
    assert result.items[0].published_at == datetime(2023, 7, 26, tzinfo=UTC)


def test_unknown_given_column_is_a_failure() -> None:
    with pytest.raises(ParseFailure, match="no column 'Nope'"):
        parse_headlines(b"title,date\nA,2020-01-01\n", date_column="Nope")


def test_no_title_column_is_a_failure() -> None:
    with pytest.raises(ParseFailure, match="no title column"):
        parse_headlines(b"id,count\n1,2\n")


def test_missing_date_column_is_reported_once() -> None:
    result = parse_headlines(b"headline\tsource\nFuel queues in Bamako\tAFP\n")

    assert [(a.title, a.source, a.published_at) for a in result.items] == [
        ("Fuel queues in Bamako", "AFP", None)
    ]
    assert [p.message for p in result.problems] == ["no date column; rows have no date"]


def test_bad_rows_are_reported_with_their_line_and_good_rows_kept() -> None:
    huge = "x" * 200_000
    data = (
        "title,date,url\n"
        "Good one,2025-01-01,https://example.org/1\n"
        "Too,many,fields,here\n"
        f'"{huge}",2025-01-02,https://example.org/2\n'
        ",2025-01-03,https://example.org/3\n"
        "Bad date,yesterday-ish,https://example.org/4\n"
        "Good two,2025-01-05T10:00:00+01:00,https://example.org/5\n"
    ).encode()

    result = parse_headlines(data)

    assert [a.title for a in result.items] == ["Good one", "Bad date", "Good two"]
    assert [p.location for p in result.problems] == ["line 3", "line 4", "line 5", "line 6"]
    assert "expected 3 fields" in result.problems[0].message
    assert "field larger than field limit" in result.problems[1].message
    assert "unparseable date" in result.problems[3].message
    assert result.items[2].published_at == datetime(2025, 1, 5, 9, 0, tzinfo=UTC)


def test_line_numbers_count_leading_blank_lines() -> None:
    result = parse_headlines(b"\n\ntitle,date\nA,2025-01-01\nB,not a date\n")

    assert [a.title for a in result.items] == ["A", "B"]
    assert [p.location for p in result.problems] == ["line 5"]


def test_latin1_csv_is_decoded_with_a_problem() -> None:
    data = "title,date\nCrise sécuritaire au Mali,2025-10-30\n".encode("cp1252")

    result = parse_headlines(data)

    assert result.items[0].title == "Crise sécuritaire au Mali"
    assert "not valid UTF-8" in result.problems[0].message


def test_empty_csv_is_a_failure() -> None:
    with pytest.raises(ParseFailure, match="empty body"):
        parse_headlines(b"\n\n")
