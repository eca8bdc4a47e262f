"""Change notices between service processes that share one database.

A repository that commits a change announces it inside the same transaction: ``announce(conn,
kind, **data)`` with a small payload (a cursor such as the highest event ``seq``, or a few ids;
never the rows themselves). Every process listens; on a notice it reads what changed from the
store after its own cursor, so a notice only says "look", and a lost or late one costs nothing
that the next catch-up does not repair.

- PostgreSQL: ``NOTIFY`` on a channel named after the schema (channels are per database, and
  tests and benchmarks share one database in separate schemas), delivered on commit and in
  commit order; one dedicated ``LISTEN`` connection per process in a background thread, which
  reconnects when the connection drops and then calls ``on_connect`` so the process catches up
  from its cursor.
- SQLite (the embedded default, one process): nothing to tell anyone; ``Notifier`` is a no-op.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy import Connection, Engine, func, select, text

from .database import UNAVAILABLE_ERRORS, describe

log = logging.getLogger("kontrolltarn.store")

#: PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; ours are far smaller
MAX_PAYLOAD = 7900


@dataclass(frozen=True)
class Notice:
    """What changed, in a few words: ``kind`` ("events", "plans", "suggestions", …), ``data``
    (a cursor or ids) and ``origin``, the notifier (one per process) that announced it."""

    kind: str
    data: dict[str, Any] = field(default_factory=dict)
    origin: str = ""


NoticeHandler = Callable[[Notice], None]


class Notifier:
    """The in-process notifier of an embedded store: one process holds all live state, so
    announcing tells nobody and listening starts nothing. ``PostgresNotifier`` is the real one."""

    def __init__(self) -> None:
        #: this process's mark on its own notices (it already applied those changes)
        self.origin = uuid.uuid4().hex[:12]

    def announce(self, conn: Connection, kind: str, **data: Any) -> None:
        """Tell the other processes, when ``conn``'s transaction commits, that ``kind`` changed."""

    def listen(self, on_notice: NoticeHandler, on_connect: Callable[[], None]) -> None:
        """Call ``on_notice`` for every notice and ``on_connect`` whenever listening (re)starts,
        both from one background thread."""

    @property
    def listening(self) -> bool:
        return False

    def close(self) -> None:
        """Stop listening."""


class PostgresNotifier(Notifier):
    """LISTEN/NOTIFY on a channel per schema, with a listening thread that reconnects."""

    #: seconds between two attempts to reconnect, and of silence before the connection is probed
    retry_s = 1.0
    probe_after_s = 10.0

    def __init__(self, engine: Engine) -> None:
        super().__init__()
        self.engine = engine
        self.channel = _channel(engine)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[Any] | None = None
        self._connected = threading.Event()
        #: how many times the listening connection was (re)established
        self.connections = 0

    def announce(self, conn: Connection, kind: str, **data: Any) -> None:
        payload = json.dumps({"k": kind, "o": self.origin, **data}, separators=(",", ":"))
        if len(payload.encode()) > MAX_PAYLOAD:
            raise ValueError(f"notice {kind!r}: payload of {len(payload)} bytes is too large")
        conn.execute(select(func.pg_notify(self.channel, payload)))

    def listen(self, on_notice: NoticeHandler, on_connect: Callable[[], None]) -> None:
        if self._thread is not None:
            raise RuntimeError("this notifier is already listening")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, args=(on_notice, on_connect),
                                        name="kontrolltarn-listen", daemon=True)
        self._thread.start()

    @property
    def listening(self) -> bool:
        return self._connected.is_set()

    def wait_listening(self, timeout: float) -> bool:
        """True once the listening connection is up (tests, benchmarks)."""
        return self._connected.wait(timeout)

    def backend_pid(self) -> int | None:
        """The server process of the listening connection (to test a dropped connection)."""
        conn = self._conn
        return None if conn is None or conn.closed else conn.info.backend_pid

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _connect(self) -> psycopg.Connection[Any]:
        url = self.engine.url.set(drivername="postgresql")
        conn = psycopg.connect(url.render_as_string(hide_password=False), autocommit=True,
                               connect_timeout=5)
        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(self.channel)))
        return conn

    def _run(self, on_notice: NoticeHandler, on_connect: Callable[[], None]) -> None:
        failing = False  # while the database is away, one line when it goes, one when it is back
        while not self._stop.is_set():
            try:
                self._conn = self._connect()
            except psycopg.Error as failure:
                if not failing:
                    log.warning("cannot listen on %s (%s); retrying every %.0f s", self.channel,
                                describe(failure), self.retry_s)
                failing = True
                self._stop.wait(self.retry_s)
                continue
            self.connections += 1
            try:
                # listening before catching up: a change committed in between is both read
                # now and noticed later, never neither
                on_connect()
                self._connected.set()
                if failing:
                    log.warning("listening on %s again; caught up", self.channel)
                failing = False
                self._receive(self._conn, on_notice)
            except UNAVAILABLE_ERRORS + (psycopg.Error,) as failure:
                if not failing:
                    log.warning("listening connection on %s lost (%s); reconnecting",
                                self.channel, describe(failure))
                failing = True
                self._stop.wait(self.retry_s)
            except Exception:  # a handler's bug must not end listening for good
                log.exception("handling a change notice failed; reconnecting to catch up")
                self._stop.wait(self.retry_s)
            finally:
                self._connected.clear()
                self._conn.close()

    def _receive(self, conn: psycopg.Connection[Any], on_notice: NoticeHandler) -> None:
        quiet = 0.0
        while not self._stop.is_set():
            got = False
            for raw in conn.notifies(timeout=1.0):
                got = True
                notice = _notice(raw.payload)
                if notice is not None:
                    on_notice(notice)
                if self._stop.is_set():
                    return
            quiet = 0.0 if got else quiet + 1.0
            if quiet >= self.probe_after_s:
                # a connection dropped without a word (network) only shows when used
                conn.execute("SELECT 1")
                quiet = 0.0


def notifier_for(engine: Engine) -> Notifier:
    """The notifier for the engine's database: LISTEN/NOTIFY on PostgreSQL, else in-process."""
    if engine.dialect.name == "postgresql":
        return PostgresNotifier(engine)
    return Notifier()


def _channel(engine: Engine) -> str:
    """``kontrolltarn_<schema>``; a hash of the schema when that exceeds PostgreSQL's 63."""
    with engine.connect() as conn:
        schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
    name = f"kontrolltarn_{schema}"
    if len(name.encode()) > 63:
        name = "kontrolltarn_" + hashlib.sha256(schema.encode()).hexdigest()[:32]
    return name


def _notice(payload: str) -> Notice | None:
    try:
        data = json.loads(payload)
        kind = str(data.pop("k"))
        origin = str(data.pop("o", ""))
    except (ValueError, KeyError, TypeError, AttributeError):
        log.warning("ignoring a malformed change notice: %.200r", payload)
        return None
    return Notice(kind, data, origin)
