"""A short in-process memory of verified API keys, so that a program sending many messages does
not cost a database lookup per request. Entries are keyed by the key's SHA-256 hash (no key is
kept) and live KEY_CACHE_SECONDS: a key revoked, or an account deleted, in another process stops
working there within that time; in the process that revoked it, at once."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from uuid import UUID

from zapfleet.tenancy.principal import Principal

KEY_CACHE_SECONDS = 5.0
MAX_KEYS = 10_000


class VerifiedKeys:
    """key hash → (expiry, key id, account id, principal), thread-safe."""

    def __init__(self, seconds: float = KEY_CACHE_SECONDS,
                 clock: Callable[[], float] = time.monotonic, max_keys: int = MAX_KEYS):
        self.seconds, self.clock, self.max_keys = seconds, clock, max_keys
        self._lock = threading.Lock()
        self._entries: dict[str, tuple[float, UUID, UUID | None, Principal]] = {}

    def get(self, key_hash: str) -> Principal | None:
        """The principal of a key verified less than `seconds` ago, or None."""
        entry = self._entries.get(key_hash)
        if entry is None or entry[0] <= self.clock():
            return None
        return entry[3]

    def put(self, key_hash: str, key_id: UUID, account_id: UUID | None,
            principal: Principal) -> None:
        """Remember a key just verified against the database."""
        with self._lock:
            if len(self._entries) >= self.max_keys:
                self._drop_expired()
            if len(self._entries) >= self.max_keys:
                self._entries.clear()
            self._entries[key_hash] = (self.clock() + self.seconds, key_id, account_id, principal)

    def forget_key(self, key_id: UUID) -> None:
        """A key was revoked: forget it now."""
        self._forget(lambda entry: entry[1] == key_id)

    def forget_user(self, user_id: UUID) -> None:
        """A member was removed (their keys with them): forget those keys now."""
        self._forget(lambda entry: entry[3].user_id == user_id)

    def forget_account(self, account_id: UUID) -> None:
        """An account was deleted: forget its keys now."""
        self._forget(lambda entry: entry[2] == account_id)

    def _forget(self, matches: Callable[[tuple], bool]) -> None:
        with self._lock:
            for key_hash in [h for h, entry in self._entries.items() if matches(entry)]:
                del self._entries[key_hash]

    def _drop_expired(self) -> None:
        now = self.clock()
        for key_hash in [h for h, entry in self._entries.items() if entry[0] <= now]:
            del self._entries[key_hash]
