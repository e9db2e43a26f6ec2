"""The ledger's schema against the one the migrations create (`check --deep`).

The expected schema is built by running every migration on an empty database in memory.
Tables are compared by their columns (name, type, NOT NULL, default, key: a column added by
a later migration may sit elsewhere in a ledger that met the migrations in another order),
indexes, triggers and views by their SQL. A dropped or altered trigger would let the kept
columns, the change log or the history chain drift unnoticed; a dropped index slows or
misleads the rules that read it.
"""

from __future__ import annotations

import sqlite3
from functools import cache

from lcqy.store.sqltext import statements

KINDS = {"table": "表", "index": "索引", "trigger": "触发器", "view": "视图"}


def _describe(conn: sqlite3.Connection) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    rows = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").fetchall()
    for kind, name, sql in rows:
        if kind == "table":
            cols = conn.execute(f'PRAGMA table_xinfo("{name}")').fetchall()
            virtual = (sql or "").upper().startswith("CREATE VIRTUAL")
            out[(kind, name)] = repr(sorted((c[1], (c[2] or "").upper(), c[3], c[4], c[5]) for c in cols)) + (
                " ".join(sql.split()) if virtual else ""
            )
        elif sql is not None:  # an index SQLite made for a UNIQUE or PRIMARY KEY has no SQL
            out[(kind, name)] = " ".join(sql.split())
    return out


@cache
def expected() -> dict[tuple[str, str], str]:
    from lcqy.store.migrations import MIGRATIONS

    conn = sqlite3.connect(":memory:", isolation_level=None)
    try:
        conn.execute("CREATE TABLE IF NOT EXISTS _migrations (n INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
        for _, sql in MIGRATIONS:
            for stmt in statements(sql):
                conn.execute(stmt)
        return _describe(conn)
    finally:
        conn.close()


def schema_problems(conn: sqlite3.Connection) -> list[str]:
    """One line per table, index, trigger or view missing, added or different."""
    from lcqy.store.db import LATEST

    (version,) = conn.execute("PRAGMA user_version").fetchone()
    if version > LATEST:  # a newer lcqy's schema: not ours to judge
        return []
    want, have = expected(), _describe(conn)
    out = []
    for key in sorted(set(want) | set(have)):
        kind, name = key
        what = f"{KINDS.get(kind, kind)} {name}"
        if key not in have:
            out.append(f"表结构：缺少{what}（迁移建立的结构被删改，相关检查和自动维护的栏目可能失效），请用备份恢复。")
        elif key not in want:
            out.append(f"表结构：多出{what}（不是 lcqy 的迁移建立的），请查明来源或用备份恢复。")
        elif want[key] != have[key]:
            out.append(f"表结构：{what}与迁移建立的不同（被其他程序改过），请用备份恢复。")
    return out
