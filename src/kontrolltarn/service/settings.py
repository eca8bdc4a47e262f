"""Service settings from the environment. Outside development, default secrets are refused."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

DEV_SECRET = "development-only-secret-do-not-use"


class InsecureSettings(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    secret_key: str = DEV_SECRET
    database_url: str | None = None
    #: a feed quiet for longer than this is flagged on the board
    quiet_feed_s: float = 60.0
    #: how often the board's live stream sends changed rooms
    flush_interval_s: float = 0.25
    #: how often the suggestion agent looks at the forecasts
    suggest_interval_s: float = 5.0
    #: how often every room is re-forecast and sent (time passes even in a quiet room)
    full_refresh_s: float = 5.0
    token_hours: float = 12.0
    #: secure cookies need HTTPS; off in development so the board works on http://127.0.0.1
    secure_cookies: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        weak = self.secret_key == DEV_SECRET or len(self.secret_key) < 32
        if self.environment != "development" and weak:
            raise InsecureSettings(
                f"KONTROLLTARN_SECRET_KEY: environment={self.environment!r} needs a secret "
                "of at least 32 characters that is not the development default")
        if self.quiet_feed_s <= 0:
            raise ValueError(f"quiet_feed_s={self.quiet_feed_s}: must be positive")

    @classmethod
    def from_env(cls) -> Settings:
        env = os.environ
        environment = env.get("KONTROLLTARN_ENV", "development")
        return cls(
            environment=environment,
            secret_key=env.get("KONTROLLTARN_SECRET_KEY", DEV_SECRET),
            database_url=env.get("KONTROLLTARN_DATABASE_URL"),
            quiet_feed_s=float(env.get("KONTROLLTARN_QUIET_FEED_S", "60")),
            secure_cookies=environment != "development",
        )
