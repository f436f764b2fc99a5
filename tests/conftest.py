"""Shared fixtures: the app, its client and CLI runner, a per-test database, data helpers."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from service import create_app
from service.ingest.records import Article
from service.settings import Settings, load_settings
from service.storage.db import db
from service.storage.tables import Base

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SHARED_SEED = REPO_ROOT.parent / "shared" / "seed"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real public data in ../shared/data, read in place (never copied in)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data not present at {SHARED_DATA} (a fresh clone without ../shared)")
    return SHARED_DATA


@pytest.fixture(scope="session")
def seed_article() -> Path:
    """The canonical example article, ../shared/seed/mali-drawdown.txt."""
    path = SHARED_SEED / "mali-drawdown.txt"
    if not path.is_file():
        pytest.skip(f"seed article not present at {path} (a fresh clone without ../shared)")
    return path


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With TRAVELRISK_REQUIRE_ALL=1 (CI), a skipped test fails the run."""
    if os.environ.get("TRAVELRISK_REQUIRE_ALL") != "1":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        if reporter:
            reporter.write_line(
                f"TRAVELRISK_REQUIRE_ALL=1: {len(skipped)} test(s) skipped; CI runs everything",
                red=True,
            )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


# --- databases ---------------------------------------------------------------------------

POSTGRES_URL = os.environ.get("TRAVELRISK_TEST_DATABASE_URL")
DATABASES = ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def pytest_report_header() -> str:
    """Say which databases the storage, API and CLI tests run on (CI: both)."""
    where = f" ({POSTGRES_URL.rsplit('@', 1)[-1]})" if POSTGRES_URL else ""
    return f"travelrisk databases under test: {', '.join(DATABASES)}{where}"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Count the passed tests per database, so a run shows both were exercised."""
    passed = terminalreporter.stats.get("passed", [])
    params = [set(r.nodeid.rpartition("[")[2].rstrip("]").split("-")) for r in passed]
    counts = {db: sum(1 for p in params if db in p) for db in DATABASES}
    terminalreporter.write_line(
        "travelrisk: passed per database: " + ", ".join(f"{db} {n}" for db, n in counts.items())
    )


@contextmanager
def _postgres_schema(base_url: str) -> Iterator[str]:
    """A fresh schema per test: the URL points the search path at it; dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base_url else "?"
    try:
        yield f"{base_url}{separator}options=-csearch_path%3D{schema}"
    finally:
        with engine.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        engine.dispose()


@pytest.fixture(params=DATABASES)
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: SQLite always, PostgreSQL too when TRAVELRISK_TEST_DATABASE_URL is set."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'travelrisk.db'}"
    else:
        assert POSTGRES_URL is not None
        with _postgres_schema(POSTGRES_URL) as url:
            yield url


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return load_settings(
        {
            "database_url": database_url,
            "report_dir": tmp_path / "reports",
            "model_dir": tmp_path / "artifacts",  # empty: the baseline, unless a test trains
            "api_keys": ("test-write-key",),
        },
        environ={},
        config_file=tmp_path / "absent.yaml",
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    """The app on an empty per-test database (schema from the models; Alembic is tested apart)."""
    app = create_app(settings)
    app.config["TESTING"] = True
    with app.app_context():
        Base.metadata.create_all(db.engine)
    yield app
    with app.app_context():
        db.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """A session for arranging and checking data; commit what the app should see."""
    with app.app_context():
        session = db.new_session()
        try:
            yield session
        finally:
            session.close()


def make_article(title: str, text: str = "", **fields: Any) -> Article:
    """An article as a parser would produce it."""
    return Article(title=title, text=text, **fields)


def days_ago(days: float) -> datetime:
    return datetime.now(UTC) - timedelta(days=days)
