"""Calls to a worker under test that wait for their outcome."""
from __future__ import annotations

from tests.support.waiting import wait_until


def send_and_wait_until_read(worker, receiver, message_id: str) -> dict:
    """Send a message and wait for its read receipt (every event before it has arrived too)."""
    answer = worker.call("POST", "/send", {"message_id": message_id, "phone": "5511999990000",
                                           "text": "marker"})
    assert answer.status_code == 200, answer.text
    wait_until(lambda: "read" in receiver.statuses(message_id), what=f"{message_id} to be read")
    return answer.json()
