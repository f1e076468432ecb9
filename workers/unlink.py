"""`python -m workers.unlink`: unlink a removed instance's phone without its worker.

The control plane runs it to retry an unlink that failed when the instance was deleted or
switched engines. It gets what the worker would (ZAPFLEET_WORKER_TOKEN and the engine's
settings in the environment, the kept session folder), unlinks, and exits 0, or 1 with the
reason on its last line of output.
"""
from __future__ import annotations

import argparse
import os
import sys

from workers.engines import ENGINES, create_engine
from workers.fence import NoFence
from workers.session_store import session_store
from workers.whatsapp_worker import TOKEN_ENV, engine_options

SETTLE_SECONDS = 60.0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The instance, its engine and its kept session folder."""
    parser = argparse.ArgumentParser(prog="python -m workers.unlink", description=__doc__)
    parser.add_argument("--engine", required=True, choices=sorted(ENGINES))
    parser.add_argument("--instance", required=True, help="the instance id")
    parser.add_argument("--name", required=True, help="the instance name")
    parser.add_argument("--session-dir", required=True)
    parser.add_argument("--settle-seconds", type=float, default=SETTLE_SECONDS)
    args = parser.parse_args(argv)
    args.host, args.port, args.control_url = "127.0.0.1", 0, "http://127.0.0.1"  # nothing served
    return args


def main(argv: list[str] | None = None) -> int:
    """Unlink; 0 when done (or nothing was linked), 1 when it must be tried again."""
    args = parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(f"{TOKEN_ENV} is not set")
        return 2
    store = session_store(args.session_dir, args.instance, NoFence())  # the kept session
    engine = create_engine(args.engine, args.session_dir, lambda kind, data: None,
                           {**engine_options(args, token), "session_store": store})
    try:
        engine.unlink(args.settle_seconds)
    except Exception as exc:  # noqa: BLE001 - reported to the control plane, which retries
        print(f"not unlinked: {exc}")
        return 1
    print("unlinked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
