"""The WhatsApp engines an instance can run here (for choosing one in the API and the UI)."""
from flask import Blueprint, current_app

from web.auth import current_principal
from web.managers import managers
from zapfleet.fleet.engines import engine_list

bp = Blueprint("engines", __name__, url_prefix="/api/engines")


@bp.get("")
def list_engines():
    """Every engine: name, label, default, available and, when not, the reason."""
    current_principal()  # any valid key
    servers = managers().evolution_servers
    return {"items": engine_list(current_app.config["ZAPFLEET"], servers)}
