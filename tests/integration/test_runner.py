"""Configured sources run against a real HTTP server on 127.0.0.1 that misbehaves on purpose.

What an operator sees is asserted: what GET /v1/sources says about each source, what
``ingest --source`` / ``--all`` print, and that stored signals and scores never change
because of a failed run. Waits between retries go to a recording ``sleep``; every
test is bounded in time.
"""

from __future__ import annotations

import functools
import shutil
import socket
import struct
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.analysis import Analysis, Analyzer
from service.extensions import runtime
from service.ingest.fetch import FetchError, fetch
from service.ingest.pipeline import IngestReport
from service.ingest.records import ParseFailure
from service.ingest.runner import SourceSkipped, run_source
from service.rescore import rescore
from service.settings import REPO_ROOT, Settings, load_settings
from service.sources import SourceSpec, load_sources
from service.storage.db import db
from service.storage.tables import CurrentScore, Signal
from tests.localhttp import Handler, Route, Server, Sleeps, running_server

pytestmark = pytest.mark.timeout(30)

MB = 1024 * 1024
CAP = 2 * MB


def hours_ago(hours: float) -> datetime:
    return datetime.now(UTC) - timedelta(hours=hours)


def rss(*titles: str, prefix: str = "wire") -> bytes:
    """A small RSS 2.0 feed whose items name countries, so they raise scores."""
    items = "".join(
        f"<item><title>{title}</title><link>https://news.example.org/{prefix}/{n}"
        f"?utm_source=rss</link><description>{title}. Security forces were deployed."
        f"</description><pubDate>{format_datetime(hours_ago(n + 1), usegmt=True)}</pubDate></item>"
        for n, title in enumerate(titles)
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{prefix}</title>{items}</channel></rss>"
    ).encode()


GOOD_FEED = rss(
    "Jihadist attack on fuel convoys near Bamako, Mali",
    "Fuel shortage grips Harare as Zimbabwe queues grow",
    "France withdraws embassy staff from Niger",
)
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol">
<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">]>
<rss version="2.0"><channel><title>&lol4;</title>
<item><title>Coup in Mali &lol4;</title></item></channel></rss>"""
HTML_PAGE = (
    b"<!DOCTYPE html><html><head><title>Sign in</title></head>"
    b"<body><h1>Please sign in to read Mali news</h1></body></html>"
)


def feed(body: bytes, status: int = 200, **headers: str) -> Route:
    def route(handler: Handler, hit: int) -> None:
        handler.reply(status, body, {"Content-Type": "application/rss+xml", **headers})

    return route


def fail_then(failures: int, status: int, then: Route, **headers: str) -> Route:
    def route(handler: Handler, hit: int) -> None:
        if hit <= failures:
            handler.reply(status, b"busy", headers)
        else:
            then(handler, hit)

    return route


def stall(handler: Handler, hit: int) -> None:
    """Accept the request and say nothing until the test ends (or 5 s pass)."""
    handler.server.stopping.wait(5)


def reset(handler: Handler, hit: int) -> None:
    """Close with a TCP RST instead of an answer, as a crashing proxy does."""
    handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    handler.connection.close()


def drip(handler: Handler, hit: int) -> None:
    """Send a valid start, then a byte every 0.1 s: never idle long enough for a read timeout."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    try:
        for byte in GOOD_FEED:
            if handler.server.stopping.wait(0.1):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
    except OSError:
        return


def endless(handler: Handler, hit: int) -> None:
    """Stream up to 100 MB of feed-looking bytes without a Content-Length."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/rss+xml")
    handler.end_headers()
    chunk = b"<item><title>Mali</title></item>" * 2048
    handler.wfile.write(b'<rss version="2.0"><channel>')
    try:
        while handler.server.bytes_streamed < 100 * MB and not handler.server.stopping.is_set():
            handler.wfile.write(chunk)
            handler.server.bytes_streamed += len(chunk)
    except OSError:
        return  # the client hung up at its cap, as it should


@pytest.fixture
def server() -> Iterator[Server]:
    with running_server() as httpd:
        yield httpd


@pytest.fixture
def settings(database_url: str, tmp_path: Path, server: Server) -> Settings:
    """Test settings whose config dir configures sources served by ``server``."""
    config_dir = tmp_path / "config"
    shutil.copytree(REPO_ROOT / "config", config_dir)
    lines = ["sources:"]
    for name in ("alpha", "beta", "wire"):
        lines += [
            f"  {name}:",
            "    kind: news",
            "    format: rss",
            f"    url: {server.url('/' + name)}",
        ]
    lines += ["  broken:", "    kind: news", "    format: rss", f"    url: {server.url('/broken')}"]
    lines += ["  paused:", "    kind: news", "    format: rss", "    url: http://127.0.0.1:9/x"]
    lines += ["    enabled: false"]
    (config_dir / "sources.yaml").write_text("\n".join(lines) + "\n")
    return load_settings(
        {
            "database_url": database_url,
            "report_dir": tmp_path / "reports",
            "api_keys": ("test-write-key",),
            "config_dir": config_dir,
            "fetch_timeout_seconds": 2.0,
            "fetch_max_bytes": CAP,
        },
        environ={},
        config_file=tmp_path / "absent.yaml",
    )


def spec(app: Flask, name: str = "wire") -> SourceSpec:
    return load_sources(app.config["SETTINGS"].config_dir)[name]


def run(
    app: Flask,
    name: str = "wire",
    *,
    sleeps: Sleeps | None = None,
    timeout_seconds: float = 2.0,
    analyzer: Analyzer | None = None,
    **fetch_options: Any,
) -> IngestReport:
    """run_source as the scheduler calls it, with no real waiting between retries."""
    fetcher = functools.partial(fetch, sleep=sleeps if sleeps is not None else Sleeps())
    if fetch_options:
        fetcher = functools.partial(fetcher, **fetch_options)
    with app.app_context():
        return run_source(
            spec(app, name),
            analyzer=analyzer or runtime().analyzer,
            session_scope=db.session_scope,
            timeout_seconds=timeout_seconds,
            max_bytes=CAP,
            fetcher=fetcher,
        )


def health(client: FlaskClient, name: str = "wire") -> dict[str, Any]:
    response = client.get("/v1/sources")
    assert response.status_code == 200
    by_name = {item["name"]: item for item in response.get_json()["items"]}
    item: dict[str, Any] = by_name[name]
    return item


def stored(session: Session) -> tuple[list[tuple[int, str, str]], list[tuple[str, str, float]]]:
    """Every stored signal and current score, to show a failed run changed none of them."""
    session.rollback()  # a fresh snapshot: see what the runs committed
    signals = session.execute(select(Signal.id, Signal.content_hash, Signal.title)).all()
    scores = session.execute(
        select(CurrentScore.country_iso2, CurrentScore.factor, CurrentScore.score)
    ).all()
    return sorted(tuple(s) for s in signals), sorted(tuple(s) for s in scores)


@pytest.fixture
def scored(app: Flask, server: Server, session: Session) -> tuple[Any, Any]:
    """A good run of "alpha" with scores computed: the state a failed run must not touch."""
    server.routes["/alpha"] = feed(rss("Coup attempt in Mali as soldiers seize Bamako", prefix="a"))
    assert run(app, "alpha").new == 1
    with app.app_context(), db.session_scope() as scope:
        rt = runtime()
        rescore(scope, as_of=datetime.now(UTC), config=rt.factors, model_version="test")
    before = stored(session)
    assert before[0] and any(score > 0 for _, _, score in before[1])
    return before


def test_a_good_feed_is_stored_and_its_run_counted(
    app: Flask, client: FlaskClient, server: Server, session: Session
) -> None:
    server.routes["/wire"] = feed(GOOD_FEED, ETag='"v1"')

    report = run(app)

    assert (report.seen, report.new, report.duplicates, report.errors) == (3, 3, 0, 0)
    assert session.scalar(select(func.count(Signal.id))) == 3
    wire = health(client)
    assert wire["last_success_at"] is not None and wire["last_error"] is None
    assert wire["last_run"]["status"] == "success"
    counts = {k: wire["last_run"][k] for k in ("items_seen", "items_new", "duplicates", "errors")}
    assert counts == {"items_seen": 3, "items_new": 3, "duplicates": 0, "errors": 0}
    assert (wire["items_seen_total"], wire["items_new_total"]) == (3, 3)
    assert wire["circuit_open"] is False


def test_an_unchanged_feed_answers_304_stores_nothing_and_stays_healthy(
    app: Flask, client: FlaskClient, server: Server, session: Session
) -> None:
    def route(handler: Handler, hit: int) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.reply(304)
        else:
            handler.reply(200, GOOD_FEED, {"ETag": '"v1"'})

    server.routes["/wire"] = route
    run(app)

    again = run(app)

    assert server.requests["/wire"][1]["If-None-Match"] == '"v1"'
    assert (again.seen, again.new) == (0, 0)
    assert session.scalar(select(func.count(Signal.id))) == 3
    wire = health(client)
    assert wire["last_run"]["status"] == "success"
    assert wire["consecutive_failures"] == 0 and wire["last_error"] is None
    assert wire["items_new_total"] == 3


def test_a_fed_again_feed_counts_its_items_as_duplicates(
    app: Flask, client: FlaskClient, server: Server
) -> None:
    server.routes["/wire"] = feed(GOOD_FEED)  # no validators: the server sends it all again
    run(app)

    again = run(app)

    assert (again.new, again.duplicates) == (0, 3)
    assert health(client)["last_run"]["duplicates"] == 3


def test_server_errors_are_retried_until_the_feed_comes(
    app: Flask, client: FlaskClient, server: Server
) -> None:
    server.routes["/wire"] = fail_then(2, 503, feed(GOOD_FEED))
    sleeps = Sleeps()

    report = run(app, sleeps=sleeps)

    assert report.new == 3
    assert len(server.requests["/wire"]) == 3 and len(sleeps) == 2
    assert health(client)["last_run"]["status"] == "success"


def test_429_waits_as_long_as_retry_after_says(
    app: Flask, client: FlaskClient, server: Server
) -> None:
    server.routes["/wire"] = fail_then(1, 429, feed(GOOD_FEED), **{"Retry-After": "7"})
    sleeps = Sleeps()

    report = run(app, sleeps=sleeps)

    assert report.new == 3
    assert sleeps == [7.0]
    assert health(client)["consecutive_failures"] == 0


FAILURES: dict[str, tuple[Route, type[Exception], str]] = {
    "500 every time": (feed(b"oops", 500), FetchError, "HTTP 500"),
    "429 every time": (feed(b"slow down", 429, **{"Retry-After": "1"}), FetchError, "HTTP 429"),
    "a timeout": (stall, FetchError, "timed out"),
    "a connection reset": (reset, FetchError, "connection failed"),
    "a slow drip": (drip, FetchError, "time limit"),
    "an HTML page": (feed(HTML_PAGE, **{"Content-Type": "text/html"}), ParseFailure, "HTML page"),
    "a billion laughs": (feed(BILLION_LAUGHS), ParseFailure, "refused"),
    "an empty body": (feed(b""), ParseFailure, "empty body"),
    "a 100 MB stream": (endless, FetchError, f"body exceeded {CAP} bytes"),
    "a 404": (feed(b"gone", 404), FetchError, "HTTP 404"),
}


@pytest.mark.parametrize("case", list(FAILURES))
def test_a_failed_run_records_why_and_changes_nothing_stored(
    app: Flask,
    client: FlaskClient,
    server: Server,
    session: Session,
    scored: tuple[Any, Any],
    case: str,
) -> None:
    route, error, reason = FAILURES[case]
    server.routes["/wire"] = route
    started = time.monotonic()

    with pytest.raises(error):
        run(app, retries=1, timeout_seconds=0.5)

    assert time.monotonic() - started < 10
    wire = health(client)
    assert reason in wire["last_error"], wire["last_error"]
    assert wire["last_run"]["status"] == "failed"
    assert wire["last_run"]["items_new"] == 0
    assert wire["consecutive_failures"] == 1 and wire["last_success_at"] is None
    assert stored(session) == scored
    if case == "a 100 MB stream":
        assert server.bytes_streamed < 20 * MB  # the client hung up at its cap


class BrokenAnalyzer:
    """An analyser with a bug: the run must still end as a recorded failure."""

    model_version = "broken"

    def analyze(self, title: str, text: str) -> Analysis:
        raise RuntimeError("lexicon file is corrupt")


def test_an_unexpected_error_is_recorded_as_a_failed_run(
    app: Flask, client: FlaskClient, server: Server, session: Session
) -> None:
    server.routes["/wire"] = feed(GOOD_FEED)

    with pytest.raises(RuntimeError):
        run(app, analyzer=BrokenAnalyzer())

    wire = health(client)
    assert wire["last_run"]["status"] == "failed"
    assert wire["last_error"] == "RuntimeError: lexicon file is corrupt"
    assert wire["consecutive_failures"] == 1
    assert session.scalar(select(func.count(Signal.id))) == 0


def test_three_failures_in_a_row_open_the_circuit(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner, server: Server
) -> None:
    server.routes["/wire"] = feed(HTML_PAGE)
    for _ in range(3):
        with pytest.raises(ParseFailure):
            run(app)
    server.routes["/wire"] = feed(GOOD_FEED)

    with pytest.raises(SourceSkipped, match="backing off after 3 failures"):
        run(app)
    result = runner.invoke(args=["ingest", "--source", "wire"])

    assert "wire: skipped" in result.output and "backing off" in result.output
    assert len(server.requests["/wire"]) == 3  # no request while the circuit is open
    wire = health(client)
    assert wire["circuit_open"] is True
    assert wire["consecutive_failures"] == 3 and wire["backoff_until"] is not None
    assert "HTML page" in wire["last_error"]


def test_a_success_closes_the_circuit_count(
    app: Flask, client: FlaskClient, server: Server
) -> None:
    server.routes["/wire"] = feed(b"")
    for _ in range(2):
        with pytest.raises(ParseFailure):
            run(app)
    server.routes["/wire"] = feed(GOOD_FEED)

    run(app)

    wire = health(client)
    assert wire["consecutive_failures"] == 0 and wire["circuit_open"] is False
    assert wire["last_success_at"] is not None
    assert "empty body" in wire["last_error"]  # the last failure stays visible


def test_one_broken_source_never_stops_the_others(
    client: FlaskClient, runner: FlaskCliRunner, server: Server, session: Session
) -> None:
    server.routes["/alpha"] = feed(rss("Curfew imposed in Bamako, Mali", prefix="a"))
    server.routes["/broken"] = feed(HTML_PAGE)
    server.routes["/beta"] = feed(rss("Fuel shortage in Harare, Zimbabwe", prefix="b"))
    server.routes["/wire"] = feed(GOOD_FEED)

    result = runner.invoke(args=["ingest", "--all"])

    assert result.exit_code == 0, result.output
    assert "broken: FAILED" in result.output and "HTML page" in result.output
    for name in ("alpha", "beta", "wire"):
        assert f"{name}: entries" in result.output
        assert health(client, name)["last_run"]["status"] == "success"
    assert health(client, "broken")["last_run"]["status"] == "failed"
    assert "paused" not in result.output  # a disabled source is not run
    assert session.scalar(select(func.count(Signal.id))) == 5


def test_every_configured_source_is_listed_before_any_run(client: FlaskClient) -> None:
    items = client.get("/v1/sources").get_json()["items"]

    assert [i["name"] for i in items] == ["alpha", "beta", "broken", "paused", "wire"]
    paused = next(i for i in items if i["name"] == "paused")
    assert paused["enabled"] is False and paused["last_run"] is None
