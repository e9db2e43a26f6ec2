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


def _unstorable(ctx: Ctx) -> list[str]:
    """Text no .xlsx/.docx can hold (U+FFFE, U+FFFF, …) stored before such text was refused:
    the export of the whole ledger would fail on it."""
    db = ctx.ledger.db
    out = []
    for table in db.table_names():
        if table.startswith("sqlite_"):
            continue
        cols = [c.name for c in db[table].columns if c.type.upper() in ("TEXT", "")]
        if not cols:
            continue
        key = "reg_no" if table == "cases" else None
        listed = ", ".join(f'"{c}"' for c in ([key] if key else []) + cols)
        # No rowid: some tables are WITHOUT ROWID; rows are named by their place instead.
        for n, row in enumerate(db.execute(f'SELECT {listed} FROM "{table}"'), start=1):
            values = row[1:] if key else row
            for col, value in zip(cols, values, strict=True):
                if isinstance(value, str) and (ch := unstorable(value)) is not None:
                    where = row[0] if key else f"{table} 表第{n}行"
                    out.append(
                        f"{where}：字段 {col} 含有无法写入 Excel/Word 的字符 U+{ord(ch):04X}，"
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
