"""Sources and their health: sync with the configuration, record runs, list for the API."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from service.sources import SourceSpec
from service.storage.tables import Source, SourceRun

# After this many failures in a row a source waits before the next try, doubling each time.
FAILURES_BEFORE_BACKOFF = 3
MAX_BACKOFF = timedelta(hours=24)
ERROR_TEXT_LIMIT = 2000


def sync_sources(session: Session, *, specs: Iterable[SourceSpec]) -> dict[str, Source]:
    """Create or update a row per configured source; rows of removed sources are disabled."""
    rows = {s.name: s for s in session.scalars(select(Source))}
    seen = set()
    for spec in specs:
        seen.add(spec.name)
        row = rows.get(spec.name)
        if row is None:
            row = Source(name=spec.name, consecutive_failures=0)
            session.add(row)
            rows[spec.name] = row
        row.kind, row.format, row.url, row.enabled = spec.kind, spec.format, spec.url, spec.enabled
    for name, row in rows.items():
        if name not in seen:
            row.enabled = False
    session.flush()
    return rows


def get_or_create_source(session: Session, *, name: str, kind: str, fmt: str) -> Source:
    """The row for a source that is not configured (e.g. pushed articles, files)."""
    row = session.scalars(select(Source).where(Source.name == name)).first()
    if row is None:
        row = Source(name=name, kind=kind, format=fmt, consecutive_failures=0)
        session.add(row)
        session.flush()
    return row


def start_run(session: Session, *, source: Source, now: datetime) -> SourceRun:
    source.last_attempt_at = now
    run = SourceRun(source=source, started_at=now, status="running")
    session.add(run)
    session.flush()
    return run


def record_success(
    session: Session,
    *,
    source: Source,
    run: SourceRun,
    now: datetime,
    seen: int,
    new: int,
    duplicates: int,
    errors: int,
    first_error: str | None,
) -> None:
    """Close a run that stored what it could; per-entry errors do not fail the source."""
    run.finished_at, run.status = now, "success"
    run.items_seen, run.items_new, run.duplicates, run.errors = seen, new, duplicates, errors
    run.error_text = first_error[:ERROR_TEXT_LIMIT] if first_error else None
    source.last_success_at = now
    source.consecutive_failures = 0
    source.backoff_until = None
    source.items_seen_total += seen
    source.items_new_total += new


def record_failure(
    session: Session,
    *,
    source: Source,
    run: SourceRun,
    now: datetime,
    error: str,
    interval: timedelta,
) -> None:
    """Close a failed run; after repeated failures the source backs off (circuit open)."""
    run.finished_at, run.status, run.error_text = now, "failed", error[:ERROR_TEXT_LIMIT]
    source.last_error, source.last_error_at = error[:ERROR_TEXT_LIMIT], now
    source.consecutive_failures += 1
    over = source.consecutive_failures - FAILURES_BEFORE_BACKOFF
    if over >= 0:
        source.backoff_until = now + min(interval * (2**over), MAX_BACKOFF)


def list_sources(session: Session) -> list[tuple[Source, SourceRun | None]]:
    """Every source with its latest run, by name."""
    sources = list(session.scalars(select(Source).order_by(Source.name)))
    newest = select(func.max(SourceRun.id)).group_by(SourceRun.source_id)
    latest = {
        r.source_id: r for r in session.scalars(select(SourceRun).where(SourceRun.id.in_(newest)))
    }
    return [(s, latest.get(s.id)) for s in sources]
