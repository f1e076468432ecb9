"""The WhatsApp engines an instance can run here (for choosing one in the API and the UI)."""
from flask import Blueprint, current_app

from web.auth import current_principal
from web.managers import managers
from web.openapi.declare import shapes
from zapfleet.fleet.engines import engine_list
from zapfleet.fleet.shapes import EngineList

bp = Blueprint("engines", __name__, url_prefix="/api/engines")


@bp.get("")
@shapes(tag="WhatsApp", summary="List the engines", access="any", responses={200: EngineList},
        description="The WhatsApp engines an instance can run here, which is the default, and why one "
                    "cannot run.")
def list_engines():
    """Every engine: name, label, default, available and, when not, the reason."""
    current_principal()  # any valid key
    servers = managers().evolution_servers
    return {"items": engine_list(current_app.config["ZAPFLEET"], servers)}
