"""LISTEN zapfleet_events on one PostgreSQL connection, inside the event loop (its socket is
watched by the loop), handing every event to the hub."""
from __future__ import annotations

import asyncio
import logging
from typing import Any

import psycopg2
import psycopg2.extensions

from zapfleet.live.hub import Hub, parse

log = logging.getLogger("zapfleet.events")
CHANNEL = "zapfleet_events"
IDLE_CHECK_SECONDS = 15.0
"""A silent connection is checked this often (a dead one is noticed and replaced)."""


class Listener:
    """The LISTEN connection; `connected` says whether events can be relied upon now."""

    def __init__(self, dsn: str, hub: Hub, idle_check: float = IDLE_CHECK_SECONDS):
        self.dsn, self.hub, self.idle_check = dsn, hub, idle_check
        self.connected = asyncio.Event()

    async def run(self) -> None:
        """Listen until cancelled, reconnecting with backoff; streams end while it cannot."""
        loop = asyncio.get_running_loop()
        backoff = 0.5
        while True:
            try:
                conn = await loop.run_in_executor(None, self._connect)
            except psycopg2.Error as exc:
                log.warning("cannot LISTEN (%s); again in %.1f s", str(exc).strip(), backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
                continue
            backoff = 0.5
            try:
                await self._relay(loop, conn)
            except psycopg2.Error as exc:
                log.warning("the LISTEN connection was lost: %s", str(exc).strip())
            finally:
                self.connected.clear()
                self.hub.end_all()
                conn.close()

    def _connect(self) -> Any:
        conn = psycopg2.connect(self.dsn)
        conn.set_isolation_level(psycopg2.extensions.ISOLATION_LEVEL_AUTOCOMMIT)
        with conn.cursor() as cur:
            cur.execute(f"LISTEN {CHANNEL}")
        return conn

    async def _relay(self, loop: asyncio.AbstractEventLoop, conn: Any) -> None:
        readable, fd = asyncio.Event(), conn.fileno()
        loop.add_reader(fd, readable.set)
        self.connected.set()
        log.info("listening on %s", CHANNEL)
        try:
            while True:
                try:
                    await asyncio.wait_for(readable.wait(), self.idle_check)
                except TimeoutError:
                    with conn.cursor() as cur:
                        cur.execute("SELECT 1")
                readable.clear()
                conn.poll()
                self._hand_over(conn)
        finally:
            loop.remove_reader(fd)

    def _hand_over(self, conn: Any) -> None:
        notes, conn.notifies[:] = list(conn.notifies), []
        for note in notes:
            event = parse(note.payload)
            if event is not None:
                self.hub.publish(event)
