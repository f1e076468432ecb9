"""Reusable field types for request and response shapes, and parse(): a dict checked against one.

The field types run today's checks from zapfleet.core.validation, so their messages stay the
same; the limits they declare (maxLength, minimum, enum, ...) also feed the OpenAPI document."""
from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, TypeVar
from uuid import UUID

from annotated_types import GroupedMetadata
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, ValidationInfo
from pydantic_core import PydanticCustomError

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput

M = TypeVar("M", bound=BaseModel)
TAG_RULE = "letters, digits, spaces and . : / -, starting with a letter or digit, up to 50 characters"
TAG_PATTERN = r"^[\w][\w .:/-]{0,49}$"
TYPE_MESSAGES = {
    "missing": "is required", "string_type": "must be a string", "bool_type": "must be true or false",
    "bool_parsing": "must be true or false", "list_type": "must be a list",
    "model_type": "must be a JSON object", "dict_type": "must be a JSON object",
    "uuid_type": "must be a UUID", "uuid_parsing": "must be a UUID", "extra_forbidden": "is not a setting",
}


class Shape(BaseModel):
    """Base of every request and response shape: fields not declared are ignored."""

    model_config = ConfigDict(extra="ignore")


def _without_null(prop: dict[str, Any]) -> None:
    if isinstance(prop.get("type"), list) and "null" in prop["type"]:
        kinds = [kind for kind in prop["type"] if kind != "null"]
        prop["type"] = kinds[0] if len(kinds) == 1 else kinds
        if "enum" in prop:
            prop["enum"] = [value for value in prop["enum"] if value is not None]
    elif "anyOf" in prop and {"type": "null"} in prop["anyOf"]:
        rest = [alt for alt in prop.pop("anyOf") if alt != {"type": "null"}]
        prop.update(rest[0] if len(rest) == 1 else {"anyOf": rest})


def _patch_schema(schema: dict[str, Any], model: type[Patch]) -> None:
    for name, prop in schema.get("properties", {}).items():
        if prop.get("default", "") is None:
            del prop["default"]
        if name not in model.nullable:
            _without_null(prop)


class Patch(Shape):
    """Base of partial updates: every field optional, and a field not sent stays unchanged.

    The document shows null only for the fields listed in `nullable` (where null clears a value);
    elsewhere a field's None default just means "not sent"."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_patch_schema)
    nullable: ClassVar[tuple[str, ...]] = ()


def checked(check: Callable[[Any, ValidationInfo], Any]) -> BeforeValidator:
    """A pydantic validator running a check that raises InvalidInput, keeping its message (and the
    item it names inside the field, such as variants[2])."""
    def run(value: Any, info: ValidationInfo) -> Any:
        try:
            return check(value, info)
        except InvalidInput as exc:
            raise PydanticCustomError("invalid_input", "{detail}",
                                      {"detail": exc.detail, "field": exc.field,
                                       "template": exc.template, "params": exc.params}) from None
    return BeforeValidator(run)


def strict_flag(value: Any, _info: ValidationInfo) -> bool:
    """A check for checked(): a JSON true or false, nothing that merely converts to one."""
    if not isinstance(value, bool):
        raise InvalidInput("v", "must be true or false")
    return value


def _text(max_len: int, required: bool) -> Callable[[Any, ValidationInfo], Any]:
    def check(value: Any, _info: ValidationInfo) -> str:
        return validation.text({"v": value}, "v", max_len=max_len, required=required) or ""
    return check


class Rules(GroupedMetadata):
    """Several pieces of field metadata under one name, for a field that more than one shape has:
    `Annotated[str, MESSAGE]` in the creation shape, `Annotated[str | None, MESSAGE]` in the patch."""

    def __init__(self, *items: Any) -> None:
        self.items = items

    def __iter__(self) -> Iterator[Any]:
        return iter(self.items)


@dataclass(frozen=True)
class Text(GroupedMetadata):
    """An optional trimmed string of at most max_len characters (null reads as ""):
    `name: Annotated[str, Text(200, "Display name.")] = ""`."""

    max_len: int
    description: str | None = None

    def __iter__(self) -> Iterator[Any]:
        yield Field(max_length=self.max_len, description=self.description)
        yield checked(_text(self.max_len, False))


@dataclass(frozen=True)
class RequiredText(GroupedMetadata):
    """A trimmed, non-empty string of at most max_len characters."""

    max_len: int
    description: str | None = None

    def __iter__(self) -> Iterator[Any]:
        yield Field(min_length=1, max_length=self.max_len, description=self.description)
        yield checked(_text(self.max_len, True))


@dataclass(frozen=True)
class WholeNumber(GroupedMetadata):
    """An integer from low to high (a JSON number without a fraction, not a boolean; not null)."""

    low: int
    high: int
    description: str | None = None

    def __iter__(self) -> Iterator[Any]:
        yield Field(ge=self.low, le=self.high, description=self.description)
        yield checked(self.check)

    def check(self, value: Any, _info: ValidationInfo) -> int:
        """The number, when it is a whole number in range."""
        if value is None:
            raise InvalidInput("v", "must not be null")
        return validation.whole_number({"v": value}, "v", self.low, self.high) or 0


@dataclass(frozen=True)
class Choice(GroupedMetadata):
    """One of a fixed list of strings (an enum in the document)."""

    allowed: tuple[str, ...]
    description: str | None = None

    def __iter__(self) -> Iterator[Any]:
        yield Field(description=self.description, json_schema_extra={"enum": list(self.allowed)})
        yield checked(self.check)

    def check(self, value: Any, _info: ValidationInfo) -> str:
        """The value when it is one of the allowed strings (null is not)."""
        if value is None:
            raise InvalidInput("v", "must be one of: %(allowed)s", allowed=", ".join(self.allowed))
        return validation.choice({"v": value}, "v", self.allowed) or ""


def _flag(value: Any, _info: ValidationInfo) -> bool:
    return bool(validation.boolean({"v": value}, "v", default=False))


def _phone(value: Any, info: ValidationInfo) -> str:
    if value in (None, ""):
        raise InvalidInput("phone", "is required")
    return validation.phone(value, (info.context or {}).get("region", "BR"))


def _tags(value: Any, _info: ValidationInfo) -> list[str]:
    return validation.tags(value)


IsFlag = checked(_flag)
"""A JSON boolean; null reads as false: `Annotated[bool, IsFlag]`."""
IsPhone = checked(_phone)
"""A phone number, normalised to E.164 digits (the region comes from the parse context)."""
PHONE_DESCRIPTION = ("Phone number in any common format; local numbers use the account's region. "
                     "Stored as E.164 digits.")
IsTags = checked(_tags)
"""A de-duplicated list of at most 50 short tags; null reads as an empty list."""
TagList = list[Annotated[str, Field(max_length=50, pattern=TAG_PATTERN, description=f"A tag: {TAG_RULE}.")]]
Flag = Annotated[bool, IsFlag]
Phone = Annotated[str, Field(description=PHONE_DESCRIPTION), IsPhone]
Tags = Annotated[TagList, Field(max_length=50), IsTags]
E164 = Annotated[str, Field(pattern="^[0-9]+$", description="E.164 digits without the plus sign, "
                                                            "e.g. 5511988887777.")]
"""A stored phone number (responses)."""
Uuid = UUID


def field_name(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a dotted field path; the whole body when empty."""
    return ".".join(str(part) for part in loc) or "body"


def as_invalid_input(error: Mapping[str, Any]) -> InvalidInput:
    """One pydantic error as today's InvalidInput(field, message)."""
    loc = list(error["loc"])
    params: dict[str, Any] = {}
    if error["type"] == "invalid_input":
        ctx = error["ctx"]  # a check of a whole shape may give its detail alone
        message, params = ctx.get("template", ctx["detail"]), ctx.get("params") or {}
        if not loc:  # a check of the whole shape names its field itself
            loc = [error["ctx"]["field"]]
        elif loc and str(error["ctx"]["field"]).startswith((f"{loc[-1]}[", f"{loc[-1]}: ")):
            loc[-1] = error["ctx"]["field"]
    elif error["type"].endswith("_type") and error.get("input", "") is None:
        message = "must not be null"
    else:
        message = TYPE_MESSAGES.get(error["type"], error["msg"])
    return InvalidInput(field_name(tuple(loc)), message, **params)


def parse(model: type[M], data: Any, **context: Any) -> M:
    """The data validated against the model; the first problem raises InvalidInput naming it."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise as_invalid_input(exc.errors()[0]) from None
