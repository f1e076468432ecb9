"""The shapes of sending (a text, a file, a reply) and of the files messages carry."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, model_validator
from pydantic_core import PydanticCustomError

from zapfleet.core.errors import InvalidInput
from zapfleet.core.shapes import Flag, IsPhone, Shape, Text, Uuid, checked
from zapfleet.core.vocabulary import MAX_TEXT_LENGTH, MEDIA_KINDS


def message_text(value: Any) -> str:
    """The text of a message: 1 to MAX_TEXT_LENGTH characters, not only blanks."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput("message", "must be a non-empty string")
    if len(value) > MAX_TEXT_LENGTH:
        raise InvalidInput("message", "must be at most %(most)s characters", most=MAX_TEXT_LENGTH)
    return value


def _caption(value: Any, _info: ValidationInfo) -> str:
    """A message's text, or "" when none is given (then a file is required)."""
    return "" if value is None or value == "" else message_text(value)


class MediaIn(Shape):
    """A file to send: its bytes in base64, or a public URL to fetch it from."""

    data: str = Field("", description="The file's bytes in base64 (up to 16 MB of file this way; send "
                                      "larger documents as multipart/form-data or by url).")
    url: Annotated[str, Text(2000, "A public http(s) URL of the file (private addresses are refused, "
                                   "as for webhooks).")] = ""
    mime_type: Annotated[str, Text(200, "Its type, e.g. image/jpeg; checked against its bytes (400 "
                                        "when they differ). Default: what its bytes show.")] = ""
    filename: Annotated[str, Text(255, "The name a document shows.")] = ""
    voice: Flag = Field(False, description="Send an audio file as a voice note (WhatsApp wants "
                                           "audio/ogg with the Opus codec).")

    @model_validator(mode="after")
    def _one_source(self) -> MediaIn:
        if bool(self.data) == bool(self.url):
            raise PydanticCustomError("invalid_input", "{detail}",
                                      {"detail": "give either data (base64) or url", "field": "media"})
        return self


class SendIn(Shape):
    """A message to send: a text, or a file with an optional caption; either may quote a message."""

    phone: Annotated[str, Field(description="The recipient's phone in any common format; local numbers "
                                            "use the default region. A contact is created when there is "
                                            "none."), IsPhone]
    message: Annotated[str, Field(max_length=MAX_TEXT_LENGTH, description="The text, not only blanks; "
                                                                          "with a file, its caption "
                                                                          "(optional)."),
                       checked(_caption)] = ""
    media: MediaIn | None = Field(None, description="A file to send (or, with multipart/form-data, a "
                                                    "part named file).")
    reply_to: Uuid | None = Field(None, description="The id of a message of this account to quote.")
    idempotency_key: Annotated[str, Text(200, "Your key for this message: sending it again answers with "
                                              "the first message instead of sending twice.")] = ""
    send_at: str | None = Field(None, json_schema_extra={"format": "date-time"},
                                description="Schedule it: ISO 8601 with an offset, within a year. It is "
                                            "kept until then (202) and can be cancelled.")
    wait: Flag = Field(True, description="false (or the header Prefer: respond-async): answer 202 as soon "
                                         "as the message is stored, and leave the hand-over to the "
                                         "dispatcher (for sending in bulk).")

    @model_validator(mode="after")
    def _something_to_send(self, info: ValidationInfo) -> SendIn:
        if not self.message and self.media is None and not (info.context or {}).get("file"):
            raise PydanticCustomError("invalid_input", "{detail}",
                                      {"detail": "must be a non-empty string", "field": "message"})
        return self


class MessageMedia(Shape):
    """The file a message carries."""

    id: Uuid | None = Field(None, description="Its id: GET /api/accounts/{account_id}/media/{id}.")
    available: bool = Field(description="False when a received file could not be downloaded from "
                                        "WhatsApp (the message is kept without it).")
    kind: str | None = Field(None, json_schema_extra={"enum": list(MEDIA_KINDS)})
    mime_type: str | None = None
    size: int | None = Field(None, ge=0, description="In bytes.")
    filename: str | None = None
    sha256: str | None = Field(None, description="Of its bytes, in hex.")
    voice: bool = Field(False, description="An audio sent or received as a voice note.")
    duration_seconds: int | None = None
    width: int | None = None
    height: int | None = None


class MediaFile(Shape):
    """A stored file."""

    id: Uuid
    kind: str = Field(json_schema_extra={"enum": list(MEDIA_KINDS)})
    mime_type: str
    size: int = Field(ge=0)
    filename: str | None
    sha256: str
    created_at: datetime
