"""Metrics: one account's (its own time zone), and the platform's for the owner's dashboard."""
from flask import Blueprint, request

from web.auth import account_scoped, admin_only
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.messaging.metric_shapes import Metrics, MetricsQuery, PlatformMetrics

bp = Blueprint("metrics", __name__)


@bp.get("/api/accounts/<uuid:account_id>/metrics")
@shapes(tag="Metrics", summary="Get an account's metrics", access="account", query=MetricsQuery,
        description="Messages sent and received per day, appointments booked through WhatsApp per month "
                    "and the reply rate per week, in the account's time zone.", responses={200: Metrics})
@account_scoped
def account_metrics(account_id):
    """Messages per day, appointments booked through WhatsApp per month, reply rate per week."""
    return managers().metrics.for_account(account_id, request.args)


@bp.get("/api/metrics")
@shapes(tag="Metrics", summary="Get the platform's metrics", access="admin", query=MetricsQuery,
        description="The same series over every account (in America/Sao_Paulo), and each account's "
                    "totals.", responses={200: PlatformMetrics})
@admin_only
def platform_metrics():
    """The same series for every account together, and each account's totals."""
    return managers().metrics.for_platform(request.args)
