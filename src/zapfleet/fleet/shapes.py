"""The shapes of the WhatsApp side: instances, connecting, QR codes, engines, pairing, the sandbox."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationInfo

from zapfleet.core import validation
from zapfleet.core.shapes import Choice, Shape, Uuid, checked
from zapfleet.core.vocabulary import DESIRED_STATES, ENGINE_NAMES, INSTANCE_STATUSES

MAX_LOG_LINES = 2000
Engine = Annotated[str, Choice(ENGINE_NAMES, "The WhatsApp engine the worker runs.")]
InstanceStatus = Annotated[str, Choice(INSTANCE_STATUSES, "Observed state: what the worker last reported.")]


class Instance(Shape):
    """An account's WhatsApp instance: the worker process that holds its session."""

    id: Uuid
    account_id: Uuid = Field(description="The account the instance belongs to (one instance per account).")
    instance_name: str = Field(description="The worker's process name, <account slug>_whatsapp.")
    port: int | None = Field(ge=1, le=65535, description="The local port of the account's worker.")
    engine: Engine
    status: InstanceStatus
    desired_state: Annotated[str, Choice(DESIRED_STATES, "What should run: set by connect, start, "
                                                         "stop and restart.")]
    qr_code: str | None = Field(description="The text the current QR encodes; null when there is none.")
    phone: str | None = Field(description="The linked phone, E.164 digits; null while not linked.")
    last_connected: datetime | None = Field(description="When the worker last connected.")
    last_error: str | None = Field(description="Why it is not connected, readable (e.g. \"cannot reach "
                                               "WhatsApp: …\", or a temporary ban's meaning); null when fine.")
    banned_until: datetime | None = Field(description="While the status is banned: when WhatsApp's "
                                                      "temporary ban ends (sending waits until then).")
    evolution_server_id: Uuid | None = Field(description="The Evolution server it was placed on (evolution "
                                                         "engine); null for the environment's or another engine.")
    created_at: datetime
    updated_at: datetime


class ListedInstance(Instance):
    """An instance with its account's name and slug."""

    account_name: str = Field(description="The account's display name.")
    account_slug: str = Field(description="The account's slug.")


class InstanceList(Shape):
    """Every instance the caller may see, oldest first."""

    items: list[ListedInstance]


class Qr(Shape):
    """The QR to scan."""

    code: str = Field(description="The text to show as a QR code.")


class Connection(Shape):
    """The outcome of create-or-reconnect."""

    instance: Instance
    qr: Qr | None = Field(description="The QR to scan; null when already connected or none yet.")
    is_reconnect: bool = Field(description="True when the account already had an instance.")
    already_connected: bool = Field(description="True when the phone is linked already.")


class QrCode(Shape):
    """The current QR code as JSON."""

    code: str = Field(description="The text the QR encodes.")
    state: InstanceStatus


class QrQuery(Shape):
    """How to get the QR code."""

    format: Annotated[str, Choice(("json", "png", "svg"), "json (the default), png or svg.")] = "json"


class LogQuery(Shape):
    """How much of the log to read."""

    lines: int = Field(200, ge=1, le=MAX_LOG_LINES, description="How many lines, from the end.")


class EngineIn(Shape):
    """An engine to use."""

    engine: Annotated[str | None, Field(description="The engine; WHATSAPP_ENGINE's when omitted."),
                      checked(lambda value, _info: validation.choice({"v": value}, "v", ENGINE_NAMES))] = None


class EngineInfo(Shape):
    """One engine."""

    name: Engine
    label: str = Field(description="How to show it.")
    default: bool = Field(description="True for WHATSAPP_ENGINE's engine.")
    available: bool = Field(description="False when it cannot run here.")
    reason: str | None = Field(description="Why it cannot run here.")
    pairing_code: bool = Field(description="True when it can link a phone by a code typed on it "
                                           "(…/whatsapp/pair).")


class EngineList(Shape):
    """Every engine zapfleet has."""

    items: list[EngineInfo]


def _phone(value: Any, info: ValidationInfo) -> str:
    return validation.phone(value, (info.context or {}).get("region", "BR"))


class PairIn(Shape):
    """The phone to link with a pairing code."""

    phone: Annotated[str, Field(description="The phone's own number, e.g. 11 99999-0000 or "
                                            "+55 11 99999-0000."), checked(_phone)]


class PairingCode(Shape):
    """A pairing code."""

    code: str = Field(description="The code to type on the phone: WhatsApp > Linked devices > "
                                  "Link with phone number.")
    phone: str = Field(description="The phone's number, digits.")


class SandboxInbound(Shape):
    """A customer's message to the sandbox phone."""

    phone: str = Field(description="The customer's phone.")
    message: str = Field("", description="The text the customer sends (with a file, its caption).")
    media: dict[str, Any] | None = Field(None, description="A file the customer sends: {data (base64), "
                                                           "mime_type, filename?, voice?}, or "
                                                           "{mime_type, unavailable: true} for one "
                                                           "WhatsApp fails to deliver.")
    type: str | None = Field(None, description="location or contact (with that field), or a file's "
                                               "kind when it is not told by its type (sticker).")
    location: dict[str, Any] | None = Field(None, description="{latitude, longitude, name?, address?}")
    contact: dict[str, Any] | None = Field(None, description="{name, vcard}")
    reply_to: str | None = Field(None, description="The provider id of a message it quotes.")


class SandboxCall(Shape):
    """A customer's call to the sandbox number."""

    phone: str = Field(description="The customer's phone.")


class SandboxCalled(Shape):
    """The call, ringing."""

    ok: bool
    call_id: str | None = Field(None, description="The call's id.")


class SandboxInjected(Shape):
    """The injected message; it arrives through the worker's events."""

    provider_message_id: str = Field(description="The id given to the message.")


class Unlink(Shape):
    """An unlink that did not happen when an instance was deleted or switched engines: retried
    (one minute after the failure, then doubling, at most every 6 hours) until it does."""

    id: Uuid
    account_id: Uuid = Field(description="The account the instance belonged to (it may be deleted).")
    instance_id: Uuid
    instance_name: str
    engine: Engine
    evolution_server_id: Uuid | None = Field(description="The Evolution server of the instance, if any.")
    phone: str | None = Field(description="The phone that was linked, when known.")
    reason: Annotated[str, Choice(("deleted", "engine_switched"), "Why the phone had to be unlinked.")]
    attempts: int = Field(ge=0, description="Attempts made after the first failure.")
    last_error: str | None = Field(description="Why the last attempt failed; null once done.")
    created_at: datetime
    next_attempt_at: datetime
    done_at: datetime | None = Field(description="When the unlink happened; null while it is still to do.")


class UnlinkList(Shape):
    """The unlinks still to do (oldest first), then the latest done ones."""

    items: list[Unlink]
    pending: int = Field(ge=0, description="How many are still to do.")


class DeadLetter(Shape):
    """A worker event that could not be applied (malformed, or refused for a reason sending it
    again would not cure), put aside so that the events behind it still apply."""

    id: Uuid
    account_id: Uuid
    instance_id: Uuid
    event_id: str | None = Field(description="The event's id as the worker sent it.")
    kind: str | None = Field(description="The event's type as the worker sent it.")
    event: str = Field(description="The event as JSON.")
    error: str = Field(description="Why it was put aside (or why its last retry failed).")
    retries: int = Field(ge=0)
    created_at: datetime
    resolved_at: datetime | None = Field(description="When a retry applied it; null while it waits.")


class DeadLetterList(Shape):
    """The events still put aside (oldest first), then the latest resolved ones."""

    items: list[DeadLetter]
    pending: int = Field(ge=0, description="How many still wait.")
