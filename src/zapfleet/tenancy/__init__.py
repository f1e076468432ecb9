"""Tenants: accounts, their users, logins, API keys and settings."""
