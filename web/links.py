"""Links that leave the site (in e-mails): always on PUBLIC_URL, never on the request's Host
header, which a caller chooses."""
from flask import current_app, request, url_for


def login_link() -> str:
    """The sign-in page."""
    return current_app.config["ZAPFLEET"].public_url + url_for("ui_auth.login")


def confirm_link(token: str) -> str:
    """The page a sign-up's e-mail links to."""
    return current_app.config["ZAPFLEET"].public_url + url_for("ui_auth.confirm_signup", token=token)


def invitation_link(token: str) -> str:
    """The page an invitation's link opens (on PUBLIC_URL; the request's own address when
    PUBLIC_URL is not set, for the link shown to the inviter)."""
    base = current_app.config["ZAPFLEET"].public_url or request.host_url
    return base.rstrip("/") + url_for("ui_team.accept", token=token)
