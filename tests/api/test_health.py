"""Liveness, readiness and metrics: what load balancers and Prometheus poll."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from service import create_app
from service.settings import load_settings


def test_healthz_answers_ok(client: FlaskClient) -> None:
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_readyz_reports_database_and_model(client: FlaskClient) -> None:
    body = client.get("/readyz").get_json()
    assert body["status"] == "ready"
    assert body["database"] is True
    assert body["model_version"].startswith("baseline-")


def test_readyz_is_a_503_problem_when_the_database_is_unreachable() -> None:
    broken = load_settings(
        {"database_url": "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1"},
        environ={},
    )
    response = create_app(broken).test_client().get("/readyz")
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    assert "database" in response.get_json()["detail"]


def test_metrics_count_requests_in_prometheus_format(app: Flask, client: FlaskClient) -> None:
    client.get("/v1/countries/ML")
    client.get("/v1/countries/ML")
    text = client.get("/metrics").get_data(as_text=True)
    assert (
        'travelrisk_http_requests_total{endpoint="/v1/countries/<string:code>",'
        'method="GET",status="200"} 2.0' in text
    )
    assert "travelrisk_http_request_seconds_bucket" in text
