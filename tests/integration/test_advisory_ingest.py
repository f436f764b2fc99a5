"""Official advisories through the CLI and from a source over HTTP, into the country detail."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from service.extensions import runtime
from service.ingest.runner import run_source
from service.sources import SourceSpec
from service.storage.db import db

US_2021 = "us-state-dept-rss-2021/TAsTWs_snapshot_2021-02.xml"


def test_us_snapshot_gives_mali_level_4_with_its_native_text(
    runner: FlaskCliRunner, client: FlaskClient, shared_data: Path
) -> None:
    result = runner.invoke(args=["ingest", "--file", str(shared_data / US_2021)])
    assert result.exit_code == 0, result.output
    assert "entries 210, mapped 209" in result.output
    assert "unmapped 1, errors 0" in result.output  # "Worldwide Caution" is no country
    detail = client.get("/v1/countries/ML").get_json()
    [us] = detail["advisories"]
    assert (us["source"], us["level"], us["native"]) == ("us-state", 4, "Level 4: Do Not Travel")
    assert detail["overall"]["level"] == 4  # the official level is the floor


@pytest.fixture
def snapshot_server(shared_data: Path) -> Iterator[str]:
    body = (shared_data / US_2021).read_bytes()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.headers.get("If-None-Match") == '"v1"':
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("ETag", '"v1"')
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/TAsTWs.xml"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def test_us_source_over_http_stores_once_and_then_answers_not_modified(
    app: Flask, client: FlaskClient, snapshot_server: str
) -> None:
    spec = SourceSpec("us-state", "advisory", "us-state", snapshot_server, 60)
    with app.app_context():
        first = run_source(
            spec, analyzer=runtime().analyzer, session_scope=db.session_scope,
            timeout_seconds=5, max_bytes=5_000_000,
        )  # fmt: skip
        second = run_source(
            spec, analyzer=runtime().analyzer, session_scope=db.session_scope,
            timeout_seconds=5, max_bytes=5_000_000,
        )  # fmt: skip
    assert (first.seen, first.new) == (209, 209)
    assert (second.seen, second.new) == (0, 0)  # 304: nothing fetched, nothing stored
    source = next(
        s for s in client.get("/v1/sources").get_json()["items"] if s["name"] == "us-state"
    )
    assert source["consecutive_failures"] == 0 and source["last_run"]["status"] == "success"
    assert client.get("/v1/countries/ML").get_json()["advisories"][0]["level"] == 4
