"""Gunicorn's access log without secrets: the token of a sandbox QR link (/sandbox/scan/<token>)
is a credential to link a number, so it never reaches the log, in the path or the referer."""
from __future__ import annotations

import re
from typing import Any

from gunicorn.glogging import Logger

SECRET_IN_PATH = re.compile(r"(/sandbox/scan/)[^/?#\s\"]+")


def redacted(text: str) -> str:
    """The text with every QR-link token replaced by a mark."""
    return SECRET_IN_PATH.sub(r"\1[redacted]", text)


class RedactingLogger(Logger):
    """Gunicorn's logger, with QR-link tokens left out of every access-log field."""

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        """Gunicorn's fields for the access-log line, tokens redacted."""
        fields = super().atoms(resp, req, environ, request_time)
        return {name: redacted(value) if isinstance(value, str) else value
                for name, value in fields.items()}
