"""The scheduled jobs: module-level functions of plain arguments, each in its own sessions.

Each job logs its start, counts and end, and leaves a job-run row (running, then success,
failed or skipped, with counts and the error). A failure is rolled back, recorded and
logged, never raised: one broken source must not take the scheduler down with it.

A daily report job belongs here too once reports exist; there is no report builder yet,
so there is no report job rather than one that pretends.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app

from service.extensions import runtime
from service.ingest.fetch import FetchError
from service.ingest.pipeline import UnknownFormat
from service.ingest.records import ParseFailure
from service.ingest.runner import SourceSkipped, run_source
from service.rescore import rescore
from service.sources import load_sources
from service.storage.db import db
from service.storage.jobs import FAILED, SKIPPED, SUCCESS, finish_job_run, start_job_run

logger = logging.getLogger(__name__)

RESCORE_JOB_ID = "rescore"
INGEST_JOB_PREFIX = "ingest:"

# The app the jobs run in; the scheduler binds its own at start. Jobs take plain
# arguments, so this is how they reach settings, the database and the analyser.
_app: Flask | None = None

# Rescoring replaces rows (delete, then insert): two at once on the same countries would
# collide, so one process never runs two. Only the leader process runs jobs.
_scoring = threading.Lock()

Counts = dict[str, Any]


class JobSkipped(Exception):
    """Nothing to do, for a reason worth recording (the source is gone from the config)."""


def bind_app(app: Flask | None) -> None:
    """Run the jobs in ``app`` (the scheduler does this when built); None forgets it."""
    global _app
    _app = app


def _get_app() -> Flask:
    global _app
    if _app is None:
        # Imported here: service/__init__ imports the CLI, which imports the scheduler.
        from service import create_app

        _app = create_app()
    return _app


def ingest_job_id(source_name: str) -> str:
    return f"{INGEST_JOB_PREFIX}{source_name}"


def ingest_source_job(source_name: str) -> None:
    """Fetch one configured source and store what is new; rescore the countries it touched."""
    _run(ingest_job_id(source_name), lambda counts: _ingest(source_name, counts))


def rescore_job() -> None:
    """Rescore every country, so evidence decays and history gets today's row without news."""
    _run(RESCORE_JOB_ID, lambda counts: counts.update(_rescore(only=None)))


def _ingest(source_name: str, counts: Counts) -> None:
    settings = current_app.config["SETTINGS"]
    # Read at run time: a source edited since start is fetched as it is now configured.
    spec = load_sources(settings.config_dir).get(source_name)
    if spec is None:
        raise JobSkipped(f"{source_name} is no longer in sources.yaml")
    report = run_source(
        spec,
        analyzer=runtime().analyzer,
        session_scope=db.session_scope,
        timeout_seconds=settings.fetch_timeout_seconds,
        max_bytes=settings.fetch_max_bytes,
    )
    counts.update(report.as_dict())
    if report.new and report.countries:
        counts["rescored"] = _rescore(only=report.countries)["countries"]


def _rescore(*, only: set[str] | None) -> Counts:
    rt = runtime()
    with _scoring, db.session_scope() as session:
        results = rescore(
            session,
            as_of=datetime.now(UTC),
            config=rt.factors,
            model_version=rt.analyzer.model_version,
            calibration=rt.score_model,
            only=only,
        )
    return {"countries": len(results), "raised": sum(1 for r in results if r.overall.score > 0)}


def _run(job_id: str, work: Callable[[Counts], object]) -> None:
    """Run ``work`` in the app's context and record it; nothing escapes to the scheduler."""
    try:
        with _get_app().app_context():
            _recorded(job_id, work)
    except Exception:
        # Only the recording itself can get here (say, the database is down).
        logger.exception("job %s could not run or be recorded", job_id)


def _recorded(job_id: str, work: Callable[[Counts], object]) -> None:
    clock = time.monotonic()
    logger.info("job %s started", job_id)
    with db.session_scope() as session:
        run_id = start_job_run(session, job_id=job_id, now=datetime.now(UTC)).id
    counts: Counts = {}  # filled as the work goes, so a failure still shows how far it got
    status, error = SUCCESS, None
    try:
        work(counts)
    except (JobSkipped, SourceSkipped) as exc:
        status, error = SKIPPED, str(exc)
    except (FetchError, ParseFailure, UnknownFormat) as exc:
        # The source's own health records these too; a traceback would add nothing.
        status, error = FAILED, f"{type(exc).__name__}: {exc}"
    except Exception as exc:
        status, error = FAILED, f"{type(exc).__name__}: {exc}"
        logger.exception("job %s failed", job_id)
    with db.session_scope() as session:
        finish_job_run(
            session,
            run_id=run_id,
            now=datetime.now(UTC),
            status=status,
            counts=counts,
            error=error,
        )
    logger.info(
        "job %s %s in %.2f s: %s%s",
        job_id,
        status,
        time.monotonic() - clock,
        counts,
        f" ({error})" if error else "",
    )
