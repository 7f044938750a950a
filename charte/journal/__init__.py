"""The append-only journal of significant actions, chained by hash."""
