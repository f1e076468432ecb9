"""Sends that do not wait: stored in the intake with one INSERT per batch of a web process's
concurrent sends, filed by the dispatcher as queued messages with the same id, exactly once; keys,
plan limits and tenants hold across the two."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from tests.support.files import PNG, b64
from zapfleet.core.errors import PlanLimit
from zapfleet.messaging import intake
from zapfleet.tenancy.plans import PlanLimits

BULK = {"phone": "(11) 98765-4321", "message": "Promoção de verão!", "wait": False}


def _rows(db, sql: str, *args) -> list[dict]:
    with db.system() as conn, conn.cursor() as cur:
        cur.execute(sql, args)
        return cur.fetchall()


def _send(client, tenant, **body):
    return client.post(f"/api/accounts/{tenant.id}/send", headers=tenant.headers, json={**BULK, **body})


def test_a_send_that_does_not_wait_is_stored_then_filed_with_its_id(app, client, register, clean_db):
    tenant = register("Salão Bela")
    answer = _send(client, tenant)
    assert answer.status_code == 202, answer.get_json()
    waiting = answer.get_json()["message"]
    assert (waiting["status"], waiting["conversation_id"], waiting["lease_until"]) == ("queued", None, None)
    assert _rows(clean_db, "SELECT id FROM messages WHERE account_id = %s", tenant.id) == []
    [stored] = _rows(clean_db, "SELECT id, phone, body FROM send_intake WHERE account_id = %s", tenant.id)
    assert (str(stored["id"]), stored["phone"]) == (waiting["id"], "5511987654321")

    assert app.extensions["zapfleet"].outbox.file_intake() == 1
    [message] = _rows(clean_db, "SELECT id, body, status, origin, conversation_id, deadline_at"
                      " FROM messages WHERE account_id = %s", tenant.id)
    assert str(message["id"]) == waiting["id"]
    assert (message["body"], message["status"], message["origin"]) == (BULK["message"], "queued", "api")
    assert message["conversation_id"] is not None and message["deadline_at"] is not None
    assert _rows(clean_db, "SELECT id FROM send_intake") == []
    assert app.extensions["zapfleet"].outbox.file_intake() == 0  # filed once


def test_the_same_key_answers_the_first_send_before_and_after_it_is_filed(app, client, register):
    tenant = register("Salão Bela")
    first = _send(client, tenant, idempotency_key="promo-7").get_json()["message"]
    again = _send(client, tenant, idempotency_key="promo-7")
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    assert again.get_json()["message"]["id"] == first["id"]
    app.extensions["zapfleet"].outbox.file_intake()
    filed = _send(client, tenant, idempotency_key="promo-7")
    assert filed.status_code == 200 and filed.get_json()["message"]["id"] == first["id"]
    assert filed.get_json()["message"]["conversation_id"] is not None
    waited = _send(client, tenant, idempotency_key="promo-7", wait=True)  # the other path agrees
    assert waited.status_code == 200 and waited.get_json()["message"]["id"] == first["id"]


def test_a_key_waiting_in_the_intake_answers_the_other_send_paths(app, client, register, clean_db):
    tenant = register("Salão Bela")
    first = _send(client, tenant, idempotency_key="promo-8").get_json()["message"]
    media = {"data": b64(PNG), "mime_type": "image/png"}
    for other in ({"wait": True}, {"wait": True, "media": media}, {"send_at": (datetime.now(UTC) + timedelta(days=1)).isoformat()}):
        again = _send(client, tenant, idempotency_key="promo-8", **other)
        assert again.status_code == 200, (other, again.get_json())
        assert again.get_json()["message"]["id"] == first["id"]
    assert _rows(clean_db, "SELECT id FROM messages WHERE account_id = %s", tenant.id) == []
    assert app.extensions["zapfleet"].outbox.file_intake() == 1


def test_a_key_sent_at_once_from_many_threads_is_stored_once(app, register, clean_db):
    tenant = register("Salão Bela")
    outbox, account = app.extensions["zapfleet"].outbox, UUID(tenant.id)
    body = {**BULK, "idempotency_key": "promo-1"}
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(pool.map(lambda _: outbox.send(account, body), range(16)))
    assert sum(created for _, created in answers) == 1
    assert len({str(message["id"]) for message, _ in answers}) == 1
    assert len(_rows(clean_db, "SELECT id FROM send_intake WHERE account_id = %s", tenant.id)) == 1


def test_two_dispatchers_filing_at_once_file_each_send_once(app, client, register, clean_db):
    tenant = register("Salão Bela")
    sent = {_send(client, tenant, phone=f"1198765{n:04d}").get_json()["message"]["id"]
            for n in range(2 * intake.FILE_BATCH + 10)}
    outbox = app.extensions["zapfleet"].outbox
    with ThreadPoolExecutor(max_workers=2) as pool:
        filed = list(pool.map(lambda _: outbox.file_intake(), range(2)))
    assert sum(filed) == len(sent)
    rows = _rows(clean_db, "SELECT id FROM messages WHERE account_id = %s", tenant.id)
    assert sorted(str(r["id"]) for r in rows) == sorted(sent)


def test_a_dispatcher_that_fails_while_filing_leaves_the_send_waiting(client, register, clean_db):
    tenant = register("Salão Bela")
    sent = _send(client, tenant).get_json()["message"]

    def crash(*_args, **_kwargs):
        raise RuntimeError("the dispatcher died while filing")
    with pytest.raises(RuntimeError), clean_db.system() as conn:
        intake.file_batch(conn, crash)
    [waiting] = _rows(clean_db, "SELECT id FROM send_intake WHERE account_id = %s", tenant.id)
    assert str(waiting["id"]) == sent["id"]
    assert _rows(clean_db, "SELECT id FROM messages WHERE account_id = %s", tenant.id) == []


def test_sends_still_waiting_count_against_the_plan(app, client, register, monkeypatch):
    tenant = register("Salão Bela")
    outbox = app.extensions["zapfleet"].outbox
    monkeypatch.setattr(outbox, "plans", PlanLimits({"free": {"messages_per_day": 2}}))
    assert [_send(client, tenant).status_code for _ in range(2)] == [202, 202]
    with pytest.raises(PlanLimit):
        outbox.send(UUID(tenant.id), BULK)
    outbox.file_intake()
    assert _send(client, tenant).status_code == 403  # filed or not, the day holds two


def _in_one_batch(outbox, db, sends: list[tuple[UUID, dict]]) -> tuple[list, list]:
    """(the first send's answer, the answers or errors of `sends`), the sends written as one
    batch: they queue while a first send waits for the intake table, held locked here."""
    def answer(account_id, body):
        try:
            return outbox.send(account_id, body)
        except Exception as exc:
            return exc
    arrived = outbox.intake.arrived
    with ThreadPoolExecutor(max_workers=len(sends) + 1) as pool:
        with db.system() as conn, conn.cursor() as cur:
            cur.execute("LOCK TABLE send_intake IN SHARE MODE")
            first = pool.submit(answer, sends[0][0], {**BULK, "message": "first"})
            with arrived:
                assert arrived.wait_for(lambda: outbox.intake.writing, timeout=10)
            later = [pool.submit(answer, account_id, body) for account_id, body in sends]
            with arrived:
                assert arrived.wait_for(lambda: len(outbox.intake.waiting) == len(sends), timeout=10)
        return first.result(), [future.result() for future in later]


def _transactions(db, *accounts) -> list[list[str]]:
    """The bodies each transaction stored in the intake, in the order they were stored."""
    rows = _rows(db, "SELECT xmin::text AS tx, body FROM send_intake WHERE account_id = ANY(%s)"
                 " ORDER BY created_at", [UUID(a) for a in accounts])
    return [[row["body"] for row in rows if row["tx"] == tx] for tx in dict.fromkeys(r["tx"] for r in rows)]


def test_sends_that_arrive_while_one_is_written_share_the_next_transaction(app, register, clean_db):
    salon, gym = register("Salão Bela"), register("Academia Forte")
    outbox = app.extensions["zapfleet"].outbox
    sends = [(UUID(tenant.id), {**BULK, "message": f"{tenant.id}-{n}"}) for n in range(3)
             for tenant in (salon, gym)]
    first, answers = _in_one_batch(outbox, clean_db, sends)
    assert first[1] is True and all(created for _, created in answers)
    assert {str(message["id"]) for message, _ in answers} == {
        str(row["id"]) for row in _rows(clean_db, "SELECT id FROM send_intake")} - {str(first[0]["id"])}
    assert _transactions(clean_db, salon.id, gym.id) == [  # one per account, each in its order
        ["first"], [f"{salon.id}-{n}" for n in range(3)], [f"{gym.id}-{n}" for n in range(3)]]


def test_a_key_repeated_within_a_batch_stores_one_send(app, register, clean_db):
    tenant = register("Salão Bela")
    outbox, account = app.extensions["zapfleet"].outbox, UUID(tenant.id)
    _, answers = _in_one_batch(outbox, clean_db, [(account, {**BULK, "idempotency_key": "promo-9"})] * 3)
    assert [created for _, created in answers] == [True, False, False]
    assert len({str(message["id"]) for message, _ in answers}) == 1


def test_a_plan_limit_refuses_only_the_sends_of_a_batch_past_it(app, register, clean_db, monkeypatch):
    tenant = register("Salão Bela")
    outbox, account = app.extensions["zapfleet"].outbox, UUID(tenant.id)
    monkeypatch.setattr(outbox, "plans", PlanLimits({"free": {"messages_per_day": 3}}))
    _, answers = _in_one_batch(outbox, clean_db, [(account, {**BULK, "message": f"{n}"}) for n in range(4)])
    assert [type(answer).__name__ for answer in answers] == ["tuple", "tuple", "PlanLimit", "PlanLimit"]
    assert len(_rows(clean_db, "SELECT id FROM send_intake")) == 3
