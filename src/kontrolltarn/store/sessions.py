"""Login sessions, so that a signed token can be ended before it expires: logout, a password
change, a role change or a disabled account revoke the session and every token naming it is
refused from the next request on.

Tokens are checked on every request (the board's stream and the event feed often), so the answer
for a session is cached for ``CACHE_S``: a revocation in this process clears the cache at once;
another process on the same database refuses the token within ``CACHE_S``. While the database
is away (no revocation can be stored then either) a session's last known answer stands, so open
boards keep showing the live state; a session never seen raises, and the request gets 503."""

from __future__ import annotations

import secrets
import threading
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, insert, select, update

from .audit import Actor, AuditLog
from .database import UNAVAILABLE_ERRORS, DatabaseWatch
from .tables import SessionRow

#: how long a session's state is trusted without asking the database (seconds)
CACHE_S = 2.0
#: ended sessions are kept this long after they expire (then deleted at a login)
KEEP_AFTER_EXPIRY = timedelta(days=1)


class Sessions:
    def __init__(self, engine: Engine, database: DatabaseWatch,
                 audit: AuditLog | None = None) -> None:
        self.engine = engine
        self.database = database
        self.audit = audit or AuditLog(engine)
        self._lock = threading.Lock()
        #: session id -> (monotonic time checked, live)
        self._cache: dict[str, tuple[float, bool]] = {}

    def open(self, username: str, role: str, hours: float, *,
             login_from: str | None = None) -> str:
        """A new session for ``username``; its id goes into the token. ``login_from``: the
        address of a password login, audited as "login" in the session's transaction (a
        patient's session is audited by its link's redemption)."""
        session_id = secrets.token_urlsafe(24)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            conn.execute(delete(SessionRow).where(SessionRow.expires_at < now - KEEP_AFTER_EXPIRY))
            conn.execute(insert(SessionRow), [dict(
                id=session_id, username=username, role=role, created_at=now,
                expires_at=now + timedelta(hours=hours), revoked_at=None)])
            if login_from is not None:
                self.audit.record(username, role, "login", "user", username,
                                  detail={"address": login_from}, conn=conn)
        with self._lock:  # known live: its first request needs no query
            self._cache[session_id] = (time.monotonic(), True)
        return session_id

    def live(self, session_id: str) -> bool:
        """Whether the session exists, is not revoked and has not expired."""
        checked = time.monotonic()
        with self._lock:
            cached = self._cache.get(session_id)
        if cached is not None and (checked - cached[0] < CACHE_S or not self.database.available):
            return cached[1]
        try:
            with self.engine.connect() as conn:
                row = conn.execute(select(SessionRow.revoked_at, SessionRow.expires_at)
                                   .where(SessionRow.id == session_id)).first()
        except UNAVAILABLE_ERRORS as failure:
            self.database.lost(failure)
            if cached is None:
                raise
            return cached[1]
        alive = row is not None and row.revoked_at is None and row.expires_at > datetime.now(UTC)
        with self._lock:
            if len(self._cache) > 10_000:  # old entries are useless after CACHE_S
                self._cache = {k: v for k, v in self._cache.items() if checked - v[0] < CACHE_S}
            self._cache[session_id] = (checked, alive)
        return alive

    def revoke(self, session_id: str, by: Actor) -> None:
        """End one session (a logout by ``by``, audited in the same transaction)."""
        with self.engine.begin() as conn:
            conn.execute(update(SessionRow).where(SessionRow.id == session_id,
                                                  SessionRow.revoked_at.is_(None))
                         .values(revoked_at=datetime.now(UTC)))
            self.audit.record(by.name, by.role, "logout", "user", by.name, conn=conn)
        self.forget()

    def revoke_user(self, username: str, conn: Connection) -> int:
        """Revoke every session of ``username`` inside ``conn``'s transaction (the caller calls
        ``forget`` after it commits); how many were live."""
        result = conn.execute(update(SessionRow).where(SessionRow.username == username,
                                                       SessionRow.revoked_at.is_(None))
                              .values(revoked_at=datetime.now(UTC)))
        self.forget()
        return int(result.rowcount or 0)

    def forget(self) -> None:
        """Drop the cached answers: the next check of every session asks the database."""
        with self._lock:
            self._cache.clear()
