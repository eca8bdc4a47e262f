"""The planning workspace in Debian's Chromium (Playwright): the week program's propose →
compare → pin → re-propose → publish, and a capacity scenario compared. Small hospital, short
time limits. ``KONTROLLTARN_DOC_SCREENSHOTS=1`` renews the pictures in docs/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from .conftest import LiveServer, password, run_server

DOCS = Path(__file__).resolve().parents[2] / "docs"
pytestmark = pytest.mark.browser


@pytest.fixture
def server(small_hospital, tmp_path, template_folder) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    from .conftest import make_runtime

    rt = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'workspace.sqlite3'}", template_folder)
    yield from run_server(rt)


def _login(page, role: str = "coordinator") -> None:  # type: ignore[no-untyped-def]
    page.wait_for_selector("#login[open]", timeout=15_000)
    page.fill("#login-form input[name=username]", role)
    page.fill("#login-form input[name=password]", password(role))
    page.click("#login-form button[type=submit]")


def _shot(page, tmp_path: Path, name: str) -> None:  # type: ignore[no-untyped-def]
    folder = DOCS if os.environ.get("KONTROLLTARN_DOC_SCREENSHOTS") == "1" else tmp_path
    page.screenshot(path=str(folder / name), full_page=True)
    assert (folder / name).stat().st_size > 10_000


def test_propose_compare_pin_repropose_publish(page, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rt = server.runtime
    page.goto(f"{server.url}/program.html?week={rt.day}&limit=2")
    _login(page)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    assert page.locator(".wroom").count() >= 1
    assert page.locator("#gantt .case").count() == len(rt.store.plans.day(rt.day))

    page.click("#propose")
    page.wait_for_selector("body[data-version]", timeout=60_000)
    first = page.get_attribute("body", "data-version")
    assert page.locator("#kpis tr[data-kpi]").count() == 6
    assert page.locator("#kpis tr[data-kpi=feasible] td").nth(2).inner_text() == "✓"
    assert "Flyttet" in page.inner_text("#changes")
    # staffed hours from need: every session the API proposes to end earlier is listed
    proposed = page.evaluate("ws.compare.staffed_from_need.length")
    assert "Bemanning etter behov" in page.inner_text("#staffed-from-need")
    assert page.locator("#staffed-from-need li").count() == proposed
    _shot(page, tmp_path, "workspace-program.png")

    cases = page.locator("#gantt .case")
    pinned = cases.nth(0).get_attribute("data-case")
    removed = cases.nth(1).get_attribute("data-case")
    cases.nth(0).click()
    page.click("#pin")
    page.locator(f'#gantt .case[data-case="{removed}"]').click()
    page.click("#remove")
    assert page.locator("#pin-list li").count() == 2
    page.click("#repropose")
    page.wait_for_function("v => document.body.dataset.version !== v", arg=first, timeout=60_000)
    second = int(page.get_attribute("body", "data-version"))
    entries = {e.case_id: e for e in rt.store.programs.get(second).program.entries}
    original = {e.case_id: e for e in rt.store.programs.get(int(first)).program.entries}
    assert entries[pinned] == original[pinned] and removed not in entries

    page.fill("#publish-form input[name=why]", "pinned in the browser")
    page.click("#publish-form button[type=submit]")
    page.wait_for_selector(f"body[data-published='{second}']", timeout=15_000)
    published = rt.store.programs.get(second)
    assert published.status == "published" and published.why == "pinned in the browser"
    assert any(e.action == "program.publish" and e.actor == "coordinator"
               for e in rt.store.audit.recent(20))
    page.click("#lang")
    assert page.inner_text("#propose") == "Propose"


@pytest.fixture
def simulating_server(small_hospital, tmp_path, template_folder) -> Iterator[LiveServer]:  # type: ignore[no-untyped-def]
    """A server with the scenario simulator registered (as ``kontrolltarn serve`` does), its
    replications run in the job's thread (a Dask cluster takes seconds to start)."""
    from kontrolltarn.experiments.capacity import run_scenarios
    from kontrolltarn.service.jobs import register_scenario_runner

    from .conftest import make_runtime

    register_scenario_runner(run_scenarios)
    rt = make_runtime(small_hospital, f"sqlite:///{tmp_path / 'capacity.sqlite3'}", template_folder,
                      scenario_cluster=None)
    yield from run_server(rt)


def test_a_capacity_scenario_compared(page, simulating_server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rt = simulating_server.runtime
    monday = rt.day + timedelta(days=(7 - rt.day.weekday()) % 7)
    page.goto(f"{simulating_server.url}/capacity.html?week={monday}&weeks=2&replications=2")
    _login(page)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    page.click("#plan")
    page.wait_for_selector("body[data-job]", timeout=120_000)
    result = page.evaluate("window.ktCapacity")
    sim = result["simulation"]
    assert sim["arms"] == ["plan", "Fire rom til tirsdager på Nord", "Sommer på halv kapasitet"]
    assert sim["seeds"] == [0, 1]
    # the scenarios change the calendar as they say: four rooms more on each Tuesday at Nord
    # (two in two weeks), and half of week 1-2's sessions (rounded up per location-day)
    tuesdays = 2
    assert sim["sessions"]["Fire rom til tirsdager på Nord"] == sim["sessions"]["plan"] + 4 * tuesdays
    assert sim["sessions"]["Sommer på halv kapasitet"] < sim["sessions"]["plan"]
    bars = page.locator("#scenarios rect[data-kpi=elective_operations]")
    assert bars.count() == 3
    assert page.locator("#gap-table tr[data-specialty]").count() == len(result["gaps"]) > 0
    assert all(r["deadline_gap_cases"] <= r["current_deadline_gap_cases"] for r in result["gaps"])
    _shot(page, tmp_path, "workspace-capacity.png")


def test_rules_edited_tried_and_saved(page, server, tmp_path) -> None:  # type: ignore[no-untyped-def]
    rt = server.runtime
    page.goto(f"{server.url}/rules.html?limit=3")
    _login(page)
    page.wait_for_selector("body[data-ready=true]", timeout=15_000)
    text = page.input_value("#text")
    assert "[specialty.TCT]" in text
    page.fill("#text", text + '\n[location.NOR.specialty.EYE]\nnote = "Nord: to katarakter per dag."\n'
              "max_per_room_day = { CJE20 = 2 }\n\n[specialty.GYN]\nactivity_target = 30\n")
    page.click("#preview")
    page.wait_for_selector("body[data-previewed=true]", timeout=30_000)
    assert "CJE20" in page.inner_text('#diff-table tr[data-specialty="EYE"]')
    # the effect on the published program of the day: a Nord rule shows at Nord only
    rows = page.locator("#effect-table tr[data-location]").all()
    assert {r.get_attribute("data-location") for r in rows} <= {"NOR"}
    assert rt.store.rules.current() is None
    # a new proposal under the draft (not saved), compared with the live plan per location
    page.click("#propose-draft")
    page.wait_for_selector("body[data-draft-proposed]", timeout=60_000)
    version = rt.store.programs.get(int(page.get_attribute("body", "data-draft-proposed") or 0))
    assert "draft rules" in version.why and rt.store.rules.current() is None
    cataracts: dict[tuple[str, object], int] = {}
    for e in version.program.entries:
        if rt.hospital.referral_by_id[e.case_id].procedure_code == "CJE20" and e.room_id.startswith("NOR"):
            cataracts[(e.room_id, e.date)] = cataracts.get((e.room_id, e.date), 0) + 1
    assert max(cataracts.values(), default=0) <= 2
    page.wait_for_selector("#draft-table", timeout=5_000)
    _shot(page, tmp_path, "workspace-rules.png")
    page.fill("#save-form input[name=why]", "én fakomaskin på Nord")
    page.click("#save-form button[type=submit]")
    page.wait_for_selector("body[data-saved]", timeout=15_000)
    saved = rt.store.rules.current()
    assert saved is not None and saved.why == "én fakomaskin på Nord"
    assert rt.local_rules().for_session("NOR", "EYE").max_per_room_day == {"CJE20": 2}
