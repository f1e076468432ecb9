"""AccountManager: accounts, registration, users and API keys."""
import pytest

from zapfleet.tenancy.accounts import slugify
from zapfleet.core.errors import Conflict, InvalidInput, NotFound

SIGNUP = {"name": "Barbearia do Zé", "email": "ze@example.com", "password": "navalha-afiada"}


def test_slug_is_ascii_and_unique(manager):
    first = manager.create_account({"name": "Salão Beleza & Cia"})
    second = manager.create_account({"name": "Salão Beleza & Cia"})
    assert first["slug"] == "salao-beleza-cia"
    assert second["slug"] == "salao-beleza-cia-2"
    assert slugify("!!!") == "account"


def test_account_phone_is_normalised_and_unique(manager):
    account = manager.create_account({"name": "Loja", "phone": "+55 (11) 99999-0000"})
    assert account["phone"] == "5511999990000"
    with pytest.raises(Conflict):
        manager.create_account({"name": "Outra", "phone": "11999990000"})


@pytest.mark.parametrize("data, field", [
    ({}, "name"), ({"name": ""}, "name"), ({"name": 3}, "name"),
    ({"name": "x", "plan": "gold"}, "plan"), ({"name": "x", "phone": "abc"}, "phone"),
    ({"name": "x", "settings": []}, "settings"), ({"name": "x", "slug": "Bad Slug"}, "slug"),
])
def test_bad_account_input_names_the_field(manager, data, field):
    with pytest.raises(InvalidInput) as err:
        manager.create_account(data)
    assert err.value.field == field


def test_register_customer_creates_account_user_and_working_key(manager):
    result = manager.register_customer(SIGNUP)
    principal = manager.verify_api_key(result["api_key"]["key"])
    assert principal.account_id == result["account"]["id"] and not principal.is_admin
    assert result["user"]["role"] == "member"
    assert "password_hash" not in result["user"]
    assert result["api_key"]["key"].startswith(result["api_key"]["prefix"])


def test_register_with_taken_email_leaves_no_account(manager):
    manager.register_customer(SIGNUP)
    with pytest.raises(Conflict):
        manager.register_customer({**SIGNUP, "email": "ZE@example.com", "name": "Outro"})
    assert [a["name"] for a in manager.list_accounts()] == ["Barbearia do Zé"]


def test_passwords_are_hashed_and_checked(manager, clean_db):
    user = manager.register_customer(SIGNUP)["user"]
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM users WHERE id = %s", (user["id"],))
        stored = cur.fetchone()["password_hash"]
    assert stored.startswith("$argon2id$") and SIGNUP["password"] not in stored
    assert manager.authenticate("ZE@example.com", SIGNUP["password"])["id"] == user["id"]
    assert manager.authenticate("ze@example.com", "wrong password") is None
    assert manager.authenticate("nobody@example.com", SIGNUP["password"]) is None


def test_change_password(manager):
    user = manager.register_customer(SIGNUP)["user"]
    with pytest.raises(InvalidInput) as err:
        manager.change_password(user["id"], "not it", "a new password")
    assert err.value.field == "old_password"
    manager.change_password(user["id"], SIGNUP["password"], "a new password")
    assert manager.authenticate(SIGNUP["email"], "a new password") is not None
    assert manager.authenticate(SIGNUP["email"], SIGNUP["password"]) is None


def test_api_keys_are_stored_hashed_and_revocable(manager, clean_db):
    account = manager.create_account({"name": "Academia"})
    row, key = manager.issue_api_key(account["id"], "integração")
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT key_hash FROM api_keys WHERE id = %s", (row["id"],))
        assert key not in cur.fetchone()["key_hash"]
    assert manager.verify_api_key(key).account_id == account["id"]
    assert manager.list_api_keys(account["id"])[0]["last_used_at"] is not None
    manager.revoke_api_key(account["id"], row["id"])
    assert manager.verify_api_key(key) is None
    assert manager.verify_api_key("zf_made_up") is None


def test_platform_admin_is_created_once(manager):
    generated = manager.ensure_platform_admin("root@example.com", None)
    assert generated and manager.authenticate("root@example.com", generated)["role"] == "admin"
    assert manager.ensure_platform_admin("other@example.com", "whatever123") is None
    row, key = manager.issue_api_key(None, "ops", manager.authenticate("root@example.com", generated)["id"])
    assert manager.verify_api_key(key).is_admin


def test_update_and_delete_account_cascades(manager, clean_db):
    account = manager.register_customer(SIGNUP)["account"]
    manager.create_contact(account["id"], {"phone": "11912345678"})
    updated = manager.update_account(account["id"], {"name": "Barbearia Nova", "settings": {"tz": "x"}})
    assert updated["name"] == "Barbearia Nova" and updated["settings"] == {"tz": "x"}
    manager.delete_account(account["id"])
    with pytest.raises(NotFound):
        manager.get_account(account["id"])
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM users)"
                    " + (SELECT count(*) FROM api_keys) AS n")
        assert cur.fetchone()["n"] == 0
