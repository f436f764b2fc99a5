"""/v1/jobs: every recorded job run, newest first, filtered and paginated."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from service.api.pagination import encode_cursor
from service.storage.tables import JobRun

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.fixture
def recorded(session: Session) -> list[JobRun]:
    """Five runs a minute apart: two sources and a rescore, one failed, one still running."""
    rows = [
        JobRun(
            job_id="ingest:bbc-world",
            started_at=T0,
            finished_at=T0 + timedelta(seconds=2.5),
            status="success",
            counts={"seen": 40, "new": 3, "duplicates": 37, "rescored": 2},
        ),
        JobRun(
            job_id="ingest:us-state",
            started_at=T0 + timedelta(minutes=1),
            finished_at=T0 + timedelta(minutes=1, seconds=20),
            status="failed",
            counts={},
            error="FetchError: GET https://travel.state.gov/...: timed out",
        ),
        JobRun(
            job_id="rescore",
            started_at=T0 + timedelta(minutes=2),
            finished_at=T0 + timedelta(minutes=2, seconds=1),
            status="success",
            counts={"countries": 249, "raised": 12},
        ),
        JobRun(
            job_id="ingest:bbc-world",
            started_at=T0 + timedelta(minutes=3),
            finished_at=T0 + timedelta(minutes=3, seconds=1),
            status="skipped",
            counts={},
            error="bbc-world is backing off after 3 failures",
        ),
        JobRun(job_id="ingest:bbc-world", started_at=T0 + timedelta(minutes=4), status="running"),
    ]
    session.add_all(rows)
    session.commit()
    return rows


def test_lists_runs_newest_first_with_times_status_counts_and_error(
    client: FlaskClient, recorded: list[JobRun]
) -> None:
    response = client.get("/v1/jobs")
    assert response.status_code == 200
    body = response.get_json()
    assert body["next_cursor"] is None
    assert "Link" not in response.headers
    assert [item["job_id"] for item in body["items"]] == [
        "ingest:bbc-world",
        "ingest:bbc-world",
        "rescore",
        "ingest:us-state",
        "ingest:bbc-world",
    ]
    running, skipped, rescore, failed, first = body["items"]
    assert running["status"] == "running"
    assert running["finished_at"] is None and running["duration_seconds"] is None
    assert skipped["error"] == "bbc-world is backing off after 3 failures"
    assert rescore["counts"] == {"countries": 249, "raised": 12}
    assert failed["status"] == "failed" and failed["error"].startswith("FetchError")
    assert first == {
        "id": str(recorded[0].id),
        "job_id": "ingest:bbc-world",
        "started_at": "2026-11-26T12:00:00+00:00",
        "finished_at": "2026-11-26T12:00:02.500000+00:00",
        "status": "success",
        "duration_seconds": 2.5,
        "counts": {"seen": 40, "new": 3, "duplicates": 37, "rescored": 2},
        "error": None,
    }


def test_filters_by_job_and_status(client: FlaskClient, recorded: list[JobRun]) -> None:
    bbc = client.get("/v1/jobs?job_id=ingest:bbc-world").get_json()["items"]
    assert [item["status"] for item in bbc] == ["running", "skipped", "success"]
    failed = client.get("/v1/jobs?status=failed").get_json()["items"]
    assert [item["job_id"] for item in failed] == ["ingest:us-state"]
    both = client.get("/v1/jobs?job_id=ingest:bbc-world&status=success").get_json()["items"]
    assert [item["id"] for item in both] == [str(recorded[0].id)]
    assert client.get("/v1/jobs?job_id=ingest:nowhere").get_json()["items"] == []


def test_pages_follow_the_cursor_and_the_link_header(
    client: FlaskClient, recorded: list[JobRun]
) -> None:
    seen: list[str] = []
    url = "/v1/jobs?limit=2&job_id=ingest:bbc-world"
    first = client.get(url)
    body = first.get_json()
    seen += [item["id"] for item in body["items"]]
    assert len(body["items"]) == 2 and body["next_cursor"]
    link = first.headers["Link"]
    assert link.endswith('; rel="next"')
    assert "job_id=ingest%3Abbc-world" in link and "limit=2" in link
    second = client.get(f"{url}&cursor={body['next_cursor']}").get_json()
    seen += [item["id"] for item in second["items"]]
    assert second["next_cursor"] is None
    assert seen == [str(recorded[i].id) for i in (4, 3, 0)]


def test_runs_started_at_the_same_instant_are_neither_lost_nor_repeated(
    client: FlaskClient, session: Session
) -> None:
    session.add_all(
        JobRun(job_id=f"ingest:s{i}", started_at=T0, status="success") for i in range(5)
    )
    session.commit()
    ids: list[str] = []
    cursor = None
    for _ in range(5):
        query = "/v1/jobs?limit=2" + (f"&cursor={cursor}" if cursor else "")
        body = client.get(query).get_json()
        ids += [item["id"] for item in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert len(ids) == 5 and len(set(ids)) == 5


@pytest.mark.parametrize(
    "query",
    [
        "status=exploded",
        "limit=0",
        "limit=1001",
        "cursor=garbage",
        f"cursor={encode_cursor(['2026-11-26T12:00:00', 1])}",  # naive time: not ours
        f"cursor={encode_cursor(['yesterday', 1])}",
    ],
)
def test_bad_queries_are_problems_not_crashes(client: FlaskClient, query: str) -> None:
    response = client.get(f"/v1/jobs?{query}")
    assert response.status_code == 422
    assert response.content_type == "application/problem+json"


def test_the_endpoint_is_documented_with_described_fields(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/v1/jobs"]["get"]
    assert operation["summary"].startswith("Job runs, newest first")
    assert {p["name"] for p in operation["parameters"]} == {"job_id", "status", "limit", "cursor"}
    schemas = spec["components"]["schemas"]
    assert {"JobRun", "JobRunList"} <= set(schemas)
    for name, field in schemas["JobRun"]["properties"].items():
        assert field.get("description"), name
