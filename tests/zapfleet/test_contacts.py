"""Contacts: CRUD, filters, keyset pagination, CSV import and export."""
import pytest

from zapfleet.core.errors import Conflict, InvalidInput, NotFound


@pytest.fixture
def account_id(manager):
    return manager.create_account({"name": "Pet Shop"})["id"]


def test_contact_crud(manager, account_id):
    contact = manager.create_contact(account_id, {"phone": "(11) 98765-4321", "name": "Bia",
                                                  "tags": ["vip"]})
    assert (contact["phone"], contact["tags"], contact["opted_out"]) == ("5511987654321", ["vip"], False)
    updated = manager.update_contact(account_id, contact["id"], {"opted_out": True, "tags": []})
    assert updated["opted_out"] is True and updated["tags"] == [] and updated["name"] == "Bia"
    manager.delete_contact(account_id, contact["id"])
    with pytest.raises(NotFound):
        manager.get_contact(account_id, contact["id"])


def test_same_phone_allowed_in_two_accounts_but_not_twice_in_one(manager, account_id):
    other = manager.create_account({"name": "Outro"})["id"]
    manager.create_contact(account_id, {"phone": "11987654321"})
    manager.create_contact(other, {"phone": "11987654321"})
    with pytest.raises(Conflict):
        manager.create_contact(account_id, {"phone": "+5511987654321"})


def test_filters_by_tag_and_text(manager, account_id):
    manager.create_contact(account_id, {"phone": "11900000001", "name": "Ana Souza", "tags": ["vip"]})
    manager.create_contact(account_id, {"phone": "11900000002", "name": "Bruno", "tags": ["vip", "cão"]})
    manager.create_contact(account_id, {"phone": "11900000003", "name": "Carla 100%"})
    names = lambda **kw: [c["name"] for c in manager.list_contacts(account_id, **kw)["items"]]
    assert names(tag="vip") == ["Ana Souza", "Bruno"]
    assert names(tag="cão") == ["Bruno"]
    assert names(q="souza") == ["Ana Souza"]
    assert names(q="00000003") == ["Carla 100%"]
    assert names(q="100%") == ["Carla 100%"]
    assert names(q="%") == ["Carla 100%"]  # a literal percent sign, not a wildcard


def test_keyset_pagination_walks_every_contact_once(manager, account_id):
    lines = ["phone,name"] + [f"119000{i:05d},C{i}" for i in range(23)]
    manager.import_contacts_csv(account_id, iter(lines))
    seen, cursor = [], None
    while True:
        page = manager.list_contacts(account_id, limit=5, cursor=cursor)
        seen += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"C{i}" for i in range(23)) and len(seen) == 23


@pytest.mark.parametrize("kwargs, field", [({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"),
                                          ({"cursor": "garbage!"}, "cursor")])
def test_bad_paging_arguments(manager, account_id, kwargs, field):
    with pytest.raises(InvalidInput) as err:
        manager.list_contacts(account_id, **kwargs)
    assert err.value.field == field


def test_csv_import_keeps_good_rows_and_reports_bad_ones_by_line(manager, account_id):
    csv_text = ("telefone;nome;tags\n"
                "(11) 91111-1111;Ana;vip|novo\n"
                "not a phone;Zé;\n"
                "11 92222-2222;Bruno;\n"
                "\n"
                "123;Curto;\n"
                "11 92222-2222;Bruno Silva;cliente\n")
    report = manager.import_contacts_csv(account_id, iter(csv_text.splitlines(keepends=True)))
    assert report["created"] == 2 and report["error_count"] == 2
    assert [e["line"] for e in report["errors"]] == [3, 6]
    contacts = {c["phone"]: c for c in manager.list_contacts(account_id)["items"]}
    assert contacts["5511911111111"]["tags"] == ["vip", "novo"]
    assert contacts["5511922222222"]["name"] == "Bruno Silva"


def test_csv_reimport_merges_instead_of_duplicating(manager, account_id):
    manager.import_contacts_csv(account_id, iter(["phone,name,tags", "11911111111,Ana,vip"]))
    report = manager.import_contacts_csv(account_id, iter(["phone,name,tags,opted_out",
                                                           "11911111111,,novo,sim"]))
    assert (report["created"], report["updated"]) == (0, 1)
    [contact] = manager.list_contacts(account_id)["items"]
    assert contact["name"] == "Ana" and sorted(contact["tags"]) == ["novo", "vip"]
    assert contact["opted_out"] is True


def test_csv_without_phone_column_is_rejected(manager, account_id):
    with pytest.raises(InvalidInput) as err:
        manager.import_contacts_csv(account_id, iter(["nome,email", "Ana,a@b.c"]))
    assert err.value.field == "file"


def test_csv_export_round_trips(manager, account_id):
    manager.create_contact(account_id, {"phone": "11911111111", "name": 'Ana "A", filha',
                                        "tags": ["vip", "novo"]})
    exported = list(manager.export_contacts_csv(account_id))
    assert exported[0] == "phone,name,tags,opted_out\n"
    other = manager.create_account({"name": "Cópia"})["id"]
    report = manager.import_contacts_csv(other, iter(exported))
    assert report["created"] == 1 and report["error_count"] == 0
    [copy] = manager.list_contacts(other)["items"]
    assert (copy["name"], copy["tags"]) == ('Ana "A", filha', ["vip", "novo"])
