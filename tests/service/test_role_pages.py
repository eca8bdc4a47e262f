"""The pages per role in Debian's Chromium (issue 19): each role lands on its own page after
login; what the porter, the nurse and the patient do there shows on the coordinator's board in
another browser context, live; the surgeon's and anaesthesia's lists; the coordinator's patient
link from the case view. Phones at 390×844; axe-core finds no serious or critical violation.

One server for the module: the tests use different rooms and cases. Screenshots for the docs
are renewed only on request (``scripts/role-screenshots.sh``)."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kontrolltarn.model import Event, EventKind, PlannedCase, clock

from .a11y import serious_violations
from .conftest import LiveServer, make_runtime, password, run_server
from .language import language_problems

DOCS = Path(__file__).resolve().parents[2] / "docs"
PHONE = {"width": 390, "height": 844}
WAIT = 10_000  # ms: a deadline for the live stream, not a timing assertion
pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(small_hospital, tmp_path_factory, template_folder) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("roles") / "roles.sqlite3"
    rt = make_runtime(small_hospital, f"sqlite:///{path}", template_folder, full_refresh_s=1.0)
    # the board's clock is its latest event's: the morning, before the first case
    quiet = next(r.id for r in small_hospital.rooms
                 if not any(p.room_id == r.id for p in rt.store.plans.day(rt.day)))
    rt.ingest([Event("morning", EventKind.ROOM_READY, rt.tower.clock.at(7 * 60 + 40),
                     room_id=quiet)])
    yield from run_server(rt)


@pytest.fixture(scope="module")
def rooms(server: LiveServer) -> list[list[PlannedCase]]:
    """The rooms with at least two planned cases, each as its cases in order: one per test."""
    rt = server.runtime
    by_room: dict[str, list[PlannedCase]] = {}
    for p in rt.store.plans.day(rt.day):
        by_room.setdefault(p.room_id, []).append(p)
    found = [sorted(cs, key=lambda p: p.position) for _, cs in sorted(by_room.items())
             if len(cs) >= 2]
    assert len(found) >= 4, "the small hospital has too few busy rooms for these tests"
    return found


def _shot_folder(tmp_path: Path) -> Path:
    return DOCS if os.environ.get("KONTROLLTARN_DOC_SCREENSHOTS") == "1" else tmp_path


def _context(browser: Any, viewport: dict[str, int] = PHONE) -> Any:
    return browser.new_context(viewport=viewport, locale="nb-NO", timezone_id="America/New_York")


def _login(page: Any, server: LiveServer, user: str, lands_on: str) -> None:
    """Log in on the board's page, as anyone would, and land on the role's own page."""
    page.goto(server.url + "/")
    page.fill("#login-form input[name=username]", user)
    page.fill("#login-form input[name=password]", password(user))
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"**{lands_on}", timeout=WAIT)
    page.wait_for_selector("body[data-ready=true]", timeout=WAIT)


@pytest.fixture(scope="module")
def board(browser: Any, server: LiveServer) -> Iterator[Any]:
    """The coordinator's board in a browser context of its own, for the whole module."""
    context = _context(browser, {"width": 1600, "height": 900})
    page = context.new_page()
    _login(page, server, "coordinator", "/")
    yield page
    context.close()


def _row(room_id: str) -> str:
    return f'.room[data-room="{room_id}"]'


def _board_says(board: Any, selector: str, text: str) -> None:
    board.wait_for_function("([sel, text]) => document.querySelector(sel)?.innerText === text",
                            arg=[selector, text], timeout=WAIT)


def _fits_the_phone(page: Any) -> None:
    """Nothing wider than the phone (no sideways scroll), and every button a thumb's size."""
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url
    small = page.evaluate("""() => [...document.querySelectorAll('main button')]
        .filter(b => b.offsetParent && b.getBoundingClientRect().height < 44).map(b => b.innerText)""")
    assert small == [], (page.url, small)


def _assert_accessible(page: Any) -> None:
    assert serious_violations(page) == [], page.url


def test_porter_and_nurse_pages_show_on_the_board_live(browser, server, rooms, board, tmp_path) -> None:  # type: ignore[no-untyped-def]
    first, second = rooms[0][:2]
    room = first.room_id
    porter = _context(browser).new_page()
    _login(porter, server, "porter", "/porter.html")
    assert porter.locator("#requests li.empty").count() == 1
    nurse = _context(browser).new_page()
    _login(nurse, server, "or_nurse", "/nurse.html")
    nurse.select_option("#room", room)
    nurse.wait_for_selector(f'#cases li[data-case="{second.case_id}"]', timeout=WAIT)
    assert [c.get_attribute("data-case") for c in nurse.locator("#cases li").all()] == [
        p.case_id for p in rooms[0]]

    # the nurse asks for porters for both cases: the porter's queue shows them without a reload
    status = f"{_row(room)} .cur"
    for case in (first, second):
        nurse.click(f'#cases li[data-case="{case.case_id}"] button[data-porter]')
        nurse.wait_for_selector(f'#cases li[data-case="{case.case_id}"] .chip.open',
                                timeout=WAIT)
    porter.wait_for_selector("#requests li[data-request]:nth-child(2)", timeout=WAIT)
    card = porter.locator("#requests li[data-request]").first
    assert server.runtime.hospital.room_by_id[room].name in card.inner_text()
    assert first.case_id in card.inner_text()
    _board_says(board, status, "portør bestilt")

    # take it, picked up, delivered: each step on the board, then the case has arrived
    for step, said in (("acknowledged", "portør kommer"), ("picked_up", "på vei")):
        porter.click(f"#requests li[data-request]:first-child button[data-next={step}]")
        _board_says(board, status, said)
        porter.wait_for_selector(f'#requests li[data-status="{step}"]', timeout=WAIT)
    shots = _shot_folder(tmp_path)
    porter.screenshot(path=str(shots / "role-porter.png"))
    _fits_the_phone(porter)
    _assert_accessible(porter)
    porter.click("#requests li[data-request]:first-child button[data-next=done]")
    _board_says(board, status, "ankommet")
    porter.wait_for_function("() => document.querySelectorAll('#requests li[data-request]')"
                             ".length === 1", timeout=WAIT)
    nurse.wait_for_selector(f'#cases li[data-case="{first.case_id}"][data-phase="arrived"]',
                            timeout=WAIT)

    # the nurse reports the room ready: the board says so, the nurse's page with the Oslo time
    nurse.click("#ready")
    nurse.wait_for_selector('#readiness [data-ready="true"]', timeout=WAIT)
    assert re.fullmatch(r"Klar siden [0-2]\d:[0-5]\d", nurse.locator("#readiness").inner_text())
    _board_says(board, status, "stua klar")
    nurse.screenshot(path=str(shots / "role-nurse.png"))
    _fits_the_phone(nurse)
    _assert_accessible(nurse)
    assert (shots / "role-porter.png").stat().st_size > 5_000
    for page in (porter, nurse):
        page.context.close()


def test_surgeon_and_anaesthesia_see_their_own_lists_live(browser, server, rooms) -> None:  # type: ignore[no-untyped-def]
    rt = server.runtime
    plans = [p for p in rt.store.plans.day(rt.day) if p.room_id != rooms[0][0].room_id]
    surgeon_id = rooms[1][0].surgeon_id
    mine = sorted((p for p in plans if p.surgeon_id == surgeon_id), key=lambda p: p.start_min)
    surgeon = _context(browser).new_page()
    _login(surgeon, server, "surgeon", "/list.html")
    assert surgeon.locator("#pick-rooms").is_hidden()
    surgeon.select_option("#surgeon", surgeon_id)
    surgeon.wait_for_function(f"() => document.querySelectorAll('#cases li[data-case]')"
                              f".length === {len(mine)}", timeout=WAIT)
    assert [c.get_attribute("data-case") for c in surgeon.locator("#cases li").all()] == [
        p.case_id for p in mine]
    assert surgeon.locator("#cases li").first.inner_text().startswith(clock(mine[0].start_min))
    _assert_accessible(surgeon)

    anaesthesia = _context(browser).new_page()
    _login(anaesthesia, server, "anaesthesia", "/list.html")
    two = [rooms[2][0].room_id, rooms[3][0].room_id]
    anaesthesia.select_option("#rooms", two)
    theirs = [p for p in plans if p.room_id in two]
    anaesthesia.wait_for_function(f"() => document.querySelectorAll('#cases li[data-case]')"
                                  f".length === {len(theirs)}", timeout=WAIT)
    _assert_accessible(anaesthesia)

    # the first case of the surgeon's goes into its room: the list shows it without a reload
    first = mine[0]
    rt.ingest([Event("list-in", EventKind.IN_ROOM, rt.tower.clock.at(first.start_min),
                     case_id=first.case_id, room_id=first.room_id)])
    surgeon.wait_for_selector(f'#cases li[data-case="{first.case_id}"][data-phase="in_room"]',
                              timeout=WAIT)
    assert f"inn på stue {clock(first.start_min)}" in surgeon.locator(
        f'#cases li[data-case="{first.case_id}"]').inner_text()
    # one language at a time: in English, the page's words, the statuses and the title
    surgeon.click("#lang")
    surgeon.wait_for_function("() => document.documentElement.lang === 'en' && document"
                              ".querySelector('#cases').innerText.includes('planned')",
                              timeout=WAIT)
    assert surgeon.locator("h1").inner_text() == "My list today"
    assert surgeon.title() == "Control tower – my list"
    text = surgeon.locator("#cases").inner_text()
    assert "in room" in text and "planned" in text
    assert not re.search(r"\b(planlagt|prognose|venter|på stua|inn på stue)\b", text)
    surgeon.context.close()
    anaesthesia.context.close()


def test_the_coordinator_makes_a_patient_link_and_the_check_in_shows_on_the_board(
        browser, server, rooms, board, tmp_path) -> None:  # type: ignore[no-untyped-def]
    # the first case of a room the list test leaves alone: the board's row shows it
    moved = rooms[1][0].surgeon_id
    case = next(cs[0] for cs in rooms[2:] if all(p.surgeon_id != moved for p in cs))
    board.locator(f'{_row(case.room_id)} [data-case="{case.case_id}"]').first.dispatch_event(
        "click")
    board.wait_for_selector("#case[open] #patient-link", timeout=WAIT)
    with board.context.expect_page() as opened:
        board.click("#patient-link")
    coordinator = opened.value
    coordinator.wait_for_selector("body[data-ready=true]", timeout=WAIT)
    assert case.case_id in coordinator.locator("#case").inner_text()
    coordinator.select_option("#hours", "24")
    coordinator.click("#make button[type=submit]")
    coordinator.wait_for_selector("#made:not([hidden])", timeout=WAIT)
    sms = coordinator.locator("#sms").input_value()
    url = re.search(r"http://\S+/patient\.html#t=[\w-]+", sms)
    assert url is not None, sms
    assert f"kl. {clock(case.start_min)}" in sms
    assert coordinator.locator("#letter").inner_text().count(url.group(0)) == 1
    assert coordinator.locator("#smsapp").get_attribute("href").startswith("sms:")
    _assert_accessible(coordinator)
    # one language at a time, the texts for the patient included (the link itself is data)
    assert language_problems(coordinator, "nb", allowed=(url.group(0), "coordinator")) == []
    coordinator.click("#lang")
    coordinator.wait_for_function("() => document.querySelector('#sms').value"
                                  ".startsWith('Hello')", timeout=WAIT)
    assert language_problems(coordinator, "en", allowed=(url.group(0), "coordinator")) == []
    coordinator.click("#lang")  # back to bokmål: the board beside it shares the choice
    coordinator.wait_for_function("() => document.documentElement.lang === 'nb'", timeout=WAIT)

    # the patient opens the link on a phone and checks in: the board shows it at once
    patient = _context(browser).new_page()
    patient.goto(url.group(0))
    patient.wait_for_selector("#day:not([hidden])", timeout=WAIT)
    assert patient.locator("#planned").inner_text() == clock(case.start_min)
    patient.click("#checkin")
    patient.wait_for_selector("#checked:not([hidden])", timeout=WAIT)
    _board_says(board, f"{_row(case.room_id)} .cur", "sjekket inn")
    patient.screenshot(path=str(_shot_folder(tmp_path) / "role-patient.png"))
    _fits_the_phone(patient)
    _assert_accessible(patient)
    # the link worked once: opened again, it is refused
    again = _context(browser).new_page()
    again.goto(url.group(0))
    again.wait_for_selector("#error:not([hidden])", timeout=WAIT)
    board.locator("#case form button").click()  # the case view closes
    for page in (patient, again):
        page.context.close()


def test_a_porters_phone_gets_only_what_its_page_needs(server, rooms) -> None:  # type: ignore[no-untyped-def]
    """The porter's page asks the live stream for porter requests only: a request arrives, the
    rooms the board gets every second do not (without the filter they do)."""
    def login(user: str) -> dict[str, str]:
        token = httpx.post(server.url + "/api/auth/login", timeout=10, json={
            "username": user, "password": password(user)}).json()["token"]
        return {"Authorization": f"Bearer {token}"}

    porter, nurse = login("porter"), login("or_nurse")
    case = rooms[3][-1]

    def kinds(query: str, until: str) -> list[str]:
        seen: list[str] = []
        with httpx.stream("GET", server.url + "/api/board/stream" + query, headers=porter,
                          timeout=20) as reply:
            for line in reply.iter_lines():
                if line.startswith("event: "):
                    seen.append(line.removeprefix("event: "))
                if seen == ["hello"] and "logistics" in query:
                    httpx.post(server.url + "/api/porter-requests", headers=nurse, timeout=10,
                               json={"room_id": case.room_id, "case_id": case.case_id})
                if until in seen and seen.count("heartbeat") >= 2:
                    return seen
        return seen

    assert "rooms" in kinds("", until="rooms")
    filtered = kinds("?only=logistics", until="logistics")
    assert "logistics" in filtered and "rooms" not in filtered
