"""The counts behind the 简报 and the statistics, read with SQL aggregates.

What each count means is said once, in lcqy.rules.figures; here each is one SQL expression.
Every query is grouped by one key (nothing, lead department, category, channel, or the month
of the act's own date), so one set of queries serves the report and every `stats --by`.
Working days come from a temporary table day -> working days since a fixed start, so that
"working days between" is a subtraction inside SQL.
"""

from __future__ import annotations

from datetime import date, timedelta

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules.constants import CATEGORIES, CHANNELS
from lcqy.rules.figures import Period, derive

GROUPINGS = ("dept", "category", "channel", "month")
GROUP_LABELS = {"dept": "承办单位", "category": "问题类别", "channel": "反映形式", "month": "月份"}
ESCALATED_DEPT = "（转报上级）"

# The lead department of a case that has no dispatch in the row itself: its latest active one.
_CASE_DEPT = (
    "LEFT JOIN dispatches d ON d.id = (SELECT max(id) FROM dispatches WHERE case_id = c.id AND status = 'active')"
)
# The reply r is not the first to its dispatch.
_EARLIER_REPLY = "(SELECT 1 FROM replies y WHERE y.dispatch_id = r.dispatch_id AND y.id < r.id)"
_FIRST = f"(r.dispatch_id IS NOT NULL AND NOT EXISTS {_EARLIER_REPLY})"


# name -> FROM (with :s :e :a), the act's own date, {key: SQL expression}, and the joins that
# bring in the case (c) and the dispatch (d) when the grouping needs them; for the totals the
# rows are counted without joins.
QUERIES: dict[str, tuple[str, str, dict[str, str], str, str]] = {
    "received": (
        "FROM cases c WHERE c.accepted_on BETWEEN :s AND :e AND c.state NOT IN ('void', 'merged')",
        "c.accepted_on",
        {"received": "count(*)"},
        "",
        "",
    ),
    "ended": (
        "FROM cases c {d} WHERE c.ended_on BETWEEN :s AND :e",
        "c.ended_on",
        {
            "rejected": "sum(c.state = 'rejected')",
            "forwarded": "sum(c.state = 'forwarded')",
            "closed": "sum(c.state = 'closed')",
        },
        "",
        _CASE_DEPT,
    ),
    "dispatched": (
        "FROM dispatches d {c} WHERE d.dispatched_on BETWEEN :s AND :e",
        "d.dispatched_on",
        {
            "dispatched": "count(*)",
            "dispatched_on_time": "sum(d.late = 0)",
            "extended": "sum(d.due_current <> d.due_original)",
            "over_limit": "sum(d.override_reason <> '')",
        },
        "JOIN cases c ON c.id = d.case_id",
        "",
    ),
    "returned": (
        "FROM dispatches d {c} WHERE d.status = 'returned' AND d.returned_on BETWEEN :s AND :e",
        "d.returned_on",
        {"returned": "count(*)"},
        "JOIN cases c ON c.id = d.case_id",
        "",
    ),
    "escalated": (
        "FROM escalations x {c} WHERE x.escalated_on BETWEEN :s AND :e",
        "x.escalated_on",
        {"escalated": "count(*)", "escalated_on_time": "sum(x.late = 0)"},
        "JOIN cases c ON c.id = x.case_id",
        "",
    ),
    # Fell due: the dispatch's limit (as extended) is in the period and not after the as-of day;
    # one due on the as-of day itself counts only once it has a reply. 退单 dispatches do not count.
    "due": (
        "FROM dispatches d {c} WHERE d.due_current BETWEEN :s AND min(:e, :a) AND d.status = 'active' "
        "AND (d.due_current < :a OR EXISTS (SELECT 1 FROM replies y WHERE y.dispatch_id = d.id "
        "AND y.replied_on <= :a))",
        "d.due_current",
        {"fell_due": "count(*)"},
        "JOIN cases c ON c.id = d.case_id",
        "",
    ),
    # 按期办结: the first reply to such a dispatch, by the as-of day, not late.
    "due_on_time": (
        "FROM replies r JOIN dispatches d ON d.id = r.dispatch_id {c} "
        "WHERE r.late = 0 AND r.replied_on <= :a AND d.status = 'active' "
        "AND d.due_current BETWEEN :s AND min(:e, :a) "
        f"AND NOT EXISTS {_EARLIER_REPLY}",
        "d.due_current",
        {"due_on_time": "count(*)"},
        "JOIN cases c ON c.id = d.case_id",
        "",
    ),
    "replies": (
        # Whether each reply is its dispatch's first, worked out once per reply.
        f"FROM (SELECT r.*, {_FIRST} AS first FROM replies r WHERE r.replied_on BETWEEN :s AND :e) r "
        "{c} LEFT JOIN dispatches d ON d.id = r.dispatch_id "
        "LEFT JOIN wdn wr ON wr.day = r.replied_on LEFT JOIN wdn wd ON wd.day = d.received_on",
        "r.replied_on",
        {
            "replies": "count(*)",
            "reply_a": "sum(r.result = 'A')",
            "reply_b": "sum(r.result = 'B')",
            "reply_c": "sum(r.result = 'C')",
            "replies_followed": "sum(EXISTS (SELECT 1 FROM followups f WHERE f.reply_id = r.id "
            "AND f.followed_on <= :a))",
            "first_replies": "sum(r.first)",
            "reply_workdays": "coalesce(sum(CASE WHEN r.first THEN wr.n - wd.n END), 0)",
        },
        "JOIN cases c ON c.id = r.case_id",
        "",
    ),
    # 解决率: each case with a reply in the period, judged by its latest reply up to the period's end.
    "latest": (
        "FROM replies r {c} {d} WHERE r.replied_on BETWEEN :s AND :e "
        "AND NOT EXISTS (SELECT 1 FROM replies y WHERE y.case_id = r.case_id AND y.id > r.id AND y.replied_on <= :e)",
        "r.replied_on",
        {"latest": "count(*)", "latest_a": "sum(r.result = 'A')"},
        "JOIN cases c ON c.id = r.case_id",
        "LEFT JOIN dispatches d ON d.id = r.dispatch_id",
    ),
    "followups": (
        "FROM followups f {c} {d} WHERE f.followed_on BETWEEN :s AND :e",
        "f.followed_on",
        {"followups": "count(*)", "satisfied": "sum(f.satisfaction IN ('满意', '基本满意'))"},
        "JOIN cases c ON c.id = f.case_id",
        "JOIN replies r ON r.id = f.reply_id LEFT JOIN dispatches d ON d.id = r.dispatch_id",
    ),
    "urges": (
        "FROM urges u {c} {d} WHERE u.urged_on BETWEEN :s AND :e",
        "u.urged_on",
        {"urges": "sum(u.kind = '催办')", "supervision_urges": "sum(u.kind <> '催办')"},
        "JOIN cases c ON c.id = u.case_id",
        "LEFT JOIN dispatches d ON d.id = u.dispatch_id",
    ),
    "supervised": (
        "FROM events e {c} {d} WHERE e.action = 'supervision' AND e.act_on BETWEEN :s AND :e "
        "AND json_extract(e.detail, '$.after') IN ('ledger', 'special')",
        "e.act_on",
        {"supervised": "count(*)", "special": "sum(json_extract(e.detail, '$.after') = 'special')"},
        "JOIN cases c ON c.id = e.case_id",
        "JOIN cases c ON c.id = e.case_id " + _CASE_DEPT,
    ),
    # As of the day: the case's latest supervision mark up to then is 专项督办 and it is not closed.
    "special_open": (
        "FROM (SELECT case_id, max(id) AS id FROM events WHERE action = 'supervision' AND act_on <= :a "
        "GROUP BY case_id) s JOIN events e ON e.id = s.id JOIN cases c ON c.id = s.case_id "
        "{d} WHERE json_extract(e.detail, '$.after') = 'special' "
        "AND (c.ended_on IS NULL OR c.ended_on > :a)",
        "",
        {"special_open": "count(*)"},
        "",
        _CASE_DEPT,
    ),
}

# The snapshot of a day, kept in a temporary table: every open dispatch (dispatched by then, not
# returned by then, no reply by then) and every case late for dispatch (accepted, not ended, not
# dispatched, escalated or sent to the special meeting by then, past the dispatch limit).
SNAPSHOT_SQL = """
INSERT INTO temp.snap
SELECT :a, 'reply', d.lead_dept, c.category, c.channel, c.id, c.reg_no, c.reg_year, c.reg_seq, c.enterprise,
       d.due_current, wa.n - wdue.n, wa.n - wrec.n
FROM dispatches d JOIN cases c ON c.id = d.case_id
JOIN wdn wdue ON wdue.day = d.due_current JOIN wdn wrec ON wrec.day = d.received_on
JOIN wdn wa ON wa.day = :a
WHERE d.dispatched_on <= :a AND (d.status = 'active' OR d.returned_on > :a)
  AND NOT EXISTS (SELECT 1 FROM replies y WHERE y.dispatch_id = d.id AND y.replied_on <= :a);
INSERT INTO temp.snap
SELECT :a, 'dispatch', '', c.category, c.channel, c.id, c.reg_no, c.reg_year, c.reg_seq, c.enterprise,
       c.dispatch_due, wa.n - wdue.n, NULL
FROM cases c JOIN wdn wdue ON wdue.day = c.dispatch_due JOIN wdn wa ON wa.day = :a
WHERE c.id IN (SELECT id FROM cases WHERE ended_on IS NULL UNION ALL SELECT id FROM cases WHERE ended_on > :a)
  AND c.accepted_on <= :a AND c.dispatch_due < :a AND c.state NOT IN ('void', 'merged')
  AND NOT EXISTS (SELECT 1 FROM dispatches x WHERE x.case_id = c.id AND x.dispatched_on <= :a)
  AND NOT EXISTS (SELECT 1 FROM escalations x WHERE x.case_id = c.id AND x.escalated_on <= :a)
  AND NOT EXISTS (SELECT 1 FROM events x WHERE x.case_id = c.id AND x.action = 'meeting' AND x.act_on <= :a)
  AND wa.n > wdue.n
"""
SNAP_COLUMNS = (
    "as_of, kind, lead_dept, category, channel, case_id, reg_no, reg_year, reg_seq, enterprise, "
    "due, days_late, days_open"
)


# Dispatches urged more than once by the day, with at least one urge in the period (第二十三条).
URGED_SQL = """
SELECT d.id AS dispatch_id, d.lead_dept, c.reg_no, c.reg_year, c.reg_seq, c.category,
       count(*) + CASE WHEN d.level = '导入' THEN c.prior_urges ELSE 0 END AS urges,
       max(u.urged_on) AS last_urged
FROM urges u JOIN dispatches d ON d.id = u.dispatch_id JOIN cases c ON c.id = d.case_id
WHERE u.urged_on <= :a
GROUP BY d.id HAVING max(u.urged_on) >= :s AND urges >= :k
ORDER BY urges DESC, c.reg_year, c.reg_seq
"""


def _key_expr(by: str | None, date_col: str) -> str | None:
    if by is None:
        return "''"
    if by == "dept":
        return "coalesce(d.lead_dept, '')"
    if by in ("category", "channel"):
        return f"c.{by}"
    return f"substr({date_col}, 1, 7)" if date_col else None


def working_day_table(ctx: Ctx, upto: date) -> None:
    """TEMP table wdn(day, n): n = working days from a fixed start up to and including day,
    over every year the ledger's dates touch (a temporary table: the ledger file is untouched)."""
    db = ctx.ledger.conn
    # One aggregate per subquery: each is then a single index look-up (migration 11), not a scan.
    row = db.execute(
        "SELECT (SELECT min(accepted_on) FROM cases), (SELECT max(dispatch_due) FROM cases), "
        "(SELECT min(received_on) FROM dispatches), (SELECT max(due_current) FROM dispatches)"
    ).fetchone()
    days = [date.fromisoformat(v) for v in row if v] + [upto]
    first, last = date(min(days).year, 1, 1), date(max(days).year, 12, 31)
    if last.year - first.year > 30:
        raise LcqyError(f"台帐中的日期跨度过大（{first.year}—{last.year}年），请用 lcqy check 检查。")
    rows, n, d, cal = [], 0, first, ctx.cal
    while d <= last:
        n += cal.is_workday(d)
        rows.append((d.isoformat(), n))
        d += timedelta(days=1)
    db.execute("CREATE TEMP TABLE IF NOT EXISTS wdn (day TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    db.execute("DELETE FROM temp.wdn")
    db.executemany("INSERT INTO temp.wdn VALUES (?, ?)", rows)


# The snapshot's rows without storing them: the totals of a day needed once (the month before).
_SNAP_SELECT = (
    " UNION ALL ".join(stmt.replace("INSERT INTO temp.snap", "").strip() for stmt in SNAPSHOT_SQL.split(";"))
    .replace("SELECT :a, 'reply'", "SELECT :a AS as_of, 'reply' AS kind")
    .replace("wa.n - wdue.n, wa.n - wrec.n", "wa.n - wdue.n AS days_late, wa.n - wrec.n")
)


def _has_snapshot(ctx: Ctx, a: str) -> bool:
    db = ctx.ledger.conn
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS snap ({SNAP_COLUMNS})")
    return db.execute("SELECT 1 FROM temp.snap WHERE as_of = ? LIMIT 1", [a]).fetchone() is not None


def snapshot(ctx: Ctx, as_of: date) -> str:
    """Fill temp.snap for the day once (open dispatches and cases late for dispatch); the day's
    ISO text, for the queries on it."""
    db, a = ctx.ledger.conn, as_of.isoformat()
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS snap ({SNAP_COLUMNS})")
    if not db.execute("SELECT 1 FROM temp.snap WHERE as_of = ? LIMIT 1", [a]).fetchone():
        for stmt in SNAPSHOT_SQL.split(";"):
            db.execute(stmt, {"a": a})
        db.execute("INSERT INTO temp.snap (as_of, kind) VALUES (?, 'done')", [a])  # an empty day too
    return a


def counts(ctx: Ctx, p: Period, by: str | None = None) -> dict[str, dict]:
    """key -> the raw counts of lcqy.rules.figures.COUNTS for the period, grouped by `by`
    (None: one group ''). Needs the working-day table (working_day_table)."""
    params = {"s": p.start.isoformat(), "e": p.end.isoformat(), "a": p.as_of.isoformat()}
    out: dict[str, dict] = {}
    for frm, date_col, measures, c_join, d_join in QUERIES.values():
        key = _key_expr(by, date_col)
        if key is None:
            continue
        # The joins a grouping needs (the dispatch's own case when grouped by category, …).
        frm = frm.format(c=c_join if by in ("category", "channel") else "", d=d_join if by == "dept" else "")
        if by == "dept" and "dispatches d" not in frm:
            key = "''"
        cols = ", ".join(f"{expr} AS {name}" for name, expr in measures.items())
        for row in ctx.ledger.conn.execute(f"SELECT {key} AS k, {cols} {frm} GROUP BY 1", params):
            group = out.setdefault(row[0] or "", {})
            for name, value in zip(measures, row[1:]):
                group[name] = group.get(name, 0) + (value or 0)
    if by != "month":
        a = p.as_of.isoformat()
        key = "''" if by is None else "lead_dept" if by == "dept" else by
        table = "temp.snap" if by is not None or _has_snapshot(ctx, a) else f"({_SNAP_SELECT})"
        sql = (
            f"SELECT {key}, sum(kind = 'dispatch'), sum(kind = 'reply') FROM {table} "
            "WHERE as_of = :a AND days_late > 0 GROUP BY 1"
        )
        if table == "temp.snap":
            snapshot(ctx, p.as_of)
        for k, late_dispatch, late_reply in ctx.ledger.conn.execute(sql, {"a": a}):
            group = out.setdefault(k or "", {})
            group["late_dispatch"], group["late_reply"] = late_dispatch, late_reply
    return out


def late_rows(ctx: Ctx, as_of: date, limit: int | None = None) -> list[dict]:
    """Cases late as of the day, worst first: kind 'dispatch' (not dispatched) or 'reply'."""
    a = snapshot(ctx, as_of)
    cur = ctx.ledger.conn.execute(
        "SELECT kind, lead_dept, category, channel, reg_no, reg_year, reg_seq, enterprise, due, days_late "
        "FROM temp.snap WHERE as_of = ? AND days_late > 0 ORDER BY days_late DESC, reg_year, reg_seq LIMIT ?",
        [a, -1 if limit is None else limit],
    )
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]


def late_by_dept(ctx: Ctx, as_of: date, more_than: int) -> list[dict]:
    """Per lead department, its dispatches unanswered more than `more_than` working days late."""
    a = snapshot(ctx, as_of)
    cur = ctx.ledger.conn.execute(
        "SELECT lead_dept, count(*), max(days_late) FROM temp.snap "
        "WHERE as_of = ? AND kind = 'reply' AND days_late > ? GROUP BY lead_dept",
        [a, more_than],
    )
    return [{"lead_dept": d, "cases": n, "max_days_late": m} for d, n, m in cur]


def urged_rows(ctx: Ctx, p: Period, at_least: int) -> list[dict]:
    cur = ctx.ledger.conn.execute(
        URGED_SQL, {"s": p.start.isoformat(), "a": p.as_of.isoformat(), "k": max(1, at_least)}
    )
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]


def _order(by: str, keys: list[str], ctx: Ctx) -> list[str]:
    if by == "category":
        fixed = list(CATEGORIES)
    elif by == "channel":
        fixed = list(CHANNELS)
    elif by == "dept":
        fixed = [r[0] for r in ctx.ledger.conn.execute("SELECT name FROM departments ORDER BY rowid")]
    else:
        fixed = sorted(keys)
    rest = sorted(k for k in keys if k not in fixed)
    return [k for k in fixed if k in keys] + rest


def grouped(ctx: Ctx, p: Period, by: str) -> list[dict]:
    """One row per group with every count and rate (lcqy.rules.figures.derive); departments
    also get the longest open case as of the day."""
    if by not in GROUPINGS:
        raise LcqyError(f"分组（--by）只能是：{'、'.join(GROUPINGS)}（承办单位、问题类别、反映形式、月份）。")
    raw = counts(ctx, p, by)
    longest: dict[str, tuple] = {}
    if by == "dept":
        # SQLite takes the bare columns from the row holding the max().
        sql = (
            "SELECT lead_dept, max(days_open), reg_no FROM temp.snap WHERE as_of = ? AND kind = 'reply' "
            "GROUP BY lead_dept"
        )
        longest = {d: (n, no) for d, n, no in ctx.ledger.conn.execute(sql, [snapshot(ctx, p.as_of)])}
    rows = []
    for key in _order(by, list(raw), ctx):
        row = {"key": key or (ESCALATED_DEPT if by == "dept" else "（未分）"), **derive(raw[key])}
        if by == "dept":
            days, no = longest.get(key, (None, None))
            row["longest_open_case"], row["longest_open_workdays"] = no, days
        rows.append(row)
    return rows


def totals(ctx: Ctx, p: Period) -> dict:
    return derive(counts(ctx, p).get("", {}))


def received_breakdown(ctx: Ctx, *periods: Period) -> list[dict[str, dict[str, int]]]:
    """Received by category and by channel in each period, every category and channel listed
    (0 where none): one pass over the days the periods span."""
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    rows = ctx.ledger.conn.execute(
        "SELECT accepted_on, category, channel, count(*) FROM cases WHERE accepted_on BETWEEN ? AND ? "
        "AND state NOT IN ('void', 'merged') GROUP BY 1, 2, 3",
        [start.isoformat(), end.isoformat()],
    ).fetchall()
    out = []
    for p in periods:
        s, e = p.start.isoformat(), p.end.isoformat()
        got: dict[str, dict[str, int]] = {"category": {}, "channel": {}}
        for day, category, channel, n in rows:
            if s <= day <= e:
                got["category"][category] = got["category"].get(category, 0) + n
                got["channel"][channel] = got["channel"].get(channel, 0) + n
        out.append(
            {
                k: {name: got[k].get(name, 0) for name in fixed} | {n: v for n, v in got[k].items() if n not in fixed}
                for k, fixed in (("category", CATEGORIES), ("channel", CHANNELS))
            }
        )
    return out
