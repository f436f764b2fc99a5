"""Real feeds from ../shared/data through parse -> analyse -> store: each story stored once.

Snapshots of one feed overlap (the same items an hour later), so ingesting them in
order, and then all over again, is what a scheduler polling that feed does.
"""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.extensions import runtime
from service.ingest.news.feeds import parse_feed
from service.ingest.pipeline import IngestReport, ingest_bytes
from service.ingest.urls import canonical_url
from service.storage.db import db
from service.storage.tables import Signal

pytestmark = pytest.mark.timeout(60)

HAVANNAA = "news-rss-snapshots-havannaa"
WSJ = "wsj-world-rss-orx365"
FAMILIES = ["aljazeera", "bbc_world", "bd24live", "indiatoday", "mehr", "nyt", "nyt_home", "wsj"]


def snapshots(shared_data: Path, family: str) -> list[Path]:
    folder = shared_data / (f"{WSJ}/raw_snapshots" if family == "wsj" else HAVANNAA)
    files = sorted(folder.glob(f"{'wsj_world' if family == 'wsj' else family}__*.xml"))
    assert files, family
    return files


def ingest(app: Flask, data: bytes, name: str) -> IngestReport:
    with app.app_context():
        return ingest_bytes(
            data,
            filename=name,
            fmt=None,
            analyzer=runtime().analyzer,
            session_scope=db.session_scope,
        )


def count(session: Session) -> int:
    return session.scalar(select(func.count(Signal.id))) or 0


@pytest.mark.parametrize("family", FAMILIES)
def test_ingesting_a_real_feed_again_stores_nothing_new(
    app: Flask, session: Session, shared_data: Path, family: str
) -> None:
    files = snapshots(shared_data, family)
    per_file = [
        {canonical_url(a.url) for a in parse_feed(path.read_bytes()).items} for path in files
    ]
    links = set().union(*per_file)
    first = [ingest(app, path.read_bytes(), path.name) for path in files]
    stored = count(session)

    again = [ingest(app, path.read_bytes(), path.name) for path in files]

    assert sum(r.new for r in first) == stored
    # A first snapshot is all new, except items the feed itself lists twice (India Today).
    assert first[0].new == len(per_file[0])
    assert [r.new for r in again] == [0] * len(files)
    assert [r.duplicates for r in again] == [r.seen for r in again]
    assert count(session) == stored
    # Every item has a link; the same link (less tracking parameters) is one story.
    assert None not in links
    assert stored <= len(links)
    assert stored >= max(r.seen for r in first)


def test_the_same_story_from_two_feeds_is_stored_once(
    app: Flask, session: Session, shared_data: Path
) -> None:
    """A real BBC item, carried again by an aggregator with other tracking parameters."""
    path = snapshots(shared_data, "bbc_world")[0]
    item = parse_feed(path.read_bytes()).items[0]
    assert item.url is not None and "at_medium=RSS" in item.url
    base = item.url.split("?")[0]
    aggregator = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Aggregator</title>'
        f"<item><title>{item.title} (via Aggregator)</title>"
        f"<link>{base}?utm_source=aggregator&amp;utm_medium=rss#comments</link>"
        "<description>Shared from BBC News.</description></item></channel></rss>"
    ).encode()

    from_bbc = ingest(app, path.read_bytes(), path.name)
    from_aggregator = ingest(app, aggregator, "aggregator.xml")

    assert from_bbc.new == from_bbc.seen
    assert (from_aggregator.seen, from_aggregator.new, from_aggregator.duplicates) == (1, 0, 1)
    assert count(session) == from_bbc.new
    titles = session.scalars(select(Signal.title).where(Signal.url.like(f"{base}%"))).all()
    assert titles == [item.title]  # the first version is kept, not overwritten


def test_a_broken_jsonl_line_among_real_articles_is_reported_by_line(
    runner: FlaskCliRunner, session: Session, shared_data: Path, tmp_path: Path
) -> None:
    with (shared_data / WSJ / "wsj_world_items_2025-04_2026-02.csv").open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["description"]][:6]
    lines = [
        json.dumps(
            {
                "title": r["title"],
                "text": r["description"],
                "url": r["original_url"],
                "published_at": r["pub_date_utc"],
                "source": "WSJ",
            }
        )
        for r in rows
    ]
    lines.insert(3, '{"title": "Truncated line from a killed writer", "text": "Mali')
    path = tmp_path / "wsj.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    result = runner.invoke(args=["ingest", "--file", str(path), "--no-rescore"])
    again = runner.invoke(args=["ingest", "--file", str(path), "--no-rescore"])

    assert result.exit_code == 0, result.output
    assert "new 6" in result.output and "errors 1" in result.output
    assert "error: line 4: not JSON" in result.output
    assert "new 0, duplicates 6" in again.output
    titles = set(session.scalars(select(Signal.title)))
    assert titles == {r["title"] for r in rows}


def test_feeds_of_one_folder_share_stories_across_outlets(
    app: Flask, session: Session, shared_data: Path
) -> None:
    """The NYT world and home feeds carry some of the same articles: stored once overall."""
    by_family: dict[str, set[str | None]] = defaultdict(set)
    for family in ("nyt", "nyt_home"):
        for path in snapshots(shared_data, family):
            by_family[family] |= {canonical_url(a.url) for a in parse_feed(path.read_bytes()).items}
            ingest(app, path.read_bytes(), path.name)
    shared = by_family["nyt"] & by_family["nyt_home"]

    stored_urls = list(session.scalars(select(Signal.canonical_url)))

    assert shared, "the two NYT feeds are expected to overlap"
    assert len(stored_urls) == len(set(stored_urls))
    assert set(stored_urls) <= by_family["nyt"] | by_family["nyt_home"]
