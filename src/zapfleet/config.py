"""Typed configuration read from the environment, and the first-start secrets file."""
from __future__ import annotations

import os
import re
import secrets
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from limits import parse_many

from zapfleet.core.vocabulary import ACCOUNT_PLANS, ENGINE_NAMES, MEDIA_KINDS, PLAN_LIMIT_NAMES

GENERATED_SECRETS = ("SECRET_KEY", "ADMIN_API_KEY", "SUPERVISOR_PASSWORD")


MAX_SEND_DEADLINE = 7 * 86400
"""A message is never tried for longer (the workers remember their sends for 8 days)."""


def project_home(environ: Mapping[str, str] | None = None) -> Path:
    """ZAPFLEET_HOME, or the working directory: where var/, .env, supervisord.conf and sql/ are."""
    env = os.environ if environ is None else environ
    return Path(env.get("ZAPFLEET_HOME") or Path.cwd()).resolve()


def _int_between(environ: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    value = _int(environ, name, default)
    if not low <= value <= high:
        raise ValueError(f"{name} must be between {low} and {high}, got {value}")
    return value


def _int(environ: Mapping[str, str], name: str, default: int, most: int | None = None) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from None
    if most is not None and not 1 <= value <= most:
        raise ValueError(f"{name} must be between 1 and {most}, got {value}")
    return value


def _rate(environ: Mapping[str, str], name: str, default: str) -> str:
    """A rate limit such as "10 per hour" (the limits library's notation), checked now."""
    value = (environ.get(name) or default).strip()
    try:
        parse_many(value)
    except ValueError:
        raise ValueError(f"{name} must be a rate such as '10 per hour', got {value!r}") from None
    return value


def parse_plan_limits(text: str) -> dict[str, dict[str, int]]:
    """'free:contacts=1000,messages_per_day=250;basic:...' as {plan: {limit: number}}."""
    limits: dict[str, dict[str, int]] = {}
    for part in filter(None, (p.strip() for p in text.split(";"))):
        plan, _, pairs = part.partition(":")
        if plan.strip() not in ACCOUNT_PLANS:
            raise ValueError(f"PLAN_LIMITS: unknown plan {plan.strip()!r}")
        limits[plan.strip()] = dict(_limit(pair) for pair in pairs.split(",") if pair.strip())
    return limits


def _limit(pair: str) -> tuple[str, int]:
    name, _, number = (p.strip() for p in pair.partition("="))
    if name not in PLAN_LIMIT_NAMES or not number.isdigit():
        raise ValueError(f"PLAN_LIMITS: {pair.strip()!r} is not one of "
                         f"{', '.join(PLAN_LIMIT_NAMES)} with a whole number")
    return name, int(number)


def _engine(environ: Mapping[str, str]) -> str:
    """WHATSAPP_ENGINE: one of ENGINE_NAMES (sandbox when unset)."""
    name = (environ.get("WHATSAPP_ENGINE") or "sandbox").strip().lower()
    if name not in ENGINE_NAMES:
        raise ValueError(f"WHATSAPP_ENGINE must be one of {', '.join(ENGINE_NAMES)}, got {name!r}")
    return name


def _media_limits(environ: Mapping[str, str]) -> dict[str, int]:
    """MEDIA_LIMIT_IMAGE_MB, _AUDIO_, _VIDEO_, _DOCUMENT_, _STICKER_ that are set, in bytes."""
    limits = {}
    for kind in MEDIA_KINDS:
        name = f"MEDIA_LIMIT_{kind.upper()}_MB"
        if environ.get(name, "").strip():
            limits[kind] = _int(environ, name, 0, 2048) * 1024 * 1024
    return limits


@dataclass(frozen=True)
class Config:
    """Everything the service reads from its environment, in one typed object."""

    database_url: str | None = None
    """DATABASE_URL: the owner's URL; migrations run with it, the service does not."""
    database_runtime_password: str = field(default="", repr=False)
    """DATABASE_RUNTIME_PASSWORD: the runtime login roles' password, on a server that asks one."""
    platform_database_url: str | None = field(default=None, repr=False)
    """PLATFORM_DATABASE_URL / TENANT_DATABASE_URL: the runtime roles' own URLs (e.g. through a
    pooler that names users its own way); by default DATABASE_URL's server as those roles."""
    tenant_database_url: str | None = field(default=None, repr=False)
    secret_key: str = ""
    admin_api_key: str | None = None
    home: Path = field(default_factory=project_home)
    """ZAPFLEET_HOME: the folder of var/, .env, supervisord.conf and sql/ (default: the cwd)."""
    var_dir: Path = field(default_factory=lambda: project_home() / "var")
    bind: str = "127.0.0.1:8000"
    events_bind: str = "127.0.0.1:8001"
    """EVENTS_BIND: where the live stream's events process listens."""
    events_url: str = ""
    """EVENTS_URL: how browsers reach the live stream (e.g. https://example.com/events behind a
    reverse proxy); empty: the page's own host at EVENTS_BIND's port, path /events."""
    default_region: str = "BR"
    db_pool_size: int = 10
    db_prepared_statements: bool = True
    worker_port_base: int = 5001
    worker_port_count: int = 1000
    """WORKER_PORT_COUNT: how many ports from WORKER_PORT_BASE this node's workers may use."""
    node_name: str = "local"
    """NODE_NAME: this machine's name in the fleet (default: its host name)."""
    node_address: str = ""
    """NODE_ADDRESS: where the web app and the dispatcher reach this node's workers (default:
    WORKER_HOST)."""
    node_capacity: int = 20
    """NODE_CAPACITY: how many instances this node takes (seed 001: 20)."""
    node_priority: int = 0
    """NODE_PRIORITY: placement prefers the node with the highest priority that has room."""
    node_heartbeat_limit: int = 15
    """NODE_HEARTBEAT_LIMIT: seconds without a heartbeat before a node loses its instances."""
    fence_lease: float = 5.0
    """FENCE_LEASE: seconds a worker may act after its node's last heartbeat (well below
    NODE_HEARTBEAT_LIMIT: the difference covers clock skew between a node and the database)."""

    max_import_bytes: int = 50 * 1024 * 1024
    json_body_limit: int = 1024 * 1024
    cancelled_retention_days: int = 30
    """CANCELLED_RETENTION_DAYS: how long a cancelled account's data is kept before deletion."""
    plan_limits: dict[str, dict[str, int]] = field(default_factory=dict)
    """PLAN_LIMITS: e.g. 'free:contacts=1000,messages_per_day=250' (zapfleet.tenancy.plans)."""
    trusted_proxies: int = 0
    """TRUSTED_PROXIES: how many reverse proxies in front add X-Forwarded-For (0: trust none)."""
    rate_limits: bool = True
    """RATE_LIMITS: off only for tests and benchmarks that call faster than any person."""
    signup_rate_limit: str = "10 per hour"
    login_rate_limit: str = "30 per minute"
    send_rate_limit: str = "120 per minute"
    ratelimit_storage_uri: str = "memory://"
    supervisor_user: str = "zapfleet"
    supervisor_password: str = ""
    public_url: str = ""
    smtp_url: str = field(default="", repr=False)
    """SMTP_URL: set, sign-ups are confirmed by e-mail (and PUBLIC_URL is required for the links)."""
    mail_from: str = "zapfleet <no-reply@localhost>"
    worker_host: str = "127.0.0.1"
    default_engine: str = "sandbox"
    send_deadline_seconds: int = 24 * 3600
    webhook_allow_private: bool = False
    evolution_url: str = ""
    evolution_api_key: str = field(default="", repr=False)
    evolution_webhook_base: str = ""
    whatsapp_proxy: str = field(default="", repr=False)
    media_storage_url: str = ""
    """MEDIA_STORAGE_URL: empty for var/media/, or s3://bucket/prefix (credentials and region from
    AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_REGION, as boto3 reads them)."""
    media_s3_endpoint_url: str = ""
    """MEDIA_S3_ENDPOINT_URL: the S3 API of MinIO, R2 or Supabase Storage (empty for AWS)."""
    media_limits: dict[str, int] = field(default_factory=dict)
    """MEDIA_LIMIT_<KIND>_MB: the largest file of each kind, in MB (WhatsApp's own by default)."""

    def __post_init__(self) -> None:
        if self.fence_lease >= self.node_heartbeat_limit:
            raise ValueError("FENCE_LEASE must be shorter than NODE_HEARTBEAT_LIMIT")

    def required_database_url(self) -> str:
        """DATABASE_URL; a clear error when it is not set (`up` sets it for the embedded server)."""
        if not self.database_url:
            raise ValueError("DATABASE_URL is not set: run `python -m zapfleet up`, which starts the "
                             "embedded PostgreSQL, or set it to your server's URL")
        return self.database_url

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Config:
        """Build a Config from environment variables (os.environ by default)."""
        env = os.environ if environ is None else environ
        home = project_home(env)
        return cls(
            home=home,
            database_url=env.get("DATABASE_URL") or None,
            database_runtime_password=env.get("DATABASE_RUNTIME_PASSWORD", ""),
            platform_database_url=env.get("PLATFORM_DATABASE_URL") or None,
            tenant_database_url=env.get("TENANT_DATABASE_URL") or None,
            secret_key=env.get("SECRET_KEY", ""),
            admin_api_key=env.get("ADMIN_API_KEY") or None,
            var_dir=home / (env.get("ZAPFLEET_VAR_DIR") or "var"),
            bind=env.get("ZAPFLEET_BIND") or "127.0.0.1:8000",
            events_bind=env.get("EVENTS_BIND") or "127.0.0.1:8001",
            events_url=(env.get("EVENTS_URL") or "").strip(),
            default_region=(env.get("DEFAULT_PHONE_REGION") or "BR").upper(),
            db_pool_size=_int(env, "DB_POOL_SIZE", 10),
            db_prepared_statements=env.get("DB_PREPARED_STATEMENTS", "").lower() not in ("0", "false", "no"),
            worker_port_base=_int(env, "WORKER_PORT_BASE", 5001),
            worker_port_count=_int(env, "WORKER_PORT_COUNT", 1000, 65535),
            node_name=(env.get("NODE_NAME") or default_node_name()).strip().lower(),
            node_address=(env.get("NODE_ADDRESS") or "").strip(),
            node_capacity=_int_between(env, "NODE_CAPACITY", 20, 0, 10000),
            node_priority=_int_between(env, "NODE_PRIORITY", 0, -1000, 1000),
            node_heartbeat_limit=_int(env, "NODE_HEARTBEAT_LIMIT", 15, 3600),
            fence_lease=float(_int_between(env, "FENCE_LEASE", 5, 1, 60)),
            max_import_bytes=_int(env, "MAX_IMPORT_BYTES", 50 * 1024 * 1024),
            json_body_limit=_int(env, "JSON_BODY_LIMIT", 1024 * 1024),
            cancelled_retention_days=_int(env, "CANCELLED_RETENTION_DAYS", 30),
            plan_limits=parse_plan_limits(env.get("PLAN_LIMITS", "")),
            rate_limits=env.get("RATE_LIMITS", "on").lower() not in ("0", "off", "false", "no"),
            signup_rate_limit=_rate(env, "SIGNUP_RATE_LIMIT", "10 per hour"),
            login_rate_limit=_rate(env, "LOGIN_RATE_LIMIT", "30 per minute"),
            send_rate_limit=_rate(env, "SEND_RATE_LIMIT", "120 per minute"),
            ratelimit_storage_uri=env.get("RATELIMIT_STORAGE_URI") or "memory://",
            trusted_proxies=0 if env.get("TRUSTED_PROXIES", "0").strip() in ("", "0")
            else _int(env, "TRUSTED_PROXIES", 0, 5),
            supervisor_user=env.get("SUPERVISOR_USER") or "zapfleet",
            supervisor_password=env.get("SUPERVISOR_PASSWORD", ""),
            public_url=(env.get("PUBLIC_URL") or "").rstrip("/"),
            smtp_url=env.get("SMTP_URL", "").strip(),
            mail_from=env.get("MAIL_FROM") or "zapfleet <no-reply@localhost>",
            worker_host=env.get("WORKER_HOST") or "127.0.0.1",
            default_engine=_engine(env),
            send_deadline_seconds=_int(env, "SEND_DEADLINE_SECONDS", 24 * 3600, MAX_SEND_DEADLINE),
            webhook_allow_private=env.get("WEBHOOK_ALLOW_PRIVATE", "").lower() in ("1", "true", "yes"),
            evolution_url=(env.get("EVOLUTION_URL") or "").strip().rstrip("/"),
            evolution_api_key=(env.get("EVOLUTION_API_KEY") or "").strip(),
            evolution_webhook_base=(env.get("EVOLUTION_WEBHOOK_BASE") or "").strip().rstrip("/"),
            whatsapp_proxy=(env.get("WHATSAPP_PROXY") or "").strip(),
            media_storage_url=(env.get("MEDIA_STORAGE_URL") or "").strip(),
            media_s3_endpoint_url=(env.get("MEDIA_S3_ENDPOINT_URL") or "").strip(),
            media_limits=_media_limits(env),
        )

    @property
    def worker_address(self) -> str:
        """Where this node's workers are reached: NODE_ADDRESS, or the address they listen on."""
        return self.node_address or self.worker_host

    @property
    def sql_dir(self) -> Path:
        """The migrations: sql/ in the home."""
        return self.home / "sql"

    @property
    def supervisord_conf(self) -> Path:
        """The supervisord configuration `up` runs: supervisord.conf in the home."""
        return self.home / "supervisord.conf"

    @property
    def control_url(self) -> str:
        """Where workers reach the control plane: PUBLIC_URL, or the local bind address."""
        host, _, port = self.bind.rpartition(":")
        local = f"http://{'127.0.0.1' if host in ('', '0.0.0.0') else host}:{port}"
        return self.public_url or local

    def with_overrides(self, **changes: Any) -> Config:
        """Return a copy with some fields replaced."""
        return replace(self, **changes)


def default_node_name() -> str:
    """This machine's host name, as a node name may be written."""
    name = re.sub(r"[^a-z0-9_.-]", "-", socket.gethostname().lower()).strip("-.")
    return name[:63] or "local"


def ensure_env_file(path: Path) -> list[str]:
    """Add any missing generated secret to the .env file (mode 0600); return the names added."""
    existing = _read_env_names(path)
    missing = [name for name in GENERATED_SECRETS if name not in existing and not os.environ.get(name)]
    if missing:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        with os.fdopen(fd, "a") as handle:
            for name in missing:
                handle.write(f"{name}={secrets.token_urlsafe(32)}\n")
    if path.exists():
        os.chmod(path, 0o600)
    return missing


def _read_env_names(path: Path) -> set[str]:
    if not path.exists():
        return set()
    names = set()
    for line in path.read_text().splitlines():
        name, sep, value = line.partition("=")
        if sep and value.strip() and not name.lstrip().startswith("#"):
            names.add(name.strip().removeprefix("export "))
    return names
