"""Fetching a source over HTTP like a good citizen, with every failure bounded.

A scheduled job must never hang on a slow server, never fill memory from a runaway
stream, and never hammer a server that asks it to slow down. So: connect and read
timeouts plus a wall-clock budget per attempt (a server dripping a byte a second never
trips a read timeout), a streamed size cap, conditional GET, and retries with
exponential backoff and full jitter that honour Retry-After, only where a retry can help.
"""

from __future__ import annotations

import io
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import requests
import urllib3

logger = logging.getLogger(__name__)

USER_AGENT = "travelrisk/0.1 (+https://github.com/travelrisk/travelrisk)"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
CHUNK_BYTES = 64 * 1024
TOO_MANY_REQUESTS = 429


@dataclass(frozen=True)
class FetchResult:
    """One successful (2xx) or unchanged (304, ``content`` None) response."""

    status: int
    content: bytes | None
    etag: str | None
    last_modified: str | None
    final_url: str
    attempts: int
    content_type: str | None = None


class FetchError(Exception):
    """The source could not be fetched; the message says why, for the source's health."""

    def __init__(self, message: str, *, url: str, status: int | None = None, attempts: int = 1):
        super().__init__(f"GET {url}: {message}")
        self.url = url
        self.status = status
        self.attempts = attempts


class _Retryable(Exception):
    """An attempt failed in a way another attempt may not (timeout, reset, 429, 5xx)."""

    def __init__(self, reason: str, *, status: int | None = None, wait: float | None = None):
        super().__init__(reason)
        self.status = status
        self.wait = wait


def retry_after_seconds(value: str | None) -> float | None:
    """Seconds a Retry-After header asks us to wait (delta-seconds or HTTP-date)."""
    if not value or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _read_body(
    response: requests.Response, *, url: str, max_bytes: int, deadline: float, attempt: int
) -> bytes:
    """The body, decoded, read in bounded chunks against the size cap and the deadline.

    ``read1`` returns whatever has arrived (at most one chunk), so the deadline is
    checked at least once per read timeout; BytesIO hands its buffer over without a
    copy, so memory stays near ``max_bytes``.
    """
    status = response.status_code
    length = response.headers.get("Content-Length", "")
    if length.isdigit() and int(length) > max_bytes:
        message = f"Content-Length {length} exceeded {max_bytes} bytes"
        raise FetchError(message, url=url, status=status, attempts=attempt)
    buffer = io.BytesIO()
    size = 0
    while chunk := response.raw.read1(CHUNK_BYTES, decode_content=True):
        size += len(chunk)
        if size > max_bytes:
            message = f"body exceeded {max_bytes} bytes"
            raise FetchError(message, url=url, status=status, attempts=attempt)
        buffer.write(chunk)
        if time.monotonic() > deadline:
            raise _Retryable(f"body still arriving after the time limit ({size} bytes read)")
    return buffer.getvalue()


def _attempt(
    session: requests.Session,
    url: str,
    *,
    headers: dict[str, str],
    timeout: tuple[float, float],
    max_bytes: int,
    total_timeout: float,
    attempt: int,
) -> FetchResult:
    """One GET; raises _Retryable for failures worth another try, FetchError otherwise."""
    deadline = time.monotonic() + total_timeout
    try:
        with session.get(url, headers=headers, timeout=timeout, stream=True) as response:
            status = response.status_code
            if status == TOO_MANY_REQUESTS or status >= 500:
                raise _Retryable(
                    f"HTTP {status} {response.reason}",
                    status=status,
                    wait=retry_after_seconds(response.headers.get("Retry-After")),
                )
            if status >= 400:
                message = f"HTTP {status} {response.reason}"
                raise FetchError(message, url=url, status=status, attempts=attempt)
            content = None
            if status != 304:
                content = _read_body(
                    response, url=url, max_bytes=max_bytes, deadline=deadline, attempt=attempt
                )
            return FetchResult(
                status=status,
                content=content,
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                final_url=response.url,
                attempts=attempt,
                content_type=response.headers.get("Content-Type"),
            )
    except (requests.Timeout, urllib3.exceptions.TimeoutError) as exc:
        raise _Retryable(f"timed out ({exc})") from exc
    except requests.exceptions.SSLError as exc:
        raise FetchError(f"TLS failed ({exc})", url=url, attempts=attempt) from exc
    except (
        requests.ConnectionError,
        requests.exceptions.ChunkedEncodingError,
        urllib3.exceptions.ProtocolError,
    ) as exc:
        raise _Retryable(f"connection failed ({exc})") from exc
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        raise FetchError(str(exc), url=url, attempts=attempt) from exc


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: tuple[float, float] = (10.0, 30.0),
    total_timeout: float = 120.0,
    max_bytes: int = DEFAULT_MAX_BYTES,
    retries: int = 3,
    backoff: float = 1.0,
    max_backoff: float = 60.0,
    max_retry_after: float = 300.0,
    session: requests.Session | None = None,
    sleep: Callable[[float], None] = time.sleep,
    rng: random.Random | None = None,
) -> FetchResult:
    """GET ``url`` with a conditional request, a size cap and retries.

    ``timeout`` is (connect, read) seconds; ``total_timeout`` bounds each attempt's
    wall-clock time. Up to ``retries`` further attempts follow a timeout, a connection
    error, 429 or 5xx, waiting the server's Retry-After (capped at
    ``max_retry_after``) or else a random time up to ``backoff * 2**n`` (capped at
    ``max_backoff``): "full jitter", so that many clients do not retry in step.
    Returns status 304 with ``content`` None (and the validators sent, unless the server
    gave new ones) when the ETag/Last-Modified still match.
    Raises :class:`FetchError` on other 4xx, an oversized body, or when retries run out.
    """
    headers = {"User-Agent": USER_AGENT}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    jitter = rng or random.Random()
    own_session = session is None
    http = session or requests.Session()
    attempt = 0
    try:
        while True:
            attempt += 1
            try:
                result = _attempt(
                    http,
                    url,
                    headers=headers,
                    timeout=timeout,
                    max_bytes=max_bytes,
                    total_timeout=total_timeout,
                    attempt=attempt,
                )
            except _Retryable as failure:
                if attempt > retries:
                    raise FetchError(
                        f"{failure} (gave up after {attempt} attempts)",
                        url=url,
                        status=failure.status,
                        attempts=attempt,
                    ) from failure
                if failure.wait is not None:
                    delay = min(failure.wait, max_retry_after)
                else:
                    delay = jitter.uniform(0.0, min(max_backoff, backoff * 2 ** (attempt - 1)))
                logger.warning("GET %s: %s; retry %d in %.1fs", url, failure, attempt, delay)
                sleep(delay)
                continue
            if result.status == 304:
                # Servers may omit validators on a 304; the ones we sent still hold.
                result = replace(
                    result,
                    etag=result.etag or etag,
                    last_modified=result.last_modified or last_modified,
                )
            return result
    finally:
        if own_session:
            http.close()
