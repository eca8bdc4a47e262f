"""Login throttling: failed logins are counted per username and per address in the store (so the
count holds across service processes and restarts); too many within ``WINDOW`` lock that
username or address for ``LOCK``. Every failure, lockout and refused attempt is audited with the
username tried as actor (role "anonymous"); never the password."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection, Engine, delete, func, insert, select
from sqlalchemy.dialects import postgresql, sqlite

from .audit import AuditLog
from .tables import LoginFailureRow, LoginLockRow

WINDOW = timedelta(minutes=15)
LOCK = timedelta(minutes=15)
#: failures within WINDOW that lock a username (one person guessing one account)
USER_LIMIT = 5
#: failures within WINDOW that lock an address (one machine trying many accounts)
ADDRESS_LIMIT = 20
#: the audit and failure tables hold names up to this length
KEY_CHARS = 64


def _key(text: str) -> str:
    """A username or address as stored: NUL removed (PostgreSQL refuses it), cut to length."""
    return text.replace("\x00", "")[:KEY_CHARS]


@dataclass(frozen=True)
class Lockout:
    scope: str  # "user" or "address"
    until: datetime

    def seconds_left(self, now: datetime) -> int:
        return max(1, int((self.until - now).total_seconds() + 0.999))


class LoginThrottle:
    def __init__(self, engine: Engine, audit: AuditLog) -> None:
        self.engine = engine
        self.audit = audit

    def locked(self, username: str, address: str) -> Lockout | None:
        """The lock (of the username or the address, whichever ends later) in force now."""
        now = datetime.now(UTC)
        with self.engine.connect() as conn:
            rows = conn.execute(select(LoginLockRow).where(
                ((LoginLockRow.scope == "user") & (LoginLockRow.key == _key(username)))
                | ((LoginLockRow.scope == "address") & (LoginLockRow.key == _key(address))),
                LoginLockRow.until > now)).all()
        if not rows:
            return None
        latest = max(rows, key=lambda r: r.until)
        return Lockout(latest.scope, latest.until)

    def refused(self, username: str, address: str, lock: Lockout) -> None:
        """Audit an attempt refused because of ``lock`` (the password was not checked)."""
        self.audit.record(_key(username), "anonymous", "login.refused", "user", _key(username),
                          detail={"address": _key(address), "locked": lock.scope,
                                  "until": lock.until.isoformat()})

    def failed(self, username: str, address: str, reason: str) -> list[Lockout]:
        """Record and audit a failed login; lock the username or the address that reached its
        limit (audited as "login.locked"). The locks this failure started."""
        user, addr = _key(username), _key(address)
        now = datetime.now(UTC)
        started = []
        with self.engine.begin() as conn:
            conn.execute(delete(LoginFailureRow).where(LoginFailureRow.at < now - WINDOW))
            conn.execute(insert(LoginFailureRow),
                         [dict(at=now, username=user, address=addr)])
            self.audit.record(user, "anonymous", "login.failed", "user", user,
                              detail={"address": addr, "reason": reason}, conn=conn)
            for scope, key, column, limit in (("user", user, LoginFailureRow.username, USER_LIMIT),
                                              ("address", addr, LoginFailureRow.address,
                                               ADDRESS_LIMIT)):
                failures = conn.execute(select(func.count()).select_from(LoginFailureRow)
                                        .where(column == key, LoginFailureRow.at >= now - WINDOW)
                                        ).scalar_one()
                if failures >= limit:
                    lock = Lockout(scope, now + LOCK)
                    # the failures that caused it leave the window while the lock lasts
                    _put_lock(conn, scope, key, lock.until)
                    self.audit.record(user, "anonymous", "login.locked", "user", user, detail={
                        "address": addr, "scope": scope, "failures": failures,
                        "until": lock.until.isoformat()}, conn=conn)
                    started.append(lock)
        return started

    def succeeded(self, username: str) -> None:
        """A right password clears the username's failures (not its address's)."""
        with self.engine.begin() as conn:
            conn.execute(delete(LoginFailureRow).where(LoginFailureRow.username == _key(username)))


def _put_lock(conn: Connection, scope: str, key: str, until: datetime) -> None:
    """Insert or move the lock; an upsert, so two processes locking at once cannot collide."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(LoginLockRow).values(scope=scope, key=key, until=until)
    conn.execute(statement.on_conflict_do_update(index_elements=["scope", "key"],
                                                 set_={"until": until}))
