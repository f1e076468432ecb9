"""Contacts: CRUD, filters, keyset pagination, CSV import and export."""
import pytest

from zapfleet.core.errors import Conflict, InvalidInput, NotFound


@pytest.fixture
def account_id(managers):
    return managers.accounts.create_account({"name": "Pet Shop"})["id"]


def test_contact_crud(managers, account_id):
    contact = managers.contacts.create_contact(account_id, {"phone": "(11) 98765-4321", "name": "Bia",
                                                  "tags": ["vip"]})
    assert (contact["phone"], contact["tags"], contact["opted_out"]) == ("5511987654321", ["vip"], False)
    updated = managers.contacts.update_contact(account_id, contact["id"], {"opted_out": True, "tags": []})
    assert updated["opted_out"] is True and updated["tags"] == [] and updated["name"] == "Bia"
    managers.contacts.delete_contact(account_id, contact["id"])
    with pytest.raises(NotFound):
        managers.contacts.get_contact(account_id, contact["id"])


def test_same_phone_allowed_in_two_accounts_but_not_twice_in_one(managers, account_id):
    other = managers.accounts.create_account({"name": "Outro"})["id"]
    managers.contacts.create_contact(account_id, {"phone": "11987654321"})
    managers.contacts.create_contact(other, {"phone": "11987654321"})
    with pytest.raises(Conflict):
        managers.contacts.create_contact(account_id, {"phone": "+5511987654321"})


def test_filters_by_tag_and_text(managers, account_id):
    managers.contacts.create_contact(account_id, {"phone": "11900000001", "name": "Ana Souza", "tags": ["vip"]})
    managers.contacts.create_contact(account_id, {"phone": "11900000002", "name": "Bruno", "tags": ["vip", "cão"]})
    managers.contacts.create_contact(account_id, {"phone": "11900000003", "name": "Carla 100%"})
    names = lambda **kw: [c["name"] for c in managers.contacts.list_contacts(account_id, **kw)["items"]]
    assert names(tag="vip") == ["Ana Souza", "Bruno"]
    assert names(tag="cão") == ["Bruno"]
    assert names(q="souza") == ["Ana Souza"]
    assert names(q="00000003") == ["Carla 100%"]
    assert names(q="100%") == ["Carla 100%"]
    assert names(q="%") == ["Carla 100%"]  # a literal percent sign, not a wildcard


def test_keyset_pagination_walks_every_contact_once(managers, account_id):
    lines = ["phone,name"] + [f"119000{i:05d},C{i}" for i in range(23)]
    managers.contacts.import_contacts_csv(account_id, iter(lines))
    seen, cursor = [], None
    while True:
        page = managers.contacts.list_contacts(account_id, limit=5, cursor=cursor)
        seen += [c["name"] for c in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == sorted(f"C{i}" for i in range(23)) and len(seen) == 23


@pytest.mark.parametrize("kwargs, field", [({"limit": "0"}, "limit"), ({"limit": "x"}, "limit"),
                                          ({"cursor": "garbage!"}, "cursor")])
def test_bad_paging_arguments(managers, account_id, kwargs, field):
    with pytest.raises(InvalidInput) as err:
        managers.contacts.list_contacts(account_id, **kwargs)
    assert err.value.field == field


def test_csv_import_keeps_good_rows_and_reports_bad_ones_by_line(managers, account_id):
    csv_text = ("telefone;nome;tags\n"
                "(11) 91111-1111;Ana;vip|novo\n"
                "not a phone;Zé;\n"
                "11 92222-2222;Bruno;\n"
                "\n"
                "123;Curto;\n"
                "11 92222-2222;Bruno Silva;cliente\n")
    report = managers.contacts.import_contacts_csv(account_id, iter(csv_text.splitlines(keepends=True)))
    assert report["created"] == 2 and report["error_count"] == 2
    assert [e["line"] for e in report["errors"]] == [3, 6]
    contacts = {c["phone"]: c for c in managers.contacts.list_contacts(account_id)["items"]}
    assert contacts["5511911111111"]["tags"] == ["vip", "novo"]
    assert contacts["5511922222222"]["name"] == "Bruno Silva"


def test_csv_reimport_merges_instead_of_duplicating(managers, account_id):
    managers.contacts.import_contacts_csv(account_id, iter(["phone,name,tags", "11911111111,Ana,vip"]))
    report = managers.contacts.import_contacts_csv(account_id, iter(["phone,name,tags,opted_out",
                                                           "11911111111,,novo,sim"]))
    assert (report["created"], report["updated"]) == (0, 1)
    [contact] = managers.contacts.list_contacts(account_id)["items"]
    assert contact["name"] == "Ana" and sorted(contact["tags"]) == ["novo", "vip"]
    assert contact["opted_out"] is True


def test_csv_without_phone_column_is_rejected(managers, account_id):
    with pytest.raises(InvalidInput) as err:
        managers.contacts.import_contacts_csv(account_id, iter(["nome,email", "Ana,a@b.c"]))
    assert err.value.field == "file"


def test_csv_export_round_trips(managers, account_id):
    managers.contacts.create_contact(account_id, {"phone": "11911111111", "name": 'Ana "A", filha',
                                        "tags": ["vip", "novo"]})
    exported = list(managers.contacts.export_contacts_csv(account_id))
    assert exported[0] == "phone,name,tags,opted_out\n"
    other = managers.accounts.create_account({"name": "Cópia"})["id"]
    report = managers.contacts.import_contacts_csv(other, iter(exported))
    assert report["created"] == 1 and report["error_count"] == 0
    [copy] = managers.contacts.list_contacts(other)["items"]
    assert (copy["name"], copy["tags"]) == ('Ana "A", filha', ["vip", "novo"])


def test_csv_export_neutralises_formulas_and_imports_them_back(managers, account_id):
    names = ['=HYPERLINK("http://evil.example","clique")', "+55 fake", "-1", "@SUM(A1)", "Ana"]
    for n, name in enumerate(names):
        managers.contacts.create_contact(account_id, {"phone": f"1191111111{n}", "name": name})
    exported = list(managers.contacts.export_contacts_csv(account_id))
    cells = [line.split(",", 1)[1] for line in exported[1:]]
    assert sorted(cell[0] for cell in cells) == ['"', "'", "'", "'", "A"]
    assert not any(cell.lstrip('"').startswith(("=", "+", "-", "@")) for cell in cells)
    other = managers.accounts.create_account({"name": "Cópia"})["id"]
    managers.contacts.import_contacts_csv(other, iter(exported))
    assert sorted(c["name"] for c in managers.contacts.list_contacts(other)["items"]) == sorted(names)


def test_a_phone_repeated_in_one_csv_merges_its_tags_and_counts_as_updated(managers, account_id):
    csv_text = ("telefone;nome;tags\n"  # Brazilian Excel: columns separated by semicolons
                "11 91111-1111;Ana;vip\n"
                "11 92222-2222;Bia;vip|cliente\n"
                "(11) 91111-1111;;manicure, novo\n")
    report = managers.contacts.import_contacts_csv(account_id, iter(csv_text.splitlines(keepends=True)))
    assert (report["created"], report["updated"], report["error_count"]) == (2, 1, 0)
    contacts = {c["phone"]: c for c in managers.contacts.list_contacts(account_id)["items"]}
    assert (contacts["5511911111111"]["name"], contacts["5511911111111"]["tags"]) == (
        "Ana", ["vip", "manicure", "novo"])
    assert contacts["5511922222222"]["tags"] == ["vip", "cliente"]


def test_tags_separated_by_commas_in_a_comma_separated_csv(managers, account_id):
    report = managers.contacts.import_contacts_csv(account_id, iter([
        "phone,name,tags\n", '11911111111,Ana,"vip, manicure"\n', "11922222222,Bia,vip|novo\n"]))
    assert (report["created"], report["error_count"]) == (2, 0)
    tags = {c["phone"]: c["tags"] for c in managers.contacts.list_contacts(account_id)["items"]}
    assert tags == {"5511911111111": ["vip", "manicure"], "5511922222222": ["vip", "novo"]}
    exported = list(managers.contacts.export_contacts_csv(account_id))
    assert '5511911111111,Ana,"vip,manicure",false\n' in exported
