"""Sign-in, sign-out, sign-up, password change and the language switch."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _

from web.errors import STATUS_BY_CODE
from web.links import confirm_link, login_link
from web.managers import managers
from web.ui.i18n import LANGUAGES
from web.ui.messages import error_text, field_errors  # noqa: F401  (the views import both from here)
from web.ui.session import current_principal, current_user, login_required, sign_in, sign_out
from zapfleet.core.errors import ZapfleetError

bp = Blueprint("ui_auth", __name__)
LANGUAGE_COOKIE_SECONDS = 365 * 24 * 3600


def _safe_next(target: str | None) -> str | None:
    """Only a path on this site may follow the sign-in: never //host, a full URL, a backslash or a
    control character (browsers drop tabs and newlines from a URL: "/<tab>/evil.example" is
    //evil.example)."""
    if not target or any(ord(char) < 32 or 127 <= ord(char) < 160 or char == "\\" for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def home_url() -> str:
    """Where a signed-in user lands: the dashboard for the owner, the inbox for an agent, else
    their account."""
    principal = current_principal()
    if principal is None:
        return url_for("ui_auth.login")
    if principal.is_admin:
        return url_for("ui_dashboard.dashboard")
    if principal.role == "agent":
        return url_for("ui_inbox.inbox", account_id=principal.account_id)
    return url_for("ui_workspace.overview", account_id=principal.account_id)


def form_failed(template: str, exc: ZapfleetError, **context):
    """Show the form again with the error's message and the error's status."""
    return render_template(template, error=error_text(exc), form=request.form, **context), \
        STATUS_BY_CODE[exc.code]


@bp.get("/")
def index():
    """The home page: the sign-in page, or the user's own landing page."""
    return redirect(home_url())


@bp.route("/login", methods=["GET", "POST"])
def login():
    """The sign-in form; a good password starts a session."""
    if request.method == "GET":
        return render_template("ui/login.html", form={})
    form = request.form
    try:
        user = managers().logins.sign_in(form.get("email", ""), form.get("password", ""),
                                      request.remote_addr or "")
    except ZapfleetError as exc:
        return form_failed("ui/login.html", exc)
    if user is None:
        return render_template("ui/login.html", form=form,
                               error=_("Wrong e-mail or password.")), 401
    sign_in(user)
    return redirect(_safe_next(request.args.get("next")) or home_url())


@bp.post("/logout")
def logout():
    """End the session."""
    sign_out()
    return redirect(url_for("ui_auth.login"))


@bp.route("/signup", methods=["GET", "POST"])
def signup():
    """A business creates its account and its first user."""
    if request.method == "GET":
        return render_template("ui/signup.html", form={})
    data = {k: v for k, v in request.form.items() if k in ("name", "phone", "email", "password")}
    if not data.get("phone"):
        data.pop("phone", None)
    try:
        if managers().signups.by_email:
            managers().signups.request(data, confirm_link, login_link())
            return render_template("ui/signup_sent.html", email=data.get("email", ""))
        created = managers().accounts.register_customer(data, with_api_key=False)
    except ZapfleetError as exc:
        return form_failed("ui/signup.html", exc)
    sign_in(created["user"])
    flash(_("Welcome! Your account is ready: connect your WhatsApp to start."), "success")
    return redirect(home_url())


@bp.route("/signup/confirm/<token>", methods=["GET", "POST"])
def confirm_signup(token: str):
    """The e-mail's link: the password chosen at sign-up creates the account and signs in."""
    try:
        if request.method == "GET":
            managers().signups.check(token)
            return render_template("ui/signup_confirm.html", form={})
        created = managers().signups.confirm(token, request.form.get("password", ""))
    except ZapfleetError as exc:
        return form_failed("ui/signup_confirm.html", exc)
    sign_in(created["user"])
    flash(_("Welcome! Your account is ready: connect your WhatsApp to start."), "success")
    return redirect(home_url())


@bp.route("/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (other sessions of this user end)."""
    if request.method == "GET":
        return render_template("ui/password.html", form={})
    user = current_user()
    try:
        managers().identity.change_password(user["id"], request.form.get("old_password", ""),
                                         request.form.get("new_password", ""))
    except ZapfleetError as exc:
        return form_failed("ui/password.html", exc)
    sign_in(user)
    flash(_("Your password was changed."), "success")
    return redirect(home_url())


@bp.post("/language")
def language():
    """Switch the pages' language; remembered in a cookie."""
    lang = request.form.get("lang", "")
    response = redirect(_safe_next(request.form.get("next")) or home_url())
    if lang in LANGUAGES:
        session["lang"] = lang
        response.set_cookie("lang", lang, max_age=LANGUAGE_COOKIE_SECONDS, samesite="Lax")
    return response
