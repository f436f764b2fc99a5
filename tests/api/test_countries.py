"""/v1/countries: every country, one country's detail by any code or name, and history."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.storage.tables import Advisory, CurrentScore, ScoreHistory

FACTORS = {"security", "fuel_supply", "diplomatic_presence"}


def test_lists_every_iso_country_even_without_data(client: FlaskClient) -> None:
    body = client.get("/v1/countries").get_json()
    codes = {item["iso2"] for item in body["items"]}
    assert len(codes) >= 249
    assert {"ML", "FR", "US", "AQ", "TL", "SS"} <= codes
    assert body["next_cursor"] is None
    mali = next(item for item in body["items"] if item["iso2"] == "ML")
    assert mali["name"] == "Mali"
    assert mali["overall"] == {"score": 0.0, "level": 1, "confidence": 0.0, "trend": "steady"}
    assert mali["ahead_of_official"] is False
    assert set(mali["factors"]) == FACTORS


@pytest.mark.parametrize("code", ["ML", "ml", "MLI", "mli", "Mali", "MALI", " mali "])
def test_detail_accepts_alpha2_alpha3_and_names(client: FlaskClient, code: str) -> None:
    response = client.get(f"/v1/countries/{code}")
    assert response.status_code == 200
    assert response.get_json()["iso2"] == "ML"


def test_detail_accepts_common_names_with_accents_and_spaces(client: FlaskClient) -> None:
    assert client.get("/v1/countries/Côte d'Ivoire").get_json()["iso2"] == "CI"
    assert client.get("/v1/countries/ivory coast").get_json()["iso2"] == "CI"
    assert client.get("/v1/countries/Burma").get_json()["iso2"] == "MM"


def test_unknown_country_is_a_404_suggesting_close_matches(client: FlaskClient) -> None:
    response = client.get("/v1/countries/Malli")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert "Malli" in body["detail"]
    assert body["suggestions"][0] == {"iso2": "ML", "name": "Mali"}


def test_detail_shows_stored_scores_drivers_and_latest_advisory_per_source(
    client: FlaskClient, session: Session
) -> None:
    now = datetime(2026, 11, 26, 12, tzinfo=UTC)
    driver = {
        "signal_id": 7,
        "title": "France withdraws diplomatic staff from Mali",
        "url": "https://example.org/mali",
        "published_at": "2026-11-25T08:00:00+00:00",
        "contribution": 1.0,
    }
    for factor, score, level in [
        ("overall", 93.0, 4),
        ("security", 95.1, 4),
        ("fuel_supply", 80.0, 4),
        ("diplomatic_presence", 71.5, 3),
    ]:
        session.add(
            CurrentScore(
                country_iso2="ML",
                factor=factor,
                score=score,
                level=level,
                confidence=0.8,
                trend="rising",
                drivers=[driver],
                as_of=now,
                model_version="test-1",
            )
        )
    for published, native, level in [
        (now - timedelta(days=400), "Level 3: Reconsider Travel", 3),
        (now - timedelta(days=30), "Level 4: Do Not Travel", 4),
    ]:
        session.add(
            Advisory(
                source="us-state",
                country_iso2="ML",
                level=level,
                native=native,
                published_at=published,
                content_hash=native,
                url="https://travel.state.gov/ml",
            )
        )
    session.commit()

    body = client.get("/v1/countries/ML").get_json()
    assert body["as_of"] == "2026-11-26T12:00:00+00:00"
    assert body["model_version"] == "test-1"
    assert body["overall"]["level"] == 4
    security = body["factors"]["security"]
    assert security == {
        "score": 95.1,
        "level": 4,
        "confidence": 0.8,
        "trend": "rising",
        "drivers": [{**driver, "signal_id": "7"}],
    }
    assert [(a["source"], a["level"], a["native"]) for a in body["advisories"]] == [
        ("us-state", 4, "Level 4: Do Not Travel")
    ]


def _history(session: Session, days: int) -> None:
    start = date(2025, 10, 1)
    for offset in range(days):
        for factor in ("overall", "security"):
            session.add(
                ScoreHistory(
                    country_iso2="ML",
                    factor=factor,
                    as_of=start + timedelta(days=offset),
                    score=float(offset),
                    level=1,
                    confidence=0.5,
                    model_version="test-1",
                )
            )
    session.commit()


def test_history_pages_through_every_row_once_with_link_headers(
    client: FlaskClient, session: Session
) -> None:
    _history(session, days=5)
    seen, url, pages = [], "/v1/countries/mali/history?limit=3", 0
    while url:
        response = client.get(url)
        body = response.get_json()
        pages += 1
        seen += [(row["as_of"], row["factor"]) for row in body["items"]]
        if body["next_cursor"]:
            assert 'rel="next"' in response.headers["Link"]
            url = f"/v1/countries/mali/history?limit=3&cursor={body['next_cursor']}"
        else:
            assert "Link" not in response.headers
            url = ""
    assert pages == 4
    assert len(seen) == len(set(seen)) == 10
    assert seen == sorted(seen)


def test_history_filters_by_factor_and_dates(client: FlaskClient, session: Session) -> None:
    _history(session, days=10)
    body = client.get(
        "/v1/countries/ML/history?factor=security&since=2025-10-03&until=2025-10-05"
    ).get_json()
    assert body["iso2"] == "ML"
    assert [(r["as_of"], r["factor"], r["score"]) for r in body["items"]] == [
        ("2025-10-03", "security", 2.0),
        ("2025-10-04", "security", 3.0),
        ("2025-10-05", "security", 4.0),
    ]
    assert set(body["items"][0]) == {
        "as_of",
        "factor",
        "score",
        "level",
        "confidence",
        "model_version",
    }


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("factor=weather", "factor"),
        ("since=yesterday", "since"),
        ("since=2025-10-05&until=2025-10-01", "since"),
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=ten", "limit"),
        ("cursor=not-a-cursor", "cursor"),
    ],
)
def test_history_rejects_bad_parameters_with_a_422_naming_them(
    client: FlaskClient, query: str, field: str
) -> None:
    response = client.get(f"/v1/countries/ML/history?{query}")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert field in response.get_json()["errors"]


def test_history_of_unknown_country_is_a_404(client: FlaskClient) -> None:
    assert client.get("/v1/countries/XX/history").status_code == 404


def _advisory(session: Session, source: str, level: int, days_ago: int, **fields) -> None:
    published = datetime(2026, 11, 1, tzinfo=UTC) - timedelta(days=days_ago)
    session.add(
        Advisory(
            source=source,
            country_iso2="ML",
            level=level,
            native=f"{source} {level}",
            published_at=published,
            content_hash=f"{source}-{level}-{days_ago}",
            **fields,
        )
    )


def test_detail_compares_official_sources_and_flags_material_disagreement(
    client: FlaskClient, session: Session
) -> None:
    _advisory(session, "us-state", 4, 10)
    _advisory(
        session,
        "uk-fcdo",
        2,
        5,
        regions=[{"area": "Gao", "level": 4, "native": "x"}],
        regional_state="present",
    )
    _advisory(session, "ca", 4, 3)
    session.commit()
    body = client.get("/v1/countries/ML").get_json()
    assert body["official"] == {
        "levels": {"us-state": 4, "uk-fcdo": 2, "ca": 4},
        "spread": 2,
        "material_disagreement": True,
        "highest_level": 4,
        "highest_sources": ["ca", "us-state"],
        "regional_max": 4,
    }
    uk = next(a for a in body["advisories"] if a["source"] == "uk-fcdo")
    assert uk["level"] == 2  # the regional level never overwrites the national one
    assert uk["regional_max"] == 4 and uk["has_regional_escalation"] is True


def test_one_source_or_a_spread_of_one_is_not_material(
    client: FlaskClient, session: Session
) -> None:
    _advisory(session, "us-state", 3, 10)
    session.commit()
    single = client.get("/v1/countries/ML").get_json()["official"]
    assert single["spread"] is None and single["material_disagreement"] is False
    _advisory(session, "au", 2, 2, regional_state="unknown")
    session.commit()
    body = client.get("/v1/countries/ML").get_json()
    assert body["official"]["spread"] == 1
    assert body["official"]["material_disagreement"] is False
    au = next(a for a in body["advisories"] if a["source"] == "au")
    assert au["regional_max"] is None and au["has_regional_escalation"] is None  # unknown


def test_advisory_history_lists_every_version_newest_first_by_source(
    client: FlaskClient, session: Session
) -> None:
    for days_ago, level in [(300, 3), (200, 4), (100, 3)]:
        _advisory(session, "us-state", level, days_ago)
    _advisory(session, "ca", 4, 50)
    session.commit()
    body = client.get("/v1/countries/mali/advisories?source=us-state&limit=2").get_json()
    assert [a["level"] for a in body["items"]] == [3, 4]
    rest = client.get(
        f"/v1/countries/mali/advisories?source=us-state&limit=2&cursor={body['next_cursor']}"
    ).get_json()
    assert [a["level"] for a in rest["items"]] == [3]
    assert rest["next_cursor"] is None
    everything = client.get("/v1/countries/ML/advisories").get_json()["items"]
    assert {a["source"] for a in everything} == {"us-state", "ca"}
    assert client.get("/v1/countries/ML/advisories?cursor=bogus").status_code == 422
