"""Schemathesis against the OpenAPI document: no input makes the service answer 5xx."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings

from kontrolltarn.model import Hospital
from kontrolltarn.service import create_app

from .conftest import make_runtime, password


@pytest.fixture(scope="module")
def fuzz_app(small_hospital: Hospital, tmp_path_factory: pytest.TempPathFactory,
             template_folder: Path) -> Iterator:  # type: ignore[type-arg]
    path: Path = tmp_path_factory.mktemp("fuzz") / "fuzz.sqlite3"
    runtime = make_runtime(small_hospital, f"sqlite:///{path}", template_folder)
    app = create_app(runtime, background=False)
    with TestClient(app) as client:
        token = client.post("/api/auth/login", json={
            "username": "coordinator", "password": password("coordinator")}).json()["token"]
        app.state.fuzz_token = token
        yield app
    runtime.store.close()


def test_no_input_gives_a_server_error(fuzz_app) -> None:  # type: ignore[no-untyped-def]
    """Every operation of the OpenAPI document, fuzzed by schemathesis as a coordinator (who may
    reach the most code), and anonymously; the live stream is left out because it never ends by
    design (it shares its permission check with the board)."""
    schema = schemathesis.openapi.from_asgi("/openapi.json", fuzz_app)
    headers = {"Authorization": f"Bearer {fuzz_app.state.fuzz_token}"}
    failures: list[tuple[str, str, int, str]] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path == "/api/board/stream":
            continue
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=4, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def fuzz(case) -> None:  # type: ignore[no-untyped-def]
            # logging out would end the shared token's session: that one runs anonymously
            for auth in (headers, {}) if case.path != "/api/auth/logout" else ({},):
                response = case.call(headers=auth)
                if response.status_code >= 500:
                    failures.append((case.method, case.formatted_path, response.status_code,
                                     response.text[:200]))

        fuzz()
    assert operations >= 20
    assert failures == []
