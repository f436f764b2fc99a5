"""The OpenAPI document describes the stable interface of DESIGN.md."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_openapi_lists_the_documented_paths_with_summaries(client: FlaskClient) -> None:
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    for path in (
        "/healthz",
        "/readyz",
        "/metrics",
        "/v1/countries",
        "/v1/countries/{code}",
        "/v1/countries/{code}/history",
        "/v1/analyze",
    ):
        assert path in paths, path
        for operation in paths[path].values():
            if isinstance(operation, dict) and "responses" in operation:
                assert operation.get("summary"), f"{path} has no summary"
    schemas = spec["components"]["schemas"]
    assert {"Country", "CountryDetail", "History", "Analysis", "Problem"} <= set(schemas)
    history_params = {p["name"] for p in paths["/v1/countries/{code}/history"]["get"]["parameters"]}
    assert {"factor", "since", "until", "limit", "cursor"} <= history_params


def test_every_client_visible_field_is_described(client: FlaskClient) -> None:
    schemas = client.get("/openapi.json").get_json()["components"]["schemas"]
    undocumented = [
        f"{name}.{field}"
        for name, schema in schemas.items()
        for field, spec in schema.get("properties", {}).items()
        if "description" not in spec and "$ref" not in spec
    ]
    assert undocumented == []


def test_docs_page_serves_swagger_ui(client: FlaskClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    assert "swagger-ui" in response.get_data(as_text=True)
