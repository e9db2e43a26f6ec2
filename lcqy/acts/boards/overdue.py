"""The overdue board: late and soon-due items from several sources, worst first.

Built for 100,000 cases, where the board lists some 25,000 rows. It is read in SQL statements,
one after the other and all in one read transaction: what has a limit (open cases, read from an
index in the stretches between the few answered cases under 督办 due again, which go in
between), then what awaits a special meeting, then the escalations that went up late. Each row
is written by SQLite as one value in the form asked for (a JSON record, the table's cells), so
that Python only passes rows on: no per-row Python code.

Ordering by due date is the board's order for the first part: the working days late fall (or
stay) as the due date rises, and late rows (some days late) come before due-soon rows (none)."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from operator import itemgetter
from typing import NamedTuple

from lcqy.acts.boards import then
from lcqy.acts.boards.listing import ACTIVE_DISPATCH, DEPT_MATCH, label_sql
from lcqy.acts.boards.supervised import DUE_AGAIN_SQL
from lcqy.acts.common import require_dept
from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules.constants import STATES, SUPERVISION
from lcqy.rules.workdays import add_workdays, workdays_between


class Row(NamedTuple):
    """One row of the board; its fields, in this order, are the keys of `overdue --json`."""

    case: str
    reg_no: str
    enterprise: str
    category: str
    lead_dept: str
    kind: str
    due: str | None
    due_estimated: bool
    days_late: int
    urge_count: int
    status: str
    state: str
    reg_year: int
    reg_seq: int


# Every part of the board yields these columns, by these names; a view is an expression over
# them. `reason` says why a row is on the board, in one word a view can map: the state (registered,
# dispatched) or the supervision (ledger, special) of a late row, or soon, meeting, escalated.
# lead_now and urges_now are kept on the case by migration 16's triggers.
_COMMON = "c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.category, c.lead_now AS lead, c.urges_now AS urges"
_LATE_OR_SOON = "CASE WHEN l.late THEN 'late' ELSE 'soon' END"
_STATE = label_sql("c.state", STATES)
_OPEN_STATE = label_sql("c.state", {s: STATES[s] for s in ("registered", "dispatched")})  # the states with due_open
# A row's status for each reason: late rows are the 超期 count; "escalated" rows (late escalations
# already handed to the city) are shown apart from the clerk's own late items and not counted.
STATUS_OF = {r: "late" for r in ("registered", "dispatched", "ledger", "special")} | {
    "soon": "soon",
    "meeting": "waiting",
    "escalated": "escalated",
}

# Open cases past (or near) the limit for dispatch or for handling (migration 4's due_open):
# most of the board, read in due order from a covering index (migrations 15 and 16), between
# the bounds {range} sets.
_OPEN = f"""
SELECT c.due_open AS due, {_COMMON}, {_OPEN_STATE} AS kind, c.due_open_estimated AS est,
       coalesce(l.late, 0) AS late, {_LATE_OR_SOON} AS status, {_OPEN_STATE} AS state,
       iif(l.late, c.state, 'soon') AS reason
FROM cases c LEFT JOIN temp.board_late l ON l.day = c.due_open
WHERE {{range}} {{in_dept}}"""
_KEY = "(c.due_open, c.reg_year, c.reg_seq)"
# Each bound is an index range on (due_open, reg_year, reg_seq); a bound on due_open alone is
# always there, as the partial index asks.
_AFTER = f"{_KEY} > (:lo_due, :lo_year, :lo_seq)"
_BEFORE = f"c.due_open <= :hi_due AND {_KEY} < (:hi_due, :hi_year, :hi_seq)"

# Answered cases under 督办台帐 or 专项督办 past (or near) the date they are due again (a
# 专项督办 deadline set after the latest reply, else that reply's plan date).
_DUE_AGAIN = f"""
SELECT {DUE_AGAIN_SQL} AS due, {_COMMON}, {label_sql("c.supervision", SUPERVISION)} AS kind,
       CASE WHEN s.reply_id = r.id THEN s.due_estimated ELSE l.est END AS est,
       coalesce(l.late, 0) AS late, {_LATE_OR_SOON} AS status, '{STATES["replied"]}' AS state,
       iif(l.late, c.supervision, 'soon') AS reason
FROM cases c
JOIN replies r ON r.id = (SELECT max(id) FROM replies WHERE case_id = c.id)
LEFT JOIN supervisions s ON s.id = (SELECT max(id) FROM supervisions WHERE case_id = c.id)
LEFT JOIN temp.board_late l ON l.day = {DUE_AGAIN_SQL}
WHERE c.state = 'replied' AND c.supervision != '' AND {DUE_AGAIN_SQL} < :horizon {{in_dept}}"""

# Cases put to a special meeting (专题会议): waiting, never late.
_MEETING = f"""
SELECT NULL AS due, {_COMMON}, '待专题会议' AS kind, 0 AS est, 0 AS late, 'waiting' AS status, {_STATE} AS state,
       'meeting' AS reason
FROM cases c WHERE c.state = 'meeting' {{in_dept}}"""

# Escalations that went up after their limit, late by the working days from limit to escalation
# (counted in Python into temp.board_escalated: a few rows; CROSS JOIN keeps SQLite from
# walking every case to find them).
_ESCALATED = f"""
SELECT x.due, {_COMMON}, '转报超期' AS kind, 0 AS est, x.late, 'escalated' AS status, {_STATE} AS state,
       'escalated' AS reason
FROM temp.board_escalated x CROSS JOIN cases c ON c.id = x.case_id WHERE 1 {{in_dept}}"""

# {view} is one text expression over the columns above: the sqlite3 module's handing of each
# value to Python costs more than SQLite's whole work on a row, so a row comes as one value.
_TIMED = f"SELECT {{view}} AS record FROM ({_OPEN}) ORDER BY due, reg_year, reg_seq"
_AGAIN = f"SELECT {{view}} AS record, due, reg_year, reg_seq FROM ({_DUE_AGAIN}) ORDER BY due, reg_year, reg_seq"
_LATER = (
    f"SELECT {{view}} AS record FROM ({_MEETING}) ORDER BY reg_year, reg_seq",
    f"SELECT {{view}} AS record FROM ({_ESCALATED}) ORDER BY late DESC, due, reg_year, reg_seq",
)

# `overdue --json`'s record: the keys and values of Row._asdict(), written by SQLite, as UTF-8
# bytes (what is printed, so Python neither decodes nor encodes it).
JSON_VIEW = (
    "CAST(json_object('case', reg_year || '-' || reg_seq, 'reg_no', reg_no, 'enterprise', enterprise, "
    "'category', category, 'lead_dept', coalesce(lead, ''), 'kind', kind, 'due', due, "
    "'due_estimated', CASE WHEN est THEN json('true') ELSE json('false') END, 'days_late', late, "
    "'urge_count', urges, 'status', status, 'state', state, 'reg_year', reg_year, 'reg_seq', reg_seq) AS BLOB)"
)


@dataclass
class Board:
    """What the overdue board asks: as of a day, one department or all, how many working days
    ahead counts as "due soon"."""

    ctx: Ctx
    as_of: date
    dept: str | None
    within: int

    def __post_init__(self) -> None:
        # Due before this day = late, or due within `within` working days.
        self.horizon = add_workdays(self.ctx.cal, self.as_of, self.within + 1)
        self.past = False  # set when the board is read: the day is in the past (lcqy.acts.boards.then)

    def sql(self, text: str) -> str:
        """`text` over the ledger as it stood on the day."""
        return then.on_then(text) if self.past else text

    def in_dept(self) -> str:
        """The board's department filter on cases `c`, or nothing."""
        if not self.dept:
            return ""
        return f"AND EXISTS (SELECT 1 FROM dispatches d WHERE {ACTIVE_DISPATCH} AND {DEPT_MATCH})"

    def _temp(self, table: str, columns: str, rows: list[tuple], *, without_rowid: bool = False) -> None:
        """temp.`table` (made once a connection) holding just `rows`."""
        conn = self.ctx.ledger.conn
        conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {table} ({columns}){' WITHOUT ROWID' * without_rowid}")
        conn.execute(f"DELETE FROM temp.{table}")
        conn.executemany(f"INSERT INTO temp.{table} VALUES ({', '.join('?' * (columns.count(',') + 1))})", rows)

    def late_days_table(self) -> None:
        """temp.board_late: each day from the earliest due date the board can meet to the
        horizon, with its working days late and whether its year's schedule is a guess (a few
        hundred to a few thousand days), for SQLite to read with the rows."""
        # Lower bounds, each read from an index: the open limits, the plans, the 专项督办 deadlines.
        firsts = self.ctx.ledger.conn.execute(
            self.sql("SELECT (SELECT min(due_open) FROM cases WHERE due_open IS NOT NULL),")
            + " (SELECT min(plan_due) FROM replies WHERE plan_due IS NOT NULL), (SELECT min(due) FROM supervisions)"
        ).fetchone()
        firsts = [f for f in firsts if f]
        cal, days = self.ctx.cal, []
        day = date.fromisoformat(min(firsts)) if firsts else self.horizon
        # Working days late fall by one at each working day walked past, up to the as-of day.
        late = workdays_between(cal, day, self.as_of)
        while day < self.horizon:
            days.append((day.isoformat(), late, cal.is_estimate(day)))
            day += timedelta(days=1)
            if late and cal.is_workday(day):
                late -= 1
        self._temp("board_late", "day TEXT PRIMARY KEY, late INTEGER, est INTEGER", days, without_rowid=True)

    def escalated_table(self) -> None:
        """temp.board_escalated: escalated cases whose latest escalation went up after its
        limit, with the working days from limit to escalation."""
        latest = self.ctx.ledger.conn.execute(
            self.sql(
                "SELECT e.case_id, e.limit_due, e.escalated_on FROM cases c JOIN escalations e ON e.id = "
                "(SELECT max(id) FROM escalations WHERE case_id = c.id) "
                "WHERE c.state = 'escalated' AND c.id IN (SELECT case_id FROM escalations WHERE late) AND e.late"
            )
        ).fetchall()
        cal = self.ctx.cal
        rows = [
            (i, due, workdays_between(cal, date.fromisoformat(due), date.fromisoformat(on))) for i, due, on in latest
        ]
        self._temp("board_escalated", "case_id INTEGER PRIMARY KEY, due TEXT, late INTEGER", rows)

    def select(self, view: str) -> Iterator[str]:
        """The board's rows, each as the text `view` (an expression over the columns above)
        makes of it; read from one snapshot of the ledger, however slowly they are taken."""
        conn = self.ctx.ledger.conn
        params = {"horizon": self.horizon.isoformat(), **({"dept": self.dept} if self.dept else {})}
        in_dept = self.in_dept()

        def parts() -> Iterator[Iterable[tuple]]:
            with self.ctx.ledger.reading():
                # The ledger as it stood on the day, when an act is dated later.
                self.past = then.acts_after(self.ctx, self.as_of)
                if self.past:
                    then.cases_then(self.ctx, self.as_of)
                self.late_days_table()
                self.escalated_table()
                # Answered cases due again (a few) go in between the open cases, which are read
                # in the stretches of the index between them, in one order: by due date, then number.
                again = conn.execute(self.sql(_AGAIN.format(view=view, range="", in_dept=in_dept)), params).fetchall()
                lower = None
                for text, *upper in [*again, (None, None, None, None)]:
                    bounds, args = [], dict(params)
                    if lower is not None:
                        bounds.append(_AFTER)
                        args.update(zip(("lo_due", "lo_year", "lo_seq"), lower))
                    if text is None:
                        bounds.append("c.due_open < :horizon")
                    else:
                        bounds.append(_BEFORE)
                        args.update(zip(("hi_due", "hi_year", "hi_seq"), upper))
                    timed = _TIMED.format(view=view, range=" AND ".join(bounds), in_dept=in_dept)
                    yield conn.execute(self.sql(timed), args)
                    if text is not None:
                        yield [(text,)]
                    lower = upper
                # Each statement runs when the one before has been read out.
                for sql in _LATER:
                    yield conn.execute(self.sql(sql.format(view=view, in_dept=in_dept)), params)

        return map(itemgetter(0), itertools.chain.from_iterable(parts()))


def board(ctx: Ctx, view: str, *, as_of: date, dept: str | None = None, within: int = 1) -> Iterator[str]:
    """Everything late, due within `within` working days, or awaiting a meeting; worst first;
    each row as the text `view` makes of it."""
    if within < 0:
        raise LcqyError("--within 须为不小于0的工作日数。")
    if dept:
        require_dept(ctx, dept, "部门（--dept）")
    return Board(ctx, as_of, dept, within).select(view)


def iter_overdue(ctx: Ctx, *, as_of: date, dept: str | None = None, within: int = 1, as_json: bool = False) -> Iterator:
    """The board as Rows, or with `as_json` as the JSON records of `overdue --json` (UTF-8)."""
    texts = board(ctx, JSON_VIEW, as_of=as_of, dept=dept, within=within)
    return texts if as_json else (Row(**json.loads(t)) for t in texts)
