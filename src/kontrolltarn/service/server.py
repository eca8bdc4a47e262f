"""The web server that runs the app for `kontrolltarn serve` and `demo --serve`.

uvicorn stops by waiting for every open response to finish before the app's shutdown runs; a
wall display never ends its live stream, so Ctrl-C or SIGTERM would wait for ever (issue 19
finding 9). ``Server`` first closes the board's streams (``Hub.close``), and gives any other
request at most ``GRACE_S`` to finish before it is cancelled.
"""

from __future__ import annotations

import socket
from typing import Any

import uvicorn
from fastapi import FastAPI

from .runtime import Runtime

#: seconds a request still running at shutdown may take before it is cancelled (events
#: already answered are stored: an ingest commits before it answers)
GRACE_S = 1


class Server(uvicorn.Server):
    """uvicorn's server for ``app``, which ends the live streams of ``runtime`` as it stops."""

    def __init__(self, app: FastAPI, runtime: Runtime, **config: Any) -> None:
        super().__init__(uvicorn.Config(app, timeout_graceful_shutdown=GRACE_S, **config))
        self.runtime = runtime

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.runtime.hub.close()
        await super().shutdown(sockets)
