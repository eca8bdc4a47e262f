from __future__ import annotations

import os
import secrets
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.testclient import TestClient

from kontrolltarn.model import Hospital
from kontrolltarn.service import Runtime, Settings, create_app
from kontrolltarn.service.clocks import EventClock
from kontrolltarn.store import Store
from kontrolltarn.synth import generate

from ..store.databases import postgres_url

ROLES = ("coordinator", "surgeon", "or_nurse", "anaesthesia", "porter", "leader", "feed",
         "unit_leader", "staff_member")


#: the environment of a ``serve`` subprocess with demo users: demo mode, and one secret for every
#: start (a restarted process accepts the tokens of the one before, as in production)
DEMO_ENV = {"KONTROLLTARN_ENV": "demo", "KONTROLLTARN_SECRET_KEY": secrets.token_hex(32)}


def password(role: str) -> str:
    return f"{role}-password"


@pytest.fixture(scope="session")
def small_hospital() -> Hospital:
    return generate(scale="small", seed=1).hospital


#: one SQLite store per session with the schema, the users (argon2 hashing is deliberately slow)
#: and the day's program; each test gets its own copy of the file, so tests stay independent
_TEMPLATES: dict[int, Path] = {}


def _template(hospital: Hospital, folder: Path) -> Path:
    key = id(hospital)
    if key not in _TEMPLATES:
        path = folder / f"template-{key}.sqlite3"
        store = Store.open(f"sqlite:///{path}")
        for role in ROLES:
            store.users.add(role, password(role), role)
        Runtime(Settings(), hospital, store)  # plans the day into the store
        store.close()
        _TEMPLATES[key] = path
    return _TEMPLATES[key]


@pytest.fixture(scope="session")
def template_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("templates")


def make_runtime(hospital: Hospital, url: str, template_dir: Path | None = None,
                 **settings: float) -> Runtime:
    """A runtime on ``url`` with every role's user; an SQLite file starts as a copy of the
    session's template when ``template_dir`` is given. Its clock is the latest event's
    (``EventClock``, chosen here explicitly: the tests post a day that is not today, and its
    forecasts must not move with the wall clock)."""
    if template_dir is not None and url.startswith("sqlite:///"):
        shutil.copyfile(_template(hospital, template_dir), url.removeprefix("sqlite:///"))
        return Runtime(Settings(**settings), hospital, Store.open(url),  # type: ignore[arg-type]
                       clock=EventClock())
    store = Store.open(url)
    for role in ROLES:
        store.users.add(role, password(role), role)
    return Runtime(Settings(**settings), hospital, store,  # type: ignore[arg-type]
                   clock=EventClock())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    runtime: Runtime


def run_server(runtime: Runtime, background: bool = False) -> Iterator[LiveServer]:
    """The app on a real socket in a thread (browsers and SSE need one)."""
    port = free_port()
    # log_config=None: uvicorn's records reach the root logger, so the run's log (scanned for
    # secrets, tests/logscan.py) has them
    server = uvicorn.Server(uvicorn.Config(create_app(runtime, background=background),
                                           host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, log_config=None))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield LiveServer(f"http://127.0.0.1:{port}", runtime)
    finally:
        server.should_exit = True
        server.force_exit = True  # a browser's open live stream must not hold the shutdown
        thread.join(10)
        runtime.store.close()


@pytest.fixture
def sqlite_runtime(small_hospital: Hospital, tmp_path: Path, template_folder: Path) -> Runtime:
    return make_runtime(small_hospital, f"sqlite:///{tmp_path / 'service.sqlite3'}",
                        template_folder)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def rt(request: pytest.FixtureRequest, small_hospital: Hospital, tmp_path: Path,
       template_folder: Path) -> Iterator[Runtime]:
    """A runtime on each store: an SQLite copy of the template, and a fresh PostgreSQL
    schema."""
    if request.param == "sqlite":
        runtime = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'rt.sqlite3'}",
                               template_folder)
        yield runtime
        runtime.store.close()
        return
    with postgres_url() as url:
        runtime = make_runtime(small_hospital, url)
        yield runtime
        runtime.store.close()


def auth_headers(client: TestClient, role: str) -> dict[str, str]:
    """A bearer token for ``role``'s test user, as an Authorization header (cookies cleared, so
    each request carries only the role asked for)."""
    token = client.post("/api/auth/login", json={"username": role,
                                                 "password": password(role)}).json()["token"]
    client.cookies.clear()
    return {"Authorization": f"Bearer {token}"}


CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright (never a downloaded browser), one per module
    (starting it costs seconds); required under CI."""
    if not os.path.exists(CHROMIUM):
        if os.environ.get("CI") == "true":
            pytest.fail("Chromium is required under CI (scripts/install-system-deps.sh)")
        pytest.skip("Debian's Chromium is not installed at /usr/bin/chromium")
    from playwright.sync_api import sync_playwright  # deferred: heavy (playwright)

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--no-first-run", "--disable-sync"])
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    """A fresh browser context and page for one test."""
    context = browser.new_context(viewport={"width": 1600, "height": 900})
    yield context.new_page()
    context.close()


def login(page: Any, server: LiveServer, role: str = "coordinator", path: str = "/") -> None:
    """Log ``role`` in on the board's login dialog at ``path`` and wait until the page has
    its data (``body[data-ready=true]``)."""
    page.goto(server.url + path)
    page.fill("#login-form input[name=username]", role)
    page.fill("#login-form input[name=password]", password(role))
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)


def post_events(server: LiveServer, events: Any) -> dict[str, Any]:
    """Milestone events posted over HTTP as the feed user (as an integration engine does)."""
    import httpx  # deferred: only the browser tests post over a socket

    token = httpx.post(server.url + "/api/auth/login",
                       json={"username": "feed", "password": password("feed")}).json()["token"]
    body = {"events": [{"id": e.id, "kind": e.kind.value, "at": e.at.isoformat(),
                        "case_id": e.case_id, "room_id": e.room_id,
                        "reason": e.reason.value if e.reason else None} for e in events]}
    reply = httpx.post(server.url + "/api/events", json=body,
                       headers={"Authorization": f"Bearer {token}"}, timeout=30)
    reply.raise_for_status()
    return dict(reply.json())
