"""Benchmark: 100 sandbox workers under a real supervisord — start time, memory, restart time —
and the memory of an idle neonize worker.

Usage: python -m bench.workers [--workers 100] [--port-base 15001]
Writes the program files with zapfleet.fleet.programs into a throwaway var folder, runs
`supervisord -n`, and prints: seconds until every worker answers /health (goal ≤ 10 s), the
workers' RSS and PSS (goal RSS ≤ 25 MB), seconds until a kill -9'd worker answers again
(goal ≤ 2 s), and the RSS and PSS of one neonize worker (goal RSS ≤ 80 MB) once it has loaded
whatsmeow and tried to connect. Its connection goes to a closed loopback port (no network is
needed), so it idles between retries as it would without network. Events go to a tiny local
receiver standing in for the control plane.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from zapfleet.fleet.programs import WorkerProgram, port_is_free, write_program
from zapfleet.fleet.supervisor import Supervisor

USER = "bench"
CONF = """\
[unix_http_server]
file = {var}/supervisor/supervisor.sock
chmod = 0700
username = {user}
password = {password}

[supervisord]
logfile = {var}/log/supervisord.log
pidfile = {var}/supervisor/supervisord.pid
childlogdir = {var}/log
loglevel = warn

[supervisorctl]
serverurl = unix://{var}/supervisor/supervisor.sock
username = {user}
password = {password}

[rpcinterface:supervisor]
supervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface

[include]
files = {var}/supervisor/workers/*.conf
"""


class Acknowledger(BaseHTTPRequestHandler):
    """The control plane's /internal/events: acknowledges every batch."""

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def free_ports(base: int, count: int) -> list[int]:
    """The first `count` free ports from base upwards."""
    ports, port = [], base
    while len(ports) < count:
        if port_is_free("127.0.0.1", port):
            ports.append(port)
        port += 1
    return ports


def write_programs(var_dir: Path, ports: list[int], control_url: str) -> list[WorkerProgram]:
    """One sandbox worker program file per port."""
    programs = [WorkerProgram(name=f"bench-{i:03d}", instance_id=str(uuid.uuid4()), port=port,
                              engine="sandbox", token=secrets.token_hex(32), var_dir=var_dir,
                              control_url=control_url) for i, port in enumerate(ports)]
    for program in programs:
        write_program(program)
    return programs


def neonize_program(var_dir: Path, port: int, control_url: str) -> WorkerProgram:
    """One neonize worker whose connection goes through a proxy on a closed loopback port."""
    closed = free_ports(port + 1, 1)[0]
    program = WorkerProgram(name="bench-neonize", instance_id=str(uuid.uuid4()), port=port,
                            engine="neonize", token=secrets.token_hex(32), var_dir=var_dir,
                            control_url=control_url,
                            environment=(("WHATSAPP_PROXY", f"socks5://127.0.0.1:{closed}"),))
    write_program(program)
    return program


def start_supervisord(var_dir: Path, password: str) -> subprocess.Popen:
    """A real supervisord in the foreground, running every program under var_dir."""
    conf = var_dir / "supervisord.conf"
    conf.write_text(CONF.format(var=var_dir, user=USER, password=password))
    return subprocess.Popen([sys.executable, "-m", "supervisor.supervisord", "-n", "-c", str(conf)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def healthy(program: WorkerProgram) -> bool:
    """True when the worker answers GET /health with its token."""
    return worker_get(program, "/health") is not None


def worker_get(program: WorkerProgram, path: str) -> dict | None:
    """GET a worker route with its token: the JSON answer, or None when it does not answer."""
    request = urllib.request.Request(f"http://127.0.0.1:{program.port}{path}",
                                     headers={"Authorization": f"Bearer {program.token}"})
    try:
        with urllib.request.urlopen(request, timeout=1) as response:
            return json.loads(response.read()) if response.status == 200 else None
    except (OSError, ValueError):
        return None


def idle_neonize_memory(supervisor: Supervisor, program: WorkerProgram) -> tuple[int, int]:
    """(RSS, PSS) in kB of the neonize worker once its first connection attempt failed."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = worker_get(program, "/status") or {}
        if status.get("state") == "disconnected":
            time.sleep(1)  # settle: the failed attempt's garbage is gone
            return memory_kb(supervisor.process_info(program.name)["pid"])
        time.sleep(0.1)
    raise SystemExit("the neonize worker did not report its offline state within 60 s")


def seconds_until_healthy(programs: list[WorkerProgram], started: float, limit: float = 120) -> float:
    """Poll until every worker answers; the seconds since `started`."""
    pending = list(programs)
    while pending:
        if time.monotonic() - started > limit:
            raise SystemExit(f"{len(pending)} workers did not answer within {limit}s")
        pending = [program for program in pending if not healthy(program)]
        if pending:
            time.sleep(0.02)
    return time.monotonic() - started


def memory_kb(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process in kB."""
    rss = next(int(line.split()[1]) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
               if line.startswith("VmRSS:"))
    pss = next(int(line.split()[1]) for line in
               Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines() if line.startswith("Pss:"))
    return rss, pss


def spread(values: list[float]) -> str:
    """min / median / max in MB."""
    mb = [v / 1024 for v in values]
    return f"{min(mb):.1f} / {statistics.median(mb):.1f} / {max(mb):.1f}"


def measure_restart(supervisor: Supervisor, program: WorkerProgram) -> float:
    """kill -9 one worker; seconds until a new one answers /health."""
    pid = supervisor.process_info(program.name)["pid"]
    started = time.monotonic()
    os.kill(pid, signal.SIGKILL)
    while healthy(program) and time.monotonic() - started < 5:
        time.sleep(0.005)  # the dying process may still answer for an instant
    return seconds_until_healthy([program], started, limit=30)


def run(count: int, port_base: int) -> list[tuple[str, str, str]]:
    """Run the benchmark; the table rows (figure, value, goal)."""
    var_dir = Path(tempfile.mkdtemp(prefix="zfb", dir="/tmp"))
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Acknowledger)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    password = secrets.token_urlsafe(16)
    daemon = None
    try:
        control_url = f"http://127.0.0.1:{receiver.server_port}"
        ports = free_ports(port_base, count + 1)
        programs = write_programs(var_dir, ports[:count], control_url)
        neonize = neonize_program(var_dir, ports[count], control_url)
        started = time.monotonic()
        daemon = start_supervisord(var_dir, password)
        start_seconds = seconds_until_healthy(programs, started)
        supervisor = Supervisor(var_dir / "supervisor" / "supervisor.sock", USER, password)
        pids = [supervisor.process_info(p.name)["pid"] for p in programs]
        rss, pss = zip(*(memory_kb(pid) for pid in pids))
        restart_seconds = measure_restart(supervisor, programs[count // 2])
        neonize_rss, neonize_pss = idle_neonize_memory(supervisor, neonize)
        return [("workers", str(count), ""),
                ("all answering /health (s)", f"{start_seconds:.2f}", "≤ 10"),
                ("RSS per worker, min/median/max (MB)", spread(rss), "≤ 25"),
                ("PSS per worker, min/median/max (MB)", spread(pss), ""),
                ("RSS of all workers (MB)", f"{sum(rss) / 1024:.0f}", ""),
                ("PSS of all workers (MB)", f"{sum(pss) / 1024:.0f}", ""),
                ("kill -9 → answering again (s)", f"{restart_seconds:.2f}", "≤ 2"),
                ("idle neonize worker RSS (MB)", f"{neonize_rss / 1024:.1f}", "≤ 80"),
                ("idle neonize worker PSS (MB)", f"{neonize_pss / 1024:.1f}", "≤ 45")]
    finally:
        stop(daemon, var_dir / "supervisord.conf")
        receiver.shutdown()
        receiver.server_close()
        shutil.rmtree(var_dir, ignore_errors=True)


def stop(daemon: subprocess.Popen | None, conf: Path) -> None:
    """Stop every worker at once, then SIGTERM supervisord and wait for it.

    (On SIGTERM alone supervisord stops its groups one after the other, about a second each.)
    """
    if daemon is None or daemon.poll() is not None:
        return
    subprocess.run([sys.executable, "-m", "supervisor.supervisorctl", "-c", str(conf), "stop", "all"],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120, check=False)
    daemon.send_signal(signal.SIGTERM)
    try:
        daemon.wait(timeout=60)
    except subprocess.TimeoutExpired:
        daemon.kill()
        daemon.wait()


def print_table(rows: list[tuple[str, str, str]]) -> None:
    """The figures as an aligned text table."""
    widths = [max(len(row[i]) for row in [("figure", "value", "goal"), *rows]) for i in range(3)]
    for row in [("figure", "value", "goal"), tuple("-" * w for w in widths), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def main() -> None:
    """Parse the options, run, print."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--workers", type=int, default=100)
    parser.add_argument("--port-base", type=int, default=15001)
    args = parser.parse_args()
    print_table(run(args.workers, args.port_base))


if __name__ == "__main__":
    main()
