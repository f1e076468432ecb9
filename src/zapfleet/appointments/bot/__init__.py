"""The WhatsApp bot: opt-out keywords, the booking flow and the away message."""
