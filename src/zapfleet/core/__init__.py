"""Shared vocabulary: errors, validation, pagination, security and the fixed lists of states."""
