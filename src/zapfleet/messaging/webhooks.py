"""Tenant webhooks: configuration, signed deliveries, retries with backoff and jitter."""
from __future__ import annotations

import hashlib
import hmac
import json
import random
import secrets
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import urllib3

from zapfleet.core import netguard
from zapfleet.core.errors import InvalidInput, NotFound
from zapfleet.core.pagination import decode_cursor, next_cursor, page_limit
from zapfleet.core.shapes import parse
from zapfleet.db import Database
from zapfleet.db import webhooks as sql
from zapfleet.messaging.shapes import WebhookIn

MAX_ATTEMPTS = 12
FIRST_RETRY_SECONDS = 10
MAX_RETRY_SECONDS = 3600
LEASE_SECONDS = 60


def utcnow() -> datetime:
    """The current time, timezone-aware."""
    return datetime.now(UTC)


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The signature header value: HMAC-SHA256 over "<timestamp>.<body>"."""
    digest = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + digest.hexdigest()


def retry_delay(attempts: int, rng: Callable[[], float] = random.random) -> float:
    """Seconds before the next try: exponential in attempts, capped, with full jitter on half."""
    ceiling = min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** max(0, attempts - 1))
    return ceiling / 2 + rng() * ceiling / 2


def public_view(hook: dict) -> dict:
    """A webhook as shown after creation: the secret reduced to a hint."""
    shown = {k: v for k, v in hook.items() if k != "secret"}
    shown["secret_hint"] = hook["secret"][:10] + "…"
    return shown


class WebhookManager:
    """Each account's webhook and the durable log of its deliveries."""

    def __init__(self, db: Database, clock: Callable[[], datetime] = utcnow,
                 rng: Callable[[], float] = random.random, allow_private: bool = False,
                 timeout: float = 10.0, resolver: netguard.Resolver | None = None):
        self.db, self.clock, self.rng = db, clock, rng
        self.allow_private, self.timeout, self.resolver = allow_private, timeout, resolver

    def configure(self, account_id: UUID, data: Mapping[str, Any]) -> dict:
        """Create or change the webhook; the secret is returned when new or rotated."""
        hook_in = parse(WebhookIn, data)
        url, events, enabled, rotate = hook_in.url, hook_in.events, hook_in.enabled, hook_in.rotate_secret
        self._target(url)
        with self.db.tenant(account_id) as conn:
            current = sql.get_webhook(conn, account_id)
            keep = current is not None and not rotate
            secret = current["secret"] if current is not None and keep else "whsec_" + secrets.token_urlsafe(24)
            hook = sql.upsert_webhook(conn, account_id, url, secret, events, enabled)
        return hook if not keep else public_view(hook)

    def get(self, account_id: UUID) -> dict:
        """The account's webhook without its secret; NotFound when none."""
        with self.db.tenant(account_id) as conn:
            hook = sql.get_webhook(conn, account_id)
        if hook is None:
            raise NotFound("this account has no webhook")
        return public_view(hook)

    def remove(self, account_id: UUID) -> None:
        """Delete the account's webhook (its delivery log stays)."""
        with self.db.tenant(account_id) as conn:
            if not sql.delete_webhook(conn, account_id):
                raise NotFound("this account has no webhook")

    def list_deliveries(self, account_id: UUID, limit: Any = None,
                        cursor: str | None = None) -> dict:
        """A page of the account's delivery log, newest first."""
        size = page_limit(limit)
        with self.db.tenant(account_id) as conn:
            rows = sql.list_deliveries(conn, account_id, size, decode_cursor(cursor))
        return {"items": rows, "next_cursor": next_cursor(rows, size)}

    @staticmethod
    def enqueue(conn, account_id: UUID, event: str, data: dict, delivery_id: UUID) -> bool:
        """Queue an event for the account's webhook inside the caller's transaction, when the
        webhook is enabled for it."""
        payload = {"id": str(delivery_id), "event": event, "account_id": str(account_id),
                   "created_at": utcnow().isoformat(), "data": data}
        return sql.insert_delivery(conn, delivery_id, account_id, event, payload)

    def lease_due(self, per_account: int, busy: list[UUID]) -> list[dict]:
        """Lease the due deliveries of every account not in busy."""
        now = self.clock()
        with self.db.system() as conn:
            return sql.lease_due(conn, now, now + timedelta(seconds=LEASE_SECONDS),
                                 per_account, busy)

    def deliver(self, delivery: dict) -> str:
        """Post one leased delivery and record the outcome; returns the new status."""
        code, error = self._post(delivery)
        if code is not None and 200 <= code < 300:
            status, retry_at = "delivered", None
        elif delivery["attempts"] >= MAX_ATTEMPTS or not delivery["enabled"]:
            status, retry_at = "failed", None
        else:
            delay = retry_delay(delivery["attempts"], self.rng)
            status, retry_at = "pending", self.clock() + timedelta(seconds=delay)
        with self.db.system() as conn:
            sql.finish_delivery(conn, delivery["id"], status, code, error, retry_at)
        return status

    def _post(self, delivery: dict) -> tuple[int | None, str | None]:
        if not delivery["enabled"]:
            return None, "the webhook is disabled"
        try:
            target = self._target(delivery["url"])
        except InvalidInput as exc:
            return None, f"the webhook URL {exc.detail}"
        body = json.dumps(delivery["payload"], separators=(",", ":")).encode()
        timestamp = str(int(self.clock().timestamp()))
        headers = {"Content-Type": "application/json", "User-Agent": "zapfleet-webhooks",
                   "X-Zapfleet-Event": delivery["event"], "X-Zapfleet-Delivery": str(delivery["id"]),
                   "X-Zapfleet-Timestamp": timestamp,
                   "X-Zapfleet-Signature": sign(delivery["secret"], timestamp, body)}
        try:
            status = netguard.post(target, body, headers, self.timeout)
        except urllib3.exceptions.HTTPError as exc:
            return None, f"{type(exc).__name__}: could not reach the webhook URL"
        return status, None if 200 <= status < 300 else f"answered HTTP {status}"

    def _target(self, url: str) -> netguard.Target:
        """Where the URL leads, checked by the private-network guard."""
        return netguard.check_url(url, self.allow_private, self.resolver)
