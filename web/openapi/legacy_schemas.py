"""Hand-written OpenAPI components of the shapes not yet declared as models, and their helpers."""
from __future__ import annotations

from typing import Any

from zapfleet.core.vocabulary import USER_ROLES

Schema = dict[str, Any]

ROLES = USER_ROLES
TAG_RULE = "letters, digits, spaces and . : / -, starting with a letter or digit, up to 50 characters"


def ref(name: str) -> Schema:
    """A reference to a schema under components/schemas."""
    return {"$ref": f"#/components/schemas/{name}"}


def described(schema: Schema, description: str) -> Schema:
    """A copy of the schema with a description."""
    return {**schema, "description": description}


def nullable(schema: Schema) -> Schema:
    """The schema, also allowing null."""
    return {**schema, "type": [schema["type"], "null"]}


def string(description: str, **constraints: Any) -> Schema:
    """A string with a description and optional constraints (format, maxLength, enum, ...)."""
    return {"type": "string", **constraints, "description": description}


def uuid(description: str) -> Schema:
    """A UUID string."""
    return string(description, format="uuid")


def timestamp(description: str) -> Schema:
    """An ISO 8601 date-time string."""
    return string(description, format="date-time")


def tag_list(description: str) -> Schema:
    """A list of short tags."""
    return {"type": "array", "maxItems": 50, "items": string(f"A tag: {TAG_RULE}.", maxLength=50),
            "description": description}


def obj(properties: dict[str, Schema], description: str, required: tuple[str, ...] = ()) -> Schema:
    """An object schema; `required` lists the properties that must be present."""
    schema: Schema = {"type": "object", "properties": properties}
    if description:
        schema["description"] = description
    if required:
        schema["required"] = list(required)
    return schema


def record(properties: dict[str, Schema], description: str) -> Schema:
    """An object the API returns: every property is always present."""
    return obj(properties, description, required=tuple(properties))


def without_required(schema: Schema, description: str) -> Schema:
    """The partial-update variant of an input schema: every property optional."""
    partial = {key: value for key, value in schema.items() if key != "required"}
    return {**partial, "description": description}


def list_of(name: str, description: str) -> Schema:
    """{"items": [...]} holding every item of a schema."""
    return record({"items": {"type": "array", "items": ref(name)}}, description)


def page_of(name: str, description: str) -> Schema:
    """{"items": [...], "next_cursor": ...}: one page of a keyset-paginated list."""
    return record({
        "items": {"type": "array", "items": ref(name)},
        "next_cursor": nullable(string("Pass as ?cursor= to get the next page; null on the last page.")),
    }, description)


def component_schemas() -> dict[str, Schema]:
    """Every reusable schema, by name."""
    return {}
