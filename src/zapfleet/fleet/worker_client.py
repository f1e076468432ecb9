"""HTTP calls to one worker (workers/README.md), with its bearer token and short timeouts, over
kept-alive connections that a process's threads share."""
from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import urllib3
from urllib3.exceptions import HTTPError, NewConnectionError
from urllib3.exceptions import TimeoutError as HTTPTimeout

from zapfleet.core.errors import Conflict, InvalidInput, NotFound, Unavailable

CONNECT_TIMEOUT = 2.0
READ_TIMEOUT = 10.0
MEDIA_READ_TIMEOUT = 90.0
"""A send with a file: the worker fetches it from the control plane and uploads it to WhatsApp."""
ACTION_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,40}$")
QR_FORMATS = ("json", "png", "svg")
POLL_INTERVAL = 0.2
SETTLED_STATES = ("connected", "disconnected", "banned")
"""What a worker reports when there is no QR to wait for: linked, or the reason it cannot be."""
CONNECTIONS_PER_WORKER = 8
"""Idle connections kept open to each worker (more are opened under load, then closed)."""
WORKERS_KEPT = 512
"""Workers whose connections are kept; the least recently used beyond that are closed."""


def worker_connections() -> urllib3.PoolManager:
    """A thread-safe pool of kept-alive connections to workers, one per process. Never through a
    proxy, never retried here: a send that fails stays queued for the dispatcher."""
    return urllib3.PoolManager(num_pools=WORKERS_KEPT, maxsize=CONNECTIONS_PER_WORKER,
                               retries=False)


def _worker_message(response: urllib3.BaseHTTPResponse) -> str:
    """The message of a worker's error body, or its HTTP status."""
    try:
        error = response.json().get("error") or {}
        message = error.get("message") if isinstance(error, dict) else None
    except (ValueError, AttributeError):
        message = None
    return str(message)[:500] if message else f"the worker answered HTTP {response.status}"


def _raise_for(response: urllib3.BaseHTTPResponse) -> None:
    """Turn a worker's error answer into the matching domain error."""
    if response.status < 400:
        return
    message = _worker_message(response)
    if response.status == 400:
        raise InvalidInput("worker", message)
    if response.status == 404:
        raise NotFound(message)
    if response.status == 409:
        raise Conflict(message)
    if response.status in (401, 403):
        raise Unavailable("the WhatsApp worker rejected the control plane's credentials")
    raise Unavailable("the WhatsApp worker failed: %(reason)s", reason=message)


class WorkerClient:
    """One worker's HTTP API; every call raises Unavailable when the worker cannot be reached."""

    def __init__(self, host: str, port: int, token: str,
                 timeout: tuple[float, float] = (CONNECT_TIMEOUT, READ_TIMEOUT),
                 connections: urllib3.PoolManager | None = None):
        self.base_url = f"http://{host}:{port}"
        self._headers = {"Authorization": f"Bearer {token}"}
        self.timeout = urllib3.Timeout(connect=timeout[0], read=timeout[1])
        self._connections = connections or worker_connections()

    def __repr__(self) -> str:
        return f"WorkerClient({self.base_url!r})"

    def _request(self, method: str, path: str, **kwargs: Any) -> urllib3.BaseHTTPResponse:
        """One request; connection failures and timeouts become Unavailable."""
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self._connections.request(method, self.base_url + path, headers=self._headers,
                                                 **kwargs)
        except NewConnectionError:
            raise Unavailable("the WhatsApp worker is not running or not reachable") from None
        except HTTPTimeout:
            raise Unavailable("the WhatsApp worker did not answer in time") from None
        except HTTPError:
            raise Unavailable("the WhatsApp worker is not running or not reachable") from None
        _raise_for(response)
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> dict:
        """A request whose answer is a JSON object."""
        response = self._request(method, path, **kwargs)
        try:
            body = response.json()
        except ValueError:
            raise Unavailable("the WhatsApp worker answered something that is not JSON") from None
        if not isinstance(body, dict):
            raise Unavailable("the WhatsApp worker answered something that is not an object")
        return body

    def health(self) -> dict:
        """GET /health: {ok, instance, engine, state}."""
        return self._json("GET", "/health")

    def status(self) -> dict:
        """GET /status: {state, phone, reason, engine, label}."""
        return self._json("GET", "/status")

    def qr(self, fmt: str = "json") -> tuple[str, bytes]:
        """GET /qr?format=: (content type, body); NotFound when there is no QR right now."""
        if fmt not in QR_FORMATS:
            raise InvalidInput("format", "must be one of json, png, svg")
        response = self._request("GET", "/qr", fields={"format": fmt})
        return response.headers.get("Content-Type", "application/octet-stream"), response.data

    def qr_code(self) -> str | None:
        """The current QR's text, or None when there is none."""
        try:
            return self._json("GET", "/qr", fields={"format": "json"}).get("code")
        except NotFound:
            return None

    def send(self, message_id: str, phone: str, text: str, extra: dict | None = None) -> dict:
        """POST /send: {message_id, provider_message_id, status}; extra carries a file to send
        ("media") and the message it quotes ("reply_to")."""
        payload = {"message_id": message_id, "phone": phone, "text": text, **(extra or {})}
        if payload.get("media"):
            timeout = urllib3.Timeout(connect=self.timeout.connect_timeout, read=MEDIA_READ_TIMEOUT)
            return self._json("POST", "/send", json=payload, timeout=timeout)
        return self._json("POST", "/send", json=payload)

    def logout(self) -> dict:
        """POST /logout: {state: logged_out}."""
        return self._json("POST", "/logout", json={})

    def reconnect(self) -> dict:
        """POST /connect: when not connected, the worker tries again now; its status."""
        return self._json("POST", "/connect", json={})

    def delete(self) -> dict:
        """POST /delete: the instance is being deleted; the worker unlinks the phone."""
        return self._json("POST", "/delete", json={})

    def action(self, name: str, payload: dict[str, Any]) -> dict:
        """POST /engine/<name>: an engine-specific action."""
        if not ACTION_NAME.match(name or ""):
            raise InvalidInput("action", "must be a lowercase action name")
        return self._json("POST", f"/engine/{name}", json=payload)


def await_worker(client: WorkerClient, clock: Callable[[], float], sleep: Callable[[float], None],
                 timeout: float) -> tuple[str | None, str | None]:
    """Poll a starting worker until it is connected, has a QR, or says why it cannot connect
    (disconnected, banned), for at most timeout; (state, qr code), the state None when the
    worker never told it."""
    answered, deadline = None, clock() + timeout
    while True:
        state, code = _probe(client)
        if state in SETTLED_STATES or code:
            return state, code
        answered = state or answered
        if clock() >= deadline:
            break
        sleep(POLL_INTERVAL)
    if answered is None:
        raise Unavailable("the WhatsApp worker did not start in time; try again")
    return answered, None


def await_answer(client: WorkerClient, clock: Callable[[], float], sleep: Callable[[float], None],
                 timeout: float) -> None:
    """Poll a starting worker until it answers at all, for at most timeout; Unavailable after."""
    deadline = clock() + timeout
    while _probe(client)[0] is None:
        if clock() >= deadline:
            raise Unavailable("the WhatsApp worker did not start in time; try again")
        sleep(POLL_INTERVAL)


def _probe(client: WorkerClient) -> tuple[str | None, str | None]:
    """The worker's state and QR code; (None, None) while it does not answer."""
    try:
        state = client.status().get("state")
        return state, None if state == "connected" else client.qr_code()
    except Unavailable:
        return None, None
