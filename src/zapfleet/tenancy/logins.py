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
        """The user for these credentials or None; TooManyRequests while the limit holds."""
        email = (email or "").strip()[:320]
        self._refuse_when_limited(email, address)
        user = self.identity.authenticate(email, password or "")
        with self.db.system() as conn:
            if user is None:
                sql.record_failure(conn, email, address, self.clock())
            else:
                sql.forget_failures(conn, email, self.clock() - self.window)
        return user

    def _refuse_when_limited(self, email: str, address: str) -> None:
        with self.db.system() as conn:
            by_email, by_address = sql.count_failures(conn, email, address,
                                                      self.clock() - self.window)
        if by_email >= self.per_email or by_address >= self.per_address:
            minutes = int(self.window.total_seconds() // 60)
            raise TooManyRequests(f"too many failed sign-ins: try again in {minutes} minutes")
