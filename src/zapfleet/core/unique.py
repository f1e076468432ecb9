"""Turning PostgreSQL unique violations into domain errors."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from psycopg2.errors import UniqueViolation

from zapfleet.core.errors import ZapfleetError


@contextmanager
def unique_violation(error: type[ZapfleetError], message: str, **params: Any) -> Iterator[None]:
    """Raise error(message, **params) instead of a unique violation inside the block."""
    try:
        yield
    except UniqueViolation:
        raise error(message, **params) from None
