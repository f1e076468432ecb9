"""The unlinks still to do, for the platform admin: phones that stayed linked when their
instance was deleted or switched engines, retried until WhatsApp confirms."""
from flask import Blueprint

from web.auth import admin_only
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.fleet.shapes import UnlinkList

bp = Blueprint("unlinks", __name__, url_prefix="/api/unlinks")


@bp.get("")
@shapes(tag="Instances", summary="List unlinks still to do", access="admin", responses={200: UnlinkList},
        description="When deleting an instance or its account, or switching its engine, cannot unlink the "
                    "phone (its worker or its Evolution server is down), the unlink is kept with its "
                    "session and retried by the dispatcher until it happens. Pending ones first.")
@admin_only
def list_unlinks():
    """The unlinks still to do, then the latest done ones."""
    return managers().instances.unlinks.list()
