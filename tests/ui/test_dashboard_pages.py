"""The owner's dashboard: every account, its worker and live status; the lifecycle buttons."""
from __future__ import annotations

import re
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.support.clients import english_client, PASSWORD, csrf_token, sign_in
from web import create_app
from zapfleet.db import instances as instances_sql

ACTIONS = ("connect", "reconnect", "start", "stop", "restart", "logout", "delete", "delete-account")


def _sign_in(client, email: str) -> str:
    """Sign in; return a CSRF token for the session's forms."""
    assert sign_in(client, email).status_code == 302
    return csrf_token(client, "/password")


@pytest.fixture
def fake_app(config, clean_db, identity, fake_instances):
    """The app with the InstanceManager over a fake supervisord and fake workers."""
    return create_app(config, db=clean_db, identity=identity,
                      instances=fake_instances.manager)


@pytest.fixture
def owner(fake_app, managers):
    """A test client signed in as the platform admin, and its CSRF token."""
    managers.identity.create_user("owner@example.com", PASSWORD, None)
    client = english_client(fake_app)
    return client, _sign_in(client, "owner@example.com")


def _instance(db, account_id, port: int, engine: str = "sandbox", **observed) -> dict:
    with db.system() as conn:
        row = instances_sql.insert_instance(conn, account_id, f"x{port}_whatsapp", port, engine)
        return instances_sql.update_observed(conn, row["id"], **observed) if observed else row


def _accounts_in_every_state(managers, db) -> dict:
    """Four accounts: connected (with messages today), waiting for a scan, failed, no instance."""
    names = ("Salão Bela", "Clínica Sorriso", "Academia Forte", "Pet Feliz")
    ids = {n: managers.accounts.create_account({"name": n})["id"] for n in names}
    _instance(db, ids["Salão Bela"], 5101, status="connected", phone="5511988887777",
              last_connected=datetime(2025, 3, 4, 13, 5, tzinfo=timezone.utc))
    _instance(db, ids["Clínica Sorriso"], 5102, status="waiting_qr",
              qr_code="http://127.0.0.1:8000/sandbox/scan/abc.def")
    _instance(db, ids["Academia Forte"], 5103, engine="baileys", status="error",
              last_error="the worker could not be started: port in use")
    managers.conversations.record_message(ids["Salão Bela"], "11 97777-1111", "in", "Oi!", "received")
    sent = managers.conversations.record_message(ids["Salão Bela"], "11 97777-1111", "out", "Olá!", "sent")
    with db.system() as conn, conn.cursor() as cur:  # WhatsApp took it: it counts from then
        cur.execute("UPDATE messages SET sent_at = now() WHERE id = %s", (sent["id"],))
    return ids


# -- who may see it -------------------------------------------------------------------------

def test_a_member_gets_404_for_the_dashboard_its_json_and_every_button(fake_app, managers):
    created = managers.accounts.register_customer({"name": "Clínica Sorriso", "email": "ana@example.com",
                                         "password": PASSWORD}, with_api_key=False)
    own = created["account"]["id"]
    client = english_client(fake_app)
    token = _sign_in(client, "ana@example.com")
    assert client.get("/admin").status_code == 404
    response = client.get("/admin/status.json")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"
    assert client.post("/admin/accounts", data={"name": "X", "csrf_token": token}).status_code == 404
    for action in ACTIONS:
        response = client.post(f"/admin/accounts/{own}/{action}", data={"csrf_token": token})
        assert response.status_code == 404, action
    assert managers.accounts.get_account(own)["name"] == "Clínica Sorriso"
    assert [a["name"] for a in managers.accounts.list_accounts()] == ["Clínica Sorriso"]


def test_visitors_are_sent_to_sign_in(client):
    assert "/login?next=/admin" in client.get("/admin").headers["Location"]
    assert client.get("/admin/status.json").status_code == 302


# -- the page --------------------------------------------------------------------------------

def test_the_owner_sees_every_account_with_port_phone_badge_qr_and_messages_today(
        owner, managers, clean_db):
    client, _ = owner
    ids = _accounts_in_every_state(managers, clean_db)
    page = client.get("/admin").get_data(as_text=True)
    for name, account_id in ids.items():
        assert name in page and f'href="/a/{account_id}/"' in page
    for text in ("5101", "+55 11 98888-7777", ">Connected<", ">Waiting for QR scan<", ">Error<",
                 "port in use", ">No WhatsApp yet<", "2025-03-04 10:05 -03"):
        assert text in page, text
    assert page.count('class="badge sandbox"') == 2  # the baileys instance is no sandbox
    assert page.count('src="data:image/svg+xml') == 1
    assert 'href="http://127.0.0.1:8000/sandbox/scan/abc.def"' in page
    row = page[page.index(f'id="account-{ids["Salão Bela"]}"'):]
    assert re.search(r'data-field="messages_today">2<', row)


def test_an_empty_dashboard_says_what_to_do(owner):
    client, _ = owner
    page = client.get("/admin").get_data(as_text=True)
    assert "No accounts yet. Create the first one" in page
    assert re.search(r'data-summary="accounts">0<', page)


def test_the_status_json_has_each_accounts_badge_qr_actions_and_the_summary(
        owner, managers, clean_db, fake_instances):
    client, _ = owner
    ids = _accounts_in_every_state(managers, clean_db)
    body = client.get("/admin/status.json").get_json()
    by_name = {a["name"]: a for a in body["accounts"]}
    assert [a["id"] for a in body["accounts"]] == [str(i) for i in ids.values()]
    bela, sorriso = by_name["Salão Bela"], by_name["Clínica Sorriso"]
    assert (bela["status"], bela["badge"], bela["phone"], bela["port"]) == (
        "connected", "Connected", "+55 11 98888-7777", 5101)
    assert (bela["messages_today"], bela["qr"], bela["sandbox"]) == (2, None, True)
    assert bela["actions"] == ["stop", "restart", "logout", "delete", "delete-account"]
    assert sorriso["qr"]["src"].startswith("data:image/svg+xml")
    assert sorriso["qr"]["link"] == "http://127.0.0.1:8000/sandbox/scan/abc.def"
    assert sorriso["actions"] == ["stop", "restart", "reconnect", "delete", "delete-account"]
    forte = by_name["Academia Forte"]
    assert (forte["badge"], forte["reason"], forte["sandbox"]) == (
        "Error", "the worker could not be started: port in use", False)
    pet = by_name["Pet Feliz"]
    assert (pet["status"], pet["port"], pet["actions"]) == ("none", None, ["connect", "delete-account"])
    assert body["summary"] == {"accounts": 4, "connected": 1, "waiting_qr": 1,
                               "workers_running": 0, "messages_today": 2}


def test_workers_running_comes_from_one_supervisord_call_and_is_unknown_when_it_is_down(
        owner, managers, fake_instances):
    client, token = owner
    account = managers.accounts.create_account({"name": "Salão Bela"})
    client.post(f"/admin/accounts/{account['id']}/connect", data={"csrf_token": token})
    assert client.get("/admin/status.json").get_json()["summary"]["workers_running"] == 1

    def down(max_age: float = 0.0):
        from zapfleet.core.errors import Unavailable
        raise Unavailable("process supervisor is not running")
    fake_instances.supervisor.all_process_info = down
    body = client.get("/admin/status.json").get_json()
    assert body["summary"]["workers_running"] is None
    assert body["accounts"][0]["status"] == "waiting_qr"
    page = client.get("/admin").get_data(as_text=True)
    assert "The process supervisor is not answering" in page
    assert not re.search(r"data-supervisor-down\s+hidden", page)


def test_messages_today_count_from_midnight_in_the_accounts_time_zone(managers, clean_db):
    from zapfleet.fleet.overview import accounts_overview
    utc = managers.accounts.create_account({"name": "Em UTC", "settings": {"time_zone": "UTC"}})
    sp = managers.accounts.create_account({"name": "Em São Paulo",
                                 "settings": {"time_zone": "America/Sao_Paulo"}})
    unset = managers.accounts.create_account({"name": "Sem fuso"})  # the default zone: São Paulo
    now = datetime(2025, 3, 4, 12, 0, tzinfo=timezone.utc)  # 09:00 in São Paulo
    for account in (utc, sp, unset):
        for hours_ago in (1, 10, 14, 30):  # UTC: 11:00, 02:00, 22:00 and 06:00 the day before
            message = managers.conversations.record_message(account["id"], "11 97777-1111", "in",
                                             f"m{hours_ago}", "received")
            with clean_db.system() as conn, conn.cursor() as cur:
                cur.execute("UPDATE messages SET created_at = %s WHERE id = %s",
                            (now - timedelta(hours=hours_ago), message["id"]))
    counts = {r["name"]: r["messages_today"] for r in accounts_overview(clean_db, now)}
    assert counts == {"Em UTC": 2, "Em São Paulo": 1, "Sem fuso": 1}  # São Paulo's day began at 03:00 UTC
    later = now + timedelta(hours=13)  # 01:00 UTC on the 5th; still the 4th in São Paulo
    counts = {r["name"]: r["messages_today"] for r in accounts_overview(clean_db, later)}
    assert counts == {"Em UTC": 0, "Em São Paulo": 1, "Sem fuso": 1}


def _exchange(managers, db, account_id, **states) -> None:
    """Messages of an account today: received, sent (WhatsApp took them), and some that do not
    count as exchanged (still queued, failed, cancelled)."""
    for n in range(states.get("received", 0)):
        managers.conversations.record_message(account_id, "11 97777-1111", "in", f"oi {n}", "received")
    for status in ("sent", "delivered", "read", "queued", "failed", "cancelled"):
        for n in range(states.get(status, 0)):
            message = managers.conversations.record_message(account_id, "11 97777-2222", "out",
                                                            f"{status} {n}", status)
            if status in ("sent", "delivered", "read"):
                with db.system() as conn, conn.cursor() as cur:
                    cur.execute("UPDATE messages SET sent_at = now() WHERE id = %s", (message["id"],))


def test_messages_today_agree_with_the_accounts_table_and_the_metrics(owner, managers, clean_db):
    client, _ = owner
    bela = managers.accounts.create_account({"name": "Salão Bela"})["id"]
    forte = managers.accounts.create_account({"name": "Academia Forte"})["id"]
    _exchange(managers, clean_db, bela, received=3, sent=2, delivered=1, queued=2, failed=1)
    _exchange(managers, clean_db, forte, received=1, read=1, cancelled=3)
    body = client.get("/admin/status.json").get_json()
    table = {a["name"]: a["messages_today"] for a in body["accounts"]}
    assert table == {"Salão Bela": 6, "Academia Forte": 2}
    assert body["summary"]["messages_today"] == sum(table.values()) == 8
    for account_id, name in ((bela, "Salão Bela"), (forte, "Academia Forte")):
        today = managers.metrics.for_account(account_id, {})["messages_per_day"][-1]
        assert today["sent"] + today["received"] == table[name]
    platform = managers.metrics.for_platform({})["messages_per_day"][-1]
    assert platform["sent"] + platform["received"] == body["summary"]["messages_today"]
    page = client.get("/admin").get_data(as_text=True)
    assert re.search(r'data-summary="messages_today">8</strong><span data-summary-label="messages_today">messages today<', page)


@pytest.mark.parametrize("lang, texts", [
    ("pt_BR", ("1</strong><span data-summary-label=\"accounts\">conta<",
               "0</strong><span data-summary-label=\"connected\">contas conectadas<",
               "1</strong><span data-summary-label=\"messages_today\">mensagem hoje<",
               "0</strong><span data-summary-label=\"workers_running\">processos do WhatsApp ativos<")),
    ("en", ("1</strong><span data-summary-label=\"accounts\">account<",
            "0</strong><span data-summary-label=\"connected\">accounts connected<",
            "1</strong><span data-summary-label=\"messages_today\">message today<"))])
def test_the_summary_words_agree_with_their_counts(owner, managers, clean_db, lang, texts):
    client, _ = owner
    account = managers.accounts.create_account({"name": "Salão Bela"})["id"]
    _exchange(managers, clean_db, account, received=1)
    client.set_cookie("lang", lang)
    page = client.get("/admin").get_data(as_text=True)
    for text in texts:
        assert text in page, text
    assert "workers rodando" not in page and "0 conectado<" not in page
    labels = client.get("/admin/status.json").get_json()["summary_labels"]
    assert labels["accounts"] == ("conta" if lang == "pt_BR" else "account")


def test_the_business_phone_typed_at_creation_shows_on_the_dashboard(owner, managers):
    client, token = owner
    response = client.post("/admin/accounts", data={"name": "Pet Feliz", "phone": "11 98765-4321",
                                                    "csrf_token": token}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Business phone: +55 11 98765-4321" in page
    [pet] = client.get("/admin/status.json").get_json()["accounts"]
    assert (pet["business_phone"], pet["phone"]) == ("+55 11 98765-4321", None)


# -- the forms -------------------------------------------------------------------------------

def test_the_owner_creates_an_account_from_the_page(owner, managers):
    client, token = owner
    response = client.post("/admin/accounts", data={"name": "Barbearia do Zé", "phone": "",
                                                    "csrf_token": token})
    assert response.status_code == 302
    [account] = managers.accounts.list_accounts()
    assert account["name"] == "Barbearia do Zé" and account["phone"] is None
    assert response.headers["Location"] == f"/admin#account-{account['id']}"
    page = client.get("/admin").get_data(as_text=True)
    assert "The account Barbearia do Zé was created" in page
    assert ">No WhatsApp yet<" in page


def test_a_bad_new_account_shows_the_apis_message_and_keeps_what_was_typed(owner, managers):
    client, token = owner
    managers.accounts.create_account({"name": "Salão Bela", "phone": "11 98888-7777"})
    response = client.post("/admin/accounts", data={"name": "Outro Salão", "phone": "11 98888-7777",
                                                    "csrf_token": token})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "an account with this slug or phone already exists" in page
    assert 'value="Outro Salão"' in page
    response = client.post("/admin/accounts", data={"name": " ", "csrf_token": token})
    assert response.status_code == 400 and "Name: must not be empty" in response.get_data(as_text=True)
    assert len(managers.accounts.list_accounts()) == 1


def test_a_button_for_an_unknown_account_is_404(owner):
    client, token = owner
    for action in ACTIONS:
        response = client.post(f"/admin/accounts/{uuid.uuid4()}/{action}", data={"csrf_token": token})
        assert response.status_code == 404, action
    assert client.post(f"/admin/accounts/{uuid.uuid4()}/explode",
                       data={"csrf_token": token}).status_code == 404


def test_a_button_needs_the_csrf_token(owner, managers):
    client, _ = owner
    account = managers.accounts.create_account({"name": "Salão Bela"})
    assert client.post(f"/admin/accounts/{account['id']}/connect").status_code == 400
    assert client.get("/admin/status.json").get_json()["accounts"][0]["status"] == "none"


def test_the_lifecycle_buttons_drive_the_instance_manager(owner, managers, fake_instances):
    client, token = owner
    account_id = managers.accounts.create_account({"name": "Salão Bela"})["id"]
    instances = fake_instances.manager

    def press(action: str) -> str:
        response = client.post(f"/admin/accounts/{account_id}/{action}", data={"csrf_token": token})
        assert response.status_code == 302, action
        assert response.headers["Location"].startswith("/admin")
        return client.get("/admin").get_data(as_text=True)

    page = press("connect")
    assert "Scan the QR code of Salão Bela" in page
    assert instances.get(account_id)["status"] == "waiting_qr"
    assert press("stop") and instances.get(account_id)["desired_state"] == "stopped"
    assert "The worker of Salão Bela is starting" in press("start")
    assert instances.get(account_id)["desired_state"] == "running"
    assert "is restarting" in press("restart")
    fake_instances.workers.states[instances.get(account_id)["port"]] = "connected"
    assert "Salão Bela is already connected" in press("reconnect")
    assert "The phone of Salão Bela was unlinked" in press("logout")
    assert instances.get(account_id)["status"] == "logged_out"
    assert "The WhatsApp instance of Salão Bela was deleted" in press("delete")
    assert instances.find(account_id) is None
    assert managers.accounts.get_account(account_id)["name"] == "Salão Bela"


def test_a_failing_button_shows_the_reason_on_the_page(owner, managers):
    client, token = owner
    account_id = managers.accounts.create_account({"name": "Salão Bela"})["id"]
    response = client.post(f"/admin/accounts/{account_id}/logout", data={"csrf_token": token})
    assert response.status_code == 302
    page = client.get("/admin").get_data(as_text=True)
    assert "Salão Bela: this account has no WhatsApp instance" in page


def test_a_log_out_the_worker_cannot_do_leaves_the_status_as_it_was(owner, managers,
                                                                     fake_instances):
    client, token = owner
    account_id = managers.accounts.create_account({"name": "Salão Bela"})["id"]
    client.post(f"/admin/accounts/{account_id}/connect", data={"csrf_token": token})
    instance = fake_instances.manager.get(account_id)
    fake_instances.supervisor.states[instance["instance_name"]] = "STOPPED"  # the worker is down
    client.post(f"/admin/accounts/{account_id}/logout", data={"csrf_token": token})
    assert "Salão Bela: the WhatsApp worker is not running" in client.get("/admin").get_data(
        as_text=True)
    after = fake_instances.manager.get(account_id)
    assert (after["status"], after["qr_code"]) == ("waiting_qr", instance["qr_code"])


def test_delete_account_removes_its_instance_then_the_account(owner, managers, fake_instances):
    client, token = owner
    account_id = managers.accounts.create_account({"name": "Salão Bela"})["id"]
    client.post(f"/admin/accounts/{account_id}/connect", data={"csrf_token": token})
    name = fake_instances.manager.get(account_id)["instance_name"]
    response = client.post(f"/admin/accounts/{account_id}/delete-account",
                           data={"csrf_token": token})
    assert response.headers["Location"] == "/admin"
    assert managers.accounts.list_accounts() == [] and fake_instances.manager.list() == []
    assert name not in fake_instances.supervisor.active
    assert "The account Salão Bela and all its data were deleted" in client.get("/admin").get_data(
        as_text=True)


# -- in the browser, with real sandbox workers under a real supervisord ------------------------

FOUR = ("Salão Bela", "Clínica Sorriso", "Academia Forte", "Pet Feliz")


def _row(page, name: str):
    return page.locator("tbody[data-account]").filter(
        has=page.get_by_role("link", name=name, exact=True))


def test_the_owners_dashboard_with_four_linked_accounts(ui):
    page = ui.page()
    ui.sign_in(page, ui.admin())
    page.goto("/admin")
    expect(page.get_by_text("No accounts yet")).to_be_visible()
    for name in FOUR:
        page.get_by_label("Business name").fill(name)
        page.get_by_role("button", name="Create account").click()
        expect(page.get_by_text(f"The account {name} was created")).to_be_visible()
    for name in FOUR:
        _row(page, name).get_by_role("button", name="Connect").click()
        expect(page.get_by_text(f"Scan the QR code of {name}")).to_be_visible()
        row = _row(page, name)
        expect(row.get_by_role("img", name=f"QR code to link the WhatsApp of {name}")).to_be_visible()
        expect(row.locator('[data-field="badge"]')).to_have_text("Waiting for QR scan")
        expect(row.locator(".badge.sandbox")).to_have_text("sandbox")
    expect(page.locator('[data-summary="waiting_qr"]')).to_have_text("4")
    expect(page.locator('[data-summary="workers_running"]')).to_have_text("4")
    expect(page.get_by_text("The process supervisor is not answering")).to_be_hidden()
    ui.shot(page, "dashboard-waiting-qr")

    page.evaluate("window.notReloaded = true")  # gone if the page reloads
    phone = page.context.new_page()
    for name in FOUR:
        row = _row(page, name)
        phone.goto(row.get_by_role("link", name="Open the QR link").get_attribute("href"))
        expect(phone.locator("#linked-to")).to_have_text(re.compile(rf"^The test WhatsApp of {name} is now connected"))
        expect(row.locator('[data-field="badge"]')).to_have_text("Connected", timeout=2000)
        expect(row.get_by_role("img", name=re.compile("QR code"))).to_be_hidden()
        expect(row.locator('[data-field="phone"]')).to_have_text(re.compile(r"^\+55 \d\d \d{4,5}-\d{4}$"))
        expect(row.get_by_role("button", name="Log out")).to_be_visible()
    expect(page.locator('[data-summary="connected"]')).to_have_text("4")
    expect(page.locator('[data-summary="waiting_qr"]')).to_have_text("0")
    assert page.evaluate("window.notReloaded") is True
    ui.shot(page, "dashboard-four-linked")

    small = ui.page(width=390, height=844)
    ui.sign_in(small, ui.admin())
    small.goto("/admin")
    expect(small.locator('[data-summary="connected"]')).to_have_text("4")
    ui.shot(small, "dashboard-phone")


def test_log_out_brings_a_new_qr_and_delete_asks_first(ui):
    page = ui.page()
    ui.sign_in(page, ui.admin())
    account = ui.managers.accounts.create_account({"name": "Salão Bela"})
    page.goto("/admin")
    row = _row(page, "Salão Bela")
    row.get_by_role("button", name="Connect").click()
    page.goto(_row(page, "Salão Bela").get_by_role("link", name="Open the QR link").get_attribute("href"))
    page.goto("/admin")
    row = _row(page, "Salão Bela")
    expect(row.locator('[data-field="badge"]')).to_have_text("Connected")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("The phone of Salão Bela was unlinked")).to_be_visible()
    row = _row(page, "Salão Bela")
    expect(row.locator('[data-field="badge"]')).to_have_text("Waiting for QR scan")
    expect(row.get_by_role("img", name=re.compile("QR code"))).to_be_visible()

    expect(row.get_by_role("button", name="Delete", exact=True)).to_be_hidden()  # in "More actions"
    expect(row.get_by_role("button", name="Delete account")).to_be_hidden()
    row.get_by_text("More actions").click()
    page.once("dialog", lambda dialog: dialog.dismiss())
    row.get_by_role("button", name="Delete", exact=True).click()
    expect(row.get_by_role("button", name="Delete", exact=True)).to_be_enabled()
    assert ui.app.extensions["zapfleet"].instances.find(account["id"]) is not None
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name="Delete", exact=True).click()
    expect(page.get_by_text("The WhatsApp instance of Salão Bela was deleted")).to_be_visible()
    expect(_row(page, "Salão Bela").locator('[data-field="badge"]')).to_have_text("No WhatsApp yet")
    assert ui.app.extensions["zapfleet"].instances.find(account["id"]) is None


def test_account_names_are_escaped_in_the_rows_and_their_confirmations(owner, managers):
    client, _ = owner
    managers.accounts.create_account({"name": "<b>Bela</b> & Cia"})
    page = client.get("/admin").get_data(as_text=True)
    assert "<b>Bela</b>" not in page
    assert 'data-confirm="Delete the account &lt;b&gt;Bela&lt;/b&gt; &amp; Cia with all' in page
    pt = client.get("/admin", headers={"Cookie": "lang=pt_BR"}).get_data(as_text=True)
    assert "<b>Bela</b>" not in pt and "&lt;b&gt;Bela&lt;/b&gt; &amp; Cia" in pt


# -- nodes -----------------------------------------------------------------------------------

def test_each_instance_shows_its_node_and_its_last_move(owner, managers, clean_db):
    from zapfleet.db import nodes as nodes_sql
    client, _ = owner
    moved, local, none = (managers.accounts.create_account({"name": n})["id"]
                          for n in ("Salão Bela", "Clínica Sorriso", "Pet Feliz"))
    with clean_db.system() as conn:
        nodes_sql.register_node(conn, "sp-1", "10.0.0.5", 7000, 100, 20, 0, 1)
        rj = nodes_sql.register_node(conn, "rj-1", "10.0.0.6", 7000, 100, 20, 0, 2)
        row = instances_sql.insert_instance(conn, moved, "bela_whatsapp", 7000, "sandbox", node_id=rj["id"])
        nodes_sql.add_history(conn, row["id"], moved, "placed", None, "sp-1", "first placement")
        nodes_sql.add_history(conn, row["id"], moved, "moved", "sp-1", "rj-1", "node sp-1 stopped answering")
        with conn.cursor() as cur:
            cur.execute("UPDATE instance_history SET at = '2025-03-04 13:05:00+00' WHERE event = 'moved'")
    _instance(clean_db, local, 5102)  # on no node: a single machine
    page = client.get("/admin").get_data(as_text=True)
    assert re.search(r"<th>Node</th>", page)

    def row_of(account_id) -> str:
        start = page.index(f'id="account-{account_id}"')
        return page[start:page.index("</tbody>", start)]
    bela = row_of(moved)
    assert re.search(r'data-field="node">rj-1<', bela)
    assert "sp-1 → rj-1: node sp-1 stopped answering, 2025-03-04 10:05 -03" in bela
    assert not re.search(r'data-field="last_move_box"[^>]*hidden', bela)
    for quiet in (local, none):
        assert re.search(r'data-field="node">—<', row_of(quiet))
        assert re.search(r'data-field="last_move_box"[^>]*hidden', row_of(quiet))
    polled = {a["name"]: a for a in client.get("/admin/status.json").get_json()["accounts"]}
    assert (polled["Salão Bela"]["node"], polled["Clínica Sorriso"]["node"], polled["Pet Feliz"]["node"]) == (
        "rj-1", None, None)
    assert polled["Salão Bela"]["last_move"].startswith("sp-1 → rj-1: node sp-1 stopped answering")
    assert polled["Clínica Sorriso"]["last_move"] is None


def test_placements_hold_each_instances_newest_move_only(managers, clean_db):
    from zapfleet.db import nodes as nodes_sql
    with clean_db.system() as conn:
        node = nodes_sql.register_node(conn, "sp-1", "10.0.0.5", 7000, 100, 20, 0, 1)
    ids = []
    for n in range(3):
        account = managers.accounts.create_account({"name": f"Loja {n}"})
        ids.append(account["id"])
        with clean_db.system() as conn:
            row = instances_sql.insert_instance(conn, account["id"], f"l{n}_whatsapp", 7000 + n, "sandbox",
                                                node_id=node["id"] if n else None)
            for step in range(n):  # Loja 0 never moved, Loja 2 moved twice
                nodes_sql.add_history(conn, row["id"], account["id"], "moved", f"old{step}", "sp-1",
                                      f"move {step}")
            nodes_sql.add_history(conn, row["id"], account["id"], "placed", None, "sp-1", "placed last")
    with clean_db.system() as conn:
        placed = nodes_sql.placements(conn)
    assert [(placed[i]["node_name"], placed[i]["from_node"], placed[i]["reason"]) for i in ids] == [
        (None, None, None), ("sp-1", "old0", "move 0"), ("sp-1", "old1", "move 1")]
