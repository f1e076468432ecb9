"""The command line: `python -m zapfleet up | node | down | migrate | create-admin`."""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from dotenv import load_dotenv

from zapfleet.assembly import build_managers
from zapfleet.config import Config, ensure_env_file, project_home
from zapfleet.core.errors import ZapfleetError
from zapfleet.db import Database
from zapfleet.db.embedded import hand_over_to_supervisord, program_file, start_embedded, stop_embedded
from zapfleet.db.migrate import migrate, set_runtime_password
from zapfleet.fleet.engines import session_database_url
from zapfleet.fleet.node_agent import NodeAgent
from zapfleet.fleet.supervisor import Supervisor
from zapfleet.messaging.dispatcher import Dispatcher
from zapfleet.tenancy.identity import Identity

DEFAULT_ADMIN_EMAIL = "admin@zapfleet.local"


def env_file_path() -> Path:
    """The .env file the service reads: ZAPFLEET_ENV_FILE, or .env in the project home."""
    return Path(os.environ.get("ZAPFLEET_ENV_FILE") or project_home() / ".env")


def load_environment(generate: bool) -> Config:
    """Load .env into os.environ (never overriding it), generating missing secrets first."""
    path = env_file_path()
    if generate and (path.is_file() or not path.exists()):
        added = ensure_env_file(path)
        if added:
            print(f"zapfleet: generated {', '.join(added)} into {path} (mode 0600)")
    load_dotenv(path, override=False)
    return Config.from_env()


def database_url(config: Config) -> tuple[str, bool]:
    """DATABASE_URL, or the embedded server's URL; the flag says whether it is embedded."""
    if config.database_url:
        return config.database_url, False
    return start_embedded(config.var_dir), True


def ensure_admin(url: str) -> None:
    """Create the platform admin on first run, printing a generated password once."""
    db = Database(url, max_connections=1)
    try:
        email = os.environ.get("ZAPFLEET_ADMIN_EMAIL") or DEFAULT_ADMIN_EMAIL
        generated = Identity(db).ensure_platform_admin(
            email, os.environ.get("ZAPFLEET_ADMIN_PASSWORD") or None)
    finally:
        db.close()
    if generated:
        print(f"zapfleet: platform admin {email} created with password: {generated}")
        print("zapfleet: this password is shown only once; change it after signing in.")


def supervisor_dirs(var_dir: Path) -> None:
    """Create the folders supervisord and the workers write to."""
    for sub in ("log/workers", "supervisor/workers", "supervisor/services", "sessions"):
        (var_dir / sub).mkdir(parents=True, exist_ok=True, mode=0o700)


def supervisor_env(config: Config, url: str, control_plane: bool = True) -> dict[str, str]:
    """The environment supervisord and its programs inherit (control_plane: whether the web
    app and the dispatcher run here, or only the node agent and the workers)."""
    env = dict(os.environ)
    env.update(DATABASE_URL=url, ZAPFLEET_HOME=str(config.home),
               ZAPFLEET_CONTROL_PLANE=str(control_plane).lower(),
               ZAPFLEET_VAR_DIR=str(config.var_dir.resolve()),
               ZAPFLEET_PYTHON=sys.executable, ZAPFLEET_BIND=config.bind,
               SUPERVISOR_USER=config.supervisor_user,
               SUPERVISOR_PASSWORD=config.supervisor_password)
    return env


LOG_UMASK = 0o027


def run_supervisord(config: Config, env: dict[str, str]) -> int:
    """Run supervisord in the foreground from the project home, forwarding SIGINT/SIGTERM;
    return its exit code. Its files and its programs' logs are made 0640 at most
    (supervisord in the foreground does not apply its own umask setting)."""
    command = [sys.executable, "-m", "supervisor.supervisord", "-n", "-c",
               str(config.supervisord_conf)]
    child = subprocess.Popen(command, env=env, cwd=config.home, umask=LOG_UMASK)
    forward = lambda signum, _frame: child.send_signal(signum)  # noqa: E731
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    return child.wait()


def cmd_up(_args: argparse.Namespace) -> int:
    """Start everything: database, migrations, admin, supervisord with the web app (and the
    embedded database, when it is the one used)."""
    config = load_environment(generate=True)
    url, embedded = database_url(config)
    try:
        applied = migrate(url, config.sql_dir)
        if applied:
            print(f"zapfleet: applied migrations {', '.join(applied)}")
        if config.database_runtime_password:
            set_runtime_password(url, config.database_runtime_password)
        ensure_admin(url)
        supervisor_dirs(config.var_dir)
        if embedded:
            hand_over_to_supervisord(config.var_dir)
        else:
            program_file(config.var_dir).unlink(missing_ok=True)
        print(f"zapfleet: serving on http://{config.bind}")
        sys.stdout.flush()
        return run_supervisord(config, supervisor_env(config, url))
    finally:
        if embedded:
            stop_embedded(config.var_dir)


def cmd_node(_args: argparse.Namespace) -> int:
    """Run this machine as a worker node of the fleet: its supervisord with the node agent and
    the workers placed on it (the control machine runs `up`)."""
    config = load_environment(generate=False)
    missing = [name for name, value in (("DATABASE_URL", config.database_url),
                                        ("SECRET_KEY", config.secret_key),
                                        ("PUBLIC_URL", config.public_url)) if not value]
    if missing:
        print(f"zapfleet: a node needs {', '.join(missing)} (the control machine's values)",
              file=sys.stderr)
        return 2
    if not config.supervisor_password:
        config = config.with_overrides(supervisor_password=secrets.token_urlsafe(24))
    supervisor_dirs(config.var_dir)
    print(f"zapfleet: node {config.node_name} runs workers on {config.worker_address} from port "
          f"{config.worker_port_base}")
    sys.stdout.flush()
    return run_supervisord(config, supervisor_env(config, config.database_url or "", False))


def cmd_node_agent(_args: argparse.Namespace) -> int:
    """Run this node's agent until SIGTERM (supervisord runs it)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = load_environment(generate=False)
    managers = build_managers(config)
    agent = NodeAgent(managers.instances, listen_dsn=session_database_url(config))
    run_until_signalled(agent.run_forever)
    managers.db.close()
    return 0


def cmd_down(_args: argparse.Namespace) -> int:
    """Stop a running `up`: supervisord and its programs, then the embedded database."""
    config = load_environment(generate=False)
    pid = _read_pid(config.var_dir / "supervisor" / "supervisord.pid")
    if pid:
        _stop_programs(config)
    if pid and _signal_and_wait(pid, timeout=60):
        print(f"zapfleet: stopped supervisord (pid {pid})")
    if stop_embedded(config.var_dir):
        print("zapfleet: stopped the embedded PostgreSQL")
    return 0


def _stop_programs(config: Config) -> None:
    """Stop the web app, the dispatcher and every worker at once (best effort: SIGTERM follows)."""
    try:
        Supervisor.from_config(config).stop_all()
    except ZapfleetError as exc:
        print(f"zapfleet: could not stop the programs first ({exc.message}); stopping supervisord")


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (FileNotFoundError, ValueError):
        return None


def _signal_and_wait(pid: int, timeout: float) -> bool:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def cmd_migrate(_args: argparse.Namespace) -> int:
    """Apply pending migrations to DATABASE_URL (or the embedded database)."""
    config = load_environment(generate=False)
    url, embedded = database_url(config)
    try:
        applied = migrate(url, config.sql_dir)
        if config.database_runtime_password:
            set_runtime_password(url, config.database_runtime_password)
    finally:
        if embedded:
            stop_embedded(config.var_dir)
    print("zapfleet: applied " + (", ".join(applied) if applied else "nothing; up to date"))
    return 0


def cmd_create_admin(args: argparse.Namespace) -> int:
    """Create a platform admin with the given e-mail (password from the environment or generated)."""
    config = load_environment(generate=False)
    url, embedded = database_url(config)
    try:
        migrate(url, config.sql_dir)
        password = os.environ.get("ZAPFLEET_ADMIN_PASSWORD") or None
        db = Database(url, max_connections=1)
        try:
            generated = None if password else _generated_password()
            Identity(db).create_user(args.email, password or generated or "", None)
        finally:
            db.close()
    finally:
        if embedded:
            stop_embedded(config.var_dir)
    print(f"zapfleet: platform admin {args.email} created"
          + (f" with password: {generated}" if generated else ""))
    return 0


def cmd_dispatcher(_args: argparse.Namespace) -> int:
    """Run the dispatcher until SIGTERM: outbox, webhooks, campaigns, reminders, reconcile."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    managers = build_managers(load_environment(generate=False))
    dispatcher = Dispatcher(managers.outbox, managers.webhooks, managers.instances,
                            tasks=managers.dispatcher_tasks())
    run_until_signalled(dispatcher.run_forever)
    managers.db.close()
    return 0


def cmd_events(_args: argparse.Namespace) -> int:
    """Run the live stream's events process until SIGTERM (supervisord runs it)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    from zapfleet.live.process import run_events  # aiohttp only where it serves
    return run_events(load_environment(generate=False))


def run_until_signalled(run_forever: Callable[[threading.Event], None]) -> None:
    """Run a loop until SIGTERM or SIGINT sets its stop event."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    run_forever(stop)


def _generated_password() -> str:
    return secrets.token_urlsafe(12)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one sub-command per action."""
    parser = argparse.ArgumentParser(prog="python -m zapfleet", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("up", help="start the service in the foreground").set_defaults(run=cmd_up)
    commands.add_parser("node", help="run this machine as a worker node (foreground)").set_defaults(
        run=cmd_node)
    commands.add_parser("node-agent", help="run the node agent (supervisord runs it)").set_defaults(
        run=cmd_node_agent)
    commands.add_parser("down", help="stop a running service or node").set_defaults(run=cmd_down)
    commands.add_parser("migrate", help="apply database migrations").set_defaults(run=cmd_migrate)
    commands.add_parser("dispatcher", help="run the dispatcher (supervisord runs it)").set_defaults(
        run=cmd_dispatcher)
    commands.add_parser("events", help="run the live stream (supervisord runs it)").set_defaults(
        run=cmd_events)
    admin = commands.add_parser("create-admin", help="create a platform admin")
    admin.add_argument("email")
    admin.set_defaults(run=cmd_create_admin)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m zapfleet`."""
    args = build_parser().parse_args(argv)
    return args.run(args)
