"""Errors on Portuguese pages: messages with their values and fields' labels in Portuguese,
Portuguese 404/405/500 pages for every non-API URL; the API keeps its English JSON errors."""
from __future__ import annotations

import html
import io

import pytest

from tests.support.clients import PASSWORD, csrf_token, sign_in
from web.ui.messages import error_text
from zapfleet.core import validation
from zapfleet.core.errors import Conflict, InvalidInput, NotFound, ZapfleetError
from zapfleet.tenancy.settings_shapes import stored_settings

ENGLISH = ("must be", "is not", "not found", "is required", "the ", "requested URL", "Error:")


def _portuguese_client(app, email: str | None = None):
    """A test client with no language chosen (pages in Portuguese), signed in when email is given."""
    client = app.test_client()
    if email:
        assert sign_in(client, email).status_code == 302
    return client


@pytest.fixture
def salon(app, managers):
    """A salon with a signed-in user on Portuguese pages: (account id, client, token)."""
    created = managers.accounts.register_customer({"name": "Salão Bela", "email": "bela@example.com",
                                                   "password": PASSWORD}, with_api_key=False)
    account = str(created["account"]["id"])
    client = _portuguese_client(app, "bela@example.com")
    return account, client, csrf_token(client, f"/a/{account}/contacts")


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _raised(check) -> ZapfleetError:
    with pytest.raises(ZapfleetError) as caught:
        check()
    return caught.value


def test_an_error_keeps_its_template_and_parameters_and_the_english_message():
    exc = _raised(lambda: validation.phone("123"))
    assert exc.message == "phone: '123' is not a possible phone number"
    assert exc.template == "%(value)s is not a possible phone number" and exc.params == {"value": "'123'"}
    nested = _raised(lambda: stored_settings({"business_hours": {"sat": ["9h às 13h"]}}))
    assert nested.field == "business_hours.sat" and nested.params == {"value": "'9h às 13h'"}
    assert isinstance(_raised(lambda: validation.text({"x": "abc"}, "x", max_len=2)), InvalidInput)


def test_messages_with_values_are_portuguese_with_the_fields_label(app):
    cases = {
        lambda: validation.phone("123"): "Telefone: '123' não é um número de telefone possível",
        lambda: stored_settings({"business_hours": {"sat": ["9h às 13h"]}}):
            "Horário de atendimento › Sábado: '9h às 13h' deve ter a hora de abertura e a de "
            "fechamento, por exemplo 09:00-18:00",
        lambda: validation.password("short"): "Senha: deve ter de 10 a 200 caracteres",
        lambda: validation.text({"name": "abc"}, "name", max_len=2): "Nome: deve ter no máximo 2 caracteres",
        lambda: stored_settings({"pacing": {"daily_cap": 0}}):
            "Ritmo › Máximo de mensagens de campanha por dia: deve ser um número inteiro de 1 a 100000",
        lambda: validation.tags(["#!"]): "Etiquetas: '#!' não é uma etiqueta válida (letras, números, até 50)",
    }
    with app.test_request_context("/"):  # no language chosen: Portuguese
        for check, expected in cases.items():
            assert error_text(_raised(check)) == expected
        assert error_text(NotFound("no such %(what)s", what="campaign")) == "não encontrado: campanha"
        conflict = Conflict("a %(status)s campaign cannot be %(wanted)s", status="completed", wanted="paused")
        assert error_text(conflict) == "uma campanha com status «concluída» não pode ser «pausada»"


def test_the_sign_up_page_says_what_is_wrong_in_portuguese(app):
    client = _portuguese_client(app)
    for fields, expected in (({"phone": "123"}, "Telefone: '123' não é um número de telefone possível"),
                             ({"password": "curta"}, "Senha: deve ter de 10 a 200 caracteres")):
        data = {"name": "Barbearia do Zé", "email": "ze@example.com", "password": PASSWORD,
                **fields, "csrf_token": csrf_token(client, "/signup")}
        response = client.post("/signup", data=data)
        page = _text(response)
        assert response.status_code == 400 and expected in page, page
        assert "password:" not in page and "phone:" not in page and "must be" not in page


def test_the_settings_page_explains_bad_business_hours_in_portuguese(salon):
    account, client, token = salon
    response = client.post(f"/a/{account}/messaging/hours", data={
        "csrf_token": token, "time_zone": "America/Sao_Paulo", "business_hours.sat": "9h às 13h"})
    page = _text(response)
    assert response.status_code == 400
    assert "Sábado: '9h às 13h' deve ter a hora de abertura e a de fechamento" in page
    assert "must be opening" not in page and "business_hours.sat:" not in page


def test_a_bad_contact_and_a_bad_csv_row_are_explained_in_portuguese(salon):
    account, client, token = salon
    response = client.post(f"/a/{account}/contacts", data={"phone": "12", "name": "Zé", "tags": "",
                                                           "csrf_token": token})
    page = _text(response)
    assert "'12' não é um número de telefone possível" in page and "possible phone" not in page
    csv = "telefone;nome\nnot a phone;Bruno\n11 98888-0003;Carla\n"
    response = client.post(f"/a/{account}/contacts/import", data={
        "file": (io.BytesIO(csv.encode()), "clientes.csv"), "encoding": "utf-8-sig",
        "csrf_token": token}, content_type="multipart/form-data")
    assert "Linha 2: Telefone: 'not a phone' não é um número de telefone" in _text(response)


def test_the_api_keeps_english_messages_and_its_csv_report_names_the_message_id(app, register):
    client = app.test_client()
    answer = client.post("/api/register", json={"name": "Zé", "email": "ze@example.com",
                                                "password": PASSWORD, "phone": "123"})
    assert answer.status_code == 400
    assert answer.get_json() == {"error": {"code": "invalid_input",
                                           "message": "phone: '123' is not a possible phone number"}}
    tenant = register()
    report = client.post(f"/api/accounts/{tenant.id}/contacts/import", data="phone\n12\n",
                         content_type="text/csv", headers=tenant.headers).get_json()
    assert report["errors"] == [{"line": 2, "error": "phone: '12' is not a possible phone number",
                                 "field": "phone", "message_id": "%(value)s is not a possible phone number",
                                 "params": {"value": "'12'"}}]


@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_urls_and_wrong_methods_get_portuguese_pages(app, salon, signed_in):
    client = salon[1] if signed_in else _portuguese_client(app)
    for path in ("/nada-aqui", f"/a/{salon[0]}/nada", "/static/nada.css"):
        response = client.get(path)
        page = _text(response)
        assert response.status_code == 404 and 'lang="pt-BR"' in page, path
        assert "Página não encontrada" in page and "O endereço pode estar errado" in page
        assert not any(word in page for word in ENGLISH if word != "the "), page
    response = client.delete("/login")
    page = _text(response)
    assert response.status_code == 405 and "Esta página não faz isso" in page
    assert "Method Not Allowed" not in page and "not allowed" not in page


def test_another_accounts_page_is_a_portuguese_404(app, managers, salon):
    other = managers.accounts.register_customer({"name": "Academia Forte", "email": "bia@example.com",
                                                 "password": PASSWORD}, with_api_key=False)
    response = salon[1].get(f"/a/{other['account']['id']}/contacts")
    assert response.status_code == 404 and "Página não encontrada" in _text(response)


def test_an_unexpected_failure_is_a_portuguese_500_page_and_json_for_the_api(app):
    def boom():
        raise RuntimeError("kaput")
    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/boom", "api_boom", boom)
    app.logger.disabled = True
    response = app.test_client().get("/boom")
    page = _text(response)
    assert response.status_code == 500 and "Algo deu errado" in page and "kaput" not in page
    assert "Não conseguimos concluir isto" in page
    answer = app.test_client().get("/api/boom")
    assert answer.status_code == 500 and answer.get_json()["error"]["code"] == "internal_error"


def test_api_urls_keep_the_json_error_shape(app):
    client = app.test_client()
    response = client.get("/api/nothing-here")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
    response = client.delete("/api/register")
    assert response.status_code == 405
    assert response.get_json()["error"]["code"] == "method_not_allowed"


def test_the_bot_label_says_the_bot_is_off_when_only_the_away_message_is_on(app, managers, salon):
    account, client, _token = salon
    message = managers.conversations.record_message(account, "5511987654321", "in", "Oi", "received")
    url = f"/a/{account}/inbox/{message['conversation_id']}"
    managers.settings.update_messaging_settings(account, {"auto_reply": True})
    page = _text(client.get(url))
    assert "O robô está desligado: só a mensagem de ausência responde" in page
    assert "O robô responde a este cliente" not in page
    managers.settings.update_messaging_settings(account, {"booking_bot": True})
    page = _text(client.get(url))
    assert "O robô responde a este cliente" in page and "O robô está desligado" not in page
