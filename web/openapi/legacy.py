"""Hand-written operations of the routes whose views do not declare their shapes yet."""
from __future__ import annotations

from web.openapi.common import Spec
from web.openapi.legacy_evolution import evolution_operations


def operations() -> list[tuple[str, str, Spec]]:
    """Every hand-written (path, method, operation), in documentation order."""
    return [*evolution_operations()]
