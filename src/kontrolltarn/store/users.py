"""Users with argon2-hashed passwords and one role each. Every change is audited with who made it,
and a change of password or role (or a disabled account) ends the user's sessions at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, Engine, delete, insert, select, update

from .audit import Actor, AuditLog
from .sessions import Sessions
from .tables import UserRow

_HASHER = PasswordHasher()
#: ASVS V2.1.1: at least 12 characters (long passphrases welcome; no composition rules)
MIN_PASSWORD_CHARS = 12


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a login takes as long either way
    (made on first use: hashing at import would slow every start of the service)."""
    return _HASHER.hash("not-a-real-password")


class UnknownUser(LookupError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    role: str


class Users:
    def __init__(self, engine: Engine, audit: AuditLog, sessions: Sessions) -> None:
        self.engine = engine
        self.audit = audit
        self.sessions = sessions

    def add(self, username: str, password: str, role: str, *, demo: bool = False,
            by: Actor = Actor()) -> User:
        """Create or replace a user (a new password replaces the old hash, and a replaced
        user's sessions end). ``demo``: the user may log in only in demo mode."""
        hashed = _hash(password)
        with self.engine.begin() as conn:
            replaced = conn.execute(delete(UserRow).where(UserRow.username == username)).rowcount
            conn.execute(insert(UserRow), [dict(
                username=username, password_hash=hashed, role=role, active=True,
                created_at=datetime.now(UTC), demo=demo)])
            ended = self.sessions.revoke_user(username, conn)
            self.audit.record(by.name, by.role, "user.replace" if replaced else "user.create",
                              "user", username, detail={"role": role, "demo": demo,
                                                        "sessions_ended": ended}, conn=conn)
        self.sessions.forget()
        return User(username, role)

    def ensure(self, username: str, password: str, role: str, *, demo: bool = False,
               by: Actor = Actor()) -> bool:
        """Make the user as ``add`` does unless it exists, active, with this role, demo mark
        and password (then it and its sessions stay as they are: a restart keeps the demo's
        logins). Whether it was made."""
        with self.engine.connect() as conn:
            row = conn.execute(select(UserRow).where(UserRow.username == username)).first()
        if row is not None and row.active and row.role == role and row.demo == demo \
                and _matches(row.password_hash, password):
            return False
        self.add(username, password, role, demo=demo, by=by)
        return True

    def set_password(self, username: str, password: str, *, by: Actor = Actor()) -> None:
        hashed = _hash(password)
        with self.engine.begin() as conn:
            self._require(conn, username)
            conn.execute(update(UserRow).where(UserRow.username == username)
                         .values(password_hash=hashed))
            ended = self.sessions.revoke_user(username, conn)
            self.audit.record(by.name, by.role, "user.password", "user", username,
                              detail={"sessions_ended": ended}, conn=conn)
        self.sessions.forget()

    def set_role(self, username: str, role: str, *, by: Actor = Actor()) -> None:
        with self.engine.begin() as conn:
            before = self._require(conn, username).role
            conn.execute(update(UserRow).where(UserRow.username == username).values(role=role))
            ended = self.sessions.revoke_user(username, conn)
            self.audit.record(by.name, by.role, "user.role", "user", username,
                              detail={"from": before, "to": role, "sessions_ended": ended},
                              conn=conn)
        self.sessions.forget()

    def disable_demo_users(self, *, by: Actor = Actor()) -> list[str]:
        """Disable every active demo user and end their sessions (a start outside demo mode);
        the names disabled."""
        with self.engine.begin() as conn:
            names = list(conn.execute(select(UserRow.username).where(
                UserRow.demo.is_(True), UserRow.active.is_(True))).scalars())
            for name in names:
                conn.execute(update(UserRow).where(UserRow.username == name).values(active=False))
                ended = self.sessions.revoke_user(name, conn)
                self.audit.record(by.name, by.role, "user.disable", "user", name,
                                  detail={"why": "demo user outside demo mode",
                                          "sessions_ended": ended}, conn=conn)
        self.sessions.forget()
        return names

    def check(self, username: str, password: str) -> tuple[User | None, str]:
        """The user if the password is right and the account active, and why not otherwise:
        "ok", "wrong" (unknown user or wrong password) or "disabled"."""
        row = None
        if "\x00" not in username:  # no user has one, and PostgreSQL refuses it in a query
            with self.engine.connect() as conn:
                row = conn.execute(select(UserRow).where(UserRow.username == username)).first()
        try:
            _HASHER.verify(row.password_hash if row else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None, "wrong"
        if row is None:
            return None, "wrong"
        if not row.active:
            return None, "disabled"
        return User(row.username, row.role), "ok"

    def verify(self, username: str, password: str) -> User | None:
        return self.check(username, password)[0]

    def count(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(UserRow.username)).all())

    @staticmethod
    def _require(conn: Connection, username: str) -> UserRow:
        row = conn.execute(select(UserRow).where(UserRow.username == username)).first()
        if row is None:
            raise UnknownUser(f"username={username!r}: no such user")
        return row  # type: ignore[return-value]


def _hash(password: str) -> str:
    if len(password) < MIN_PASSWORD_CHARS:
        raise ValueError(f"password: must be at least {MIN_PASSWORD_CHARS} characters "
                         f"(this one has {len(password)})")
    return _HASHER.hash(password)


def _matches(password_hash: str, password: str) -> bool:
    try:
        return bool(_HASHER.verify(password_hash, password))
    except (VerificationError, InvalidHashError):
        return False
