"""The registry of WhatsApp engines a worker can run (explicit; importing it starts nothing)."""
from __future__ import annotations

from workers.engines.base import Emit, Engine
from workers.engines.evolution import EvolutionEngine
from workers.engines.neonize_engine import NeonizeEngine
from workers.engines.sandbox import SandboxEngine

ENGINES: dict[str, type[Engine]] = {
    "sandbox": SandboxEngine, "neonize": NeonizeEngine, "evolution": EvolutionEngine}


def create_engine(name: str, session_dir: str, emit: Emit, options: dict[str, object]) -> Engine:
    """A new engine of that registered name; ValueError naming the known ones otherwise."""
    try:
        engine_class = ENGINES[name]
    except KeyError:
        known = ", ".join(sorted(ENGINES))
        raise ValueError(f"unknown engine {name!r}; known engines: {known}") from None
    return engine_class(session_dir, emit, options)
