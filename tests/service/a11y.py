"""Accessibility of a page as it stands in the browser: axe-core (vendored in the
axe-playwright-python package, injected over the DevTools protocol, so the service's strict
content security policy stays on) with all its rules (WCAG 2.x A and AA, best practice).
Use it from any browser test:

    from .a11y import assert_accessible, serious_violations
    assert_accessible(page, "porter page")      # or: assert serious_violations(page) == []
"""

from __future__ import annotations

from typing import Any

#: axe's impact levels that fail a test; "minor" and "moderate" findings are reported only
SERIOUS = ("serious", "critical")


def violations(page: Any, context: str | None = None) -> list[dict[str, Any]]:
    """Every axe violation on the page as it is now (or within the CSS selector ``context``)."""
    from axe_playwright_python.sync_playwright import Axe  # deferred: loads a 570 kB script

    options = {"resultTypes": ["violations"]}  # every rule: WCAG 2.x A/AA and best practice
    return list(Axe().run(page, context=context, options=options).response["violations"])


def serious_violations(page: Any, context: str | None = None) -> list[str]:
    """The serious and critical violations, one readable line each: rule, impact, help text,
    how many elements and up to three of their selectors."""
    lines = []
    for v in violations(page, context):
        if v.get("impact") in SERIOUS:
            targets = ", ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
            lines.append(f"{v['id']} ({v['impact']}: {v['help']}): {len(v['nodes'])} × {targets}")
    return lines


def assert_accessible(page: Any, what: str, context: str | None = None) -> None:
    """Fail on any serious or critical axe violation, naming the rule and the elements."""
    bad = serious_violations(page, context)
    assert not bad, f"{what}: {len(bad)} serious or critical accessibility violations\n" \
                    + "\n".join(bad)
