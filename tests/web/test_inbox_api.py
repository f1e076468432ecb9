"""The team inbox's API: previews and filters, status, assignment, labels, private notes, quick
replies and full-text search in Portuguese; other accounts' credentials get 404 everywhere."""
from __future__ import annotations

import pytest

from tests.support.clients import bearer
from zapfleet.db import messages as sql


@pytest.fixture
def salon(register, managers):
    """A salon with two conversations: Ana's (she asked about a time) and Bruno's."""
    tenant = register("Salão Bela")
    record = managers.conversations.record_message
    managers.contacts.create_contact(tenant.id, {"phone": "11 98888-0001", "name": "Ana Souza"})
    ana = record(tenant.id, "11 98888-0001", "in", "Vocês têm horário amanhã?", "received")
    record(tenant.id, "11 98888-0001", "out", "Temos sim, às 15h.", "sent")
    bruno = record(tenant.id, "11 97777-0002", "in", "Quanto custa a escova progressiva?", "received")
    return tenant, str(ana["conversation_id"]), str(bruno["conversation_id"])


def _first_user(managers, tenant) -> str:
    return str(managers.inbox.members(tenant.id)[0]["id"])


def test_the_list_shows_each_conversations_last_message_and_unread_count(client, salon):
    tenant, ana, bruno = salon
    items = client.get(f"/api/accounts/{tenant.id}/conversations", headers=tenant.headers).get_json()["items"]
    assert [(c["id"], c["preview"], c["preview_direction"], c["unread_count"], c["status"])
            for c in items] == [(bruno, "Quanto custa a escova progressiva?", "in", 1, "open"),
                                (ana, "Temos sim, às 15h.", "out", 1, "open")]


def test_status_assignment_and_labels_change_and_filter_the_list(client, salon, managers):
    tenant, ana, bruno = salon
    base = f"/api/accounts/{tenant.id}/conversations"
    me = _first_user(managers, tenant)
    answer = client.patch(f"{base}/{ana}", headers=tenant.headers,
                          json={"status": "pending", "assignee_id": me, "labels": ["vip", "vip", "cabelo"]})
    assert answer.status_code == 200, answer.get_json()
    assert (answer.get_json()["status"], answer.get_json()["assignee_id"],
            answer.get_json()["labels"]) == ("pending", me, ["vip", "cabelo"])

    def ids(query: str) -> list[str]:
        response = client.get(f"{base}?{query}", headers=tenant.headers)
        assert response.status_code == 200, response.get_json()
        return [c["id"] for c in response.get_json()["items"]]
    assert ids("status=pending") == [ana]
    assert ids("status=open") == [bruno]
    assert ids(f"assignee={me}") == [ana]
    assert ids("assignee=unassigned") == [bruno]
    assert ids("label=vip") == [ana] and ids("label=nada") == []
    [listed] = [c for c in client.get(base, headers=tenant.headers).get_json()["items"] if c["id"] == ana]
    assert listed["assignee"] == tenant.email

    unassigned = client.patch(f"{base}/{ana}", headers=tenant.headers, json={"assignee_id": None})
    assert unassigned.get_json()["assignee_id"] is None and unassigned.get_json()["status"] == "pending"


def test_mine_lists_the_conversations_of_the_keys_user(client, salon, managers):
    tenant, ana, _bruno = salon
    me = _first_user(managers, tenant)
    managers.inbox.update_conversation(tenant.id, ana, {"assignee_id": me})
    _row, personal = managers.identity.issue_api_key(tenant.id, "personal", user_id=me)
    base = f"/api/accounts/{tenant.id}/conversations?assignee=mine"
    assert [c["id"] for c in client.get(base, headers=bearer(personal)).get_json()["items"]] == [ana]
    _row, shared = managers.identity.issue_api_key(tenant.id, "integration")  # nobody's own key
    account_key = client.get(base, headers=bearer(shared))
    assert account_key.status_code == 400
    assert account_key.get_json()["error"]["message"].startswith("assignee")


def test_a_new_message_reopens_a_resolved_conversation(client, salon, managers):
    tenant, ana, _bruno = salon
    base = f"/api/accounts/{tenant.id}/conversations/{ana}"
    assert client.patch(base, headers=tenant.headers, json={"status": "resolved"}).get_json()["status"] == "resolved"
    with managers.db.tenant(tenant.id) as conn:
        sql.insert_inbound(conn, tenant.id, ana, "Posso levar minha filha?", "wamid-1")
    assert client.get(base, headers=tenant.headers).get_json()["status"] == "open"


@pytest.mark.parametrize("body, field", [
    ({"status": "closed"}, "status"), ({"status": None}, "status"), ({"labels": "vip"}, "labels"),
    ({"labels": ["!"]}, "labels"), ({"assignee_id": "nobody"}, "assignee_id"),
    ({"assignee_id": "00000000-0000-0000-0000-000000000000"}, "assignee_id"),
])
def test_bad_changes_are_400_naming_the_field(client, salon, body, field):
    tenant, ana, _bruno = salon
    response = client.patch(f"/api/accounts/{tenant.id}/conversations/{ana}", headers=tenant.headers, json=body)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["message"].startswith(field)


def test_a_conversation_cannot_be_assigned_to_another_accounts_user(client, salon, register, managers):
    tenant, ana, _bruno = salon
    other = register("Academia Beta")
    stranger = _first_user(managers, other)
    response = client.patch(f"/api/accounts/{tenant.id}/conversations/{ana}", headers=tenant.headers,
                            json={"assignee_id": stranger})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "assignee_id: must be a user of this account"


def test_private_notes_are_kept_in_the_conversation_and_never_sent(client, salon):
    tenant, ana, _bruno = salon
    base = f"/api/accounts/{tenant.id}/conversations/{ana}"
    created = client.post(f"{base}/notes", headers=tenant.headers, json={"body": "  Cliente prefere tarde.  "})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["body"] == "Cliente prefere tarde."
    assert client.post(f"{base}/notes", headers=tenant.headers, json={"body": " "}).status_code == 400
    notes = client.get(f"{base}/notes", headers=tenant.headers).get_json()["items"]
    assert [n["body"] for n in notes] == ["Cliente prefere tarde."]
    messages = client.get(f"{base}/messages", headers=tenant.headers).get_json()["items"]
    assert "Cliente prefere tarde." not in [m["body"] for m in messages]
    assert client.delete(f"{base}/notes/{notes[0]['id']}", headers=tenant.headers).status_code == 204
    assert client.get(f"{base}/notes", headers=tenant.headers).get_json()["items"] == []
    assert client.delete(f"{base}/notes/{notes[0]['id']}", headers=tenant.headers).status_code == 404


def test_quick_replies_are_saved_changed_and_deleted(client, salon):
    tenant, _ana, _bruno = salon
    base = f"/api/accounts/{tenant.id}/quick-replies"
    created = client.post(base, headers=tenant.headers, json={"shortcut": "/preco", "body": "Olá {nome}!"})
    assert created.status_code == 201, created.get_json()
    reply = created.get_json()
    assert reply["shortcut"] == "preco"
    again = client.post(base, headers=tenant.headers, json={"shortcut": "preco", "body": "x"})
    assert again.status_code == 409
    bad = client.post(base, headers=tenant.headers, json={"shortcut": "Preço!", "body": "x"})
    assert bad.status_code == 400 and bad.get_json()["error"]["message"].startswith("shortcut")
    assert client.post(base, headers=tenant.headers, json={"shortcut": "x"}).get_json()["error"][
        "message"].startswith("body")
    changed = client.patch(f"{base}/{reply['id']}", headers=tenant.headers, json={"body": "Oi, {primeiro_nome}!"})
    assert changed.get_json()["body"] == "Oi, {primeiro_nome}!"
    assert [r["shortcut"] for r in client.get(base, headers=tenant.headers).get_json()["items"]] == ["preco"]
    assert client.delete(f"{base}/{reply['id']}", headers=tenant.headers).status_code == 204
    assert client.get(base, headers=tenant.headers).get_json()["items"] == []


def test_search_finds_messages_in_portuguese_without_accents_and_contacts(client, salon):
    tenant, ana, bruno = salon
    base = f"/api/accounts/{tenant.id}/search"

    def found(q: str) -> tuple[list[str], list[str]]:
        response = client.get(base, headers=tenant.headers, query_string={"q": q})
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        return [m["snippet"] for m in body["messages"]], [c["name"] for c in body["contacts"]]
    assert found("horario") == (["Vocês têm horário amanhã?"], [])  # accents aside
    assert found("Horários") == (["Vocês têm horário amanhã?"], [])  # stemmed plural
    assert found("escova") == (["Quanto custa a escova progressiva?"], [])
    assert found("ana sou") == ([], ["Ana Souza"])  # names by their beginnings
    assert found("98888") == ([], ["Ana Souza"])  # a piece of the phone
    assert found("manicure") == ([], [])
    hit = client.get(base, headers=tenant.headers, query_string={"q": "escova"}).get_json()["messages"][0]
    assert (hit["conversation_id"], hit["phone"]) == (bruno, "5511977770002")


@pytest.mark.parametrize("query", ["", "?q=", "?q=%20", "?q=x&limit=0", "?q=" + "a" * 201])
def test_a_bad_search_is_400_naming_the_field(client, salon, query):
    tenant, _ana, _bruno = salon
    response = client.get(f"/api/accounts/{tenant.id}/search{query}", headers=tenant.headers)
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].split()[0].rstrip(":") in ("q", "limit")


def test_another_accounts_key_gets_404_on_every_inbox_route(client, salon, register):
    tenant, ana, _bruno = salon
    intruder = register("Academia Beta")
    note = client.post(f"/api/accounts/{tenant.id}/conversations/{ana}/notes", headers=tenant.headers,
                       json={"body": "segredo"}).get_json()
    reply = client.post(f"/api/accounts/{tenant.id}/quick-replies", headers=tenant.headers,
                        json={"shortcut": "oi", "body": "Olá"}).get_json()
    base = f"/api/accounts/{tenant.id}"
    calls = [("GET", f"{base}/conversations"), ("GET", f"{base}/conversations/{ana}"),
             ("PATCH", f"{base}/conversations/{ana}"), ("GET", f"{base}/conversations/{ana}/notes"),
             ("POST", f"{base}/conversations/{ana}/notes"),
             ("DELETE", f"{base}/conversations/{ana}/notes/{note['id']}"),
             ("GET", f"{base}/quick-replies"), ("POST", f"{base}/quick-replies"),
             ("PATCH", f"{base}/quick-replies/{reply['id']}"),
             ("DELETE", f"{base}/quick-replies/{reply['id']}"), ("GET", f"{base}/search?q=segredo")]
    for method, url in calls:
        response = client.open(url, method=method, headers=intruder.headers,
                               json={"status": "resolved", "body": "x", "shortcut": "x"})
        assert response.status_code == 404, (method, url)
        assert response.get_json()["error"]["code"] == "not_found"
    own = f"/api/accounts/{intruder.id}"  # its own account, the salon's ids
    for method, url in [("PATCH", f"{own}/conversations/{ana}"), ("GET", f"{own}/conversations/{ana}/notes"),
                        ("POST", f"{own}/conversations/{ana}/notes"),
                        ("DELETE", f"{own}/conversations/{ana}/notes/{note['id']}"),
                        ("PATCH", f"{own}/quick-replies/{reply['id']}"),
                        ("DELETE", f"{own}/quick-replies/{reply['id']}")]:
        response = client.open(url, method=method, headers=intruder.headers,
                               json={"status": "resolved", "body": "x"})
        assert response.status_code == 404, (method, url)
    assert client.get(f"{own}/search?q=segredo", headers=intruder.headers).get_json() == {
        "messages": [], "contacts": []}
    assert client.get(f"{base}/conversations/{ana}", headers=tenant.headers).get_json()["status"] == "open"
    assert [n["body"] for n in client.get(f"{base}/conversations/{ana}/notes",
                                          headers=tenant.headers).get_json()["items"]] == ["segredo"]
    assert len(client.get(f"{base}/quick-replies", headers=tenant.headers).get_json()["items"]) == 1
