"""The database layer: a psycopg2 connection pool with system and per-tenant transactions."""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterator
from uuid import UUID

import psycopg2
import psycopg2.extras
import psycopg2.pool

from zapfleet.errors import Unavailable

APP_ROLE = "zapfleet_app"

psycopg2.extras.register_uuid()


class Database:
    """A bounded pool of connections; every unit of work is one transaction."""

    def __init__(self, dsn: str, max_connections: int = 10):
        self.dsn = dsn
        self._pool = psycopg2.pool.ThreadedConnectionPool(
            0, max_connections, dsn, cursor_factory=psycopg2.extras.RealDictCursor
        )
        # Open connections lazily (minconn 0 above: no side effect at start-up), but keep them
        # once open: psycopg2 closes a returned connection whenever minconn are already idle.
        self._pool.minconn = max_connections
        self._slots = threading.BoundedSemaphore(max_connections)

    @contextmanager
    def system(self) -> Iterator[psycopg2.extensions.connection]:
        """A transaction as the connecting (owner) role: platform-level work only."""
        with self._transaction() as conn:
            yield conn

    @contextmanager
    def tenant(self, account_id: UUID | str) -> Iterator[psycopg2.extensions.connection]:
        """A transaction under the RLS-bound application role, scoped to one account."""
        with self._transaction() as conn:
            with conn.cursor() as cur:  # one round trip for both
                cur.execute(f"SET LOCAL ROLE {APP_ROLE}; SELECT set_config('app.account_id', %s, true)",
                            (str(account_id),))
            yield conn

    @contextmanager
    def unscoped(self) -> Iterator[psycopg2.extensions.connection]:
        """A transaction under the application role with no account set: sees no tenant rows."""
        with self._transaction() as conn:
            with conn.cursor() as cur:
                cur.execute(f"SET LOCAL ROLE {APP_ROLE}")
            yield conn

    @contextmanager
    def _transaction(self) -> Iterator[psycopg2.extensions.connection]:
        conn = self._checkout()
        broken = False
        try:
            with conn:
                yield conn
        except (psycopg2.OperationalError, psycopg2.InterfaceError) as exc:
            broken = True
            raise Unavailable(f"database: {str(exc).strip()}") from exc
        finally:
            self._checkin(conn, broken or conn.closed != 0)

    def _checkout(self) -> psycopg2.extensions.connection:
        if not self._slots.acquire(timeout=30):
            raise Unavailable("database: no free connection")
        try:
            return self._pool.getconn()
        except psycopg2.OperationalError as exc:
            self._slots.release()
            raise Unavailable(f"database: {str(exc).strip()}") from exc

    def _checkin(self, conn: psycopg2.extensions.connection, broken: bool) -> None:
        try:
            self._pool.putconn(conn, close=broken)
        finally:
            self._slots.release()

    def ping(self) -> bool:
        """True when the database answers a trivial query."""
        try:
            with self.system() as conn, conn.cursor() as cur:
                cur.execute("SELECT 1 AS ok")
                return cur.fetchone()["ok"] == 1
        except (Unavailable, psycopg2.Error):
            return False

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.closeall()


@contextmanager
def savepoint(conn: psycopg2.extensions.connection, name: str = "step") -> Iterator[None]:
    """A savepoint around the block: an exception undoes the block only, then propagates."""
    with conn.cursor() as cur:
        cur.execute(f"SAVEPOINT {name}")
    try:
        yield
    except Exception:
        with conn.cursor() as cur:
            cur.execute(f"ROLLBACK TO SAVEPOINT {name}")
        raise
    with conn.cursor() as cur:
        cur.execute(f"RELEASE SAVEPOINT {name}")
