"""The metrics charts: the account's on its WhatsApp page, the platform's (and each account's
totals) on the owner's dashboard; drawn on the server as SVG."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from tests.support.clients import PASSWORD, signed_in
from web.ui.charts import bar_chart


def test_bars_are_scaled_to_a_round_axis_and_say_their_figures():
    chart = bar_chart([{"d": "a", "n": 3}, {"d": "b", "n": 7}], [("n", "sent")], "d")
    assert chart["axis"] == "10" and [b["h"] for b in chart["bars"]] == [44.4, 103.6]
    assert [b["title"] for b in chart["bars"]] == ["a: sent 3", "b: sent 7"]
    assert bar_chart([], [("n", "sent")], "d")["bars"] == []


def test_the_account_page_charts_its_messages_and_the_dashboard_lists_each_account(app, managers):
    created = managers.accounts.register_customer({"name": "Pet Shop", "email": "pet@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    for n in range(3):
        managers.conversations.record_message(account, f"551198888000{n}", "in", "Oi!", "received")
    today = datetime.now(ZoneInfo("America/Sao_Paulo")).date().isoformat()
    page = signed_in(app, "pet@example.com").get(f"/a/{account}/").get_data(as_text=True)
    assert "Messages per day (last 30 days): 0 sent, 3 received" in page
    assert f"<title>{today}: received 3</title>" in page and 'id="chart-replies"' in page
    admin = "owner@example.com"
    managers.identity.create_user(admin, PASSWORD, None)
    owner = signed_in(app, admin)
    assert 'data-url="/admin/metrics?part=1"' in owner.get("/admin").get_data(as_text=True)
    for url in ("/admin/metrics?part=1", "/admin/metrics"):  # the dashboard's part, its own page
        figures = owner.get(url).get_data(as_text=True)
        assert "3 received" in figures
        assert re.search(rf'<tr data-account="{account}"><td>Pet Shop</td><td>0</td><td>3</td><td>0</td></tr>', figures)
    assert signed_in(app, "pet@example.com").get("/admin/metrics").status_code == 404


def test_in_the_browser_the_chart_shows_on_the_account_page(ui):
    page = ui.page()
    ui.sign_up(page, "Barbearia do Zé")
    account = page.url.rstrip("/").rsplit("/", 1)[1]
    ui.managers.conversations.record_message(account, "5511988880001", "in", "Tem horário hoje?", "received")
    page.reload()
    chart = page.locator("#chart-messages")
    expect(chart).to_contain_text("1 received")
    expect(chart.locator("rect.bar.received").last).to_have_attribute("height", re.compile(r"^[1-9]"))
    page.locator("#metrics").scroll_into_view_if_needed()
    ui.shot(page, "workspace-metrics")
    owner = ui.page()
    ui.sign_in(owner, ui.admin())
    expect(owner.locator("#platform-metrics #chart-messages")).to_contain_text("1 received")
    expect(owner.locator("#account-totals")).to_contain_text("Barbearia do Zé")
    ui.shot(owner, "dashboard-metrics")
