"""Job runs: the record of every scheduled job execution, for ops and for the schedule itself."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from service.storage.tables import JobRun

RUNNING = "running"
SUCCESS = "success"
FAILED = "failed"
SKIPPED = "skipped"
STATUSES = (RUNNING, SUCCESS, FAILED, SKIPPED)


def start_job_run(session: Session, *, job_id: str, now: datetime) -> JobRun:
    """Add a ``running`` row, so a job in progress (or one that died) is visible."""
    run = JobRun(job_id=job_id, started_at=now, status=RUNNING, counts={})
    session.add(run)
    session.flush()
    return run


def finish_job_run(
    session: Session,
    *,
    run_id: int,
    now: datetime,
    status: str,
    counts: dict[str, Any],
    error: str | None = None,
) -> None:
    """Close a run with how it ended and what it counted."""
    if status not in STATUSES or status == RUNNING:
        raise ValueError(f"not a final job status: {status!r}")
    # One UPDATE, no read first: on SQLite a read-then-write transaction fails at once
    # when another connection wrote in between; a plain write waits its turn instead.
    session.execute(
        update(JobRun)
        .where(JobRun.id == run_id)
        .values(finished_at=now, status=status, counts=counts, error=error)
    )


def list_job_runs(
    session: Session,
    *,
    job_id: str | None,
    status: str | None,
    before: tuple[datetime, int] | None,
    limit: int,
) -> list[JobRun]:
    """Job runs newest first, keyset-paginated below ``(started_at, id)``."""
    query = select(JobRun)
    if job_id is not None:
        query = query.where(JobRun.job_id == job_id)
    if status is not None:
        query = query.where(JobRun.status == status)
    if before is not None:
        started, run_id = before
        query = query.where(
            (JobRun.started_at < started) | ((JobRun.started_at == started) & (JobRun.id < run_id))
        )
    query = query.order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
    return list(session.scalars(query))


def last_started(session: Session, *, job_ids: Iterable[str]) -> dict[str, datetime]:
    """When each of these jobs last started, whoever ran it; absent when it never ran.

    A newly elected scheduler uses it to carry on the schedule of the one before
    instead of fetching every source the moment leadership changes hands.
    """
    wanted = list(job_ids)
    if not wanted:
        return {}
    query = (
        select(JobRun.job_id, func.max(JobRun.started_at))
        .where(JobRun.job_id.in_(wanted))
        .group_by(JobRun.job_id)
    )
    return {job_id: started for job_id, started in session.execute(query)}
