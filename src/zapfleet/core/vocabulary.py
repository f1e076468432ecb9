"""The fixed lists of states, statuses and kinds, and the shared limits: each defined once here.

The SQL migrations hold the same lists in CHECK constraints; tests/zapfleet/test_vocabulary.py
compares the two."""
from __future__ import annotations

ACCOUNT_PLANS = ("owner", "free", "basic", "pro")
ACCOUNT_STATUSES = ("active", "suspended", "cancelled")
PLAN_LIMIT_NAMES = ("contacts", "messages_per_day")
"""What a plan may limit (PLAN_LIMITS)."""
USER_ROLES = ("admin", "member")
ACCOUNT_ROLES = ("admin", "agent")
"""What an account's user may do there: admin, everything; agent, the inbox, contacts and
appointments (web/roles.py lists them)."""

ENGINE_NAMES = ("sandbox", "evolution", "neonize")
"""The WhatsApp engines an instance may run (workers/engines registers the same names)."""
DESIRED_STATES = ("running", "stopped")
CONNECTION_STATES = ("connecting", "waiting_qr", "connected", "disconnected", "logged_out", "banned")
"""What a worker reports about its WhatsApp connection."""
INSTANCE_STATUSES = ("stopped", "starting", *CONNECTION_STATES, "error")
"""An instance's status: the worker's connection state, or why no worker answers."""
PROBLEM_STATUSES = ("disconnected", "logged_out", "banned", "error")
"""Statuses under which an instance's last error is worth showing."""

MESSAGE_DIRECTIONS = ("in", "out")
MESSAGE_STATUSES = ("queued", "sent", "delivered", "read", "failed", "received", "cancelled")
MESSAGE_ORIGINS = ("api", "campaign", "notice", "bot", "auto_reply", "inbox", "phone")
MEDIA_KINDS = ("image", "audio", "video", "document", "sticker")
"""What a stored file is to WhatsApp."""
MESSAGE_TYPES = ("text", *MEDIA_KINDS, "location", "contact")
"""A message's kind: a text, a file of one of MEDIA_KINDS, a location or a contact card."""
DELIVERY_STATUSES = ("pending", "delivered", "failed")
"""A webhook delivery's status."""
WEBHOOK_EVENTS = ("message.received", "message.status", "message.reaction", "message.edited",
                  "message.deleted", "connection", "qr")
"""The events a webhook can receive."""

CAMPAIGN_STATUSES = ("draft", "scheduled", "running", "paused", "completed", "cancelled")
EDITABLE_CAMPAIGN_STATUSES = ("draft", "scheduled")
RECIPIENT_STATUSES = ("pending", "queued", "sent", "delivered", "read", "failed", "skipped", "cancelled")
APPOINTMENT_STATUSES = ("scheduled", "cancelled", "completed", "no_show")
APPOINTMENT_SOURCES = ("api", "whatsapp")
"""api, or whatsapp when the booking bot made it."""
BOT_STEPS = ("idle", "choosing_service", "choosing_slot")
"""Where a customer is in the booking bot's flow."""

MAX_TEXT_LENGTH = 4096
MAX_RECEIVED_TEXT = 65536
"""WhatsApp's own longest text: a received (or phone-typed) text is kept up to this, cut beyond."""
"""The longest message text zapfleet sends or stores (WhatsApp's own limit is higher)."""
