"""The scheduled jobs and their scheduler: recorded runs, config reconciliation, leadership.

Sources point at a real HTTP server on 127.0.0.1 serving a small RSS feed; schedules run
in fractions of a second through ``scheduler_tick_seconds``. Every wait is bounded.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask
from flask.testing import FlaskCliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from service import jobs
from service.scheduler import LEADER_JOB_ID, build_scheduler, reconcile_jobs
from service.settings import Settings, SettingsError, load_settings
from service.sources import SourceSpec
from service.storage import migrate
from service.storage.db import db
from service.storage.tables import Base, CurrentScore, JobRun
from tests.localhttp import Server, answer, running_server

pytestmark = pytest.mark.timeout(60)

REPO = Path(__file__).resolve().parents[2]

FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test wire</title><link>http://example.org/</link>
<description>test</description>
<item>
  <title>France withdraws diplomatic staff from Mali amid fuel blockade</title>
  <link>http://example.org/mali-drawdown</link>
  <description>France ordered non-essential embassy staff to leave Bamako as a jihadist
  fuel blockade crippled transport and attacks on convoys spread across Mali.</description>
  <pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate>
</item>
</channel></rss>
"""


@pytest.fixture
def feed_server() -> Iterator[Server]:
    """Serves ``/feed.xml`` and counts the requests; ``/broken`` is a 500."""
    with running_server() as server:
        server.routes["/feed.xml"] = answer(200, FEED)
        server.routes["/broken"] = answer(500, b"broken")
        yield server


def write_config(directory: Path, sources: dict[str, dict[str, Any]]) -> Path:
    """The repo's config (factors, lexicons, gazetteer) with these sources."""
    if not directory.exists():
        shutil.copytree(REPO / "config", directory)
    lines = ["sources:"]
    for name, fields in sources.items():
        lines.append(f"  {name}:")
        lines.extend(f"    {key}: {value}" for key, value in fields.items())
    (directory / "sources.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return directory


def news(url: str, **fields: Any) -> dict[str, Any]:
    return {"kind": "news", "format": "rss", "url": url, "interval_minutes": 1, **fields}


@pytest.fixture
def config_dir(tmp_path: Path, feed_server: Server) -> Path:
    return write_config(
        tmp_path / "config",
        {
            "wire": news(feed_server.url("/feed.xml")),
            "broken": news(feed_server.url("/broken"), interval_minutes=5),
            "paused": news(feed_server.url("/feed.xml"), enabled="false"),
        },
    )


@pytest.fixture
def settings(database_url: str, tmp_path: Path, config_dir: Path) -> Settings:
    """The conftest settings, with the test sources and a 0.3 s schedule minute."""
    return load_settings(
        {
            "database_url": database_url,
            "config_dir": config_dir,
            "report_dir": tmp_path / "reports",
            "scheduler_tick_seconds": 0.3,
            "fetch_timeout_seconds": 5.0,
        },
        environ={},
        config_file=tmp_path / "absent.yaml",
    )


@pytest.fixture
def bound(app: Flask) -> Iterator[Flask]:
    """The jobs run in the test app, as they do in the scheduler's."""
    jobs.bind_app(app)
    yield app
    jobs.bind_app(None)


def runs(session: Session, job_id: str | None = None) -> list[JobRun]:
    session.rollback()  # end the read snapshot so the jobs' commits are visible
    query = select(JobRun).order_by(JobRun.started_at, JobRun.id)
    if job_id is not None:
        query = query.where(JobRun.job_id == job_id)
    return list(session.scalars(query))


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)


# --- the jobs -----------------------------------------------------------------------------


def test_ingest_job_records_its_run_and_rescores_the_countries_it_touched(
    bound: Flask, session: Session
) -> None:
    jobs.ingest_source_job("wire")
    [run] = runs(session, "ingest:wire")
    assert run.status == "success"
    assert run.error is None
    assert run.finished_at is not None and run.finished_at >= run.started_at
    assert run.counts["new"] == 1 and run.counts["seen"] == 1
    assert run.counts["rescored"] >= 1
    mali = session.get(CurrentScore, ("ML", "overall"))
    assert mali is not None and mali.score > 0

    jobs.ingest_source_job("wire")  # the same story again: nothing new, no rescore
    second = runs(session, "ingest:wire")[-1]
    assert second.status == "success"
    assert second.counts["new"] == 0 and second.counts["duplicates"] == 1
    assert "rescored" not in second.counts


def test_rescore_job_scores_every_country(bound: Flask, session: Session) -> None:
    jobs.rescore_job()
    [run] = runs(session, "rescore")
    assert run.status == "success"
    assert run.counts["countries"] >= 249
    assert run.counts["raised"] == 0  # nothing stored, nothing raised


def test_a_failing_source_is_recorded_as_failed_and_never_raises(
    bound: Flask, session: Session, feed_server: Server
) -> None:
    jobs.ingest_source_job("broken")
    [run] = runs(session, "ingest:broken")
    assert run.status == "failed"
    assert run.error is not None and "500" in run.error
    assert feed_server.hits("/broken") >= 1
    assert session.scalar(select(CurrentScore).limit(1)) is None


@pytest.mark.parametrize(
    ("source", "reason"), [("paused", "disabled"), ("removed", "no longer in sources.yaml")]
)
def test_disabled_or_removed_sources_are_recorded_as_skipped(
    bound: Flask, session: Session, feed_server: Server, source: str, reason: str
) -> None:
    jobs.ingest_source_job(source)
    [run] = runs(session, f"ingest:{source}")
    assert run.status == "skipped"
    assert run.error is not None and reason in run.error
    assert feed_server.requests == {}


def test_a_job_whose_run_cannot_be_recorded_logs_and_returns(
    bound: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    with bound.app_context():
        Base.metadata.tables["job_runs"].drop(db.engine)
    with caplog.at_level(logging.ERROR, logger="service.jobs"):
        jobs.rescore_job()  # must not raise into the scheduler
    assert "job rescore could not run or be recorded" in caplog.text


def test_a_failure_midway_rolls_back_and_keeps_the_counts_so_far(
    bound: Flask, session: Session
) -> None:
    # Scores cannot be written: the ingest itself succeeds, its rescore fails.
    with bound.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP TABLE score_history"))
    jobs.ingest_source_job("wire")
    [run] = runs(session, "ingest:wire")
    assert run.status == "failed"
    assert run.error is not None and "score_history" in run.error
    assert run.counts["new"] == 1  # stored, and kept: the next rescore picks it up
    assert session.scalar(select(CurrentScore).limit(1)) is None  # the rescore rolled back


# --- the schedule -------------------------------------------------------------------------


def test_one_job_per_enabled_source_with_stable_ids_and_safe_options(app: Flask) -> None:
    scheduler = build_scheduler(app)
    by_id = {job.id: job for job in scheduler.get_jobs()}
    assert set(by_id) == {"ingest:wire", "ingest:broken", "rescore", LEADER_JOB_ID}
    for job_id in ("ingest:wire", "ingest:broken", "rescore"):
        job = by_id[job_id]
        assert job.coalesce is True
        assert job.max_instances == 1
        assert job.misfire_grace_time >= 1
        assert job.next_run_time is None  # paused until this process leads
    assert by_id["ingest:wire"].args == ("wire",)
    assert by_id["ingest:wire"].func is jobs.ingest_source_job
    assert by_id["ingest:wire"].trigger.interval.total_seconds() == pytest.approx(0.3)
    assert by_id["ingest:broken"].trigger.interval.total_seconds() == pytest.approx(1.5)
    assert by_id["rescore"].trigger.interval.total_seconds() == pytest.approx(18)


def test_reconciling_with_the_config_drops_jobs_of_removed_and_disabled_sources() -> None:
    scheduler = BackgroundScheduler()

    def spec(name: str, enabled: bool = True) -> SourceSpec:
        return SourceSpec(name, "news", "rss", "http://127.0.0.1/", 30, enabled)

    reconcile_jobs(scheduler, {"a": spec("a"), "b": spec("b")}, tick_seconds=60)
    scheduler.add_job(print, id="unrelated")
    ids = reconcile_jobs(
        scheduler, {"a": spec("a", enabled=False), "c": spec("c")}, tick_seconds=60
    )
    assert ids == ["ingest:c", "rescore"]
    assert {job.id for job in scheduler.get_jobs()} == {"ingest:c", "rescore", "unrelated"}


def test_the_leading_scheduler_runs_each_job_once_per_interval(
    app: Flask, session: Session, feed_server: Server, config_dir: Path
) -> None:
    """Two schedulers in one process contend as two processes would: one runs the jobs."""
    write_config(config_dir, {"wire": news(feed_server.url("/feed.xml"))})
    first, second = build_scheduler(app), build_scheduler(app)
    first.start()
    second.start()
    try:
        wait_for(lambda: len(runs(session, "ingest:wire")) >= 5, 15, "five runs of ingest:wire")
    finally:
        first.shutdown(wait=True)
        second.shutdown(wait=True)
    wire = runs(session, "ingest:wire")
    assert feed_server.hits("/feed.xml") == len(wire)  # each run fetched once
    assert all(run.status == "success" for run in wire)
    span = (wire[-1].started_at - wire[0].started_at).total_seconds()
    # One run per 0.3 s interval; both schedulers running would make twice as many.
    assert len(wire) <= span / 0.3 + 1.5, (len(wire), span)
    assert len(runs(session, "rescore")) == 1  # hourly (18 s here): once, at election


# --- serve runs it in-process (as make run does) ------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.slow
def test_serve_runs_the_scheduler_in_process_and_stops_cleanly_on_sigterm(
    database_url: str, config_dir: Path, tmp_path: Path, feed_server: Server
) -> None:
    write_config(config_dir, {"wire": news(feed_server.url("/feed.xml"))})
    migrate.upgrade(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAVELRISK_")}
    env.update(
        TRAVELRISK_DATABASE_URL=database_url,
        TRAVELRISK_CONFIG_DIR=str(config_dir),
        TRAVELRISK_CONFIG_FILE=str(tmp_path / "absent.yaml"),
        TRAVELRISK_SCHEDULER_TICK_SECONDS="0.5",
    )
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)],
            cwd=REPO,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:

            def wire_runs() -> list[dict[str, Any]]:
                url = f"http://127.0.0.1:{port}/v1/jobs?job_id=ingest:wire&status=success"
                try:
                    with urllib.request.urlopen(url, timeout=2) as response:
                        items: list[dict[str, Any]] = json.load(response)["items"]
                        return items
                except OSError:
                    return []

            wait_for(lambda: len(wire_runs()) >= 2, 25, "two runs visible through /v1/jobs")
            assert wire_runs()[-1]["counts"]["new"] == 1  # the first run stored the story
            process.send_signal(signal.SIGTERM)
            assert process.wait(timeout=15) == 0
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
    assert "leadership released" in log.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("value", ["0", "-1", "0.05", "7200", "soon"])
def test_an_unusable_tick_length_fails_at_start_naming_the_setting(value: str) -> None:
    with pytest.raises(SettingsError, match="scheduler_tick_seconds"):
        load_settings(environ={"TRAVELRISK_SCHEDULER_TICK_SECONDS": value})


def test_a_malformed_sources_file_stops_the_scheduler_command_with_one_line(
    runner: FlaskCliRunner, config_dir: Path
) -> None:
    (config_dir / "sources.yaml").write_text("sources:\n  wire:\n    kind: news\n")
    result = runner.invoke(args=["scheduler"])
    assert result.exit_code == 1
    assert "source 'wire': missing 'format'" in result.output
