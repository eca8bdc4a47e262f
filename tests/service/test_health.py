"""Health reports the database, on the embedded store too (issue 21 finding 11): a deleted
SQLite file was "ok" (and the service went on storing into it, lost)."""

from __future__ import annotations

import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from kontrolltarn.service import Runtime, create_app

from .conftest import auth_headers


def test_health_and_board_say_when_the_sqlite_file_is_gone(sqlite_runtime: Runtime,
                                                             tmp_path: Path) -> None:
    path = Path(str(sqlite_runtime.store.engine.url.database))
    with TestClient(create_app(sqlite_runtime, background=False)) as client:
        headers = auth_headers(client, "coordinator")
        ok = client.get("/api/health")
        assert ok.status_code == 200 and ok.json()["status"] == "ok"
        assert ok.json()["database"] == "ok"
        sqlite_runtime.store.engine.dispose()  # the file complete, for the copy
        shutil.move(path, tmp_path / "moved.sqlite3")
        try:
            gone = client.get("/api/health")
            assert gone.status_code == 503 and gone.headers["Retry-After"].isdigit()
            assert gone.json()["status"] == "degraded"
            assert gone.json()["database"] == "unavailable"
            board = client.get("/api/board", headers=headers).json()
            assert board["freshness"]["database"] == "unavailable"
        finally:
            shutil.move(tmp_path / "moved.sqlite3", path)
        assert client.get("/api/health").json()["database"] == "ok"
        assert client.get("/api/board", headers=headers).json()["freshness"]["database"] == "ok"
