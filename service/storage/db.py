"""Engine and session handling, bound to a Flask app with ``init_app``.

Views get one session per request (``db.session``), closed at teardown. Jobs and CLI
commands use ``db.session_scope()``, which commits on success and rolls back on error.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

logger = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 10_000


def _sqlite_pragmas(*, foreign_keys: bool) -> Callable[[Any, Any], None]:
    def configure(dbapi_connection: Any, _record: Any) -> None:
        """WAL lets readers and one writer work at once; the busy timeout waits for the lock."""
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute(f"PRAGMA foreign_keys={'ON' if foreign_keys else 'OFF'}")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    return configure


def _begin_sqlite(connection: Connection) -> None:
    """Writers take SQLite's write lock when they begin, readers never do.

    A deferred transaction that reads and then writes fails at once with "database is
    locked" when another connection wrote in between; waiting cannot help it. Write
    scopes therefore begin IMMEDIATE (they queue on the busy timeout instead), while
    request sessions stay deferred so reads never wait for a writer under WAL.
    """
    immediate = connection.get_execution_options().get("sqlite_begin_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def make_engine(database_url: str, *, echo: bool = False, foreign_keys: bool = True) -> Engine:
    """Create an engine; for SQLite, create the file's folder and set the pragmas.

    Migrations pass ``foreign_keys=False``: Alembic rebuilds SQLite tables to alter them,
    and dropping the old table would otherwise cascade-delete every dependent row.
    """
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # The driver's own transaction handling is off so that _begin_sqlite decides.
        engine = create_engine(
            url, echo=echo, connect_args={"timeout": 30, "isolation_level": None}
        )
        event.listen(engine, "connect", _sqlite_pragmas(foreign_keys=foreign_keys))
        event.listen(engine, "begin", _begin_sqlite)
        return engine
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=5, max_overflow=10)


@dataclass(frozen=True)
class _AppDatabase:
    engine: Engine
    sessions: sessionmaker[Session]
    writer_sessions: sessionmaker[Session]


class Database:
    """The current app's database; the engine lives in ``app.extensions``, one per app."""

    def init_app(self, app: Flask) -> None:
        settings = app.config["SETTINGS"]
        engine = make_engine(settings.database_url, echo=settings.sql_echo)
        writer = engine.execution_options(sqlite_begin_immediate=True)
        app.extensions["travelrisk.db"] = _AppDatabase(
            engine,
            sessionmaker(engine, expire_on_commit=False),
            sessionmaker(writer, expire_on_commit=False),
        )
        # Per request as well as per app context: an app context can outlive requests
        # (CLI commands, tests), and a session kept open would keep reading an old snapshot.
        app.teardown_request(self._close_request_session)
        app.teardown_appcontext(self._close_request_session)

    @staticmethod
    def _state() -> _AppDatabase:
        state: _AppDatabase = current_app.extensions["travelrisk.db"]
        return state

    @property
    def engine(self) -> Engine:
        return self._state().engine

    def new_session(self) -> Session:
        return self._state().sessions()

    @property
    def session(self) -> Session:
        """The current request's session, created on first use."""
        if "db_session" not in g:
            g.db_session = self.new_session()
        session: Session = g.db_session
        return session

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A writing session that commits if the block succeeds and rolls back if it raises."""
        session = self._state().writer_sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception:
            logger.warning("database ping failed", exc_info=True)
            return False
        return True

    def dispose(self) -> None:
        self.engine.dispose()

    @staticmethod
    def _close_request_session(_exc: BaseException | None) -> None:
        session: Session | None = g.pop("db_session", None)
        if session is not None:
            session.close()


db = Database()
