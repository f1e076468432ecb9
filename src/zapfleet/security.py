"""Password hashing (argon2), API keys, and the per-worker tokens."""
from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

KEY_PREFIX = "zf"


def new_password_hasher(cheap: bool = False) -> PasswordHasher:
    """An argon2id hasher; `cheap` is for tests only."""
    if cheap:
        return PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    return PasswordHasher()


def verify_password(hasher: PasswordHasher, password_hash: str, password: str) -> bool:
    """True when password matches the stored argon2 hash."""
    try:
        return hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_api_key() -> tuple[str, str]:
    """Return (key, visible prefix) for a fresh API key."""
    prefix = f"{KEY_PREFIX}_{secrets.token_hex(4)}"
    return f"{prefix}_{secrets.token_urlsafe(32)}", prefix


def hash_api_key(key: str) -> str:
    """The stored form of an API key (keys are random, so a plain SHA-256 suffices)."""
    return hashlib.sha256(key.encode()).hexdigest()


def same_secret(given: str, expected: str) -> bool:
    """Constant-time comparison of two secrets."""
    return hmac.compare_digest(given.encode(), expected.encode())


def worker_token(secret_key: str, instance_id: str) -> str:
    """The token of one worker: HMAC-SHA256 of its instance id under SECRET_KEY (never stored)."""
    if not secret_key:
        raise ValueError("SECRET_KEY is required to derive worker tokens")
    return hmac.new(secret_key.encode(), f"worker:{instance_id}".encode(), hashlib.sha256).hexdigest()
