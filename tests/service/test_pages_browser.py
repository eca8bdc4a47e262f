"""Every page the service serves, in bokmål and in English, in Debian's Chromium: one language
at a time (no word of the other, no raw identifier, 24-hour times, the language's number
format), times in Oslo time whatever the browser's own zone, and no serious or critical
accessibility violation (axe-core).

To check a new page, add a ``Shown`` to ``PAGES``: its name, how to open it (navigate, log in,
click) until it shows its data, and which of the checks apply.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from kontrolltarn.model import Program
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.synth.truth import Truth

from .a11y import assert_accessible
from .conftest import ROLES, LiveServer, login, password, post_events, run_server
from .language import language_problems

pytestmark = pytest.mark.browser
OSLO = ZoneInfo("Europe/Oslo")
#: far from Oslo, and a locale that writes 12-hour times: what the browser would show by itself
BROWSER = {"timezone_id": "America/New_York", "locale": "en-US",
           "viewport": {"width": 1600, "height": 900}}


_TOKENS: dict[str, str] = {}


def _token(server: LiveServer, role: str = "coordinator") -> str:
    """One login per server (password hashing is deliberately slow)."""
    key = f"{server.url} {role}"
    if key not in _TOKENS:
        _TOKENS[key] = str(httpx.post(server.url + "/api/auth/login", json={
            "username": role, "password": password(role)}).json()["token"])
    return _TOKENS[key]


def _api(server: LiveServer, path: str, method: str = "GET", **body: Any) -> Any:
    reply = httpx.request(method, server.url + path, json=body or None, timeout=30,
                          headers={"Authorization": f"Bearer {_token(server)}"})
    reply.raise_for_status()
    return reply.json()


def _in_room_case(server: LiveServer) -> str:
    """A case that has gone into its room (it has milestones to show)."""
    rooms = _api(server, "/api/board")["rooms"].values()
    return next(c["case_id"] for r in rooms for c in r["cases"] if c["phase"] == "in_room")


#: a coordinator whose name is no English word (the other test users are named after their
#: roles, and the audit log names them: those names are data, allowed as they are)
COORDINATOR = "kari"


def open_board(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/")
    page.wait_for_selector("body[data-ready=true], #login[open]", timeout=15_000)
    if page.is_visible("#login[open]"):  # the context's first page logs in
        login(page, server, COORDINATOR)
    page.wait_for_selector("#audit li", timeout=10_000)


def open_case(page: Any, server: LiveServer) -> None:
    open_board(page, server)
    page.click(f'.room[data-case="{_in_room_case(server)}"]')
    page.wait_for_selector("#case[open] #case-title", timeout=10_000)
    page.wait_for_selector("#audit li[data-action='case.read']", timeout=10_000)


def open_patient(page: Any, server: LiveServer) -> None:
    link = _api(server, f"/api/cases/{_in_room_case(server)}/patient-link", "POST",
                hours_valid=2)
    page.goto(server.url + link["url"])
    page.wait_for_selector("#day:not([hidden]) #planned:not(:empty)", timeout=10_000)


def open_docs(page: Any, server: LiveServer) -> None:
    page.goto(server.url + "/docs")
    page.wait_for_selector(".swagger-ui .opblock", timeout=15_000)


def as_user(user: str, path: str) -> Callable[[Any, LiveServer], None]:
    """A page of a role: ``user`` logs in on the board and lands on ``path`` (the role's home)
    or is sent there; the page's ``body[data-ready=true]`` says it shows its data."""
    def open_page(page: Any, server: LiveServer) -> None:
        page.context.clear_cookies()  # another user of this context may be logged in
        page.goto(server.url + "/")
        page.wait_for_selector("#login[open]", timeout=15_000)
        page.fill("#login-form input[name=username]", user)
        page.fill("#login-form input[name=password]", password(user))
        page.click("#login-form button[type=submit]")
        # logged in: the board shows its data, or the role's own page is loading
        page.wait_for_function("() => document.body.dataset.ready === 'true' || "
                               "location.pathname !== '/'", timeout=15_000)
        if not page.url.endswith(path):
            page.goto(server.url + path)
        page.wait_for_selector("body[data-ready=true]", timeout=15_000, state="attached")
    return open_page


def open_patient_link(page: Any, server: LiveServer) -> None:
    """The coordinator's page that makes a case's patient link (from the case view)."""
    as_user(COORDINATOR, "/")(page, server)
    page.goto(f"{server.url}/patient-link.html#case={_in_room_case(server)}")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000, state="attached")


@dataclass(frozen=True)
class Shown:
    """A page as a person sees it. ``languages``: the languages it is offered in; ``words``:
    whether its words are ours to check (not so for the vendored API reference)."""

    name: str
    open: Callable[[Any, LiveServer], None]
    languages: tuple[str, ...] = ("nb", "en")
    words: bool = True


PAGES = (
    Shown("board", open_board),
    Shown("case view", open_case),
    Shown("patient page", open_patient),
    Shown("porter page", as_user("porter", "/porter.html")),
    Shown("nurse page", as_user("or_nurse", "/nurse.html")),
    Shown("surgeon's list", as_user("surgeon", "/list.html")),
    Shown("anaesthesia list", as_user("anaesthesia", "/list.html")),
    Shown("week program", as_user(COORDINATOR, "/program.html")),
    Shown("capacity", as_user(COORDINATOR, "/capacity.html")),
    Shown("planning rules", as_user(COORDINATOR, "/rules.html")),
    Shown("patient link", open_patient_link),
    # Swagger UI: the API reference for developers, English only, where paths and field names
    # are the content
    Shown("API documentation", open_docs, languages=("en",), words=False),
)


@pytest.fixture(scope="module")
def server(small_hospital, template_folder, tmp_path_factory) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """One service for the module, with the morning played up to 10:00: cases in their rooms,
    milestones, audit entries."""
    from .conftest import make_runtime

    folder = tmp_path_factory.mktemp("pages")
    rt = make_runtime(small_hospital, f"sqlite:///{folder / 'pages.sqlite3'}", template_folder)
    rt.store.users.add(COORDINATOR, password(COORDINATOR), "coordinator")
    for live in run_server(rt):
        program = Program(tuple(p.entry for p in rt.store.plans.day(rt.day)))
        events = play_day(rt.hospital, program, rt.day, truth=Truth.of_hospital(rt.hospital),
                          seed=2)
        ten = datetime.combine(rt.day, datetime.min.time(), OSLO).replace(hour=10)
        post_events(live, [e for e in events if e.at <= ten])
        rt.refresh_suggestions()  # the background loop that would is off in tests
        yield live


@pytest.fixture(scope="module")
def contexts(browser) -> Iterator[dict[str, Any]]:  # type: ignore[no-untyped-def]
    """A browser far from Oslo per page language (one context per language)."""
    made = {}
    for lang in ("nb", "en"):
        made[lang] = browser.new_context(**BROWSER)
        made[lang].add_init_script(f"localStorage.setItem('kt_lang', '{lang}')")
    yield made
    for context in made.values():
        context.close()


#: each page in each language it is offered in
IN_LANGUAGES = [(shown, lang) for shown in PAGES for lang in shown.languages]


@pytest.mark.parametrize(("shown", "lang"), IN_LANGUAGES,
                         ids=[f"{shown.name}-{lang}" for shown, lang in IN_LANGUAGES])
def test_each_page_speaks_one_language_in_oslo_time(shown: Shown, lang: str, contexts,  # type: ignore[no-untyped-def]
                                                    server) -> None:
    context = contexts[lang]
    page = context.new_page()
    try:
        shown.open(page, server)
        if shown.words:
            problems = language_problems(page, lang, allowed=ROLES)
            assert not problems, f"{shown.name} in {lang}:\n" + "\n".join(problems)
        if shown.name == "case view":
            _milestones_in_oslo_time(page, server)
        if lang == shown.languages[0]:  # the layout is the same in every language
            assert_accessible(page, f"{shown.name} ({lang})")
    finally:
        page.close()


def _milestones_in_oslo_time(page: Any, server: LiveServer) -> None:
    """The case view's milestone and audit times are Oslo's, not the browser's."""
    case_id = page.get_attribute("#case", "data-case")
    case = _api(server, f"/api/cases/{case_id}")
    body = page.inner_text("#case-body")
    for kind, at in case["milestones"].items():
        oslo = datetime.fromisoformat(at).astimezone(OSLO).strftime("%H:%M")
        assert oslo in body, f"{kind} at {at} is not shown as {oslo} (Oslo time): {body}"
    shown = page.eval_on_selector_all("#audit li", "els => els.map(e => [e.dataset.at, e.innerText])")
    assert shown
    for at, text in shown:
        oslo = datetime.fromisoformat(at).astimezone(OSLO).strftime("%H:%M")
        assert text.startswith(oslo), f"audit entry at {at} is not shown at {oslo}: {text}"


_OUTSIDE = """(sel) => [...document.querySelectorAll(sel)].filter(e => {
  const r = e.getBoundingClientRect();
  return r.width === 0 || r.left < 0 || r.top < 0 || r.right > innerWidth + 0.5
    || r.bottom > innerHeight + 0.5;
}).map(e => e.dataset.room || e.id || e.textContent)"""


def test_the_wall_shows_every_room_at_once_and_a_phone_one_location(browser, server) -> None:  # type: ignore[no-untyped-def]
    """1920×1080: every row on screen, no scrolling, labels whole; twice the size on a
    3840×2160 wall; an alert or suggestion opens its case and marks its row. 390×844: the
    header's buttons on screen, no sideways scroll, one location at a time."""
    context = browser.new_context(**{**BROWSER, "viewport": {"width": 1920, "height": 1080}})
    page = context.new_page()
    try:
        open_board(page, server)
        rooms = len(server.runtime.hospital.rooms)
        assert page.locator(".room").count() == rooms
        assert page.evaluate(_OUTSIDE, ".room, #side") == []
        assert page.evaluate("() => [document.documentElement.scrollWidth, "
                             "document.documentElement.scrollHeight]") == [1920, 1080]
        assert page.evaluate("() => [...document.querySelectorAll('.room .lbl')]"
                             ".filter(e => e.scrollWidth > e.clientWidth).length") == 0
        size = "() => parseFloat(getComputedStyle(document.querySelector('.room')).fontSize)"
        small = page.evaluate(size)
        page.set_viewport_size({"width": 3840, "height": 2160})
        page.wait_for_function(f"() => ({size})() > {small} * 1.9", timeout=5_000)
        page.set_viewport_size({"width": 1920, "height": 1080})

        # the first alert or suggestion: its case opens, its row flashes
        target = page.locator("#side button.goto[data-case]:not([data-case=''])").first
        case_id, room_id = target.get_attribute("data-case"), target.get_attribute("data-room")
        target.click()
        page.wait_for_selector(f'#case[open][data-case="{case_id}"]', timeout=10_000)
        assert page.locator(f'.room.focus[data-room="{room_id}"]').count() == 1
        page.keyboard.press("Escape")

        page.set_viewport_size({"width": 390, "height": 844})
        page.wait_for_function("() => document.querySelector('#wall').style"
                               ".getPropertyValue('--cols') === '1'", timeout=5_000)  # re-laid out
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
        assert page.evaluate(_OUTSIDE, "header#top button, #loc-tabs button") == []
        shown = page.locator(".loc:visible")
        locations = {shown.nth(i).get_attribute("data-location") for i in range(shown.count())}
        assert locations == {server.runtime.tower.hospital.room_by_id[room_id].location_id}
        second = next(loc.id for loc in server.runtime.hospital.locations if loc.id not in locations)
        page.click(f'#loc-tabs button[data-location="{second}"]')
        assert page.locator(".loc:visible").first.get_attribute("data-location") == second
        row = page.locator(".loc:visible .room").first
        row.wait_for(state="visible", timeout=5_000)
        box = row.bounding_box()
        assert box is not None and box["width"] > 300  # a full-width list, not a 50 px column
    finally:
        context.close()
