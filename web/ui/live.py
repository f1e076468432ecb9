"""The live stream's side in the pages: the token each signed-in page opens it with (rendered in
base.html, and fresh from /live/token.json when the stream reconnects)."""
from __future__ import annotations

from uuid import UUID

from flask import Blueprint, current_app, g, request, url_for

from web.ui.session import current_principal, current_user, login_required
from zapfleet.core.errors import NotFound
from zapfleet.live import tokens

bp = Blueprint("ui_live", __name__)


def stream_grant(account_id: UUID | None) -> tokens.Grant | None:
    """The signed-in user's grant for one account's events (None: every account, for the
    platform admin), or None when the user may not see them."""
    principal, user = current_principal(), current_user()
    if principal is None or user is None:
        return None
    if account_id is None and not principal.is_admin:
        account_id = principal.account_id
    if account_id is None and not principal.is_admin:
        return None
    if account_id is not None and not principal.can_reach(account_id):
        return None
    return tokens.Grant(user["id"], account_id, user["stamp"], request.host_url.rstrip("/"))


def stream_settings(account_id: UUID | None) -> dict | None:
    """What app.js needs to open the stream: the events URL (or its port on the page's host),
    a token, and where to get the next one."""
    grant = stream_grant(account_id)
    if grant is None:
        return None
    config = current_app.config["ZAPFLEET"]
    return {"url": config.events_url, "port": config.events_bind.rpartition(":")[2],
            "token": tokens.issue(config.secret_key, grant),
            "token_url": url_for("ui_live.token", account=str(account_id or ""))}


def live_stream() -> dict | None:
    """For base.html: the stream of the page's account (g.account), or the admin's of all."""
    account = g.get("account")
    return stream_settings(account["id"] if account else None)


@bp.get("/live/token.json")
@login_required
def token():
    """A fresh token for the stream of ?account= (empty: the admin's every account)."""
    try:
        account_id = UUID(request.args["account"]) if request.args.get("account") else None
    except ValueError:
        raise NotFound("page not found") from None
    settings = stream_settings(account_id)
    if settings is None:
        raise NotFound("page not found")
    return settings
