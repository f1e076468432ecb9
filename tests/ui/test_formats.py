"""One way to write dates and phones on the pages: dd/mm/aaaa HH:MM in the account's zone on
Portuguese pages (their own locale's way on English ones), phones as +55 11 98765-4321."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.support.clients import PASSWORD, csrf_token, signed_in
from web.ui.formats import day_title, month_text, moment_text, phone_label, utc_text

SAO_PAULO = ZoneInfo("America/Sao_Paulo")
ISO_DATE = re.compile(r">[^<]*\b20\d\d-\d\d-\d\d\b[^<]*<")  # an ISO date in a page's visible text


@pytest.mark.parametrize("digits, shown", [
    ("5511987654321", "+55 11 98765-4321"),
    ("551133334444", "+55 11 3333-4444"),
    ("5500711780279", "+55 00 71178-0279"),  # a sandbox's number: no area has it, grouped anyway
    ("14155552671", "+1 415-555-2671"),
    ("", ""),
])
def test_phones_read_as_people_write_them(digits, shown):
    assert phone_label(digits) == shown


@pytest.mark.parametrize("lang, moment, day, month", [
    ("pt_BR", "03/12/2026 21:23 -03", "Sexta-feira, 04/12/2026", "12/2026"),
    ("en", "2026-12-03 21:23 -03", "Friday, 2026-12-04", "2026-12")])
def test_dates_follow_the_pages_language(app, lang, moment, day, month):
    with app.test_request_context(headers={"Cookie": f"lang={lang}"}):
        at = datetime(2026, 12, 4, 0, 23, tzinfo=timezone.utc)
        assert moment_text(at, SAO_PAULO, with_zone=True) == moment
        assert day_title(date(2026, 12, 4)) == day
        assert month_text("2026-12") == month
        assert utc_text(at) == moment.replace("21:23 -03", "00:23 UTC").replace("03/12", "04/12").replace(
            "12-03", "12-04")


@pytest.fixture
def shop(app, managers):
    """A shop with a tagged contact and a signed-in member in Portuguese: (account, client, token)."""
    created = managers.accounts.register_customer({"name": "Loja Sol", "email": "sol@example.com",
                                                   "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    managers.contacts.create_contact(account, {"phone": "11 98888-0001", "name": "Ana", "tags": ["vip"]})
    client = signed_in(app, "sol@example.com")
    token = csrf_token(client, f"/a/{account}/campaigns")
    client.set_cookie("lang", "pt_BR")
    return account, client, token


def test_portuguese_pages_write_dates_as_dd_mm_yyyy_in_the_accounts_zone(shop, managers):
    account, client, token = shop
    campaign = managers.campaigns.create_campaign(account, {"name": "Verão", "message": "Oi {nome}!",
                                                            "target_tags": ["vip"]})
    later = (datetime.now(SAO_PAULO) + timedelta(days=3)).replace(hour=9, minute=30, second=0,
                                                                  microsecond=0)
    response = client.post(f"/a/{account}/campaigns/{campaign['id']}/start", data={
        "send_at": later.strftime("%Y-%m-%dT%H:%M"), "csrf_token": token}, follow_redirects=True)
    assert f"{later:%d/%m/%Y} 09:30" in response.get_data(as_text=True)
    listing = client.get(f"/a/{account}/campaigns").get_data(as_text=True)
    assert f"{later:%d/%m/%Y} 09:30" in listing
    for path in ("/campaigns", f"/campaigns/{campaign['id']}", "/contacts"):
        page = client.get(f"/a/{account}{path}").get_data(as_text=True)
        assert not ISO_DATE.search(page), (path, ISO_DATE.search(page))
