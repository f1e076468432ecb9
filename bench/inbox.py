"""Benchmark of the team inbox: search over 1,000,000 messages, then live streams held.

Usage: python -m bench.inbox [--search-args "..."] [--streams-args "..."]
Runs bench.inbox_search (goal p95 ≤ 200 ms) and bench.inbox_streams (goal: ≥ 500 open streams
with a new message delivered to all of them within 1 s), each printing its own table;
BENCH_DATABASE_URL selects the PostgreSQL server (else an embedded one).
"""
from __future__ import annotations

import argparse
import shlex
import subprocess
import sys


def run(module: str, args: str) -> int:
    """Run one bench module in its own process, its table on this output."""
    print(f"== {module}", flush=True)
    return subprocess.call([sys.executable, "-m", module, *shlex.split(args)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search-args", default="")
    parser.add_argument("--streams-args", default="")
    options = parser.parse_args()
    failed = run("bench.inbox_search", options.search_args)
    failed |= run("bench.inbox_streams", options.streams_args)
    raise SystemExit(failed)


if __name__ == "__main__":
    main()
