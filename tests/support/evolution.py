"""A local Evolution API v2 server for tests, following /work/shared/docs/evolution-api.md.

Quirks included: errors under HTTP 200 with `"error": true`, `{"count": 0}` before the QR
exists, 403 "already in use", restart as a POST (PUT is a 404), the instance check before the
key check, nested error messages. Tests drive the phone's side with scan(), incoming(),
receipt() and close(); each POSTs the webhook delivery Evolution would send.
"""
from __future__ import annotations

import base64
import json
import re
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import requests

ROUTE = re.compile(r"^/(instance|message|webhook|chat)/([A-Za-z0-9]+)(?:/([^/?]+))?$")


def error(status: int, message) -> tuple[int, dict]:
    """Evolution's error shape."""
    names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found"}
    return status, {"status": status, "error": names.get(status, "Error"),
                    "response": {"message": message}}


class FakeEvolution:
    """The server; instances live in memory. `requests` records (method, path?query, body)."""

    def __init__(self, api_key: str):
        self.api_key = api_key
        self.instances: dict[str, dict] = {}
        self.requests: list[tuple[str, str, object]] = []
        self.not_on_whatsapp: set[str] = set()
        self.fail_connect_once = False  # the next connect answers 200 {"error": true}
        self.failing = False  # every call answers 502, as behind a proxy whose server is down
        self.files: dict[str, bytes] = {}  # received files by message id (getBase64FromMediaMessage)
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def __enter__(self) -> "FakeEvolution":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def calls(self, method: str, prefix: str) -> list[tuple[str, str, object]]:
        """The recorded requests of one method whose path starts with prefix."""
        with self.lock:
            return [r for r in self.requests if r[0] == method and r[1].startswith(prefix)]

    # -- the phone's side ------------------------------------------------------------------

    def show_qr(self, name: str) -> str:
        """A new QR for the instance, delivered as qrcode.updated."""
        code = f"2@{uuid.uuid4().hex},fake-evolution"
        self.instances[name].update(qr=code, count=self.instances[name]["count"] + 1)
        self.deliver(name, "qrcode.updated", {"qrcode": {"instance": name, "pairingCode": None,
                                                          "code": code, "base64": "data:image/png;base64,"}})
        return code

    def scan(self, name: str, phone: str) -> None:
        """The phone scans the QR: open, with the owner's JID."""
        self.instances[name].update(state="open", owner=f"{phone}@s.whatsapp.net", qr=None)
        self.deliver(name, "connection.update", {"instance": name, "state": "open",
                                                  "statusReason": 200, "wuid": f"{phone}@s.whatsapp.net"})

    def close(self, name: str, status_reason: int = 401) -> None:
        """The connection closes (401: the phone unlinked the device)."""
        self.instances[name].update(state="close", owner=None)
        self.deliver(name, "connection.update", {"instance": name, "state": "close",
                                                  "statusReason": status_reason})

    def refuse(self, name: str) -> None:
        """The QR limit was reached unscanned: refused (a later connect starts over)."""
        self.instances[name].update(state="refused", qr=None)
        self.deliver(name, "connection.update", {"instance": name, "state": "refused",
                                                  "statusReason": 200})

    def incoming(self, name: str, remote_jid: str, message: dict, push_name: str = "Cliente",
                 file: bytes | None = None, inline: bool = True, **key_extra) -> str:
        """A customer's message (messages.upsert; fromMe=True: one the phone sent); its id. A
        file rides in message.base64 when the webhook asks for base64 and inline is true, else
        only getBase64FromMediaMessage has it."""
        message_id = key_extra.pop("id", None) or f"3EB0{uuid.uuid4().hex[:16].upper()}"
        if file is not None:
            self.files[message_id] = file
            if inline and (self.instances[name].get("webhook") or {}).get("base64"):
                message = {**message, "base64": base64.b64encode(file).decode()}
        self.deliver(name, "messages.upsert", {
            "key": {"remoteJid": remote_jid, "fromMe": False, "id": message_id, **key_extra},
            "pushName": push_name, "message": message, "messageType": next(iter(message)),
            "messageTimestamp": 1717689097})
        return message_id

    def receipt(self, name: str, key_id: str, status: str) -> None:
        """A receipt of a message we sent (messages.update)."""
        self.deliver(name, "messages.update", {"keyId": key_id, "remoteJid": "x@s.whatsapp.net",
                                                "fromMe": True, "status": status})

    def deliver(self, name: str, event: str, data: dict) -> requests.Response | None:
        """POST one webhook delivery to the instance's webhook, as Evolution does."""
        hook = self.instances[name].get("webhook") or {}
        if not hook.get("url"):
            return None
        body = {"event": event, "instance": name, "data": data, "destination": hook["url"],
                "date_time": "2026-01-01T10:00:00.000Z", "sender": None,
                "server_url": self.url, "apikey": None}
        return requests.post(hook["url"], json=body, timeout=10)

    # -- the HTTP side ---------------------------------------------------------------------

    def answer(self, method: str, path: str, query: dict, key: str | None, body) -> tuple[int, object]:
        with self.lock:
            self.requests.append((method, path + (f"?{urlencode(query)}" if query else ""), body))
        if self.failing:
            return error(502, ["Bad Gateway"])
        match = ROUTE.match(path)
        if match is None:
            return error(404, [f"Cannot {method} {path}"])
        group, action, name = match.group(1), match.group(2), unquote(match.group(3) or "")
        handler = getattr(self, f"_{group}_{action}_{method.lower()}", None)
        if handler is None:
            return error(404, [f"Cannot {method} {path}"])
        if name and not (group == "instance" and action == "create") and name not in self.instances:
            return error(404, [f'The "{name}" instance does not exist'])  # before the key check
        if key != self.api_key:
            return error(401, "Unauthorized")
        return handler(name, query, body if isinstance(body, dict) else {})

    def _instance_create_post(self, name, query, body):
        name = body.get("instanceName")
        if not isinstance(name, str) or not name:
            return error(400, [['instance requires property "instanceName"']])
        if body.get("integration") not in ("WHATSAPP-BAILEYS", "WHATSAPP-BUSINESS", "EVOLUTION"):
            return error(400, ["Invalid integration"])
        hook = body.get("webhook")
        if hook is not None and (not isinstance(hook, dict) or "events" not in hook):
            return error(400, [['webhook requires property "events"']])
        if name in self.instances:
            return error(403, [f'This name "{name}" is already in use.'])
        token = body.get("token") if isinstance(body.get("token"), str) else None
        self.instances[name] = {"state": "connecting", "qr": None, "count": 0, "owner": None,
                                "webhook": hook, "token": token or uuid.uuid4().hex}
        return 201, {"instance": {"instanceName": name, "instanceId": str(uuid.uuid4()),
                                  "integration": body["integration"], "status": "connecting"},
                     "hash": self.instances[name]["token"], "settings": {}, "qrcode": {"count": 0}}

    def _instance_connect_get(self, name, query, body):
        instance = self.instances[name]
        if self.fail_connect_once:
            self.fail_connect_once = False
            return 200, {"error": True, "message": "Connection Closed"}
        if instance["state"] == "open":
            return 200, {"instance": {"instanceName": name, "state": "open"}}
        if instance["state"] in ("close", "refused"):
            instance.update(state="connecting", count=0, qr=None)
        if "number" in query:
            return 200, {"pairingCode": "WZYEH1YY", "code": instance["qr"], "count": instance["count"]}
        if instance["qr"] is None:  # right after start: no QR yet (it comes by webhook)
            return 200, {"count": 0}
        return 200, {"pairingCode": None, "code": instance["qr"], "base64": "data:image/png;base64,",
                     "count": instance["count"]}

    def _instance_restart_post(self, name, query, body):
        if self.instances[name]["state"] == "close":
            return 200, {"error": True, "message": "Connection Closed"}
        return self._instance_connect_get(name, query, body)

    def _instance_connectionState_get(self, name, query, body):  # noqa: N802 - Evolution's path
        return 200, {"instance": {"instanceName": name, "state": self.instances[name]["state"]}}

    def _instance_fetchInstances_get(self, name, query, body):  # noqa: N802 - Evolution's path
        wanted = query.get("instanceName")
        if wanted is not None and wanted not in self.instances:
            return error(404, [f'The "{wanted}" instance does not exist'])
        return 200, [{"id": str(uuid.uuid4()), "name": n, "connectionStatus": i["state"],
                      "ownerJid": i["owner"], "profileName": None, "integration": "WHATSAPP-BAILEYS",
                      "token": i["token"]}
                     for n, i in self.instances.items() if wanted in (None, n)]

    def _instance_logout_delete(self, name, query, body):
        instance = self.instances[name]
        if instance["state"] != "open":
            return error(400, [f'The "{name}" instance is not connected'])
        instance.update(state="close", owner=None, qr=None)
        return 200, {"status": "SUCCESS", "error": False, "response": {"message": "Instance logged out"}}

    def _instance_delete_delete(self, name, query, body):
        del self.instances[name]
        return 200, {"status": "SUCCESS", "error": False, "response": {"message": "Instance deleted"}}

    def _webhook_set_post(self, name, query, body):
        hook = body.get("webhook")
        if not isinstance(hook, dict) or "events" not in hook:
            return error(400, [['instance requires property "webhook"']])
        self.instances[name]["webhook"] = hook
        return 201, {"id": str(uuid.uuid4()), **hook}

    def _message_sendText_post(self, name, query, body):  # noqa: N802 - Evolution's path
        number, text = str(body.get("number") or ""), body.get("text")
        if not text:
            return error(400, ["Text is required"])
        if self.instances[name]["state"] != "open":
            return error(400, ["Connection Closed"])
        if number in self.not_on_whatsapp:
            return error(400, [{"jid": f"{number}@s.whatsapp.net", "exists": False, "number": number}])
        return 201, {"key": {"remoteJid": f"{number}@s.whatsapp.net", "fromMe": True,
                             "id": f"3EB0{uuid.uuid4().hex[:16].upper()}"},
                     "status": "PENDING", "message": {"conversation": text},
                     "messageTimestamp": 1717689097}

    def _message_sendMedia_post(self, name, query, body):  # noqa: N802 - Evolution's path
        if body.get("mediatype") not in ("image", "video", "document") or not body.get("media"):
            return error(400, ["mediatype and media are required"])
        kind = f"{body['mediatype']}Message"
        return self._sent(name, body, {kind: {"mimetype": body.get("mimetype"),
                                              "caption": body.get("caption") or ""}})

    def _message_sendWhatsAppAudio_post(self, name, query, body):  # noqa: N802 - Evolution's path
        if not body.get("audio"):
            return error(400, ["audio is required"])
        return self._sent(name, body, {"audioMessage": {"ptt": True}})

    def _sent(self, name, body, message):
        if self.instances[name]["state"] != "open":
            return error(400, ["Connection Closed"])
        number = str(body.get("number") or "")
        return 201, {"key": {"remoteJid": f"{number}@s.whatsapp.net", "fromMe": True,
                             "id": f"3EB0{uuid.uuid4().hex[:16].upper()}"},
                     "status": "PENDING", "message": message, "messageTimestamp": 1717689097}

    def _chat_markMessageAsRead_post(self, name, query, body):  # noqa: N802 - Evolution's path
        read = body.get("readMessages")
        if not isinstance(read, list) or not read:
            return error(400, ["readMessages is required"])
        return 201, {"message": "Read messages", "read": "success"}

    def _chat_getBase64FromMediaMessage_post(self, name, query, body):  # noqa: N802 - Evolution's path
        key = (body.get("message") or {}).get("key") or {}
        file = self.files.get(str(key.get("id")))
        if file is None:
            return error(400, ["Message not found"])
        return 201, {"mediaType": "imageMessage", "fileName": None, "size": {"fileLength": len(file)},
                     "mimetype": "application/octet-stream", "base64": base64.b64encode(file).decode()}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self):
                url = urlsplit(self.path)
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                body = json.loads(raw) if raw.strip() else None
                query = {k: v[-1] for k, v in parse_qs(url.query).items()}
                status, answer = fake.answer(self.command, url.path, query,
                                             self.headers.get("apikey"), body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            do_GET = do_POST = do_PUT = do_DELETE = _serve  # http.server's naming

            def log_message(self, *args):
                pass
        return Handler
