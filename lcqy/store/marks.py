"""How far a clean check got: the checks' bookkeeping, written only when it costs nobody a wait."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable


def record_mark(led, version: int, write: Callable[[sqlite3.Connection], object]) -> None:
    """Run `write` in a short write transaction if the schema is still `version` (the one the
    check read). Bookkeeping only: a ledger that cannot be written now (read-only, busy, newer)
    is simply read in full next time."""
    conn = led.conn
    if led.newer or conn.in_transaction:
        return
    (waits,) = conn.execute("PRAGMA busy_timeout").fetchone()
    try:
        conn.execute("PRAGMA busy_timeout = 200")
        conn.execute("BEGIN IMMEDIATE")
        try:
            if conn.execute("PRAGMA schema_version").fetchone()[0] == version:
                write(conn)
            conn.execute("COMMIT")
        except sqlite3.Error:
            conn.execute("ROLLBACK")
    except sqlite3.Error:
        pass
    finally:
        conn.execute(f"PRAGMA busy_timeout = {int(waits)}")
