"""The registry of WhatsApp engines a worker can run (explicit; importing it starts nothing).
Each engine's module is imported only by the worker that runs it: a sandbox worker never loads
the neonize or Evolution code, and starts faster and smaller for it."""
from __future__ import annotations

from importlib import import_module

from workers.engines.base import Emit, Engine

ENGINES: dict[str, str] = {
    "sandbox": "workers.engines.sandbox:SandboxEngine",
    "neonize": "workers.engines.neonize_engine:NeonizeEngine",
    "evolution": "workers.engines.evolution:EvolutionEngine"}
"""Engine name → "module:class"."""


def engine_class(name: str) -> type[Engine]:
    """The class of a registered engine; ValueError naming the known ones otherwise."""
    try:
        module, _, cls = ENGINES[name].partition(":")
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise ValueError(f"unknown engine {name!r}; known engines: {known}") from None
    return getattr(import_module(module), cls)


def create_engine(name: str, session_dir: str, emit: Emit, options: dict[str, object]) -> Engine:
    """A new engine of that registered name; ValueError naming the known ones otherwise."""
    return engine_class(name)(session_dir, emit, options)
