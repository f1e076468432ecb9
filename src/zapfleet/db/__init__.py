"""The database layer: a psycopg2 connection pool with system and per-tenant transactions."""
from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from uuid import UUID

import psycopg2
import psycopg2.extras
import psycopg2.pool

from zapfleet.core.errors import Unavailable

APP_ROLE = "zapfleet_app"
PLATFORM_ROLE = "zapfleet_platform"
TENANT_ROLE = "zapfleet_tenant"
UNREACHABLE = "the database cannot be reached right now"
log = logging.getLogger("zapfleet.db")

psycopg2.extras.register_uuid()


class Connection(psycopg2.extensions.connection):
    """A pooled connection in autocommit mode (the pool runs BEGIN and COMMIT itself, so that a
    transaction's set-up shares a round trip with its BEGIN) that remembers what it prepared."""

    prepares = True
    """False behind a pooler in transaction mode, where a session's prepared statements are lost."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.autocommit = True
        self.prepared: set[str] = set()
        self.used = False
        """True once a transaction began on it: it may have been dropped while idle."""


class UnpreparedConnection(Connection):
    """A Connection that sends every statement in full (see DB_PREPARED_STATEMENTS)."""

    prepares = False


class Pool:
    """A bounded psycopg2 pool that opens connections lazily and keeps them once open."""

    def __init__(self, dsn: str, max_connections: int, prepare: bool):
        self._pool = psycopg2.pool.ThreadedConnectionPool(
            0, max_connections, dsn, connection_factory=Connection if prepare else UnpreparedConnection,
            cursor_factory=psycopg2.extras.RealDictCursor)
        # minconn 0 above: no side effect at start-up; then max, because psycopg2 closes a
        # returned connection whenever minconn are already idle.
        self._pool.minconn = max_connections
        self._slots = threading.BoundedSemaphore(max_connections)

    def checkout(self) -> Connection:
        """A connection of the pool (Unavailable when none frees up or the server is away)."""
        if not self._slots.acquire(timeout=30):
            raise Unavailable("database: no free connection")
        try:
            return self._pool.getconn()
        except psycopg2.OperationalError as exc:
            self._slots.release()
            raise unreachable(exc) from exc

    def checkin(self, conn: Connection, broken: bool) -> None:
        """Give a connection back (closing it when broken)."""
        try:
            self._pool.putconn(conn, close=broken)
        finally:
            self._slots.release()

    def close(self) -> None:
        """Close every pooled connection."""
        self._pool.closeall()


class Database:
    """Every unit of work is one transaction: platform work on the platform role's pool, tenant
    work on the tenant role's (one pool for both when no tenant_dsn is given)."""

    def __init__(self, dsn: str, max_connections: int = 10, prepare: bool = True,
                 tenant_dsn: str | None = None):
        self.dsn = dsn
        self._platform = Pool(dsn, max_connections, prepare)
        self._tenant = Pool(tenant_dsn, max_connections, prepare) if tenant_dsn else self._platform

    @contextmanager
    def system(self) -> Iterator[Connection]:
        """A transaction as the platform role: platform-level work only."""
        with self._transaction(self._platform, "BEGIN") as conn:
            yield conn

    @contextmanager
    def tenant(self, account_id: UUID | str) -> Iterator[Connection]:
        """A transaction under the RLS-bound application role, scoped to one account."""
        begin = f"BEGIN; SET LOCAL ROLE {APP_ROLE}; SELECT set_config('app.account_id', %s, true)"
        with self._transaction(self._tenant, begin, (str(account_id),)) as conn:
            yield conn

    @contextmanager
    def unscoped(self) -> Iterator[Connection]:
        """A transaction under the application role with no account set: sees no tenant rows."""
        with self._transaction(self._tenant, f"BEGIN; SET LOCAL ROLE {APP_ROLE}") as conn:
            yield conn

    @contextmanager
    def _transaction(self, pool: Pool, begin: str, params: tuple | None = None) -> Iterator[Connection]:
        """begin (BEGIN and the transaction's settings, one round trip), the block, COMMIT; a
        failed block is rolled back (and forgets what the connection prepared: a PREPARE run
        inside the failed transaction may or may not have happened). A lost connection is
        Unavailable (503), never a 500."""
        conn = self._begin(pool, begin, params)
        broken = False
        try:
            try:
                yield conn
            except BaseException:
                if not conn.closed:
                    _run(conn, "ROLLBACK; DEALLOCATE ALL")
                    conn.prepared.clear()
                raise
            _run(conn, "COMMIT")
        except psycopg2.Error as exc:
            if not _connection_lost(exc, conn):
                raise
            broken = True
            raise unreachable(exc) from exc
        finally:
            pool.checkin(conn, broken or conn.closed != 0)

    @staticmethod
    def _begin(pool: Pool, begin: str, params: tuple | None) -> Connection:
        """A connection with its transaction begun. An idle pooled connection the server dropped
        (a database restart) fails at BEGIN, before anything ran: it is replaced, not answered."""
        while True:
            conn = pool.checkout()
            try:
                _run(conn, begin, params)
            except psycopg2.Error as exc:
                pool.checkin(conn, True)
                if not _connection_lost(exc, conn):
                    raise
                if not conn.used:
                    raise unreachable(exc) from exc
                continue
            conn.used = True
            return conn

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
        self._platform.close()
        if self._tenant is not self._platform:
            self._tenant.close()


def runtime_dsns(owner_dsn: str, password: str | None = None) -> tuple[str, str]:
    """The (platform, tenant) DSNs: the owner's server and database, as the runtime login roles
    (sql/0012_runtime_roles.sql) with their password (none: the server trusts them)."""
    return (psycopg2.extensions.make_dsn(owner_dsn, user=PLATFORM_ROLE, password=password or ""),
            psycopg2.extensions.make_dsn(owner_dsn, user=TENANT_ROLE, password=password or ""))


def unreachable(exc: psycopg2.Error) -> Unavailable:
    """The error callers see when the database fails them: the detail (host, socket path) is
    logged for the operator, never answered."""
    log.warning("database unavailable: %s", str(exc).strip())
    return Unavailable(UNREACHABLE)


def _connection_lost(exc: psycopg2.Error, conn: Connection) -> bool:
    """Whether the error means the server or the connection is gone: libpq's own errors (no
    SQLSTATE: an OperationalError, an InterfaceError or a bare DatabaseError), connection
    exceptions (08), the server shutting down or starting (57P) and running out of resources
    (53). A statement the server refused (a limit, a constraint) is not an outage."""
    if conn.closed:
        return True
    if exc.pgcode is None:
        return type(exc) is psycopg2.DatabaseError or isinstance(
            exc, (psycopg2.OperationalError, psycopg2.InterfaceError))
    return exc.pgcode.startswith(("08", "57P", "53"))


def _run(conn: Connection, statement: str, params: tuple | None = None) -> None:
    with conn.cursor() as cur:
        cur.execute(statement, params)


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
