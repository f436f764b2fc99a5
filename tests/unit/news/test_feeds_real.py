"""Every real feed snapshot in ../shared/data parses completely, with dates and links."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from service.ingest.news import detect_format
from service.ingest.news.feeds import parse_feed

HAVANNAA = "news-rss-snapshots-havannaa"
WSJ = "wsj-world-rss-orx365/raw_snapshots"

# Items per file, counted independently as <item> elements in the raw bytes.
FEED_ITEMS = {
    f"{HAVANNAA}/aljazeera__2026-08-13T042436Z_153424890c.xml": 25,
    f"{HAVANNAA}/aljazeera__2026-08-13T050033Z_50f99848b4.xml": 25,
    f"{HAVANNAA}/aljazeera__2026-08-13T050935Z_72909e68b6.xml": 25,
    f"{HAVANNAA}/aljazeera__2026-08-13T092435Z_6d40beaa44.xml": 25,
    f"{HAVANNAA}/aljazeera__2026-08-13T092737Z_0c04482fe9.xml": 25,
    f"{HAVANNAA}/bbc_world__2026-08-13T042436Z_153424890c.xml": 28,
    f"{HAVANNAA}/bbc_world__2026-08-13T050033Z_50f99848b4.xml": 28,
    f"{HAVANNAA}/bbc_world__2026-08-13T050935Z_72909e68b6.xml": 30,
    f"{HAVANNAA}/bbc_world__2026-08-13T092435Z_6d40beaa44.xml": 32,
    f"{HAVANNAA}/bbc_world__2026-08-13T092737Z_0c04482fe9.xml": 32,
    f"{HAVANNAA}/bd24live__2026-08-13T042436Z_153424890c.xml": 10,
    f"{HAVANNAA}/bd24live__2026-08-13T092737Z_0c04482fe9.xml": 10,
    f"{HAVANNAA}/indiatoday__2026-08-13T042436Z_153424890c.xml": 131,
    f"{HAVANNAA}/indiatoday__2026-08-13T050033Z_50f99848b4.xml": 131,
    f"{HAVANNAA}/indiatoday__2026-08-13T050935Z_72909e68b6.xml": 131,
    f"{HAVANNAA}/indiatoday__2026-08-13T092435Z_6d40beaa44.xml": 131,
    f"{HAVANNAA}/indiatoday__2026-08-13T092737Z_0c04482fe9.xml": 131,
    f"{HAVANNAA}/mehr__2026-08-13T042436Z_153424890c.xml": 30,
    f"{HAVANNAA}/mehr__2026-08-13T050033Z_50f99848b4.xml": 30,
    f"{HAVANNAA}/mehr__2026-08-13T050935Z_72909e68b6.xml": 30,
    f"{HAVANNAA}/mehr__2026-08-13T092435Z_6d40beaa44.xml": 30,
    f"{HAVANNAA}/mehr__2026-08-13T092737Z_0c04482fe9.xml": 30,
    f"{HAVANNAA}/nyt__2026-08-13T042436Z_153424890c.xml": 57,
    f"{HAVANNAA}/nyt__2026-08-13T050033Z_50f99848b4.xml": 57,
    f"{HAVANNAA}/nyt__2026-08-13T050935Z_72909e68b6.xml": 57,
    f"{HAVANNAA}/nyt__2026-08-13T092435Z_6d40beaa44.xml": 56,
    f"{HAVANNAA}/nyt__2026-08-13T092737Z_0c04482fe9.xml": 56,
    f"{HAVANNAA}/nyt_home__2026-08-13T042436Z_153424890c.xml": 28,
    f"{HAVANNAA}/nyt_home__2026-08-13T050033Z_50f99848b4.xml": 28,
    f"{HAVANNAA}/nyt_home__2026-08-13T050935Z_72909e68b6.xml": 28,
    f"{HAVANNAA}/nyt_home__2026-08-13T092435Z_6d40beaa44.xml": 30,
    f"{HAVANNAA}/nyt_home__2026-08-13T092737Z_0c04482fe9.xml": 30,
    f"{WSJ}/wsj_world__2025-04-19T091851Z_5318f7c867.xml": 56,
    f"{WSJ}/wsj_world__2025-09-19T041424Z_0b0b759d9a.xml": 72,
    f"{WSJ}/wsj_world__2026-02-21T161851Z_8d4a05afe9.xml": 70,
}


def test_every_snapshot_is_listed(shared_data: Path) -> None:
    """A new file in the data set must get its own asserted count, not slip through."""
    on_disk = {
        str(path.relative_to(shared_data))
        for folder in (HAVANNAA, WSJ)
        for path in (shared_data / folder).glob("*.xml")
    }
    assert on_disk == set(FEED_ITEMS)
    assert sum(1 for name in on_disk if name.startswith(HAVANNAA)) == 32


@pytest.mark.parametrize(("name", "count"), sorted(FEED_ITEMS.items()))
def test_real_feed_parses_every_item(shared_data: Path, name: str, count: int) -> None:
    data = (shared_data / name).read_bytes()

    result = parse_feed(data)

    assert detect_format(data, name) == "rss"
    assert detect_format(data, None) == "rss"
    assert len(result.items) == count
    assert result.problems == []
    for article in result.items:
        assert article.title and "<" not in article.title
        assert article.url is not None and article.url.startswith("http")
        assert article.url == article.url.strip()
        assert article.published_at is not None and article.published_at.tzinfo == UTC
        assert article.source


def test_cdata_links_and_offsets_are_normalised(shared_data: Path) -> None:
    """India Today wraps links in CDATA with spaces and dates in +0530."""
    data = (shared_data / HAVANNAA / "indiatoday__2026-08-13T042436Z_153424890c.xml").read_bytes()

    first = parse_feed(data).items[0]

    assert first.url is not None and first.url.startswith("https://www.indiatoday.in/")
    assert first.raw["published"].endswith("+0530")
    assert first.published_at is not None
    assert first.published_at.utcoffset() is not None
    assert "<img" not in first.text and "<a " not in first.text


def test_feed_title_names_the_source_unless_given(shared_data: Path) -> None:
    data = (shared_data / HAVANNAA / "bbc_world__2026-08-13T042436Z_153424890c.xml").read_bytes()

    assert parse_feed(data).items[0].source == "BBC News"
    assert parse_feed(data, source="bbc-world").items[0].source == "bbc-world"
