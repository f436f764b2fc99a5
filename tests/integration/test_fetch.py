"""fetch() against a real HTTP server on 127.0.0.1 that misbehaves on purpose.

Every test is bounded in time: waits between retries go to a recording ``sleep``, and
the server's own stalls end when the test ends.
"""

from __future__ import annotations

import random
import socket
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from service.ingest.fetch import USER_AGENT, FetchError, fetch
from tests.localhttp import Handler, Route, Server, Sleeps, running_server

pytestmark = pytest.mark.timeout(30)

MB = 1024 * 1024


@pytest.fixture
def server() -> Iterator[Server]:
    with running_server() as httpd:
        yield httpd


class UpperBound(random.Random):
    """Jitter that always picks the largest delay, so backoff growth is visible."""

    def uniform(self, a: float, b: float) -> float:
        return b


def ok(body: bytes = b"<rss/>") -> Route:
    return lambda handler, hit: handler.reply(200, body, {"Content-Type": "application/rss+xml"})


def test_sends_our_user_agent_and_returns_the_body(server: Server) -> None:
    server.routes["/feed"] = ok(b"<rss>hello</rss>")

    result = fetch(server.url("/feed"), sleep=Sleeps())

    assert (result.status, result.content, result.attempts) == (200, b"<rss>hello</rss>", 1)
    assert result.final_url == server.url("/feed")
    assert result.content_type == "application/rss+xml"
    assert server.requests["/feed"][0]["User-Agent"] == USER_AGENT


def test_follows_redirects_and_reports_the_final_url(server: Server) -> None:
    server.routes["/old"] = lambda h, hit: h.reply(301, headers={"Location": "/new"})
    server.routes["/new"] = ok()

    result = fetch(server.url("/old"), sleep=Sleeps())

    assert result.final_url == server.url("/new")


def test_conditional_get_answers_304_without_content(server: Server) -> None:
    def route(handler: Handler, hit: int) -> None:
        if handler.headers.get("If-None-Match") == '"v1"':
            handler.reply(304, headers={"ETag": '"v1"'})
        else:
            stamp = "Wed, 29 Oct 2025 10:00:00 GMT"
            handler.reply(200, b"<rss/>", {"ETag": '"v1"', "Last-Modified": stamp})

    server.routes["/feed"] = route
    first = fetch(server.url("/feed"), sleep=Sleeps())

    second = fetch(
        server.url("/feed"), etag=first.etag, last_modified=first.last_modified, sleep=Sleeps()
    )

    assert (first.status, first.etag) == (200, '"v1"')
    assert (second.status, second.content, second.etag) == (304, None, '"v1"')
    assert server.requests["/feed"][1]["If-Modified-Since"] == "Wed, 29 Oct 2025 10:00:00 GMT"


def test_304_without_validators_keeps_the_ones_sent(server: Server) -> None:
    server.routes["/feed"] = lambda h, hit: h.reply(304)
    stamp = "Wed, 29 Oct 2025 10:00:00 GMT"

    result = fetch(server.url("/feed"), etag='"v1"', last_modified=stamp, sleep=Sleeps())

    assert (result.status, result.etag, result.last_modified) == (304, '"v1"', stamp)


def test_5xx_is_retried_with_exponential_backoff(server: Server) -> None:
    server.routes["/flaky"] = lambda h, hit: h.reply(500 if hit < 3 else 200, b"body")
    sleeps = Sleeps()

    result = fetch(server.url("/flaky"), backoff=0.5, sleep=sleeps, rng=UpperBound())

    assert (result.status, result.content, result.attempts) == (200, b"body", 3)
    assert sleeps == [0.5, 1.0]


def test_jitter_stays_within_the_capped_exponential_window(server: Server) -> None:
    server.routes["/down"] = lambda h, hit: h.reply(503)
    sleeps = Sleeps()

    with pytest.raises(FetchError):
        fetch(server.url("/down"), retries=6, backoff=1.0, max_backoff=8.0, sleep=sleeps)

    assert len(sleeps) == 6
    assert all(0 <= s <= min(8.0, 2**n) for n, s in enumerate(sleeps))


def test_gives_up_after_the_retries_with_a_clear_error(server: Server) -> None:
    server.routes["/down"] = lambda h, hit: h.reply(503)

    with pytest.raises(FetchError, match=r"HTTP 503 .*gave up after 4 attempts") as caught:
        fetch(server.url("/down"), retries=3, sleep=Sleeps())

    assert (caught.value.status, caught.value.attempts) == (503, 4)
    assert len(server.requests["/down"]) == 4


@pytest.mark.parametrize(
    ("retry_after", "expected"), [("7", 7.0), ("100000", 300.0)], ids=["seconds", "capped"]
)
def test_429_waits_as_long_as_retry_after_says(
    server: Server, retry_after: str, expected: float
) -> None:
    server.routes["/busy"] = lambda h, hit: (
        h.reply(429, headers={"Retry-After": retry_after}) if hit == 1 else h.reply(200, b"x")
    )
    sleeps = Sleeps()

    result = fetch(server.url("/busy"), max_retry_after=300.0, sleep=sleeps)

    assert (result.status, result.attempts, sleeps) == (200, 2, [expected])


def test_retry_after_as_an_http_date(server: Server) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=30), usegmt=True)
    server.routes["/busy"] = lambda h, hit: (
        h.reply(503, headers={"Retry-After": when}) if hit == 1 else h.reply(200, b"x")
    )
    sleeps = Sleeps()

    fetch(server.url("/busy"), sleep=sleeps)

    assert 25.0 <= sleeps[0] <= 30.0


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_other_4xx_is_never_retried(server: Server, status: int) -> None:
    server.routes["/nope"] = lambda h, hit: h.reply(status)
    sleeps = Sleeps()

    with pytest.raises(FetchError, match=f"HTTP {status}") as caught:
        fetch(server.url("/nope"), sleep=sleeps)

    assert (caught.value.status, caught.value.attempts, sleeps) == (status, 1, [])
    assert len(server.requests["/nope"]) == 1


def test_read_timeout_is_retried_then_reported(server: Server) -> None:
    server.routes["/stall"] = lambda h, hit: h.server.stopping.wait(5)
    started = time.monotonic()

    with pytest.raises(FetchError, match="timed out.*gave up after 2 attempts"):
        fetch(server.url("/stall"), timeout=(1.0, 0.2), retries=1, sleep=Sleeps())

    assert time.monotonic() - started < 2.0
    assert len(server.requests["/stall"]) == 2


def test_timeout_then_success(server: Server) -> None:
    server.routes["/once"] = lambda h, hit: (
        h.server.stopping.wait(5) if hit == 1 else h.reply(200, b"late but fine")
    )

    result = fetch(server.url("/once"), timeout=(1.0, 0.2), sleep=Sleeps())

    assert (result.content, result.attempts) == (b"late but fine", 2)


def test_slow_drip_is_cut_by_the_attempt_deadline(server: Server) -> None:
    """One byte every 50 ms never trips a read timeout; the wall-clock budget does."""

    def drip(handler: Handler, hit: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        while not handler.server.stopping.wait(0.05):
            handler.wfile.write(b"x")
            handler.wfile.flush()

    server.routes["/drip"] = drip
    started = time.monotonic()

    with pytest.raises(FetchError, match="time limit"):
        fetch(server.url("/drip"), timeout=(1.0, 1.0), total_timeout=0.5, retries=1, sleep=Sleeps())

    assert time.monotonic() - started < 3.0
    assert len(server.requests["/drip"]) == 2


def test_connection_reset_before_the_answer_is_retried(server: Server) -> None:
    server.routes["/reset"] = lambda h, hit: h.reset() if hit == 1 else h.reply(200, b"ok")

    result = fetch(server.url("/reset"), sleep=Sleeps())

    assert (result.content, result.attempts) == (b"ok", 2)


def test_connection_reset_mid_body_is_retried(server: Server) -> None:
    def route(handler: Handler, hit: int) -> None:
        if hit > 1:
            handler.reply(200, b"whole")
            return
        handler.send_response(200)
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        handler.wfile.write(b"partial" * 100)
        handler.reset()

    server.routes["/cut"] = route

    result = fetch(server.url("/cut"), sleep=Sleeps())

    assert (result.content, result.attempts) == (b"whole", 2)


def test_nothing_listening_is_a_connection_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(FetchError, match="connection failed.*gave up after 2 attempts"):
        fetch(f"http://127.0.0.1:{port}/", retries=1, sleep=Sleeps())


def test_declared_oversize_body_is_refused_unread(server: Server) -> None:
    def route(handler: Handler, hit: int) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(100 * MB))
        handler.end_headers()
        handler.wfile.write(b"x" * 1024)

    server.routes["/big"] = route

    with pytest.raises(FetchError, match=f"Content-Length {100 * MB} exceeded {MB} bytes"):
        fetch(server.url("/big"), max_bytes=MB, sleep=Sleeps())


def stream_100_mb(handler: Handler, hit: int) -> None:
    """100 MB with no Content-Length: only counting while reading can stop it."""
    handler.send_response(200)
    handler.end_headers()
    block = b"x" * (64 * 1024)
    for _ in range(100 * MB // len(block)):
        handler.wfile.write(block)


def test_100_mb_stream_is_cut_at_the_cap_with_bounded_memory(server: Server) -> None:
    server.routes["/firehose"] = stream_100_mb
    sleeps = Sleeps()
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=f"body exceeded {20 * MB} bytes") as caught:
            fetch(server.url("/firehose"), sleep=sleeps)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert peak < 32 * MB  # the cap plus buffer growth; a copy of the body would need 40 MB
    assert (caught.value.attempts, sleeps) == (1, [])


def test_gzip_body_is_decoded_and_a_gzip_bomb_is_cut_at_the_cap(server: Server) -> None:
    compressor = zlib.compressobj(wbits=31)  # gzip framing
    zeros = b"\0" * MB
    bomb = b"".join(compressor.compress(zeros) for _ in range(50)) + compressor.flush()
    small = zlib.compressobj(wbits=31)
    feed = small.compress(b"<rss>zipped</rss>") + small.flush()
    gzip_headers = {"Content-Encoding": "gzip"}
    server.routes["/bomb"] = lambda h, hit: h.reply(200, bomb, gzip_headers)
    server.routes["/feed"] = lambda h, hit: h.reply(200, feed, gzip_headers)

    assert fetch(server.url("/feed"), sleep=Sleeps()).content == b"<rss>zipped</rss>"
    tracemalloc.start()
    try:
        with pytest.raises(FetchError, match=f"body exceeded {5 * MB} bytes"):
            fetch(server.url("/bomb"), max_bytes=5 * MB, sleep=Sleeps())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert len(bomb) < MB
    assert peak < 15 * MB


def test_unsupported_url_is_an_error_without_retries() -> None:
    sleeps = Sleeps()

    with pytest.raises(FetchError, match="ftp://example.org/feed"):
        fetch("ftp://example.org/feed", sleep=sleeps)

    assert sleeps == []
