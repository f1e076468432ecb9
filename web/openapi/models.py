"""Components from pydantic models: their JSON Schemas, with nullable fields as `type: [x, null]`."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, models_json_schema
from pydantic_core import core_schema

Mode = Literal["validation", "serialization"]
REF_TEMPLATE = "#/components/schemas/{model}"


class DocumentSchema(GenerateJsonSchema):
    """pydantic's JSON Schema without field titles, a nullable simple type as one schema."""

    def field_title_should_be_set(self, schema: Any) -> bool:
        return False

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        if isinstance(inner.get("type"), str) and inner["type"] != "null":
            nullable = {**inner, "type": [inner["type"], "null"]}
            if "enum" in inner:
                nullable["enum"] = [*inner["enum"], None]
            return nullable
        return super().nullable_schema(schema)


def model_components(models: Iterable[tuple[type[BaseModel], Mode]]
                     ) -> tuple[dict[tuple[type[BaseModel], Mode], dict[str, Any]], dict[str, Any]]:
    """Each (model, mode)'s reference, and every schema they need, by component name."""
    keyed = list(dict.fromkeys(models))
    refs, top = models_json_schema(keyed, ref_template=REF_TEMPLATE, schema_generator=DocumentSchema)
    by_model = {(model, mode): ref for (model, mode), ref in refs.items() if issubclass(model, BaseModel)}
    return by_model, top.get("$defs", {})


def query_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """A query model's fields as OpenAPI query parameters."""
    schema = model.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=DocumentSchema)
    required = set(schema.get("required", ()))
    return [{"name": name, "in": "query", "required": name in required,
             "description": prop.pop("description", ""), "schema": prop}
            for name, prop in schema.get("properties", {}).items()]
