"""Campaigns run: audience, start, pacing per number, pause/resume/cancel, progress, exactly once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.support.clock import Clock
from tests.support.linked import link
from zapfleet.campaigns.runner import CampaignRunner

SP = ZoneInfo("America/Sao_Paulo")
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=SP)
STEADY = {"min_gap_seconds": 20, "max_gap_seconds": 20, "window_start": "00:00",
          "window_end": "23:59", "warmup_days": 0}


@pytest.fixture
def shop(client, register, managers, clean_db):
    """An account with a connected number, tagged contacts, and its API base."""
    tenant = register("Loja da Ana")
    for phone, name, tags, opted_out in [
            ("11988880001", "Bia Souza", ["vip"], False), ("11988880002", "Caio", ["vip"], False),
            ("11988880003", "Duda", ["vip", "clientes"], False), ("11988880004", "", ["clientes"], False),
            ("11988880005", "Eva", ["vip"], True), ("11988880006", "Fabi", [], False)]:
        managers.contacts.create_contact(tenant.id, {"phone": phone, "name": name, "tags": tags,
                                           "opted_out": opted_out})
    link(clean_db, tenant.id)
    base = f"/api/accounts/{tenant.id}"
    client.patch(f"{base}/settings", json={"pacing": STEADY}, headers=tenant.headers)
    return tenant, base


def _campaign(client, shop, **fields):
    tenant, base = shop
    body = {"name": "Promoção", "message": "Oi {name}, 20% off!", "target_tags": ["vip"], **fields}
    created = client.post(f"{base}/campaigns", json=body, headers=tenant.headers)
    assert created.status_code == 201, created.get_json()
    return created.get_json()


def _post(client, shop, path, **kwargs):
    tenant, base = shop
    return client.post(f"{base}{path}", headers=tenant.headers, **kwargs)


def _get(client, shop, path):
    tenant, base = shop
    response = client.get(f"{base}{path}", headers=tenant.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _campaign_messages(db, account_id):
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT m.body, m.status, k.phone FROM messages m JOIN conversations c"
                    " ON c.id = m.conversation_id JOIN contacts k ON k.id = c.contact_id"
                    " WHERE m.account_id = %s AND m.origin = 'campaign' ORDER BY m.created_at",
                    (account_id,))
        return cur.fetchall()


def test_the_audience_counts_tagged_contacts_that_did_not_opt_out(client, shop):
    assert _get(client, shop, "/campaigns/audience?tags=vip")["count"] == 3
    assert _get(client, shop, "/campaigns/audience?tags=vip,clientes")["count"] == 4
    assert _get(client, shop, "/campaigns/audience?tags=vip&tags=clientes")["count"] == 4
    assert _get(client, shop, "/campaigns/audience")["count"] == 5  # no tag: every contact
    tenant, base = shop
    bad = client.get(f"{base}/campaigns/audience?tags=%21%21", headers=tenant.headers)
    assert bad.status_code == 400 and bad.get_json()["error"]["message"].startswith("tags")


def test_starting_fixes_the_recipients_once_each_and_locks_the_texts(client, shop):
    campaign = _campaign(client, shop, target_tags=["vip", "clientes"])
    started = _post(client, shop, f"/campaigns/{campaign['id']}/start")
    assert started.status_code == 200, started.get_json()
    assert started.get_json()["status"] == "running"
    assert started.get_json()["counts"]["pending"] == started.get_json()["counts"]["total"] == 4
    recipients = _get(client, shop, f"/campaigns/{campaign['id']}/recipients")["items"]
    assert sorted(r["phone"] for r in recipients) == [f"551198888000{n}" for n in (1, 2, 3, 4)]
    assert _post(client, shop, f"/campaigns/{campaign['id']}/start").status_code == 409
    tenant, base = shop
    edit = client.patch(f"{base}/campaigns/{campaign['id']}", json={"message": "x"},
                        headers=tenant.headers)
    assert edit.status_code == 409
    rename = client.patch(f"{base}/campaigns/{campaign['id']}", json={"name": "Promo 2"},
                          headers=tenant.headers)
    assert rename.status_code == 200 and rename.get_json()["name"] == "Promo 2"
    assert client.delete(f"{base}/campaigns/{campaign['id']}", headers=tenant.headers).status_code == 409


@pytest.mark.parametrize("fields, status, field", [
    ({"message": ""}, 400, "message"), ({"target_tags": ["ninguem"]}, 409, None)])
def test_a_campaign_without_tags_text_or_audience_does_not_start(client, shop, fields, status, field):
    campaign = _campaign(client, shop, **fields)
    answer = _post(client, shop, f"/campaigns/{campaign['id']}/start")
    assert answer.status_code == status
    assert field is None or answer.get_json()["error"]["message"].startswith(field)


def test_a_campaign_without_tags_reaches_every_contact_that_did_not_opt_out(client, shop):
    campaign = _campaign(client, shop, target_tags=[])
    started = _post(client, shop, f"/campaigns/{campaign['id']}/start").get_json()
    assert started["counts"]["total"] == 5


def test_unknown_placeholders_are_refused_when_saving(client, shop):
    tenant, base = shop
    answer = client.post(f"{base}/campaigns", json={"name": "x", "message": "Oi {cidade}"},
                         headers=tenant.headers)
    assert answer.status_code == 400 and "{cidade}" in answer.get_json()["error"]["message"]


def test_messages_leave_one_at_a_time_paced_and_each_recipient_gets_one(client, shop, clean_db):
    tenant, _ = shop
    campaign = _campaign(client, shop, link="https://loja.example.com/promo")
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    clock = Clock(NOON)
    runner = CampaignRunner(clean_db, clock=clock, rng=lambda: 0.5)
    assert runner.run_due() == 1
    assert runner.run_due() == 0  # the gap holds
    clock.advance(seconds=19)
    assert runner.run_due() == 0
    clock.advance(seconds=1)
    assert runner.run_due() == 1
    clock.advance(seconds=20)
    assert runner.run_due() == 1
    clock.advance(seconds=20)
    assert runner.run_due() == 0  # all three are done
    messages = _campaign_messages(clean_db, tenant.id)
    assert [m["phone"] for m in messages] == ["5511988880001", "5511988880002", "5511988880003"]
    assert messages[0]["body"] == "Oi Bia, 20% off!\nhttps://loja.example.com/promo"
    progress = _get(client, shop, f"/campaigns/{campaign['id']}/progress")
    assert progress["status"] == "completed" and progress["counts"]["queued"] == 3
    assert progress["rate_per_minute"] == 3.0


def test_variants_are_picked_at_random(client, shop, clean_db):
    tenant, _ = shop
    campaign = _campaign(client, shop, variants=["E aí {name}? Promo!", "Olá {name}, promo!"])
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    draws = iter([0.0, 0.0, 0.4, 0.0, 0.9, 0.0])
    clock = Clock(NOON)
    runner = CampaignRunner(clean_db, clock=clock, rng=lambda: next(draws))
    for _ in range(3):
        runner.run_due()
        clock.advance(seconds=20)
    assert [m["body"] for m in _campaign_messages(clean_db, tenant.id)] == [
        "Oi Bia, 20% off!", "E aí Caio? Promo!", "Olá Duda, promo!"]


def test_sending_stops_while_the_number_is_not_connected_and_resumes(client, shop, clean_db):
    tenant, _ = shop
    campaign = _campaign(client, shop)
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    link(clean_db, tenant.id, status="disconnected")
    runner = CampaignRunner(clean_db, clock=Clock(NOON))
    assert runner.run_due() == 0
    waiting = _get(client, shop, f"/campaigns/{campaign['id']}/progress")["waiting"]
    assert waiting["reason"] == "not_connected" and waiting["number_status"] == "disconnected"
    link(clean_db, tenant.id, status="connected")
    assert runner.run_due() == 1


def test_pause_resume_and_cancel(client, shop, clean_db):
    tenant, _ = shop
    campaign = _campaign(client, shop)
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    clock = Clock(NOON)
    runner = CampaignRunner(clean_db, clock=clock)
    assert runner.run_due() == 1
    assert _post(client, shop, f"/campaigns/{campaign['id']}/pause").get_json()["status"] == "paused"
    clock.advance(minutes=5)
    assert runner.run_due() == 0
    assert _post(client, shop, f"/campaigns/{campaign['id']}/pause").status_code == 409
    assert _post(client, shop, f"/campaigns/{campaign['id']}/resume").get_json()["status"] == "running"
    assert runner.run_due() == 1
    cancelled = _post(client, shop, f"/campaigns/{campaign['id']}/cancel").get_json()
    assert cancelled["status"] == "cancelled"
    # the one never reached, and the two queued messages WhatsApp had not taken yet
    assert (cancelled["counts"]["cancelled"], cancelled["counts"]["pending"]) == (3, 0)
    assert [m["status"] for m in _campaign_messages(clean_db, tenant.id)] == ["cancelled"] * 2
    clock.advance(minutes=5)
    assert runner.run_due() == 0


def test_a_contact_that_opts_out_after_the_start_is_skipped(client, shop, managers, clean_db):
    tenant, base = shop
    campaign = _campaign(client, shop)
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    [bia] = managers.contacts.list_contacts(tenant.id, q="Bia")["items"]
    managers.contacts.update_contact(tenant.id, bia["id"], {"opted_out": True})
    CampaignRunner(clean_db, clock=Clock(NOON)).run_due()
    skipped = _get(client, shop, f"/campaigns/{campaign['id']}/recipients?status=skipped")["items"]
    assert [(r["phone"], r["error"]) for r in skipped] == [("5511988880001", "opted out")]
    assert [m["phone"] for m in _campaign_messages(clean_db, tenant.id)] == ["5511988880002"]


def test_two_dispatchers_at_once_message_each_recipient_exactly_once(client, shop, managers, clean_db):
    tenant, _ = shop
    for n in range(40):
        managers.contacts.create_contact(tenant.id, {"phone": f"1197777{n:04d}", "tags": ["vip"]})
    client.patch(f"/api/accounts/{tenant.id}/settings", headers=tenant.headers,
                 json={"pacing": {"min_gap_seconds": 0, "max_gap_seconds": 0}})
    campaign = _campaign(client, shop)
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    runners = [CampaignRunner(clean_db, clock=Clock(NOON)) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        for _ in range(200):
            if _get(client, shop, f"/campaigns/{campaign['id']}")["status"] == "completed":
                break
            list(pool.map(lambda runner: runner.run_due(), runners))
    phones = [m["phone"] for m in _campaign_messages(clean_db, tenant.id)]
    assert len(phones) == len(set(phones)) == 43
    assert _get(client, shop, f"/campaigns/{campaign['id']}")["status"] == "completed"


def test_the_daily_cap_with_warm_up_and_the_sending_window(client, shop, managers, clean_db):
    tenant, base = shop
    client.patch(f"{base}/settings", headers=tenant.headers, json={"pacing": {
        "daily_cap": 4, "warmup_days": 2, "window_start": "08:00", "window_end": "20:00"}})
    link(clean_db, tenant.id, phone="5511900000009", linked_at=NOON - timedelta(hours=1))
    campaign = _campaign(client, shop)
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    clock = Clock(NOON)
    managers.campaign_runs.clock = clock
    runner = CampaignRunner(clean_db, clock=clock)
    sent = []
    for _ in range(6):
        sent.append(runner.run_due())
        clock.advance(seconds=20)
    assert sent == [1, 1, 0, 0, 0, 0]  # day one of the warm-up: half the cap
    waiting = _get(client, shop, f"/campaigns/{campaign['id']}/progress")["waiting"]
    assert waiting["reason"] == "daily_cap"
    assert waiting["until"] == datetime(2026, 11, 21, 8, 0, tzinfo=SP).isoformat()
    clock.now = datetime(2026, 11, 21, 7, 59, tzinfo=SP)
    assert runner.run_due() == 0  # before the window opens
    clock.now = datetime(2026, 11, 21, 8, 0, tzinfo=SP)
    assert runner.run_due() == 1


def test_a_scheduled_campaign_starts_at_its_time(client, shop, managers, clean_db):
    campaign = _campaign(client, shop)
    clock = Clock(NOON)
    managers.campaign_runs.clock = clock
    send_at = (clock.now + timedelta(hours=2)).isoformat()
    scheduled = _post(client, shop, f"/campaigns/{campaign['id']}/start", json={"send_at": send_at})
    assert scheduled.get_json()["status"] == "scheduled", scheduled.get_json()
    runner = CampaignRunner(clean_db, clock=clock)
    assert runner.run_due() == 0
    clock.advance(hours=2)
    assert runner.run_due() == 1
    assert _get(client, shop, f"/campaigns/{campaign['id']}")["status"] == "running"


def test_recipients_page_in_send_order(client, shop, managers, clean_db):
    tenant, _ = shop
    for n in range(7):
        managers.contacts.create_contact(tenant.id, {"phone": f"1197777{n:04d}", "tags": ["vip"]})
    campaign = _campaign(client, shop)
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    first = _get(client, shop, f"/campaigns/{campaign['id']}/recipients?limit=6")
    rest = _get(client, shop, f"/campaigns/{campaign['id']}/recipients?limit=6&cursor={first['next_cursor']}")
    positions = [r["position"] for r in first["items"] + rest["items"]]
    assert positions == list(range(1, 11)) and rest["next_cursor"] is None
    assert {r["status"] for r in first["items"]} == {"pending"}


def test_a_running_campaign_follows_a_window_widened_after_it_started_and_after_pause(
        client, shop, managers, clean_db):
    tenant, base = shop
    client.patch(f"{base}/settings", headers=tenant.headers,
                 json={"pacing": {"window_start": "08:00", "window_end": "20:00"}})
    campaign = _campaign(client, shop)
    clock = Clock(datetime(2026, 11, 20, 3, 0, tzinfo=SP))
    managers.campaign_runs.clock = clock
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    runner = CampaignRunner(clean_db, clock=clock, rng=lambda: 0.5)
    assert runner.run_due() == 0
    waiting = _get(client, shop, f"/campaigns/{campaign['id']}/progress")["waiting"]
    assert (waiting["reason"], waiting["until"]) == ("window", datetime(2026, 11, 20, 8, 0, tzinfo=SP).isoformat())
    _post(client, shop, f"/campaigns/{campaign['id']}/pause")
    clock.advance(minutes=1)
    assert runner.run_due() == 0
    _post(client, shop, f"/campaigns/{campaign['id']}/resume")
    client.patch(f"{base}/settings", headers=tenant.headers,
                 json={"pacing": {"window_start": "00:00", "window_end": "23:59"}})
    assert _get(client, shop, f"/campaigns/{campaign['id']}/progress")["waiting"] is None
    assert runner.run_due() == 1  # at 03:01, not at 08:00
    waiting = _get(client, shop, f"/campaigns/{campaign['id']}/progress")["waiting"]
    assert waiting["reason"] == "gap"
    assert datetime.fromisoformat(waiting["until"]) == clock.now + timedelta(seconds=20)
    clock.advance(seconds=20)
    assert runner.run_due() == 1


def test_a_daily_cap_raised_while_running_lets_the_campaign_go_on_the_same_day(client, shop, managers,
                                                                               clean_db):
    tenant, base = shop
    client.patch(f"{base}/settings", headers=tenant.headers, json={"pacing": {"daily_cap": 1}})
    campaign = _campaign(client, shop)
    _post(client, shop, f"/campaigns/{campaign['id']}/start")
    clock = Clock(NOON)
    runner = CampaignRunner(clean_db, clock=clock)
    assert runner.run_due() == 1
    clock.advance(seconds=20)
    assert runner.run_due() == 0  # the cap holds
    client.patch(f"{base}/settings", headers=tenant.headers, json={"pacing": {"daily_cap": 10}})
    assert runner.run_due() == 1
