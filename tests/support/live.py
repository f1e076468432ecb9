"""The app served over real HTTP in a thread, and dispatcher processes, for tests that need a
real client, a browser or the whole service."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import wait
from contextlib import contextmanager
from pathlib import Path

import requests
from werkzeug.serving import make_server

from tests.support.waiting import wait_until
from web import create_app
from zapfleet.fleet.supervisor import Supervisor
from zapfleet.messaging.dispatcher import Dispatcher


def start_dispatcher(config, database_url: str, number: int = 0) -> subprocess.Popen:
    """A dispatcher process (`python -m zapfleet dispatcher`), as supervisord runs it, on the
    test's database and supervisord; its output goes to var/dispatcher-<number>.log."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": config.secret_key,
           "ZAPFLEET_VAR_DIR": str(config.var_dir), "ZAPFLEET_BIND": config.bind,
           "SUPERVISOR_USER": config.supervisor_user,
           "SUPERVISOR_PASSWORD": config.supervisor_password,
           "WORKER_PORT_BASE": str(config.worker_port_base), "DB_POOL_SIZE": "4",
           "ZAPFLEET_ENV_FILE": str(Path(config.var_dir) / "absent.env")}
    with open(Path(config.var_dir) / f"dispatcher-{number}.log", "wb") as log:
        return subprocess.Popen([sys.executable, "-m", "zapfleet", "dispatcher"], env=env,
                                stdout=log, stderr=subprocess.STDOUT)


class Dispatchers:
    """The dispatcher processes a test starts; stop_all() ends them (SIGTERM, then wait)."""

    def __init__(self, config, database_url: str):
        self.config, self.database_url = config, database_url
        self.processes: list[subprocess.Popen] = []

    def start(self) -> subprocess.Popen:
        """One more dispatcher process."""
        process = start_dispatcher(self.config, self.database_url, len(self.processes))
        self.processes.append(process)
        return process

    def stop_all(self) -> None:
        """Stop the ones still running."""
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                process.wait(timeout=30)


class Server:
    """The app on real HTTP at config.bind; restart() replaces it with a freshly built one."""

    def __init__(self, config, **given):
        self.config, self.given = config, given
        self._serve()

    def _serve(self) -> None:
        self.app = create_app(self.config, **self.given)
        host, port = self.config.bind.rsplit(":", 1)
        self.server = make_server(host, int(port), self.app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def shutdown(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    def restart(self) -> None:
        self.shutdown()
        self._serve()


class Live:
    """The app served on its bind address, and what the test needs to drive it."""

    def __init__(self, app, base: str):
        self.app, self.base = app, base
        self.instances = app.extensions["zapfleet"].instances

    def call(self, method: str, path: str, key: str, **kwargs) -> requests.Response:
        """One API request with an account's key."""
        headers = {"Authorization": f"Bearer {key}", **kwargs.pop("headers", {})}
        return requests.request(method, self.base + path, headers=headers, timeout=30, **kwargs)

    def register(self, name: str) -> tuple[str, str]:
        """Sign up a customer through the API; its account id and API key."""
        email = f"{uuid.uuid4().hex[:8]}@example.com"
        body = requests.post(self.base + "/api/register", timeout=30, json={
            "name": name, "email": email, "password": "correct horse battery"}).json()
        return body["account"]["id"], body["api_key"]["key"]

    def dispatch(self) -> None:
        """One round of the dispatcher, in this process, until its sends are done."""
        managers = self.app.extensions["zapfleet"]
        dispatcher = Dispatcher(managers.outbox, managers.webhooks, self.instances)
        wait(dispatcher.run_once())
        dispatcher.pool.shutdown(wait=True)


@contextmanager
def served(config, clean_db, identity) -> Iterator[Live]:
    """The app for config on real HTTP with its real supervisord; its instances removed and the
    server stopped afterwards."""
    server = Server(config, db=clean_db, identity=identity,
                    supervisor=Supervisor.from_config(config))
    live = Live(server.app, config.control_url)
    live.server = server
    try:
        yield live
    finally:
        for instance in live.instances.list(None):
            live.instances.delete(instance["account_id"])
        server.shutdown()


def all_messages(live: Live, account: str, key: str) -> list[dict]:
    """Every message of the account, conversation by conversation, read through the API."""
    conversations = live.call("GET", f"/api/accounts/{account}/conversations", key).json()["items"]
    return [m for c in conversations for m in live.call(
        "GET", f"/api/accounts/{account}/conversations/{c['id']}/messages", key).json()["items"]]


def linked(live: Live, name: str) -> tuple[str, str]:
    """A new account whose sandbox phone is linked: its id and API key."""
    account, key = live.register(name)
    link_phone(live, account, key)
    return account, key


def link_phone(live: Live, account: str, key: str) -> None:
    """Connect the account's WhatsApp and link its sandbox phone (the QR's link opened)."""
    code = live.call("POST", f"/api/accounts/{account}/whatsapp/connect", key).json()["qr"]["code"]
    assert requests.get(code, timeout=30).status_code == 200
    wait_until(lambda: live.call("GET", f"/api/accounts/{account}/whatsapp", key).json()["status"]
               == "connected", 20, "the sandbox phone to link")


def phone_got(live: Live, account: str) -> list[dict]:
    """What the sandbox customers' phones got from the account's worker (its phone.jsonl)."""
    instance = live.instances.get(account)
    path = Path(live.app.config["ZAPFLEET"].var_dir) / "sessions" / str(instance["id"]) / "phone.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line] if path.exists() else []
