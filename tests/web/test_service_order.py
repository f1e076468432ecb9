"""The services' order: new ones go last, PUT …/services/order sets it, the migration numbered the
services already there in the order they were shown."""
from __future__ import annotations

from pathlib import Path

import psycopg2
import pytest

from zapfleet.config import project_home

NAMES = ("Corte", "Escova", "Manicure")


@pytest.fixture
def salon(client, register):
    """An account with three services added in NAMES' order; (tenant, base url, ids by name)."""
    tenant = register("Salão Bela")
    base = f"/api/accounts/{tenant.id}/services"
    ids = {}
    for name in NAMES:
        answer = client.post(base, json={"name": name, "duration_minutes": 30}, headers=tenant.headers)
        assert answer.status_code == 201, answer.get_json()
        ids[name] = answer.get_json()["id"]
    return tenant, base, ids


def _names(client, tenant, base) -> list[str]:
    return [s["name"] for s in client.get(base, headers=tenant.headers).get_json()["items"]]


def test_a_new_service_goes_at_the_end_of_the_list(client, salon):
    tenant, base, _ = salon
    client.post(base, json={"name": "Alisamento", "duration_minutes": 60}, headers=tenant.headers)
    assert _names(client, tenant, base) == [*NAMES, "Alisamento"]


def test_put_order_sets_the_order_the_list_follows(client, salon):
    tenant, base, ids = salon
    answer = client.put(f"{base}/order", headers=tenant.headers,
                        json={"ids": [ids["Manicure"], ids["Corte"], ids["Escova"]]})
    assert answer.status_code == 200, answer.get_json()
    assert [s["name"] for s in answer.get_json()["items"]] == ["Manicure", "Corte", "Escova"]
    assert [s["position"] for s in answer.get_json()["items"]] == [1, 2, 3]
    assert _names(client, tenant, base) == ["Manicure", "Corte", "Escova"]


@pytest.mark.parametrize("ids", [
    "not a list", ["Corte"], [], ["Corte", "Escova"], ["Corte", "Escova", "Manicure", "Corte"],
])
def test_an_order_that_is_not_every_service_once_is_a_400_naming_ids(client, salon, ids):
    tenant, base, by_name = salon
    body = {"ids": [by_name.get(n, n) for n in ids] if isinstance(ids, list) else ids}
    answer = client.put(f"{base}/order", headers=tenant.headers, json=body)
    assert answer.status_code == 400
    assert answer.get_json()["error"]["message"].startswith("ids")
    assert _names(client, tenant, base) == list(NAMES)


def test_another_accounts_services_cannot_be_ordered_or_named(client, salon, register):
    tenant, base, ids = salon
    rival = register("Barbearia Rival")
    order = {"ids": [ids["Escova"], ids["Corte"], ids["Manicure"]]}
    assert client.put(f"{base}/order", headers=rival.headers, json=order).status_code == 404
    rival_base = f"/api/accounts/{rival.id}/services"
    mine = client.post(rival_base, json={"name": "Barba", "duration_minutes": 20}, headers=rival.headers)
    mixed = client.put(f"{rival_base}/order", headers=rival.headers,
                       json={"ids": [mine.get_json()["id"], ids["Corte"]]})
    assert mixed.status_code == 400
    assert _names(client, tenant, base) == list(NAMES)


def test_the_migration_numbers_existing_services_in_their_shown_order(salon, database_url):
    tenant, _, _ = salon
    migration = (Path(project_home()) / "sql" / "0029_service_order.sql").read_text()
    conn = psycopg2.connect(database_url)
    with conn, conn.cursor() as cur:
        cur.execute("UPDATE services SET position = CASE name WHEN 'Manicure' THEN -1 ELSE 0 END"
                    " WHERE account_id = %s", (tenant.id,))
        cur.execute(migration)
        cur.execute("SELECT name, position FROM services WHERE account_id = %s ORDER BY position",
                    (tenant.id,))
        assert cur.fetchall() == [("Manicure", 1), ("Corte", 2), ("Escova", 3)]
    conn.close()
