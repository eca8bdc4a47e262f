"""Sessions and login throttling in the store, so they hold across service processes and
restarts (issue 21 findings 7 and 9), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from kontrolltarn.store import Actor, Store
from kontrolltarn.store.logins import USER_LIMIT
from kontrolltarn.store.sessions import CACHE_S


def _other_process(store: Store) -> Store:
    """A second store on the same database, as another service process (or a restart) has."""
    return Store.open(store.engine.url.render_as_string(hide_password=False))


def test_a_lockout_holds_for_another_process_and_after_a_restart(store: Store) -> None:
    """Issue 21 finding 9: failures counted by one process lock the username for all."""
    other = _other_process(store)
    try:
        for n in range(USER_LIMIT - 1):
            assert store.logins.failed("anna", f"10.0.0.{n}", "wrong") == []
        assert other.logins.locked("anna", "10.0.0.99") is None
        started = other.logins.failed("anna", "10.0.0.99", "wrong")
        assert [lock.scope for lock in started] == ["user"]
        lock = store.logins.locked("anna", "10.0.0.50")
        assert lock is not None and lock.scope == "user"
        assert store.logins.locked("bjorn", "10.0.0.50") is None
        actions = [e.action for e in store.audit.recent()]
        assert actions.count("login.failed") == USER_LIMIT and actions.count("login.locked") == 1
    finally:
        other.close()


def test_a_right_password_clears_the_users_failures(store: Store) -> None:
    for _ in range(USER_LIMIT - 1):
        store.logins.failed("anna", "10.0.0.1", "wrong")
    store.logins.succeeded("anna")
    assert store.logins.failed("anna", "10.0.0.1", "wrong") == []


def test_a_revoked_session_is_refused_by_another_process(store: Store) -> None:
    """Issue 21 finding 7: revocation is in the store; this process forgets its cache at once,
    another within ``CACHE_S``."""
    store.users.add("anna", "correct horse", "surgeon")
    other = _other_process(store)
    try:
        session = store.sessions.open("anna", "surgeon", 12)
        assert store.sessions.live(session) and other.sessions.live(session)
        store.users.set_role("anna", "leader", by=Actor("cli:it", "cli"))
        assert not store.sessions.live(session)
        other.sessions.forget()  # as CACHE_S later
        assert not other.sessions.live(session)
        assert CACHE_S <= 2.0
        assert not store.sessions.live("no-such-session")
    finally:
        other.close()


def test_demo_users_are_disabled_once_and_audited(store: Store) -> None:
    """Issue 21 finding 8: demo users are marked; disabling them is audited."""
    store.users.add("koordinator", "koordinator-demo-2026", "coordinator", demo=True)
    store.users.add("anna", "correct horse", "coordinator")
    assert store.users.disable_demo_users(by=Actor("system:serve", "system")) == ["koordinator"]
    assert store.users.disable_demo_users() == []
    assert store.users.check("koordinator", "koordinator-demo-2026") == (None, "disabled")
    assert store.users.verify("anna", "correct horse") is not None
    assert [e.resource_id for e in store.audit.recent() if e.action == "user.disable"] == [
        "koordinator"]


def test_ensuring_a_demo_user_again_keeps_its_sessions(store: Store) -> None:
    """A restart in demo mode makes the demo users again only where they are missing or
    disabled, so the demo's logins (and a feed's token) survive it."""
    assert store.users.ensure("feed", "feed-demo-2026", "feed", demo=True)
    session = store.sessions.open("feed", "feed", 12)
    assert not store.users.ensure("feed", "feed-demo-2026", "feed", demo=True)
    assert store.sessions.live(session)
    store.users.disable_demo_users()
    assert store.users.ensure("feed", "feed-demo-2026", "feed", demo=True)
    assert store.users.verify("feed", "feed-demo-2026") is not None


def test_a_username_with_a_nul_byte_is_a_wrong_login(store: Store) -> None:
    """PostgreSQL refuses NUL in text: such a login is wrong (and throttled), never an error."""
    assert store.users.check("anna\x00", "correct horse") == (None, "wrong")
    assert store.logins.locked("anna\x00", "10.0.0.1\x00") is None
    assert store.logins.failed("anna\x00", "10.0.0.1", "wrong") == []
    assert store.audit.recent()[0].actor == "anna"


def test_a_password_under_12_characters_is_refused_and_nothing_changes(store: Store) -> None:
    """ASVS V2.1.1: at least 12 characters (8 were enough before); the error names the field
    and the user, audit and sessions stay as they were."""
    with pytest.raises(ValueError, match="password: must be at least 12 characters"):
        store.users.add("anna", "eleven-char", "surgeon")
    assert store.users.count() == 0 and store.audit.recent() == []
    store.users.add("anna", "twelve-chars", "surgeon")
    with pytest.raises(ValueError, match="password: must be at least 12 characters"):
        store.users.set_password("anna", "short-pass")
    assert store.users.verify("anna", "twelve-chars") is not None


def test_a_demo_user_with_an_old_short_password_gets_the_new_one(store: Store) -> None:
    """A demo database made when demo passwords were "<name>-demo": a demo start makes the
    user again with the documented password (which then logs in)."""
    store.users.add("feed", "feed-demo-2025", "feed", demo=True)  # stands for the old one
    assert store.users.ensure("feed", "feed-demo-2026", "feed", demo=True)
    assert store.users.verify("feed", "feed-demo-2026") is not None
