"""The overdue board: late and soon-due items from several sources, merged worst first.

Built for 100,000 cases, where the board lists some 25,000 rows: each source is one query on
covering indexes (migrations 4 and 15), the working days late are looked up by SQLite in a small
table of the days concerned, and rows go out as they come. For `--json` the bulk source has
SQLite write each record (json_object); the board never holds its rows.
"""

from __future__ import annotations

import heapq
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple

from lcqy.acts.context import Ctx
from lcqy.acts.queries import ACTIVE_DISPATCH, DEPT_MATCH, URGE_COUNT, label_sql
from lcqy.errors import LcqyError
from lcqy.rules.constants import STATES
from lcqy.rules.workdays import add_workdays, workdays_between

# "escalated": late escalations already handed to the city, shown apart from the clerk's own
# late items and not counted as 超期.
RANK = {"late": 0, "soon": 1, "waiting": 2, "escalated": 3}


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


def board_key(row: Row) -> tuple:
    """The board's order: late (worst first), then due soon, then awaiting a meeting."""
    return (RANK[row.status], -row.days_late, row.due or "9999", row.reg_year, row.reg_seq)


_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode  # as SQLite writes


def row_json(row: Row) -> str:
    return _encode(row._asdict())


@dataclass
class Board:
    """What the overdue board asks: as of a day, one department or all, how many working days
    ahead counts as "due soon"; `as_json` makes the sources yield JSON text instead of Rows."""

    ctx: Ctx
    as_of: date
    dept: str | None
    within: int
    as_json: bool = False

    def __post_init__(self) -> None:
        self._late: dict = {}
        # Due before this day = late, or due within `within` working days.
        self.horizon = add_workdays(self.ctx.cal, self.as_of, self.within + 1)

    def late(self, due: date, until: date | None = None) -> int:
        """Working days late (cached per date: thousands of rows share a few hundred dates)."""
        key = (due, until)
        got = self._late.get(key)
        if got is None:
            got = self._late[key] = workdays_between(self.ctx.cal, due, until or self.as_of)
        return got

    def out(self, row: Row) -> tuple[tuple, object]:
        """(merge key, what is printed) for a row built in Python."""
        return board_key(row), row_json(row) if self.as_json else row

    def lead_and_urges(self) -> str:
        """The SELECT columns of a case's active lead department and its 催办 count, each one
        probe of a covering index (migration 15) rather than a join of the dispatch row."""
        return (
            "(SELECT lead_dept FROM dispatches WHERE case_id = c.id AND status = 'active' "
            f"ORDER BY id DESC LIMIT 1) AS lead, {URGE_COUNT} AS urges"
        )

    def in_dept(self) -> str:
        """The board's department filter on cases `c`, or nothing."""
        if not self.dept:
            return ""
        return f"AND EXISTS (SELECT 1 FROM dispatches d WHERE {ACTIVE_DISPATCH} AND {DEPT_MATCH})"

    def params(self, **extra: object) -> dict:
        return {**extra, **({"dept": self.dept} if self.dept else {})}

    def query(self, where: str, order: str = "", extra: dict | None = None):
        """Cases as (id, reg_year, reg_seq, reg_no, enterprise, category, state, due_open,
        due_open_estimated, lead_dept, urge_count), filtered by the board's department; `where`
        narrows them, `order` is an ORDER BY list."""
        sql = f"""
        SELECT c.id, c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.category, c.state,
               c.due_open, c.due_open_estimated, {self.lead_and_urges()}
        FROM cases c WHERE {where} {self.in_dept()} {"ORDER BY " + order if order else ""}"""
        return self.ctx.ledger.conn.execute(sql, self.params(**(extra or {})))

    def late_days_table(self, since: str | None) -> None:
        """temp.board_late: each day from `since` to the horizon with its working days late, so
        that the bulk query reads them with its rows (a few hundred to a few thousand days)."""
        conn = self.ctx.ledger.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS board_late (day TEXT PRIMARY KEY, late INTEGER) WITHOUT ROWID")
        conn.execute("DELETE FROM temp.board_late")
        if since is None:
            return
        day, days = date.fromisoformat(since), []
        while day < self.horizon:
            days.append((day.isoformat(), self.late(day)))
            day += timedelta(days=1)
        conn.executemany("INSERT INTO temp.board_late VALUES (?, ?)", days)


def _board_row(t: tuple, kind: str, due: str | None, est: bool, late: int, status: str) -> Row:
    """A Row from a Board.query tuple."""
    _, year, seq, reg_no, enterprise, category, state, _, _, lead, urges = t
    return Row(
        f"{year}-{seq}", reg_no, enterprise, category, lead or "", kind, due, est, late, urges or 0, status,
        STATES[state], year, seq,
    )  # fmt: skip


# The bulk source's record, written by SQLite: the same keys and values as row_json.
_PAST_LIMIT_JSON = (
    "json_object('case', reg_year || '-' || reg_seq, 'reg_no', reg_no, 'enterprise', enterprise, "
    "'category', category, 'lead_dept', coalesce(lead, ''), 'kind', label, 'due', due_open, "
    "'due_estimated', json(CASE WHEN due_open_estimated THEN 'true' ELSE 'false' END), "
    "'days_late', late, 'urge_count', urges, 'status', CASE WHEN late THEN 'late' ELSE 'soon' END, "
    "'state', label, 'reg_year', reg_year, 'reg_seq', reg_seq)"
)


def _past_limit(b: Board) -> Iterator[tuple[tuple, object]]:
    """Undispatched past (or near) the dispatch limit, unreplied past (or near) the handling
    limit: most of the board. Ordered by due date, which is the board's order (fewer days late
    as the date rises)."""
    conn = b.ctx.ledger.conn
    b.late_days_table(conn.execute("SELECT min(due_open) FROM cases").fetchone()[0])
    inner = f"""
        SELECT c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.category, c.due_open,
               c.due_open_estimated, {b.lead_and_urges()}, coalesce(l.late, 0) AS late,
               {label_sql("c.state", STATES)} AS label
        FROM cases c LEFT JOIN temp.board_late l ON l.day = c.due_open
        WHERE c.due_open < :horizon {b.in_dept()}
        ORDER BY c.due_open, c.reg_year, c.reg_seq"""
    params = b.params(horizon=b.horizon.isoformat())
    if b.as_json:
        sql = f"SELECT late, due_open, reg_year, reg_seq, {_PAST_LIMIT_JSON} FROM ({inner})"
        for late, due, year, seq, text in conn.execute(sql, params):
            yield (0 if late else 1, -late, due, year, seq), text
        return
    for year, seq, reg_no, enterprise, category, due, est, lead, urges, late, label in conn.execute(
        inner, params
    ):
        status = "late" if late else "soon"
        row = Row(f"{year}-{seq}", reg_no, enterprise, category, lead or "", label, due, bool(est), late, urges,
                  status, label, year, seq)  # fmt: skip
        yield (RANK[status], -late, due, year, seq), row


def _late_escalations(b: Board) -> Iterator[tuple[tuple, object]]:
    """Escalated cases that went up after their limit (a few: sorted here)."""
    rows = []
    for t in list(b.query("c.state = 'escalated' AND c.id IN (SELECT case_id FROM escalations WHERE late)")):
        limit, on, late_flag = b.ctx.ledger.conn.execute(
            "SELECT limit_due, escalated_on, late FROM escalations WHERE case_id = ? ORDER BY id DESC LIMIT 1",
            [t[0]],
        ).fetchone()
        if late_flag:
            late = b.late(date.fromisoformat(limit), date.fromisoformat(on))
            rows.append(_board_row(t, "转报超期", limit, False, late, "escalated"))
    return map(b.out, sorted(rows, key=board_key))


def _awaiting_meeting(b: Board) -> Iterator[tuple[tuple, object]]:
    """Cases put to a special meeting (专题会议): shown as waiting, never late."""
    for t in b.query("c.state = 'meeting'", "c.reg_year, c.reg_seq"):
        yield b.out(_board_row(t, "待专题会议", None, False, 0, "waiting"))


def _late_supervision(b: Board) -> Iterator[tuple[tuple, object]]:
    """Answered cases under 督办台帐 or 专项督办 past (or near) the date they are due again."""
    from lcqy.acts.supervised import board_rows

    return map(b.out, board_rows(b))


# Where the board's rows come from. Each source yields (merge key, row) in key order; the board
# merges them. A new kind of late item is a new function here.
OVERDUE_SOURCES: list[Callable[[Board], Iterator[tuple[tuple, object]]]] = [
    _past_limit,
    _late_escalations,
    _awaiting_meeting,
    _late_supervision,
]


def iter_overdue(
    ctx: Ctx, *, as_of: date, dept: str | None = None, within: int = 1, as_json: bool = False
) -> Iterator:
    """Everything late, due within `within` working days, or awaiting a meeting; worst first:
    Rows, or their JSON texts with `as_json`."""
    if within < 0:
        raise LcqyError("--within 须为不小于0的工作日数。")
    if dept:
        from lcqy.acts.common import require_dept

        require_dept(ctx, dept, "部门（--dept）")
    board = Board(ctx, as_of, dept, within, as_json)
    # The source's place breaks a tie of keys, so that payloads are never compared.
    sources = (((key, i, payload) for key, payload in source(board)) for i, source in enumerate(OVERDUE_SOURCES))
    return (payload for _, _, payload in heapq.merge(*sources))
