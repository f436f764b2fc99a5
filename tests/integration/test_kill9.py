"""``kill -9`` in the middle of an ingest leaves no half-written signal, and a re-run completes.

The ingest runs as its own process (``python -m service ingest --file``) against a file
SQLite database, is killed with SIGKILL once some batches are committed, and is then run
again to the end.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, selectinload

from models.baseline import BaselineAnalyzer
from service.ingest.pipeline import BATCH_SIZE
from service.settings import REPO_ROOT
from service.storage.db import make_engine
from service.storage.signals import says_something
from service.storage.tables import Mention, Signal

pytestmark = pytest.mark.timeout(60)

ARTICLES = 8_000
PLACES = ["Mali", "Niger", "Haiti", "Sudan", "Lebanon", "Kenya", "Peru", "Nepal", "Chile", "Laos"]


def write_articles(path: Path) -> None:
    """Distinct articles, most naming countries, a few duplicated lines (same story twice)."""
    start = datetime.now(UTC) - timedelta(days=5)
    lines = []
    for n in range(ARTICLES):
        place = PLACES[n % len(PLACES)]
        article = {
            "title": f"Fuel convoys attacked near the capital of {place}, report {n}",
            "text": f"Security forces in {place} said gunmen blocked roads; embassy staff "
            f"were told to shelter. Queues at fuel stations grew for a day. Report {n}.",
            "url": f"https://news.example.org/{n}?utm_source=feed",
            "published_at": (start + timedelta(seconds=30 * n)).isoformat(),
        }
        lines.append(json.dumps(article))
    lines += lines[:50]  # the same stories again, as a re-exported file would have
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "service", *args]


def processes_reading(path: Path) -> list[int]:
    """Pids of live processes whose command line names ``path`` (the ingest and its workers)."""
    found = []
    for proc in Path("/proc").iterdir():
        try:
            cmdline = (proc / "cmdline").read_bytes()
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except (OSError, IndexError):
            continue
        if str(path).encode() in cmdline and state != "Z":
            found.append(int(proc.name))
    return found


def signal_count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count(Signal.id))) or 0


def test_killed_ingest_leaves_whole_signals_and_a_rerun_completes(tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'travelrisk.db'}"
    env = {
        **os.environ,
        "TRAVELRISK_DATABASE_URL": database_url,
        "TRAVELRISK_LOG_LEVEL": "WARNING",
        # No trained artifact: the keyword baseline, which the check below re-runs.
        "TRAVELRISK_MODEL_DIR": str(tmp_path / "no-models"),
    }
    upgrade = subprocess.run(
        command("db", "upgrade"), cwd=REPO_ROOT, env=env, capture_output=True, timeout=30
    )
    assert upgrade.returncode == 0, upgrade.stderr.decode()
    articles = tmp_path / "articles.jsonl"
    write_articles(articles)
    engine = make_engine(database_url)

    log = (tmp_path / "killed.log").open("wb")
    ingest = subprocess.Popen(
        command("ingest", "--file", str(articles), "--no-rescore"),
        cwd=REPO_ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while signal_count(engine) < 2 * BATCH_SIZE and time.monotonic() < deadline:
            assert ingest.poll() is None, "the ingest finished before it could be killed"
            time.sleep(0.02)
        os.kill(ingest.pid, signal.SIGKILL)
    finally:
        if ingest.poll() is None:
            ingest.kill()  # a failed assertion above must not leave the process behind
        ingest.wait(timeout=10)
        log.close()

    assert ingest.returncode == -signal.SIGKILL
    # Its analysis worker notices and exits rather than waiting on a dead queue forever.
    deadline = time.monotonic() + 10
    while processes_reading(articles) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not processes_reading(articles)
    at_kill = signal_count(engine)
    assert 2 * BATCH_SIZE <= at_kill < ARTICLES
    analyzer = BaselineAnalyzer()
    with Session(engine) as session:
        signals = session.scalars(
            select(Signal).options(selectinload(Signal.mentions).selectinload(Mention.factors))
        ).all()
        for stored in signals:
            expected = analyzer.analyze(stored.title, stored.text)
            assert stored.mentions, stored.title  # every article here names a country
            assert {m.country_iso2 for m in stored.mentions} == {c.iso2 for c in expected.countries}
            for mention in stored.mentions:
                country = expected.country(mention.country_iso2)
                assert country is not None
                # Whole: every reading that found something, and only those.
                assert {f.factor for f in mention.factors} == {
                    name for name, reading in country.factors.items() if says_something(reading)
                }

    rerun = subprocess.run(
        command("ingest", "--file", str(articles), "--no-rescore"),
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        timeout=40,
    )
    output = rerun.stdout.decode() + rerun.stderr.decode()

    assert rerun.returncode == 0, output
    assert f"new {ARTICLES - at_kill}, duplicates {at_kill + 50}" in output
    with Session(engine) as session:
        assert signal_count(engine) == ARTICLES
        hashes = session.scalars(select(func.count(func.distinct(Signal.content_hash)))).one()
        urls = session.scalars(select(func.count(func.distinct(Signal.canonical_url)))).one()
        assert hashes == urls == ARTICLES
        orphans = session.scalar(select(func.count(Signal.id)).where(~Signal.mentions.any()))
        assert orphans == 0
    engine.dispose()
