"""The counts behind the 简报 and the statistics, read with SQL aggregates.

What each count means is said once, in lcqy.rules.figures; here each is one SQL expression.
Every query is grouped by one key (nothing, lead department, category, channel, or the month
of the act's own date), so one set of queries serves the report and every `stats --by`.
Working days come from a temporary table day -> working days since a fixed start, so that
"working days between" is a subtraction inside SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from lcqy.acts.context import Ctx
from lcqy.acts.figures import days
from lcqy.acts.figures import snapshot as snap
from lcqy.errors import LcqyError
from lcqy.rules.constants import CATEGORIES, CHANNELS
from lcqy.rules.figures import Period, derive

GROUPINGS = ("dept", "category", "channel", "month")
GROUP_LABELS = {"dept": "承办单位", "category": "问题类别", "channel": "反映形式", "month": "月份"}
ESCALATED_DEPT = "（转报上级）"

# The lead department of a case that has no dispatch in the row itself: its latest active one.
# The row found is the one of the id alone; the case and status, equal on it, let its lead
# department be read from the index (migration 16's dispatches_active_lead), not the wide row.
_CASE_DEPT = (
    "LEFT JOIN dispatches d INDEXED BY dispatches_active_lead ON d.case_id = c.id AND d.status = 'active' "
    "AND d.id = (SELECT max(id) FROM dispatches WHERE case_id = c.id AND status = 'active')"
)
# The case's category and channel from a narrow index (migration 20), not its wide row.
_CASES = "JOIN cases c INDEXED BY cases_figures ON c.id = {}"
# An act's dispatch, for its lead department only: from a narrow index (migration 20).
_DISPATCH = "{} JOIN dispatches d INDEXED BY dispatches_figures_lead ON d.id = {}"
# Grouped by department (or the cases by category) over a long period, the rows are read in the
# group's order from an index of migration 24, so that GROUP BY needs no sorter (at 1,000,000
# cases the year's 700,000 dispatches sorted took 0.35 s). A short period is a short range of a date index, whose rows
# sort cheaply, where the department index would be read whole.
LONG_PERIOD_DAYS = 92
# A dispatch's span with the working-day table at its first reply and at its limit; a first
# reply's working days from receipt.
_DUE_SPAN = (
    "LEFT JOIN dispatch_spans s ON s.id = d.id "
    "LEFT JOIN wdn wf ON wf.day = s.first_reply_on LEFT JOIN wdn wdue ON wdue.day = d.due_current"
)
_WDN_REPLY = "LEFT JOIN wdn wr ON wr.day = s.first_reply_on LEFT JOIN wdn wd ON wd.day = s.received_on"


_REPLY_MEASURES = {
    "replies": "1",
    "reply_a": "r.result = 'A'",
    "reply_b": "r.result = 'B'",
    "reply_c": "r.result = 'C'",
    "replies_followed": "EXISTS (SELECT 1 FROM followups f WHERE f.reply_id = r.id AND f.followed_on <= :a)",
}


def _replies_in_order(**other: str) -> dict[str, tuple]:
    """Replies from migration 24's side table (same ids): by department or category in the
    order of either, or their totals by day; `other` the fields that read its carried columns."""
    return {
        by: (f"FROM reply_keys r INDEXED BY reply_keys_{index}", key, other)
        for by, index, key in (("dept", "dept", "r.lead_dept"), ("category", "category", "r.category"),
                               ("total", "day", None))
    }  # fmt: skip


def _due_in_order(by: str) -> tuple:
    """Dispatches fallen due, grouped by department or category over a long period, or their
    totals ("total", any period): read from the spans alone, which carry the dispatch's limit
    and status and both keys (migration 24)."""
    index = "dispatch_spans_due" if by == "total" else f"dispatch_spans_due_{by}"
    frm = (
        f"FROM dispatch_spans s INDEXED BY {index} "
        "LEFT JOIN wdn wf ON wf.day = s.first_reply_on LEFT JOIN wdn wdue ON wdue.day = s.due_current"
    )
    when = "s.due_current <= min(:e, :a) AND (s.due_current < :a OR s.answered_on <= :a)"
    key = {"dept": "s.lead_dept", "category": "s.category"}.get(by)
    return frm, key, {"date": "s.due_current", "where": "s.status <> 'returned'", "when": when}


# 按期办结 as the calendar judges it: days.ON_TIME_SQL (kept there, where the day counts use it too).
ON_TIME_SQL = days.ON_TIME_SQL


@dataclass(frozen=True)
class Query:
    """Rows counted once per period they fall in: `date` (the act's own date) in [:s, :e] and
    `when` (anything else that depends on the period: :s, :e, or :a the as-of day); `where`
    holds for every period. Each measure is summed over the rows (1 counts them). {c} and {d}
    in `frm` take the joins that bring in the case (c) and the dispatch (d) when the grouping
    needs them; the totals count the rows without joins."""

    frm: str
    date: str
    measures: dict[str, str]
    where: str = ""
    when: str = ""
    c_join: str = ""
    d_join: str = ""
    # grouping -> (FROM, key[, other fields]) over a long period: the rows in the group's order
    # from an index, the key without a look-up ("total": the totals, no key, every period)
    ordered: dict[str, tuple] = field(default_factory=dict)


QUERIES: dict[str, Query] = {
    "received": Query(
        "FROM cases c",
        "c.accepted_on",
        {"received": "1"},
        "c.state NOT IN ('void', 'merged')",
        ordered={"category": ("FROM cases c INDEXED BY cases_figures_category", "c.category")},
    ),
    "ended": Query(
        "FROM cases c {d}",
        "c.ended_on",
        {"rejected": "c.state = 'rejected'", "forwarded": "c.state = 'forwarded'", "closed": "c.state = 'closed'"},
        d_join=_CASE_DEPT,
        # lead_now is the lead department of the latest active dispatch, what _CASE_DEPT finds
        ordered={
            "dept": ("FROM cases c INDEXED BY cases_figures_ended_dept", "c.lead_now"),
            "category": ("FROM cases c INDEXED BY cases_figures_ended_category", "c.category"),
        },
    ),
    "dispatched": Query(
        "FROM dispatches d {c}",
        "d.dispatched_on",
        {
            "dispatched": "1",
            "dispatched_on_time": "d.late = 0",
            "extended": "d.due_current <> d.due_original",
            "over_limit": "d.override_reason <> ''",
        },
        c_join=_CASES.format("d.case_id"),
        ordered={
            "dept": ("FROM dispatches d INDEXED BY dispatches_figures_dept", "d.lead_dept"),
            # the spans carry these columns of the dispatch and its case's category (migration 24)
            "category": ("FROM dispatch_spans d INDEXED BY dispatch_spans_dispatched_category", "d.category"),
        },
    ),
    "returned": Query(
        "FROM dispatches d {c}",
        "d.returned_on",
        {"returned": "1"},
        "d.status = 'returned'",
        c_join=_CASES.format("d.case_id"),
    ),
    "escalated": Query(
        "FROM escalations x {c}",
        "x.escalated_on",
        {"escalated": "1", "escalated_on_time": "x.late = 0"},
        c_join=_CASES.format("x.case_id"),
    ),
    # Fell due: the dispatch's limit (as extended) is in the period and not after the as-of day;
    # one due on the as-of day itself counts only once it has a reply. 退单 dispatches do not count;
    # one re-issued to another department (redispatch, status 'replaced') counts like any other.
    # 按期办结: its first reply (migration 14 keeps which it is), by the as-of day, not late:
    # lcqy.rules.lateness.days_late in SQL (no working day after the 办结时限 up to the reply),
    # judged from the dates, not from the number stored with the reply (but for an imported one).
    "due": Query(
        "FROM dispatches d {c} " + _DUE_SPAN,
        "d.due_current",
        {"fell_due": "1", "due_on_time": ON_TIME_SQL},
        "d.status <> 'returned'",
        "d.due_current <= min(:e, :a) AND (d.due_current < :a OR s.answered_on <= :a)",
        c_join=_CASES.format("d.case_id"),
        ordered={by: _due_in_order(by) for by in ("dept", "category", "total")},
    ),
    "replies": Query(
        "FROM replies r {c} {d}",
        "r.replied_on",
        _REPLY_MEASURES,
        c_join=_CASES.format("r.case_id"),
        d_join=_DISPATCH.format("LEFT", "r.dispatch_id"),
        # followed up by the day: its first follow-up by then
        ordered=_replies_in_order(measures=_REPLY_MEASURES | {"replies_followed": "r.followed_on <= :a"}),
    ),
    # The first reply to each dispatch (by the reply's own date) and its working days from receipt.
    "first_replies": Query(
        "FROM dispatch_spans s {c} {d} " + _WDN_REPLY,
        "s.first_reply_on",
        {"first_replies": "1", "reply_workdays": "wr.n - wd.n"},
        c_join=_CASES.format("s.case_id"),
        d_join=_DISPATCH.format("", "s.id"),
        ordered={
            by: (f"FROM dispatch_spans s INDEXED BY dispatch_spans_{by} {_WDN_REPLY}", f"s.{key}")
            for by, key in (("dept", "lead_dept"), ("category", "category"))
        },
    ),
    # 解决率: each case with a reply in the period, judged by its latest reply up to the period's end.
    "latest": Query(
        "FROM replies r {c} {d}",
        "r.replied_on",
        {"latest": "1", "latest_a": "r.result = 'A'"},
        when="NOT EXISTS (SELECT 1 FROM replies y WHERE y.case_id = r.case_id AND y.id > r.id AND y.replied_on <= :e)",
        c_join=_CASES.format("r.case_id"),
        d_join=_DISPATCH.format("LEFT", "r.dispatch_id"),
        # the latest up to the period's end: none of its case's later replies came by then
        ordered=_replies_in_order(when="(r.next_on IS NULL OR r.next_on > :e)"),
    ),
    "followups": Query(
        "FROM followups f {c} {d}",
        "f.followed_on",
        {"followups": "1", "satisfied": "f.satisfaction IN ('满意', '基本满意')"},
        c_join=_CASES.format("f.case_id"),
        d_join="JOIN replies r ON r.id = f.reply_id " + _DISPATCH.format("LEFT", "r.dispatch_id"),
        ordered={
            by: (f"FROM followup_keys f INDEXED BY followup_keys_{by}", f"f.{key}")
            for by, key in (("dept", "lead_dept"), ("category", "category"))
        },
    ),
    "urges": Query(
        "FROM urges u {c} {d}",
        "u.urged_on",
        {"urges": "u.kind = '催办'", "supervision_urges": "u.kind <> '催办'"},
        c_join=_CASES.format("u.case_id"),
        d_join=_DISPATCH.format("LEFT", "u.dispatch_id"),
    ),
    "supervised": Query(
        "FROM events e {c} {d}",
        "e.act_on",
        {"supervised": "1", "special": "json_extract(e.detail, '$.after') = 'special'"},
        "e.action = 'supervision' AND json_extract(e.detail, '$.after') IN ('ledger', 'special')",
        c_join=_CASES.format("e.case_id"),
        d_join=_CASES.format("e.case_id") + " " + _CASE_DEPT,
    ),
}

# As of the day: the case's latest supervision mark up to then is 专项督办 and it is not closed.
SPECIAL_OPEN = (
    "FROM (SELECT case_id, max(id) AS id FROM events WHERE action = 'supervision' AND act_on <= :a "
    "GROUP BY case_id) s JOIN events e ON e.id = s.id JOIN cases c ON c.id = s.case_id "
    "{d} WHERE json_extract(e.detail, '$.after') = 'special' "
    "AND (c.ended_on IS NULL OR c.ended_on > :a)"
)


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


def _sql(q: Query, key: str | None, frm: str) -> str:
    """No key (None): a plain aggregate with the rows counted, no GROUP BY (which SQLite answers
    with a sorter even on a constant key)."""
    where = " AND ".join(x for x in (q.where, f"{q.date} BETWEEN :s AND :e", q.when) if x)
    cols = ", ".join(f"sum({v})" for v in q.measures.values())
    if key is None:
        return f"SELECT '', {cols}, count(*) {frm} WHERE {where}"
    return f"SELECT {key} AS k, {cols}, 1 {frm} WHERE {where} GROUP BY 1"


def in_order_sql(q: Query, by: str) -> str:
    """The query grouped by `by` over a long period, read in the group's order (Query.ordered)."""
    frm, key, *other = q.ordered[by]
    return _sql(replace(q, **(other[0] if other else {})), key, frm)


def counts_for(ctx: Ctx, periods: list[Period], by: str | None = None) -> list[dict[str, dict]]:
    """Per period, key -> the raw counts of lcqy.rules.figures.COUNTS, grouped by `by` (None:
    one group ''). What is as of a day (late now, 专项督办 open) is read once per day the
    periods share. Needs the working-day table (working_day_table)."""
    outs: list[dict[str, dict]] = [{} for _ in periods]

    def add(i: int, k: str | None, names, values) -> None:
        group = outs[i].setdefault(k or "", {})
        for name, value in zip(names, values):
            group[name] = group.get(name, 0) + (value or 0)

    db = ctx.ledger.conn
    for name, q in QUERIES.items():
        key = _key_expr(by, q.date)
        # The joins a grouping needs (the dispatch's own case when grouped by category, …).
        frm = q.frm.format(c=q.c_join if by in ("category", "channel") else "", d=q.d_join if by == "dept" else "")
        if by == "dept" and "dispatches d" not in frm:
            key = "''"
        sql = _sql(q, None if key == "''" else key, frm)
        if by is None and "total" in q.ordered:  # a date index of its own: every period
            sql = in_order_sql(q, "total")
        ordered = in_order_sql(q, by) if by in q.ordered else None
        # Each period is its own index range: one pass over their union, summing per period
        # in CASE, measured slower (the short periods' ranges cost little; the CASE per row
        # and period more).
        for i, p in enumerate(periods):
            long = (p.end - p.start).days > LONG_PERIOD_DAYS
            if (long or name in days.ANY_PERIOD) and name in days.SOURCES and by in days.GROUPINGS:
                got = days.rows(db, name, by, _params(p), lambda params, sql=sql: db.execute(sql, params))
                if got is not None:
                    for k, *values in got:
                        add(i, k, q.measures, values)
                    continue
            long = ordered and long
            for *row, n in db.execute(ordered if long else sql, _params(p)):
                if n:  # a plain aggregate over no rows: no group, as a grouped one gives
                    add(i, row[0], q.measures, row[1:])
    if by == "month":  # late-now and 专项督办-open are a day's state, not a month's act
        return outs
    for a in sorted({p.as_of for p in periods}):
        key = _key_expr(by, "-")
        frm = SPECIAL_OPEN.format(d=_CASE_DEPT if by == "dept" else "")
        tail = "" if by is None else " GROUP BY 1"  # one group: a plain count, no sorter
        special = db.execute(f"SELECT {key}, count(*) {frm}{tail}", {"a": a.isoformat()}).fetchall()
        special = [r for r in special if r[1]]  # as a grouped count gives: no row for none
        late = snap.late_counts(ctx, a, by)
        for i, p in enumerate(periods):
            if p.as_of == a:
                for k, value in special:
                    add(i, k, ("special_open",), (value,))
                for k, late_dispatch, late_reply in late:
                    group = outs[i].setdefault(k or "", {})
                    group["late_dispatch"], group["late_reply"] = late_dispatch, late_reply
    return outs


def _params(p: Period) -> dict[str, str]:
    return {"s": p.start.isoformat(), "e": p.end.isoformat(), "a": p.as_of.isoformat()}


def counts(ctx: Ctx, p: Period, by: str | None = None) -> dict[str, dict]:
    return counts_for(ctx, [p], by)[0]


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


def grouped(ctx: Ctx, p: Period, by: str, *, longest_open: bool = True) -> list[dict]:
    """One row per group with every count and rate (lcqy.rules.figures.derive); departments
    also get the longest open case as of the day (unless not wanted: the 简报 does not show it)."""
    if by not in GROUPINGS:
        raise LcqyError(f"分组（--by）只能是：{'、'.join(GROUPINGS)}（承办单位、问题类别、反映形式、月份）。")
    raw = counts(ctx, p, by)
    longest: dict[str, tuple] = {}
    if by == "dept" and longest_open:
        longest = snap.longest_open(ctx, p.as_of)
    rows = []
    for key in _order(by, list(raw), ctx):
        row = {"key": key or (ESCALATED_DEPT if by == "dept" else "（未分）"), **derive(raw[key])}
        if by == "dept" and longest_open:
            days, no = longest.get(key, (None, None))
            row["longest_open_case"], row["longest_open_workdays"] = no, days
        rows.append(row)
    return rows


def totals(ctx: Ctx, p: Period) -> dict:
    return derive(counts(ctx, p).get("", {}))


def totals_for(ctx: Ctx, periods: list[Period]) -> list[dict]:
    """The totals of several periods (the 简报's month, year to date and month before) at once."""
    return [derive(c.get("", {})) for c in counts_for(ctx, periods)]


# The cases received (not void or merged) per day, category and channel, in that order: migration
# 27's day counts (one row each, with no department), not the cases themselves.
_RECEIVED_DAYS = (
    "SELECT day, category, channel, n FROM fig_days WHERE src = 'rcv' AND day BETWEEN {lo} AND {hi} AND n > 0"
)


def received_breakdown(ctx: Ctx, *periods: Period) -> list[dict[str, dict[str, int]]]:
    """Received by category and by channel in each period, every category and channel listed
    (0 where none): one pass over the days the periods span, summed per period in SQL."""
    params = {"lo": min(p.start for p in periods).isoformat(), "hi": max(p.end for p in periods).isoformat()}
    sums = []
    for i, p in enumerate(periods):
        params |= {f"s{i}": p.start.isoformat(), f"e{i}": p.end.isoformat()}
        sums.append(f"sum(CASE WHEN day BETWEEN :s{i} AND :e{i} THEN n END)")
    rows = ctx.ledger.conn.execute(
        f"SELECT category, channel, {', '.join(sums)} FROM ({_RECEIVED_DAYS.format(lo=':lo', hi=':hi')}) GROUP BY 1, 2",
        params,
    ).fetchall()
    if any(c not in CATEGORIES or ch not in CHANNELS for c, ch, *_ in rows):
        return _breakdown_in_order(ctx, periods)
    out = []
    for i in range(len(periods)):
        got = {"category": dict.fromkeys(CATEGORIES, 0), "channel": dict.fromkeys(CHANNELS, 0)}
        for category, channel, *n in rows:
            got["category"][category] += n[i] or 0
            got["channel"][channel] += n[i] or 0
        out.append(got)
    return out


def _breakdown_in_order(ctx: Ctx, periods) -> list[dict[str, dict[str, int]]]:
    """The same, for a ledger with categories or channels outside the lists (an imported one):
    those follow the listed ones in the order they first occur."""
    start, end = min(p.start for p in periods), max(p.end for p in periods)
    days = [start.isoformat(), end.isoformat()]
    rows = ctx.ledger.conn.execute(_RECEIVED_DAYS.format(lo="?", hi="?"), days).fetchall()
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
