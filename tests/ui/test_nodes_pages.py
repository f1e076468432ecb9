"""The owner's Nodes page: health and usage of each node, capacity and priority, activate,
deactivate, drain and stop draining; nobody else sees it."""
from __future__ import annotations

import re

import pytest

from tests.support.clients import PASSWORD, csrf_token, signed_in
from tests.support.pages import open_more_actions
from zapfleet.db import instances as instances_sql
from zapfleet.db import nodes as nodes_sql

PAGE = "/admin/nodes"


@pytest.fixture
def owner(app, managers):
    """A client signed in as the platform admin, and its CSRF token."""
    managers.identity.create_user("owner@example.com", PASSWORD, None)
    client = signed_in(app, "owner@example.com")
    return client, csrf_token(client, "/password")


@pytest.fixture
def nodes(clean_db, managers):
    """A healthy node with one connected instance, and one that stopped beating."""
    with clean_db.system() as conn:
        live = nodes_sql.register_node(conn, "sp-1", "10.0.0.5", 7000, 100, 8, 3, 111)
        dead = nodes_sql.register_node(conn, "rj-1", "10.0.0.6", 7000, 100, 5, 0, 222)
        with conn.cursor() as cur:
            cur.execute("UPDATE nodes SET heartbeat_at = '2025-03-04 13:05:00+00' WHERE id = %s", (dead["id"],))
        account = managers.accounts.create_account({"name": "Salão Bela"})
        row = instances_sql.insert_instance(conn, account["id"], "bela_whatsapp", 7000, "sandbox",
                                            node_id=live["id"])
        instances_sql.update_observed(conn, row["id"], status="connected")
    return live, dead


def _card(page: str, node: dict) -> str:
    start = page.index(f'id="node-{node["id"]}"')
    return page[start:page.index("</section>", start)]


def test_the_page_shows_each_nodes_health_usage_and_priority(owner, nodes):
    client, _token = owner
    live, dead = nodes
    page = client.get(PAGE).get_data(as_text=True)
    assert re.search(r'href="/admin/nodes"[^>]*>Nodes<', page)  # in the main menu
    sp, rj = _card(page, live), _card(page, dead)
    assert "sp-1" in sp and "10.0.0.5" in sp and ">healthy<" in sp and ">active<" in sp
    assert "1 of 8 places taken (12%), 1 connected, 0 pinned" in sp and "priority 3" in sp
    assert "draining" not in sp and ">Drain<" in sp and ">Deactivate<" in sp
    assert ">unhealthy<" in rj and "last heartbeat: 2025-03-04 13:05:00 UTC" in rj
    assert "0 of 5 places taken (0%), 0 connected, 0 pinned" in rj
    assert page.index("sp-1") < page.index("rj-1")  # highest priority first
    assert re.search(r"<strong>1</strong> healthy nodes of 2", page)


def test_an_empty_page_says_how_a_node_joins(owner):
    client, _token = owner
    assert "No nodes yet. A node joins when its agent starts" in client.get(PAGE).get_data(as_text=True)


def test_the_owner_changes_capacity_and_priority(owner, nodes, managers):
    client, token = owner
    live, _dead = nodes
    response = client.post(f"{PAGE}/{live['id']}", data={"capacity": "12", "priority": "-2",
                                                         "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == f"{PAGE}#node-{live['id']}"
    node = managers.nodes.get(live["id"])
    assert (node["capacity"], node["priority"]) == (12, -2)
    page = client.get(PAGE).get_data(as_text=True)
    assert "The node sp-1 was saved." in page and "1 of 12 places taken" in page


def test_a_bad_number_is_shown_where_it_was_typed(owner, nodes, managers):
    client, token = owner
    live, _dead = nodes
    response = client.post(f"{PAGE}/{live['id']}", data={"capacity": "-1", "priority": "3",
                                                         "csrf_token": token})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert re.search(r'id="f-n1-capacity"[^>]*value="-1"[^>]*aria-invalid="true"', page), page
    assert "Capacity (WhatsApp numbers): must be a whole number from 0 to 10000" in page
    assert re.search(r'class="field-error"[^>]*>must be a whole number from 0 to 10000<', page)
    assert managers.nodes.get(live["id"])["capacity"] == 8


def test_the_buttons_deactivate_drain_and_undo(owner, nodes, managers):
    client, token = owner
    live, _dead = nodes
    steps = (("deactivate", {"active": False}, "keeps its WhatsApp numbers but gets no new one", ">Activate<"),
             ("drain", {"drain": True}, "is draining", ">Stop draining<"),
             ("activate", {"active": True}, "gets new WhatsApp numbers again", ">Deactivate<"),
             ("undrain", {"drain": False}, "stopped draining", ">Drain<"))
    for switch, expected, flashed, button in steps:
        response = client.post(f"{PAGE}/{live['id']}/{switch}", data={"csrf_token": token})
        assert response.status_code == 302, switch
        node = managers.nodes.get(live["id"])
        assert {k: node[k] for k in expected} == expected, switch
        page = client.get(PAGE).get_data(as_text=True)
        assert flashed in page and button in _card(page, live), switch
    assert client.post(f"{PAGE}/{live['id']}/explode", data={"csrf_token": token}).status_code == 404


def test_an_unknown_node_is_flashed_not_changed(owner, nodes):
    client, token = owner
    response = client.post(f"{PAGE}/00000000-0000-0000-0000-000000000001/drain", data={"csrf_token": token},
                           follow_redirects=True)
    assert "no such node" in response.get_data(as_text=True)
    assert client.post(f"{PAGE}/00000000-0000-0000-0000-000000000001",
                       data={"capacity": "3", "priority": "0", "csrf_token": token}).status_code == 404


def test_a_member_gets_404_and_forms_need_the_token(app, managers, owner, nodes):
    managers.accounts.register_customer({"name": "Salão", "email": "s@example.com", "password": PASSWORD},
                                        with_api_key=False)
    member = signed_in(app, "s@example.com")
    token = csrf_token(member, "/password")
    live, _dead = nodes
    assert member.get(PAGE).status_code == 404
    assert member.post(f"{PAGE}/{live['id']}/drain", data={"csrf_token": token}).status_code == 404
    client, _token = owner
    assert client.post(f"{PAGE}/{live['id']}/drain", data={}).status_code == 400
    assert managers.nodes.get(live["id"])["drain"] is False


def test_in_the_browser_the_owner_drains_a_node(ui, nodes):
    from playwright.sync_api import expect
    live, _dead = nodes
    page = ui.page()
    ui.sign_in(page, ui.admin())
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Nodes").click()
    card = page.locator(f"#node-{live['id']}")
    expect(card).to_contain_text("1 of 8 places taken (12%), 1 connected, 0 pinned")
    expect(card.locator('[data-field="health"]')).to_have_text("healthy")
    expect(card.get_by_role("button", name="Activate")).to_have_count(0)
    open_more_actions(card, "Deactivate")
    page.once("dialog", lambda dialog: dialog.accept())
    card.get_by_role("button", name="Drain", exact=True).click()
    expect(page.get_by_text("The node sp-1 is draining")).to_be_visible()
    expect(page.locator(f"#node-{live['id']} [data-field='drain']")).to_have_text("draining")
    assert ui.managers.nodes.get(live["id"])["drain"] is True
    expect(card.get_by_role("button", name="Stop draining")).to_be_visible()  # the undo is at hand
    ui.shot(page, "nodes")
