"""Plan limits through the API: a clear 403 plan_limit, per plan, other plans untouched."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from tests.support.clock import Clock
from tests.support.linked import link
from zapfleet.campaigns.runner import CampaignRunner
from zapfleet.tenancy.plans import PlanLimits

SEND = {"phone": "5511988887777", "message": "Oi"}


@pytest.fixture
def config(config):
    """The test Config with a free plan that keeps 2 contacts and sends 1 message a day."""
    return config.with_overrides(plan_limits={"free": {"contacts": 2, "messages_per_day": 1}})


def _add(client, tenant, phone):
    return client.post(f"/api/accounts/{tenant.id}/contacts", headers=tenant.headers,
                       json={"phone": phone})


def test_the_free_plan_keeps_its_number_of_contacts(client, register):
    tenant = register("Salão Bela")
    assert [_add(client, tenant, f"551198888000{n}").status_code for n in range(2)] == [201, 201]
    refused = _add(client, tenant, "5511988880009")
    assert refused.status_code == 403
    assert refused.get_json()["error"] == {"code": "plan_limit",
                                           "message": "contacts: the free plan allows 2 contacts in all"}


def test_an_import_past_the_limit_is_refused(client, register):
    tenant = register("Salão Bela")
    csv = "phone,name\n5511988880001,Ana\n5511988880002,Bia\n5511988880003,Cris\n"
    answer = client.post(f"/api/accounts/{tenant.id}/contacts/import", headers={
        **tenant.headers, "Content-Type": "text/csv"}, data=csv.encode())
    assert answer.status_code == 403 and answer.get_json()["error"]["code"] == "plan_limit"
    listed = client.get(f"/api/accounts/{tenant.id}/contacts", headers=tenant.headers).get_json()
    assert listed["items"] == []


def test_the_free_plan_sends_its_number_of_messages_a_day(client, register, admin_headers):
    tenant = register("Salão Bela")
    url = f"/api/accounts/{tenant.id}/send"
    assert client.post(url, headers=tenant.headers, json=SEND).status_code == 202
    refused = client.post(url, headers=tenant.headers, json=SEND)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["message"] == "messages_per_day: the free plan allows 1 in any 24 hours"
    client.patch(f"/api/accounts/{tenant.id}", headers=admin_headers, json={"plan": "pro"})
    assert client.post(url, headers=tenant.headers, json=SEND).status_code == 202


def test_a_campaign_waits_when_the_plan_s_messages_for_the_day_are_used_up(client, register, managers,
                                                                           clean_db):
    tenant = register("Salão Bela")
    link(clean_db, tenant.id)
    base = f"/api/accounts/{tenant.id}"
    client.patch(f"{base}/settings", headers=tenant.headers, json={"pacing": {
        "min_gap_seconds": 0, "max_gap_seconds": 0, "window_start": "00:00", "window_end": "23:59",
        "warmup_days": 0}})
    for phone in ("5511988880001", "5511988880002"):
        _add(client, tenant, phone)
    campaign = client.post(f"{base}/campaigns", headers=tenant.headers, json={
        "name": "Promoção", "message": "Oi!"}).get_json()
    assert client.post(f"{base}/campaigns/{campaign['id']}/start", headers=tenant.headers).status_code == 200
    clock = Clock(datetime.now(timezone.utc))
    runner = CampaignRunner(clean_db, clock=clock, plans=PlanLimits({"free": {"messages_per_day": 1}}))
    assert runner.run_due() == 1
    clock.advance(seconds=60)
    assert runner.run_due() == 0  # the plan allows one a day: the second waits
    progress = client.get(f"{base}/campaigns/{campaign['id']}/progress", headers=tenant.headers).get_json()
    assert progress["counts"]["queued"] == 1 and progress["status"] == "running"
