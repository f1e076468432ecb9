"""Apply the numbered SQL files in sql/ in order, once each, recorded in schema_migrations."""
from __future__ import annotations

from pathlib import Path

import psycopg2
from psycopg2 import sql

from zapfleet.config import project_home

_LOCK_KEY = 7_201_554_310  # advisory lock: one migrator at a time


def _folder(sql_dir: Path | None) -> Path:
    return project_home() / "sql" if sql_dir is None else sql_dir


def migration_files(sql_dir: Path | None = None) -> list[Path]:
    """The migration files in sql_dir (sql/ in the project home by default), in applying order."""
    return sorted(p for p in _folder(sql_dir).glob("[0-9][0-9][0-9][0-9]_*.sql"))


def migrate(dsn: str, sql_dir: Path | None = None) -> list[str]:
    """Apply pending migrations from sql_dir (sql/ in the project home) to the database at dsn;
    return the names applied."""
    sql_dir = _folder(sql_dir)
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
            cur.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations ("
                " name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())"
            )
            cur.execute("SELECT name FROM schema_migrations")
            done = {row[0] for row in cur.fetchall()}
            applied = [p.name for p in migration_files(sql_dir) if p.name not in done]
            for name in applied:
                cur.execute((sql_dir / name).read_text())
                cur.execute("INSERT INTO schema_migrations (name) VALUES (%s)", (name,))
        return applied
    finally:
        conn.close()


def set_runtime_password(dsn: str, password: str) -> None:
    """Give the runtime login roles (zapfleet_platform, zapfleet_tenant) this password, for a
    server that asks for one; run as the owner, after the migrations."""
    conn = psycopg2.connect(dsn)
    try:
        with conn, conn.cursor() as cur:
            for role in ("zapfleet_platform", "zapfleet_tenant"):
                cur.execute(sql.SQL("ALTER ROLE {} PASSWORD %s").format(sql.Identifier(role)),
                            (password,))
    finally:
        conn.close()
