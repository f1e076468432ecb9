"""Password sign-in with a rate limit on failures, per e-mail and per client address."""
from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from zapfleet.core.errors import TooManyRequests
from zapfleet.db import Database
from zapfleet.db import logins as sql
from zapfleet.tenancy.identity import Identity


def utc_now() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


class LoginGuard:
    """Checks e-mail and password through the identity manager, refusing after too many failures."""

    def __init__(self, db: Database, identity: Identity, *, per_email: int = 5, per_address: int = 30,
                 window: timedelta = timedelta(minutes=15),
                 clock: Callable[[], datetime] = utc_now):
        self.db, self.identity, self.clock = db, identity, clock
        self.per_email, self.per_address, self.window = per_email, per_address, window

    def sign_in(self, email: str, password: str, address: str) -> dict | None:
        """The user for these credentials or None; TooManyRequests while the limit holds. The
        attempt counts as a failure before the slow hash is checked, and is forgotten if it
        succeeds."""
        email, now = (email or "").strip()[:320], self.clock()
        with self.db.system() as conn:
            attempt = sql.count_attempt(conn, email, address, now, now - self.window,
                                        self.per_email, self.per_address)
        if attempt is None:
            minutes = int(self.window.total_seconds() // 60)
            raise TooManyRequests("too many failed sign-ins: try again in %(minutes)s minutes", minutes=minutes)
        user = self.identity.authenticate(email, password or "")
        if user is not None:
            with self.db.system() as conn:
                sql.forget_failures(conn, email, now - self.window)
        return user
