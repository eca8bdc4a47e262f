"""Where the store lives: PostgreSQL in production (``KONTROLLTARN_DATABASE_URL``), an SQLite file
as the embedded default; bringing its schema up to date with the shipped Alembic migrations; and
knowing when the database is away (``DatabaseWatch``) or cannot be opened at all
(``DatabaseUnavailable``)."""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path
from typing import Any

import psycopg
from alembic import command
from alembic.config import Config
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, event, exc, make_url, text

ENV_URL = "KONTROLLTARN_DATABASE_URL"
MIGRATIONS = Path(__file__).parent / "migrations"
#: seconds to wait for a PostgreSQL connection, and for a sent packet to be acknowledged (a
#: network that drops packets silently would otherwise hold a request for minutes)
CONNECT_TIMEOUT_S = 5
TCP_USER_TIMEOUT_MS = 10_000

log = logging.getLogger("kontrolltarn.store")

#: what a database that is away raises: the connection refused, dropped or timed out, the pool
#: out of connections (SQLAlchemy's wrappers, and psycopg's own from the notice listener)
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (
    exc.OperationalError, exc.InterfaceError, exc.DisconnectionError, exc.TimeoutError,
    psycopg.OperationalError, psycopg.InterfaceError)
#: what opening a store raises for a wrong URL: unreachable, no such database or user, a URL that
#: is not one, a driver not installed, a schema newer than this program
OPEN_ERRORS: tuple[type[Exception], ...] = (
    exc.DBAPIError, exc.ArgumentError, exc.NoSuchModuleError, exc.TimeoutError, ImportError,
    psycopg.Error, CommandError)


class DatabaseUnavailable(RuntimeError):
    """The store's database cannot be opened; the message is one line naming the URL (without
    its password), where it comes from and the driver's reason."""


def describe(failure: BaseException) -> str:
    """The driver's reason in one short line: never SQL, parameters or a traceback (SQLAlchemy's
    own message holds the statement and its parameters, which may be patient data)."""
    orig = getattr(failure, "orig", None) or failure
    lines = str(orig).strip().splitlines()
    return lines[0][:200] if lines else type(orig).__name__


def shown_url(url: str) -> str:
    """``url`` with its password hidden, or a placeholder when it is not a URL at all."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return "(not a database URL)"


def cannot_open(url: str | None, failure: BaseException) -> DatabaseUnavailable:
    return DatabaseUnavailable(
        f"cannot open the database {shown_url(url or default_url())} (set by --database-url or "
        f"{ENV_URL}): {describe(failure)}")


def default_url() -> str:
    """``KONTROLLTARN_DATABASE_URL`` if set, else an SQLite file in the working directory."""
    url = os.environ.get(ENV_URL)
    if url:
        return url
    return f"sqlite:///{Path.cwd() / 'kontrolltarn.sqlite3'}"


def make_engine(url: str | None = None) -> Engine:
    """An engine for ``url``; PostgreSQL URLs use psycopg 3, SQLite files run in WAL mode."""
    url = url or default_url()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # a failed statement's message leaves out its values: they may be a password hash, a name
    # or a national identity number, and tracebacks reach the server log
    kwargs: dict[str, Any] = {"future": True, "hide_parameters": True}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
    else:
        # pre-ping: a connection the database dropped (restart, failover) is replaced at
        # checkout, so the service recovers by itself when the database is back
        kwargs.update(pool_size=10, max_overflow=10, pool_pre_ping=True)
        if url.startswith("postgresql+psycopg"):
            query = make_url(url).query
            kwargs["connect_args"] = {
                k: v for k, v in (("connect_timeout", CONNECT_TIMEOUT_S),
                                  ("tcp_user_timeout", TCP_USER_TIMEOUT_MS)) if k not in query}
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL: readers do not block the writer; FULL sync: an acknowledged event survives a crash.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def probe(engine: Engine, timeout_s: float = 2.0) -> str | None:
    """None if the database answers a ``SELECT 1`` within about ``timeout_s``, else why not.
    An SQLite file must also still be there: an open connection answers from a deleted file
    (and stores into it, lost), and ``SELECT 1`` never reads the file."""
    path = engine.url.database if engine.dialect.name == "sqlite" else None
    if path and path != ":memory:" and not path.startswith("file:") and not Path(path).exists():
        return f"the database file {Path(path).name} is missing"
    try:
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                conn.execute(text(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}"))
            conn.execute(text("SELECT 1"))
    except UNAVAILABLE_ERRORS as failure:
        return describe(failure)
    return None


class DatabaseWatch:
    """Whether the database answered lately: probed (``check``) by the health endpoint and the
    board's heartbeat, and marked down at once (``lost``) by a request that failed on it. A
    change either way is logged once, as one line."""

    def __init__(self, engine: Engine, timeout_s: float = 2.0) -> None:
        self.engine = engine
        self.timeout_s = timeout_s
        self.reason: str | None = None
        self._checked = 0.0
        self._lock = threading.Lock()

    @property
    def available(self) -> bool:
        return self.reason is None

    def check(self, max_age_s: float = 0.0) -> bool:
        """Probe the database unless it was probed less than ``max_age_s`` ago; True if up."""
        if time.monotonic() - self._checked < max_age_s:
            return self.available
        reason = probe(self.engine, self.timeout_s)
        self._checked = time.monotonic()
        self._set(reason)
        return reason is None

    def lost(self, failure: BaseException) -> None:
        """A request failed with ``failure`` (one of ``UNAVAILABLE_ERRORS``): down until a probe
        says otherwise."""
        self._set(describe(failure))

    def _set(self, reason: str | None) -> None:
        with self._lock:
            was, self.reason = self.reason, reason
        if was is None and reason is not None:
            log.warning("database unavailable: %s", reason)
        elif was is not None and reason is None:
            # connections opened while it was away (or to an SQLite file since replaced) are
            # not used again; those in use are dropped when returned
            self.engine.dispose()
            log.warning("database available again")
