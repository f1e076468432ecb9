"""Members and invitations: links that expire after 7 days and work once, roles, and an account
that always keeps an admin."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.clients import PASSWORD
from tests.support.clock import Clock
from zapfleet.core.errors import Conflict, InvalidInput, NotFound
from zapfleet.tenancy.members import Members, token_hash


def link(token: str) -> str:
    return f"https://zapfleet.test/invite/{token}"


def token_of(invitation: dict) -> str:
    return invitation["link"].rsplit("/", 1)[1]


@pytest.fixture
def clock():
    return Clock(datetime(2026, 3, 2, 12, 0, tzinfo=UTC))


@pytest.fixture
def members(clean_db, identity, clock):
    return Members(clean_db, identity, None, clock)


@pytest.fixture
def account(managers):
    created = managers.accounts.register_customer(
        {"name": "Salão Bela", "email": "dona@example.com", "password": PASSWORD}, with_api_key=False)
    return {**created["account"], "owner": created["user"]}


def test_an_invitation_link_makes_a_member_with_its_role_once(members, identity, account):
    invitation = members.invite(account["id"], {"email": "Bia@Example.com"}, account["owner"]["id"], link)
    assert invitation["emailed"] is False and invitation["role"] == "agent"
    assert invitation["email"] == "bia@example.com"
    token = token_of(invitation)
    assert members.check(token)["account_name"] == "Salão Bela"

    member = members.accept(token, {"name": "Bia", "password": PASSWORD})
    assert (member["email"], member["role"], member["name"]) == ("bia@example.com", "agent", "Bia")
    assert identity.authenticate("bia@example.com", PASSWORD)["account_role"] == "agent"
    with pytest.raises(NotFound):
        members.accept(token, {"name": "Bia again", "password": PASSWORD})
    assert members.list_invitations(account["id"]) == []
    assert [m["role"] for m in members.list_members(account["id"])] == ["admin", "agent"]


def test_only_the_token_hash_is_stored(clean_db, members, account):
    token = token_of(members.invite(account["id"], {"email": "bia@example.com"}, None, link))
    with clean_db.system() as conn, conn.cursor() as cur:
        cur.execute("SELECT token_hash FROM invitations")
        assert [row["token_hash"] for row in cur.fetchall()] == [token_hash(token)]


def test_a_link_expires_after_seven_days(members, account, clock):
    token = token_of(members.invite(account["id"], {"email": "bia@example.com", "role": "admin"},
                                    None, link))
    clock.advance(timedelta(days=7).total_seconds() - 1)
    assert members.check(token)["role"] == "admin"
    clock.advance(1)
    with pytest.raises(NotFound):
        members.check(token)
    with pytest.raises(NotFound):
        members.accept(token, {"name": "Bia", "password": PASSWORD})


def test_a_renewed_link_replaces_the_old_one_and_a_revoked_one_stops(members, account, clock):
    first = members.invite(account["id"], {"email": "bia@example.com"}, None, link)
    clock.advance(days=6)
    renewed = members.renew_link(account["id"], first["id"], link)
    assert renewed["expires_at"] == clock.now + timedelta(days=7)
    with pytest.raises(NotFound):
        members.check(token_of(first))
    [pending] = members.list_invitations(account["id"])
    members.revoke_invitation(account["id"], pending["id"])
    with pytest.raises(NotFound):
        members.check(token_of(renewed))


def test_inviting_again_replaces_the_open_invitation(members, account):
    old = members.invite(account["id"], {"email": "bia@example.com"}, None, link)
    members.invite(account["id"], {"email": "BIA@example.com", "role": "admin"}, None, link)
    assert [(i["email"], i["role"]) for i in members.list_invitations(account["id"])] == [
        ("bia@example.com", "admin")]
    with pytest.raises(NotFound):
        members.check(token_of(old))


def test_bad_invitations_name_the_field(members, account):
    with pytest.raises(InvalidInput) as bad_email:
        members.invite(account["id"], {"email": "nope"}, None, link)
    with pytest.raises(InvalidInput) as bad_role:
        members.invite(account["id"], {"email": "bia@example.com", "role": "owner"}, None, link)
    assert (bad_email.value.field, bad_role.value.field) == ("email", "role")
    token = token_of(members.invite(account["id"], {"email": "bia@example.com"}, None, link))
    with pytest.raises(InvalidInput) as weak:
        members.accept(token, {"name": "Bia", "password": "1234567890"})
    assert weak.value.field == "password"
    assert members.check(token)  # a refused acceptance leaves the link usable


def test_an_address_with_an_account_cannot_be_invited(members, account):
    with pytest.raises(Conflict):
        members.invite(account["id"], {"email": "dona@example.com"}, None, link)


def test_the_last_admin_can_be_neither_removed_nor_demoted(members, account):
    owner = account["owner"]["id"]
    with pytest.raises(Conflict, match="at least one admin"):
        members.remove(account["id"], owner)
    with pytest.raises(Conflict, match="at least one admin"):
        members.change_role(account["id"], owner, {"role": "agent"})
    token = token_of(members.invite(account["id"], {"email": "bia@example.com"}, None, link))
    bia = members.accept(token, {"name": "Bia", "password": PASSWORD})
    with pytest.raises(Conflict):
        members.change_role(account["id"], owner, {"role": "agent"})
    assert members.change_role(account["id"], bia["id"], {"role": "admin"})["role"] == "admin"
    assert members.change_role(account["id"], owner, {"role": "agent"})["role"] == "agent"
    with pytest.raises(Conflict):
        members.remove(account["id"], bia["id"])
    members.remove(account["id"], owner)
    assert [m["email"] for m in members.list_members(account["id"])] == ["bia@example.com"]


def test_another_accounts_members_and_invitations_are_not_found(members, account, managers):
    other = managers.accounts.create_account({"name": "Outra"})
    invitation = members.invite(account["id"], {"email": "bia@example.com"}, None, link)
    with pytest.raises(NotFound):
        members.remove(other["id"], account["owner"]["id"])
    with pytest.raises(NotFound):
        members.change_role(other["id"], account["owner"]["id"], {"role": "admin"})
    with pytest.raises(NotFound):
        members.revoke_invitation(other["id"], invitation["id"])
    assert members.list_members(other["id"]) == []
    assert members.list_invitations(other["id"]) == []


def test_a_removed_members_api_keys_stop_at_once(members, identity, account):
    token = token_of(members.invite(account["id"], {"email": "bia@example.com", "role": "admin"},
                                    None, link))
    bia = members.accept(token, {"name": "Bia", "password": PASSWORD})
    _row, key = identity.issue_api_key(account["id"], "bia", bia["id"])
    assert identity.verify_api_key(key).role == "admin"
    members.change_role(account["id"], bia["id"], {"role": "agent"})
    assert identity.verify_api_key(key).role == "agent"  # the cached principal was forgotten
    members.remove(account["id"], bia["id"])
    assert identity.verify_api_key(key) is None
    assert identity.authenticate("bia@example.com", PASSWORD) is None
