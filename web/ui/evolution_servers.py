"""The owner's Evolution API servers: usage at a glance, add, change, delete."""
from __future__ import annotations

from typing import Any
from uuid import UUID

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from web.managers import managers
from web.ui.auth import error_text, field_errors, form_failed
from web.ui.session import admin_required
from zapfleet.core.errors import ZapfleetError

bp = Blueprint("ui_evolution_servers", __name__)
BASE = "/admin/evolution-servers"
TEXT_FIELDS = ("name", "url", "webhook_base")


def whole(value: str) -> int | str:
    """A form's number as an int when it is one (else as typed, for the error to name it)."""
    value = value.strip()
    return int(value) if value.isdigit() else value


def posted_server(creating: bool) -> dict:
    """The server form's fields; an empty key on a change keeps the stored one."""
    form = request.form
    data: dict[str, Any] = {name: form.get(name, "").strip() for name in TEXT_FIELDS}
    data["webhook_base"] = data["webhook_base"] or None
    data.update(capacity=whole(form.get("capacity", "")), priority=whole(form.get("priority", "")),
                active="active" in form)
    if creating or form.get("api_key", "").strip():
        data["api_key"] = form.get("api_key", "").strip()
    return data


def _failed(exc: ZapfleetError, form_name: str):
    return form_failed("ui/evolution_servers.html", exc, failed=form_name,
                       field_errors=field_errors(exc), **managers().evolution_servers.list())


@bp.get(BASE)
@admin_required
def servers():
    """Every server with its usage, the totals, the environment's server, and the add form."""
    return render_template("ui/evolution_servers.html", form={}, **managers().evolution_servers.list())


@bp.post(BASE)
@admin_required
def create():
    """Add a server."""
    try:
        server = managers().evolution_servers.create(posted_server(creating=True))
    except ZapfleetError as exc:
        return _failed(exc, "add")
    flash(_("The server %(name)s was added.", name=server["name"]), "success")
    return redirect(url_for("ui_evolution_servers.servers"))


@bp.post(BASE + "/<uuid:server_id>")
@admin_required
def update(server_id: UUID):
    """Change a server (its workers follow within 30 seconds)."""
    try:
        server = managers().evolution_servers.update(server_id, posted_server(creating=False))
    except ZapfleetError as exc:
        return _failed(exc, str(server_id))
    flash(_("The server %(name)s was saved; its workers follow within 30 seconds.",
            name=server["name"]), "success")
    return redirect(url_for("ui_evolution_servers.servers", _anchor=f"server-{server_id}"))


@bp.post(BASE + "/<uuid:server_id>/delete")
@admin_required
def delete(server_id: UUID):
    """Delete a server that serves no instance."""
    try:
        managers().evolution_servers.delete(server_id)
    except ZapfleetError as exc:
        flash(error_text(exc), "error")
    else:
        flash(_("The server was deleted."), "success")
    return redirect(url_for("ui_evolution_servers.servers"))
