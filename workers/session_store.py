"""Where a worker keeps its durable session: named files of lines, in its session folder or in
PostgreSQL (ZAPFLEET_SESSION_DATABASE_URL), so that the instance can come back on another node.

A store offers read(name), lines(name) (an appendable file of lines: append, write + sync,
rewrite), replace(name, lines) and remove(name). Every write first checks the worker's fence
and raises FenceLost (an OSError, a failed write to every caller) when its lease is not valid.
"""
from __future__ import annotations

import os
import random
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import quote, urlencode

from workers.fence import Fence, NoFence
from workers.files import SyncedLines, read_lines, replace_file
from workers.log import log

SESSION_DATABASE_ENV = "ZAPFLEET_SESSION_DATABASE_URL"
IDLE_SECONDS = 10.0
"""A database store closes its connection after this long unused (a node runs hundreds)."""
MAX_WAIT = 60.0
"""How long a database store keeps retrying a server that is full ("too many clients")."""
FIRST_BACKOFF, MAX_BACKOFF = 0.2, 5.0
CONNECT_TIMEOUT = 10
BUSY_SERVER = ("too many clients", "too many connections", "remaining connection slots",
               "the database system is starting up", "the database system is shutting down")
"""Connection refusals that pass: waited out with backoff instead of failing."""


class StoreUnavailable(OSError):
    """The session database could not be reached or refused the write (a failed write)."""


class Lines(Protocol):
    """An appendable file of lines (workers.files.SyncedLines' interface)."""

    def append(self, line: str) -> None: ...
    def write(self, line: str) -> int: ...
    def sync(self, ticket: int) -> None: ...
    def rewrite(self, current_lines: Callable[[], list[str]]) -> None: ...


class SessionStore(Protocol):
    """Named files of lines, written only while the fence is valid."""

    fence: Fence

    def read(self, name: str) -> list[str]: ...
    def lines(self, name: str) -> Lines: ...
    def replace(self, name: str, lines: list[str]) -> None: ...
    def remove(self, name: str) -> None: ...


class FolderStore:
    """The session folder: one file per name (workers.files: fsync'd appends, atomic replaces)."""

    def __init__(self, folder: str, fence: Fence | None = None):
        self.folder, self.fence = folder, fence or NoFence()

    def path(self, name: str) -> str:
        """The file of a name."""
        return os.path.join(self.folder, name)

    def read(self, name: str) -> list[str]:
        """The lines of a file (none when it does not exist)."""
        return read_lines(self.path(name))

    def lines(self, name: str) -> Lines:
        """The file as appendable lines."""
        return SyncedLines(self.path(name), before_write=self.fence.check)

    def replace(self, name: str, lines: list[str]) -> None:
        """Replace the file with these lines (atomic)."""
        self.fence.check()
        replace_file(self.path(name), "".join(line + "\n" for line in lines))

    def remove(self, name: str) -> None:
        """Delete the file (nothing when it does not exist)."""
        self.fence.check()
        try:
            os.remove(self.path(name))
        except FileNotFoundError:
            pass


def as_store(where: str | SessionStore) -> SessionStore:
    """A store: the one given, or the folder store of a session folder."""
    return FolderStore(where) if isinstance(where, str) else where


class DatabaseLines:
    """A named file of the database store as appendable lines; each append is committed before
    it returns (sync has nothing left to do)."""

    def __init__(self, store: DatabaseStore, name: str):
        self.store, self.name = store, name
        self._lock = threading.Lock()
        self._written = 0

    def append(self, line: str) -> None:
        """Append one line (committed)."""
        self.write(line)

    def write(self, line: str) -> int:
        """Append one line (committed); the ticket."""
        with self._lock:
            self.store.append(self.name, line)
            self._written += 1
            return self._written

    def sync(self, ticket: int) -> None:
        """Nothing: every line was committed by write()."""

    def rewrite(self, current_lines: Callable[[], list[str]]) -> None:
        """Replace the lines with current_lines(), called between appends."""
        with self._lock:
            self.store.replace(self.name, current_lines())


def _busy(exc: Exception) -> bool:
    """Whether a refused connection is worth waiting out (the server is full or restarting)."""
    text = str(exc).lower()
    return getattr(exc, "pgcode", None) in ("53300", "57P03") or any(m in text for m in BUSY_SERVER)


class DatabaseStore:
    """The instance's rows of worker_files (instance_id, name, seq, line) in PostgreSQL.

    One psycopg2 connection, opened on first use, shared by the worker's threads (one at a
    time), closed after IDLE_SECONDS unused and opened again when needed; a full server ("too
    many clients") is retried with jittered backoff for up to MAX_WAIT seconds; a connection
    found broken is replaced and the statement retried when it cannot have been committed.
    """

    def __init__(self, dsn: str, instance_id: str, fence: Fence | None = None,
                 idle_seconds: float = IDLE_SECONDS, max_wait: float = MAX_WAIT,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep,
                 connect: Callable[..., Any] | None = None):
        self.dsn, self.instance_id, self.fence = dsn, instance_id, fence or NoFence()
        self.idle_seconds, self.max_wait = idle_seconds, max_wait
        self.clock, self.sleep = clock, sleep
        self._connect = connect
        self._lock = threading.RLock()
        self._conn: Any = None
        self._last_used = 0.0
        self._closer: threading.Thread | None = None
        self.connections_opened = 0

    # -- the store interface -----------------------------------------------------------------

    def read(self, name: str) -> list[str]:
        """The lines of a name, in the order they were written."""
        rows = self._run(lambda cur: _select(cur, self.instance_id, name), write=False)
        return [row[0] for row in rows]

    def lines(self, name: str) -> Lines:
        """The name as appendable lines."""
        return DatabaseLines(self, name)

    def append(self, name: str, line: str) -> None:
        """Append one line to a name (committed)."""
        self._run(lambda cur: _insert(cur, self.instance_id, name, [line]))

    def replace(self, name: str, lines: list[str]) -> None:
        """Replace a name's lines with these, in one transaction."""
        def replace_rows(cur: Any) -> None:
            _delete(cur, self.instance_id, name)
            _insert(cur, self.instance_id, name, lines)
        self._run(replace_rows)

    def remove(self, name: str) -> None:
        """Delete a name's lines."""
        self._run(lambda cur: _delete(cur, self.instance_id, name))

    # -- neonize's whatsmeow store --------------------------------------------------------------

    @property
    def whatsmeow_schema(self) -> str:
        """The schema of this instance's whatsmeow store: wa_<instance uuid hex>."""
        return "wa_" + self.instance_id.replace("-", "").lower()

    def whatsmeow_url(self) -> str:
        """Create the instance's whatsmeow schema (when missing) and return the postgres:// URL
        neonize opens it by (search_path set to that schema)."""
        self._run(lambda cur: _create_whatsmeow_schema(cur, self.whatsmeow_schema))
        return whatsmeow_url(self.dsn, self.whatsmeow_schema)

    def reset_whatsmeow(self) -> None:
        """Drop the instance's whatsmeow store (a logout) and create it empty again."""
        def reset(cur: Any) -> None:
            cur.execute(f'DROP SCHEMA IF EXISTS "{self.whatsmeow_schema}" CASCADE')
            _create_whatsmeow_schema(cur, self.whatsmeow_schema)
        self._run(reset)

    # -- the connection ------------------------------------------------------------------------

    def close(self) -> None:
        """Close the connection (the next use opens another)."""
        with self._lock:
            conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - closing a broken connection
                pass

    def close_if_idle(self) -> bool:
        """Close the connection when unused for idle_seconds; True when it is closed now."""
        with self._lock:
            if self._conn is not None and self.clock() - self._last_used >= self.idle_seconds:
                self.close()
            return self._conn is None

    def _run(self, statements: Callable[[Any], Any], write: bool = True) -> Any:
        """Run statements in one transaction (checking the fence first and before the commit
        of a write); a broken connection is replaced and the transaction tried once more."""
        import psycopg2
        if write:
            self.fence.check()
        with self._lock:
            for attempt in (1, 2):
                conn = self._connection()
                try:
                    with conn.cursor() as cur:
                        statements(cur)
                        rows = cur.fetchall() if cur.description else None
                except psycopg2.Error as exc:
                    self._rollback_or_drop(conn)
                    if attempt == 2 or not _broken(conn, exc):
                        raise StoreUnavailable(f"the session database failed: {_brief(exc)}") from None
                    log("session store: the database connection broke; connecting again")
                    continue
                self._commit(conn, write)
                return rows
        raise AssertionError("unreachable")

    def _commit(self, conn: Any, write: bool) -> None:
        """Commit (a write only while the fence is still valid); a failed commit of a write
        may or may not have landed: a failed write all the same, never retried."""
        import psycopg2
        try:
            if write and not self.fence.valid():
                conn.rollback()
                self.fence.check()
            conn.commit()
        except psycopg2.Error as exc:
            self._rollback_or_drop(conn)
            raise StoreUnavailable(f"the session database failed: {_brief(exc)}") from None
        finally:
            self._last_used = self.clock()

    def _rollback_or_drop(self, conn: Any) -> None:
        """Roll back after an error; a connection that cannot is dropped."""
        try:
            conn.rollback()
        except Exception:  # noqa: BLE001 - the connection is gone
            self.close()
        else:
            if conn.closed:
                self.close()

    def _connection(self) -> Any:
        """The open connection, or a new one (waiting out a full server)."""
        if self._conn is not None and not self._conn.closed:
            return self._conn
        self._conn = self._open()
        self.connections_opened += 1
        self._last_used = self.clock()
        self._start_closer()
        return self._conn

    def _open(self) -> Any:
        """Connect; a busy server is retried with jittered exponential backoff up to max_wait."""
        import psycopg2
        connect = self._connect or psycopg2.connect
        deadline, backoff = self.clock() + self.max_wait, FIRST_BACKOFF
        while True:
            try:
                return connect(self.dsn, connect_timeout=CONNECT_TIMEOUT,
                               application_name="zapfleet-worker")
            except psycopg2.Error as exc:
                pause = backoff * random.uniform(0.5, 1.0)
                if not _busy(exc) or self.clock() + pause > deadline:
                    raise StoreUnavailable(f"cannot connect to the session database: {_brief(exc)}") from None
                self.sleep(pause)
                backoff = min(backoff * 2, MAX_BACKOFF)

    def _start_closer(self) -> None:
        """Start the thread that closes the connection once it has been idle long enough."""
        if self._closer is not None and self._closer.is_alive():
            return
        self._closer = threading.Thread(target=self._close_when_idle, name="session-store-idle",
                                        daemon=True)
        self._closer.start()

    def _close_when_idle(self) -> None:
        interval = max(0.05, min(self.idle_seconds / 4, 5.0))
        while True:
            time.sleep(interval)
            if self.close_if_idle():
                return


def _select(cur: Any, instance_id: str, name: str) -> None:
    cur.execute("SELECT line FROM worker_files WHERE instance_id = %s AND name = %s ORDER BY seq",
                (instance_id, name))


def _insert(cur: Any, instance_id: str, name: str, lines: list[str]) -> None:
    if lines:
        from psycopg2.extras import execute_values
        execute_values(cur, "INSERT INTO worker_files (instance_id, name, line) VALUES %s",
                       [(instance_id, name, line) for line in lines])


def _delete(cur: Any, instance_id: str, name: str) -> None:
    cur.execute("DELETE FROM worker_files WHERE instance_id = %s AND name = %s", (instance_id, name))


def _create_whatsmeow_schema(cur: Any, schema: str) -> None:
    """The schema and an empty whatsmeow_version table in it: whatsmeow's upgrade asks
    information_schema whether its version table exists without naming the schema, so once
    another instance's schema has one it would skip creating this schema's."""
    cur.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
    cur.execute(f'CREATE TABLE IF NOT EXISTS "{schema}".whatsmeow_version (version integer, compat integer)')


def whatsmeow_url(dsn: str, schema: str) -> str:
    """A postgres:// URL for neonize (lib/pq) with the DSN's server, role and database, whose
    connections use only this schema (search_path)."""
    from psycopg2.extensions import parse_dsn
    params = parse_dsn(dsn)
    user, password = params.get("user", ""), params.get("password", "")
    credentials = quote(user, safe="") + (":" + quote(password, safe="") if password else "")
    host = params.get("host") or params.get("hostaddr") or "localhost"
    query = {"sslmode": params.get("sslmode", "prefer"), "search_path": schema}
    if host.startswith("/"):  # a unix socket folder
        query["host"], host = host, "localhost"
    netloc = f"{credentials}@{host}" if credentials else host
    if params.get("port"):
        netloc += f":{params['port']}"
    return f"postgres://{netloc}/{quote(params.get('dbname', user), safe='')}?{urlencode(query)}"


def _broken(conn: Any, exc: Exception) -> bool:
    """Whether the error means the connection is gone (not a statement the server refused)."""
    import psycopg2
    code = getattr(exc, "pgcode", None)
    return bool(conn.closed) or isinstance(exc, (psycopg2.OperationalError, psycopg2.InterfaceError)) \
        and (code is None or code.startswith(("08", "57P")))


def _brief(exc: Exception) -> str:
    """The first line of a database error (never the DSN)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


def session_store(folder: str, instance_id: str, fence: Fence,
                  environ: dict[str, str] | None = None) -> SessionStore:
    """The worker's store: in PostgreSQL when ZAPFLEET_SESSION_DATABASE_URL is set, else the
    session folder."""
    url = ((environ if environ is not None else os.environ).get(SESSION_DATABASE_ENV) or "").strip()
    if not url:
        return FolderStore(folder, fence)
    store = DatabaseStore(url, instance_id, fence)
    adopt_folder(store, folder)
    return store


FOLDER_FILES = ("sent.jsonl", "events.jsonl", "sandbox.json", "phone.jsonl")
"""The session files a worker kept in its folder before it kept them in the database."""


def adopt_folder(store: DatabaseStore, folder: str) -> list[str]:
    """Move the session files an instance kept in its folder (before its node kept sessions in
    the database) into the store, once: each file is renamed *.moved after it is copied, and a
    name the database already holds is left alone. The names moved."""
    moved = []
    for name in FOLDER_FILES:
        path = os.path.join(folder, name)
        if not os.path.exists(path):
            continue
        if not store.read(name):
            store.replace(name, read_lines(path))
            moved.append(name)
        os.replace(path, path + ".moved")
    if moved:
        log(f"moved {', '.join(moved)} from the session folder into the database")
    return moved
