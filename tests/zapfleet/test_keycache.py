"""Verified API keys are remembered for a few seconds, and a revocation still takes effect."""
from __future__ import annotations

from uuid import UUID

from tests.support.clock import Clock
from zapfleet.tenancy.accounts import AccountManager
from zapfleet.tenancy.identity import Identity
from zapfleet.tenancy.keycache import KEY_CACHE_SECONDS, VerifiedKeys
from zapfleet.core.security import new_password_hasher


def _process(db, clock: Clock | None = None) -> AccountManager:
    """The accounts as one web process has them, with its identity's own memory of keys."""
    keys = VerifiedKeys(clock=clock) if clock else None
    return AccountManager(db, Identity(db, hasher=new_password_hasher(cheap=True), verified_keys=keys))


def _lookups(db) -> int:
    """How often PostgreSQL has been asked for a key so far (its last_used_at moves)."""
    with db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) AS n FROM api_keys WHERE last_used_at IS NOT NULL")
        return cur.fetchone()["n"]


def test_a_key_verified_a_moment_ago_is_not_looked_up_again(clean_db):
    clock = Clock()
    web = _process(clean_db, clock)
    account = web.create_account({"name": "Salão Bela"})
    _, key = web.identity.issue_api_key(account["id"])
    assert web.identity.verify_api_key(key).account_id == account["id"] and _lookups(clean_db) == 1
    with clean_db.system() as conn, conn.cursor() as cur:  # a lookup would see this change
        cur.execute("UPDATE api_keys SET last_used_at = NULL")
    clock.now += KEY_CACHE_SECONDS - 0.1
    assert web.identity.verify_api_key(key).account_id == account["id"] and _lookups(clean_db) == 0
    assert key not in repr(web.identity.verified_keys._entries)  # only its hash is kept


def test_a_key_revoked_by_another_process_stops_working_within_the_window(clean_db):
    clock = Clock()
    web, other = _process(clean_db, clock), _process(clean_db)
    account = web.create_account({"name": "Salão Bela"})
    row, key = web.identity.issue_api_key(account["id"])
    assert web.identity.verify_api_key(key) is not None
    other.identity.revoke_api_key(account["id"], row["id"])
    clock.now += KEY_CACHE_SECONDS - 0.1
    assert web.identity.verify_api_key(key) is not None  # remembered for at most the window
    clock.now += 0.1
    assert web.identity.verify_api_key(key) is None
    assert other.identity.verify_api_key(key) is None


def test_a_key_revoked_or_an_account_deleted_in_this_process_stops_at_once(clean_db):
    web = _process(clean_db, Clock())
    salon, gym = web.create_account({"name": "Salão Bela"}), web.create_account({"name": "Academia"})
    row, salon_key = web.identity.issue_api_key(salon["id"])
    _, gym_key = web.identity.issue_api_key(gym["id"])
    assert web.identity.verify_api_key(salon_key) and web.identity.verify_api_key(gym_key)
    web.identity.revoke_api_key(salon["id"], row["id"])
    assert web.identity.verify_api_key(salon_key) is None
    web.delete_account(gym["id"])
    assert web.identity.verify_api_key(gym_key) is None


def test_revoking_through_the_api_takes_effect_on_the_next_request(client, register):
    tenant = register("Salão Bela")
    keys = client.get(f"/api/accounts/{tenant.id}/api-keys", headers=tenant.headers)
    assert keys.status_code == 200
    [key_id] = [k["id"] for k in keys.get_json()["items"]]
    revoked = client.delete(f"/api/accounts/{tenant.id}/api-keys/{key_id}", headers=tenant.headers)
    assert revoked.status_code == 200
    again = client.get(f"/api/accounts/{tenant.id}/api-keys", headers=tenant.headers)
    assert again.status_code == 401


def test_the_memory_is_bounded():
    clock = Clock()
    keys = VerifiedKeys(clock=clock, max_keys=3)
    for n in range(3):
        keys.put(f"h{n}", UUID(int=n), None, f"p{n}")
    clock.now += KEY_CACHE_SECONDS  # all three expired: they make room
    keys.put("h3", UUID(int=3), None, "p3")
    assert len(keys._entries) == 1 and keys.get("h3") == "p3" and keys.get("h0") is None
    for n in range(4, 7):
        keys.put(f"h{n}", UUID(int=n), None, f"p{n}")
    assert len(keys._entries) <= 3 and keys.get("h6") == "p6"
