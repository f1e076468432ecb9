"""The command line: secrets file, migrate, create-admin, and a real up/down."""
from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys

import psycopg2
import requests

from tests.support.waiting import wait_until
from zapfleet.cli import main
from zapfleet.config import ensure_env_file


def test_ensure_env_file_generates_secrets_once_with_mode_0600(tmp_path, monkeypatch):
    for name in ("SECRET_KEY", "ADMIN_API_KEY", "SUPERVISOR_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / ".env"
    assert ensure_env_file(path) == ["SECRET_KEY", "ADMIN_API_KEY", "SUPERVISOR_PASSWORD"]
    first = path.read_text()
    assert ensure_env_file(path) == []
    assert path.read_text() == first
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    values = [line.split("=", 1)[1] for line in first.splitlines()]
    assert len(set(values)) == 3 and all(len(v) >= 32 for v in values)


def test_ensure_env_file_keeps_values_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    path = tmp_path / ".env"
    assert "SECRET_KEY" not in ensure_env_file(path)
    assert "SECRET_KEY=" not in path.read_text()


def _users(url: str) -> list[tuple]:
    conn = psycopg2.connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT email, role, account_id FROM users")
            return cur.fetchall()
    finally:
        conn.close()


def test_migrate_and_create_admin(spare_database, tmp_path, monkeypatch, capsys):
    url = spare_database()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("ZAPFLEET_ENV_FILE", str(tmp_path / "none.env"))
    monkeypatch.setenv("ZAPFLEET_ADMIN_PASSWORD", "a long admin password")
    assert main(["migrate"]) == 0
    assert "0001_init.sql" in capsys.readouterr().out
    assert main(["migrate"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["create-admin", "boss@example.com"]) == 0
    assert _users(url) == [("boss@example.com", "admin", None)]
    assert "password" not in capsys.readouterr().out  # it came from the environment


def test_down_with_nothing_running_is_quiet(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ZAPFLEET_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ZAPFLEET_ENV_FILE", str(tmp_path / "none.env"))
    assert main(["down"]) == 0
    assert capsys.readouterr().out == ""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_up_serves_the_app_under_supervisord_and_down_stops_it(spare_database, tmp_path,
                                                               pytestconfig):
    """Run from another folder: ZAPFLEET_HOME names the checkout, the packages are installed."""
    port, events_port = _free_port(), _free_port()
    env = dict(os.environ, DATABASE_URL=spare_database(), ZAPFLEET_VAR_DIR=str(tmp_path / "var"),
               ZAPFLEET_ENV_FILE=str(tmp_path / ".env"), ZAPFLEET_BIND=f"127.0.0.1:{port}",
               EVENTS_BIND=f"127.0.0.1:{events_port}", ZAPFLEET_HOME=str(pytestconfig.rootpath))
    env.pop("ZAPFLEET_ADMIN_PASSWORD", None)
    up = subprocess.Popen([sys.executable, "-m", "zapfleet", "up"], env=env, cwd=tmp_path,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        health = wait_until(lambda: requests.get(f"http://127.0.0.1:{port}/healthz", timeout=2),
                            timeout=60, what="/healthz")
        assert health.json() == {"status": "ok"}
        live = wait_until(lambda: requests.get(f"http://127.0.0.1:{events_port}/healthz", timeout=2),
                          timeout=60, what="the live stream's /healthz")  # program events
        assert live.json() == {"listening": True, "streams": 0}
        assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600
        down = subprocess.run([sys.executable, "-m", "zapfleet", "down"], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=90)
        assert "stopped supervisord" in down.stdout
        output = up.communicate(timeout=60)[0]
    finally:
        up.kill()
    assert up.returncode == 0
    assert output.count("created with password:") == 1
    secret = (tmp_path / ".env").read_text().split("SECRET_KEY=")[1].split()[0]
    log_files = list((tmp_path / "var" / "log").glob("*.log"))
    logs = "".join(p.read_text() for p in log_files)
    assert secret not in output and secret not in logs
    assert log_files and {stat.S_IMODE(p.stat().st_mode) & 0o007 for p in log_files} == {0}
