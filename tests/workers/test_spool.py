"""The event spool: acknowledgements are appended, the file is compacted now and then, and a
restart finds exactly the events that were not acknowledged, in order."""
from __future__ import annotations

import json

from workers import spool as spool_module
from workers.spool import Spool, new_event


def _lines(spool: Spool) -> list[dict]:
    with open(spool.path, encoding="utf-8") as handle:
        return [json.loads(line) for line in handle.read().splitlines()]


def test_a_restart_finds_the_events_not_acknowledged_in_order(tmp_path):
    spool = Spool(str(tmp_path))
    events = [new_event("message.status", {"n": n}) for n in range(5)]
    for event in events:
        spool.append(event)
    spool.acknowledge({events[0]["id"], events[2]["id"]})
    assert _lines(spool)[-1] == {"ack": sorted([events[0]["id"], events[2]["id"]])}
    assert len(_lines(spool)) == 6  # appended, not rewritten
    again = Spool(str(tmp_path))
    assert again.batch() == [events[1], events[3], events[4]]
    assert _lines(again) == [events[1], events[3], events[4]]  # compacted on the way in


def test_the_file_is_emptied_once_everything_is_acknowledged(tmp_path):
    spool = Spool(str(tmp_path))
    events = [new_event("qr", {"code": str(n)}) for n in range(3)]
    for event in events:
        spool.append(event)
    spool.acknowledge({event["id"] for event in events})
    assert _lines(spool) == [] and len(spool) == 0


def test_a_backlog_is_compacted_instead_of_growing(tmp_path, monkeypatch):
    monkeypatch.setattr(spool_module, "COMPACT_LINES", 10)
    spool = Spool(str(tmp_path))
    events = [new_event("message.status", {"n": n}) for n in range(8)]
    for event in events:
        spool.append(event)
    for event in events[:6]:  # one by one, each acknowledgement a line of its own
        spool.acknowledge({event["id"]})
        assert len(_lines(spool)) <= max(10, 4 * len(spool)) + 1
    assert [line for line in _lines(spool) if "ack" not in line] == events[6:]
    assert Spool(str(tmp_path)).batch() == events[6:]


def test_a_torn_last_line_is_dropped(tmp_path):
    spool = Spool(str(tmp_path))
    event = new_event("qr", {"code": "x"})
    spool.append(event)
    with open(spool.path, "a", encoding="utf-8") as handle:
        handle.write('{"id": "half')
    assert Spool(str(tmp_path)).batch() == [event]


def test_events_are_made_storable_before_they_are_spooled(tmp_path):
    """NUL and lone surrogates would make the control plane refuse the batch for good."""
    event = new_event("message.in", {"text": "a\x00b \ud800!", "name": "Ana\x00", "parts": ["z" * 70_000]})
    assert event["data"] == {"text": "ab \ufffd!", "name": "Ana", "parts": ["z" * 65536]}
    spool = Spool(str(tmp_path))
    spool.append(event)
    assert Spool(str(tmp_path)).batch() == [event]


def test_a_batch_stops_growing_at_its_byte_limit_but_holds_one_event(tmp_path):
    spool = Spool(str(tmp_path))
    for n in range(3):
        spool.append(new_event("message.in", {"text": str(n) * 60_000}))
    assert len(spool.batch(max_bytes=130_000)) == 2
    assert len(spool.batch(max_bytes=10)) == 1
