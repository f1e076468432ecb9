"""The live stream's tokens and fan-out: a token opens one account's events (or every account's
for the admin) and cannot be forged, changed or used late; an account's streams never get
another account's events."""
from __future__ import annotations

import asyncio
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from zapfleet.core.errors import Unauthorized
from zapfleet.live import tokens
from zapfleet.live.hub import Hub, Stream, parse
from zapfleet.live.server import sse

A, B = uuid.uuid4(), uuid.uuid4()


def grant(account=A) -> tokens.Grant:
    return tokens.Grant(uuid.uuid4(), account, "stamp1", "http://127.0.0.1:8000")


def test_a_token_carries_its_grant_back():
    for given in (grant(), grant(None)):
        assert tokens.read("secret", tokens.issue("secret", given)) == given


def test_a_forged_changed_or_late_token_is_refused():
    token = tokens.issue("secret", grant())
    changed = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    for secret, text, max_age in (("other", token, 300), ("secret", changed, 300),
                                  ("secret", "", 300), ("secret", "garbage.x.y", 300),
                                  ("secret", token, -1)):
        with pytest.raises(Unauthorized):
            tokens.read(secret, text, max_age=max_age)


def drained(stream: Stream) -> list:
    items = []
    while not stream.queue.empty():
        items.append(stream.queue.get_nowait())
    return items


def event(kind: str, account, **rest) -> dict:
    return {"kind": kind, "account_id": str(account), **rest}


def test_each_event_reaches_its_account_and_the_admin_only():
    hub = Hub()
    a1, a2, b, admin = Stream(A), Stream(A), Stream(B), Stream(None)
    for stream in (a1, a2, b, admin):
        hub.add(stream)
    sent = event("message", A, conversation_id="c", message_id="m", direction="in", status="received")
    assert hub.publish(sent) == 3
    assert drained(a1) == drained(a2) == drained(admin) == [sent]
    assert drained(b) == []
    hub.publish(event("qr", B))
    assert (drained(a1), drained(b), drained(admin)) == ([], [event("qr", B)], [event("qr", B)])


def test_new_accounts_reach_the_admin_only():
    hub = Hub()
    a, admin = Stream(A), Stream(None)
    hub.add(a)
    hub.add(admin)
    hub.publish(event("account", A))
    assert (drained(a), drained(admin)) == ([], [event("account", A)])


def test_unknown_or_unowned_events_and_gone_streams_get_nothing():
    hub = Hub()
    a = Stream(A)
    hub.add(a)
    assert hub.publish(event("password", A)) == 0
    assert hub.publish({"kind": "message"}) == 0
    hub.remove(a)
    assert hub.publish(event("message", A)) == 0 and len(hub) == 0 and drained(a) == []


def test_a_client_too_far_behind_is_ended_and_end_all_ends_every_stream():
    hub = Hub()
    slow, other = Stream(A, limit=3), Stream(B)
    hub.add(slow)
    hub.add(other)
    for number in range(5):
        hub.publish(event("conversation", A, conversation_id=str(number)))
    assert drained(slow) == [None]
    hub.end_all()
    assert drained(other) == [None]


def test_payloads_are_parsed_and_written_as_named_events():
    assert parse('{"kind": "qr", "account_id": "x"}') == {"kind": "qr", "account_id": "x"}
    assert parse("not json") is None and parse("[1]") is None
    assert sse({"kind": "qr", "account_id": "x"}) == (
        b'event: qr\ndata: {"kind":"qr","account_id":"x"}\n\n')


def test_streams_wait_on_their_own_queue():
    async def scenario():
        hub, stream = Hub(), Stream(A)
        hub.add(stream)
        waiting = asyncio.create_task(stream.queue.get())
        await asyncio.sleep(0)
        hub.publish(event("instance", A, status="connected"))
        return await asyncio.wait_for(waiting, 5)
    # a thread of its own: the browser tests' Playwright keeps an event loop in this one
    with ThreadPoolExecutor(1) as thread:
        got = thread.submit(asyncio.run, scenario()).result()
    assert got == event("instance", A, status="connected")
