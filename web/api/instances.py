"""Instance routes: the platform admin sees all, an account key its own."""
from flask import Blueprint, request

from web.api.whatsapp import qr_response
from web.auth import account_scoped, current_principal
from web.managers import managers

bp = Blueprint("instances", __name__, url_prefix="/api/instances")


@bp.get("")
def list_instances():
    """Every instance for the admin; an account's own for an account key."""
    principal = current_principal()
    return {"items": managers().instances.list(None if principal.is_admin else principal.account_id)}


@bp.post("/<uuid:account_id>/start")
@account_scoped
def start(account_id):
    """Start the account's worker."""
    return managers().instances.start(account_id)


@bp.post("/<uuid:account_id>/stop")
@account_scoped
def stop(account_id):
    """Stop the account's worker (it stays stopped until started)."""
    return managers().instances.stop(account_id)


@bp.post("/<uuid:account_id>/restart")
@account_scoped
def restart(account_id):
    """Restart the account's worker; the session survives."""
    return managers().instances.restart(account_id)


@bp.get("/<uuid:account_id>/qr")
@account_scoped
def qr(account_id):
    """The current QR (?format=json|png|svg)."""
    return qr_response(account_id, request.args.get("format", "json"))


@bp.post("/<uuid:account_id>/logout")
@account_scoped
def logout(account_id):
    """Unlink the phone; a new QR follows."""
    return managers().instances.logout(account_id)


@bp.delete("/<uuid:account_id>")
@account_scoped
def delete(account_id):
    """The company cancels: stop the worker, remove its program, wipe its session."""
    managers().instances.delete(account_id)
    return "", 204
