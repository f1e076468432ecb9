"""Rate limits (Flask-Limiter): sign-ups and sign-ins per client address, sends per account.
Each app has its own limiter; the counts live in RATELIMIT_STORAGE_URI (memory by default, so
per web process: with gunicorn's 2 workers a limit holds up to twice over)."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from flask import Flask, Response, current_app, request
from flask_limiter import Limiter

from zapfleet.config import Config


def client_address() -> str:
    """The caller's address (behind TRUSTED_PROXIES, the one they forwarded)."""
    return request.remote_addr or "unknown"


def calling_account() -> str:
    """The account a send is for."""
    return str((request.view_args or {}).get("account_id", ""))


def _setting(name: str) -> Callable[[], str]:
    return lambda: getattr(current_app.config["ZAPFLEET"], name)


def every_answer(response: Response) -> bool:
    """Every attempt counts (sign-ups and sign-ins, where guessing is the threat)."""
    return True


def accepted(response: Response) -> bool:
    """Only what was accepted counts, so calls without the account's key cannot use up its sends."""
    return response.status_code < 400


# endpoint → (the Config field holding its limit, what it is counted per, which answers count)
LIMITS: dict[str, tuple[str, Callable[[], str], Callable[[Response], bool]]] = {
    "register.register": ("signup_rate_limit", client_address, every_answer),
    "ui_auth.signup": ("signup_rate_limit", client_address, every_answer),
    "ui_auth.login": ("login_rate_limit", client_address, every_answer),
    "whatsapp.send": ("send_rate_limit", calling_account, accepted),
}


def install_limits(app: Flask, config: Config) -> Limiter:
    """Give the app its limiter and put each limit on its view; a breach is a 429 with
    Retry-After (web/errors.py gives it the one error shape)."""
    limiter = Limiter(client_address, app=app, storage_uri=config.ratelimit_storage_uri,
                      headers_enabled=True, enabled=config.rate_limits)
    for endpoint, (setting, per, counted) in LIMITS.items():
        view = app.view_functions[endpoint]
        limited = limiter.limit(_setting(setting), key_func=per, methods=["POST"],
                                deduct_when=counted)(view)
        app.view_functions[endpoint] = cast(Callable[..., Any], limited)  # its stub allows async views
    return limiter
