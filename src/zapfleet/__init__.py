"""zapfleet: the core library of the multi-tenant WhatsApp instance and account manager."""

__version__ = "0.1.0"
