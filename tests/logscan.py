"""The whole test suite's logs, scanned for secrets (issue 21 finding 5: no request body,
password, token or national identity number in any log line).

Every log record of the test process (root logger, all levels) and the stdout and stderr of
every server process a test starts (``server_log``) are written to one folder per run; at the
end of the run ``scan`` reads them all, and a finding fails the run (tests/conftest.py). The
folder is named by ``KONTROLLTARN_TEST_LOGS``, so xdist workers share their controller's.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

ENV = "KONTROLLTARN_TEST_LOGS"
MADE_HERE = "KONTROLLTARN_TEST_LOGS_MADE"
#: a fødselsnummer or D-nummer: 11 digits standing alone
NATIONAL_ID = re.compile(r"(?<!\d)\d{11}(?!\d)")
#: a token the service signs: base64url JSON ('{"' is "eyJ") . base64url signature
SIGNED_TOKEN = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}")
#: passwords in the test data that are not made by ``known_passwords``
OTHER_PASSWORDS = ("correct horse",)


@dataclass(frozen=True)
class Finding:
    file: str
    line: int
    what: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.what}"


def log_folder() -> Path:
    """This run's log folder: ``KONTROLLTARN_TEST_LOGS`` if set (kept), else a temporary one
    made by the first caller (removed after a clean run, ``made_here``), inherited by xdist
    workers and subprocesses through the environment."""
    if ENV not in os.environ:
        os.environ[ENV] = tempfile.mkdtemp(prefix="kontrolltarn-test-logs-")
        os.environ[MADE_HERE] = os.environ[ENV]
    folder = Path(os.environ[ENV])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def made_here() -> bool:
    """Whether the log folder is a temporary one this run made."""
    return os.environ.get(MADE_HERE) == os.environ.get(ENV)


def server_log_path(name: str) -> Path:
    """A new file in the log folder for a server subprocess's stdout and stderr."""
    return Path(tempfile.mkstemp(prefix=f"{name}-", suffix=".log", dir=log_folder())[1])


def server_log(name: str) -> IO[bytes]:
    """``server_log_path`` opened for appending (the caller closes it once the process has
    started: the process holds its own copy)."""
    return server_log_path(name).open("ab")


def known_passwords() -> list[str]:
    """Every password the tests log in with: each role's test user and the demo users."""
    from kontrolltarn.cli.serve import DEMO_USERS, demo_password  # deferred: the CLI pulls in typer

    from .service.conftest import ROLES, password

    return ([password(role) for role in ROLES] + [demo_password(name) for name in DEMO_USERS]
            + list(OTHER_PASSWORDS))


def scan_text(text: str, passwords: Iterable[str], file: str = "-") -> list[Finding]:
    """Each line holding a password, a signed token or an 11-digit number."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for secret in passwords:
            if secret in line:
                found.append(Finding(file, number, f"a test password ({secret[:3]}…)"))
        if SIGNED_TOKEN.search(line):
            found.append(Finding(file, number, "a signed token"))
        if NATIONAL_ID.search(line):
            found.append(Finding(file, number, "an 11-digit number (fødselsnummer?)"))
    return found


def scan(folder: Path, passwords: Iterable[str]) -> list[Finding]:
    """Every log file under ``folder``, scanned."""
    passwords = list(passwords)
    found: list[Finding] = []
    for path in sorted(folder.rglob("*.log")):
        found += scan_text(path.read_text("utf-8", "replace"), passwords, path.name)
    return found
