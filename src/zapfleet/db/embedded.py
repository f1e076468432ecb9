"""The embedded PostgreSQL (pgserver) used when DATABASE_URL is not set."""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path


def _prepare_runtime_dir(var_dir: Path) -> None:
    # pgserver keeps an inter-process lock under XDG_RUNTIME_DIR; give it a private one.
    if not os.environ.get("XDG_RUNTIME_DIR"):
        runtime = var_dir / "run"
        runtime.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.environ["XDG_RUNTIME_DIR"] = str(runtime)


def _forget_stale_handles(pgdata: Path) -> None:
    # After a crash pgserver's handle list keeps dead pids; we manage the lifetime ourselves.
    handles = pgdata / ".handle_pids.json"
    if handles.exists():
        handles.write_text(json.dumps([]))


def start_embedded(var_dir: Path) -> str:
    """Start (or reuse) the embedded server whose data lives in var_dir/pgdata; return its URL."""
    var_dir.mkdir(parents=True, exist_ok=True)
    _prepare_runtime_dir(var_dir)
    import pgserver  # imported late: it needs the runtime dir above

    pgdata = var_dir / "pgdata"
    if pgdata.exists():
        _forget_stale_handles(pgdata)
    server = pgserver.get_server(pgdata, cleanup_mode=None)
    return server.get_uri()


def stop_embedded(var_dir: Path) -> bool:
    """Stop the embedded server if it runs; return True when one was stopped."""
    pgdata = var_dir / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    _prepare_runtime_dir(var_dir)
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import time

    user = "pgserver" if os.geteuid() == 0 else None
    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=user, timeout=60)
    except subprocess.CalledProcessError:
        return False  # not running: a stale postmaster.pid
    return True
