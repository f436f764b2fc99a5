"""Run one configured source: fetch, parse, analyse, store, and record its health.

A failure (network, hostile or broken input) is recorded against the source and never
touches stored signals or scores; the conditional-GET validators only advance after the
content was stored, so a failed store is fetched again next time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from models.analysis import Analyzer
from service.ingest.fetch import FetchError, FetchResult, fetch
from service.ingest.pipeline import IngestReport, SessionScope, UnknownFormat, ingest_bytes
from service.ingest.records import ParseFailure
from service.sources import SourceSpec
from service.storage.sources import record_failure, record_success, start_run, sync_sources
from service.storage.tables import SourceRun

logger = logging.getLogger(__name__)

Fetcher = Callable[..., FetchResult]
# Wall-clock budget of one attempt, in read timeouts: a large feed on a slow link may
# take a while, but a server dripping a byte per second must not hold a job for minutes.
ATTEMPT_BUDGET = 3


class SourceSkipped(Exception):
    """The source is disabled or backing off after repeated failures."""


def run_source(
    spec: SourceSpec,
    *,
    analyzer: Analyzer,
    session_scope: SessionScope,
    timeout_seconds: float,
    max_bytes: int,
    fetcher: Fetcher = fetch,
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> IngestReport:
    """Fetch and ingest one source once.

    Raises
    ------
    SourceSkipped
        When the source is disabled or its circuit is open.
    FetchError, ParseFailure, UnknownFormat
        After recording the failure on the source (as is any other exception).
    """
    started = now()
    with session_scope() as session:
        source = sync_sources(session, specs=[spec])[spec.name]
        if not spec.enabled:
            raise SourceSkipped(f"{spec.name} is disabled")
        if source.backoff_until is not None and source.backoff_until > started:
            raise SourceSkipped(
                f"{spec.name} is backing off after {source.consecutive_failures} failures "
                f"until {source.backoff_until.isoformat()}"
            )
        run_id = start_run(session, source=source, now=started).id
        etag, last_modified = source.etag, source.last_modified

    try:
        response = fetcher(
            spec.url,
            etag=etag,
            last_modified=last_modified,
            timeout=(min(10.0, timeout_seconds), timeout_seconds),
            total_timeout=timeout_seconds * ATTEMPT_BUDGET,
            max_bytes=max_bytes,
        )
        report = IngestReport()
        if response.content is not None:
            report = ingest_bytes(
                response.content,
                filename=None,
                fmt=spec.format,
                analyzer=analyzer,
                session_scope=session_scope,
            )
    except (FetchError, ParseFailure, UnknownFormat) as exc:
        logger.warning("source %s failed: %s", spec.name, exc)
        _finish(session_scope, spec, run_id, now(), error=f"{type(exc).__name__}: {exc}")
        raise
    except Exception as exc:
        # A bug or a database outage must still close the run and count as a failure,
        # or the source would show "running" forever and never back off.
        logger.exception("source %s failed unexpectedly", spec.name)
        _finish(session_scope, spec, run_id, now(), error=f"{type(exc).__name__}: {exc}")
        raise
    _finish(session_scope, spec, run_id, now(), report=report, response=response)
    logger.info("source %s: %s", spec.name, report.as_dict())
    return report


def _finish(
    session_scope: SessionScope,
    spec: SourceSpec,
    run_id: int,
    finished: datetime,
    *,
    error: str | None = None,
    report: IngestReport | None = None,
    response: FetchResult | None = None,
) -> None:
    with session_scope() as session:
        run = session.get_one(SourceRun, run_id)
        source = run.source
        if error is not None:
            record_failure(
                session,
                source=source,
                run=run,
                now=finished,
                error=error,
                interval=timedelta(minutes=spec.interval_minutes),
            )
            return
        assert report is not None and response is not None
        errors = [p for p in report.problems if p.kind == "error"]
        record_success(
            session,
            source=source,
            run=run,
            now=finished,
            seen=report.seen,
            new=report.new,
            duplicates=report.duplicates,
            errors=len(errors),
            first_error=f"{errors[0].location}: {errors[0].message}" if errors else None,
        )
        if response.status != 304:
            source.etag, source.last_modified = response.etag, response.last_modified
