"""The hub's fan-out to browsers, published from threads other than the web server's loop
(request handlers in the thread pool, the listener of other processes' changes)."""

from __future__ import annotations

import asyncio
import threading

from kontrolltarn.service.hub import Hub


def test_a_message_published_from_another_thread_reaches_a_waiting_subscriber() -> None:
    async def scenario() -> str:
        hub = Hub()
        queue = hub.subscribe()
        # the loop sits idle on the browser's queue while another thread publishes: the
        # message is handed over to the loop (a queue touched from a foreign thread would not
        # wake it until some later timer)
        sender = threading.Timer(0.2, hub.publish, args=("rooms", {"event_ids": ["e1"]}))
        sender.start()
        try:
            return await asyncio.wait_for(queue.get(), timeout=10)
        finally:
            sender.join()

    assert asyncio.run(scenario()) == 'event: rooms\ndata: {"event_ids":["e1"]}\n\n'


def test_publishing_before_any_browser_subscribed_is_harmless() -> None:
    Hub().publish("heartbeat", {})
