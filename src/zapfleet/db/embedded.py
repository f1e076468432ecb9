"""The embedded PostgreSQL (pgserver) used when DATABASE_URL is not set: pgserver creates and
first starts it; then supervisord runs it as the program `postgres`, restarting it if it dies."""
from __future__ import annotations

import importlib.util
import json
import os
import shlex
import subprocess
from pathlib import Path

PROGRAM_NAME = "postgres"


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


def program_file(var_dir: Path) -> Path:
    """The supervisord program file of the embedded server (included by supervisord.conf)."""
    return var_dir / "supervisor" / "services" / f"{PROGRAM_NAME}.conf"


def server_binary(name: str) -> Path:
    """One of the PostgreSQL programs pgserver ships (found without importing pgserver, whose
    import has side effects)."""
    spec = importlib.util.find_spec("pgserver")
    assert spec is not None and spec.submodule_search_locations, "pgserver is not installed"
    return Path(list(spec.submodule_search_locations)[0]) / "pginstall" / "bin" / name


def system_user() -> str | None:
    """The system user the server runs as: pgserver's own when we are root (PostgreSQL
    refuses to run as root), else ours."""
    return "pgserver" if os.geteuid() == 0 else None


def _socket_dir(pgdata: Path) -> str:
    """The socket folder the running server uses (line 5 of postmaster.pid)."""
    return (pgdata / "postmaster.pid").read_text().splitlines()[4].strip()


def render_program(var_dir: Path, socket_dir: str) -> str:
    """The [program:postgres] section: the server in the foreground on the same socket (so the
    URL does not change), started before the other programs, stopped last with a fast shutdown."""
    pgdata = (var_dir / "pgdata").resolve()
    command = shlex.join([str(server_binary("postgres")), "-D", str(pgdata),
                          "-h", "", "-k", socket_dir])
    user = system_user()
    return "\n".join([
        f"[program:{PROGRAM_NAME}]", f"command = {command.replace('%', '%%')}",
        *([f"user = {user}"] if user else []),
        "priority = 10", "autostart = true", "autorestart = true", "startsecs = 1",
        "startretries = 1000", "stopsignal = INT", "stopwaitsecs = 60",
        "redirect_stderr = true",
        f"stdout_logfile = {str((var_dir / 'log' / 'postgres.log').resolve()).replace('%', '%%')}",
        "stdout_logfile_maxbytes = 10MB", "stdout_logfile_backups = 5", ""])


def hand_over_to_supervisord(var_dir: Path) -> Path:
    """Stop the server pgserver started and write the program file under which supervisord
    runs (and restarts) it from now on; return that file."""
    program = render_program(var_dir, _socket_dir(var_dir / "pgdata"))
    stop_embedded(var_dir)
    path = program_file(var_dir)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    path.write_text(program)
    return path


def stop_embedded(var_dir: Path) -> bool:
    """Stop the embedded server if it runs; return True when one was stopped."""
    pgdata = var_dir / "pgdata"
    if not (pgdata / "postmaster.pid").exists():
        return False
    _prepare_runtime_dir(var_dir)
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # made at import time

    try:
        pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=system_user(), timeout=60)
    except subprocess.CalledProcessError:
        return False  # not running: a stale postmaster.pid
    return True
