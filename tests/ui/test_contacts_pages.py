"""The contacts page: search, tag filter, add, edit, delete, CSV import and export."""
from __future__ import annotations

import io
import re

import pytest
from playwright.sync_api import expect

from tests.support.clients import csrf_token, signed_in

CSV = ("telefone;nome;tags\n"
       "11 98888-0001;Ana;vip\n"
       "not a phone;Bruno;\n"
       "11 98888-0003;Carla;\"vip;manicure\"\n")


@pytest.fixture
def member(app, managers):
    """A signed-in member of a salon: (account id, client, CSRF token)."""
    created = managers.accounts.register_customer({"name": "Salão Bela", "email": "bela@example.com",
                                         "password": "correct horse battery"}, with_api_key=False)
    client = signed_in(app, "bela@example.com")
    account = str(created["account"]["id"])
    return account, client, csrf_token(client, f"/a/{account}/contacts")


def _page(client, account: str, query: str = "") -> str:
    return client.get(f"/a/{account}/contacts{query}").get_data(as_text=True)


def _listed(client, account: str, query: str = "") -> list[str]:
    """The names in the list's rows."""
    return re.findall(r'<tr data-contact="[^"]+">\s*<td>([^<]*)</td>', _page(client, account, query))


def test_an_empty_list_says_what_to_do(member):
    account, client, _token = member
    assert "No contacts yet" in _page(client, account)


def test_add_search_filter_by_tag_edit_and_delete(member, managers):
    account, client, token = member
    for phone, name, tags in (("11 98888-0001", "Ana", "vip, manicure"), ("11 98888-0002", "Bruno", "")):
        response = client.post(f"/a/{account}/contacts", data={
            "phone": phone, "name": name, "tags": tags, "csrf_token": token})
        assert response.status_code == 302
    assert managers.contacts.list_contacts(account)["items"][0]["tags"] == ["vip", "manicure"]
    assert _listed(client, account) == ["Ana", "Bruno"]
    assert _listed(client, account, "?q=bru") == ["Bruno"]
    assert _listed(client, account, "?q=98888-0001") == ["Ana"]  # digits, however written
    assert _listed(client, account, "?q=5511988880001") == ["Ana"]
    assert _listed(client, account, "?tag=vip") == ["Ana"]
    ana = managers.contacts.list_contacts(account, q="Ana")["items"][0]
    client.post(f"/a/{account}/contacts/{ana['id']}/edit", data={
        "phone": "+55 11 98888-0001", "name": "Ana Paula", "tags": "vip", "opted_out": "on",
        "csrf_token": token})
    changed = managers.contacts.get_contact(account, ana["id"])
    assert (changed["name"], changed["tags"], changed["opted_out"]) == ("Ana Paula", ["vip"], True)
    client.post(f"/a/{account}/contacts/{ana['id']}/delete", data={"csrf_token": token})
    assert _listed(client, account) == ["Bruno"]


def test_a_bad_phone_is_shown_at_its_field_and_what_was_typed_stays(member, managers):
    account, client, token = member
    response = client.post(f"/a/{account}/contacts", data={
        "phone": "12", "name": "Zé", "tags": "", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="f-phone"' in page and 'aria-invalid="true"' in page and "not a possible phone" in page
    assert 'value="Zé"' in page
    assert managers.contacts.list_contacts(account)["items"] == []


def test_on_a_portuguese_page_the_error_the_code_raised_is_in_portuguese(member):
    account, client, token = member
    client.set_cookie("lang", "pt_BR")
    response = client.post(f"/a/{account}/contacts", data={
        "phone": "", "name": "Zé", "tags": "", "csrf_token": token})
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert 'id="f-phone-note">é obrigatório<' in page and "Telefone: é obrigatório" in page
    assert "is required" not in page


def test_the_import_reports_each_bad_row_by_its_line_and_keeps_the_good_ones(member, managers):
    account, client, token = member
    response = client.post(f"/a/{account}/contacts/import", data={
        "file": (io.BytesIO(CSV.encode()), "clientes.csv"), "encoding": "utf-8-sig",
        "csrf_token": token}, content_type="multipart/form-data")
    page = response.get_data(as_text=True)
    assert "2 new contacts, 0 updated, 1 rows with errors" in page
    assert "Line 3: Phone number: &#39;not a phone&#39; is not a phone number" in page
    assert sorted(c["name"] for c in managers.contacts.list_contacts(account)["items"]) == ["Ana", "Carla"]


def test_an_import_without_a_file_or_in_the_wrong_encoding_says_so(member):
    account, client, token = member
    response = client.post(f"/a/{account}/contacts/import", data={"csrf_token": token},
                           content_type="multipart/form-data")
    assert response.status_code == 400 and "choose a CSV file" in response.get_data(as_text=True)
    latin = "telefone;nome\n11 98888-0001;João\n".encode("latin-1")
    response = client.post(f"/a/{account}/contacts/import", data={
        "file": (io.BytesIO(latin), "excel.csv"), "encoding": "utf-8-sig", "csrf_token": token},
        content_type="multipart/form-data")
    assert response.status_code == 400 and "Latin-1" in response.get_data(as_text=True)


def test_the_export_is_a_csv_of_every_contact(member, managers):
    account, client, _token = member
    managers.contacts.create_contact(account, {"phone": "11 98888-0001", "name": "Ana", "tags": ["vip"]})
    response = client.get(f"/a/{account}/contacts/export.csv")
    assert response.mimetype == "text/csv"
    assert response.get_data(as_text=True).splitlines() == [
        "phone,name,tags,opted_out", "5511988880001,Ana,vip,false"]


def test_in_the_browser_a_csv_import_reports_the_bad_row(ui, tmp_path):
    page = ui.page()
    ui.sign_up(page, "Clínica Sorriso")
    page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Contacts").click()
    expect(page.get_by_text("No contacts yet")).to_be_visible()
    ui.shot(page, "contacts-empty")
    spreadsheet = tmp_path / "clientes.csv"
    spreadsheet.write_text(CSV)
    page.get_by_label("CSV file").set_input_files(str(spreadsheet))
    page.get_by_role("button", name="Import").click()
    report = page.locator("#import-report")
    expect(report).to_contain_text("2 new contacts, 0 updated, 1 rows with errors")
    expect(report.get_by_role("listitem")).to_have_text(
        ["Line 3: Phone number: 'not a phone' is not a phone number"])
    expect(page.locator("#contacts-table tbody tr")).to_have_count(2)
    page.get_by_label("Tag", exact=True).select_option("manicure")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#contacts-table tbody tr")).to_have_count(1)
    expect(page.locator("#contacts-table")).to_contain_text("Carla")
    ui.shot(page, "contacts")


def test_the_form_and_the_csv_help_name_one_tag_separator_and_the_form_accepts_it_and_pipes(
        member, managers):
    account, client, token = member
    for lang in ("en", "pt_BR"):
        client.set_cookie("lang", lang)
        page = _page(client, account)
        separated = ("separated by commas", "Separated by commas") if lang == "en" else (
            "separadas por vírgula", "Separadas por vírgula")
        assert separated[0] in page and separated[1] in page
        assert "separated by ;" not in page and "separadas por ;" not in page
    client.set_cookie("lang", "en")
    client.post(f"/a/{account}/contacts", data={"phone": "11 98888-0001", "name": "Ana",
                                                "tags": "vip, manicure|novo", "csrf_token": token})
    assert managers.contacts.list_contacts(account)["items"][0]["tags"] == ["vip", "manicure", "novo"]
