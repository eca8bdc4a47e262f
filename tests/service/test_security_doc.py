"""docs/security.md's role table is the permission map the service enforces: a permission or
role added, removed or moved in ``service/auth.py:PERMISSIONS`` without the page fails here."""

from __future__ import annotations

from pathlib import Path

from kontrolltarn.service.auth import PERMISSIONS, Role

PAGE = Path(__file__).parents[2] / "docs" / "security.md"


def documented_permissions(text: str) -> dict[str, set[str]]:
    """The table between the page's ``permissions:start`` and ``permissions:end`` markers."""
    table = text.split("<!-- permissions:start -->")[1].split("<!-- permissions:end -->")[0]
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in table.strip().splitlines()]
    header, body = rows[0], rows[2:]
    return {row[0]: {role for role, cell in zip(header[1:], row[1:], strict=True) if cell}
            for row in body}


def test_the_pages_role_table_is_the_enforced_permission_map() -> None:
    documented = documented_permissions(PAGE.read_text(encoding="utf-8"))
    enforced = {permission: {role.value for role in roles}
                for permission, roles in PERMISSIONS.items()}
    assert documented == enforced


def test_the_reader_sees_a_change() -> None:
    """The check can fail: a role taken out of one row is seen."""
    text = PAGE.read_text(encoding="utf-8")
    changed = text.replace("| case:write | ✓ |", "| case:write |  |", 1)
    assert changed != text
    assert documented_permissions(changed)["case:write"] == set()
    assert set(documented_permissions(text)) == set(PERMISSIONS)
    assert {r.value for r in Role} == set(
        text.split("<!-- permissions:start -->")[1].splitlines()[1].strip("| ").split(" | ")[1:])
