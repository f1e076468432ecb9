"""The events process: GET /events?token=… is a server-sent-events stream of one account's
events (every account's for the platform admin); one coroutine per open stream, no thread."""
from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from aiohttp import web

from zapfleet.core.errors import ZapfleetError
from zapfleet.live import tokens
from zapfleet.live.hub import Hub, Stream
from zapfleet.live.listener import Listener

log = logging.getLogger("zapfleet.events")
HEARTBEAT_SECONDS = 15.0
RETRY_MS = 3000
HUB: web.AppKey[Hub] = web.AppKey("hub", Hub)
LISTENER: web.AppKey[Listener] = web.AppKey("listener", Listener)


def error(status: int, code: str, message: str, origin: str | None = None) -> web.Response:
    """The one error shape, {"error": {"code", "message"}}."""
    headers = {"Access-Control-Allow-Origin": origin, "Vary": "Origin"} if origin else {}
    return web.json_response({"error": {"code": code, "message": message}}, status=status,
                             headers=headers)


def sse(event: dict[str, Any]) -> bytes:
    """One event as the text/event-stream format writes it (named by its kind)."""
    return f"event: {event['kind']}\ndata: {json.dumps(event, separators=(',', ':'))}\n\n".encode()


def build_app(secret: str, listen_dsn: str, may_watch: Callable[[tokens.Grant], bool],
              heartbeat: float = HEARTBEAT_SECONDS) -> web.Application:
    """The events app: its hub, its LISTEN connection (started with the app) and its routes;
    may_watch re-checks a token's grant against the database (run in a thread)."""
    app = web.Application()
    app[HUB] = Hub()
    app[LISTENER] = Listener(listen_dsn, app[HUB])

    async def stream(request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        try:
            grant = tokens.read(secret, request.query.get("token", ""))
        except ZapfleetError as exc:
            return error(401, "unauthorized", exc.message, origin)
        allowed = grant.origin if origin == grant.origin else None
        if not app[LISTENER].connected.is_set():
            return error(503, "unavailable", "the live stream is not available now", allowed)
        try:
            permitted = await asyncio.get_running_loop().run_in_executor(None, may_watch, grant)
        except Exception:  # noqa: BLE001 - the database is away: the page polls meanwhile
            log.exception("cannot check a stream's token")
            return error(503, "unavailable", "the live stream is not available now", allowed)
        if not permitted:
            return error(401, "unauthorized", "the live stream's token is no longer valid", allowed)
        return await _serve(request, app[HUB], Stream(grant.account_id), allowed, heartbeat)

    async def health(_request: web.Request) -> web.Response:
        ok = app[LISTENER].connected.is_set()
        return web.json_response({"listening": ok, "streams": len(app[HUB])},
                                 status=200 if ok else 503)

    app.router.add_get("/events", stream)
    app.router.add_get("/healthz", health)
    app.cleanup_ctx.append(_listening)
    return app


async def _listening(app: web.Application) -> AsyncIterator[None]:
    task = asyncio.create_task(app[LISTENER].run())
    yield
    task.cancel()
    app[HUB].end_all()
    try:
        await task
    except asyncio.CancelledError:
        pass


async def _serve(request: web.Request, hub: Hub, stream: Stream, origin: str | None,
                 heartbeat: float) -> web.StreamResponse:
    headers = {"Content-Type": "text/event-stream", "Cache-Control": "no-cache, no-transform",
               "X-Accel-Buffering": "no"}
    if origin:
        headers.update({"Access-Control-Allow-Origin": origin, "Vary": "Origin"})
    response = web.StreamResponse(headers=headers)
    hub.add(stream)
    try:
        await response.prepare(request)
        await response.write(f"retry: {RETRY_MS}\n: connected\n\n".encode())
        while True:
            try:
                event = await asyncio.wait_for(stream.queue.get(), heartbeat)
            except TimeoutError:
                await response.write(b": heartbeat\n\n")
                continue
            if event is None:
                break
            await response.write(sse(event))
    except (ConnectionResetError, ConnectionError):
        pass
    finally:
        hub.remove(stream)
    return response
