"""The control tower service: FastAPI (REST + server-sent events), login and roles, audit, and
the live board as static files served by the app (vendored, no CDN)."""

from .app import create_app
from .runtime import Runtime
from .server import Server
from .settings import InsecureSettings, Settings

__all__ = ["InsecureSettings", "Runtime", "Server", "Settings", "create_app"]
