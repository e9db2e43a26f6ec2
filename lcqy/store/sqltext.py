"""SQL scripts as statements: a trigger's body holds semicolons, so pieces are joined until SQLite
calls the statement complete."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator


def statements(sql: str) -> Iterator[str]:
    stmt = ""
    for piece in sql.split(";"):
        stmt += piece + ";"
        if sqlite3.complete_statement(stmt):
            if stmt.strip(" \n\t;"):
                yield stmt
            stmt = ""
