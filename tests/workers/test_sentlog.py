"""The worker's record of sends: one send per message id, kept for a retention period."""
from tests.support.clock import Clock
from workers.sentlog import COMPACT_LINES, SENT_FILE, SentLog


def _sender(calls: list):
    def send(message_id: str):
        def now() -> dict:
            calls.append(message_id)
            return {"message_id": message_id, "provider_message_id": f"p-{message_id}", "status": "sent"}
        return now
    return send


def test_a_message_id_is_sent_once_even_after_a_restart(tmp_path):
    calls = []
    send = _sender(calls)
    first = SentLog(str(tmp_path), keep_seconds=3600, clock=Clock())
    assert first.send_once("m-1", send("m-1"))["provider_message_id"] == "p-m-1"
    again = SentLog(str(tmp_path), keep_seconds=3600, clock=Clock())
    assert again.send_once("m-1", send("m-1")) == {"message_id": "m-1", "provider_message_id": "p-m-1",
                                                   "status": "sent"}
    assert calls == ["m-1"]


def test_records_older_than_the_retention_are_forgotten_and_the_file_shrinks(tmp_path):
    clock, calls = Clock(), []
    log = SentLog(str(tmp_path), keep_seconds=3600, clock=clock)
    for n in range(COMPACT_LINES + 10):
        log.send_once(f"old-{n}", _sender(calls)(f"old-{n}"))
    assert len(log) == COMPACT_LINES + 10
    clock.now += 3601
    log.send_once("new", _sender(calls)("new"))
    assert len(log) == 1 and log.get("old-0") is None and log.get("new") is not None
    lines = (tmp_path / SENT_FILE).read_text().splitlines()
    assert len(lines) == 1 and '"message_id":"new"' in lines[0]
    reloaded = SentLog(str(tmp_path), keep_seconds=3600, clock=clock)
    assert len(reloaded) == 1 and reloaded.get("new")["provider_message_id"] == "p-new"


def test_a_torn_last_line_and_records_without_a_time_are_read(tmp_path):
    (tmp_path / SENT_FILE).write_text('{"message_id":"m-0","provider_message_id":"p","status":"sent"}\n'
                                      '{"message_id":"m-1","provid')
    log = SentLog(str(tmp_path), keep_seconds=3600, clock=Clock())
    assert log.get("m-0")["provider_message_id"] == "p" and log.get("m-1") is None
