"""The embedded PostgreSQL under supervisord: crashed (`pg_ctl stop -m immediate`) while an API
client sends, the service answers 503 (never 500), comes back by itself, and every message it
acknowledged reaches WhatsApp (the sandbox) exactly once."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import psycopg2
import pytest
import requests

from tests.support.supervisord import free_port_base
from tests.support.waiting import wait_until
from zapfleet.db.embedded import render_program, server_binary, system_user

ADMIN_KEY = "zf_admin_" + uuid.uuid4().hex
SENDERS = 6


class Service:
    """`python -m zapfleet up` on the embedded database in a throwaway folder."""

    def __init__(self, home: Path, root: Path):
        self.var_dir = home / "var"
        self.base = f"http://127.0.0.1:{free_port_base(1)}"
        self.env = {k: v for k, v in os.environ.items()
                    if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "ZAPFLEET_ADMIN_PASSWORD")}
        self.env.update(ZAPFLEET_HOME=str(root), ZAPFLEET_VAR_DIR=str(self.var_dir),
                        ZAPFLEET_ENV_FILE=str(home / ".env"), ADMIN_API_KEY=ADMIN_KEY,
                        ZAPFLEET_BIND=self.base.removeprefix("http://"),
                        WORKER_PORT_BASE=str(free_port_base()), RATE_LIMITS="off",
                        SANDBOX_RECEIPT_DELAY="0")
        self.log = (home / "up.log").open("wb")
        self.process = subprocess.Popen([sys.executable, "-m", "zapfleet", "up"], env=self.env,
                                        cwd=home, stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self) -> None:
        subprocess.run([sys.executable, "-m", "zapfleet", "down"], env=self.env, timeout=120,
                       capture_output=True)
        try:
            self.process.wait(timeout=60)
        finally:
            self.process.kill()
            self.log.close()

    def crash_database(self) -> None:
        """What a crash does: the server quits at once, without a checkpoint."""
        command = [str(server_binary("pg_ctl")), "-D", str(self.var_dir / "pgdata"), "-W",
                   "-m", "immediate", "stop"]
        user = system_user()
        subprocess.run(["runuser", "-u", user, "--", *command] if user else command,
                       check=True, capture_output=True, timeout=30)

    def healthy(self) -> bool:
        return requests.get(self.base + "/healthz", timeout=5).status_code == 200


@pytest.fixture
def service(pytestconfig):
    home = Path(f"/tmp/zfpg-{uuid.uuid4().hex[:8]}")  # short: the database's socket lives here
    home.mkdir(mode=0o755)
    service = Service(home, pytestconfig.rootpath)
    yield service
    service.stop()
    subprocess.run(["rm", "-rf", str(home)], check=False)


def _linked_account(service: Service) -> tuple[str, str]:
    body = requests.post(service.base + "/api/register", timeout=30, json={
        "name": "Clínica Sorriso", "email": f"{uuid.uuid4().hex[:8]}@example.com",
        "password": "correct horse battery"}).json()
    account, headers = body["account"]["id"], {"Authorization": f"Bearer {body['api_key']['key']}"}
    qr = requests.post(f"{service.base}/api/accounts/{account}/whatsapp/connect", headers=headers,
                       timeout=30).json()["qr"]["code"]
    assert requests.get(qr, timeout=30).status_code == 200
    wait_until(lambda: requests.get(f"{service.base}/api/accounts/{account}/whatsapp",
                                    headers=headers, timeout=5).json()["status"] == "connected",
               30, "the sandbox phone to link")
    return account, body["api_key"]["key"]


class Senders:
    """Threads that send one message after another until stopped, keeping every answer."""

    def __init__(self, service: Service, account: str, key: str):
        self.url = f"{service.base}/api/accounts/{account}/send"
        self.headers = {"Authorization": f"Bearer {key}"}
        self.answers: list[tuple[float, int, dict]] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._send, args=(n,)) for n in range(SENDERS)]

    def _send(self, number: int) -> None:
        count = 0
        while not self.stopping.is_set():
            count += 1
            answer = requests.post(self.url, headers=self.headers, timeout=60, json={
                "phone": f"55119{number:04d}{count % 10000:04d}", "message": f"lembrete {count}"})
            self.answers.append((time.monotonic(), answer.status_code, answer.json()))

    def acknowledged(self) -> list[str]:
        return [body["message"]["id"] for _, status, body in self.answers if status in (201, 202)]

    def __enter__(self) -> Senders:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=120)


def _worker_sends(service: Service) -> list[str]:
    """The message ids the sandbox worker handed to WhatsApp, from its own record: kept in the
    database its program is given (its node keeps sessions there)."""
    (program,) = (service.var_dir / "supervisor" / "workers").glob("*.conf")
    found = re.search(r'ZAPFLEET_SESSION_DATABASE_URL="([^"]+)"', program.read_text())
    assert found, "the worker is not given a session database"
    conn = psycopg2.connect(found.group(1).replace("%%", "%"))
    try:
        with conn, conn.cursor() as cur:
            cur.execute("SELECT line FROM worker_files WHERE name = 'sent.jsonl' ORDER BY seq")
            return [json.loads(line)["message_id"] for (line,) in cur.fetchall()]
    finally:
        conn.close()


def test_a_crashed_embedded_database_costs_503s_only_and_no_message(service):
    wait_until(service.healthy, 90, "the service to start")
    account, key = _linked_account(service)
    with Senders(service, account, key) as senders:
        wait_until(lambda: len(senders.acknowledged()) >= 30, 60, "sends before the crash")
        crashed_at = time.monotonic()
        service.crash_database()
        wait_until(lambda: any(s == 503 for _, s, _ in senders.answers), 30, "a 503")
        wait_until(service.healthy, 30, "recovery without anyone")
        recovered_at = time.monotonic()
        after = len(senders.acknowledged())
        wait_until(lambda: len(senders.acknowledged()) >= after + 30, 60, "sends after recovery")
    statuses = Counter(status for _, status, _ in senders.answers)
    assert set(statuses) <= {201, 202, 503}, statuses
    refused = [body for _, status, body in senders.answers if status == 503]
    assert all(body["error"]["code"] == "unavailable" for body in refused)
    assert all("/" not in body["error"]["message"] for body in refused)  # no socket path
    assert recovered_at - crashed_at < 30
    acknowledged = senders.acknowledged()
    wait_until(lambda: set(acknowledged) <= set(_worker_sends(service)), 60,
               "every acknowledged message to be sent")
    handed_over = Counter(_worker_sends(service))
    assert [m for m, times in handed_over.items() if times > 1] == []  # none twice


def test_the_embedded_program_restarts_the_server_on_its_own_socket(tmp_path):
    program = render_program(tmp_path, "/run/zf")
    assert "[program:postgres]" in program and "autorestart = true" in program
    assert f"-D {tmp_path.resolve() / 'pgdata'} -h '' -k /run/zf" in program
    assert "stopsignal = INT" in program and "priority = 10" in program
