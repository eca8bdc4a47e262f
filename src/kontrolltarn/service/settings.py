"""Service settings from the environment. The mode is explicit: without ``KONTROLLTARN_ENV`` the
service runs as production and refuses to start without a strong ``KONTROLLTARN_SECRET_KEY``."""

from __future__ import annotations

import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field

ENV_MODE = "KONTROLLTARN_ENV"
ENV_SECRET = "KONTROLLTARN_SECRET_KEY"
#: modes in which a random per-process secret is enough (tokens die with the process)
LENIENT_MODES = frozenset({"development", "demo"})
MODES = LENIENT_MODES | {"production"}
MIN_SECRET_CHARS = 32
#: estimated bits a production secret must carry (``openssl rand -hex 32`` gives about 250)
MIN_SECRET_BITS = 128


class InsecureSettings(RuntimeError):
    pass


def _random_secret() -> str:
    return secrets.token_urlsafe(48)


def _period(text: str) -> int:
    """The length of the shortest block ``text`` repeats ("abcabcab": 3; no repetition: its
    length)."""
    n = len(text)
    return next(p for p in range(1, n + 1) if all(text[i] == text[i - p] for i in range(p, n)))


def secret_bits(secret: str) -> float:
    """Estimated entropy of ``secret`` in bits: the Shannon entropy of its characters'
    frequencies times the length of the block it repeats. Repetitions ("a" * 32, "ab" * 16,
    "0123456789" * 4) score low; a random string scores close to length × log2(alphabet)."""
    if not secret:
        return 0.0
    counts = Counter(secret)
    n = len(secret)
    per_char = -sum(c / n * math.log2(c / n) for c in counts.values())
    return max(0.0, _period(secret) * per_char)


def weakness(secret: str) -> str | None:
    """Why ``secret`` is too weak to sign production tokens, or None."""
    if len(secret) < MIN_SECRET_CHARS:
        return f"has {len(secret)} characters, needs at least {MIN_SECRET_CHARS}"
    bits = secret_bits(secret)
    if bits < MIN_SECRET_BITS:
        return f"carries about {bits:.0f} bits, needs {MIN_SECRET_BITS} (use openssl rand -hex 32)"
    return None


def _whole(name: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name}={text!r}: must be a whole number") from None


@dataclass(frozen=True)
class Settings:
    #: "development", "demo" (demo users and replay allowed) or "production"
    environment: str = "development"
    #: signs the session tokens; random per process unless given (tests, development)
    secret_key: str = field(default_factory=_random_secret, repr=False)
    database_url: str | None = None
    #: a feed quiet for longer than this is flagged on the board
    quiet_feed_s: float = 60.0
    #: how often the board's live stream sends changed rooms
    flush_interval_s: float = 0.25
    #: how often the suggestion agent looks at the forecasts
    suggest_interval_s: float = 5.0
    #: at most this many open suggestions at once, best first (``KONTROLLTARN_MAX_SUGGESTIONS``;
    #: ``control.Thresholds.max_suggestions``)
    max_suggestions: int = 8
    #: how often every room is re-forecast and sent (time passes even in a quiet room)
    full_refresh_s: float = 5.0
    token_hours: float = 12.0
    #: where capacity scenarios' replications run: "local" (a local Dask cluster), a Dask
    #: scheduler's address, or None (in the job's own thread)
    scenario_cluster: str | None = "local"
    #: secure cookies need HTTPS; off in development so the board works on http://127.0.0.1
    secure_cookies: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.environment not in MODES:
            raise InsecureSettings(
                f"{ENV_MODE}={self.environment!r}: choose one of {', '.join(sorted(MODES))}")
        problem = weakness(self.secret_key)
        if self.environment not in LENIENT_MODES and problem is not None:
            raise InsecureSettings(
                f"{ENV_SECRET}: {self.environment} needs a strong secret; this one {problem}")
        if self.quiet_feed_s <= 0:
            raise ValueError(f"quiet_feed_s={self.quiet_feed_s}: must be positive")
        if self.max_suggestions < 1:
            raise ValueError(f"KONTROLLTARN_MAX_SUGGESTIONS={self.max_suggestions}: must be at "
                             "least 1")

    @property
    def demo(self) -> bool:
        """Demo mode: demo users may log in."""
        return self.environment == "demo"

    @classmethod
    def from_env(cls, environment: str | None = None) -> Settings:
        """Settings from ``KONTROLLTARN_*``; ``environment`` overrides ``KONTROLLTARN_ENV``
        (``kontrolltarn demo`` sets demo mode itself). Without a mode: production."""
        env = os.environ
        mode = environment or env.get(ENV_MODE) or "production"
        secret = env.get(ENV_SECRET)
        if secret is None and mode not in LENIENT_MODES:
            raise InsecureSettings(f"{ENV_SECRET} is not set: {mode} needs a strong secret "
                                   f"(or set {ENV_MODE}=development)")
        return cls(
            environment=mode,
            secret_key=secret or _random_secret(),
            database_url=env.get("KONTROLLTARN_DATABASE_URL"),
            quiet_feed_s=float(env.get("KONTROLLTARN_QUIET_FEED_S", "60")),
            scenario_cluster=None if env.get("KONTROLLTARN_SCENARIO_CLUSTER", "local") == "none"
            else env.get("KONTROLLTARN_SCENARIO_CLUSTER", "local"),
            max_suggestions=_whole("KONTROLLTARN_MAX_SUGGESTIONS",
                                   env.get("KONTROLLTARN_MAX_SUGGESTIONS", "8")),
            secure_cookies=mode not in LENIENT_MODES,
        )
