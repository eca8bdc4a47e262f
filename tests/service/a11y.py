"""Accessibility of a page as axe-core sees it (axe-playwright-python, run in Debian's Chromium):
the serious and critical violations, one readable line each, so a test can assert there are none
and its failure says what and where."""

from __future__ import annotations

from typing import Any

SERIOUS = ("serious", "critical")


def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on ``page`` as it is now: rule, impact, how
    many elements and the first one's selector."""
    from axe_playwright_python.sync_playwright import Axe  # deferred: heavy (axe-core script)

    found = Axe().run(page).response["violations"]
    return [f"{v['id']} ({v['impact']}): {len(v['nodes'])} × {v['nodes'][0]['target']}"
            for v in found if v["impact"] in SERIOUS]
