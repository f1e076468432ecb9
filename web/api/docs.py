"""API documentation: the OpenAPI document as JSON, and the same content as an HTML page."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, Response, current_app, render_template

from web.openapi.build import build_spec
from web.openapi.common import Spec

bp = Blueprint("docs", __name__, url_prefix="/api")
CONSTRAINT_LABELS = (
    ("maxLength", "at most {} characters"),
    ("minimum", "at least {}"), ("maximum", "at most {}"), ("maxItems", "at most {} items"),
    ("pattern", "matches {}"), ("default", "default {}"),
)


@bp.get("/openapi.json")
def openapi_json():
    """The OpenAPI 3.1 document, its keys in document order."""
    return Response(json.dumps(build_spec(current_app)), mimetype="application/json")


@bp.get("/docs")
def docs_page():
    """Every operation, grouped by tag, as a server-rendered HTML page."""
    spec = build_spec(current_app)
    return render_template("api_docs.html", info=spec["info"], groups=operation_groups(spec),
                           schemas=schema_sections(spec))


def resolve(spec: Spec, node: dict[str, Any]) -> dict[str, Any]:
    """What a local `#/...` reference points at (the node itself when it is no reference)."""
    while "$ref" in node:
        target: Any = spec
        for key in node["$ref"].removeprefix("#/").split("/"):
            target = target[key]
        node = target
    return node


def schema_name(schema: dict[str, Any]) -> str | None:
    """The component name a schema refers to, or None for an inline schema."""
    ref = schema.get("$ref", "")
    return ref.rsplit("/", 1)[-1] if ref.startswith("#/components/schemas/") else None


def type_label(schema: dict[str, Any]) -> str:
    """A short human-readable type: `string (uuid) or null`, `array of Contact`."""
    if "$ref" in schema:
        return schema_name(schema) or schema["$ref"]
    if "allOf" in schema:
        return " + ".join(type_label(part) for part in schema["allOf"])
    if "anyOf" in schema:
        return " or ".join(type_label(part) for part in schema["anyOf"])
    types = schema.get("type", "any")
    labels = []
    for kind in types if isinstance(types, list) else [types]:
        if kind == "array":
            labels.append(f"array of {type_label(schema.get('items', {}))}")
        elif "format" in schema and kind != "null":
            labels.append(f"{kind} ({schema['format']})")
        else:
            labels.append(kind)
    return " or ".join(labels)


def constraint_label(schema: dict[str, Any]) -> str:
    """The schema's constraints in words: allowed values, lengths, bounds, default."""
    words = [f"one of: {', '.join(map(str, schema['enum']))}"] if "enum" in schema else []
    if "minLength" in schema:
        minimum = schema["minLength"]
        words.append("not empty" if minimum == 1 else f"at least {minimum} characters")
    words += [template.format(schema[key]) for key, template in CONSTRAINT_LABELS if key in schema]
    return "; ".join(words)


def field_rows(spec: Spec, schema: dict[str, Any], prefix: str = "") -> list[dict[str, Any]]:
    """One row per property of an object schema; allOf parts merged, inline objects flattened."""
    schema = resolve(spec, schema)
    rows = []
    for part in [resolve(spec, p) for p in schema.get("allOf", [])] or [schema]:
        required = set(part.get("required", ()))
        for name, prop in part.get("properties", {}).items():
            rows.append({"name": prefix + name, "type": type_label(prop), "required": name in required,
                         "description": prop.get("description", ""),
                         "constraints": constraint_label(prop)})
            rows += _inline_rows(spec, prop, prefix + name)
    return rows


def _inline_rows(spec: Spec, prop: dict[str, Any], name: str) -> list[dict[str, Any]]:
    if "properties" in prop:
        return field_rows(spec, prop, f"{name}.")
    if "properties" in prop.get("items", {}):
        return field_rows(spec, prop["items"], f"{name}[].")
    return []


def parameter_rows(spec: Spec, path_item: Spec, op: Spec) -> list[dict[str, Any]]:
    """The path-level and operation-level parameters of an operation."""
    return [{"name": p["name"], "location": p["in"], "type": type_label(p["schema"]),
             "required": p.get("required", False), "description": p.get("description", ""),
             "constraints": constraint_label(p["schema"])}
            for p in (resolve(spec, raw) for raw in [*path_item.get("parameters", []),
                                                      *op.get("parameters", [])])]


def content_entries(spec: Spec, content: Spec) -> list[dict[str, Any]]:
    """One entry per media type of a request or response body."""
    return [{"media_type": media_type, "type": type_label(media["schema"]),
             "schema_name": schema_name(media["schema"]),
             "description": resolve(spec, media["schema"]).get("description", ""),
             "fields": field_rows(spec, media["schema"])}
            for media_type, media in content.items()]


def operation_view(spec: Spec, path: str, method: str, op: Spec) -> dict[str, Any]:
    """What the page shows for one operation."""
    body = op.get("requestBody")
    responses = {status: resolve(spec, raw) for status, raw in op["responses"].items()}
    return {
        "id": op["operationId"], "method": method.upper(), "path": path,
        "summary": op["summary"], "description": op["description"],
        "public": op.get("security") == [],
        "parameters": parameter_rows(spec, spec["paths"][path], op),
        "body": body and {"required": body.get("required", False),
                          "content": content_entries(spec, body["content"])},
        "responses": [{"status": status, "description": response["description"],
                       "content": content_entries(spec, response.get("content", {}))}
                      for status, response in responses.items()],
    }


def operation_groups(spec: Spec) -> list[dict[str, Any]]:
    """The operations grouped by tag, in the order the document lists its tags."""
    groups = {tag["name"]: {**tag, "operations": []} for tag in spec["tags"]}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method != "parameters":
                groups[op["tags"][0]]["operations"].append(operation_view(spec, path, method, op))
    return [group for group in groups.values() if group["operations"]]


def schema_sections(spec: Spec) -> list[dict[str, Any]]:
    """Every reusable schema with its fields."""
    return [{"name": name, "description": schema.get("description", ""),
             "type": type_label(schema), "fields": field_rows(spec, schema)}
            for name, schema in spec["components"]["schemas"].items()]
