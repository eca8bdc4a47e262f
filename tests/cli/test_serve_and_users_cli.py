"""`kontrolltarn serve` refuses insecure settings in one line, and `kontrolltarn users` changes
are audited with the operating-system user (issue 21 findings 1, 8 and 9)."""

from __future__ import annotations

import getpass
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from kontrolltarn.cli.main import _register, app
from kontrolltarn.cli.options import cli_actor
from kontrolltarn.store import StaffLink, Store

runner = CliRunner()
_register()


def _serve_without(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("KONTROLLTARN_")}
    return subprocess.run([sys.executable, "-m", "kontrolltarn.cli.main", "serve", "--port", "1"],
                          cwd=tmp_path, env={**clean, **env}, capture_output=True, text=True,
                          timeout=120)


def test_serve_without_a_secret_or_with_a_weak_one_refuses_to_start_in_one_line(
        tmp_path: Path) -> None:
    """Issue 21 findings 1 and 8: with no environment variables `serve` ran as development on
    the public secret, and a secret of 32 times "a" was accepted. Now both end at once: exit
    code 2, one line naming KONTROLLTARN_SECRET_KEY, no traceback, nothing created."""
    for env in ({}, {"KONTROLLTARN_SECRET_KEY": "a" * 32},
                {"KONTROLLTARN_ENV": "production", "KONTROLLTARN_SECRET_KEY": "a" * 32}):
        done = _serve_without(tmp_path, **env)
        assert done.returncode == 2, (env, done.stderr)
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "KONTROLLTARN_SECRET_KEY" in lines[0], (env, done.stderr)
    assert list(tmp_path.iterdir()) == []


def test_demo_users_are_refused_outside_demo_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21 finding 8: `serve --demo-users` made the demo accounts in development."""
    monkeypatch.setenv("KONTROLLTARN_ENV", "development")
    result = runner.invoke(app, ["serve", "--demo-users"])
    assert result.exit_code == 2 and "demo mode" in result.output


def _live(url: str, session: str) -> bool:
    """The session as the database has it: the CLI is another process, and this test's store
    caches a session's state for ``CACHE_S`` as every process does."""
    fresh = Store.open(url)
    try:
        return fresh.sessions.live(session)
    finally:
        fresh.close()


def test_user_changes_from_the_cli_are_audited_and_end_sessions(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 21 finding 9: CLI user creation and role changes left no audit row. Now each is
    audited as cli:<OS user>, and a role or password change ends the user's sessions."""
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    typed = iter(["first-password", "second-password"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    added = runner.invoke(app, ["users", "add", "anna", "--role", "surgeon", "--database-url", url])
    assert added.exit_code == 0, added.output
    store = Store.open(url)
    try:
        session = store.sessions.open("anna", "surgeon", 12)
        role = runner.invoke(app, ["users", "set-role", "anna", "--role", "coordinator",
                                   "--database-url", url])
        assert role.exit_code == 0, role.output
        assert not _live(url, session)
        session = store.sessions.open("anna", "coordinator", 12)
        changed = runner.invoke(app, ["users", "set-password", "anna", "--database-url", url])
        assert changed.exit_code == 0, changed.output
        assert not _live(url, session)
        assert store.users.verify("anna", "second-password") is not None
        rows = [(e.actor, e.role, e.action, e.resource_id) for e in reversed(store.audit.recent())]
        assert rows == [(cli_actor(), "cli", action, "anna")
                        for action in ("user.create", "user.role", "user.password")]
        assert "first-password" not in str([e.detail for e in store.audit.recent()])
        unknown = runner.invoke(app, ["users", "set-role", "nobody", "--role", "leader",
                                      "--database-url", url])
        assert unknown.exit_code == 2 and "nobody" in unknown.output
        bad = runner.invoke(app, ["users", "set-role", "anna", "--role", "patient",
                                  "--database-url", url])
        assert bad.exit_code == 2 and "patient" in bad.output
        assert len(store.audit.recent()) == 3  # refused changes change nothing
    finally:
        store.close()


def test_a_password_under_12_characters_is_refused_in_one_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """ASVS V2.1.1 (issue 21's security page): passwords of at least 12 characters. A shorter
    one is refused by `users add` and `users set-password` with one line naming the field,
    exit code 2, no traceback, and nothing stored or audited."""
    url = f"sqlite:///{tmp_path / 'users.sqlite3'}"
    typed = iter(["eleven-char", "a-good-passphrase", "short-pass"])
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    short = runner.invoke(app, ["users", "add", "anna", "--role", "surgeon", "--database-url", url])
    assert short.exit_code == 2, short.output
    [line] = short.output.strip().splitlines()
    assert "password: must be at least 12 characters" in line, line
    assert "Traceback" not in short.output and "eleven-char" not in short.output
    added = runner.invoke(app, ["users", "add", "anna", "--role", "surgeon", "--database-url", url])
    assert added.exit_code == 0, added.output
    changed = runner.invoke(app, ["users", "set-password", "anna", "--database-url", url])
    assert changed.exit_code == 2 and "12 characters" in changed.output, changed.output
    store = Store.open(url)
    try:
        assert store.users.verify("anna", "a-good-passphrase") is not None
        assert [e.action for e in store.audit.recent()] == ["user.create"]
    finally:
        store.close()


def test_a_login_is_linked_to_a_unit_and_a_bad_rules_file_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'link.sqlite3'}"
    unknown = runner.invoke(app, ["users", "link", "kari", "--unit", "SEN", "--database-url", url])
    assert unknown.exit_code == 2 and "username='kari'" in unknown.stderr, unknown.output
    typed = iter(["kari-has-a-long-passphrase"] * 2)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": next(typed))
    added = runner.invoke(app, ["users", "add", "kari", "--role", "ansatt", "--database-url", url])
    assert added.exit_code == 0, added.output
    linked = runner.invoke(app, ["users", "link", "kari", "--unit", "SEN", "--person", "A",
                                 "--database-url", url])
    assert linked.exit_code == 0, linked.output
    store = Store.open(url)
    try:
        assert store.rosters.link_of("kari") == StaffLink("kari", "A", "SEN")
        assert store.audit.recent(1)[0].action == "staff.link"
    finally:
        store.close()
    rules = tmp_path / "rules.toml"
    rules.write_text("[units.SEN]\nweekly_rest_h = 30\n", encoding="utf-8")
    monkeypatch.setenv("KONTROLLTARN_ENV", "development")
    refused = runner.invoke(app, ["serve", "--roster-rules", str(rules), "--database-url", url])
    assert refused.exit_code != 0
    assert "units.SEN.weekly_rest_h=30" in refused.output
