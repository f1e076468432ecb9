"""The one way views reach the control plane's managers: `managers().contacts.create_contact(...)`."""
from __future__ import annotations

from flask import current_app

from zapfleet.assembly import Managers


def managers() -> Managers:
    """The managers of the running app (built once by create_app)."""
    return current_app.extensions["zapfleet"]
