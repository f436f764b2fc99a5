"""One scheduler leads across processes; when it dies, another takes over.

The locks are tested directly, then with two real ``python -m service scheduler``
processes against one database, fetching a feed from a local HTTP server every second.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import IO

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from service.leader import FileLeadership, ProcessLeadership, leadership_for
from service.storage import migrate
from service.storage.db import make_engine
from service.storage.tables import JobRun
from tests.localhttp import Server, answer, running_server

pytestmark = pytest.mark.timeout(60)

REPO = Path(__file__).resolve().parents[2]
TICK = 1.0  # seconds in one schedule minute: the feed's one-minute interval is one second

FEED = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Test wire</title><link>http://example.org/</link>
<description>test</description>
<item><title>Fuel blockade tightens around Bamako, Mali</title>
<link>http://example.org/bamako-fuel</link>
<description>Jihadist attacks on fuel convoys left Bamako without petrol.</description>
<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate></item>
</channel></rss>
"""


# --- the locks ----------------------------------------------------------------------------


def test_only_one_holder_at_a_time_and_release_hands_over(database_url: str) -> None:
    first, second = leadership_for(database_url), leadership_for(database_url)
    try:
        assert first.ensure() is True
        assert first.ensure() is True  # re-checking keeps it
        assert second.ensure() is False
        first.release()
        assert second.ensure() is True
        assert first.ensure() is False
    finally:
        first.release()
        second.release()


def test_the_sqlite_lock_file_sits_beside_the_database(tmp_path: Path) -> None:
    leadership = leadership_for(f"sqlite:///{tmp_path / 'db' / 'travelrisk.db'}")
    assert isinstance(leadership, FileLeadership)
    assert leadership.path == tmp_path / "db" / "travelrisk.db.scheduler.lock"
    try:
        assert leadership.ensure()
        assert f"pid {os.getpid()}" in leadership.path.read_text()
    finally:
        leadership.release()


def test_a_deleted_lock_file_counts_as_lost_leadership(tmp_path: Path) -> None:
    """Otherwise a second process could lock a new file while the first still leads."""
    url = f"sqlite:///{tmp_path / 'travelrisk.db'}"
    first, second = leadership_for(url), leadership_for(url)
    try:
        assert first.ensure()
        assert isinstance(first, FileLeadership)
        first.path.unlink()
        assert second.ensure()
        assert first.ensure() is False
    finally:
        first.release()
        second.release()


def test_an_in_memory_database_always_leads_its_only_process() -> None:
    assert isinstance(leadership_for("sqlite://"), ProcessLeadership)
    assert leadership_for("sqlite:///:memory:").ensure()


# --- two scheduler processes --------------------------------------------------------------


@pytest.fixture
def feed() -> Iterator[Server]:
    with running_server() as server:
        server.routes["/feed.xml"] = answer(200, FEED)
        yield server


class SchedulerProcess:
    """``python -m service scheduler`` with its log in a file (a pipe could fill and block)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self._out: IO[bytes] = log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "service", "scheduler"],
            cwd=REPO,
            env=env,
            stdout=self._out,
            stderr=subprocess.STDOUT,
        )

    def says(self, text: str) -> bool:
        return text in self.log.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self._out.close()


@pytest.fixture
def scheduler_env(database_url: str, tmp_path: Path, feed: Server) -> dict[str, str]:
    config = tmp_path / "config"
    # The repo's factor and gazetteer config, with one source: the local feed, every tick.
    shutil.copytree(REPO / "config", config)
    (config / "sources.yaml").write_text(
        "sources:\n"
        "  wire:\n"
        "    kind: news\n"
        "    format: rss\n"
        f"    url: http://127.0.0.1:{feed.server_address[1]}/feed.xml\n"
        "    interval_minutes: 1\n",
        encoding="utf-8",
    )
    migrate.upgrade(database_url)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRAVELRISK_")}
    env.update(
        TRAVELRISK_DATABASE_URL=database_url,
        TRAVELRISK_CONFIG_DIR=str(config),
        TRAVELRISK_CONFIG_FILE=str(tmp_path / "absent.yaml"),
        TRAVELRISK_SCHEDULER_TICK_SECONDS=str(TICK),
        TRAVELRISK_FETCH_TIMEOUT_SECONDS="5",
        TRAVELRISK_LOG_LEVEL="INFO",
    )
    return env


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


def wire_starts(engine: Engine) -> list[datetime]:
    with Session(engine) as session:
        query = select(JobRun.started_at).where(JobRun.job_id == "ingest:wire")
        return sorted(session.scalars(query))


def rescore_runs(engine: Engine) -> int:
    with Session(engine) as session:
        return len(list(session.scalars(select(JobRun.id).where(JobRun.job_id == "rescore"))))


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def at_most_one_per_tick(starts: list[datetime]) -> None:
    """Both processes running the job would double the count over the same span."""
    span = (starts[-1] - starts[0]).total_seconds()
    assert len(starts) <= span / TICK + 1.5, (len(starts), span)


@pytest.mark.slow
def test_two_scheduler_processes_run_each_job_once_per_tick_and_fail_over(
    scheduler_env: dict[str, str], engine: Engine, feed: Server, tmp_path: Path
) -> None:
    processes = [SchedulerProcess(scheduler_env, tmp_path / f"scheduler-{i}.log") for i in (1, 2)]
    try:
        wait_for(lambda: len(wire_starts(engine)) >= 4, 25, "four runs of ingest:wire")
        leaders = [p for p in processes if p.says("this scheduler leads")]
        assert len(leaders) == 1, "exactly one process leads"
        [leader] = leaders
        [follower] = [p for p in processes if p is not leader]
        before = wire_starts(engine)
        at_most_one_per_tick(before)
        assert rescore_runs(engine) == 1  # once at election, then hourly (60 s here)
        wait_for(lambda: feed.hits("/feed.xml") >= len(before), 5, "the server saw every run")

        leader.process.kill()  # no clean-up: the lock must go with the process
        leader.process.wait(timeout=10)
        killed_at = wire_starts(engine)[-1]
        # A follower retries every TICK / 4 s: it should lead almost at once.
        wait_for(lambda: follower.says("this scheduler leads"), 5, "the follower takes over")
        wait_for(
            lambda: len([s for s in wire_starts(engine) if s > killed_at]) >= 3,
            10,
            "three runs after the failover",
        )
        after = [s for s in wire_starts(engine) if s > killed_at]
        at_most_one_per_tick(after)
        # The new leader carries on the schedule: no second rescore within the hour.
        assert rescore_runs(engine) == 1

        follower.process.send_signal(signal.SIGTERM)
        assert follower.process.wait(timeout=15) == 0
        assert follower.says("leadership released")
        with Session(engine) as session:
            statuses = set(session.scalars(select(JobRun.status)))
        # A run cut short by the kill may stay "running"; nothing failed.
        assert statuses <= {"success", "running"}, statuses
        assert "success" in statuses
        # Each run fetched once (a run killed before its fetch has a row and no hit).
        runs = len(wire_starts(engine))
        assert runs - 1 <= feed.hits("/feed.xml") <= runs
    finally:
        for process in processes:
            process.stop()
