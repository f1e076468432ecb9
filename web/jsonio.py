"""JSON in and out: ISO 8601 dates, and request bodies that must be objects."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import request
from flask.json.provider import DefaultJSONProvider

from zapfleet.core.errors import InvalidInput


class IsoJSONProvider(DefaultJSONProvider):
    """Flask's JSON provider, with ISO 8601 dates instead of HTTP dates."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, (datetime, date)):
            return o.isoformat()
        return DefaultJSONProvider.default(o)


def json_body() -> dict[str, Any]:
    """The request's JSON object, or a 400 naming the body."""
    if not request.is_json:
        raise InvalidInput("body", "must be JSON (Content-Type: application/json)")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        raise InvalidInput("body", "must be a JSON object")
    return data


def optional_json_body() -> dict[str, Any]:
    """The request's JSON object; {} when the request has no body at all."""
    if not request.get_data(cache=True) and not request.is_json:
        return {}
    return json_body()
