"""One-line log records on stdout (supervisord keeps them); never a token or a message body."""
from __future__ import annotations

import sys
import time


def log(message: str) -> None:
    """Print a timestamped line and flush it at once."""
    stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    sys.stdout.write(f"{stamp} {message}\n")
    sys.stdout.flush()
