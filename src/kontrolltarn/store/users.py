"""Users with argon2-hashed passwords and one role each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select

from .tables import UserRow

_HASHER = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the user does not exist, so a login takes as long either way
    (made on first use: hashing at import would slow every start of the service)."""
    return _HASHER.hash("not-a-real-password")


@dataclass(frozen=True)
class User:
    username: str
    role: str


class Users:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def add(self, username: str, password: str, role: str) -> User:
        """Create or replace a user (a new password replaces the old hash)."""
        if len(password) < 8:
            raise ValueError("password: must be at least 8 characters")
        hashed = _HASHER.hash(password)
        with self.engine.begin() as conn:
            conn.execute(delete(UserRow).where(UserRow.username == username))
            conn.execute(insert(UserRow), [dict(
                username=username, password_hash=hashed, role=role, active=True,
                created_at=datetime.now(UTC))])
        return User(username, role)

    def verify(self, username: str, password: str) -> User | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(UserRow).where(UserRow.username == username)).first()
        try:
            _HASHER.verify(row.password_hash if row else _dummy_hash(), password)
        except (VerificationError, InvalidHashError):
            return None
        if row is None or not row.active:
            return None
        return User(row.username, row.role)

    def count(self) -> int:
        with self.engine.connect() as conn:
            return len(conn.execute(select(UserRow.username)).all())
