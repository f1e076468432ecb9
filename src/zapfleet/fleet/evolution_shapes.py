"""The shapes of the platform's Evolution API servers: what the admin sends, and what the API shows
(the API key is accepted, never shown)."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import Field

from zapfleet.core import validation
from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import Patch, RequiredText, Rules, Shape, Uuid, WholeNumber, checked, strict_flag

DEFAULT_CAPACITY = 20
MAX_CAPACITY = 10_000
MAX_PRIORITY = 1_000
_UNSAFE = re.compile(r"[\s\"'\\]")  # what supervisord's environment line cannot hold
_API_ROUTE = re.compile(r"/(instance|message|webhook|chat|group)(/|$)")


def _url(value: Any, name: str, required: bool) -> str | None:
    """An http(s) URL with a host, no credentials, query or fragment, nothing supervisord's
    environment line cannot hold; without a trailing slash."""
    text = validation.text({name: value}, name, max_len=500, required=required)
    if not text:
        return None
    try:
        parts = urlsplit(text)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(text)
        if "{port}" not in text:
            _ = parts.port  # raises ValueError for a port that is not a number
    except ValueError:
        raise InvalidInput(name, "must be an http:// or https:// URL") from None
    if parts.username or parts.password or parts.query or parts.fragment or _UNSAFE.search(text):
        raise InvalidInput(name, "must be a plain URL: no credentials, query, fragment, blanks or quotes")
    return text.rstrip("/")


def server_url(value: Any) -> str:
    """The server's base URL, e.g. https://evo1.example.com (not one of its routes)."""
    url = _url(value, "url", required=True) or ""  # required: never empty here
    if _API_ROUTE.search(urlsplit(url).path):
        raise InvalidInput("url", "must be the server's base address, e.g. https://evo1.example.com, "
                                  "not one of its routes such as /message/sendText")
    return url


def webhook_base(value: Any) -> str | None:
    """How the server reaches the workers: http(s)://host (the worker's port is appended), or a
    URL with {port} where the port goes; None (empty) for EVOLUTION_WEBHOOK_BASE's."""
    base = _url(value, "webhook_base", required=False)
    if base and "{port}" not in base:
        parts = urlsplit(base)
        if parts.path or parts.port:
            raise InvalidInput("webhook_base", "must be http(s)://host (the worker's port is "
                                               "appended) or contain {port} where it goes")
    return base


def api_key(value: Any) -> str:
    """The server's global API key (never shown in a message)."""
    key = validation.text({"api_key": value}, "api_key", max_len=500, required=True) or ""
    if _UNSAFE.search(key):
        raise InvalidInput("api_key", "must not contain blanks, quotes or backslashes")
    return key



NAME = RequiredText(100, "A name to tell it by, unique.")
URL = Rules(Field(max_length=500, json_schema_extra={"format": "uri"},
                  description="The server's base URL, http(s), e.g. https://evo1.example.com (not a route "
                              "such as /message/sendText)."), checked(lambda value, _info: server_url(value)))
API_KEY = Rules(Field(max_length=500, json_schema_extra={"writeOnly": True},
                      description="Its global API key (AUTHENTICATION_API_KEY): stored encrypted, never "
                                  "shown again; no blanks, quotes or backslashes."),
                checked(lambda value, _info: api_key(value)))
WEBHOOK_BASE = Rules(Field(max_length=500, description="How it reaches the workers: http(s)://host (the "
                                                       "worker's port is appended) or a URL with {port}; "
                                                       "null for EVOLUTION_WEBHOOK_BASE's."),
                     checked(lambda value, _info: webhook_base(value)))
CAPACITY = WholeNumber(1, MAX_CAPACITY, "How many WhatsApp instances it may serve.")
PRIORITY = WholeNumber(0, MAX_PRIORITY, "Higher goes first while it has room.")
ACTIVE = Rules(Field(description="False: it keeps its instances but gets no new one."), checked(strict_flag))


class EvolutionServerIn(Shape):
    """A server to add."""

    name: Annotated[str, NAME]
    url: Annotated[str, URL]
    api_key: Annotated[str, API_KEY]
    webhook_base: Annotated[str | None, WEBHOOK_BASE] = None
    capacity: Annotated[int, CAPACITY] = DEFAULT_CAPACITY
    priority: Annotated[int, PRIORITY] = 0
    active: Annotated[bool, ACTIVE] = True


class EvolutionServerPatch(Patch):
    """The fields to change."""

    nullable = ("webhook_base",)
    name: Annotated[str | None, NAME] = None
    url: Annotated[str | None, URL] = None
    api_key: Annotated[str | None, API_KEY] = None
    webhook_base: Annotated[str | None, WEBHOOK_BASE] = None
    capacity: Annotated[int | None, CAPACITY] = None
    priority: Annotated[int | None, PRIORITY] = None
    active: Annotated[bool | None, ACTIVE] = None


class EvolutionServer(Shape):
    """An Evolution API server with its usage; the API key is never shown."""

    id: Uuid
    name: str = Field(description="A name to tell it by, unique.")
    url: str = Field(description="The server's base URL.")
    webhook_base: str | None = Field(description="How it reaches the workers; null for "
                                                  "EVOLUTION_WEBHOOK_BASE's.")
    capacity: int = Field(ge=1, description="How many WhatsApp instances it may serve.")
    priority: int = Field(ge=0, description="Higher goes first while it has room.")
    active: bool = Field(description="False: it keeps its instances but gets no new one.")
    instances: int = Field(ge=0, description="The WhatsApp instances placed on it.")
    connected: int = Field(ge=0, description="Of those, the ones linked to a phone now.")
    available: int = Field(ge=0, description="Places left (capacity minus instances, at least 0).")
    usage_percent: int = Field(ge=0, description="Instances as a percentage of the capacity.")
    created_at: datetime
    updated_at: datetime


class EvolutionTotals(Shape):
    """The figures of every server together."""

    servers: int = Field(ge=0, description="Servers in the table.")
    active: int = Field(ge=0, description="Of those, the active ones.")
    capacity: int = Field(ge=0, description="The active servers' capacities, added up.")
    available: int = Field(ge=0, description="Places left on the active servers.")
    instances: int = Field(ge=0, description="Instances on the table's servers.")
    connected: int = Field(ge=0, description="Of those, the ones linked now.")


class EnvironmentServer(Shape):
    """The server set in the environment (read-only)."""

    url: str = Field(description="EVOLUTION_URL.")
    webhook_base: str | None = Field(description="EVOLUTION_WEBHOOK_BASE.")
    used_for_new_instances: bool = Field(description="True while no server of the table is active.")
    instances: int = Field(ge=0, description="Instances placed on it.")
    connected: int = Field(ge=0, description="Of those, the ones linked now.")


class EvolutionServerList(Shape):
    """Every server, highest priority first, with the totals."""

    items: list[EvolutionServer]
    totals: EvolutionTotals
    environment: EnvironmentServer | None = Field(description="The server set in the environment; null when "
                                                              "EVOLUTION_URL and EVOLUTION_API_KEY are not set.")
