"""The board in Debian's Chromium (Playwright, never a downloaded browser)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from kontrolltarn.model import Event, EventKind, Program
from kontrolltarn.simulate.replay import play_day
from kontrolltarn.synth.truth import Truth

from .conftest import LiveServer, login, post_events, run_server

pytestmark = pytest.mark.browser


@pytest.fixture
def server(small_hospital, tmp_path, template_folder) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    from .conftest import make_runtime

    # every room is sent again each second (default 5 s), so the screenshot waits less
    rt = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'board.sqlite3'}", template_folder,
                      full_refresh_s=1.0)
    yield from run_server(rt)


def _login(page, server: LiveServer, role: str = "coordinator") -> None:  # type: ignore[no-untyped-def]
    login(page, server, role)


def _post(server: LiveServer, events) -> dict:  # type: ignore[no-untyped-def]
    return post_events(server, events)


def test_board_loads_updates_live_and_records_an_accepted_suggestion(page, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rt = server.runtime
    _login(page, server)
    assert page.locator(".room").count() == len(rt.hospital.rooms)
    assert page.locator(".loc").count() == len(rt.hospital.locations)

    # live: a case goes into its room and the row shows it without reloading
    program = Program(tuple(p.entry for p in rt.store.plans.day(rt.day)))
    events = play_day(rt.hospital, program, rt.day, truth=Truth.of_hospital(rt.hospital), seed=2)
    first_in = next(e for e in events if e.kind.value == "in_room")
    row = page.locator(f'.room[data-room="{first_in.room_id}"]')
    assert "på stua" not in row.locator(".cur").inner_text()
    _post(server, [e for e in events if e.at <= first_in.at])
    page.wait_for_function(
        "([room]) => document.querySelector(`.room[data-room=\"${room}\"] .cur`)"
        ".innerText.includes('på stua')", arg=[first_in.room_id], timeout=10_000)
    # the row names the case's procedure and surgeon, and opens that case
    assert row.get_attribute("data-case") == first_in.case_id
    plan = next(p for p in rt.store.plans.day(rt.day) if p.case_id == first_in.case_id)
    surgeon = rt.hospital.staff_by_id[plan.entry.surgeon_id].name
    assert surgeon in row.locator(".what").inner_text()

    # the first case of a room with several cases runs until 14:30: the agent must propose
    # something for the cases waiting behind it
    plans = rt.store.plans.day(rt.day)
    busy = next(r for r in {p.room_id for p in plans}
                if sum(p.room_id == r for p in plans) >= 2)
    first = min((p for p in plans if p.room_id == busy), key=lambda p: p.position)
    other = next(p.room_id for p in plans if p.room_id != busy)
    _post(server, [
        Event("long-in", EventKind.IN_ROOM, rt.tower.clock.at(first.start_min),
              case_id=first.case_id, room_id=busy),
        Event("clock", EventKind.ROOM_READY, rt.tower.clock.at(14 * 60 + 30), room_id=other)])
    assert rt.refresh_suggestions() > 0
    page.wait_for_selector("#suggestions button.decide", timeout=10_000)
    page.wait_for_timeout(1500)  # one full refresh: every room re-forecast at the new time
    # the docs' pictures come from scripts/board_screenshots.py (the default hospital)
    page.screenshot(path=str(tmp_path / "board.png"))
    assert (tmp_path / "board.png").stat().st_size > 10_000
    page.locator("#suggestions button.decide").first.click()
    page.fill("#decide-form input[name=why]", "tested in the browser")
    page.click("#decide-form button[value=accept]")
    page.wait_for_selector('#audit li[data-action="suggestion.accept"]', timeout=10_000)
    decided = rt.store.suggestions.list(status="accepted")
    assert len(decided) == 1 and decided[0].decided_by == "coordinator"
    assert decided[0].why == "tested in the browser"

    # English on request
    page.click("#lang")
    assert page.locator("#side h2").first.inner_text().lower() == "alerts"


def test_a_quiet_feed_is_flagged_on_the_board(small_hospital, tmp_path, template_folder, page) -> None:  # type: ignore[no-untyped-def]
    """With the quiet limit at 2 s, the banner appears within the limit plus a heartbeat."""
    from .conftest import make_runtime

    rt = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'quiet.sqlite3'}", template_folder,
                      quiet_feed_s=2.0)
    for live in run_server(rt):
        _login(page, live)
        program = Program(tuple(p.entry for p in rt.store.plans.day(rt.day)))
        _post(live, play_day(rt.hospital, program, rt.day, truth=Truth.of_hospital(rt.hospital), seed=2)[:5])
        page.wait_for_function("() => document.querySelector('#freshness').dataset.quiet === 'false'",
                               timeout=5_000)
        page.wait_for_selector("#quiet-banner:not([hidden])", timeout=5_000)
        assert page.locator("#freshness").get_attribute("data-quiet") == "true"
