"""Services: what customers book (name, duration, price, active), managed beside the appointments."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from uuid import UUID

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.managers import managers
from web.ui.auth import form_failed
from web.ui.contacts import field_errors
from web.ui.session import account_page
from zapfleet.core.errors import InvalidInput, ZapfleetError

bp = Blueprint("ui_services", __name__)
BASE = "/a/<uuid:account_id>/services"


def price_cents(text: str) -> int | None:
    """A price typed the Brazilian way ("45", "45,00", "R$ 1.234,56") in cents; None when empty."""
    text = re.sub(r"(?i)r\$|\s", "", text or "")
    if not text:
        return None
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise InvalidInput("price", "must be an amount such as 45,00") from None
    if value < 0 or value != value.quantize(Decimal("0.01")):
        raise InvalidInput("price", "must be an amount such as 45,00")
    return int(value * 100)


def price_text(cents: int | None) -> str:
    """Cents as the price field shows them ("45,00"); "" for no price."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"


def posted_service() -> dict:
    """The service form as the AppointmentBook takes it."""
    form = request.form
    minutes = form.get("duration_minutes", "").strip()
    if not minutes.isdigit():
        raise InvalidInput("duration_minutes", "must be a whole number of minutes")
    return {"name": form.get("name", ""), "duration_minutes": int(minutes),
            "price_cents": price_cents(form.get("price", "")), "active": "active" in form}


def _errors(exc: ZapfleetError) -> dict:
    errors = field_errors(exc)
    if "price_cents" in errors:
        errors["price"] = errors.pop("price_cents")
    return errors


def _page(account_id: UUID, exc: ZapfleetError | None = None, failed: str | None = None):
    context = {"services": managers().catalog.list_services(account_id),
               "price_text": price_text, "failed": failed, "field_errors": {}}
    if exc is None:
        return render_template("ui/services.html", form={}, **context)
    return form_failed("ui/services.html", exc, **{**context, "field_errors": _errors(exc)})


@bp.get(BASE)
@account_page
def services(account_id):
    """The services and a form to add one."""
    return _page(account_id)


@bp.post(BASE)
@account_page
def create(account_id):
    """Add a service."""
    try:
        service = managers().catalog.create_service(account_id, posted_service())
    except ZapfleetError as exc:
        return _page(account_id, exc, "new")
    flash(_("The service %(name)s was added.", name=service["name"]), "success")
    return redirect(url_for("ui_services.services", account_id=account_id))


@bp.post(BASE + "/<uuid:service_id>")
@account_page
def update(account_id, service_id: UUID):
    """Change a service (booked appointments keep their times)."""
    managers().catalog.get_service(account_id, service_id)  # another account's: 404
    try:
        managers().catalog.update_service(account_id, service_id, posted_service())
    except ZapfleetError as exc:
        return _page(account_id, exc, str(service_id))
    flash(_("The service was saved."), "success")
    return redirect(url_for("ui_services.services", account_id=account_id))


@bp.post(BASE + "/order")
@account_page
def reorder(account_id):
    """The new order after a drag ({ids} as JSON, like PUT /api/…/services/order)."""
    services = managers().catalog.reorder_services(account_id, request.get_json(silent=True) or {})
    return {"ids": [str(s["id"]) for s in services]}


@bp.post(BASE + "/<uuid:service_id>/move")
@account_page
def move(account_id, service_id: UUID):
    """Move a service one place up or down (the buttons beside the drag handle)."""
    step = -1 if request.form.get("direction") == "up" else 1
    services = managers().catalog.move_service(account_id, service_id, step)
    if request.accept_mimetypes.best == "application/json":
        return {"ids": [str(s["id"]) for s in services]}
    flash(_("The order was saved."), "success")
    return redirect(url_for("ui_services.services", account_id=account_id, _anchor=f"s-{service_id}"))


@bp.post(BASE + "/<uuid:service_id>/delete")
@account_page
def delete(account_id, service_id: UUID):
    """Delete a service; its appointments keep its name."""
    managers().catalog.delete_service(account_id, service_id)
    flash(_("The service was deleted."), "success")
    return redirect(url_for("ui_services.services", account_id=account_id))
