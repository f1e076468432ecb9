"""HTTP calls to an Evolution API v2 server (/work/shared/docs/evolution-api.md), quirks included.

Every call sends the global key in the `apikey` header; the key is never logged or put in a
message. Failures raise EvolutionError (the server answered an error, also the HTTP 200 bodies
with `"error": true`) or EvolutionUnreachable (no answer: refused, reset, timeout, not HTTP).
"""
from __future__ import annotations

import base64
import json
from urllib.parse import quote

INTEGRATION = "WHATSAPP-BAILEYS"
WEBHOOK_EVENTS = ("QRCODE_UPDATED", "CONNECTION_UPDATE", "MESSAGES_UPSERT", "MESSAGES_UPDATE")
TIMEOUT = 10.0
MAX_MESSAGE = 300


class EvolutionError(Exception):
    """The Evolution API answered with an error; `status` is its HTTP status (200 for the
    `{"error": true}` bodies), `message` a readable text taken from its body."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class EvolutionUnreachable(EvolutionError):
    """The Evolution API did not answer (connection refused or reset, timeout, not HTTP)."""

    def __init__(self, message: str):
        super().__init__(0, message)


def error_message(body: object, status: int) -> str:
    """A readable message from any of Evolution's error shapes (nested lists included)."""
    if isinstance(body, dict):
        response = body.get("response")
        found = response.get("message") if isinstance(response, dict) else None
        found = found if found not in (None, "", []) else body.get("message")
        if found in (None, "", []) and isinstance(body.get("error"), str):
            found = body["error"]
        body = found
    text = "; ".join(_flatten(body))
    return (text or f"HTTP {status}")[:MAX_MESSAGE]


def _flatten(value: object) -> list[str]:
    """The texts of a message that may be a string, a list of lists, or number-check results."""
    if isinstance(value, list):
        return [text for item in value for text in _flatten(item)]
    if isinstance(value, dict) and value.get("exists") is False:
        return [f"{value.get('number') or value.get('jid') or 'the number'} is not on WhatsApp"]
    if isinstance(value, (dict, type(None))):
        return []
    return [str(value)]


def webhook_config(url: str) -> dict:
    """Evolution's nested webhook object: every event we read, posted to url, with received
    files in base64."""
    return {"enabled": True, "url": url, "byEvents": False, "base64": True,
            "events": list(WEBHOOK_EVENTS)}


def _given(options: dict | None) -> dict:
    """A send's options without the empty ones (no quote, no delay)."""
    return {key: value for key, value in (options or {}).items() if value}


class EvolutionClient:
    """One Evolution API server, reached with its global API key."""

    def __init__(self, base_url: str, api_key: str, timeout: float = TIMEOUT):
        self.base_url = base_url.rstrip("/")
        self._api_key = api_key
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"EvolutionClient({self.base_url!r})"  # never the key

    def create_instance(self, name: str, webhook_url: str, token: str) -> dict:
        """POST /instance/create: a Baileys instance that asks for a QR, with our webhook and
        our own instance token (the proof, later, that the instance is ours)."""
        return self._call("POST", "/instance/create", {
            "instanceName": name, "integration": INTEGRATION, "qrcode": True, "token": token,
            "webhook": webhook_config(webhook_url)})

    def instance_token(self, name: str) -> str | None:
        """The token of the instance of that name ("" when it shows none), None when there is
        no such instance (GET /instance/fetchInstances; the other rows are never kept)."""
        try:
            rows = self._call("GET", f"/instance/fetchInstances?instanceName={quote(name, safe='')}")
        except EvolutionError as exc:
            if exc.status == 404:
                return None
            raise
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("name") == name:
                token = row.get("token")
                return token if isinstance(token, str) else ""
        return None

    def set_webhook(self, name: str, webhook_url: str) -> dict:
        """POST /webhook/set/{name}: point an existing instance's webhook at us."""
        return self._call("POST", f"/webhook/set/{quote(name, safe='')}",
                          {"webhook": webhook_config(webhook_url)})

    def connect(self, name: str, number: str | None = None) -> dict:
        """GET /instance/connect/{name}[?number=]: the QR object (with a pairing code when a
        number is given), {"count": 0} before the QR exists, or {"instance": {state}}."""
        query = f"?number={quote(number, safe='')}" if number else ""
        return self._call("GET", f"/instance/connect/{quote(name, safe='')}{query}")

    def restart(self, name: str) -> dict:
        """POST /instance/restart/{name} (a PUT in v1)."""
        return self._call("POST", f"/instance/restart/{quote(name, safe='')}")

    def connection_state(self, name: str) -> str | None:
        """GET /instance/connectionState/{name}: open, connecting, close (None when not loaded)."""
        body = self._call("GET", f"/instance/connectionState/{quote(name, safe='')}")
        instance = body.get("instance")
        state = instance.get("state") if isinstance(instance, dict) else None
        return state if isinstance(state, str) else None

    def owner_jid(self, name: str) -> str | None:
        """The linked number's JID from GET /instance/fetchInstances (nothing else is kept: the
        rows carry every instance's token)."""
        rows = self._call("GET", f"/instance/fetchInstances?instanceName={quote(name, safe='')}")
        for row in rows if isinstance(rows, list) else []:
            if isinstance(row, dict) and row.get("name") == name:
                owner = row.get("ownerJid")
                return owner if isinstance(owner, str) else None
        return None

    def send_text(self, name: str, number: str, text: str, options: dict | None = None) -> str:
        """POST /message/sendText/{name} (options: quoted, delay: ms of "typing…"); the provider's
        message id (key.id)."""
        return self._message_id(self._call("POST", f"/message/sendText/{quote(name, safe='')}",
                                           {"number": number, "text": text, **_given(options)}))

    @staticmethod
    def _message_id(body) -> str:
        """The key.id of a send's answer."""
        key = body.get("key") if isinstance(body, dict) else None
        message_id = key.get("id") if isinstance(key, dict) else None
        if not isinstance(message_id, str) or not message_id:
            raise EvolutionError(200, "the Evolution API answered a send without a message id")
        return message_id

    def send_media(self, name: str, number: str, media, caption: str, options: dict | None = None) -> str:
        """POST /message/sendWhatsAppAudio/{name} for a voice note, else /message/sendMedia/{name};
        the provider's message id."""
        encoded = base64.b64encode(media.data).decode()
        if media.kind == "audio" and media.voice:
            path, body = "sendWhatsAppAudio", {"number": number, "audio": encoded}
        else:
            path, body = "sendMedia", {"number": number, "mediatype": media.kind if media.kind != "sticker"
                                       else "image", "mimetype": media.mime_type, "media": encoded,
                                       "caption": caption, "fileName": media.filename or media.kind}
        return self._message_id(self._call("POST", f"/message/{path}/{quote(name, safe='')}",
                                           {**body, **_given(options)}))

    def mark_read(self, name: str, number: str, message_ids: list[str]) -> dict:
        """POST /chat/markMessageAsRead/{name}: a contact's messages read (blue ticks)."""
        read = [{"remoteJid": f"{number}@s.whatsapp.net", "fromMe": False, "id": i} for i in message_ids]
        return self._call("POST", f"/chat/markMessageAsRead/{quote(name, safe='')}", {"readMessages": read})

    def media_base64(self, name: str, message_id: str) -> bytes:
        """POST /chat/getBase64FromMediaMessage/{name}: a received file's bytes."""
        body = self._call("POST", f"/chat/getBase64FromMediaMessage/{quote(name, safe='')}",
                          {"message": {"key": {"id": message_id}}, "convertToMp4": False})
        encoded = body.get("base64") if isinstance(body, dict) else None
        if not isinstance(encoded, str) or not encoded:
            raise EvolutionError(200, "the Evolution API answered without the file")
        return base64.b64decode(encoded)

    def logout(self, name: str) -> dict:
        """DELETE /instance/logout/{name}: unlink the phone, keep the instance."""
        return self._call("DELETE", f"/instance/logout/{quote(name, safe='')}")

    def delete(self, name: str) -> dict:
        """DELETE /instance/delete/{name}: log out and remove the instance."""
        return self._call("DELETE", f"/instance/delete/{quote(name, safe='')}")

    def _call(self, method: str, path: str, payload: dict | None = None):
        """One request; the JSON answer, or EvolutionError / EvolutionUnreachable."""
        status, raw = self._send(method, path, payload)
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            body = raw.decode("utf-8", "replace").strip()
        if status >= 400:
            raise EvolutionError(status, error_message(body, status))
        if isinstance(body, dict) and body.get("error") is True:
            raise EvolutionError(status, error_message(body, status))
        if not isinstance(body, (dict, list)):
            raise EvolutionError(status, "the Evolution API answered something that is not JSON")
        return body

    def _send(self, method: str, path: str, payload: dict | None) -> tuple[int, bytes]:
        """The raw (status, body) of one request; EvolutionUnreachable when nothing answers."""
        from http.client import HTTPException  # lazy: keeps the worker's start-up memory small
        from urllib import error, request
        headers = {"apikey": self._api_key, "Accept": "application/json"}
        data = None
        if payload is not None:
            data, headers["Content-Type"] = json.dumps(payload).encode(), "application/json"
        req = request.Request(self.base_url + path, data=data, headers=headers, method=method)
        try:
            with request.urlopen(req, timeout=self.timeout) as response:
                return response.status, response.read()
        except error.HTTPError as exc:
            with exc:
                return exc.code, exc.read()
        except TimeoutError:  # it may have acted on the request: never treat it as not sent
            raise EvolutionError(0, f"the Evolution API at {self.base_url} did not answer in "
                                    f"{self.timeout:.0f} s") from None
        except (OSError, HTTPException, ValueError) as exc:
            reason = getattr(exc, "reason", None) or type(exc).__name__
            raise EvolutionUnreachable(f"cannot reach the Evolution API at {self.base_url} "
                                       f"({reason})") from None
