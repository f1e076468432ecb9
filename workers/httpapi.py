"""The worker's HTTP API (workers/README.md) over an engine, served by http.server."""
from __future__ import annotations

import hmac
import json
import re
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Protocol
from urllib.parse import parse_qs, urlsplit

from workers.engines.base import Engine, EngineError, MediaFile, Outgoing, SendFailed
from workers.fence import Fence, NoFence
from workers.log import log
from workers.media import fetch
from workers.sentlog import SentLog

MAX_BODY = 32 * 1024 * 1024
"""A webhook or an injected message may carry a 16 MB file in base64."""
LISTEN_BACKLOG = 128
"""Connections the kernel queues before the server accepts them: http.server's default of 5
drops the SYNs of a burst of concurrent sends, and each dropped one waits a second to retry."""
IDLE_TIMEOUT = 30.0
"""Seconds a kept-alive connection may stay idle before the worker closes it (and its thread)."""
MAX_TYPING = 5.0
"""The longest "typing…" before a send (the control plane waits for the answer)."""
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
QR_FORMATS = ("json", "png", "svg")
HTTP_STATUS = {"invalid_input": 400, "unauthorized": 401, "not_found": 404, "conflict": 409,
               "not_connected": 409, "internal_error": 500, "unavailable": 503}
Response = tuple[int, str, bytes]
READ_ONLY_ROUTES = (("GET", "/health"), ("GET", "/status"), ("GET", "/qr"))
"""Routes that answer without a valid fence (every other one acts on WhatsApp or records)."""
FENCE_LAPSED = "this worker's lease on the instance is not valid; it does not act"
STARTING_STATE = "starting"
"""The state /health and /status report while the worker waits for its lease."""


class ApiError(Exception):
    """An error answer: one code of HTTP_STATUS and a message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def invalid(field: str, message: str) -> ApiError:
    """A 400 invalid_input naming the field."""
    return ApiError("invalid_input", f"{field}: {message}")


def json_response(body: object, status: int = 200) -> Response:
    """A JSON answer."""
    return status, "application/json", json.dumps(body).encode()


def error_response(code: str, message: str) -> Response:
    """An error answer in the control plane's shape."""
    return json_response({"error": {"code": code, "message": message}}, HTTP_STATUS[code])


def parse_object(body: bytes) -> dict:
    """The request body as a JSON object (empty body: {})."""
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        raise invalid("body", "is not valid JSON") from None
    if not isinstance(value, dict):
        raise invalid("body", "must be a JSON object")
    return value


def required_text(body: dict, field: str, max_len: int) -> str:
    """A required, non-blank string field of at most max_len characters."""
    value = body.get(field)
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, "is required")
    if len(value) > max_len:
        raise invalid(field, f"must be at most {max_len} characters")
    return value


class WorkerApp:
    """Routes requests to the engine; every route needs the worker's bearer token, except the
    engine's webhook (POST /<engine>/webhook/<secret>), which its secret path authenticates."""

    def __init__(self, instance_id: str, token: str, engine: Engine, sent: SentLog,
                 webhook_secret: str | None = None, control_url: str = "",
                 fence: Fence | None = None):
        self.instance_id, self.engine, self.sent = instance_id, engine, sent
        self.control_url, self.fence = control_url, fence or NoFence()
        self._expected = f"Bearer {token}".encode()
        self._webhook_prefix = f"/{engine.name}/webhook/"
        self._webhook_secret = webhook_secret
        self._routes: dict[tuple[str, str], Callable[[dict, bytes], Response]] = {
            ("GET", "/health"): self.health, ("GET", "/status"): self.status,
            ("GET", "/qr"): self.qr, ("POST", "/send"): self.send, ("POST", "/logout"): self.logout,
            ("POST", "/connect"): self.connect, ("POST", "/delete"): self.delete}

    def respond(self, method: str, target: str, authorization: str | None,
                body: bytes | None) -> Response:
        """The answer to one request (authentication first, then the route); body None: too large."""
        url = urlsplit(target)
        webhook = method == "POST" and url.path.startswith(self._webhook_prefix)
        if not (self._webhook_allowed(url.path) if webhook else
                hmac.compare_digest((authorization or "").encode(), self._expected)):
            return error_response("unauthorized", "missing or wrong worker token")
        if body is None:
            return error_response("invalid_input", f"body: must be at most {MAX_BODY} bytes")
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        if (method, url.path) not in READ_ONLY_ROUTES and not self.fence.valid():
            return error_response("unavailable", FENCE_LAPSED)
        try:
            if webhook:
                return json_response(self.engine.webhook(parse_object(body)))
            return self._route(method, url.path)(query, body)
        except ApiError as exc:
            return error_response(exc.code, exc.message)
        except EngineError as exc:
            return error_response(exc.code, str(exc))
        except Exception as exc:  # noqa: BLE001 - the worker must answer, not crash
            log(f"{method} {url.path} failed: {type(exc).__name__}")
            return error_response("internal_error", "the worker failed; see its log")

    def _webhook_allowed(self, path: str) -> bool:
        """True when the webhook path carries this worker's webhook secret."""
        if self._webhook_secret is None:
            return False
        given = path[len(self._webhook_prefix):]
        return hmac.compare_digest(given.encode(), self._webhook_secret.encode())

    def _route(self, method: str, path: str) -> Callable[[dict, bytes], Response]:
        """The handler of a route; not_found for anything else."""
        handler = self._routes.get((method, path))
        if handler is not None:
            return handler
        action = path[len("/engine/"):] if path.startswith("/engine/") else ""
        if method == "POST" and ACTION_NAME.match(action):
            return lambda query, body: self.engine_action(action, body)
        raise ApiError("not_found", f"no route {method} {path}")

    def health(self, query: dict, body: bytes) -> Response:
        """GET /health."""
        return json_response({"ok": True, "instance": self.instance_id, "engine": self.engine.name,
                              "state": self.engine.status()["state"]})

    def status(self, query: dict, body: bytes) -> Response:
        """GET /status."""
        status = self.engine.status()
        return json_response({"state": status["state"], "phone": status.get("phone"),
                              "reason": status.get("reason"), "until": status.get("until"),
                              "engine": self.engine.name, "label": self.engine.label})

    def qr(self, query: dict, body: bytes) -> Response:
        """GET /qr?format=json|png|svg."""
        fmt = query.get("format", "json")
        if fmt not in QR_FORMATS:
            raise invalid("format", "must be one of json, png, svg")
        code = self.engine.current_qr()
        if code is None:
            raise ApiError("not_found", "there is no QR code right now")
        if fmt == "json":
            return json_response({"code": code, "state": self.engine.status()["state"]})
        return render_qr(code, fmt)

    def send(self, query: dict, body: bytes) -> Response:
        """POST /send {message_id, phone, text, media?, reply_to?}: sent once per message id."""
        request = parse_object(body)
        message_id = required_text(request, "message_id", 200)
        phone = required_text(request, "phone", 32)
        media = _media_order(request.get("media"))
        text = (request.get("text") or "") if media else required_text(request, "text", 65536)
        if not isinstance(text, str) or len(text) > 65536:
            raise invalid("text", "must be a string of at most 65536 characters")
        reply_to = request.get("reply_to") if isinstance(request.get("reply_to"), dict) else None
        asked = request.get("typing_seconds")
        typing = min(float(asked), MAX_TYPING) if isinstance(asked, (int, float)) and asked > 0 else 0.0

        def send_now() -> dict:
            out = Outgoing(message_id, phone, text, reply_to=reply_to, typing_seconds=typing,
                           media=self._fetched(media) if media else None)
            try:
                result = {"message_id": message_id, "status": "sent", "error": None,
                          "provider_message_id": self.engine.send(out)}
            except SendFailed as exc:
                result = {"message_id": message_id, "provider_message_id": None, "status": "failed",
                          "error": str(exc)}
            # the control plane records the outcome from this event: its send route answers
            # without a second transaction, and a dispatcher's hand-over is confirmed the same way
            self.engine.emit("message.status", result)
            if result["status"] == "sent":
                self.engine.reported_sent(message_id, result["provider_message_id"])
            return result
        return json_response(self.sent.send_once(message_id, send_now))

    def _fetched(self, media: dict) -> MediaFile:
        """The file to send, fetched from the control plane (MediaUnavailable: retried later)."""
        return MediaFile(fetch(self.control_url, media["path"]), media["kind"], media["mime_type"],
                         media.get("filename"), bool(media.get("voice")))

    def logout(self, query: dict, body: bytes) -> Response:
        """POST /logout: unlink; a new QR follows."""
        self.engine.logout()
        return json_response({"state": "logged_out"})

    def connect(self, query: dict, body: bytes) -> Response:
        """POST /connect: when not connected, try again now (a fresh QR); the status."""
        self.engine.reconnect()
        return self.status(query, body)

    def delete(self, query: dict, body: bytes) -> Response:
        """POST /delete: the instance is being deleted; the engine unlinks the phone."""
        self.engine.delete()
        return json_response({"state": "deleted"})

    def engine_action(self, name: str, body: bytes) -> Response:
        """POST /engine/<name>: the engine's own action."""
        return json_response(self.engine.action(name, parse_object(body)))


class StartingApp:
    """What the worker answers while it waits for its lease (before its engine starts):
    /health and /status say "starting"; every other route 503 unavailable."""

    def __init__(self, instance_id: str, token: str, engine_name: str):
        self.instance_id, self.engine_name = instance_id, engine_name
        self._expected = f"Bearer {token}".encode()

    def respond(self, method: str, target: str, authorization: str | None,
                body: bytes | None) -> Response:
        """The answer to one request while starting."""
        if not hmac.compare_digest((authorization or "").encode(), self._expected):
            return error_response("unauthorized", "missing or wrong worker token")
        path = urlsplit(target).path
        if (method, path) == ("GET", "/health"):
            return json_response({"ok": True, "instance": self.instance_id,
                                  "engine": self.engine_name, "state": STARTING_STATE})
        if (method, path) == ("GET", "/status"):
            return json_response({"state": STARTING_STATE, "phone": None,
                                  "reason": "waiting for the lease on this instance", "until": None,
                                  "engine": self.engine_name, "label": self.engine_name})
        return error_response("unavailable", "the worker is starting: it waits for its lease "
                                             "on this instance")


class Responder(Protocol):
    """Anything that answers the worker's requests (WorkerApp, StartingApp)."""

    def respond(self, method: str, target: str, authorization: str | None,
                body: bytes | None) -> Response: ...


class SwitchableApp:
    """The app the server answers with, replaced once the worker is ready."""

    def __init__(self, app: Responder):
        self.current = app

    def respond(self, method: str, target: str, authorization: str | None,
                body: bytes | None) -> Response:
        """The current app's answer."""
        return self.current.respond(method, target, authorization, body)


def _media_order(value: object) -> dict | None:
    """The file of a /send: {path, kind, mime_type, filename?, voice?}, or None."""
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(value.get(f), str) and value[f]
                                              for f in ("path", "kind", "mime_type")):
        raise invalid("media", "must be an object with path, kind and mime_type")
    return value


def render_qr(code: str, fmt: str) -> Response:
    """The QR as a PNG or SVG image (segno is imported only when an image is asked for)."""
    import io

    import segno
    buffer = io.BytesIO()
    segno.make(code, error="m").save(buffer, kind=fmt, scale=6, border=4)
    content_type = "image/png" if fmt == "png" else "image/svg+xml"
    return 200, content_type, buffer.getvalue()


class WorkerServer(ThreadingHTTPServer):
    """A thread per connection; connections are kept alive (HTTP/1.1) so that the control plane
    reuses them instead of opening one per send."""

    daemon_threads = True
    request_queue_size = LISTEN_BACKLOG


def make_server(app: Responder, host: str, port: int) -> ThreadingHTTPServer:
    """A threading HTTP server answering with the app (not started)."""
    return WorkerServer((host, port), _handler_for(app))


def _handler_for(app: Responder) -> type[BaseHTTPRequestHandler]:
    """The request handler class bound to one app."""

    class Handler(BaseHTTPRequestHandler):
        server_version = "zapfleet-worker"
        sys_version = ""
        protocol_version = "HTTP/1.1"  # keep-alive: every answer carries its Content-Length
        timeout = IDLE_TIMEOUT
        # An answer is two writes (headers, body): on a kept-alive connection Nagle's algorithm
        # holds the body until the client's delayed ACK of the headers, 40 ms later.
        disable_nagle_algorithm = True

        def _answer(self) -> None:
            """Answer any method through the app."""
            body = self._body()
            status, content_type, payload = app.respond(
                self.command, self.path, self.headers.get("Authorization"), body)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(payload)))
            if body is None or self.headers.get("Transfer-Encoding"):
                self.send_header("Connection", "close")  # unread bytes are no next request
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # http.server's naming

        def _body(self) -> bytes | None:
            """The request body; None when it is too large (or its length is unreadable)."""
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                return None
            if not 0 <= length <= MAX_BODY:
                return None
            return self.rfile.read(length)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass  # requests are not logged: health checks would drown the state changes

    return Handler
