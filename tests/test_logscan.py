"""The scan of the test suite's logs (tests/logscan.py) finds what it looks for, and a run whose
logs hold a password fails (issue 21 finding 5: the check that no log line holds a password,
token or national identity number must be able to fail)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .logscan import ENV, known_passwords, scan, scan_text

ROOT = Path(__file__).resolve().parent.parent
#: set only in the child run below, which runs ``leaky_test_for_the_child_run``
LEAK = "KONTROLLTARN_TEST_LEAK_A_PASSWORD"


def test_the_scan_finds_a_password_a_token_and_a_national_id(tmp_path: Path) -> None:
    passwords = known_passwords()
    assert "coordinator-password" in passwords and "koordinator-demo-2026" in passwords
    (tmp_path / "server.log").write_text(
        "INFO started\n"
        "ERROR login failed for {'username': 'x', 'password': 'coordinator-password'}\n"
        "DEBUG Authorization: Bearer eyJ1IjogImNvb3JkaW5hdG9yIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ\n"
        "WARNING patient 01017012345 not found\n", encoding="utf-8")
    found = scan(tmp_path, passwords)
    assert [(f.line, f.what.split()[1]) for f in found] == [(2, "test"), (3, "signed"),
                                                            (4, "11-digit")]
    # clean lines pass: case ids, times, counts and short numbers are not secrets
    assert scan_text("case HEN000016 at 2026-11-30T10:00:00+01:00, 1234567890 bytes, "
                     "123456789012 rows", passwords) == []


def leaky_test_for_the_child_run() -> None:
    """Collected only by the child run below (its ``python_functions`` pattern), never by the
    suite itself."""
    assert os.environ.get(LEAK) == "1"
    logging.getLogger("kontrolltarn.leak").info("login with password coordinator-password")


def test_a_run_whose_logs_hold_a_password_fails(tmp_path: Path) -> None:
    """A child pytest run of the leaky test above: its logs hold a test password, so the run
    fails although every test passed."""
    env = {**os.environ, LEAK: "1", ENV: str(tmp_path / "logs")}
    child = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "0",
         "-o", "python_functions=leaky_*",
         f"{Path(__file__).relative_to(ROOT)}::leaky_test_for_the_child_run"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert "1 passed" in child.stdout, child.stdout
    assert child.returncode == pytest.ExitCode.TESTS_FAILED, child.stdout
    assert "secrets in the logs of this run" in child.stdout
    assert "a test password (coo…)" in child.stdout
