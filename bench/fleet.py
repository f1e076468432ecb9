"""Benchmark: a fleet of three local nodes, and one node asked for 1,000 workers.

Usage: python -m bench.fleet [--per-node 100] [--seconds 10] [--single 1000]
Each node is `python -m zapfleet node` with its own var folder, port range and supervisord; the
control plane is gunicorn (as in production) with no node of its own; BENCH_DATABASE_URL selects
the PostgreSQL server (else an embedded one). Prints:
- seconds until 3 × per-node sandbox workers, asked for through the API, all answer;
- seconds from a node's kill -9 until all its instances answer linked elsewhere (goal ≤ 30 s,
  with the default 15 s heartbeat limit);
- the send route's req/s and p99 with and without "wait": false beside the bare one-INSERT route
  (goal for "wait": false: ≥ 0.7 × bare);
- with --single N: on one node (ports 5001–), how many of N sandbox workers start and stay
  healthy, with their memory, or where it stopped and why (it stops asking below 2 GB free).
"""
from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psutil
import psycopg2
import requests

from bench.benchdb import bench_database, free_port
from bench.send_path import linked_account, print_routes, route_rows, start_app

MIN_FREE_BYTES = 2 * 1024 ** 3


class BenchNode:
    """One `python -m zapfleet node` process tree."""

    def __init__(self, name: str, env: dict, port_base: int, **settings: str):
        self.name = name
        self.var_dir = Path(tempfile.mkdtemp(prefix=f"zbn{name}", dir="/tmp"))
        self.env = {**env, "NODE_NAME": name, "WORKER_PORT_BASE": str(port_base),
                    "ZAPFLEET_VAR_DIR": str(self.var_dir), "DB_POOL_SIZE": "4",
                    "SUPERVISOR_PASSWORD": secrets.token_urlsafe(16), **settings}
        self.process = subprocess.Popen([sys.executable, "-m", "zapfleet", "node"], env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True)

    def tree(self) -> list[psutil.Process]:
        """Every process of the node."""
        try:
            root = psutil.Process(self.process.pid)
            return [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def workers(self) -> list[psutil.Process]:
        """The node's worker processes."""
        return [p for p in self.tree() if "workers.whatsapp_worker" in " ".join(_cmdline(p))]

    def kill(self) -> None:
        """kill -9 of the whole node."""
        processes = self.tree()
        for process in processes:
            process.suspend()
        for process in processes:
            process.kill()
        psutil.wait_procs(processes, timeout=30)
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM (supervisord stops its workers), then remove its folder."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.kill()
        shutil.rmtree(self.var_dir, ignore_errors=True)


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


def control_env(database_url: str, port: int) -> dict:
    """The environment shared by the control plane and the nodes."""
    return {**os.environ, "DATABASE_URL": database_url, "ADMIN_API_KEY": secrets.token_urlsafe(24),
            "SECRET_KEY": secrets.token_urlsafe(24), "ZAPFLEET_ENV_FILE": os.devnull,
            "ZAPFLEET_BIND": f"127.0.0.1:{port}", "PUBLIC_URL": f"http://127.0.0.1:{port}",
            "RATE_LIMITS": "off", "NODE_NAME": "control", "SANDBOX_RECEIPT_DELAY": "0",
            "ZAPFLEET_VAR_DIR": tempfile.mkdtemp(prefix="zbc", dir="/tmp")}


def new_accounts(base: str, admin: dict, count: int) -> list[str]:
    """count new accounts (admin API), in parallel."""
    def one(n: int) -> str:
        return requests.post(f"{base}/api/accounts", json={"name": f"Bench {n}"}, headers=admin,
                             timeout=60).json()["id"]
    with ThreadPoolExecutor(16) as pool:
        return list(pool.map(one, range(count)))


def connect_all(base: str, admin: dict, accounts: list[str]) -> tuple[float, list[dict]]:
    """Connect every account, 8 at a time (a connect holds a pooled connection while it
    waits): seconds until every worker answered, and the answers (a 503 is asked again: the
    instance is placed and its worker is starting)."""
    def one(account: str) -> dict:
        for _ in range(20):
            response = requests.post(f"{base}/api/accounts/{account}/whatsapp/connect",
                                     headers=admin, timeout=120)
            if response.status_code in (200, 201):
                return response.json()
            print(f"connect {account}: {response.status_code} {response.text[:120]}", file=sys.stderr)
        raise SystemExit(f"{account}: its worker never answered: {response.text}")
    started = time.monotonic()
    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(one, accounts))
    return time.monotonic() - started, answers


def link_all(answers: list[dict]) -> None:
    """Open every sandbox QR's link (the phone scans it), again while its worker is busy."""
    def scan(code: str) -> None:
        for _ in range(30):
            if requests.get(code, timeout=60).ok:
                return
            time.sleep(1)
        raise SystemExit(f"{code}: the sandbox phone could not link")
    with ThreadPoolExecutor(16) as pool:
        list(pool.map(scan, [a["qr"]["code"] for a in answers if a["qr"]]))


def instances_by_node(database_url: str) -> dict[str, list[tuple[str, str]]]:
    """node name → [(instance id, status)]."""
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SELECT n.name, i.id::text, i.status FROM instances i"
                    " JOIN nodes n ON n.id = i.node_id")
        rows = cur.fetchall()
    placed: dict[str, list[tuple[str, str]]] = {}
    for node, instance, status in rows:
        placed.setdefault(node, []).append((instance, status))
    return placed


def max_connections(database_url: str) -> str:
    """The server's max_connections (each worker opens one while it is busy)."""
    with psycopg2.connect(database_url) as conn, conn.cursor() as cur:
        cur.execute("SHOW max_connections")
        return cur.fetchone()[0]


def wait_for(probe, timeout: float, what: str) -> float:
    """Seconds until probe() is true (checked every 0.2 s); SystemExit after timeout."""
    started = time.monotonic()
    while not probe():
        if time.monotonic() - started > timeout:
            raise SystemExit(f"timed out waiting for {what}")
        time.sleep(0.2)
    return time.monotonic() - started


def fleet_run(database_url: str, per_node: int, seconds: float) -> None:
    """Three nodes: start, link, kill one, measure the send route."""
    port = free_port()
    env = control_env(database_url, port)
    base, admin = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {env['ADMIN_API_KEY']}"}
    app = start_app(env, port)
    capacity = str(per_node * 3 // 2 + 5)  # room for a dead node's share, and the send table's
    nodes = [BenchNode(name, env, 20001 + 1000 * n, NODE_CAPACITY=capacity)
             for n, name in enumerate(("a", "b", "c"))]
    try:
        wait_for(lambda: len(requests.get(f"{base}/api/nodes", headers=admin).json()["items"]) == 3,
                 60, "the nodes to register")
        accounts = new_accounts(base, admin, per_node * 3)
        started_in, answers = connect_all(base, admin, accounts)
        link_all(answers)
        wait_for(lambda: all(s == "connected" for rows in instances_by_node(database_url).values()
                             for _, s in rows), 120, "every instance linked")
        placed = instances_by_node(database_url)
        doomed = {instance for instance, _ in placed["a"]}
        nodes[0].kill()
        relinked = wait_for(lambda: _moved_and_linked(database_url, doomed), 180,
                            "node a's instances linked elsewhere")
        print(f"{'nodes':<44} 3 (capacity {capacity} each); PostgreSQL max_connections "
              f"{max_connections(database_url)}")
        print(f"{f'{per_node * 3} sandbox workers answering (s)':<44} {started_in:8.1f}")
        print(f"{f'kill -9 of a node with {len(doomed)}: relinked (s)':<44} "
              f"{relinked:8.1f}  (goal ≤ 30; heartbeat limit 15 s)")
        send_table(database_url, base, admin, seconds)
    finally:
        app.terminate()
        app.wait()
        for node in nodes:
            node.stop()


def _moved_and_linked(database_url: str, doomed: set[str]) -> bool:
    placed = instances_by_node(database_url)
    return all(status == "connected" for node, rows in placed.items() if node != "a"
               for instance, status in rows if instance in doomed) and not any(
        instance in doomed for instance, _ in placed.get("a", []))


def send_table(database_url: str, base: str, admin: dict, seconds: float) -> None:
    """The send route on a node's worker beside the bare INSERT route."""
    account, headers = linked_account(base, admin)
    print("send route, 32 clients:")
    print_routes(route_rows(database_url, base, account, headers, 32, 4, seconds))


def single_run(database_url: str, count: int) -> None:
    """One node asked for `count` sandbox workers on ports 5001–: how many start and stay up."""
    port = free_port()
    env = control_env(database_url, port)
    base, admin = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {env['ADMIN_API_KEY']}"}
    app = start_app(env, port)
    node = BenchNode("big", env, 5001, NODE_CAPACITY=str(count), WORKER_PORT_COUNT=str(count))
    stopped_by = "nothing: every worker asked for answers"
    try:
        wait_for(lambda: requests.get(f"{base}/api/nodes", headers=admin).json()["items"], 60,
                 "the node to register")
        accounts, started = new_accounts(base, admin, count), time.monotonic()
        asked = 0
        for batch in range(0, count, 50):
            if psutil.virtual_memory().available < MIN_FREE_BYTES:
                stopped_by = f"memory: less than 2 GB free after asking for {asked}"
                break
            asked += len(accounts[batch:batch + 50])
            try:
                connect_all(base, admin, accounts[batch:batch + 50])
            except SystemExit as refused:  # e.g. no free port left in the node's range
                stopped_by = str(refused)
                break
        healthy = _steady(node, asked)
        elapsed = time.monotonic() - started
        workers = node.workers()
        rss = sum(_memory(p, "rss") for p in workers) / 1024 ** 2
        pss = sum(_memory(p, "pss") for p in workers) / 1024 ** 2
        print(f"asked for {count} sandbox workers on one node; asked {asked} before stopping")
        print(f"healthy after {elapsed:.0f} s and 30 s more: {healthy} workers; "
              f"{len(workers)} processes; RSS {rss:,.0f} MB, PSS {pss:,.0f} MB "
              f"({pss / max(len(workers), 1):.1f} MB each); "
              f"free memory {psutil.virtual_memory().available / 1024 ** 3:.1f} GB")
        print(f"stopped by: {stopped_by}")
    finally:
        app.terminate()
        app.wait()
        node.stop()


def _steady(node: BenchNode, asked: int) -> int:
    """The number of running workers that stayed up for 30 s (the same pids at both ends)."""
    first = {p.pid for p in node.workers()}
    time.sleep(30)
    return min(len(first & {p.pid for p in node.workers()}), asked)


def _memory(process: psutil.Process, field: str) -> int:
    try:
        return getattr(process.memory_full_info(), field)
    except psutil.Error:
        return 0


def main() -> None:
    """Parse the options; run against a throwaway database."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-node", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--single", type=int, default=0,
                        help="instead: ask one node for this many workers (e.g. 1000)")
    args = parser.parse_args()
    with bench_database() as database_url:
        if args.single:
            single_run(database_url, args.single)
        else:
            fleet_run(database_url, args.per_node, args.seconds)


if __name__ == "__main__":
    main()
