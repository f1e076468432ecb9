"""The live stream: events announced by PostgreSQL (sql/0027_live_events.sql) pushed to the
pages as server-sent events by a small asyncio process (`python -m zapfleet events`)."""
