"""The short-lived signed token a page opens its live stream with."""
from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from itsdangerous import BadSignature, URLSafeTimedSerializer

from zapfleet.core.errors import Unauthorized

SALT = "zapfleet-live-stream"
TOKEN_SECONDS = 300
"""How long a token opens a stream; an open stream lives on, a reconnection asks for a new one."""


@dataclass(frozen=True)
class Grant:
    """What a token allows: one user's stream of one account, or of every account (admin)."""

    user_id: UUID
    account_id: UUID | None
    """None: every account (a platform admin's dashboard)."""
    stamp: str
    """The user's session stamp: a changed password ends the right to open streams."""
    origin: str
    """The page's origin, the one the stream answers CORS for."""


def issue(secret: str, grant: Grant) -> str:
    """A token for the grant, signed with SECRET_KEY."""
    return _serializer(secret).dumps({
        "u": str(grant.user_id), "a": str(grant.account_id) if grant.account_id else None,
        "s": grant.stamp, "o": grant.origin})


def read(secret: str, token: str, max_age: int = TOKEN_SECONDS) -> Grant:
    """The grant a token carries; Unauthorized when it is forged, changed or expired."""
    try:
        data = _serializer(secret).loads(token, max_age=max_age)
        return Grant(UUID(data["u"]), UUID(data["a"]) if data["a"] else None, str(data["s"]),
                     str(data["o"]))
    except (BadSignature, KeyError, TypeError, ValueError):
        raise Unauthorized("the live stream's token is invalid or expired") from None


def _serializer(secret: str) -> URLSafeTimedSerializer:
    if not secret:
        raise ValueError("SECRET_KEY is not set")
    return URLSafeTimedSerializer(secret, salt=SALT)
