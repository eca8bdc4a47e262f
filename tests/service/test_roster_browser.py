"""The roster pages in Debian's Chromium (issue 20): the unit leader publishes a roster on a
desktop; the staff member, on a phone (390×844), asks for a swap that the checker refuses with
the rule named and for one that breaks nothing; the leader cannot approve the first (the server
checks again), refuses it and approves the second; both pages show the changed roster."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kontrolltarn.model import StaffRole
from kontrolltarn.plan.staffing import Demand, roster_to_dict
from kontrolltarn.store import Actor

from ..plan.roster_requests import at, nurse, roster, shift
from .conftest import LiveServer, make_runtime, password, run_server

DOCS = Path(__file__).resolve().parents[2] / "docs"
pytestmark = pytest.mark.browser


def _unit_roster() -> dict[str, Any]:
    """Two weeks at Sentrum: A works Tue, Wed; B Mon evening and Thu; C every weekday; D a
    Friday night; one OR nurse demanded on each weekday's day shift of week 1."""
    shifts = ([shift("A", d, "D") for d in (1, 2, 7, 8, 9)]
              + [shift("B", 0, "E"), shift("B", 3, "D"), shift("B", 10, "D")]
              + [shift("C", d, "D") for d in range(5)] + [shift("D", 4, "N")])
    demand = tuple(Demand("SEN", StaffRole.OR_NURSE, at(d, "08:00"), at(d, "15:30"), 1, {}, "D")
                   for d in range(5))
    people = (nurse("A"), nurse("B"), nurse("C"), nurse("D"))
    return roster_to_dict(roster(shifts, weeks=2, people=people, demand=demand))


@pytest.fixture
def server(small_hospital, tmp_path, template_folder) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    rt = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'roster.sqlite3'}", template_folder)
    admin = Actor("test", "cli")
    rt.store.rosters.link("unit_leader", "SEN", None, by=admin)
    rt.store.rosters.link("staff_member", "SEN", "A", by=admin)
    rt.store.rosters.add("SEN", _unit_roster(), by=admin, why="from kontrolltarn roster")
    yield from run_server(rt)


def _login(page: Any, server: LiveServer, path: str, role: str) -> None:
    page.goto(server.url + path)
    page.fill("#login-form input[name=username]", role)
    page.fill("#login-form input[name=password]", password(role))
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)


def _ask(phone: Any, day: str, colleague_day: str) -> None:
    phone.select_option("#kind", "swap")
    phone.fill("#day", day)
    phone.select_option("#colleague", "B")
    phone.fill("#colleague-day", colleague_day)
    phone.click("#send")


def test_a_roster_is_published_and_swaps_are_refused_or_approved(browser, page, server,  # type: ignore[no-untyped-def]
                                                                 tmp_path) -> None:
    rt = server.runtime
    shots = DOCS if os.environ.get("KONTROLLTARN_DOC_SCREENSHOTS") == "1" else tmp_path
    # the leader publishes the draft (desktop)
    _login(page, server, "/roster.html", "unit_leader")
    page.wait_for_selector("#grid tr[data-person=A]")
    # coverage per shift: Monday's day shift has C (1 of 1), Tuesday A and C (2 of 1)
    cells = page.locator("#coverage tr >> nth=1").locator("td").all_inner_texts()
    assert cells[:5] == ["1/1", "2/1", "2/1", "2/1", "1/1"], cells
    page.fill("#why", "turnus for uke 51-52")
    page.click("#publish")
    page.wait_for_selector("#status:has-text('publisert')")
    assert rt.store.rosters.published("SEN") is not None

    # the staff member on a phone
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True,
                                  has_touch=True)
    phone = context.new_page()
    _login(phone, server, "/staff.html", "staff_member")
    assert phone.locator("#shifts .shift").count() == 5
    _ask(phone, "2026-12-14", "2026-12-14")  # B's Monday evening before A's Tuesday day shift
    phone.wait_for_selector("#answer li[data-rule=daily_rest]")
    assert "Daglig hvile" in phone.locator("#answer").inner_text()
    _ask(phone, "2026-12-16", "2026-12-17")  # A's Wednesday for B's Thursday
    phone.wait_for_selector("#answer.ready")
    phone.wait_for_selector("#requests li[data-state=asked] >> nth=1")
    phone.screenshot(path=str(shots / "staff-phone.png"), full_page=True)

    # the leader: the first cannot be approved (rule named), is refused; the second approved
    page.reload()
    page.wait_for_selector("#requests li[data-state=asked] >> nth=1")
    bad, good = sorted(r.id for r in rt.store.rosters.requests("SEN"))
    page.click(f'#requests li[data-request="{bad}"] button[data-accept=true]')
    page.wait_for_selector(f'#requests li[data-request="{bad}"] .answer:has-text("Daglig hvile")')
    assert rt.store.rosters.request(bad).state == "asked"
    page.click(f'#requests li[data-request="{bad}"] button[data-accept=false]')
    page.wait_for_selector(f'#requests li[data-request="{bad}"][data-state=refused]')
    page.click(f'#requests li[data-request="{good}"] button[data-accept=true]')
    page.wait_for_selector(f'#requests li[data-request="{good}"][data-state=approved]')
    assert page.locator('#grid tr[data-person=A] td[data-day="2026-12-17"]').inner_text() == "D"
    assert page.locator('#grid tr[data-person=A] td[data-day="2026-12-16"]').inner_text() == ""
    page.screenshot(path=str(shots / "roster-leader.png"), full_page=True)
    assert (shots / "roster-leader.png").stat().st_size > 10_000

    # the phone shows the new shifts and both answers
    phone.reload()
    phone.wait_for_selector("#requests li[data-state=approved]")
    assert phone.locator("#requests li[data-state=refused]").count() == 1
    assert phone.locator('#shifts .shift[data-day="2026-12-17"]').count() == 1
    assert phone.locator('#shifts .shift[data-day="2026-12-16"]').count() == 0
    context.close()
