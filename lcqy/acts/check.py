"""`check`: the ledger's integrity and the measures' rules, one problem a line (empty = sound)."""

from __future__ import annotations

import sqlite3

from lcqy.acts.context import Ctx
from lcqy.rules.constants import STATES
from lcqy.rules.validate import unstorable


def check(ctx: Ctx) -> list[str]:
    try:
        return _check(ctx)
    except sqlite3.DatabaseError as exc:
        return [f"数据库完整性：文件已损坏，无法读完（{exc}）。请用最近的备份恢复（lcqy backup 生成的文件）。"]


# Every character `unstorable` finds has one of these byte pairs in UTF-8: BF BE / BF BF end
# U+xFFFE / U+xFFFF, EF B7 starts U+FDxx, ED starts a surrogate. Searching bytes is fast.
_MARKERS = (b"\xbf\xbe", b"\xbf\xbf", b"\xef\xb7", b"\xed")
_CHUNK = 20_000  # rows read as one string


def _unstorable(ctx: Ctx) -> list[str]:
    """Text no .xlsx/.docx can hold (U+FFFE, U+FFFF, …) stored before such text was refused:
    the export of the whole ledger would fail on it."""
    db = ctx.ledger.db
    # A full-text index repeats its table's text (its shadow tables hold none of the clerk's own):
    # reading them would double the work and report each character twice.
    virtual = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'")]
    out = []
    for table in db.table_names():
        if table.startswith("sqlite_") or any(table == v or table.startswith(f"{v}_") for v in virtual):
            continue
        cols = [c.name for c in db[table].columns if c.type.upper() in ("TEXT", "")]
        if not cols:
            continue
        plain = db.execute("SELECT sql FROM sqlite_master WHERE name = ?", [table]).fetchone()[0] or ""
        rowid = "WITHOUT ROWID" not in plain.upper()  # a table a newer lcqy may add
        spans: list[tuple[int, int] | None] = [None]
        if rowid:
            lo, hi = db.execute(f'SELECT min(rowid), max(rowid) FROM "{table}"').fetchone()
            spans = [(a, a + _CHUNK - 1) for a in range(lo, hi + 1, _CHUNK)] if lo is not None else []
        text = " || char(10) || ".join(f"coalesce(\"{c}\", '')" for c in cols)
        for span in spans:
            where = "" if span is None else "WHERE rowid BETWEEN ? AND ?"
            # As bytes: no decoding in Python.
            sql = f'SELECT CAST(group_concat({text}, char(10)) AS BLOB) FROM "{table}" {where}'
            (data,) = db.execute(sql, span or []).fetchone()
            if data and any(m in data for m in _MARKERS):  # rare: look at this chunk row by row
                out += _unstorable_rows(db, table, cols, rowid, span)
    return out


def _unstorable_rows(db, table: str, cols: list[str], rowid: bool, span: tuple[int, int] | None) -> list[str]:
    key = "reg_no" if table == "cases" else None
    listed = ", ".join(f'"{c}"' for c in ([key] if key else []) + cols)
    where = "" if span is None else "WHERE rowid BETWEEN ? AND ?"
    out = []
    for row in db.execute(f'SELECT {"rowid" if rowid else "NULL"}, {listed} FROM "{table}" {where}', span or []):
        n, values = row[0], row[2:] if key else row[1:]
        for col, value in zip(cols, values, strict=True):
            if isinstance(value, str) and (ch := unstorable(value)) is not None:
                where_ = row[1] if key else f"{table} 表" + (f"第{n}行" if n is not None else "")
                out.append(
                    f"{where_}：字段 {col} 含有无法写入 Excel/Word 的字符 U+{ord(ch):04X}，"
                    "导出会失败；请用 lcqy edit 更正。"
                )
    return out


def _chains(ctx: Ctx) -> list[str]:
    sql = (
        "SELECT c.reg_no, t.reg_no FROM cases c JOIN cases t ON t.id = c.merged_into "
        "WHERE t.state = 'merged' AND c.id != t.id"
    )
    return [
        f"{a}：并入的 {b} 本身又并入了其他案件（合并链），应直接指向最终办理的案件。"
        for a, b in ctx.ledger.db.execute(sql)
    ]


def _check(ctx: Ctx) -> list[str]:
    db = ctx.ledger.db
    q = db.execute
    # quick_check reads every page and record (what a damaged file shows) in linear time; the full
    # integrity_check also matches every index entry to its row, 10x slower at 100,000 cases.
    problems = [f"数据库完整性：{r[0]}" for r in q("PRAGMA quick_check") if r[0] != "ok"]
    problems += [f"外键：{r[0]} 第{r[1]}行 指向不存在的 {r[2]}" for r in q("PRAGMA foreign_key_check")]
    # The file's mode is a warning, not a problem: see check_warnings.
    # R5: each kind's numbers of a year run 1..N with no gap, and the counter is past N.
    for kind, year, n, top in q("SELECT kind, year, count(*), max(seq) FROM numbers GROUP BY kind, year"):
        if n != top:
            problems.append(f"编号：{year}年“{kind}”字号有 {top - n} 个空号（应从1连续到{top}）。")
        nxt = q("SELECT next FROM counters WHERE kind = ? AND year = ?", [kind, year]).fetchone()
        if not nxt or nxt[0] != top + 1:
            problems.append(f"编号：{year}年“{kind}”字号计数器应为 {top + 1}，实为 {nxt[0] if nxt else '无'}。")
    for (no,) in q(
        "SELECT reg_no FROM cases WHERE reg_no NOT IN (SELECT text FROM numbers) "
        "UNION ALL SELECT no FROM dispatches WHERE no NOT IN (SELECT text FROM numbers) "
        "UNION ALL SELECT no FROM escalations WHERE no NOT IN (SELECT text FROM numbers)"
    ):
        problems.append(f"编号：{no} 未登记在编号表中。")
    # The states present come from the state index; the cases only when one is unknown.
    unknown = [state for (state,) in q("SELECT DISTINCT state FROM cases") if state not in STATES]
    if unknown:
        marks = ", ".join("?" * len(unknown))
        for reg_no, state in q(f"SELECT reg_no, state FROM cases WHERE state IN ({marks})", unknown):
            problems.append(f"{reg_no}：未知状态“{state}”。")
    rules = [
        (
            "dispatched",
            "NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.case_id = c.id AND d.status = 'active')",
            "状态为办理中，但没有有效的交办单",
        ),
        ("replied", "NOT EXISTS (SELECT 1 FROM replies r WHERE r.case_id = c.id)", "状态为已答复，但没有答复记录"),
        (
            "escalated",
            "NOT EXISTS (SELECT 1 FROM escalations e WHERE e.case_id = c.id)",
            "状态为已转报，但没有转报记录",
        ),
        (
            "closed",
            "NOT EXISTS (SELECT 1 FROM replies r WHERE r.case_id = c.id AND r.id = "
            "(SELECT max(id) FROM replies WHERE case_id = c.id) AND r.result = 'A') AND c.source_no = ''",
            "已销号，但最近一次答复不是A类",
        ),
    ]
    for state, cond, what in rules:
        for (reg_no,) in q(f"SELECT reg_no FROM cases c WHERE state = ? AND {cond}", [state]):
            problems.append(f"{reg_no}：{what}。")
    for (reg_no,) in q(
        "SELECT c.reg_no FROM dispatches d JOIN cases c ON c.id = d.case_id WHERE d.due_current < d.due_original"
    ):
        problems.append(f"{reg_no}：当前办结时限早于原时限。")
    pairs = [
        ("(c.state = 'merged') != (c.merged_into IS NOT NULL)", "合并状态与“并入”不一致"),
        ("c.merged_into = c.id", "并入了它自己"),
        # A 专项督办 case re-dispatched to another department keeps its mark until 销号.
        (
            "c.supervision != '' AND c.state NOT IN ('replied', 'dispatched')",
            "督办标记只应在已答复或专项督办重新交办的案件上",
        ),
        (
            "c.id IN (SELECT case_id FROM dispatches WHERE status = 'active' GROUP BY case_id HAVING count(*) > 1)",
            "有两张有效的交办单",
        ),
        (
            "c.id IN (SELECT r.case_id FROM replies r JOIN dispatches d ON d.id = r.dispatch_id "
            "WHERE r.replied_on < d.dispatched_on)",
            "答复日期早于交办日期",
        ),
        ("c.accepted_on < c.reported_on", "受理时间早于反映时间"),
    ]
    # One pass over the cases for all of them (each pass reads the whole table), said per rule.
    hits: list[list[str]] = [[] for _ in pairs]
    flags = ", ".join(f"coalesce({cond}, 0)" for cond, _ in pairs)
    for reg_no, *on in q(f"SELECT reg_no, {flags} FROM cases c WHERE " + " OR ".join(f"({c})" for c, _ in pairs)):
        for found, flag in zip(hits, on):
            if flag:
                found.append(reg_no)
    for (_, what), found in zip(pairs, hits):
        problems += [f"{reg_no}：{what}。" for reg_no in found]
    from lcqy.acts.attachments import check_hashes

    return problems + _chains(ctx) + _unstorable(ctx) + check_hashes(ctx)
