"""Every error becomes {"error": {"code", "message"}} with its HTTP status, or a page for browsers."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from zapfleet.core.errors import ZapfleetError

STATUS_BY_CODE = {
    "invalid_input": 400,
    "unauthorized": 401,
    "forbidden": 403,
    "account_suspended": 403,
    "plan_limit": 403,
    "not_found": 404,
    "method_not_allowed": 405,
    "conflict": 409,
    "payload_too_large": 413,
    "unsupported_media_type": 415,
    "rate_limited": 429,
    "internal_error": 500,
    "unavailable": 503,
}
CODE_BY_STATUS = {status: code for code, status in reversed(STATUS_BY_CODE.items())}
"""The general code of each status (403 → forbidden): the first listed for it."""


MACHINE_PATHS = ("/api/", "/internal/", "/healthz", "/media/")


def wants_page() -> bool:
    """True for a browser's page request; API, worker and polling calls get JSON."""
    path = request.path
    return not (path.startswith(MACHINE_PATHS) or path.endswith(".json")
                or request.accept_mimetypes.best == "application/json")


def error_response(code: str, message: str):
    """The one error shape, with the status that belongs to the code (a page for browsers)."""
    status = STATUS_BY_CODE[code]
    if wants_page():
        try:
            return render_template("ui/error.html", status=status, message=message), status
        except Exception:  # e.g. the database is down: the page's header cannot load the user
            return message, status, {"Content-Type": "text/plain; charset=utf-8"}
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if code == "unauthorized":
        response.headers["WWW-Authenticate"] = 'Bearer realm="zapfleet"'
    return response


def _domain_error(exc: ZapfleetError):
    return error_response(exc.code, exc.message)


def _http_error(exc: HTTPException):
    code = CODE_BY_STATUS.get(exc.code or 500, "invalid_input" if (exc.code or 500) < 500 else "internal_error")
    return error_response(code, exc.description or exc.name)


def _unexpected(exc: Exception):
    from flask import current_app

    current_app.logger.exception("unhandled error")
    return error_response("internal_error", "something went wrong on our side")


def register(app: Flask) -> None:
    """Install the error handlers on the app."""
    app.register_error_handler(ZapfleetError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
