"""Live updates to browsers by server-sent events.

Ingest marks rooms dirty (from any thread); a loop sends only the changed rooms every
``flush_interval_s``, with the ids of the events that changed them, so a load of hundreds of events
a second costs one message per interval, and the latency from event to board is measurable.
Changes made by another service process on the same database reach this hub the same way: the
runtime applies what the store's notices point to and marks the rooms here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
from typing import Any

#: what a subscriber's queue receives when the server stops: its stream ends
CLOSE = ""


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._event_ids: list[str] = []
        self._subscribers: set[asyncio.Queue[str]] = set()
        #: the event loop the subscribers' queues belong to (the web server's)
        self._loop: asyncio.AbstractEventLoop | None = None
        #: set when the server stops: every live stream ends (a wall display never closes its
        #: own, and the server waits for open responses before it stops)
        self.closed = False

    def mark(self, rooms: set[str], event_ids: list[str]) -> None:
        with self._lock:
            self._dirty |= rooms
            self._event_ids.extend(event_ids)

    def take(self) -> tuple[set[str], list[str]]:
        with self._lock:
            dirty, ids = self._dirty, self._event_ids
            self._dirty, self._event_ids = set(), []
        return dirty, ids

    def subscribe(self) -> asyncio.Queue[str]:
        """A queue for one browser; call from the web server's event loop."""
        self._loop = asyncio.get_running_loop()
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=256)
        self._subscribers.add(queue)
        return queue

    def close(self) -> None:
        """End every live stream now and any opened later (the server is stopping): each
        subscriber gets ``CLOSE`` at once, from any thread."""
        self.closed = True
        loop = self._loop
        if loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(CLOSE, drop_slow=False)
            return
        with contextlib.suppress(RuntimeError):  # the loop has stopped: no stream is left
            loop.call_soon_threadsafe(self._deliver, CLOSE, False)

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        """Send to every subscriber, from any thread (request handlers, the listener of other
        processes' changes): queues are only touched on their event loop."""
        loop = self._loop
        if loop is None:
            return  # nobody ever subscribed
        message = f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            self._deliver(message)
            return
        with contextlib.suppress(RuntimeError):  # the server has stopped
            loop.call_soon_threadsafe(self._deliver, message)

    def _deliver(self, message: str, drop_slow: bool = True) -> None:
        """A browser too slow to keep up is dropped (it reconnects and reloads the whole board)
        rather than slowing everyone down. ``CLOSE`` reaches even a full queue (its oldest
        message makes way)."""
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                if drop_slow:
                    self._subscribers.discard(queue)
                    continue
                queue.get_nowait()
                queue.put_nowait(message)
