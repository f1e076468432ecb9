"""Per-account WhatsApp worker processes; they talk to the control plane over HTTP only."""
