"""neonize's event objects (protobuf messages from whatsmeow) turned into the worker's events.

Pure functions: they read the objects' fields and import nothing from neonize, so they are
cheap to load and easy to test with real neonize objects.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

USER_SERVER = "s.whatsapp.net"
HIDDEN_SERVER = "lid"
RECEIPTS = {"DELIVERED": "delivered", "READ": "read", "PLAYED": "read"}
BAN_MEANINGS = {
    "SEND_TO_TOO_MANY_PEOPLE": "it sent messages to too many people who do not have it as a contact",
    "BLOCKED_BY_USERS": "too many people blocked it",
    "CREATED_TOO_MANY_GROUPS": "it created too many groups with people who do not have it as a contact",
    "SENT_TOO_MANY_SAME_MESSAGE": "it sent the same message to too many people",
    "BROADCAST_LIST": "it sent too many messages through broadcast lists",
}
FAILURE_MEANINGS = {
    "SERVICE_UNAVAILABLE": "WhatsApp's service is unavailable",
    "INTERNAL_SERVER_ERROR": "WhatsApp's server had an internal error",
    "BAD_USER_AGENT": "WhatsApp refused this client (bad user agent)",
    "CLIENT_OUTDATED": "WhatsApp says this client is outdated",
    "TEMP_BANNED": "the number is temporarily banned",
    "MAIN_DEVICE_GONE": "the phone was reset or WhatsApp was reinstalled on it",
}
NETWORK_ERRORS = (
    (re.compile(r"no such host|name resolution|lookup .* on"), "name resolution failed"),
    (re.compile(r"connection refused"), "connection refused"),
    (re.compile(r"timeout|timed out|deadline exceeded"), "the connection timed out"),
    (re.compile(r"network is unreachable|no route to host"), "the network is unreachable"),
    (re.compile(r"connection reset|broken pipe|EOF"), "the connection was cut"),
)


def enum_name(message, field: str) -> str:
    """The name of an enum field's value (e.g. "READ"), or "" when it is unset or unknown."""
    descriptor = message.DESCRIPTOR.fields_by_name[field].enum_type
    value = descriptor.values_by_number.get(getattr(message, field))
    return value.name if value is not None and message.HasField(field) else ""


def phone_of(jid) -> str | None:
    """The phone digits of a user JID (5511999990000@s.whatsapp.net), None for others."""
    if jid is None or jid.Server != USER_SERVER or not jid.User.isdigit():
        return None
    return jid.User


def network_reason(error: str) -> str:
    """A readable "cannot reach WhatsApp: …" from whatsmeow's connect error."""
    for pattern, meaning in NETWORK_ERRORS:
        if pattern.search(error):
            return f"cannot reach WhatsApp: {meaning}"
    return f"cannot reach WhatsApp: {error.strip()[:200] or 'unknown error'}"


def ban(event, now: datetime) -> tuple[str, datetime | None]:
    """(readable reason, expiry) of a TemporaryBan event; Expire is seconds from now."""
    meaning = BAN_MEANINGS.get(enum_name(event, "Code"), "WhatsApp did not say why")
    until = now + timedelta(seconds=event.Expire) if event.Expire > 0 else None
    when = f" until {until.strftime('%Y-%m-%d %H:%M UTC')}" if until else ""
    return (f"WhatsApp temporarily banned this number{when}: {meaning}. Sending is paused; "
            "send less, and only to people who expect your messages.", until)


def connect_failure(event) -> str:
    """The readable reason of a ConnectFailure event."""
    name = enum_name(event, "Reason")
    meaning = FAILURE_MEANINGS.get(name) or f"WhatsApp refused the connection ({name or 'unknown'})"
    detail = f": {event.Message}" if event.Message else ""
    return f"{meaning}{detail}"[:300]


def logged_out(event) -> str:
    """The readable reason of a LoggedOut event."""
    if enum_name(event, "Reason") == "MAIN_DEVICE_GONE":
        return f"logged out: {FAILURE_MEANINGS['MAIN_DEVICE_GONE']}; scan a new QR code"
    return "logged out: this device was unlinked on the phone; scan a new QR code"


def receipts(event) -> list[tuple[str, str]]:
    """(provider message id, delivered|read) for each message a Receipt event covers."""
    status = RECEIPTS.get(enum_name(event, "Type"))
    if status is None or event.MessageSource.IsGroup:
        return []
    return [(message_id, status) for message_id in event.MessageIDs]


def sender_phone(source) -> str | None:
    """The sender's phone number of a message, also when WhatsApp hides it behind a LID."""
    return phone_of(source.Sender) or phone_of(source.SenderAlt)


def inbound(event, phone: str | None) -> dict | None:
    """The message.in data of a Message event from a customer; None for what is not one."""
    source = event.Info.MessageSource
    if source.IsFromMe or source.IsGroup or source.Chat.Server not in (USER_SERVER, HIDDEN_SERVER):
        return None
    found = content(event.Message)
    if phone is None or found is None:
        return None
    return {"provider_message_id": event.Info.ID, "phone": phone, **found,
            "name": event.Info.Pushname or None}


REVOKE, MESSAGE_EDIT = 0, 14
"""ProtocolMessage types: a deletion for everyone, an edit."""


def change(event, sender: str | None) -> tuple[str, dict] | None:
    """The reaction, edit or deletion a Message event carries, as (event type, data) about the
    message it names; None when it carries none (groups are ignored)."""
    message, source = event.Message, event.Info.MessageSource
    if source.IsGroup:
        return None
    if message.HasField("reactionMessage"):
        reaction = message.reactionMessage
        who = "business" if source.IsFromMe else sender
        if who is None:
            return None
        return "message.reaction", {"provider_message_id": reaction.key.ID, "phone": who,
                                    "emoji": reaction.text}
    if message.HasField("protocolMessage"):
        return _protocol_change(message.protocolMessage)
    return None


def _protocol_change(protocol) -> tuple[str, dict] | None:
    if protocol.type == REVOKE and protocol.key.ID:
        return "message.deleted", {"provider_message_id": protocol.key.ID}
    if protocol.type == MESSAGE_EDIT and protocol.key.ID:
        text = describe(protocol.editedMessage)
        if text:
            return "message.edited", {"provider_message_id": protocol.key.ID, "text": text}
    return None


def typed_on_phone(event) -> dict | None:
    """The message.out data of a message the business sent to a customer from its own phone
    (another device of the account); None for anything else."""
    source = event.Info.MessageSource
    if not source.IsFromMe or source.IsGroup or source.Chat.Server != USER_SERVER:
        return None
    phone, found = phone_of(source.Chat), content(event.Message)
    if phone is None or found is None:
        return None
    found.pop("reply_to_provider_message_id", None)
    return {"provider_message_id": event.Info.ID, "phone": phone, **found}


MEDIA_FIELDS = {"imageMessage": "image", "audioMessage": "audio", "videoMessage": "video",
                "ptvMessage": "video", "documentMessage": "document", "stickerMessage": "sticker"}
"""whatsmeow's message fields that carry a file, and our type for each."""


def content(message) -> dict | None:
    """{type, text, media?, location?, contact?, reply_to_provider_message_id?} of a message;
    None for protocol messages. A file's bytes are still to be downloaded (media_field names
    the field download_any reads)."""
    if message.HasField("documentWithCaptionMessage"):
        message = message.documentWithCaptionMessage.message
    for field, kind in MEDIA_FIELDS.items():
        if message.HasField(field):
            part = getattr(message, field)
            found = {"type": kind, "text": getattr(part, "caption", ""), "media": _file(part, kind)}
            return _quoting(found, part)
    if message.HasField("locationMessage"):
        place = message.locationMessage
        return {"type": "location", "text": "", "location": {
            "latitude": place.degreesLatitude, "longitude": place.degreesLongitude,
            "name": place.name, "address": place.address}}
    if message.HasField("contactMessage"):
        card = message.contactMessage
        return {"type": "contact", "text": "", "contact": {"name": card.displayName, "vcard": card.vcard}}
    text = describe(message)
    if text is None:
        return None
    found = {"type": "text", "text": text}
    return _quoting(found, message.extendedTextMessage) if message.HasField("extendedTextMessage") else found


def _file(part, kind: str) -> dict:
    """What a message says of its file (the bytes come from download_any)."""
    media = {"mime_type": part.mimetype or "application/octet-stream"}
    if kind == "document":
        media["filename"] = part.fileName or part.title or "file"
    if kind == "audio":
        media["voice"] = bool(part.PTT)
    for ours, theirs in (("duration_seconds", "seconds"), ("width", "width"), ("height", "height")):
        if hasattr(part, theirs) and getattr(part, theirs):
            media[ours] = int(getattr(part, theirs))
    return media


def _quoting(found: dict, part) -> dict:
    """The data with the id of the message a reply quotes, when it quotes one."""
    quoted = part.contextInfo.stanzaID if part.HasField("contextInfo") else ""
    return {**found, "reply_to_provider_message_id": quoted} if quoted else found


def describe(message) -> str | None:
    """The text of a message, or a description of what it is; None for protocol messages."""
    if message.conversation:
        return message.conversation
    if message.HasField("extendedTextMessage"):
        return message.extendedTextMessage.text
    for field, describer in _DESCRIBERS:
        if message.HasField(field):
            return describer(getattr(message, field))
    present = [field.name for field, _ in message.ListFields()]
    if not present or set(present) <= _SILENT:
        return None
    return f"[unsupported message: {present[0]}]"


def _with_caption(label: str, caption: str) -> str:
    return f"{label} {caption}".strip()


_DESCRIBERS = (
    ("imageMessage", lambda m: _with_caption("[image]", m.caption)),
    ("videoMessage", lambda m: _with_caption("[video]", m.caption)),
    ("ptvMessage", lambda m: "[video note]"),
    ("audioMessage", lambda m: "[voice message]" if m.PTT else "[audio]"),
    ("documentMessage", lambda m: _with_caption(f"[document: {m.fileName or m.title or 'file'}]",
                                                m.caption if hasattr(m, "caption") else "")),
    ("documentWithCaptionMessage", lambda m: describe(m.message) or "[document]"),
    ("stickerMessage", lambda m: "[sticker]"),
    ("locationMessage", lambda m: f"[location: {m.degreesLatitude:.6f}, {m.degreesLongitude:.6f}]"
                                  + (f" {m.name}" if m.name else "")),
    ("liveLocationMessage", lambda m: "[live location]"),
    ("contactMessage", lambda m: f"[contact: {m.displayName}]"),
    ("contactsArrayMessage", lambda m: "[contacts]"),
    ("reactionMessage", lambda m: _with_caption("[reaction]", m.text)),
    ("pollCreationMessage", lambda m: f"[poll: {m.name}]"),
)
_SILENT = {"protocolMessage", "senderKeyDistributionMessage", "messageContextInfo",
           "fastRatchetKeySenderKeyDistributionMessage", "keepInChatMessage", "pollUpdateMessage",
           "encReactionMessage", "editedMessage", "pinInChatMessage"}


def utcnow() -> datetime:
    """The current time in UTC."""
    return datetime.now(UTC)
