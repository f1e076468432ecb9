"""AccountManager: accounts, registration, users and API keys."""
import pytest

from zapfleet.tenancy.accounts import slugify
from zapfleet.core.errors import Conflict, InvalidInput, NotFound

SIGNUP = {"name": "Barbearia do Zé", "email": "ze@example.com", "password": "navalha-afiada"}


def test_slug_is_ascii_and_unique(managers):
    first = managers.accounts.create_account({"name": "Salão Beleza & Cia"})
    second = managers.accounts.create_account({"name": "Salão Beleza & Cia"})
    assert first["slug"] == "salao-beleza-cia"
    assert second["slug"] == "salao-beleza-cia-2"
    assert slugify("!!!") == "account"


def test_account_phone_is_normalised_and_unique(managers):
    account = managers.accounts.create_account({"name": "Loja", "phone": "+55 (11) 99999-0000"})
    assert account["phone"] == "5511999990000"
    with pytest.raises(Conflict):
        managers.accounts.create_account({"name": "Outra", "phone": "11999990000"})


@pytest.mark.parametrize("data, field", [
    ({}, "name"), ({"name": ""}, "name"), ({"name": 3}, "name"),
    ({"name": "x", "plan": "gold"}, "plan"), ({"name": "x", "phone": "abc"}, "phone"),
    ({"name": "x", "settings": []}, "settings"), ({"name": "x", "slug": "Bad Slug"}, "slug"),
])
def test_bad_account_input_names_the_field(managers, data, field):
    with pytest.raises(InvalidInput) as err:
        managers.accounts.create_account(data)
    assert err.value.field == field


def test_register_customer_creates_account_user_and_working_key(managers):
    result = managers.accounts.register_customer(SIGNUP)
    principal = managers.identity.verify_api_key(result["api_key"]["key"])
    assert principal.account_id == result["account"]["id"] and not principal.is_admin
    assert result["user"]["role"] == "member"
    assert "password_hash" not in result["user"]
    assert result["api_key"]["key"].startswith(result["api_key"]["prefix"])


def test_register_with_taken_email_leaves_no_account(managers):
    managers.accounts.register_customer(SIGNUP)
    with pytest.raises(Conflict):
        managers.accounts.register_customer({**SIGNUP, "email": "ZE@example.com", "name": "Outro"})
    assert [a["name"] for a in managers.accounts.list_accounts()] == ["Barbearia do Zé"]


def test_passwords_are_hashed_and_checked(managers, clean_db):
    user = managers.accounts.register_customer(SIGNUP)["user"]
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT password_hash FROM users WHERE id = %s", (user["id"],))
        stored = cur.fetchone()["password_hash"]
    assert stored.startswith("$argon2id$") and SIGNUP["password"] not in stored
    assert managers.identity.authenticate("ZE@example.com", SIGNUP["password"])["id"] == user["id"]
    assert managers.identity.authenticate("ze@example.com", "wrong password") is None
    assert managers.identity.authenticate("nobody@example.com", SIGNUP["password"]) is None


def test_change_password(managers):
    user = managers.accounts.register_customer(SIGNUP)["user"]
    with pytest.raises(InvalidInput) as err:
        managers.identity.change_password(user["id"], "not it", "a new password")
    assert err.value.field == "old_password"
    managers.identity.change_password(user["id"], SIGNUP["password"], "a new password")
    assert managers.identity.authenticate(SIGNUP["email"], "a new password") is not None
    assert managers.identity.authenticate(SIGNUP["email"], SIGNUP["password"]) is None


def test_api_keys_are_stored_hashed_and_revocable(managers, clean_db):
    account = managers.accounts.create_account({"name": "Academia"})
    row, key = managers.identity.issue_api_key(account["id"], "integração")
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT key_hash FROM api_keys WHERE id = %s", (row["id"],))
        assert key not in cur.fetchone()["key_hash"]
    assert managers.identity.verify_api_key(key).account_id == account["id"]
    assert managers.identity.list_api_keys(account["id"])[0]["last_used_at"] is not None
    managers.identity.revoke_api_key(account["id"], row["id"])
    assert managers.identity.verify_api_key(key) is None
    assert managers.identity.verify_api_key("zf_made_up") is None


def test_platform_admin_is_created_once(managers):
    generated = managers.identity.ensure_platform_admin("root@example.com", None)
    assert generated and managers.identity.authenticate("root@example.com", generated)["role"] == "admin"
    assert managers.identity.ensure_platform_admin("other@example.com", "whatever123") is None
    row, key = managers.identity.issue_api_key(None, "ops", managers.identity.authenticate("root@example.com", generated)["id"])
    assert managers.identity.verify_api_key(key).is_admin


def test_update_and_delete_account_cascades(managers, clean_db):
    account = managers.accounts.register_customer(SIGNUP)["account"]
    managers.contacts.create_contact(account["id"], {"phone": "11912345678"})
    updated = managers.accounts.update_account(account["id"], {"name": "Barbearia Nova", "settings": {"time_zone": "UTC"}})
    assert updated["name"] == "Barbearia Nova" and updated["settings"] == {"time_zone": "UTC"}
    managers.accounts.delete_account(account["id"])
    with pytest.raises(NotFound):
        managers.accounts.get_account(account["id"])
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT (SELECT count(*) FROM contacts) + (SELECT count(*) FROM users)"
                    " + (SELECT count(*) FROM api_keys) AS n")
        assert cur.fetchone()["n"] == 0
