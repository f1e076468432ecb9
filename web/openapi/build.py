"""The OpenAPI 3.1 document, built from the app's routes and each view's declared shapes."""
from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from flask import Flask
from pydantic import BaseModel

from web.openapi.common import ACCESS_ERRORS, ACCESS_NOTES, TAGS, Spec, errors, path_parameters
from web.openapi.declare import Declaration, declaration_of
from web.openapi.errors import Error, error_response_components
from web.openapi.models import Mode, model_components, query_parameters
from zapfleet import __version__

DOC_ROUTES = ("/api/openapi.json", "/api/docs")
IGNORED_METHODS = {"HEAD", "OPTIONS"}
Route = tuple[str, str, str, Any]
Refs = dict[tuple[type[BaseModel], Mode], Spec]


def openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: /a/<uuid:account_id> -> /a/{account_id}."""
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", r"{\1}", rule)


def documented_routes(app: Flask) -> Iterator[Route]:
    """(path, method, operation id, view) of every route under /api (but the docs) and /healthz."""
    for rule in app.url_map.iter_rules():
        path = openapi_path(rule.rule)
        if (path.startswith("/api") or path == "/healthz") and path not in DOC_ROUTES:
            for method in sorted((rule.methods or set()) - IGNORED_METHODS):
                yield path, method.lower(), rule.endpoint.rsplit(".", 1)[-1], app.view_functions[rule.endpoint]


def declared_models(declarations: list[Declaration]) -> list[tuple[type[BaseModel], Mode]]:
    """Every model the declarations name, with the mode it is read or written in."""
    models: list[tuple[type[BaseModel], Mode]] = [(Error, "serialization")]
    for declaration in declarations:
        if isinstance(declaration.body, type):
            models.append((declaration.body, "validation"))
        models += [(shape, "serialization") for shape in declaration.models]
        named = (_model(shape) for shape in declaration.responses.values())
        models += [(model, "serialization") for model in named if model is not None]
    return models


def _model(shape: Any) -> type[BaseModel] | None:
    """The model a declared response names, if any."""
    if isinstance(shape, tuple):
        return shape[0]
    return shape if isinstance(shape, type) else None


def response(shape: Any, refs: Refs) -> Spec:
    """One success response: a model's JSON, an empty response with a description, or as given."""
    if isinstance(shape, str):
        return {"description": shape}
    if isinstance(shape, dict):
        return shape
    if isinstance(shape, tuple):
        shape, description = shape
    else:
        description = (shape.__doc__ or "").strip().splitlines()[0]
    return {"description": description,
            "content": {"application/json": {"schema": refs[(shape, "serialization")]}}}


def request_body(declaration: Declaration, refs: Refs) -> Spec:
    """The requestBody of a declared body: a model's JSON, or a raw request body object."""
    if not isinstance(declaration.body, type):
        return declaration.body or {}
    content = {"application/json": {"schema": refs[(declaration.body, "validation")]}}
    if declaration.form:
        content["multipart/form-data"] = {"schema": declaration.form}
    return {"required": declaration.body_required, "content": content}


def operation(operation_id: str, declaration: Declaration, refs: Refs) -> Spec:
    """The operation object of a declared view."""
    op: Spec = {"operationId": operation_id, "tags": [declaration.tag], "summary": declaration.summary,
                "description": f"{declaration.description} {ACCESS_NOTES[declaration.access]}".strip()}
    if declaration.query:
        op["parameters"] = query_parameters(declaration.query)
    if declaration.body is not None:
        op["requestBody"] = request_body(declaration, refs)
    reads_input = declaration.body is not None or declaration.query is not None
    statuses = (*ACCESS_ERRORS[declaration.access], *declaration.errors, *((400,) if reads_input else ()),
                *((413,) if declaration.body is not None else ()))
    op["responses"] = {**{str(status): response(shape, refs)
                          for status, shape in declaration.responses.items()},
                       **errors(*set(statuses))}
    if declaration.access == "public":
        op["security"] = []
    return op


def build_paths(app: Flask) -> tuple[Spec, dict[str, Spec]]:
    """The paths object, from each view's declaration, and the schemas of the models they name."""
    routes = list(documented_routes(app))
    declared = [d for d in (declaration_of(view) for *_, view in routes) if d]
    refs, schemas = model_components(declared_models(declared))
    paths: Spec = {}
    for path, method, operation_id, view in routes:
        declaration = declaration_of(view)
        if declaration:  # an undeclared route stays out, and tests/web/test_openapi.py names it
            item = paths.setdefault(path, {"parameters": path_parameters(path)} if "{" in path else {})
            item[method] = operation(operation_id, declaration, refs)
    return paths, schemas


def build_spec(app: Flask) -> Spec:
    """The complete OpenAPI 3.1 document for the app's routes."""
    paths, schemas = build_paths(app)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "zapfleet",
            "version": __version__,
            "description": "Multi-tenant WhatsApp manager: accounts, contacts, conversations, "
                           "paced campaigns, API keys, each account's WhatsApp instance, sending "
                           "and webhooks, appointments with their notices, the booking bot's "
                           "settings and metrics. Every error has the body "
                           '{"error": {"code", "message"}}. Timestamps are ISO 8601.',
        },
        "tags": [{"name": name, "description": description} for name, description in TAGS],
        "security": [{"bearerAuth": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "Send `Authorization: Bearer <api key>`: an account's key "
                               "(from sign-up or the API keys endpoints) or the platform admin key.",
            }},
            "schemas": schemas,
            "responses": error_response_components(),
        },
    }
