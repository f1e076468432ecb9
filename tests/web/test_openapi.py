"""The OpenAPI document matches the routes both ways, and is served as JSON and as HTML."""
import re

import pytest

from web.openapi.build import build_spec
from zapfleet.core.errors import ERROR_CODES
from zapfleet.messaging.shapes import Contact, ConversationPage, MessagePage

DOC_ROUTES = {"/api/openapi.json", "/api/docs"}
IGNORED_METHODS = {"HEAD", "OPTIONS"}
HTTP_METHODS = {"get", "put", "post", "delete", "options", "head", "patch", "trace"}


@pytest.fixture
def spec(app):
    """The OpenAPI document of the test app."""
    return build_spec(app)


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /a/<uuid:account_id> -> /a/{account_id}."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def served_operations(app) -> dict[str, set[str]]:
    """The methods of every documented-to-be route: under /api (but the docs) and /healthz."""
    served: dict[str, set[str]] = {}
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if rule.endpoint == "static" or path in DOC_ROUTES:
            continue
        if path.startswith("/api") or path == "/healthz":
            served.setdefault(path, set()).update(m.lower() for m in rule.methods - IGNORED_METHODS)
    return served


def documented_operations(spec) -> dict[str, set[str]]:
    """The methods the document lists for each path."""
    return {path: set(item) & HTTP_METHODS for path, item in spec["paths"].items()}


def test_openapi_path_converts_flask_rules():
    assert openapi_path("/api/accounts/<uuid:account_id>/contacts/<uuid:contact_id>") == \
        "/api/accounts/{account_id}/contacts/{contact_id}"
    assert openapi_path("/x/<name>") == "/x/{name}"


def test_every_route_is_documented_with_its_methods(app, spec):
    served, documented = served_operations(app), documented_operations(spec)
    assert served, "no API routes found"
    missing = {path: methods - documented.get(path, set()) for path, methods in served.items()}
    assert {path: methods for path, methods in missing.items() if methods} == {}


def test_every_documented_operation_is_served(app, spec):
    served, documented = served_operations(app), documented_operations(spec)
    extra = {path: methods - served.get(path, set()) for path, methods in documented.items()}
    assert {path: methods for path, methods in extra.items() if methods} == {}


def test_operation_ids_name_the_view_functions(app, spec):
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if path in spec["paths"]:
            for method in rule.methods - IGNORED_METHODS:
                operation = spec["paths"][path][method.lower()]
                assert operation["operationId"] == rule.endpoint.rsplit(".", 1)[-1], f"{method} {path}"


def test_path_parameters_are_declared_as_uuids(spec):
    for path, item in spec["paths"].items():
        declared = {p["name"]: p for p in item.get("parameters", []) if p["in"] == "path"}
        assert set(declared) == set(re.findall(r"{(\w+)}", path)), path
        assert all(p["required"] and p["schema"]["format"] == "uuid" for p in declared.values()), path


def test_only_register_and_healthz_are_public(spec):
    public = {path for path, item in spec["paths"].items() for method, op in item.items()
              if method in HTTP_METHODS and op.get("security") == []}
    assert public == {"/api/register", "/healthz"}
    assert spec["security"] == [{"bearerAuth": []}]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_authenticated_operations_document_401(spec):
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method in HTTP_METHODS and op.get("security") != []:
                assert "401" in op["responses"], f"{method} {path}"


def test_every_reference_resolves(spec):
    text = repr(spec)
    for target in set(re.findall(r"'\$ref': '#/([^']+)'", text)):
        node = spec
        for key in target.split("/"):
            assert key in node, f"#/{target} does not resolve"
            node = node[key]


def test_error_schema_codes_are_the_error_codes(spec):
    schemas = spec["components"]["schemas"]
    detail = schemas[schemas["Error"]["properties"]["error"]["$ref"].rsplit("/", 1)[-1]]
    assert detail["properties"]["code"]["enum"] == list(ERROR_CODES)


def test_openapi_json_is_served(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"].startswith("3.")
    assert document == build_spec(client.application)


def test_docs_page_lists_every_path(client, spec):
    response = client.get("/api/docs")
    assert response.status_code == 200 and response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert all(path in page for path in spec["paths"])
    assert "<script" not in page and "<link" not in page  # self-contained: no JavaScript, no CDN


def test_enums_and_limits_come_from_the_declared_models(spec):
    schemas = spec["components"]["schemas"]
    assert schemas["ContactIn"]["properties"]["name"]["maxLength"] == 200
    assert schemas["ContactIn"]["required"] == ["phone"]
    assert schemas["ErrorDetail"]["properties"]["code"]["enum"] == list(ERROR_CODES)
    listing = spec["paths"]["/api/accounts/{account_id}/contacts"]["get"]
    limit = next(p for p in listing["parameters"] if p["name"] == "limit")
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 500)


def test_a_request_that_breaks_its_model_gets_a_400_naming_the_field(client, register):
    tenant = register()
    url = f"/api/accounts/{tenant.id}/contacts"
    response = client.post(url, json={"phone": "11911111111", "name": "x" * 201},
                           headers=tenant.headers)
    assert response.status_code == 400
    assert response.get_json()["error"] == {"code": "invalid_input",
                                            "message": "name: must be at most 200 characters"}


def test_real_responses_match_their_declared_models(client, register, managers):
    tenant = register()
    base = f"/api/accounts/{tenant.id}"
    contact = client.post(f"{base}/contacts", json={"phone": "11911111111", "tags": ["vip"]},
                          headers=tenant.headers).get_json()
    Contact.model_validate(contact)
    managers.conversations.record_message(tenant.id, "11911111111", "in", "Oi!", "received")
    conversations = client.get(f"{base}/conversations", headers=tenant.headers).get_json()
    ConversationPage.model_validate(conversations)
    conversation_id = conversations["items"][0]["id"]
    messages = client.get(f"{base}/conversations/{conversation_id}/messages",
                          headers=tenant.headers).get_json()
    assert MessagePage.model_validate(messages).items[0].direction == "in"
