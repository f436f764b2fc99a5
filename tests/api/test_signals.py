"""/v1/signals: stored signals newest first with filters and cursors; push one with a key."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.extensions import runtime
from service.ingest.records import Article
from service.storage.signals import store_signal
from service.storage.tables import MentionFactor, Signal

KEY = {"Authorization": "Bearer test-write-key"}
NOW = datetime.now(UTC).replace(microsecond=0)
MALI = {
    "title": "Jihadists blockade fuel convoys to Bamako as France withdraws embassy staff",
    "text": "Armed groups attacked fuel tankers on the roads into Mali's capital. Petrol "
    "stations ran dry. France ordered non-essential diplomatic staff to leave the embassy.",
    "url": "https://news.example.org/mali/blockade?utm_source=twitter",
    "published_at": (NOW - timedelta(hours=3)).isoformat(),
}


def add(app: Flask, session: Session, title: str, hours_ago: float, text: str = "") -> int:
    """Store one analysed article published ``hours_ago``; returns its signal id."""
    article = Article(
        title=title,
        text=text,
        url=f"https://news.example.org/{abs(hash(title))}",
        published_at=NOW - timedelta(hours=hours_ago),
        source="test",
    )
    analysis = runtime().analyzer.analyze(article.title, article.text)
    outcome = store_signal(session, article=article, analysis=analysis)
    session.commit()
    return outcome.signal.id


@pytest.fixture
def stored(app: Flask, session: Session) -> dict[str, int]:
    """Five signals, an hour apart: three about Mali, one fuel story in Zimbabwe, one neutral."""
    return {
        "mali-attack": add(app, session, "Gunmen attack army base in Mali", 1),
        "harare-fuel": add(app, session, "Fuel shortage in Zimbabwe: queues in Harare", 2),
        "mali-embassy": add(app, session, "France closes its embassy in Bamako, Mali", 3),
        "weather": add(app, session, "Sunny weekend expected across the region", 4),
        "mali-old": add(app, session, "Coup in Mali as soldiers seize power", 24 * 10),
    }


def titles(body: dict[str, Any]) -> list[str]:
    return [item["title"] for item in body["items"]]


def test_signals_are_listed_newest_first_with_their_countries(
    client: FlaskClient, stored: dict[str, int]
) -> None:
    response = client.get("/v1/signals")

    assert response.status_code == 200
    body = response.get_json()
    assert [int(item["id"]) for item in body["items"]] == list(stored.values())
    assert body["next_cursor"] is None and "Link" not in response.headers
    first = body["items"][0]
    assert first["countries"][0]["iso2"] == "ML"
    assert first["countries"][0]["factors"] == {
        "security": {"probability": 0.75, "direction": "escalating"},  # "gunmen", "attack"
        # Readings that found nothing are not stored, yet every factor is shown.
        "fuel_supply": {"probability": 0.0, "direction": "none"},
        "diplomatic_presence": {"probability": 0.0, "direction": "none"},
    }


def test_readings_that_found_nothing_take_no_rows(session: Session, stored: dict[str, int]) -> None:
    readings = select(MentionFactor.factor).where(MentionFactor.signal_id == stored["mali-attack"])
    assert session.scalars(readings).all() == ["security"]


@pytest.mark.parametrize("country", ["ML", "MLI", "Mali", "mali"])
def test_filter_by_country_code_or_name(
    client: FlaskClient, stored: dict[str, int], country: str
) -> None:
    body = client.get("/v1/signals", query_string={"country": country}).get_json()

    assert titles(body) == [
        "Gunmen attack army base in Mali",
        "France closes its embassy in Bamako, Mali",
        "Coup in Mali as soldiers seize power",
    ]


def test_filter_by_factor_and_since(client: FlaskClient, stored: dict[str, int]) -> None:
    fuel = client.get("/v1/signals", query_string={"factor": "fuel_supply"}).get_json()
    recent = client.get(
        "/v1/signals", query_string={"since": (NOW - timedelta(hours=2, minutes=30)).isoformat()}
    ).get_json()
    both = client.get(
        "/v1/signals", query_string={"country": "ML", "factor": "diplomatic_presence"}
    ).get_json()

    assert titles(fuel) == ["Fuel shortage in Zimbabwe: queues in Harare"]
    assert titles(recent) == [
        "Gunmen attack army base in Mali",
        "Fuel shortage in Zimbabwe: queues in Harare",
    ]
    assert titles(both) == ["France closes its embassy in Bamako, Mali"]


def test_pages_follow_next_cursor_and_link_header_through_every_signal(
    client: FlaskClient, stored: dict[str, int]
) -> None:
    seen: list[int] = []
    url = "/v1/signals?limit=2&country=ML"
    pages = 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.get_json()
        seen += [int(item["id"]) for item in body["items"]]
        pages += 1
        link = response.headers.get("Link")
        if body["next_cursor"] is None:
            assert link is None
            break
        assert link is not None and link.endswith('>; rel="next"')
        target = urlsplit(link[1 : link.index(">")])
        query = parse_qs(target.query)
        assert query["cursor"] == [body["next_cursor"]]
        assert query["limit"] == ["2"] and query["country"] == ["ML"]  # same query kept
        url = f"{target.path}?{target.query}"

    assert pages == 2
    assert seen == [stored["mali-attack"], stored["mali-embassy"], stored["mali-old"]]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-11-26T12:00:00"}, "since"),  # no offset: ambiguous
        ({"factor": "weather"}, "factor"),
        ({"cursor": "not-a-cursor"}, "cursor"),
    ],
)
def test_bad_parameters_are_422_problems_naming_the_field(
    client: FlaskClient, query: dict[str, str], field: str
) -> None:
    response = client.get("/v1/signals", query_string=query)

    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in str(response.get_json())


def test_unknown_country_is_a_404(client: FlaskClient) -> None:
    response = client.get("/v1/signals", query_string={"country": "Atlantis"})

    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert "Atlantis" in response.get_json()["detail"]


def test_posting_without_a_key_is_401_with_a_challenge(
    client: FlaskClient, session: Session
) -> None:
    response = client.post("/v1/signals", json=MALI)

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.mimetype == "application/problem+json"
    assert session.scalar(select(func.count(Signal.id))) == 0


@pytest.mark.parametrize(
    "headers", [{"Authorization": "Bearer wrong-key"}, {"X-API-Key": "wrong-key"}]
)
def test_posting_with_a_wrong_key_is_403(
    client: FlaskClient, session: Session, headers: dict[str, str]
) -> None:
    response = client.post("/v1/signals", json=MALI, headers=headers)

    assert response.status_code == 403
    assert session.scalar(select(func.count(Signal.id))) == 0


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"text": "no title"}, "title"),
        ({**MALI, "title": ""}, "title"),
        ({**MALI, "title": 42}, "title"),
        ({**MALI, "url": "javascript:alert(1)"}, "url"),
        ({**MALI, "published_at": "last tuesday"}, "published_at"),
    ],
)
def test_an_invalid_body_is_a_422_naming_the_field(
    client: FlaskClient, session: Session, body: dict[str, Any], field: str
) -> None:
    response = client.post("/v1/signals", json=body, headers=KEY)

    assert response.status_code == 422
    assert field in str(response.get_json())
    assert session.scalar(select(func.count(Signal.id))) == 0


def test_a_body_that_is_not_json_is_415(client: FlaskClient) -> None:
    response = client.post(
        "/v1/signals", data="title=Coup in Mali", content_type="text/plain", headers=KEY
    )

    assert response.status_code == 415
    assert response.mimetype == "application/problem+json"


def test_a_pushed_article_is_stored_scored_and_stored_once(
    client: FlaskClient, session: Session
) -> None:
    before = client.get("/v1/countries/ML").get_json()

    created = client.post("/v1/signals", json=MALI, headers=KEY)
    again = client.post(
        "/v1/signals",
        json={**MALI, "title": MALI["title"] + " (updated)", "url": MALI["url"] + "&fbclid=x"},
        headers=KEY,
    )

    assert created.status_code == 201
    body = created.get_json()
    assert body["created"] is True and body["countries"][0]["iso2"] == "ML"
    after = client.get("/v1/countries/ML").get_json()
    assert before["overall"]["score"] == 0
    for factor in ("security", "fuel_supply", "diplomatic_presence"):
        assert after["factors"][factor]["score"] > 0, factor
    assert after["factors"]["security"]["drivers"][0]["signal_id"] == body["id"]
    assert again.status_code == 201
    assert again.get_json()["created"] is False and again.get_json()["id"] == body["id"]
    assert session.scalar(select(func.count(Signal.id))) == 1
    listed = client.get("/v1/signals").get_json()
    assert titles(listed) == [MALI["title"]]
