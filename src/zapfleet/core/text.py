"""Text PostgreSQL and JSON cannot hold: NUL characters and unpaired surrogates. Input typed by a
caller is refused (a 400 naming the field); text that comes from WhatsApp is cleaned instead, so
that one odd message can never block an account's events."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from zapfleet.core.errors import InvalidInput

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
BAD_TEXT = "must not contain NUL or unpaired surrogate characters"
MAX_DEPTH = 32
"""The deepest nesting of objects and lists a JSON body may have."""


def clean_text(value: str) -> str:
    """The text without NUL characters, each unpaired surrogate replaced by U+FFFD."""
    return UNSTORABLE.sub(lambda match: "" if match.group() == "\x00" else "\ufffd", value)


def check_text(value: str, field: str) -> str:
    """The text when it can be stored; InvalidInput naming the field otherwise."""
    if UNSTORABLE.search(value):
        raise InvalidInput(field, BAD_TEXT)
    return value


def _children(value: Any, path: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        return [(f"{path}.{key}" if path else str(key), item) for key, item in value.items()]
    if isinstance(value, list):
        return [(f"{path}[{index}]", item) for index, item in enumerate(value)]
    return []


def checked_json(data: Any, on_text: Callable[[str, str], str]) -> Any:
    """The parsed JSON with every string (keys too) passed through on_text(text, path); deeper
    nesting than MAX_DEPTH is refused. Iterative, so no input can exhaust the stack."""
    root: list[Any] = [data]
    stack: list[tuple[Any, Any, str, int]] = [(root, 0, "", 0)]
    while stack:
        parent, key, path, depth = stack.pop()
        value = parent[key]
        if isinstance(value, str):
            parent[key] = on_text(value, path or "body")
        elif isinstance(value, (dict, list)):
            if depth >= MAX_DEPTH:
                raise InvalidInput(path or "body", "is nested more than %(most)s levels deep", most=MAX_DEPTH)
            if isinstance(value, dict):
                value = {on_text(k, path or "body") if isinstance(k, str) else k: v for k, v in value.items()}
                parent[key] = value
            keys = list(value) if isinstance(value, dict) else range(len(value))
            stack += [(value, child, child_path, depth + 1)
                      for child, (child_path, _) in zip(keys, _children(value, path))]
    return root[0]
