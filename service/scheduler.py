"""APScheduler set-up: per-source ingest and the hourly rescore, run by one leader at a time.

Jobs live in a memory job store: config/sources.yaml is the source of truth, and the jobs
are reconciled with it at every start (a removed or disabled source has no job). Every
process that runs a scheduler builds the same jobs but keeps them paused; a ``leader``
job contends for leadership (service/leader.py) every few seconds, and only the process
that wins resumes them. When the leader dies its lock goes with it, and the next
follower to try takes over, carrying on the schedule from the recorded job runs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.events import EVENT_SCHEDULER_SHUTDOWN
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from service import jobs
from service.leader import Leadership, leadership_for
from service.sources import SourceSpec, load_sources
from service.storage.db import db
from service.storage.jobs import last_started

logger = logging.getLogger(__name__)

LEADER_JOB_ID = "leader"
LEADER_EXECUTOR = "leader"
RESCORE_EVERY_MINUTES = 60
# Jobs running at once in the leader. SQLite gets one: it has a single writer, and a
# deferred transaction that reads and then writes fails outright ("database is locked")
# when another connection committed in between, which concurrent ingests would do.
WORKERS = 4
SQLITE_WORKERS = 1


def leader_retry_seconds(tick_seconds: float) -> float:
    """How often a follower tries to take over (and a leader re-checks): 15 s in real life."""
    return min(15.0, max(0.2, tick_seconds / 4))


def is_work_job(job_id: str) -> bool:
    """The jobs only the leader runs (everything but the leadership check itself)."""
    return job_id == jobs.RESCORE_JOB_ID or job_id.startswith(jobs.INGEST_JOB_PREFIX)


def _interval_job_options(minutes: int, tick_seconds: float) -> dict[str, Any]:
    seconds = minutes * tick_seconds
    return {
        "trigger": IntervalTrigger(seconds=seconds, timezone=UTC),
        "replace_existing": True,
        "coalesce": True,
        "max_instances": 1,
        # A run late by up to one interval still happens (once, coalesced); the one after
        # is due by then anyway.
        "misfire_grace_time": max(1, round(seconds)),
    }


def reconcile_jobs(
    scheduler: BaseScheduler, specs: Mapping[str, SourceSpec], *, tick_seconds: float
) -> list[str]:
    """Make the work jobs match the config: one ingest job per enabled source, one rescore.

    Jobs of sources removed or disabled are removed; new jobs start paused (the leader
    resumes them), existing ones keep their next run time. Returns the work job ids.
    """
    wanted = {jobs.ingest_job_id(name): spec for name, spec in specs.items() if spec.enabled}
    for job in scheduler.get_jobs():
        if job.id.startswith(jobs.INGEST_JOB_PREFIX) and job.id not in wanted:
            scheduler.remove_job(job.id)
            logger.info("job %s removed: its source is gone or disabled", job.id)

    def add(job_id: str, func: Any, minutes: int, args: tuple[str, ...] = ()) -> None:
        existing = scheduler.get_job(job_id)
        scheduler.add_job(
            func,
            id=job_id,
            name=job_id,
            args=args,
            next_run_time=existing.next_run_time if existing else None,
            **_interval_job_options(minutes, tick_seconds),
        )

    for job_id, spec in sorted(wanted.items()):
        add(job_id, jobs.ingest_source_job, spec.interval_minutes, (spec.name,))
    add(jobs.RESCORE_JOB_ID, jobs.rescore_job, RESCORE_EVERY_MINUTES)
    return [*sorted(wanted), jobs.RESCORE_JOB_ID]


class LeaderWatch:
    """Resumes the work jobs when this process becomes leader, pauses them when it stops."""

    def __init__(self, scheduler: BaseScheduler, leadership: Leadership, app: Flask) -> None:
        self.scheduler = scheduler
        self.leadership = leadership
        self.app = app
        self.leading = False
        self._lock = threading.Lock()

    def check(self) -> None:
        """The ``leader`` job: contend for (or confirm) leadership and act on any change."""
        with self._lock:
            leads = self.leadership.ensure()
            if leads and not self.leading:
                try:
                    self._resume()
                except Exception:
                    # Still holding the lock: the next check tries to resume again.
                    logger.exception("elected, but could not resume the jobs")
                    return
                self.leading = True
                logger.info("this scheduler leads: jobs resumed")
            elif not leads and self.leading:
                self.leading = False
                self._pause()
                logger.warning("this scheduler no longer leads: jobs paused")

    def resign(self, _event: object = None) -> None:
        """On shutdown, after running jobs finished: let a follower take over at once."""
        with self._lock:
            self.leading = False
            self.leadership.release()
        logger.info("scheduler stopped; leadership released")

    def _work_jobs(self) -> list[Any]:
        return [job for job in self.scheduler.get_jobs() if is_work_job(job.id)]

    def _resume(self) -> None:
        """Carry on the schedule where the last leader left it, not all at once."""
        work = self._work_jobs()
        with self.app.app_context(), db.session_scope() as session:
            last = last_started(session, job_ids=[job.id for job in work])
        now = datetime.now(UTC)
        for job in work:
            interval: timedelta = job.trigger.interval
            due = max(now, last[job.id] + interval) if job.id in last else now
            self.scheduler.modify_job(job.id, next_run_time=due)

    def _pause(self) -> None:
        for job in self._work_jobs():
            self.scheduler.pause_job(job.id)


def build_scheduler(
    app: Flask, *, blocking: bool = False
) -> BackgroundScheduler | BlockingScheduler:
    """A scheduler with the configured jobs, not yet started; it runs them while it leads.

    Returns a ``BlockingScheduler`` (``blocking=True``, for ``python -m service scheduler``)
    or a ``BackgroundScheduler`` (in-process, for ``serve``).
    """
    settings = app.config["SETTINGS"]
    kind = BlockingScheduler if blocking else BackgroundScheduler
    scheduler = kind(
        timezone=UTC,
        jobstores={"default": MemoryJobStore()},
        executors={
            "default": ThreadPoolExecutor(SQLITE_WORKERS if settings.is_sqlite else WORKERS),
            # Its own thread, so busy jobs never delay the leadership check.
            LEADER_EXECUTOR: ThreadPoolExecutor(1),
        },
        job_defaults={"coalesce": True, "max_instances": 1},
    )
    # Every few seconds "running job leader" would drown the log; its failures still show.
    logging.getLogger(f"apscheduler.executors.{LEADER_EXECUTOR}").setLevel(logging.WARNING)
    jobs.bind_app(app)
    work = reconcile_jobs(
        scheduler,
        load_sources(settings.config_dir),
        tick_seconds=settings.scheduler_tick_seconds,
    )
    watch = LeaderWatch(scheduler, leadership_for(settings.database_url), app)
    retry = leader_retry_seconds(settings.scheduler_tick_seconds)
    scheduler.add_job(
        watch.check,
        IntervalTrigger(seconds=retry, timezone=UTC),
        id=LEADER_JOB_ID,
        name=LEADER_JOB_ID,
        executor=LEADER_EXECUTOR,
        next_run_time=datetime.now(UTC),
        replace_existing=True,
        coalesce=True,
        max_instances=1,
        misfire_grace_time=max(1, round(retry)),
    )
    scheduler.add_listener(watch.resign, EVENT_SCHEDULER_SHUTDOWN)
    logger.info(
        "scheduler built: %d jobs (%s); contends for leadership every %.2g s",
        len(work),
        ", ".join(work),
        retry,
    )
    return scheduler
