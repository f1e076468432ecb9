"""Benchmark: server time of the owner's dashboard (and its live JSON) with 100 accounts.

Usage: python -m bench.dashboard [--accounts 100] [--requests 50]
BENCH_DATABASE_URL selects the PostgreSQL server (else an embedded one); a throwaway database
is created and dropped. A real supervisord runs one program per account (loaded, not started),
so the dashboard's one getAllProcessInfo call answers for every account. Each account has an
instance in one of the states the page draws and 200 messages today. Server time is measured
inside the app (the WSGI call, no network). Goal: p95 of GET /admin at most 200 ms; the
platform's charts (/admin/metrics?part=1) load after the page and are measured too.
"""
from __future__ import annotations

import argparse
import secrets
import shutil
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from bench import workers as _workers_bench
from bench.benchdb import bench_database

from web import create_app
from zapfleet.config import Config
from zapfleet.db import instances as instances_sql
from zapfleet.fleet.supervisor import Supervisor

USER, start_supervisord, stop = _workers_bench.USER, _workers_bench.start_supervisord, _workers_bench.stop

STATES = ({"status": "connected", "phone": "5511988887777", "qr_code": None},
          {"status": "waiting_qr", "qr_code": "http://127.0.0.1:8000/sandbox/scan/x.y"},
          {"status": "error", "last_error": "the worker keeps exiting"},
          {"status": "stopped"})
MESSAGES_TODAY = 200
PROGRAM = "[program:{name}]\ncommand = sleep 3600\nautostart = false\n"


def seed(app, var_dir: Path, accounts: int) -> None:
    """Accounts with instances in every state, their programs, and messages sent today."""
    managers = app.extensions["zapfleet"]
    db = managers.db
    for n in range(accounts):
        account = managers.accounts.create_account({"name": f"Cliente {n:03d}"})
        with db.system() as conn:
            row = instances_sql.insert_instance(conn, account["id"], f"{account['slug']}_whatsapp",
                                                20000 + n, "sandbox")
            instances_sql.update_observed(conn, row["id"], **STATES[n % len(STATES)])
        conf = var_dir / "supervisor" / "workers" / f"{row['instance_name']}.conf"
        conf.write_text(PROGRAM.format(name=row["instance_name"]))
        contact = managers.contacts.create_contact(account["id"], {"phone": f"11 9{n:04d}-0000"})
        for i in range(MESSAGES_TODAY):
            managers.conversations.record_message(account["id"], contact["phone"], "out", f"msg {i}", "sent")


def signed_in_owner(app):
    """A test client signed in as a platform admin (the session is made like the login's)."""
    user = app.extensions["zapfleet"].identity.create_user(
        f"owner-{uuid.uuid4().hex[:6]}@example.com", secrets.token_urlsafe(12), None)
    stamp = app.extensions["zapfleet"].identity.session_user(user["id"])["stamp"]
    client = app.test_client()
    with client.session_transaction() as session:
        session.update(user_id=str(user["id"]), stamp=stamp, lang="pt_BR")
    return client


def timings(client, path: str, count: int) -> list[float]:
    """Seconds per request, after two warm-up requests."""
    for _ in range(2):
        assert client.get(path).status_code == 200
    spent = []
    for _ in range(count):
        started = time.perf_counter()
        response = client.get(path)
        spent.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return spent


def row(path: str, spent: list[float]) -> str:
    """A table row: the path, then p50, p95 and max of its times in ms."""
    ms = sorted(s * 1000 for s in spent)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    return f"{path:<20} {statistics.median(ms):>8.1f} {p95:>8.1f} {ms[-1]:>8.1f}"


def run(database_url: str, accounts: int, requests: int) -> None:
    """Seed the accounts, start supervisord, time each route and print the table."""
    var_dir = Path(tempfile.mkdtemp(prefix="zfdash", dir="/tmp"))
    for sub in ("supervisor/workers", "log/workers", "sessions"):
        (var_dir / sub).mkdir(parents=True)
    password = secrets.token_urlsafe(16)
    config = Config(database_url=database_url, secret_key=secrets.token_urlsafe(32),
                    var_dir=var_dir, supervisor_user=USER, supervisor_password=password)
    app = create_app(config)
    seed(app, var_dir, accounts)
    daemon = start_supervisord(var_dir, password)
    try:
        _wait(Supervisor.from_config(config))
        client = signed_in_owner(app)
        print(f"{accounts} accounts, {MESSAGES_TODAY} messages today each, {requests} requests per route")
        print(f"{'route':<20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
        for path in ("/admin", "/admin/status.json", "/admin/metrics?part=1"):
            print(row(path, timings(client, path, requests)))
    finally:
        stop(daemon, var_dir / "supervisord.conf")
        app.extensions["zapfleet"].db.close()
        shutil.rmtree(var_dir, ignore_errors=True)


def _wait(supervisor: Supervisor, limit: float = 20) -> None:
    """Return once supervisord answers (the bench stops after `limit` seconds)."""
    deadline = time.monotonic() + limit
    while not supervisor.ping():
        if time.monotonic() > deadline:
            raise SystemExit("supervisord did not answer")
        time.sleep(0.1)


def main() -> None:
    """Parse the options; run against a throwaway database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=100)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    with bench_database() as database_url:
        run(database_url, args.accounts, args.requests)


if __name__ == "__main__":
    main()
