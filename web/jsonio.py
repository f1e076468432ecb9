"""JSON in and out: ISO 8601 dates out; in, request bodies that must be objects, no larger than
JSON_BODY_LIMIT, nested at most MAX_DEPTH deep and free of text PostgreSQL cannot store."""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import current_app, request
from flask.json.provider import DefaultJSONProvider

from zapfleet.core.errors import InvalidInput, PayloadTooLarge
from zapfleet.core.text import check_text, checked_json, clean_text


class IsoJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with ISO 8601 dates instead of HTTP dates."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def _parsed(on_text: Callable[[str, str], str], limit: int | None = None) -> Any:
    """The request's JSON (at most limit bytes: JSON_BODY_LIMIT unless given), each string
    passed through on_text; 400 for anything else."""
    if not request.is_json:
        raise InvalidInput("body", "must be JSON (Content-Type: application/json)")
    limit = limit or current_app.config["ZAPFLEET"].json_body_limit
    if (request.content_length or 0) > limit:
        raise PayloadTooLarge(f"a JSON body may have at most {limit} bytes")
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise PayloadTooLarge(f"a JSON body may have at most {limit} bytes")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):
        raise InvalidInput("body", "must be valid JSON (UTF-8, nested at most 32 levels)") from None
    return checked_json(data, on_text)


def _object(data: Any) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise InvalidInput("body", "must be a JSON object")
    return data


def json_body(limit: int | None = None) -> dict[str, Any]:
    """The request's JSON object (at most limit bytes: JSON_BODY_LIMIT unless given), or a 400
    naming the body or the field that is wrong."""
    return _object(_parsed(check_text, limit))


def optional_json_body() -> dict[str, Any]:
    """The request's JSON object; {} when the request has no body at all."""
    if not request.get_data(cache=True) and not request.is_json:
        return {}
    return json_body()


def cleaned_json_body(limit: int | None = None) -> dict[str, Any]:
    """The request's JSON object with text PostgreSQL cannot store cleaned away, not refused
    (for what WhatsApp delivers: a customer's odd message must not block the account)."""
    return _object(_parsed(lambda text, _path: clean_text(text), limit))


def refuse_unstorable_input() -> None:
    """Before every request: a query-string or form value with text PostgreSQL cannot store is a
    400 naming it (JSON bodies are checked when they are read)."""
    sources = [request.args, request.form] if request.mimetype in FORM_TYPES else [request.args]
    for source in sources:
        for name, value in source.items(multi=True):
            check_text(name or "", "query")  # a form part may come without a name
            check_text(value, name or "field")


FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
