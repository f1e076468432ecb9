"""The WhatsApp engines an instance may run: which are usable here, and each one's settings."""
from __future__ import annotations

import importlib.util
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from zapfleet.config import ENGINE_NAMES, Config
from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import parse
from zapfleet.db import PLATFORM_ROLE
from zapfleet.fleet.evolution_servers import NO_SERVER, EvolutionServers, ServerSettings
from zapfleet.fleet.shapes import EngineIn

LABELS = {"sandbox": "Sandbox (no real phone)", "neonize": "WhatsApp (neonize)",
          "evolution": "Evolution API"}
PAIRING_ENGINES = ("neonize", "evolution")
"""Engines that can link a phone with a pairing code typed on it, besides the QR code."""


def chosen_engine(data: Mapping[str, Any], config: Config) -> str | None:
    """The `engine` field of a request (one of ENGINE_NAMES, usable here), or None when absent.
    The evolution engine's server is checked where the instance is placed on one (the
    InstanceManager), since the servers live in the database."""
    engine = parse(EngineIn, data).engine
    if engine is not None and engine != "evolution":
        problem = unavailable_reason(engine, config)
        if problem:
            raise InvalidInput("engine", problem)
    return engine


def unavailable_reason(engine: str, config: Config,
                       servers: EvolutionServers | None = None) -> str | None:
    """Why this engine cannot run here, or None when it can (evolution: an active server of
    the table, or the environment's; without `servers`, the environment's only)."""
    if engine == "neonize" and importlib.util.find_spec("neonize") is None:
        return "the neonize engine needs the neonize package (pip install -r requirements.txt)"
    if engine == "evolution":
        ready = servers.available() if servers is not None else bool(
            config.evolution_url and config.evolution_api_key)
        return None if ready else NO_SERVER
    return None


def engine_list(config: Config, servers: EvolutionServers | None = None) -> list[dict]:
    """Every engine with its label, whether it is the default, can run here, and pairs by code."""
    listed = []
    for name in ENGINE_NAMES:
        reason = unavailable_reason(name, config, servers)
        listed.append({"name": name, "label": LABELS[name], "default": name == config.default_engine,
                       "available": reason is None, "reason": reason,
                       "pairing_code": name in PAIRING_ENGINES})
    return listed


def worker_environment(engine: str, config: Config,
                       evolution: ServerSettings | None = None) -> tuple[tuple[str, str], ...]:
    """The engine's settings for its worker's environment (never its command line); for the
    evolution engine, those of the instance's server."""
    if engine == "neonize":
        settings = {"WHATSAPP_PROXY": config.whatsapp_proxy}
    elif engine == "evolution" and evolution is not None:
        settings = {"EVOLUTION_URL": evolution.url, "EVOLUTION_API_KEY": evolution.api_key,
                    "EVOLUTION_WEBHOOK_BASE": evolution.webhook_base}
    else:
        settings = {}
    return tuple((name, value) for name, value in settings.items() if value)


def session_database_url(config: Config) -> str:
    """The URL a worker keeps its session at (sql/0021_nodes.sql's worker_files, its whatsmeow
    store): PLATFORM_DATABASE_URL, or DATABASE_URL's server as the platform role."""
    if config.platform_database_url:
        return config.platform_database_url
    parts = urlsplit(config.required_database_url())
    password = config.database_runtime_password
    login = PLATFORM_ROLE + (f":{quote(password, safe='')}" if password else "")
    return urlunsplit(parts._replace(netloc=f"{login}@{parts.netloc.rpartition('@')[2]}"))


def fleet_environment(config: Config, fence_file: Path) -> tuple[tuple[str, str], ...]:
    """What a worker placed on a node is told: where its session lives and its fence file."""
    return (("ZAPFLEET_SESSION_DATABASE_URL", session_database_url(config)),
            ("ZAPFLEET_FENCE_FILE", str(fence_file)),
            ("ZAPFLEET_FENCE_LEASE", f"{config.fence_lease:g}"))
