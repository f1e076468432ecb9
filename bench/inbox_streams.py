"""Benchmark: how many open live streams one events process holds, with a new message delivered
to every one of them within 1 s.

Usage: python -m bench.inbox_streams [--streams 100,250,500,1000,2000] [--accounts 10] [--rounds 3]
BENCH_DATABASE_URL selects the PostgreSQL server (else an embedded one); a throwaway database
is created and dropped. The real events process (`python -m zapfleet events`) runs on a free
port; the streams are opened as the pages open them (a signed token of an account's user,
checked against the database on connect), spread over the accounts, and kept open as their
number grows. Each round stores one real message in every account (the messages' INSERT fires
the NOTIFY), and times, per stream, from just before the first store until its account's
message event arrives. Goal: at least 500 streams with the slowest delivery within 1 s.
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.benchdb import bench_database, free_port, when_healthy
from zapfleet.assembly import build_managers
from zapfleet.config import Config
from zapfleet.live import tokens

SECRET = "bench-secret"
ORIGIN = "http://127.0.0.1:8000"


def seed(config: Config, accounts: int) -> list[str]:
    """Accounts with a user each; a stream token per account."""
    managers = build_managers(config)
    made = []
    for n in range(accounts):
        created = managers.accounts.register_customer(
            {"name": f"Cliente {n:03d}", "email": f"c{n}@bench.example", "password": "correct horse battery"})
        user = managers.identity.authenticate(f"c{n}@bench.example", "correct horse battery")
        stamp = managers.identity.session_user(user["id"])["stamp"]
        made.append(tokens.issue(SECRET, tokens.Grant(user["id"], created["account"]["id"], stamp, ORIGIN)))
    managers.db.close()
    return made


def start_events(database_url: str, port: int, log: Path) -> subprocess.Popen:
    """The events process, as supervisord runs it."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": SECRET,
           "EVENTS_BIND": f"127.0.0.1:{port}", "ZAPFLEET_ENV_FILE": str(log.with_suffix(".env"))}
    with log.open("wb") as out:
        return subprocess.Popen([sys.executable, "-m", "zapfleet", "events"], env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def rss_mb(pid: int) -> float:
    """A process's resident memory, in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class Streams:
    """The open streams; each reports the message ids it sees, with their arrival time."""

    def __init__(self, session: aiohttp.ClientSession, url: str):
        self.session, self.url = session, url
        self.tasks: list[asyncio.Task] = []
        self.arrivals: list[tuple[str, dict[str, float]]] = []
        """Per stream: its account, and the message ids it got with their arrival time."""

    async def open(self, token: str) -> None:
        """Open one more stream and wait until it is served."""
        response = await self.session.get(self.url, params={"token": token},
                                           headers={"Origin": ORIGIN})
        if response.status != 200:
            raise SystemExit(f"a stream was refused: {response.status} {await response.text()}")
        arrivals: dict[str, float] = {}
        self.arrivals.append((str(tokens.read(SECRET, token).account_id), arrivals))
        self.tasks.append(asyncio.create_task(self._read(response, arrivals)))

    @staticmethod
    async def _read(response: aiohttp.ClientResponse, arrivals: dict[str, float]) -> None:
        kind = ""
        async for raw in response.content:
            line = raw.decode().rstrip("\n")
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: ") and kind == "message":
                arrivals[line.split('"message_id":"', 1)[1].split('"', 1)[0]] = time.perf_counter()

    async def close(self) -> None:
        for task in self.tasks:
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)


async def one_round(config: Config, accounts: list[str], streams: Streams) -> list[float]:
    """Store a message in every account; each stream's delay until its account's one arrives."""
    managers = build_managers(config.with_overrides(db_pool_size=2))
    started = time.perf_counter()
    ids = {}
    for n, account in enumerate(accounts):
        message = await asyncio.to_thread(managers.conversations.record_message, account,
                                          f"11 9{n:04d}-1234", "in", "bench", "received")
        ids[account] = str(message["id"])
    managers.db.close()
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline and not all(
            ids[account] in arrivals for account, arrivals in streams.arrivals):
        await asyncio.sleep(0.01)
    return [arrivals.get(ids[account], float("inf")) - started
            for account, arrivals in streams.arrivals]


async def bench(config: Config, url: str, tokens_: list[str], accounts: list[str], counts: list[int],
                rounds: int, pid: int) -> list[tuple]:
    rows = []
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=None, sock_read=None)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        streams = Streams(session, url)
        for count in counts:
            while len(streams.tasks) < count:
                batch = range(len(streams.tasks), min(count, len(streams.tasks) + 50))
                await asyncio.gather(*(streams.open(tokens_[i % len(tokens_)]) for i in batch))
            delays: list[float] = []
            for _ in range(rounds):
                delays += await one_round(config, accounts, streams)
            delays.sort()
            got = sum(d != float("inf") for d in delays)
            p95 = delays[int(0.95 * (len(delays) - 1))]
            rows.append((count, got / rounds, statistics.median(delays) * 1000, p95 * 1000,
                         delays[-1] * 1000, rss_mb(pid)))
        await streams.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="100,250,500,1000,2000")
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    counts = [int(c) for c in args.streams.split(",")]
    with bench_database() as database_url:
        config = Config(database_url=database_url, secret_key=SECRET, db_pool_size=2)
        stream_tokens = seed(config, args.accounts)
        accounts = [str(tokens.read(SECRET, t).account_id) for t in stream_tokens]
        port = free_port()
        log = Path(tempfile.mkdtemp(prefix="zapfleet-bench-")) / "events.log"
        events = when_healthy(start_events(database_url, port, log), port)
        try:
            rows = asyncio.run(bench(config, f"http://127.0.0.1:{port}/events", stream_tokens,
                                     accounts, counts, args.rounds, events.pid))
        finally:
            events.terminate()
            events.wait(timeout=30)
    print(f"{args.accounts} accounts, {args.rounds} rounds of one new message per account; "
          "delay from just before the first store to each stream's event")
    print(f"{'streams':>8} {'delivered':>10} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} "
          f"{'events RSS MB':>14} {'within 1 s':>11}")
    for count, got, p50, p95, most, rss in rows:
        print(f"{count:>8} {got:>10.0f} {p50:>8.1f} {p95:>8.1f} {most:>8.1f} {rss:>14.1f} "
              f"{'yes' if most <= 1000 and got == count else 'no':>11}")


if __name__ == "__main__":
    main()
