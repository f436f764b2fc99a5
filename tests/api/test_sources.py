"""/v1/sources: every configured source and its health, before and after runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.sources import load_sources
from service.storage.sources import record_failure, start_run, sync_sources

CONFIGURED = [
    "aljazeera", "au", "bbc-world", "ca", "de", "gdelt-travel-risk", "tai", "us-state",
]  # fmt: skip


def test_every_configured_source_is_listed_before_any_run(client: FlaskClient) -> None:
    response = client.get("/v1/sources")

    assert response.status_code == 200
    body = response.get_json()
    assert [item["name"] for item in body["items"]] == CONFIGURED
    assert body["next_cursor"] is None
    bbc = next(item for item in body["items"] if item["name"] == "bbc-world")
    assert bbc["kind"] == "news" and bbc["format"] == "rss" and bbc["enabled"] is True
    assert bbc["url"] == "https://feeds.bbci.co.uk/news/world/rss.xml"
    assert bbc["interval_minutes"] == 30
    assert bbc["last_run"] is None and bbc["last_success_at"] is None
    assert (bbc["consecutive_failures"], bbc["circuit_open"]) == (0, False)


def test_a_failing_source_shows_its_error_and_backoff(
    app: Flask, client: FlaskClient, session: Session
) -> None:
    specs = load_sources(app.config["SETTINGS"].config_dir)
    source = sync_sources(session, specs=specs.values())["bbc-world"]
    now = datetime.now(UTC)
    for attempt in range(3):
        run = start_run(session, source=source, now=now + timedelta(seconds=attempt))
        record_failure(
            session,
            source=source,
            run=run,
            now=now + timedelta(seconds=attempt),
            error="FetchError: GET https://feeds.bbci.co.uk/news/world/rss.xml: HTTP 503",
            interval=timedelta(minutes=30),
        )
    session.commit()

    items = {item["name"]: item for item in client.get("/v1/sources").get_json()["items"]}

    bbc = items["bbc-world"]
    assert bbc["circuit_open"] is True and bbc["consecutive_failures"] == 3
    assert bbc["last_error"].endswith("HTTP 503")
    assert bbc["last_run"]["status"] == "failed" and bbc["last_run"]["finished_at"]
    assert datetime.fromisoformat(bbc["backoff_until"]) > now
    assert items["aljazeera"]["circuit_open"] is False  # the others are untouched
    assert [item["name"] for item in items.values()] == CONFIGURED
