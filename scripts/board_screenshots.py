"""Screenshots of the wall board for docs/control-tower.md, made the way a person sees it: the
demo service (default hospital, a busy day replayed from the morning) in Debian's Chromium at
1920×1080, on a 3840×2160 wall display and on a 390×844 phone.

    python scripts/board_screenshots.py [--start 10:30] [--out docs]

Starts `kontrolltarn serve --replay` on a fresh store in a temporary folder (about a minute of
generating, learning and planning), logs in as the demo coordinator, waits for the board to
settle and writes docs/board-1920x1080.png, docs/board-3840x2160.png and docs/board-phone.png
(palette PNGs: a dark board needs few colours). Stops the service at the end.
"""

from __future__ import annotations

import argparse
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/bin/chromium"
SHOTS = {"board-1920x1080.png": (1920, 1080), "board-3840x2160.png": (3840, 2160),
         "board-phone.png": (390, 844)}
USER, PASSWORD = "koordinator", "koordinator-demo-2026"  # cli.serve.demo_password


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_service(folder: Path, port: int, start: str) -> subprocess.Popen[bytes]:
    """The demo service replaying the busy day from ``start`` in real time (the picture holds
    still while it is taken)."""
    env = {**os.environ, "KONTROLLTARN_ENV": "demo", "KONTROLLTARN_SECRET_KEY": secrets.token_hex(32)}
    command = [sys.executable, "-m", "kontrolltarn.cli.main", "serve", "--port", str(port),
               "--database-url", f"sqlite:///{folder / 'board.sqlite3'}", "--replay",
               "--demo-users", "--replay-start", start, "--replay-speed", "1"]
    return subprocess.Popen(command, env=env, cwd=folder, stdout=subprocess.DEVNULL,
                            start_new_session=True)


def wait_until_up(url: str, process: subprocess.Popen[bytes], limit_s: float = 600) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the service stopped (exit {process.returncode})")
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise SystemExit(f"the service did not answer within {limit_s:.0f} s")


def compress(path: Path) -> None:
    """A palette PNG: the board's flat colours and anti-aliased text fit in 256 colours."""
    image = Image.open(path).convert("RGB")
    image.quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(path, optimize=True)


def take(url: str, out: Path, lang: str) -> None:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
        for name, (width, height) in SHOTS.items():
            context = browser.new_context(viewport={"width": width, "height": height},
                                          timezone_id="Europe/Oslo")
            context.add_init_script(f"localStorage.setItem('kt_lang', '{lang}')")
            page = context.new_page()
            page.goto(url + "/")
            page.fill("#login-form input[name=username]", USER)
            page.fill("#login-form input[name=password]", PASSWORD)
            page.click("#login-form button[type=submit]")
            page.wait_for_selector("body[data-ready=true]", timeout=60_000)
            page.wait_for_selector("#suggestions li", timeout=30_000)
            page.wait_for_timeout(3000)  # a few live updates and the suggestions' first refresh
            page.screenshot(path=str(out / name))
            compress(out / name)
            print(f"{out / name}: {(out / name).stat().st_size / 1024:.0f} kB")
            context.close()
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--start", default="10:30", help="hospital time the replay starts at")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    parser.add_argument("--lang", default="nb", choices=("nb", "en"))
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        service = start_service(Path(folder), port, args.start)
        try:
            url = f"http://127.0.0.1:{port}"
            wait_until_up(url, service)
            time.sleep(20)  # the replay posts its morning's events and the rooms are forecast
            take(url, args.out, args.lang)
        finally:
            os.killpg(service.pid, signal.SIGTERM)
            service.wait(30)


if __name__ == "__main__":
    main()
