"""Fixtures for a real supervisord (loaded by tests/conftest.py)."""
