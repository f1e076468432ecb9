"""Contacts, conversations, the outbox, webhooks and the dispatcher that delivers them."""
