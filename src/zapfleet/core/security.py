"""Password hashing (argon2), API keys, the per-worker tokens, and secrets encrypted at rest."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_PREFIX = "zf"
SECRETS_CONTEXT = b"zapfleet stored secrets v1"
"""HKDF's context: the encryption key is SECRET_KEY's, for this use only."""


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


class SecretBox:
    """Encrypts secrets that must be sent on (e.g. an Evolution server's global API key) with
    Fernet, under a key derived from SECRET_KEY by HKDF-SHA256."""

    def __init__(self, secret_key: str):
        if not secret_key:
            raise ValueError("SECRET_KEY is required to encrypt stored secrets")
        key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=SECRETS_CONTEXT).derive(secret_key.encode())
        self._fernet = Fernet(base64.urlsafe_b64encode(key))

    def seal(self, plaintext: str) -> str:
        """The stored form of a secret (authenticated, with a fresh random IV each time)."""
        return self._fernet.encrypt(plaintext.encode()).decode()

    def open(self, token: str) -> str | None:
        """The secret back, or None when it was sealed under another SECRET_KEY (or altered)."""
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken:
            return None
