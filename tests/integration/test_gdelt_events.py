"""GDELT events are identified by GLOBALEVENTID, not by the article they cite.

One article (one SOURCEURL) is coded into many events, and events coded alike get the
same generated text, so URL or content dedupe would throw real evidence away.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from service.extensions import runtime
from service.ingest.news.gdelt import EVENT_COLUMNS
from service.ingest.pipeline import IngestReport, ingest_bytes
from service.storage.db import db
from service.storage.tables import Signal

URL = "https://example.org/mali-embassy?utm_source=gdelt"
POSITIONS = {
    "GLOBALEVENTID": 0, "Actor1Name": 6, "Actor2Name": 16, "EventCode": 26,
    "GoldsteinScale": 30, "NumSources": 32, "ActionGeo_FullName": 52,
    "ActionGeo_CountryCode": 53, "DATEADDED": 59, "SOURCEURL": 60,
}  # fmt: skip


def event(event_id: str, code: str = "166", actor: str = "FRANCE") -> str:
    added = (datetime.now(UTC) - timedelta(hours=2)).strftime("%Y%m%d%H%M%S")
    values = {
        "GLOBALEVENTID": event_id, "Actor1Name": actor, "Actor2Name": "MALI",
        "EventCode": code, "GoldsteinScale": "-4.0", "NumSources": "3",
        "ActionGeo_FullName": "Bamako, Bamako, Mali", "ActionGeo_CountryCode": "ML",
        "DATEADDED": added, "SOURCEURL": URL,
    }  # fmt: skip
    cells = [""] * EVENT_COLUMNS
    for name, value in values.items():
        cells[POSITIONS[name]] = value
    return "\t".join(cells)


def ingest(app: Flask, data: bytes, name: str) -> IngestReport:
    with app.app_context():
        return ingest_bytes(
            data,
            filename=name,
            fmt=None,
            analyzer=runtime().analyzer,
            session_scope=db.session_scope,
        )


def test_events_citing_one_article_are_each_kept_once(app: Flask, session: Session) -> None:
    export = "\n".join(
        [
            event("1001", "166"),
            event("1002", "190", actor="JIHADIST"),
            event("1003", "166"),  # coded exactly like 1001: same text, another event
            event("1001", "166"),  # the same event again, as in an overlapping export
        ]
    ).encode()

    first = ingest(app, export, "20251030081500.export.CSV")
    again = ingest(app, export, "20251030083000.export.CSV")

    assert (first.seen, first.new, first.duplicates) == (4, 3, 1)
    assert (again.new, again.duplicates) == (0, 4)
    ids = sorted(r["GLOBALEVENTID"] for r in session.scalars(select(Signal.raw)))
    assert ids == ["1001", "1002", "1003"]


def test_an_event_does_not_shadow_the_article_it_cites(app: Flask, session: Session) -> None:
    """The article behind the events is evidence of its own, stored beside them."""
    ingest(app, event("2001").encode(), "export.CSV")
    article = (
        '{"title": "France withdraws diplomatic staff from Mali", '
        '"text": "The embassy in Bamako is closing.", '
        f'"url": "{URL.replace("gdelt", "rss")}"}}\n'
    ).encode()

    report = ingest(app, article, "article.jsonl")

    assert report.new == 1
    assert len(session.scalars(select(Signal.id)).all()) == 2
