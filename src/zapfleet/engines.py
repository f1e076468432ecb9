"""The WhatsApp engines an instance may run: which are usable here, and each one's settings."""
from __future__ import annotations

import importlib.util
from typing import Any, Mapping

from zapfleet import validation
from zapfleet.config import ENGINE_NAMES, Config
from zapfleet.errors import InvalidInput

LABELS = {"sandbox": "Sandbox (no real phone)", "neonize": "WhatsApp (neonize)",
          "evolution": "Evolution API"}
PAIRING_ENGINES = ("neonize", "evolution")
"""Engines that can link a phone with a pairing code typed on it, besides the QR code."""


def chosen_engine(data: Mapping[str, Any], config: Config) -> str | None:
    """The `engine` field of a request (one of ENGINE_NAMES, usable here), or None when absent."""
    engine = validation.choice(data, "engine", ENGINE_NAMES)
    if engine is not None:
        problem = unavailable_reason(engine, config)
        if problem:
            raise InvalidInput("engine", problem)
    return engine


def unavailable_reason(engine: str, config: Config) -> str | None:
    """Why this engine cannot run here, or None when it can."""
    if engine == "neonize" and importlib.util.find_spec("neonize") is None:
        return "the neonize engine needs the neonize package (pip install -r requirements.txt)"
    if engine == "evolution" and not (config.evolution_url and config.evolution_api_key):
        return "the evolution engine needs EVOLUTION_URL and EVOLUTION_API_KEY to be set"
    return None


def engine_list(config: Config) -> list[dict]:
    """Every engine with its label, whether it is the default, can run here, and pairs by code."""
    listed = []
    for name in ENGINE_NAMES:
        reason = unavailable_reason(name, config)
        listed.append({"name": name, "label": LABELS[name], "default": name == config.default_engine,
                       "available": reason is None, "reason": reason,
                       "pairing_code": name in PAIRING_ENGINES})
    return listed


def worker_environment(engine: str, config: Config) -> tuple[tuple[str, str], ...]:
    """The engine's settings for its worker's environment (never its command line)."""
    if engine == "neonize":
        settings = {"WHATSAPP_PROXY": config.whatsapp_proxy}
    elif engine == "evolution":
        settings = {"EVOLUTION_URL": config.evolution_url,
                    "EVOLUTION_API_KEY": config.evolution_api_key,
                    "EVOLUTION_WEBHOOK_BASE": config.evolution_webhook_base}
    else:
        settings = {}
    return tuple((name, value) for name, value in settings.items() if value)
