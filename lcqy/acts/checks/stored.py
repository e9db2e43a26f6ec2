"""`check`: the stored text no .xlsx/.docx can hold, and the papers' content against their SHA-256.

Both mean reading every byte the ledger holds (a second and more at 100,000 cases), so they
are done in full once, and then only for what changed: migration 13's triggers note each row
a write inserts or changes (`check_log`), and a full pass that found nothing records how far
the log had got (`check_passes`). The next `check` reads the rows noted since. A full pass is
done again when there is no such record, when the schema changed since it (a trigger dropped
or a table rebuilt: `PRAGMA schema_version` moves), for tables that have no trigger, and with
`check --deep`. Bit rot of old content (bytes changed on the disk, not by a write) is found by
`--deep` only, or by SQLite's own page checks where it breaks the file's structure.
"""

from __future__ import annotations

import hashlib
import sqlite3

from lcqy.acts.context import Ctx
from lcqy.rules.validate import unstorable
from lcqy.store.db import now_text
from lcqy.store.marks import record_mark
from lcqy.store.migrations.m025_check_appended import APPENDED, noted
from lcqy.store.schema import TRACKED, trigger_sql
from lcqy.store.sqltext import statements

# Every character `unstorable` finds has one of these byte pairs in UTF-8: BF BE / BF BF end
# U+xFFFE / U+xFFFF, EF B7 starts U+FDxx, ED starts a surrogate. Searching bytes is fast.
_MARKERS = (b"\xbf\xbe", b"\xbf\xbf", b"\xef\xb7", b"\xed")
_CHUNK = 20_000  # rows read as one string in a full pass
_BATCH = 500  # rows named in one query in a pass over changed rows
OWN = ("check_log", "check_passes")  # bookkeeping: table names and numbers, no text of the clerk's
# Derived tables, recomputed by triggers from rows read here (migration 14: the dates each
# dispatch and case stop being open, from dispatches, replies, cases, escalations and events;
# migration 24: the replies' and follow-ups' columns the figures group by).
DERIVED = ("dispatch_spans", "case_spans", "reply_keys", "followup_keys")


def check_stored(ctx: Ctx, deep: bool = False) -> tuple[list[str], tuple[int, int, dict] | None]:
    """The problems, and what a clean pass may record (`record_pass`) once the rest of `check`
    is done: (the last log entry read, the schema version read, the last row read of each of
    migration 25's tables), or None."""
    conn = ctx.ledger.conn
    names = {r[0]: r[1] for r in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")}
    logged = "check_log" in names and "check_passes" in names
    upto, since, version = 0, None, None
    if logged:
        # Read first: a row written after this point has a later number and waits for the next pass.
        (upto,) = conn.execute(
            "SELECT coalesce((SELECT max(seq) FROM check_log),"
            " (SELECT seq FROM sqlite_sequence WHERE name = 'check_log'), 0)"
        ).fetchone()
        (version,) = conn.execute("PRAGMA schema_version").fetchone()
        row = conn.execute("SELECT through_seq, schema_version FROM check_passes WHERE part = 'stored'").fetchone()
        if row and row[1] == version and not deep:
            since = row[0]
    changed = _changed(conn, since, upto) if since is not None else {}
    tracked = _tracked(conn) if since is not None else set()
    appended = _appended_marks(conn, names, since, version)
    out: list[str] = []
    for table, sql in names.items():
        if _skipped(table, names):
            continue
        if appended.get(table, (0, None))[1] is not None:
            out += _appended_rows(conn, table, appended[table][1], changed.get(table, ()))
        elif table in tracked:
            rids = changed.get(table, ())
            if rids:
                out += _text_rows(conn, table, sql, sorted(rids))
        else:
            out += _text_table(conn, table, sql)
    if "blobs" in names:
        out += _papers(conn, None if "blobs" not in tracked else sorted(changed.get("blobs", ())))
    tops = {t: top for t, (top, _) in appended.items()}
    return out, ((upto, version, tops) if logged and not out else None)


def _appended_marks(conn: sqlite3.Connection, names: dict[str, str], since: int | None, version) -> dict:
    """Table -> (its last row now, the last row of the last clean pass or None), for migration
    25's tables. Such a table is read from that row on only while its triggers note everything
    else that can change a row at or below it; read here, after the log's end (see
    check_stored), so that a row added meanwhile is read now or noted for the next pass."""
    out = {}
    for table in APPENDED:
        if table not in names or "check_passes" not in names:
            continue
        (top,) = conn.execute(f'SELECT coalesce(max(rowid), 0) FROM "{table}"').fetchone()
        after = None
        if since is not None and _noted(conn, table):
            # Recorded in the write that recorded the pass `since` comes from (same time).
            row = conn.execute(
                "SELECT c.through_seq FROM check_passes c JOIN check_passes s ON s.part = 'stored' "
                "AND s.passed_at = c.passed_at WHERE c.part = ? AND c.schema_version = ?",
                [table, version],
            ).fetchone()
            after = row[0] if row else None
        out[table] = (top, after)
    return out


def _noted(conn: sqlite3.Connection, table: str) -> bool:
    """Migration 25's triggers on `table` are there as written."""
    have = {
        n: " ".join((s or "").split())
        for n, s in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", [table])
    }
    wanted = [" ".join(p.strip().rstrip(";").split()) for p in statements(noted(table, APPENDED[table]))]
    return all(have.get(w.split()[2]) == w for w in wanted)


def _appended_rows(conn: sqlite3.Connection, table: str, after: int, logged) -> list[str]:
    """The rows past `after`, those the log noted at or below it and any below 0 (which no
    append makes), in the order of a full pass."""
    cols = _text_columns(conn, table)
    if not cols:
        return []
    out = _unstorable_rows(conn, table, cols, True, "WHERE rowid < 0", [])
    out += _text_rows(conn, table, None, sorted(r for r in set(logged) if 0 <= r <= after))
    return out + _unstorable_rows(conn, table, cols, True, "WHERE rowid > ?", [after])


def _skipped(table: str, names: dict[str, str]) -> bool:
    """SQLite's own tables, ours, derived ones, and a full-text index (it repeats its table's
    text: reading it would double the work and report each character twice)."""
    if table.startswith("sqlite_") or table in OWN or table in DERIVED:
        return True
    virtual = [n for n, sql in names.items() if (sql or "").upper().startswith("CREATE VIRTUAL TABLE")]
    return any(table == v or table.startswith(f"{v}_") for v in virtual)


def _changed(conn: sqlite3.Connection, since: int, upto: int) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for table, rid in conn.execute("SELECT tbl, rid FROM check_log WHERE seq > ? AND seq <= ?", [since, upto]):
        found.setdefault(table, set()).add(rid)
    return found


def _tracked(conn: sqlite3.Connection) -> set[str]:
    """Tables whose writes are all noted: both of migration 13's triggers in place, as written."""
    have = {
        name: " ".join((sql or "").split())
        for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
    }
    ok = set()
    for table in TRACKED:
        wanted = [trigger_sql(table, e) for e in ("INSERT", "UPDATE")]
        if all(have.get(w.split()[2]) == " ".join(w.split()) for w in wanted):
            ok.add(table)
    return ok


def _text_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in conn.execute(f'PRAGMA table_info("{table}")') if (r[2] or "").upper() in ("TEXT", "")]


def _text_table(conn: sqlite3.Connection, table: str, create_sql: str | None) -> list[str]:
    """Every row of the table: its text read as bytes, a chunk of rows at a time (no decoding in
    Python); a chunk holding a marker is looked at row by row."""
    cols = _text_columns(conn, table)
    if not cols:
        return []
    rowid = "WITHOUT ROWID" not in (create_sql or "").upper()  # a table a newer lcqy may add
    spans: list[tuple[int, int] | None] = [None]
    if rowid:
        lo, hi = conn.execute(f'SELECT min(rowid), max(rowid) FROM "{table}"').fetchone()
        spans = [(a, a + _CHUNK - 1) for a in range(lo, hi + 1, _CHUNK)] if lo is not None else []
    text = " || char(10) || ".join(f"coalesce(\"{c}\", '')" for c in cols)
    out = []
    for span in spans:
        where = "" if span is None else "WHERE rowid BETWEEN ? AND ?"
        sql = f'SELECT CAST(group_concat({text}, char(10)) AS BLOB) FROM "{table}" {where}'
        (data,) = conn.execute(sql, span or []).fetchone()
        if data and any(m in data for m in _MARKERS):  # rare: look at this chunk row by row
            out += _unstorable_rows(conn, table, cols, rowid, where, span or [])
    return out


def _text_rows(conn: sqlite3.Connection, table: str, create_sql: str | None, rids: list[int]) -> list[str]:
    """The rows written since the last clean pass."""
    cols = _text_columns(conn, table)
    out: list[str] = []
    for i in range(0, len(rids) if cols else 0, _BATCH):
        part = rids[i : i + _BATCH]
        out += _unstorable_rows(conn, table, cols, True, f"WHERE rowid IN ({', '.join('?' * len(part))})", part)
    return out


def _unstorable_rows(conn, table: str, cols: list[str], rowid: bool, where: str, args) -> list[str]:
    key = "reg_no" if table == "cases" else None
    listed = ", ".join(f'"{c}"' for c in ([key] if key else []) + cols)
    out = []
    sql = f'SELECT {"rowid" if rowid else "NULL"}, {listed} FROM "{table}" {where} ORDER BY 1'
    for row in conn.execute(sql, args):
        n, values = row[0], row[2:] if key else row[1:]
        for col, value in zip(cols, values, strict=True):
            if isinstance(value, str) and (ch := unstorable(value)) is not None:
                where_ = row[1] if key else f"{table} 表" + (f"第{n}行" if n is not None else "")
                out.append(
                    f"{where_}：字段 {col} 含有无法写入 Excel/Word 的字符 U+{ord(ch):04X}，"
                    "导出会失败；请用 lcqy edit 更正。"
                )
    return out


def _papers(conn: sqlite3.Connection, rids: list[int] | None) -> list[str]:
    """Each stored paper (all, or those written since the last clean pass) still has the content
    its SHA-256 names; each attachment's paper is there, of the size recorded."""
    problems = []
    if rids is None:
        batches = [("", [])]
    else:
        batches = [
            (f"WHERE rowid IN ({', '.join('?' * len(rids[i : i + _BATCH]))})", rids[i : i + _BATCH])
            for i in range(0, len(rids), _BATCH)
        ]
    for where, args in batches:
        for digest, size, data in conn.execute(f"SELECT sha256, size, data FROM blobs {where}", args):
            if data is None or len(data) != size or hashlib.sha256(data).hexdigest() != digest:
                problems.append(f"附件内容 {str(digest)[:12]}… 与其 SHA-256 不符（已损坏），请用备份恢复。")
    for reg_no, n, name in conn.execute(
        "SELECT c.reg_no, a.n, a.name FROM attachments a JOIN cases c ON c.id = a.case_id "
        "WHERE a.sha256 NOT IN (SELECT sha256 FROM blobs) "
        "OR a.size != (SELECT size FROM blobs b WHERE b.sha256 = a.sha256)"
    ):
        problems.append(f"{reg_no}：第 {n} 号附件 {name} 的内容缺失或大小不符。")
    return problems


def record_pass(ctx: Ctx, mark: tuple[int, int]) -> None:
    """A clean pass through log entry `upto`: those entries are done with (bookkeeping only)."""
    upto, version, tops = mark

    def write(conn: sqlite3.Connection) -> None:
        at = now_text()
        conn.execute("DELETE FROM check_log WHERE seq <= ?", [upto])
        conn.execute("INSERT OR REPLACE INTO check_passes VALUES ('stored', ?, ?, ?)", [upto, version, at])
        for table, top in tops.items():
            conn.execute("INSERT OR REPLACE INTO check_passes VALUES (?, ?, ?, ?)", [table, top, version, at])

    record_mark(ctx.ledger, version, write)
