"""The owner's nodes (the machines that run the workers): health and usage at a glance, capacity
and priority, activate or deactivate, drain or stop draining."""
from __future__ import annotations

import re
from uuid import UUID

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from web.managers import managers
from web.ui.auth import error_text, field_errors, form_failed
from web.ui.session import admin_required
from zapfleet.core.errors import ZapfleetError

bp = Blueprint("ui_nodes", __name__)
BASE = "/admin/nodes"
SWITCHES = {"activate": {"active": True}, "deactivate": {"active": False},
            "drain": {"drain": True}, "undrain": {"drain": False}}


def whole(value: str) -> int | str:
    """A form's number as an int when it is one, negative too (else as typed, for the error to
    name it)."""
    value = value.strip()
    return int(value) if re.fullmatch(r"-?[0-9]{1,6}", value) else value


def _back(node_id: UUID) -> WerkzeugResponse:
    """Back to the page, at the node's card."""
    return redirect(url_for("ui_nodes.nodes", _anchor=f"node-{node_id}"))


@bp.get(BASE)
@admin_required
def nodes():
    """Every node with its health and usage, the totals, and the forms to change them."""
    return render_template("ui/nodes.html", form={}, **managers().nodes.list())


@bp.post(BASE + "/<uuid:node_id>")
@admin_required
def update(node_id: UUID):
    """Change a node's capacity and priority."""
    data = {"capacity": whole(request.form.get("capacity", "")),
            "priority": whole(request.form.get("priority", ""))}
    try:
        node = managers().nodes.update(node_id, data)
    except ZapfleetError as exc:
        return form_failed("ui/nodes.html", exc, failed=str(node_id), field_errors=field_errors(exc),
                           **managers().nodes.list())
    flash(_("The node %(name)s was saved.", name=node["name"]), "success")
    return _back(node_id)


@bp.post(BASE + "/<uuid:node_id>/<any(%s):switch>" % ", ".join(map(repr, SWITCHES)))
@admin_required
def toggle(node_id: UUID, switch: str):
    """Activate or deactivate a node; drain it or stop draining it."""
    try:
        node = managers().nodes.update(node_id, SWITCHES[switch])
    except ZapfleetError as exc:
        flash(error_text(exc), "error")
        return redirect(url_for("ui_nodes.nodes"))
    flash({"activate": _("The node %(name)s gets new WhatsApp numbers again.", name=node["name"]),
           "deactivate": _("The node %(name)s keeps its WhatsApp numbers but gets no new one.",
                           name=node["name"]),
           "drain": _("The node %(name)s is draining: its WhatsApp numbers move to other nodes, "
                      "one at a time.", name=node["name"]),
           "undrain": _("The node %(name)s stopped draining.", name=node["name"])}[switch], "success")
    return _back(node_id)
