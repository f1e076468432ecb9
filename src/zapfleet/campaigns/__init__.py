"""Campaigns: their definition, their paced run, and the dispatcher's campaign pass."""
