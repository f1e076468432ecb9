"""Every error becomes {"error": {"code", "message"}} with its HTTP status (in English), or a page
for browsers in the page's language."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
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


def error_response(code: str, message: str, page_message: str | None = None):
    """The one error shape, with the status that belongs to the code; for browsers a page in their
    language, showing page_message (else the status's own explanation)."""
    status = STATUS_BY_CODE[code]
    if wants_page():
        try:
            return render_template("ui/error.html", status=status, message=page_message), status
        except Exception:  # e.g. the database is down: the page's header cannot load the user
            return _plain_page(status, page_message)
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    if code == "unauthorized":
        response.headers["WWW-Authenticate"] = 'Bearer realm="zapfleet"'
    return response


def _plain_page(status: int, message: str | None):
    try:
        text = message or (gettext("Something went wrong") if status >= 500 else gettext("This did not work"))
    except Exception:  # no catalogue reachable either
        text = message or "Erro"
    return text, status, {"Content-Type": "text/plain; charset=utf-8"}


def _domain_error(exc: ZapfleetError):
    if not wants_page():
        return error_response(exc.code, exc.message)
    from web.ui.messages import error_text

    return error_response(exc.code, exc.message, error_text(exc))


def _http_error(exc: HTTPException):
    code = CODE_BY_STATUS.get(exc.code or 500, "invalid_input" if (exc.code or 500) < 500 else "internal_error")
    if not wants_page():
        return error_response(code, exc.description or exc.name)
    return error_response(code, exc.description or exc.name, _http_page_message(exc))


def _http_page_message(exc: HTTPException) -> str | None:
    """What a page says about a Werkzeug error (its own description is English)."""
    if isinstance(exc, CSRFError):
        return gettext("The form expired: go back, reload the page and send it again.")
    if exc.code == 413:
        return gettext("The file is too large.")
    return None


def _unexpected(exc: Exception):
    from flask import current_app

    current_app.logger.exception("unhandled error")
    return error_response("internal_error", "something went wrong on our side")


def register(app: Flask) -> None:
    """Install the error handlers on the app."""
    app.register_error_handler(ZapfleetError, _domain_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _unexpected)
