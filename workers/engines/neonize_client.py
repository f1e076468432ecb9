"""The small part of neonize the engine uses: building a client, its handlers, sends and lookups.

neonize (and its 19 MB Go library) is imported only when a neonize worker builds its first
client, so the other engines' workers never load it.
"""
from __future__ import annotations

import ctypes
import io
import logging
import os
import sys
import types
import typing
from collections.abc import Callable

LOGGERS_AT_WARNING = ("neonize", "whatsmeow", "Whatsmeow")
"""whatsmeow's INFO lines name chats and message ids; the worker log keeps warnings only."""
NOT_LOADED = ("linkpreview", "httpx", "requests", "magic", "tqdm", "bs4", "PIL", "phonenumbers")
"""Libraries neonize imports for what the engine never asks of it (link previews, files fetched by
URL, a file's type guessed from its bytes, download progress bars, thumbnails and stickers drawn
by Pillow, phone numbers formatted for display). A neonize worker gets
stand-ins that fail when used: about 14 MB less in every worker (bench/workers.py)."""


class _Absent:
    """Anything taken from a library that is not loaded: fails when called."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Absent(f"{self._name}.{attr}")

    def __call__(self, *args, **kwargs):
        raise RuntimeError(f"{self._name} is not loaded in zapfleet's neonize worker")

    def __or__(self, other):  # in annotations neonize evaluates, e.g. `str | Image.Image`
        return typing.Any

    __ror__ = __or__


def _stand_in(name: str):
    module = types.ModuleType(name, "not loaded in zapfleet's neonize worker (NOT_LOADED)")
    module.__getattr__ = _Absent(name).__getattr__  # type: ignore[method-assign]
    module.__path__ = []  # a package, so that `import requests.adapters` finds nothing more
    return module


def load_neonize():
    """Import neonize; return its client and events modules.

    While it loads, os.popen("uname -a") (its Android check, which leaves the pipe and the
    child unreaped) answers from os.uname() without a child process, and the libraries of
    NOT_LOADED are stand-ins unless something loaded them before.
    """
    for name in NOT_LOADED:
        sys.modules.setdefault(name, _stand_in(name))  # a library already loaded stays as it is
    real_popen = os.popen
    os.popen = _uname_popen(real_popen)
    try:
        from neonize import client, events
        from neonize.utils import log as neonize_log
    finally:
        os.popen = real_popen
    for name in LOGGERS_AT_WARNING:
        logging.getLogger(name).setLevel(logging.WARNING)
    neonize_log.setLevel(logging.WARNING)  # also the level the Go side logs at
    logging.getLogger("neonize.utils.ffmpeg").setLevel(logging.ERROR)  # neonize's media helpers
    return client, events


def _uname_popen(real_popen):
    def popen(command: str, *args, **kwargs):
        if command == "uname -a":
            return io.StringIO(" ".join(os.uname()))
        return real_popen(command, *args, **kwargs)
    return popen


def new_client(db_path: str, instance_id: str, handlers: dict[str, Callable],
               on_qr: Callable[[object, bytes], None], on_login_status: Callable[[str], None]):
    """A neonize NewClient on the session database, with our handlers registered.

    handlers maps neonize event class names (as in neonize.events: "ConnectedEv", …) to
    callbacks taking (client, event).
    """
    client_module, events = load_neonize()
    client = client_module.NewClient(db_path, uuid=instance_id)
    for event_name, handler in handlers.items():
        client.event(getattr(events, event_name))(handler)
    client.event.qr(on_qr)
    # neonize prints the QR login status ("success", "timeout", …) from a private callback;
    # connect() looks it up on the instance, so this instance attribute receives it instead.
    client._NewClient__onLoginStatus = (  # noqa: SLF001 - the only way to hear "timeout"
        lambda _uuid, status: on_login_status(ctypes.string_at(status).decode("utf-8", "replace")))
    return client


def proxy_settings(address: str | None):
    """neonize's ProxySettings for an http(s):// or socks5:// proxy address, or None."""
    if not address:
        return None
    from neonize._binder import ProxySettings
    return ProxySettings(proxy_address=address)


def text_message(text: str, quoted=None):
    """A text WhatsApp message; an extended one when it quotes another (a ContextInfo)."""
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ExtendedTextMessage, Message
    if quoted is None:
        return Message(conversation=text)
    return Message(extendedTextMessage=ExtendedTextMessage(text=text, contextInfo=quoted))


def quote(reply_to: dict, author_phone: str | None):
    """The ContextInfo of a reply: the quoted message's id, its author and its text."""
    from neonize.proto.waE2E.WAWebProtobufsE2E_pb2 import ContextInfo, Message
    participant = f"{author_phone}@s.whatsapp.net" if author_phone else None
    return ContextInfo(stanzaID=str(reply_to.get("provider_message_id") or ""), participant=participant,
                       quotedMessage=Message(conversation=str(reply_to.get("text") or "")))


MEDIA_PARTS = {"image": ("imageMessage", "ImageMessage", 0), "video": ("videoMessage", "VideoMessage", 1),
               "audio": ("audioMessage", "AudioMessage", 2), "document": ("documentMessage", "DocumentMessage", 3),
               "sticker": ("stickerMessage", "StickerMessage", 0)}
"""Our kind → (Message field, its protobuf class, whatsmeow's MediaType for the upload)."""


def media_message(client, media, caption: str, quoted=None):
    """Upload a file to WhatsApp (encrypted by whatsmeow) and build the message that carries it."""
    from neonize.proto.waE2E import WAWebProtobufsE2E_pb2 as pb
    from neonize.utils.enum import MediaType
    field, part_class, media_type = MEDIA_PARTS[media.kind]
    upload = client.upload(media.data, MediaType(media_type))
    fields = {"URL": upload.url, "directPath": upload.DirectPath, "mediaKey": upload.MediaKey,
              "fileEncSHA256": upload.FileEncSHA256, "fileSHA256": upload.FileSHA256,
              "fileLength": upload.FileLength, "mimetype": media.mime_type}
    if media.kind in ("image", "video", "document") and caption:
        fields["caption"] = caption
    if media.kind == "document":
        fields["fileName"] = media.filename or "file"
    if media.kind == "audio":
        fields["PTT"] = media.voice
    if quoted is not None:
        fields["contextInfo"] = quoted
    return pb.Message(**{field: getattr(pb, part_class)(**fields)})


def user_jid(phone: str):
    """The JID of a phone number (digits)."""
    from neonize.utils.jid import build_jid
    return build_jid(phone)


def lookup_jid(client, phone: str):
    """The JID WhatsApp uses for a phone number (Brazilian numbers may lack the ninth digit);
    None when the number is not on WhatsApp."""
    for answer in client.is_on_whatsapp(f"+{phone}"):
        if answer.IsIn and answer.JID.User:
            return answer.JID
    return None
