"""Reusable field types for request and response shapes, and parse(): a dict checked against one.

The field types run today's checks from zapfleet.core.validation, so their messages stay the
same; the limits they declare (maxLength, minimum, enum, ...) also feed the OpenAPI document."""
from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

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
    "uuid_type": "must be a UUID", "uuid_parsing": "must be a UUID",
}


class Shape(BaseModel):
    """Base of every request and response shape: fields not declared are ignored."""

    model_config = ConfigDict(extra="ignore")


def _drop_null_defaults(schema: dict[str, Any]) -> None:
    for prop in schema.get("properties", {}).values():
        if prop.get("default", "") is None:
            del prop["default"]


class Patch(Shape):
    """Base of partial updates: every field optional, and a field not sent stays unchanged."""

    model_config = ConfigDict(extra="ignore", json_schema_extra=_drop_null_defaults)


def checked(check: Callable[[Any, ValidationInfo], Any]) -> BeforeValidator:
    """A pydantic validator running a check that raises InvalidInput, keeping its message."""
    def run(value: Any, info: ValidationInfo) -> Any:
        try:
            return check(value, info)
        except InvalidInput as exc:
            raise PydanticCustomError("invalid_input", "{detail}", {"detail": exc.detail}) from None
    return BeforeValidator(run)


def _text(max_len: int, required: bool) -> Callable[[Any, ValidationInfo], Any]:
    def check(value: Any, _info: ValidationInfo) -> str:
        return validation.text({"v": value}, "v", max_len=max_len, required=required) or ""
    return check


def Text(max_len: int, description: str | None = None) -> Any:
    """An optional trimmed string of at most max_len characters (null reads as "")."""
    return Annotated[str, Field(max_length=max_len, description=description),
                     checked(_text(max_len, False))]


def RequiredText(max_len: int, description: str | None = None) -> Any:
    """A trimmed, non-empty string of at most max_len characters."""
    return Annotated[str, Field(min_length=1, max_length=max_len, description=description),
                     checked(_text(max_len, True))]


def WholeNumber(low: int, high: int, description: str | None = None) -> Any:
    """An integer from low to high (a JSON number without a fraction, not a boolean)."""
    def check(value: Any, _info: ValidationInfo) -> Any:
        return validation.whole_number({"v": value}, "v", low, high)
    return Annotated[int, Field(ge=low, le=high, description=description), checked(check)]


def Choice(allowed: tuple[str, ...], description: str | None = None) -> Any:
    """One of a fixed list of strings (an enum in the document)."""
    def check(value: Any, _info: ValidationInfo) -> Any:
        return validation.choice({"v": value}, "v", allowed)
    return Annotated[Literal[allowed], Field(description=description), checked(check)]


def _flag(value: Any, _info: ValidationInfo) -> bool:
    return bool(validation.boolean({"v": value}, "v", default=False))


def _phone(value: Any, info: ValidationInfo) -> str:
    if value in (None, ""):
        raise InvalidInput("phone", "is required")
    return validation.phone(value, (info.context or {}).get("region", "BR"))


def _tags(value: Any, _info: ValidationInfo) -> list[str]:
    return validation.tags(value)


Flag = Annotated[bool, checked(_flag)]
"""A JSON boolean; null reads as false."""
Phone = Annotated[str, Field(description="Phone number in any common format; local numbers use "
                                         "the account's region. Stored as E.164 digits."),
                  checked(_phone)]
"""A phone number, normalised to E.164 digits (the region comes from the parse context)."""
Tags = Annotated[list[Annotated[str, Field(max_length=50, pattern=TAG_PATTERN,
                                           description=f"A tag: {TAG_RULE}.")]],
                 Field(max_length=50), checked(_tags)]
"""A de-duplicated list of at most 50 short tags; null reads as an empty list."""
E164 = Annotated[str, Field(pattern="^[0-9]+$", description="E.164 digits without the plus sign, "
                                                            "e.g. 5511988887777.")]
"""A stored phone number (responses)."""
Uuid = UUID


def field_name(loc: tuple[Any, ...]) -> str:
    """A pydantic error location as a dotted field path; the whole body when empty."""
    return ".".join(str(part) for part in loc) or "body"


def as_invalid_input(error: dict[str, Any]) -> InvalidInput:
    """One pydantic error as today's InvalidInput(field, message)."""
    if error["type"] == "invalid_input":
        message = error["ctx"]["detail"]
    else:
        message = TYPE_MESSAGES.get(error["type"], error["msg"])
    return InvalidInput(field_name(tuple(error["loc"])), message)


def parse(model: type[M], data: Any, **context: Any) -> M:
    """The data validated against the model; the first problem raises InvalidInput naming it."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as exc:
        raise as_invalid_input(exc.errors()[0]) from None
