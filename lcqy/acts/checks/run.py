"""`check`: the ledger's integrity and the measures' rules, one problem a line (empty = sound).

Every rule is a query on an index, never a read of every case: the one-row rules come from
partial indexes that hold only the rows breaking them (migration 13), the others from the
state index and the indexes on the case of each record. The stored text and papers are
re-read in full once and then as they change (check_stored); `deep` re-reads everything and
has SQLite match every index entry to its row.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from lcqy.acts.checks.stored import check_stored, record_pass
from lcqy.acts.checks.warnings import check_warnings, number_days
from lcqy.acts.context import Ctx
from lcqy.rules.constants import STATES
from lcqy.store import chain
from lcqy.store.db import BUSY_SECONDS, sqlite_uri
from lcqy.store.keys import problems as key_problems
from lcqy.store.migrations import m022_list_latest as m22
from lcqy.store.migrations.m023_agenda_answered import ANSWERED_CLOSE, ANSWERED_NOTE, ESCALATED_NOW
from lcqy.store.migrations.m031_supervised_plan_due import PLAN_DUE_NOW
from lcqy.store.schema import CASES_UNSOUND, DISPATCHES_UNSOUND, FOLLOWUP_NOW, LEAD_NOW, REPLY_NOW, URGES_NOW
from lcqy.store.schema_compare import schema_problems


def check_ledger(ctx: Ctx, deep: bool = False, head: bool = False) -> dict:
    """`check`: the problems (the ledger is unsound while there is one) and the warnings; with
    `head`, the history chain's head as it stands after the check."""
    problems, days = _checked(ctx, deep)
    r = {"problems": problems, "warnings": check_warnings(ctx, days)}
    return r | ({"head": chain.head(ctx.ledger.conn)} if head else {})


def check(ctx: Ctx, deep: bool = False) -> list[str]:
    return _checked(ctx, deep)[0]


def _checked(ctx: Ctx, deep: bool) -> tuple[list[str], list[tuple] | None]:
    """The problems, and the numbers' dates the rules read (the warnings use them again), or
    None when the file could not be read that far."""
    # The file-level check reads every page on a connection of its own, in a thread, while the
    # rules are read here: SQLite lets both go (each holds only a shared lock) and releases
    # Python's lock while it works, so on two cores the slowest part no longer adds to the rest.
    found: list[list[str]] = []
    pages = threading.Thread(target=lambda: found.append(_file_level(ctx.ledger.path, deep)), daemon=True)
    pages.start()
    mark = history_mark = days = None
    try:
        rest, mark, days = _rules(ctx, deep)
        history, history_mark = chain.verify(ctx.ledger, deep)
        if deep:
            history = schema_problems(ctx.ledger.conn) + history + key_problems(ctx.ledger.conn)
        rest += history
    except sqlite3.DatabaseError as exc:
        rest = [_damaged(exc)]
    finally:
        pages.join()
    if mark and found and not found[0]:  # written only when no reader of ours is left (the thread's lock)
        record_pass(ctx, mark)
    if history_mark and found and not found[0]:
        chain.record(ctx.ledger, history_mark)
    pages_said = found[0] if found else [_damaged(RuntimeError("quick_check"))]
    return [p for p in pages_said if p not in rest] + rest, days


def _damaged(exc: Exception) -> str:
    return f"数据库完整性：文件已损坏，无法读完（{exc}）。请用最近的备份恢复（lcqy backup 生成的文件）。"


def _file_level(path: Path, deep: bool) -> list[str]:
    """quick_check reads every page and record (what a damaged file shows) in linear time; the
    full integrity_check also matches every index entry to its row, 10x slower at 100,000 cases."""
    pragma = "integrity_check" if deep else "quick_check"
    try:
        conn = sqlite3.connect(sqlite_uri(path.resolve()), uri=True, timeout=BUSY_SECONDS)
        try:
            rows = conn.execute(f"PRAGMA {pragma}").fetchall()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return [_damaged(exc)]
    return [f"数据库完整性：{r[0]}" for r in rows if r[0] != "ok"]


def _rules(ctx: Ctx, deep: bool) -> tuple[list[str], tuple | None, list[tuple]]:
    conn = ctx.ledger.conn
    problems = _search_index(ctx) + _kept_columns(conn) + _span_keys(conn) + _day_counts(conn) if deep else []
    problems += _foreign_keys(conn)
    # The file's mode is a warning, not a problem: see check_warnings.
    days = number_days(conn)
    problems += _numbering(conn, days) + _states(conn) + _one_row_rules(conn) + _chains(conn)
    stored, mark = check_stored(ctx, deep)
    return problems + stored, mark, days


def _search_index(ctx: Ctx) -> list[str]:
    """The full-text index (`list --text`) against the cases it indexes: FTS5's own check, which
    SQLite's integrity_check does not make (3 s at 100,000 cases). It is an INSERT that changes
    nothing, so it runs in a write transaction that is rolled back; a ledger that cannot be
    written (newer, read-only) skips it."""
    conn = ctx.ledger.conn
    names = [
        n
        for n, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'")
        if (sql or "").upper().startswith("CREATE VIRTUAL TABLE") and "FTS5" in sql.upper()
    ]
    if ctx.ledger.newer or conn.in_transaction or not names:
        return []
    out = []
    for name in names:
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return out
        try:
            conn.execute(f'INSERT INTO "{name}"("{name}", rank) VALUES (\'integrity-check\', 1)')
        except sqlite3.DatabaseError as exc:
            if isinstance(exc, sqlite3.OperationalError) and ("readonly" in str(exc) or "locked" in str(exc)):
                return out
            out.append(
                f"数据库完整性：全文检索索引 {name} 与案件内容不一致（{exc}），按文字查找（list --text）会漏查。"
            )
        finally:
            conn.execute("ROLLBACK")
    return out


# Columns the triggers keep on each case for the boards (migrations 16 and 19), what each stands
# for, and how a wrong one is named.
_KEPT = (
    ("lead_now", LEAD_NOW, "当前牵头部门"),
    ("urges_now", URGES_NOW, "催办次数"),
    ("reply_now", REPLY_NOW, "最近一次答复"),
    ("followup_now", FOLLOWUP_NOW, "最近一次回访"),
    ("result_now", m22.RESULT_NOW, "最近一次答复的办理结果"),
    ("satisfaction_now", m22.SATISFACTION_NOW, "最近一次回访的满意度"),
    ("dispatch_no_now", m22.DISPATCH_NO_NOW, "当前交办的文号"),
    ("assist_now", m22.ASSIST_NOW, "当前交办的配合部门"),
    ("due_current_now", m22.DUE_CURRENT_NOW, "当前交办的办理时限"),
    ("answered_close", ANSWERED_CLOSE, "待回访或可销号"),
    ("answered_note", ANSWERED_NOTE, "答复情况"),
    ("escalated_now", ESCALATED_NOW, "最近一次转报日期"),
    ("plan_due_now", PLAN_DUE_NOW, "最近一次答复的计划完成日期"),
)


def _kept_columns(conn: sqlite3.Connection) -> list[str]:
    """The columns of _KEPT against what they stand for: a ledger another program edited, or
    whose triggers it dropped, would show the boards a wrong department, count or latest act
    (deep only: each is a look-up per case)."""

    stored = ", ".join(f"{col}, {expr}" for col, expr, _ in _KEPT)
    differ = " OR ".join(f"{col} IS NOT {expr}" for col, expr, _ in _KEPT)
    rows = conn.execute(f"SELECT reg_no, {stored} FROM cases WHERE {differ} ORDER BY id").fetchall()
    out = []
    for reg_no, *pairs in rows:
        wrong = []
        for i, (col, _, what) in enumerate(_KEPT):
            kept, really = pairs[2 * i], pairs[2 * i + 1]
            if kept != really:
                wrong.append(f"{what}（存为“{_kept_text(col, kept)}”，记录为“{_kept_text(col, really)}”）")
        out.append(
            f"{reg_no}：清单所用的{'、'.join(wrong)}不一致。这几项由台帐自动维护，多半是其他程序改过台帐文件，"
            "请用备份恢复。"
        )
    return out


def _span_keys(conn: sqlite3.Connection) -> list[str]:
    """What migration 24 keeps for the figures against what it comes from (deep only, like
    _kept_columns): the columns of each dispatch and its case's category on the dispatch's
    span, and the side rows of the replies and follow-ups (reply_keys, followup_keys)."""
    from lcqy.store.migrations.m024_figures_dept_order import FOLLOWUP_KEYS, KEPT, REPLY_KEYS

    out = []
    for table, kept, what in (("reply_keys", REPLY_KEYS, "答复"), ("followup_keys", FOLLOWUP_KEYS, "回访")):
        derived = kept.split("\n", 1)[1].format(where="1")  # the SELECT of what the rows should be
        (n,) = conn.execute(
            f"SELECT count(DISTINCT id) FROM (SELECT * FROM ({derived} EXCEPT SELECT * FROM {table}) "
            f"UNION ALL SELECT * FROM (SELECT * FROM {table} EXCEPT {derived}))"
        ).fetchone()
        if n:
            out.append(
                f"统计所用的{what}分组（{table}）有 {n} 行与{what}记录不一致。这些由台帐自动维护，"
                "多半是其他程序改过台帐文件，请用备份恢复。"
            )
    differ = " OR ".join(f"s.{col} IS NOT d.{col}" for col in KEPT.split(", "))
    rows = conn.execute(
        "SELECT c.reg_no, d.no FROM dispatch_spans s JOIN dispatches d ON d.id = s.id JOIN cases c ON c.id = d.case_id "
        f"WHERE s.category IS NOT c.category OR {differ} ORDER BY s.id"
    ).fetchall()
    return [
        f"{reg_no}：交办单 {no} 在统计中所用的承办单位、问题类别或时限等与记录不一致。这几项由台帐自动维护，"
        "多半是其他程序改过台帐文件，请用备份恢复。"
        for reg_no, no in rows
    ] + out


def _day_counts(conn: sqlite3.Connection) -> list[str]:
    """Migration 27's day counts against a recount from the rows (deep only)."""
    from lcqy.acts.figures.days import kept_apart

    return [
        f"统计所用的每日计数（fig_days 的 {src}）与记录不一致。这些由台帐自动维护，多半是其他程序改过台帐文件，"
        "请用备份恢复。"
        for src in kept_apart(conn)
    ]


def _kept_text(col: str, value) -> str:
    if value is None:
        return "无"
    return f"第{value}条" if col in ("reply_now", "followup_now") else str(value)


def _reg_nos(conn: sqlite3.Connection, ids: list[int]) -> dict[int, str]:
    """Registration numbers of the few cases a rule found."""
    found: dict[int, str] = {}
    for i in range(0, len(ids), 500):
        part = ids[i : i + 500]
        marks = ", ".join("?" * len(part))
        found.update(conn.execute(f"SELECT id, reg_no FROM cases WHERE id IN ({marks})", part).fetchall())
    return found


def _said(conn: sqlite3.Connection, ids: list[int], what: str) -> list[str]:
    names = _reg_nos(conn, ids)
    return [f"{names.get(i, f'案件{i}')}：{what}。" for i in ids]


# -- foreign keys -------------------------------------------------------------------------------


def _foreign_keys(conn: sqlite3.Connection) -> list[str]:
    """PRAGMA foreign_key_check, set-based: it reads every child table row by row; here each key
    is read from its index. A parent whose ids run from lo to hi without a hole (cases are never
    deleted) holds every whole number between, so a key is sound when it is one of them."""
    out = []
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    spans: dict[str, tuple[int, int] | None] = {}
    for child in tables:
        keys = conn.execute(f'PRAGMA foreign_key_list("{child}")').fetchall()
        for fk_id in sorted({k[0] for k in keys}):
            cols = [k for k in keys if k[0] == fk_id]
            parent = cols[0][2]
            if len(cols) != 1:  # a key of several columns: none in lcqy's schema
                rows = conn.execute(f'PRAGMA foreign_key_check("{child}")').fetchall()
                out += [f"外键：{r[0]} 第{r[1]}行 指向不存在的 {r[2]}" for r in rows if r[3] == fk_id]
                continue
            col, to = cols[0][3], cols[0][4]
            if parent not in spans:
                spans[parent] = _span(conn, parent) if to is None or _is_rowid(conn, parent, to) else None
            span = spans[parent]
            if span is not None and _is_rowid(conn, child, col):
                # The child's own row number (an integer, never NULL): two seeks, not a scan.
                sql = (
                    f'SELECT rowid FROM "{child}" WHERE rowid < ? UNION ALL SELECT rowid FROM "{child}" WHERE rowid > ?'
                )
                args = list(span)
            elif span is not None:
                sql = (
                    f'SELECT rowid FROM "{child}" WHERE "{col}" IS NOT NULL '
                    f'AND (typeof("{col}") != \'integer\' OR "{col}" < ? OR "{col}" > ?)'
                )
                args: list = list(span)
            else:
                target = f'"{to}"' if to else "rowid"
                sql = (
                    f'SELECT rowid FROM "{child}" c WHERE "{col}" IS NOT NULL '
                    f'AND NOT EXISTS (SELECT 1 FROM "{parent}" p WHERE p.{target} = c."{col}")'
                )
                args = []
            out += [f"外键：{child} 第{r[0]}行 指向不存在的 {parent}" for r in conn.execute(sql, args)]
    return out


def _is_rowid(conn: sqlite3.Connection, table: str, col: str) -> bool:
    info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    pk = [r for r in info if r[5]]
    return len(pk) == 1 and pk[0][1] == col and pk[0][2].upper() == "INTEGER"


def _span(conn: sqlite3.Connection, table: str) -> tuple[int, int] | None:
    """(lo, hi) when the table's ids are exactly lo..hi (an empty table: an empty span)."""
    try:
        n, lo, hi = conn.execute(f'SELECT count(*), min(rowid), max(rowid) FROM "{table}"').fetchone()
    except sqlite3.OperationalError:  # no such table: every key to it is broken
        return (1, 0)
    if n == 0:
        return (1, 0)
    return (lo, hi) if hi - lo + 1 == n else None


# -- numbers (R5) -------------------------------------------------------------------------------


def _numbering(conn: sqlite3.Connection, days: list[tuple]) -> list[str]:
    """Each kind's numbers of a year run 1..N with no gap, the counter is past N, and every number
    a case, dispatch or escalation carries is in the table of numbers. `days`: the count and
    last number of each kind, year and date (warnings.DATES_SQL, read once for both)."""
    q = conn.execute
    problems = []
    years: dict[tuple, list] = {}  # (kind, year) -> [count, max(seq)], in GROUP BY kind, year's order
    for kind, year, _, _, last, n in days:
        seen = years.setdefault((kind, year), [0, last])
        seen[0] += n
        seen[1] = max(seen[1], last, key=_sql_order)
    for (kind, year), (n, top) in years.items():
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
    return problems


def _sql_order(value) -> tuple:
    """SQLite's order of values of any type (max(seq) of a damaged row may be text)."""
    rank = 0 if value is None else 1 if isinstance(value, int | float) else 2 if isinstance(value, str) else 3
    return (rank, value if value is not None else 0)


# -- states and records -------------------------------------------------------------------------

# A state and what a case in it must have; each is a probe of an index per case in that state.
_STATE_RULES = (
    (
        "dispatched",
        "NOT EXISTS (SELECT 1 FROM dispatches d WHERE d.case_id = c.id AND d.status = 'active')",
        "状态为办理中，但没有有效的交办单",
    ),
    ("replied", "NOT EXISTS (SELECT 1 FROM replies r WHERE r.case_id = c.id)", "状态为已答复，但没有答复记录"),
    ("escalated", "NOT EXISTS (SELECT 1 FROM escalations e WHERE e.case_id = c.id)", "状态为已转报，但没有转报记录"),
    (
        "closed",
        "coalesce((SELECT r.result FROM replies r WHERE r.case_id = c.id ORDER BY r.id DESC LIMIT 1), '') != 'A'",
        "已销号，但最近一次答复不是A类",
    ),
)


def _states(conn: sqlite3.Connection) -> list[str]:
    q = conn.execute
    problems = []
    # The states present come from the state index; the cases only when one is unknown.
    unknown = [state for (state,) in q("SELECT DISTINCT state FROM cases") if state not in STATES]
    if unknown:
        marks = ", ".join("?" * len(unknown))
        for reg_no, state in q(f"SELECT reg_no, state FROM cases WHERE state IN ({marks})", unknown):
            problems.append(f"{reg_no}：未知状态“{state}”。")
    for state, cond, what in _STATE_RULES:
        ids = [i for (i,) in q(f"SELECT id FROM cases c WHERE state = ? AND {cond}", [state])]
        if state == "closed" and ids:  # a case received from a county is closed on its own reply
            marks = ", ".join("?" * len(ids))
            ids = [i for (i,) in q(f"SELECT id FROM cases WHERE id IN ({marks}) AND source_no = '' ORDER BY id", ids)]
        problems += _said(conn, ids, what)
    return problems


# Said apart, in this order; the cases come from the partial index cases_unsound.
_CASE_RULES = (
    ("(state = 'merged') != (merged_into IS NOT NULL)", "合并状态与“并入”不一致"),
    ("merged_into = id", "并入了它自己"),
    # A 专项督办 case re-dispatched to another department keeps its mark until 销号.
    ("supervision != '' AND state NOT IN ('replied', 'dispatched')", "督办标记只应在已答复或专项督办重新交办的案件上"),
    (None, "有两张有效的交办单"),
    (None, "答复日期早于交办日期"),
    ("accepted_on < reported_on", "受理时间早于反映时间"),
)


# The WHERE is the partial index's own condition, so SQLite reads that index (normally empty).
_FLAGS = ", ".join(f"coalesce({cond}, 0)" for cond, _ in _CASE_RULES if cond)
UNSOUND_CASES_SQL = f"SELECT id, {_FLAGS} FROM cases WHERE {CASES_UNSOUND} ORDER BY id"
UNSOUND_DISPATCHES_SQL = f"SELECT case_id FROM dispatches WHERE {DISPATCHES_UNSOUND} ORDER BY id"
TWO_ACTIVE_SQL = "SELECT case_id FROM dispatches WHERE status = 'active' GROUP BY case_id HAVING count(*) > 1"
CHAINS_SQL = (
    "SELECT c.id, t.id FROM cases c JOIN cases t ON t.id = c.merged_into "
    "WHERE c.merged_into IS NOT NULL AND t.state = 'merged' AND c.id != t.id ORDER BY c.id"
)


def _one_row_rules(conn: sqlite3.Connection) -> list[str]:
    q = conn.execute
    ids = [i for (i,) in q(UNSOUND_DISPATCHES_SQL)]
    problems = _said(conn, ids, "当前办结时限早于原时限")
    unsound = q(UNSOUND_CASES_SQL).fetchall()
    two = [i for (i,) in q(TWO_ACTIVE_SQL)]
    # Read from the indexes alone (replies_dispatch, the dispatches' ids); the cases only when found.
    early_sql = "FROM replies r JOIN dispatches d ON d.id = r.dispatch_id WHERE r.replied_on < d.dispatched_on"
    early = []
    if q(f"SELECT 1 {early_sql} LIMIT 1").fetchone():
        early = [i for (i,) in q(f"SELECT DISTINCT r.case_id {early_sql} ORDER BY 1")]
    k = 0
    for cond, what in _CASE_RULES:
        if cond is None:
            ids = two if what.startswith("有两张") else early
        else:
            k += 1
            ids = [row[0] for row in unsound if row[k]]
        problems += _said(conn, ids, what)
    return problems


def _chains(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute(CHAINS_SQL).fetchall()
    names = _reg_nos(conn, sorted({i for row in rows for i in row}))
    return [
        f"{names[a]}：并入的 {names[b]} 本身又并入了其他案件（合并链），应直接指向最终办理的案件。" for a, b in rows
    ]
