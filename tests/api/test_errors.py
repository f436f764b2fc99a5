"""Every error is application/problem+json with a useful detail and never a stack trace."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

PROBLEM = "application/problem+json"


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert body["title"]
    assert "Traceback" not in response.get_data(as_text=True)
    return body


def test_unknown_path_is_a_404_problem(client: FlaskClient) -> None:
    body = assert_problem(client.get("/v1/nothing-here"), 404)
    assert body["instance"] == "/v1/nothing-here"


def test_wrong_method_is_a_405_problem_with_allow_header(client: FlaskClient) -> None:
    response = client.delete("/v1/countries")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_oversized_body_is_a_413_problem(client: FlaskClient) -> None:
    payload = '{"title": "x", "text": "' + "a" * (2 * 1024 * 1024) + '"}'
    response = client.post("/v1/analyze", data=payload, content_type="application/json")
    assert_problem(response, 413)


def test_non_json_body_is_a_415_problem(client: FlaskClient) -> None:
    response = client.post("/v1/analyze", data="title=Mali", content_type="text/plain")
    body = assert_problem(response, 415)
    assert "application/json" in body["detail"]


def test_invalid_body_is_a_422_problem_naming_the_field(client: FlaskClient) -> None:
    body = assert_problem(client.post("/v1/analyze", json={"text": 42}), 422)
    assert set(body["errors"]) == {"title", "text"}


def test_malformed_json_is_a_400_problem(client: FlaskClient) -> None:
    response = client.post("/v1/analyze", data="{not json", content_type="application/json")
    assert_problem(response, 400)


def test_unexpected_failure_is_a_500_problem_without_details(
    app: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    def explode() -> str:
        raise RuntimeError("secret internal detail")

    app.add_url_rule("/v1/explode", view_func=explode)
    response = app.test_client().get("/v1/explode")
    body = assert_problem(response, 500)
    assert "secret internal detail" not in response.get_data(as_text=True)
    assert body["title"] == "Internal Server Error"
    assert "secret internal detail" in caplog.text  # logged for operators, not shown to users
