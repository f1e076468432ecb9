"""Links that leave the site (in e-mails): always on PUBLIC_URL, never on the request's Host
header, which a caller chooses."""
from flask import current_app, url_for


def login_link() -> str:
    """The sign-in page."""
    return current_app.config["ZAPFLEET"].public_url + url_for("ui_auth.login")


def confirm_link(token: str) -> str:
    """The page a sign-up's e-mail links to."""
    return current_app.config["ZAPFLEET"].public_url + url_for("ui_auth.confirm_signup", token=token)
