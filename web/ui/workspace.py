"""An account's home: its WhatsApp connection, with the QR code and live status."""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from uuid import UUID

from flask import Blueprint, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from web.errors import STATUS_BY_CODE
from web.managers import managers
from web.ui.auth import error_text, field_errors
from web.ui.charts import metric_charts
from web.ui.session import account_page
from web.ui.threads import phone_label, stamp
from zapfleet.core.errors import ZapfleetError
from zapfleet.core.vocabulary import PROBLEM_STATUSES
from zapfleet.fleet.engines import PAIRING_ENGINES, chosen_engine, engine_list

bp = Blueprint("ui_workspace", __name__)
STATUS_LABELS = {
    "none": _l("not connected"), "starting": _l("starting"), "connecting": _l("connecting"),
    "waiting_qr": _l("waiting for the QR scan"), "connected": _l("connected"),
    "disconnected": _l("disconnected"), "logged_out": _l("logged out"),
    "stopped": _l("stopped"), "error": _l("error"), "banned": _l("temporarily banned"),
}
ENGINE_LABELS = {"sandbox": _l("Sandbox: a test phone, no real WhatsApp"),
                 "neonize": _l("WhatsApp on your phone (QR code or pairing code)"),
                 "evolution": _l("Your Evolution API server")}
ERROR_STATES = PROBLEM_STATUSES


def connection(instance: dict | None) -> dict:
    """What the page shows of the account's instance (also its live .json)."""
    if instance is None:
        return {"exists": False, "status": "none", "status_label": str(STATUS_LABELS["none"]),
                "sandbox": False, "phone": "", "qr_version": None, "qr_link": None, "error": None,
                "show_error": False, "until": None, "engine": None, "pairing": False}
    status, code, engine = instance["status"], instance["qr_code"], instance["engine"]
    show_qr = bool(code) and status != "connected"
    return {"exists": True, "status": status,
            "status_label": str(STATUS_LABELS.get(status, status)), "sandbox": engine == "sandbox",
            "phone": phone_label(instance["phone"]), "error": instance["last_error"],
            "show_error": bool(instance["last_error"]) and status in ERROR_STATES,
            "until": stamp(instance.get("banned_until")) if status == "banned" else None,
            "qr_version": hashlib.sha256(code.encode()).hexdigest()[:16] if show_qr else None,
            "qr_link": code if show_qr and engine == "sandbox" else None, "engine": engine,
            "pairing": engine in PAIRING_ENGINES and show_qr}


def engine_choices(wa: dict) -> dict:
    """The engines this installation can run, and the one the Connect button uses."""
    config = current_app.config["ZAPFLEET"]
    engines = [dict(e, label=str(ENGINE_LABELS.get(e["name"], e["label"])))
               for e in engine_list(config, managers().evolution_servers) if e["available"]]
    return {"engines": engines, "current_engine": wa["engine"] or config.default_engine}


def page(account_id: UUID, template: str = "ui/workspace.html", status: int = 200, **shown):
    """The workspace with the connection, the engine choice and anything else to show."""
    wa = account_connection(account_id)
    charts = metric_charts(managers().metrics.for_account(account_id, {}))
    return render_template(template, wa=wa, charts=charts, **engine_choices(wa), **shown), status


def account_connection(account_id: UUID) -> dict:
    """The account's connection, read from its instance row (kept current by worker events)."""
    return connection(managers().instances.find(account_id))


@bp.get("/a/<uuid:account_id>/")
@account_page
def overview(account_id):
    """The WhatsApp connection: status, QR, Connect/Reconnect and Logout."""
    return page(account_id)


@bp.get("/a/<uuid:account_id>/whatsapp.json")
@account_page
def status_json(account_id):
    """The live status the page polls: badge, phone, which QR to show."""
    return account_connection(account_id)


@bp.get("/a/<uuid:account_id>/whatsapp/qr.png")
@account_page
def qr_png(account_id):
    """The worker's current QR code as an image."""
    content_type, body = managers().instances.qr(account_id, "png")
    return Response(body, content_type=content_type, headers={"Cache-Control": "no-store"})


@bp.post("/a/<uuid:account_id>/whatsapp/connect")
@account_page
def connect(account_id):
    """Create the account's instance or reconnect it (on the chosen engine); then the QR."""
    try:
        engine = chosen_engine({"engine": request.form.get("engine") or None},
                               current_app.config["ZAPFLEET"])
        result = managers().instances.connect(account_id, engine)
    except ZapfleetError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("ui_workspace.overview", account_id=account_id))
    if result["already_connected"]:
        flash(_("Your WhatsApp is connected."), "success")
    else:
        flash(_("Scan the QR code with WhatsApp on your phone to link it."), "success")
    return redirect(url_for("ui_workspace.overview", account_id=account_id))


def act_and_return(account_id: UUID, act: Callable[[UUID], object], done: str):
    """Run one action on the account's WhatsApp, flash its outcome and go back to the workspace."""
    try:
        act(account_id)
    except ZapfleetError as exc:
        flash(error_text(exc), "error")
    else:
        flash(done, "success")
    return redirect(url_for("ui_workspace.overview", account_id=account_id))


@bp.post("/a/<uuid:account_id>/whatsapp/start")
@account_page
def start(account_id):
    """Start a stopped instance again, with its session (no new QR when the phone is linked)."""
    return act_and_return(account_id, managers().instances.start,
                          _("Your WhatsApp is starting. This page changes by itself once it is up."))


@bp.post("/a/<uuid:account_id>/whatsapp/logout")
@account_page
def logout(account_id):
    """Unlink the phone from the account (a new QR code follows)."""
    return act_and_return(account_id, managers().instances.logout,
                          _("The phone was unlinked. Scan the new QR code to link a phone again."))


@bp.post("/a/<uuid:account_id>/whatsapp/pair")
@account_page
def pair(account_id):
    """A pairing code to type on the phone instead of scanning the QR code."""
    try:
        code = managers().instances.pairing_code(account_id, request.form.get("phone", ""))
    except ZapfleetError as exc:
        return page(account_id, status=STATUS_BY_CODE[exc.code], error=error_text(exc),
                    form=request.form, field_errors=field_errors(exc))
    return page(account_id, pairing=code)
