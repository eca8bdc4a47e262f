"""The API documentation page works offline (issue 19 finding 10): it was blank, its Swagger UI
files loaded from a CDN that the page's own security policy blocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from kontrolltarn.service import Runtime

from .conftest import LiveServer, run_server


@pytest.fixture
def server(sqlite_runtime: Runtime) -> Iterator[LiveServer]:
    yield from run_server(sqlite_runtime)


def test_docs_render_every_operation_with_nothing_from_outside_the_service(
        server: LiveServer, page: Any) -> None:
    """Issue 19 finding 10: in Chromium, with every request outside the service refused, /docs
    shows the operation list (every operation of the OpenAPI document), with no
    security-policy violation or script error; the policy stays "self" only for scripts."""
    outside: list[str] = []
    problems: list[str] = []

    def only_the_service(route: Any) -> None:
        if route.request.url.startswith(server.url + "/"):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", only_the_service)
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    reply = page.goto(server.url + "/docs")
    assert reply is not None and reply.status == 200
    policy = reply.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src" not in policy
    page.wait_for_selector(".opblock", timeout=15_000)
    spec = httpx.get(server.url + "/openapi.json", timeout=10).json()
    # Swagger UI lists an operation under each of its tags
    shown = sum(max(1, len(operation.get("tags", []))) for methods in spec["paths"].values()
                for operation in methods.values())
    assert page.locator(".opblock").count() == shown > 30
    assert page.locator(".info .title").inner_text().startswith("Kontrolltårn")
    assert outside == [] and problems == []


def test_the_vendored_swagger_ui_ships_with_its_licence() -> None:
    """Issue 19 finding 10: the vendored files carry their licence and say where they come
    from (the installed package holds them: package data)."""
    from kontrolltarn.service import app

    vendor = Path(app.__file__).parent / "static" / "vendor" / "swagger-ui"
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE", "README.md"):
        assert (vendor / name).stat().st_size > 0, name
    assert "Apache License" in (vendor / "LICENSE").read_text()
