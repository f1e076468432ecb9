"""The live stream's events process (`python -m zapfleet events`) for tests, as supervisord runs
it, on the test database; and a small reader of its server-sent events."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.support.supervisord import free_port_base
from tests.support.waiting import wait_until

TEST_SECRET = "test-secret"
"""The tests' SECRET_KEY (tests/conftest.py's config): the pages sign their tokens with it."""


class EventsProcess:
    """One events process on a free port; `url` is its /events, stop() ends it."""

    def __init__(self, database_url: str, secret_key: str):
        self.bind = f"127.0.0.1:{free_port_base(1)}"
        self.base = f"http://{self.bind}"
        self.url = self.base + "/events"
        env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key,
               "EVENTS_BIND": self.bind, "DB_POOL_SIZE": "2",
               "ZAPFLEET_ENV_FILE": str(Path(tempfile.gettempdir()) / "zapfleet-absent.env")}
        self.log = tempfile.NamedTemporaryFile(prefix="zapfleet-events-", suffix=".log", delete=False)
        self.process = subprocess.Popen([sys.executable, "-m", "zapfleet", "events"], env=env,
                                        stdout=self.log, stderr=subprocess.STDOUT)
        wait_until(self.listening, 30, "the events process to listen")

    def listening(self) -> bool:
        """True once it serves and its LISTEN connection is up."""
        if self.process.poll() is not None:
            raise AssertionError(f"the events process ended: {Path(self.log.name).read_text()}")
        return requests.get(self.base + "/healthz", timeout=5).status_code == 200

    def stop(self) -> None:
        """SIGTERM, then wait."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            self.process.wait(timeout=30)
        self.log.close()
        os.unlink(self.log.name)


def first(stream: requests.Response, kind: str, timeout: float = 30.0) -> dict:
    """The next event of a kind on an open stream (the others before it are passed over)."""
    deadline = time.monotonic() + timeout
    for got, payload in events(stream):
        if got == kind:
            return payload
        if time.monotonic() > deadline:
            break
    raise AssertionError(f"no {kind} event within {timeout} s")


def open_stream(url: str, token: str, origin: str | None = None) -> requests.Response:
    """An open stream (its status and headers read, its body not yet)."""
    headers = {"Accept": "text/event-stream", **({"Origin": origin} if origin else {})}
    return requests.get(url, params={"token": token}, headers=headers, stream=True, timeout=(5, 20))


def events(response: requests.Response) -> Iterator[tuple[str, dict]]:
    """The (kind, payload) of each event a stream sends, as they come (a comment as ("", {}));
    one reader per stream (a second one would lose what the first had buffered)."""
    if not hasattr(response, "events"):
        response.events = _read(response)  # type: ignore[attr-defined]
    return response.events  # type: ignore[attr-defined]


def _read(response: requests.Response) -> Iterator[tuple[str, dict]]:
    kind = None
    for line in response.iter_lines(decode_unicode=True):
        if line.startswith(":"):
            yield "", {}  # a comment (the heartbeat): lets a reader check its deadline
        elif line.startswith("event: "):
            kind = line[7:]
        elif line.startswith("data: ") and kind:
            yield kind, json.loads(line[6:])
            kind = None


@pytest.fixture(scope="session")
def events_process(database_url) -> Iterator[EventsProcess]:
    """One events process for the whole run, on the test database, with the tests' SECRET_KEY."""
    process = EventsProcess(database_url, TEST_SECRET)
    yield process
    process.stop()
