"""Bad input is a 400 (or 413) naming what is wrong, never a 500: NUL and unpaired surrogates,
deep nesting, oversized JSON, nulls where a value is needed."""
from __future__ import annotations

import json

import pytest


def _raw(client, method, url, body: str, headers=None):
    return client.open(url, method=method, data=body.encode("utf-8", "surrogatepass"),
                       content_type="application/json", headers=headers or {})


def _error(answer):
    return answer.status_code, answer.get_json()["error"]["message"]


def test_nul_in_a_json_field_names_the_field(client):
    answer = client.post("/api/register", json={"name": "Loja\u0000", "email": "a@example.com",
                                                "password": "uma senha longa"})
    assert _error(answer) == (400, "name: must not contain NUL or unpaired surrogate characters")


def test_an_unpaired_surrogate_names_the_field(client, register):
    tenant = register("Loja")
    answer = _raw(client, "POST", f"/api/accounts/{tenant.id}/api-keys", '{"label": "chave \\ud800"}',
                  tenant.headers)
    assert _error(answer) == (400, "label: must not contain NUL or unpaired surrogate characters")


@pytest.mark.parametrize("query", ["q=a%00b", "tag=%00", "cursor=%00"])
def test_nul_in_the_query_string_names_the_parameter(client, register, query):
    tenant = register("Loja")
    answer = client.get(f"/api/accounts/{tenant.id}/contacts?{query}", headers=tenant.headers)
    name = query.split("=")[0]
    assert _error(answer) == (400, f"{name}: must not contain NUL or unpaired surrogate characters")


@pytest.mark.parametrize("depth", [33, 100_000])
def test_deep_nesting_is_refused_even_without_a_key(client, depth):
    answer = _raw(client, "POST", "/api/register", '{"name": ' + "[" * depth + "]" * depth + "}")
    assert answer.status_code == 400
    assert answer.get_json()["error"]["code"] == "invalid_input"


def test_a_json_body_over_the_limit_is_413(client, register):
    tenant = register("Loja")
    body = json.dumps({"phone": "11988887777", "name": "x" * (1024 * 1024)})
    answer = _raw(client, "POST", f"/api/accounts/{tenant.id}/contacts", body, tenant.headers)
    assert answer.status_code == 413 and answer.get_json()["error"]["code"] == "payload_too_large"


def test_null_where_a_flag_is_needed_names_it(client, register):
    tenant = register("Loja")
    answer = client.put(f"/api/accounts/{tenant.id}/webhook", headers=tenant.headers,
                        json={"url": "https://hooks.example.com/zap", "enabled": None})
    assert _error(answer) == (400, "enabled: must not be null")


@pytest.mark.parametrize("url", ["http://127.0.0.1/", "http://10.0.0.1/hook", "http://100.100.100.200/",
                                 "http://[::ffff:127.0.0.1]/", "http://no-such-host.invalid/"])
def test_a_webhook_to_a_private_or_unknown_address_is_refused_when_saved(client, register, url):
    tenant = register("Loja")
    answer = client.put(f"/api/accounts/{tenant.id}/webhook", headers=tenant.headers, json={"url": url})
    status, message = _error(answer)
    assert status == 400 and message.startswith("url: ")
    assert client.get(f"/api/accounts/{tenant.id}/webhook", headers=tenant.headers).status_code == 404


def test_form_parts_without_a_name_are_a_400_not_a_500(client, register):
    """Found by the schemathesis run: werkzeug gives such parts the name None."""
    tenant = register("Loja")
    body = (b'--X\r\nContent-Disposition: form-data\r\n\r\nxyz\r\n'
            b'--X\r\nContent-Disposition: form-data; filename="a.csv"\r\n\r\nphone\r\n--X--\r\n')
    answer = client.post(f"/api/accounts/{tenant.id}/contacts/import", data=body,
                         content_type="multipart/form-data; boundary=X", headers=tenant.headers)
    assert answer.status_code == 400 and answer.get_json()["error"]["message"].startswith("file:")
