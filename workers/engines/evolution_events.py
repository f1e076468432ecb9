"""What an Evolution API server POSTs to the worker's webhook, read into the worker's terms.

Deliveries look like {"event": "messages.upsert", "instance": "<name>", "data": {...}}
(/work/shared/docs/evolution-api.md); these functions read one delivery's `data`.
"""
from __future__ import annotations

USER_SUFFIX = "@s.whatsapp.net"
RECEIPTS = {"DELIVERY_ACK": "delivered", "READ": "read", "PLAYED": "read", "ERROR": "failed"}
MEDIA = (("imageMessage", "[image]"), ("videoMessage", "[video]"), ("stickerMessage", "[sticker]"),
         ("documentMessage", "[document]"), ("documentWithCaptionMessage", "[document]"),
         ("locationMessage", "[location]"), ("liveLocationMessage", "[live location]"),
         ("contactMessage", "[contact]"), ("contactsArrayMessage", "[contacts]"),
         ("reactionMessage", "[reaction]"), ("pollCreationMessage", "[poll]"),
         ("pollCreationMessageV3", "[poll]"), ("ptvMessage", "[video note]"))
SILENT = {"protocolMessage", "senderKeyDistributionMessage", "messageContextInfo",
          "editedMessage", "pollUpdateMessage", "keepInChatMessage", "pinInChatMessage"}


def event_name(payload: dict) -> str:
    """The event's name, lower-case and dotted ("QRCODE_UPDATED" → "qrcode.updated")."""
    return str(payload.get("event") or "").lower().replace("_", ".")


def phone_of(jid: object) -> str | None:
    """The digits of a user JID ("5511999990000@s.whatsapp.net" or ":12" device forms)."""
    if not isinstance(jid, str) or not jid.endswith(USER_SUFFIX):
        return None
    user = jid[: -len(USER_SUFFIX)].split(":")[0]
    return user if user.isdigit() else None


def qr_code(data: dict) -> str | None:
    """The QR's text from a qrcode.updated delivery or a connect answer."""
    qrcode = data.get("qrcode") if isinstance(data.get("qrcode"), dict) else data
    code = qrcode.get("code")
    return code if isinstance(code, str) and code else None


def connection(data: dict) -> tuple[str, str | None, str | None]:
    """(state, phone, reason) of a connection.update delivery."""
    state, status = data.get("state"), data.get("statusReason")
    if state == "open":
        return "connected", phone_of(data.get("wuid")), None
    if state == "connecting":
        return "connecting", None, None
    if state == "refused":
        return "disconnected", None, ("the QR code was not scanned in time (the Evolution API "
                                      "stopped showing new ones); connect again")
    if status == 401:
        return "logged_out", None, "logged out: this device was unlinked on the phone"
    return "disconnected", None, f"the Evolution API closed the connection ({status or 'no reason'})"


def sender_phone(key: dict, data: dict) -> str | None:
    """The customer's phone: the chat's JID, or its phone-number twin when WhatsApp hides it."""
    for candidate in (key.get("remoteJid"), key.get("remoteJidAlt"), key.get("senderPn"),
                      data.get("senderPn")):
        if isinstance(candidate, str) and candidate.isdigit():
            return candidate
        if (phone := phone_of(candidate)) is not None:
            return phone
    return None


def inbound(data: dict) -> dict | None:
    """The message.in data of a messages.upsert delivery; None for our own, groups, status."""
    key = data.get("key") if isinstance(data.get("key"), dict) else {}
    remote = str(key.get("remoteJid") or "")
    if key.get("fromMe") or remote.endswith(("@g.us", "@broadcast", "@newsletter")):
        return None
    phone, found = sender_phone(key, data), content(data.get("message"))
    if not phone or not found or not isinstance(key.get("id"), str):
        return None
    name = data.get("pushName")
    found = {"provider_message_id": key["id"], "phone": phone, **found,
             "name": name if isinstance(name, str) and name else None}
    quoted = quoted_id(data)
    if quoted:
        found["reply_to_provider_message_id"] = quoted
    return found


FILES = {"imageMessage": "image", "audioMessage": "audio", "videoMessage": "video",
         "ptvMessage": "video", "documentMessage": "document", "stickerMessage": "sticker"}
"""Baileys' message fields that carry a file, and our type for each."""


def content(message: object) -> dict | None:
    """{type, text, media?, location?, contact?} of a message; None for protocol messages. A
    file's bytes are the delivery's base64 (webhook base64 on) or fetched by its id."""
    if not isinstance(message, dict):
        return None
    wrapped = message.get("documentWithCaptionMessage")
    inner = wrapped.get("message") if isinstance(wrapped, dict) else None
    message = {**message, **inner} if isinstance(inner, dict) else message
    for field, kind in FILES.items():
        if isinstance(message.get(field), dict):
            part = message[field]
            return {"type": kind, "text": str(part.get("caption") or ""), "media": _file(part, kind)}
    place, card = message.get("locationMessage"), message.get("contactMessage")
    if isinstance(place, dict):
        return {"type": "location", "text": "", "location": {
            "latitude": place.get("degreesLatitude"), "longitude": place.get("degreesLongitude"),
            "name": place.get("name") or "", "address": place.get("address") or ""}}
    if isinstance(card, dict):
        return {"type": "contact", "text": "",
                "contact": {"name": card.get("displayName") or "", "vcard": card.get("vcard") or ""}}
    text = describe(message)
    return {"type": "text", "text": text} if text else None


def _file(part: dict, kind: str) -> dict:
    media: dict = {"mime_type": str(part.get("mimetype") or "application/octet-stream")}
    if kind == "document":
        media["filename"] = str(part.get("fileName") or part.get("title") or "file")
    if kind == "audio":
        media["voice"] = part.get("ptt") is True
    for ours, theirs in (("duration_seconds", "seconds"), ("width", "width"), ("height", "height")):
        if isinstance(part.get(theirs), int) and part[theirs] > 0:
            media[ours] = part[theirs]
    return media


def quoted_id(data: dict) -> str | None:
    """The id of the message a reply quotes (its contextInfo's stanzaId), if any."""
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    extended = message.get("extendedTextMessage")
    for context in (data.get("contextInfo"), extended.get("contextInfo") if isinstance(extended, dict) else None):
        if isinstance(context, dict) and isinstance(context.get("stanzaId"), str) and context["stanzaId"]:
            return context["stanzaId"]
    return None


REVOKE, MESSAGE_EDIT = (0, "REVOKE"), (14, "MESSAGE_EDIT")
"""protocolMessage types as Evolution passes them on (a number, or Baileys' name)."""


def change(data: dict) -> tuple[str, dict] | None:
    """The reaction, edit or deletion a messages.upsert carries, as (event type, data) about
    the message it names; None when it carries none (groups are ignored)."""
    key = data.get("key") if isinstance(data.get("key"), dict) else {}
    message = data.get("message") if isinstance(data.get("message"), dict) else {}
    if str(key.get("remoteJid") or "").endswith(("@g.us", "@broadcast", "@newsletter")):
        return None
    reaction, protocol = message.get("reactionMessage"), message.get("protocolMessage")
    if isinstance(reaction, dict):
        target = reaction.get("key") if isinstance(reaction.get("key"), dict) else {}
        who = "business" if key.get("fromMe") else sender_phone(key, data)
        if not who or not isinstance(target.get("id"), str):
            return None
        return "message.reaction", {"provider_message_id": target["id"], "phone": who,
                                    "emoji": str(reaction.get("text") or "")}
    if isinstance(protocol, dict):
        return _protocol_change(protocol)
    return None


def _protocol_change(protocol: dict) -> tuple[str, dict] | None:
    target = protocol.get("key") if isinstance(protocol.get("key"), dict) else {}
    if not isinstance(target.get("id"), str):
        return None
    if protocol.get("type") in REVOKE:
        return "message.deleted", {"provider_message_id": target["id"]}
    text = describe(protocol.get("editedMessage"))
    if protocol.get("type") in MESSAGE_EDIT and text:
        return "message.edited", {"provider_message_id": target["id"], "text": text}
    return None


def typed_on_phone(data: dict) -> dict | None:
    """The message.out data of a messages.upsert the business sent from its own phone to a
    customer; None for anything else."""
    key = data.get("key") if isinstance(data.get("key"), dict) else {}
    remote = str(key.get("remoteJid") or "")
    if key.get("fromMe") is not True or not remote.endswith("@s.whatsapp.net"):
        return None
    phone, found = phone_of(remote), content(data.get("message"))
    if not phone or not found or not isinstance(key.get("id"), str):
        return None
    return {"provider_message_id": key["id"], "phone": phone, **found}


def describe(message: object) -> str | None:
    """A message's text, or what it is ("[image] caption"); None for protocol messages."""
    if not isinstance(message, dict):
        return None
    if isinstance(message.get("conversation"), str) and message["conversation"]:
        return message["conversation"]
    extended = message.get("extendedTextMessage")
    if isinstance(extended, dict) and extended.get("text"):
        return str(extended["text"])
    for field, label in MEDIA:
        if isinstance(message.get(field), dict):
            inner = message[field]
            extra = inner.get("caption") or inner.get("text") or inner.get("fileName") or ""
            return f"{label} {extra}".strip()
    present = [field for field in message if field not in SILENT]
    return f"[unsupported message: {present[0]}]" if present else None


def receipts(data: object) -> list[tuple[str, str]]:
    """(provider message id, delivered|read|failed) of a messages.update delivery."""
    updates = data if isinstance(data, list) else [data]
    found = []
    for update in updates:
        if not isinstance(update, dict) or update.get("fromMe") is False:
            continue
        status = RECEIPTS.get(str(update.get("status") or "").upper())
        key = update.get("key") if isinstance(update.get("key"), dict) else {}
        message_id = update.get("keyId") or key.get("id")
        if status and isinstance(message_id, str):
            found.append((message_id, status))
    return found
