"""One account's WhatsApp worker: an engine behind a small HTTP API (see workers/README.md).

Usage: ZAPFLEET_WORKER_TOKEN=... python -m workers.whatsapp_worker --instance <uuid> --port <port>
       [--name <slug>_whatsapp] [--host 127.0.0.1] --engine sandbox --session-dir <folder>
       --control-url <url>
"""
from __future__ import annotations

import argparse
import hashlib
import hmac
import os
import signal
import sys
import threading

from workers.engines import create_engine, engine_class
from workers.engines.base import Engine
from workers.fence import Fence, fence_from_environment
from workers.httpapi import StartingApp, SwitchableApp, WorkerApp, make_server
from workers.log import log
from workers.media import MediaUploader
from workers.sentlog import SentLog
from workers.session_store import SessionStore, session_store
from workers.spool import Reporter, Spool, new_event

TOKEN_ENV = "ZAPFLEET_WORKER_TOKEN"
FENCE_LOST_EXIT = 3
"""The exit code of a worker whose lease lapsed (supervisord starts it again; it then waits)."""
ENGINE_STOP_TIMEOUT = 3.0


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """The worker's command line (as zapfleet.fleet.programs writes it)."""
    parser = argparse.ArgumentParser(prog="workers.whatsapp_worker", description=__doc__.split("\n")[0])
    parser.add_argument("--instance", required=True, help="the instance's uuid")
    parser.add_argument("--name", help="the instance's name, <slug>_whatsapp (default: the uuid)")
    parser.add_argument("--port", required=True, type=int, help="the port of the HTTP API")
    parser.add_argument("--host", default="127.0.0.1", help="the address of the HTTP API")
    parser.add_argument("--engine", required=True, help="the WhatsApp engine, e.g. sandbox")
    parser.add_argument("--session-dir", required=True, help="where the session and spool live")
    parser.add_argument("--control-url", required=True, help="the control plane's base URL")
    return parser.parse_args(argv)


def stop_on_signals() -> threading.Event:
    """An event set when SIGTERM or SIGINT arrives."""
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    return stop


def exit_on_lost_fence(engine: Engine) -> None:
    """The lease lapsed: stop the engine (the store refuses every write from now on) and exit
    at once, non-zero, without flushing anything."""
    log("fence: the lease on this instance lapsed; stopping the engine and exiting")
    stopper = threading.Thread(target=engine.stop, name="engine-stop", daemon=True)
    stopper.start()
    stopper.join(ENGINE_STOP_TIMEOUT)
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(FENCE_LOST_EXIT)


def wait_for_fence(fence: Fence, stop: threading.Event) -> bool:
    """Wait until the lease is valid (True), or until asked to stop (False)."""
    if fence.valid():
        return True
    log(f"waiting for the lease on this instance ({fence.path})")
    if not fence.wait_until_valid(stop):
        return False
    log("the lease on this instance is valid; starting")
    return True


def webhook_secret(token: str) -> str:
    """The secret in the path of the engine's webhook route, derived from the worker's token."""
    return hmac.new(token.encode(), b"engine-webhook", hashlib.sha256).hexdigest()


def instance_token(token: str) -> str:
    """The token our Evolution instances carry, derived from the worker's token: it proves an
    existing instance is this one's."""
    return hmac.new(token.encode(), b"evolution-instance", hashlib.sha256).hexdigest()


ENGINE_ENVIRONMENT = {"proxy": "WHATSAPP_PROXY", "evolution_url": "EVOLUTION_URL",
                      "evolution_api_key": "EVOLUTION_API_KEY",
                      "evolution_webhook_base": "EVOLUTION_WEBHOOK_BASE"}
"""Engine settings the worker reads from its environment (secrets never come on argv)."""


def engine_options(args: argparse.Namespace, token: str) -> dict[str, object]:
    """What an engine is told: the instance, the control plane, where its webhook is served,
    and its settings from the environment."""
    options: dict[str, object] = {
        "instance_id": args.instance, "instance_name": args.name or args.instance,
        "control_url": args.control_url, "host": args.host, "port": args.port,
        "webhook_path": f"/{args.engine}/webhook/{webhook_secret(token)}",
        "instance_token": instance_token(token)}
    for option, variable in ENGINE_ENVIRONMENT.items():
        options[option] = os.environ.get(variable, "").strip()
    return options


def run(args: argparse.Namespace, token: str) -> int:
    """Start the reporter and the engine, then serve them; stop them all on SIGTERM, or exit at
    once when the lease lapses. A fenced worker whose lease is not valid yet serves "starting"
    (and 503 to anything that acts) until it is."""
    os.makedirs(args.session_dir, mode=0o700, exist_ok=True)
    engine_class(args.engine)  # an unknown engine fails before anything starts
    fence = fence_from_environment()
    stop = stop_on_signals()
    http = HttpServing(SwitchableApp(StartingApp(args.instance, token, args.engine)),
                       args.host, args.port)
    try:
        if not fence.valid():
            http.start()
        if wait_for_fence(fence, stop):
            serve(args, token, session_store(args.session_dir, args.instance, fence), http, stop)
    finally:
        http.close()
    return 0


class HttpServing:
    """The HTTP server (answering with a switchable app) and its thread, started once."""

    def __init__(self, app: SwitchableApp, host: str, port: int):
        self.app = app
        self.server = make_server(app, host, port)
        self._thread = threading.Thread(target=self.server.serve_forever, name="http", daemon=True)

    def start(self) -> None:
        """Answer requests (once)."""
        if self._thread.ident is None:
            self._thread.start()

    def stop(self) -> None:
        """Stop answering (requests in flight finish)."""
        if self._thread.ident is not None:
            self.server.shutdown()

    def close(self) -> None:
        """Stop answering and release the port."""
        self.stop()
        self.server.server_close()


def serve(args: argparse.Namespace, token: str, store: SessionStore, http: HttpServing,
          stop: threading.Event) -> None:
    """Run the reporter and the engine on the session store, and answer with them, until asked
    to stop."""
    spool = Spool(store)
    reporter = Reporter(spool, args.control_url, args.instance, token,
                        MediaUploader(args.session_dir, args.control_url, args.instance, token))
    engine = create_engine(args.engine, args.session_dir,
                           lambda kind, data: spool.append(new_event(kind, data)),
                           {**engine_options(args, token), "session_store": store})
    app = WorkerApp(args.instance, token, engine, SentLog(store), webhook_secret=webhook_secret(token),
                    control_url=args.control_url, fence=store.fence)
    reporter.start()
    engine.start()
    http.app.current = app
    http.start()
    store.fence.watch(lambda: exit_on_lost_fence(engine))
    log(f"worker {args.instance} ({engine.label}) listening on {args.host}:{args.port}")
    stop.wait()
    log("stopping")
    http.stop()
    engine.stop()
    reporter.stop()
    log(f"stopped; {len(spool)} events left in the spool")


def main(argv: list[str] | None = None) -> int:
    """Entry point: refuse to start without a token or with an unknown engine."""
    args = parse_args(argv)
    token = os.environ.get(TOKEN_ENV, "").strip()
    if not token:
        print(f"{TOKEN_ENV} is not set; refusing to start", file=sys.stderr)
        return 2
    try:
        return run(args, token)
    except ValueError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"cannot start: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
