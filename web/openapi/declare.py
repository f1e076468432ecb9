"""@shapes: a view declares once what it reads and returns, for the OpenAPI document."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel

View = TypeVar("View", bound=Callable[..., Any])
Body = type[BaseModel] | dict[str, Any] | None
Response = type[BaseModel] | tuple[type[BaseModel], str] | dict[str, Any] | str
"""A model (its JSON, described by its docstring), a model with the response's own description, a raw
OpenAPI response object (whose $refs name models listed in `models`), or the description of an empty
one."""
ACCESS_LEVELS = ("public", "admin", "account", "any")


@dataclass(frozen=True)
class Declaration:
    """One operation's documentation: its shapes, access level, tag and words."""

    tag: str
    summary: str
    access: str
    responses: dict[int, Response]
    description: str = ""
    body: Body = None
    body_required: bool = True
    query: type[BaseModel] | None = None
    errors: tuple[int, ...] = field(default=())
    models: tuple[type[BaseModel], ...] = field(default=())
    form: dict[str, Any] | None = None
    """The schema of a multipart/form-data body accepted beside the JSON one."""


def shapes(**declared: Any) -> Callable[[View], View]:
    """Attach a Declaration to a view; put it right under the route decorator."""
    declaration = Declaration(**declared)
    if declaration.access not in ACCESS_LEVELS:
        raise ValueError(f"access must be one of {ACCESS_LEVELS}")

    def mark(view: View) -> View:
        view.openapi = declaration  # type: ignore[attr-defined]
        return view
    return mark


def declaration_of(view: Callable[..., Any]) -> Declaration | None:
    """The view's declaration, or None when it has none yet."""
    return getattr(view, "openapi", None)
