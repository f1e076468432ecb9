"""Metrics: one account's (its own time zone), and the platform's for the owner's dashboard."""
from flask import Blueprint, request

from web.auth import account_scoped, admin_only
from web.managers import managers

bp = Blueprint("metrics", __name__)


@bp.get("/api/accounts/<uuid:account_id>/metrics")
@account_scoped
def account_metrics(account_id):
    """Messages per day, appointments booked through WhatsApp per month, reply rate per week."""
    return managers().metrics.for_account(account_id, request.args)


@bp.get("/api/metrics")
@admin_only
def platform_metrics():
    """The same series for every account together, and each account's totals."""
    return managers().metrics.for_platform(request.args)
