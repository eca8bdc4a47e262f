"""Live updates to browsers by server-sent events.

Ingest marks rooms dirty (from any thread); a loop sends only the changed rooms every
``flush_interval_s``, with the ids of the events that changed them, so a load of hundreds of events
a second costs one message per interval, and the latency from event to board is measurable.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any


class Hub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._dirty: set[str] = set()
        self._event_ids: list[str] = []
        self._subscribers: set[asyncio.Queue[str]] = set()

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
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=256)
        self._subscribers.add(queue)
        return queue

    def unsubscribe(self, queue: asyncio.Queue[str]) -> None:
        self._subscribers.discard(queue)

    @property
    def subscribers(self) -> int:
        return len(self._subscribers)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        """Send to every subscriber; a browser too slow to keep up is dropped (it reconnects and
        reloads the whole board) rather than slowing everyone down."""
        message = f"event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"
        for queue in list(self._subscribers):
            try:
                queue.put_nowait(message)
            except asyncio.QueueFull:
                self._subscribers.discard(queue)
