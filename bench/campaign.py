"""Benchmark: enqueue a 10,000-recipient campaign, and measure the pacing over a run with a fast clock.

Usage: python -m bench.campaign [--recipients 10000] [--messages 200]
Uses BENCH_DATABASE_URL (a server; a throwaway database is created there and dropped),
otherwise an embedded PostgreSQL in a temporary folder.

1. Enqueue: POST …/campaigns/<id>/start through the app (the recipients are fixed then: contacts
   with the tag, not opted out, each once). Goal: at most 2 s for 10,000 recipients.
2. Pacing: the dispatcher's CampaignRunner on a simulated clock, one pass per simulated second
   plus a random delay of up to half a second (a real pass takes time), with the default random
   gaps of 20-40 s. "rate err" compares the measured rate with the configured one (60 / mean
   gap; goal: within 5 %); "sched err" compares the measured mean gap with the mean of the gaps
   the pacing drew, which leaves chance out: what the passes' timing adds. Runs with one
   dispatcher, then with two taking turns.
"""
from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from datetime import datetime, timedelta, timezone

from bench.benchdb import bench_database

from web import create_app
from zapfleet.campaigns.runner import CampaignRunner
from zapfleet.config import Config
from zapfleet.db import Database
from zapfleet.db import contacts as contacts_sql
from zapfleet.db import instances as instances_sql

ADMIN_KEY = uuid.uuid4().hex
ALL_DAY = {"window_start": "00:00", "window_end": "23:59", "daily_cap": 100000, "warmup_days": 0}


def new_account(client, name: str, recipients: int, db: Database) -> str:
    """An account with a connected number and `recipients` contacts tagged "clientes"."""
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    account = client.post("/api/accounts", json={"name": name}, headers=headers).get_json()["id"]
    client.patch(f"/api/accounts/{account}/settings", json={"pacing": ALL_DAY}, headers=headers)
    rows = [(f"55119{n:08d}", f"Cliente {n}", ["clientes"], False)
            for n in range(recipients)]
    with db.tenant(account) as conn:
        for start in range(0, len(rows), 5000):
            contacts_sql.upsert_contacts(conn, account, rows[start:start + 5000])
    with db.system() as conn:
        instance = instances_sql.insert_instance(conn, account, f"bench{account[:8]}_whatsapp", None,
                                                 "sandbox", status="connected")
        instances_sql.update_observed(conn, instance["id"], phone="5511900000000")
    return account


def start_campaign(client, account: str) -> tuple[float, int]:
    """(seconds, recipients) to start a campaign to every contact of the account."""
    headers = {"Authorization": f"Bearer {ADMIN_KEY}"}
    campaign = client.post(f"/api/accounts/{account}/campaigns", headers=headers, json={
        "name": "bench", "message": "Oi {name}!", "target_tags": ["clientes"]}).get_json()
    started = time.perf_counter()
    answer = client.post(f"/api/accounts/{account}/campaigns/{campaign['id']}/start", headers=headers)
    seconds = time.perf_counter() - started
    assert answer.status_code == 200, answer.get_json()
    return seconds, answer.get_json()["counts"]["total"]


def bench_enqueue(client, db: Database, recipients: int) -> None:
    """Print the time to start a campaign to `recipients` contacts, three times."""
    print(f"{'recipients':>10} {'start (s)':>10} {'goal':>6}")
    for run in range(3):
        account = new_account(client, f"enqueue {run}", recipients, db)
        seconds, total = start_campaign(client, account)
        print(f"{total:>10} {seconds:>10.3f} {'ok' if seconds <= 2 else 'MISS':>6}")


def bench_pacing(client, db: Database, messages: int, dispatchers: int) -> None:
    """Print the pacing of `messages` sends by `dispatchers` taking turns, on a simulated clock."""
    account = new_account(client, f"pacing {dispatchers}", messages, db)
    start_campaign(client, account)
    now = [datetime(2026, 11, 20, 12, 0, tzinfo=timezone.utc)]
    draws, rng = [], random.Random(dispatchers)

    def recorded() -> float:  # the gaps the pacing drew, to tell its own error from chance
        draws.append(20 + rng.random() * 20)
        return (draws[-1] - 20) / 20
    runners = [CampaignRunner(db, clock=lambda: now[0], rng=recorded) for _ in range(dispatchers)]
    jitter = random.Random(7)
    sent_at, passes, wall = [], 0, time.perf_counter()
    while len(sent_at) < messages:
        runner = runners[passes % dispatchers]
        if runner.send_next(uuid.UUID(account)):
            sent_at.append(now[0])
        passes += 1
        now[0] += timedelta(seconds=1 + jitter.random() * 0.5 / dispatchers)
    gaps = [(b - a).total_seconds() for a, b in zip(sent_at, sent_at[1:])]
    mean, drawn = statistics.fmean(gaps), statistics.fmean(draws[:len(gaps)])
    error = abs(60 / mean - 60 / 30) / (60 / 30) * 100
    own = abs(mean - drawn) / drawn * 100
    print(f"{dispatchers:>11} {messages:>8} {30:>6.1f} {drawn:>7.2f} {mean:>9.2f} {min(gaps):>6.1f}"
          f" {max(gaps):>6.1f} {error:>8.2f}% {own:>9.2f}% {'ok' if error <= 5 else 'MISS':>5}"
          f" {passes:>7} {time.perf_counter() - wall:>7.1f}")


def run(database_url: str, recipients: int, messages: int) -> None:
    """Run both benchmarks against a migrated database and print their tables."""
    db = Database(database_url, max_connections=4)
    config = Config(database_url=database_url, secret_key=uuid.uuid4().hex, admin_api_key=ADMIN_KEY)
    client = create_app(config, database=db).test_client()
    try:
        bench_enqueue(client, db, recipients)
        print()
        print(f"{'dispatchers':>11} {'messages':>8} {'gap':>6} {'drawn':>7} {'measured':>9} {'min':>6}"
              f" {'max':>6} {'rate err':>9} {'sched err':>10} {'goal':>5} {'passes':>7} {'wall s':>7}")
        for dispatchers in (1, 2):
            bench_pacing(client, db, messages, dispatchers)
    finally:
        db.close()


def main() -> None:
    """Parse the options; run against a throwaway database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--recipients", type=int, default=10_000)
    parser.add_argument("--messages", type=int, default=1000)
    args = parser.parse_args()
    with bench_database() as database_url:
        run(database_url, args.recipients, args.messages)


if __name__ == "__main__":
    main()
