"""What was late on a given day (the month's end of the 简报, the as-of day of `stats`).

The snapshot of a day is kept in a temporary table (the ledger file is untouched): every
dispatch still unanswered then and every case still awaiting dispatch then, each with its
working days late and its case's category (counted by category without a look-up). "Still …
then" is the stored end of each span (migration 14), so a day's snapshot is an index range, not
a look-up per dispatch ever made; the open dispatches are read from that range alone (the spans
carry what is read of the dispatch, migration 24), each case waiting from a narrow index by id,
not its wide row. The case's own columns (number, enterprise) are read only for the rows shown.
Needs the working-day table (lcqy.acts.figures.counts.working_day_table).
"""

from __future__ import annotations

from datetime import date

from lcqy.acts.context import Ctx
from lcqy.rules.figures import Period

# Open dispatches: dispatched by the day, neither answered nor returned by then. Cases late for
# dispatch: accepted by the day, not ended, dispatched, escalated or sent to the special
# meeting by then, past the dispatch limit (a case that never left the ledger counts once).
OPEN_FROM = """
FROM dispatch_spans s INDEXED BY dispatch_spans_open_all
CROSS JOIN wdn wdue ON wdue.day = s.due_current JOIN wdn wrec ON wrec.day = s.received_on
JOIN wdn wa ON wa.day = :a
WHERE s.open_until > :a AND s.dispatched_on <= :a"""
OPEN_SQL = (
    "SELECT :a, 'reply', s.lead_dept, s.case_id, s.id, s.dispatched_on, s.due_current, wa.n - wdue.n AS days_late, "
    "wa.n - wrec.n, s.category" + OPEN_FROM
)
WAITING_FROM = """
FROM case_spans s CROSS JOIN cases c INDEXED BY cases_figures_waiting ON c.id = s.id
JOIN wdn wdue ON wdue.day = c.dispatch_due JOIN wdn wa ON wa.day = :a
WHERE s.undispatched_until > :a AND c.accepted_on <= :a AND c.dispatch_due < :a
  AND c.state NOT IN ('void', 'merged') AND wa.n > wdue.n"""
WAITING_SQL = (
    "SELECT :a, 'dispatch', '', c.id, NULL, NULL, c.dispatch_due, wa.n - wdue.n AS days_late, NULL, c.category"
    + WAITING_FROM
)
SNAP_COLUMNS = "as_of, kind, lead_dept, case_id, dispatch_id, dispatched_on, due, days_late, days_open, category"


def snapshot(ctx: Ctx, as_of: date) -> str:
    """Fill temp.snap for the day once; the day's ISO text, for the queries on it."""
    db, a = ctx.ledger.conn, as_of.isoformat()
    db.execute(f"CREATE TEMP TABLE IF NOT EXISTS snap ({SNAP_COLUMNS})")
    if not db.execute("SELECT 1 FROM temp.snap WHERE as_of = ? LIMIT 1", [a]).fetchone():
        for select in (OPEN_SQL, WAITING_SQL):
            db.execute(f"INSERT INTO temp.snap {select}", {"a": a})
        db.execute("INSERT INTO temp.snap (as_of, kind) VALUES (?, 'done')", [a])  # an empty day too
    return a


def _has_snapshot(ctx: Ctx, as_of: date) -> bool:
    db = ctx.ledger.conn
    if not db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'snap'").fetchone():
        return False
    return db.execute("SELECT 1 FROM temp.snap WHERE as_of = ? LIMIT 1", [as_of.isoformat()]).fetchone() is not None


# The 简报's day (day_late): the cases waiting late, each (a few tens of thousands at 1,000,000
# cases), and the open dispatches counted per lead department and working days late (170,000
# rows at a month's end, a few thousand counts), from which the late counts, the departments to
# name and the worst cases listed are read; the worst open dispatches are those of the earliest
# limits, found from the index of the open dispatches without the working-day table.
LATE_TABLES = (
    "CREATE TEMP TABLE IF NOT EXISTS late_open (as_of, lead_dept, days_late, n)",
    "CREATE TEMP TABLE IF NOT EXISTS late_waiting (as_of, case_id, due, days_late)",
)


def day_late(ctx: Ctx, as_of: date) -> None:
    """Fill the 简报's day once (an empty day too: a row of no department and no count)."""
    db, a = ctx.ledger.conn, {"a": as_of.isoformat()}
    for sql in LATE_TABLES:
        db.execute(sql)
    if not _has_day_late(ctx, as_of):
        db.execute(
            f"INSERT INTO temp.late_open SELECT :a, s.lead_dept, wa.n - wdue.n, count(*) {OPEN_FROM} GROUP BY 2, 3", a
        )
        db.execute(f"INSERT INTO temp.late_waiting SELECT :a, c.id, c.dispatch_due, wa.n - wdue.n {WAITING_FROM}", a)
        db.execute("INSERT INTO temp.late_open VALUES (:a, NULL, NULL, 0)", a)


def _has_day_late(ctx: Ctx, as_of: date) -> bool:
    db = ctx.ledger.conn
    if not db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'late_open'").fetchone():
        return False
    return (
        db.execute("SELECT 1 FROM temp.late_open WHERE as_of = ? LIMIT 1", [as_of.isoformat()]).fetchone() is not None
    )


# Both kinds of the day as one table: (kind, lead_dept, days_late, n)
_DAY_LATE = (
    "(SELECT 'reply' AS kind, lead_dept, days_late, n FROM temp.late_open WHERE as_of = :a AND n > 0 "
    "UNION ALL SELECT 'dispatch', '', days_late, count(*) FROM temp.late_waiting WHERE as_of = :a GROUP BY 3)"
)


def late_counts(ctx: Ctx, as_of: date, by: str | None) -> list[tuple[str, int, int]]:
    """(group, late for dispatch, late for reply) as of the day, grouped like lcqy.acts.figures.counts.
    The totals of a day with no snapshot (the 简报's month before) are counted without making one."""
    if by in (None, "dept") and _has_day_late(ctx, as_of):
        key = "lead_dept" if by == "dept" else "''"
        rows = ctx.ledger.conn.execute(
            f"SELECT {key}, sum(CASE WHEN kind = 'dispatch' THEN n ELSE 0 END), "
            f"sum(CASE WHEN kind = 'reply' THEN n ELSE 0 END) FROM {_DAY_LATE} WHERE days_late > 0"
            + ("" if by is None else " GROUP BY 1"),
            {"a": as_of.isoformat()},
        ).fetchall()
        return [r for r in rows if r[1] is not None]  # one group (by None): no row for none, as grouped
    if by in _DIRECT_KEYS and not _has_snapshot(ctx, as_of):
        return _late_direct(ctx, as_of, by)
    a = snapshot(ctx, as_of)
    if by == "channel":
        key, frm = f"c.{by}", "temp.snap s JOIN cases c INDEXED BY cases_figures ON c.id = s.case_id"
    elif by == "category":  # kept with each row, not looked up
        key, frm = "s.category", "temp.snap s"
    else:
        key, frm = ("s.lead_dept" if by == "dept" else "''"), "temp.snap s"
    sql = (
        f"SELECT {key}, sum(s.kind = 'dispatch'), sum(s.kind = 'reply') FROM {frm} "
        "WHERE s.as_of = :a AND s.days_late > 0" + ("" if by is None else " GROUP BY 1")
    )
    rows = ctx.ledger.conn.execute(sql, {"a": a}).fetchall()
    return [r for r in rows if r[1] is not None]  # one group (by None): no row for none, as grouped


# Without a snapshot (`stats`), the day's late counts by department or category are one pass
# over the open dispatches and one over the cases waiting, not a table written and read twice;
# by department the same pass finds each one's longest open dispatch (longest_open): of equals
# the one dispatched first, then the lowest id, so the largest of this number (working days
# open, then the day dispatched and the id, reversed) picks it, and its case comes with it.
_DIRECT_KEYS = {None: ("''", "''"), "dept": ("s.lead_dept", "''"), "category": ("s.category", "c.category")}
_OPEN_RANK = (
    "(wa.n - wrec.n) * 17592186044416 - (CAST(julianday(s.dispatched_on) AS INTEGER) - 2400000) * 134217728 - s.id"
)


def _late_direct(ctx: Ctx, as_of: date, by: str | None) -> list[tuple[str, int, int]]:
    db, a = ctx.ledger.conn, {"a": as_of.isoformat()}
    open_key, waiting_key = _DIRECT_KEYS[by]
    late: dict = {}
    for k, n in db.execute(f"SELECT {waiting_key}, count(*) {WAITING_FROM} GROUP BY 1", a):
        late[k] = [n, 0]
    rank = f", max({_OPEN_RANK}), s.case_id" if by == "dept" else ""
    longest = []
    for k, n, *top in db.execute(f"SELECT {open_key}, sum(wa.n - wdue.n > 0){rank} {OPEN_FROM} GROUP BY 1", a):
        late.setdefault(k, [0, 0])[1] = n
        if top and k is not None:
            longest.append((a["a"], k, (top[0] + (1 << 44) - 1) >> 44, top[1]))
    if by == "dept":
        db.execute("CREATE TEMP TABLE IF NOT EXISTS open_longest (as_of, lead_dept, days_open, case_id)")
        db.executemany("INSERT INTO temp.open_longest VALUES (?, ?, ?, ?)", [*longest, (a["a"], None, None, None)])
    return [(k, d, r) for k, (d, r) in late.items() if d or r]


def _longest_kept(ctx: Ctx, as_of: date) -> list[tuple] | None:
    db = ctx.ledger.conn
    if not db.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'open_longest'").fetchone():
        return None
    rows = db.execute(
        "SELECT lead_dept, days_open, case_id FROM temp.open_longest WHERE as_of = ?", [as_of.isoformat()]
    ).fetchall()
    return [r for r in rows if r[0] is not None] if rows else None


def late_rows(ctx: Ctx, as_of: date, limit: int | None = None) -> list[dict]:
    """Cases late as of the day, worst first: kind 'dispatch' (not dispatched) or 'reply'."""
    if _has_day_late(ctx, as_of):
        return _late_rows_of_day(ctx, as_of, limit)
    a = snapshot(ctx, as_of)
    db = ctx.ledger.conn
    floor = 1
    if limit is not None:  # only rows that can make the list are joined to their case
        got = db.execute(
            "SELECT days_late FROM temp.snap WHERE as_of = ? AND days_late > 0 "
            "ORDER BY days_late DESC LIMIT 1 OFFSET ?",
            [a, max(limit - 1, 0)],
        ).fetchone()
        floor = max(1, got[0]) if got else 1
    cur = db.execute(
        "SELECT s.kind, s.lead_dept, c.category, c.channel, c.reg_no, c.reg_year, c.reg_seq, c.enterprise, s.due, "
        "s.days_late FROM temp.snap s JOIN cases c ON c.id = s.case_id WHERE s.as_of = ? AND s.days_late >= ? "
        "ORDER BY s.days_late DESC, c.reg_year, c.reg_seq LIMIT ?",
        [a, floor, -1 if limit is None else limit],
    )
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]


def _late_rows_of_day(ctx: Ctx, as_of: date, limit: int | None) -> list[dict]:
    """late_rows from the 简报's day: the worst `limit` have at least the floor's working days
    late; an open dispatch that late has its limit by the last day that many working days
    before the day (the working-day number grows with the day)."""
    db, a = ctx.ledger.conn, {"a": as_of.isoformat()}
    floor = 1
    if limit is not None:
        seen = 0
        for days_late, n in db.execute(
            f"SELECT days_late, sum(n) FROM {_DAY_LATE} WHERE days_late > 0 GROUP BY 1 ORDER BY 1 DESC", a
        ):
            seen += n
            if seen >= max(limit, 1):
                floor = max(1, days_late)
                break
    (last_due,) = db.execute(
        "SELECT max(day) FROM wdn WHERE n <= (SELECT n FROM wdn WHERE day = :a) - :f", {**a, "f": floor}
    ).fetchone()
    cur = db.execute(
        "SELECT s.kind, s.lead_dept, c.category, c.channel, c.reg_no, c.reg_year, c.reg_seq, c.enterprise, s.due, "
        "s.days_late FROM (SELECT 'reply' AS kind, s.lead_dept, s.case_id, s.due_current AS due, "
        f"wa.n - wdue.n AS days_late {OPEN_FROM} AND s.due_current <= :last "
        "UNION ALL SELECT 'dispatch', '', case_id, due, days_late FROM temp.late_waiting WHERE as_of = :a) s "
        "JOIN cases c ON c.id = s.case_id WHERE s.days_late >= :f "
        "ORDER BY s.days_late DESC, c.reg_year, c.reg_seq LIMIT :k",
        {**a, "f": floor, "last": last_due or "", "k": -1 if limit is None else limit},
    )
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]


def late_by_dept(ctx: Ctx, as_of: date, more_than: int) -> list[dict]:
    """Per lead department, its dispatches unanswered more than `more_than` working days late."""
    if _has_day_late(ctx, as_of):
        cur = ctx.ledger.conn.execute(
            "SELECT lead_dept, sum(n), max(days_late) FROM temp.late_open "
            "WHERE as_of = ? AND n > 0 AND days_late > ? GROUP BY lead_dept",
            [as_of.isoformat(), more_than],
        )
        return [{"lead_dept": d, "cases": n, "max_days_late": m} for d, n, m in cur]
    a = snapshot(ctx, as_of)
    cur = ctx.ledger.conn.execute(
        "SELECT lead_dept, count(*), max(days_late) FROM temp.snap "
        "WHERE as_of = ? AND kind = 'reply' AND days_late > ? GROUP BY lead_dept",
        [a, more_than],
    )
    return [{"lead_dept": d, "cases": n, "max_days_late": m} for d, n, m in cur]


def longest_open(ctx: Ctx, as_of: date) -> dict[str, tuple[int, str]]:
    """Per lead department, its dispatch open longest on the day: (working days, 登记编号); of
    equals, the one dispatched first."""
    rows = _longest_kept(ctx, as_of)
    if rows is not None:
        return _numbered(ctx, rows)
    a = snapshot(ctx, as_of)
    # Each department's longest first (one GROUP BY), then only its rows that long are ordered:
    # a window over every open dispatch sorted them all (0.3 s at 1,000,000 cases).
    sql = (
        "SELECT s.lead_dept, s.days_open, s.case_id FROM temp.snap s JOIN (SELECT lead_dept, max(days_open) AS m "
        "FROM temp.snap WHERE as_of = :a AND kind = 'reply' GROUP BY lead_dept) x "
        "ON s.lead_dept = x.lead_dept AND s.days_open = x.m WHERE s.as_of = :a AND s.kind = 'reply' "
        "ORDER BY s.dispatched_on DESC, s.dispatch_id DESC"
    )
    db = ctx.ledger.conn
    rows = list({d: (d, n, cid) for d, n, cid in db.execute(sql, {"a": a})}.values())  # the last: dispatched first
    return _numbered(ctx, rows)


def _numbered(ctx: Ctx, rows: list[tuple]) -> dict[str, tuple[int, str]]:
    db = ctx.ledger.conn
    numbers = dict(db.execute(f"SELECT id, reg_no FROM cases WHERE id IN ({','.join('?' * len(rows))})",
                              [r[2] for r in rows]))  # fmt: skip
    return {d: (n, numbers[cid]) for d, n, cid in rows}


# Dispatches urged more than once by the day, with at least one urge in the period (第二十三条).
# The urges are counted per dispatch first, so that only the dispatches urged in the period are
# read (their row and case's), not those of every urge up to the day (30,000 at 1,000,000 cases).
URGED_SQL = """
SELECT d.id AS dispatch_id, d.lead_dept, c.reg_no, c.reg_year, c.reg_seq, c.category,
       u.n + CASE WHEN d.level = '导入' THEN c.prior_urges ELSE 0 END AS urges,
       u.last AS last_urged
FROM (SELECT dispatch_id, count(*) AS n, max(urged_on) AS last FROM urges WHERE urged_on <= :a
      GROUP BY dispatch_id HAVING max(urged_on) >= :s) u
JOIN dispatches d ON d.id = u.dispatch_id JOIN cases c ON c.id = d.case_id
WHERE urges >= :k
ORDER BY urges DESC, c.reg_year, c.reg_seq, d.id
"""


def urged_rows(ctx: Ctx, p: Period, at_least: int) -> list[dict]:
    params = {"s": p.start.isoformat(), "a": p.as_of.isoformat(), "k": max(1, at_least)}
    cur = ctx.ledger.conn.execute(URGED_SQL, params)
    names = [c[0] for c in cur.description]
    return [dict(zip(names, r)) for r in cur]
