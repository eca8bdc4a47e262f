"""A wrong database URL gives one line naming the setting and exit status 2 (issue 21 finding
11), not a 140-line traceback. Run as the installed command runs: a subprocess of `main`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import kontrolltarn

#: the package under test, also in the subprocess (whatever the working directory)
SRC = str(Path(kontrolltarn.__file__).resolve().parents[1])
WRONG = {
    "nothing-listens": "postgresql://kontrolltarn:hemmelig@127.0.0.1:1/test",
    "not-a-url": "nonsense",
    "sqlite-in-a-missing-folder": "sqlite:////no/such/folder/kontrolltarn.sqlite3",
}


def _run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kontrolltarn.cli.main", *args], cwd=cwd,
                          # development: no secret needed, so the URL is what fails
                          env={**os.environ, "PYTHONPATH": SRC, "KONTROLLTARN_ENV": "development",
                               **env}, capture_output=True,
                          text=True, timeout=120)


def _one_line(reply: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in reply.stderr.splitlines() if line.strip()]
    assert reply.returncode == 2, reply.stderr
    assert len(lines) == 1, reply.stderr
    assert "--database-url" in lines[0] and "KONTROLLTARN_DATABASE_URL" in lines[0]
    return lines[0]


@pytest.mark.parametrize("url", WRONG.values(), ids=WRONG.keys())
def test_serve_with_a_wrong_database_url_says_so_in_one_line(url: str, tmp_path: Path) -> None:
    line = _one_line(_run(["serve", "--database-url", url, "--port", "1"], {}, tmp_path))
    assert "hemmelig" not in line  # the password is never printed


def test_the_url_from_the_environment_too(tmp_path: Path) -> None:
    line = _one_line(_run(["serve", "--port", "1"],
                          {"KONTROLLTARN_DATABASE_URL": WRONG["nothing-listens"]}, tmp_path))
    assert "127.0.0.1:1" in line and "***" in line


def test_import_into_a_wrong_store_says_so_in_one_line(tmp_path: Path) -> None:
    hospital = tmp_path / "h.json"
    hospital.write_text("{}")
    _one_line(_run(["import", str(hospital), "--database-url", WRONG["not-a-url"]], {},
                   tmp_path))
