"""Storage: one SQLite ledger file through sqlite-utils."""
