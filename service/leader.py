"""One scheduler leads across processes, so every job runs once per tick however many run.

Leadership is a lock that the operating system or the database drops when its holder
dies, so a crashed leader never needs a timeout to be replaced:

- PostgreSQL: a session-level advisory lock held on a dedicated connection. The server
  releases it when that connection ends, as a killed process's does within moments.
- SQLite (a file): an exclusive ``flock`` on ``<database file>.scheduler.lock``; the
  kernel releases it when the holder's process ends. SQLite is single-host, and so is this.
- SQLite in memory: nothing else can see the database, so this process always leads.

Every ``ensure()`` call tries to take the lock if not held and checks it if held; the
scheduler calls it every few seconds, which is how a follower takes over from a dead leader.
"""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import zlib
from pathlib import Path
from typing import IO, Protocol

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

logger = logging.getLogger(__name__)

# First half of the advisory lock key: "trk1", constant for every travelrisk deployment.
LOCK_NAMESPACE = 0x74726B31


class Leadership(Protocol):
    """Who leads: ``ensure`` takes or re-checks the lock; ``release`` gives it up."""

    def ensure(self) -> bool:
        """True when this process holds the lock now (taking it if free); never raises."""
        ...

    def release(self) -> None:
        """Give the lock up (idempotent); a follower can take it on its next try."""
        ...


def _signed32(value: int) -> int:
    return value - 2**32 if value >= 2**31 else value


class PostgresLeadership:
    """``pg_try_advisory_lock(namespace, schema)`` held on a connection kept for the purpose.

    The second key is a hash of the current schema, so deployments (or tests) that share a
    database but each live in their own schema elect their leaders independently.
    """

    def __init__(self, database_url: str) -> None:
        # NullPool: the lock lives and dies with exactly one connection we open and close;
        # AUTOCOMMIT: an idle-in-transaction session may be killed by the server's timeout.
        # TCP keepalives make a vanished network end the session (and the lock) server-side.
        self._engine: Engine = create_engine(
            database_url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "connect_timeout": 5,
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
            },
        )
        self._connection: Connection | None = None
        self._held = False
        self._key = 0

    def ensure(self) -> bool:
        try:
            if self._connection is None:
                self._connection = self._engine.connect()
            if self._held:
                # A session lock only ends with its session: a live connection still holds it.
                self._connection.execute(text("SELECT 1"))
                return True
            schema = self._connection.scalar(text("SELECT current_schema()")) or "public"
            self._key = _signed32(zlib.crc32(str(schema).encode()))
            self._held = bool(
                self._connection.scalar(
                    text("SELECT pg_try_advisory_lock(:namespace, :key)"),
                    {"namespace": LOCK_NAMESPACE, "key": self._key},
                )
            )
            return self._held
        except SQLAlchemyError as exc:
            if self._held:
                logger.warning("leadership lost: the lock's connection failed: %s", exc)
            else:
                logger.warning("cannot reach the database to contend for leadership: %s", exc)
            self._close()
            return False

    def release(self) -> None:
        # Unlock explicitly: the server ends a closed session's backend (and its locks)
        # a moment after the client hangs up, and a follower trying then would miss it.
        if self._held and self._connection is not None:
            try:
                self._connection.execute(
                    text("SELECT pg_advisory_unlock(:namespace, :key)"),
                    {"namespace": LOCK_NAMESPACE, "key": self._key},
                )
            except SQLAlchemyError:
                logger.warning("could not unlock; closing the session frees it", exc_info=True)
        self._close()

    def _close(self) -> None:
        connection, self._connection, self._held = self._connection, None, False
        if connection is not None:
            try:
                connection.close()
            except SQLAlchemyError:
                logger.debug("closing the leadership connection failed", exc_info=True)


class FileLeadership:
    """An exclusive, non-blocking ``flock`` on a lock file beside the SQLite database."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file: IO[str] | None = None

    def ensure(self) -> bool:
        try:
            if self._file is not None:
                if self._still_ours(self._file):
                    return True
                logger.warning("leadership lost: %s was removed or replaced", self.path)
                self._close()
            self.path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.path.open("a+", encoding="utf-8")
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                handle.close()
                return False
            # Who leads, for a person looking at the file; the lock itself is what counts.
            handle.seek(0)
            handle.truncate()
            handle.write(f"{socket.gethostname()} pid {os.getpid()}\n")
            handle.flush()
            self._file = handle
            return True
        except OSError as exc:
            logger.warning("cannot contend for leadership on %s: %s", self.path, exc)
            self._close()
            return False

    def _still_ours(self, handle: IO[str]) -> bool:
        """Someone deleting the lock file would let a second process lock a new one."""
        try:
            return os.fstat(handle.fileno()).st_ino == self.path.stat().st_ino
        except OSError:
            return False

    def release(self) -> None:
        self._close()

    def _close(self) -> None:
        handle, self._file = self._file, None
        if handle is not None:
            handle.close()  # closing the last descriptor drops the flock


class ProcessLeadership:
    """For an in-memory SQLite database, which no other process can share."""

    def ensure(self) -> bool:
        return True

    def release(self) -> None:
        return None


def leadership_for(database_url: str) -> Leadership:
    """The lock that fits the database the scheduler's jobs write to."""
    url = make_url(database_url)
    backend = url.get_backend_name()
    if backend == "postgresql":
        return PostgresLeadership(database_url)
    if backend == "sqlite":
        if not url.database or url.database == ":memory:":
            return ProcessLeadership()
        database = Path(url.database).resolve()
        return FileLeadership(database.with_name(database.name + ".scheduler.lock"))
    raise ValueError(f"no leader election for {backend} databases")
