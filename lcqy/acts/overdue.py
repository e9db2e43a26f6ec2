"""The overdue board: late and soon-due items from several sources, merged worst first.

Built for 100,000 cases: each source is one query on indexed columns (cases.due_open of
migration 4), rows are streamed, and working days are counted once per distinct date.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date

from lcqy.acts.context import Ctx
from lcqy.acts.queries import ACTIVE_DISPATCH, DEPT_MATCH, URGE_COUNT
from lcqy.errors import LcqyError
from lcqy.rules.constants import STATES
from lcqy.rules.workdays import add_workdays, workdays_between

# "escalated": late escalations already handed to the city, shown apart from the clerk's own
# late items and not counted as 超期.
RANK = {"late": 0, "soon": 1, "waiting": 2, "escalated": 3}


@dataclass
class Board:
    """What the overdue board asks: as of a day, one department or all, how many working days
    ahead counts as "due soon"."""

    ctx: Ctx
    as_of: date
    dept: str | None
    within: int

    def late(self, due: date, until: date | None = None) -> int:
        """Working days late (cached per date: thousands of rows share a few hundred dates)."""
        key = (due, until)
        got = self._late.get(key)
        if got is None:
            got = self._late[key] = workdays_between(self.ctx.cal, due, until or self.as_of)
        return got

    def __post_init__(self) -> None:
        self._late: dict = {}
        # Due before this day = late, or due within `within` working days.
        self.horizon = add_workdays(self.ctx.cal, self.as_of, self.within + 1)

    def query(self, where: str, order: str = "", extra: dict | None = None) -> Iterable[tuple]:
        """Cases as (id, reg_year, reg_seq, reg_no, enterprise, category, state, due_open,
        due_open_estimated, lead_dept, urge_count), with their active dispatch's lead department,
        filtered by the board's department; `where` narrows them, `order` is an ORDER BY list."""
        # Scalar subqueries rather than a join: each is one probe of a covering index
        # (migration 15), half the cost of joining the dispatch row at 20,000 rows.
        in_dept = f"AND EXISTS (SELECT 1 FROM dispatches d WHERE {ACTIVE_DISPATCH} AND {DEPT_MATCH})"
        sql = f"""
        SELECT c.id, c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.category, c.state,
               c.due_open, c.due_open_estimated,
               (SELECT lead_dept FROM dispatches WHERE case_id = c.id AND status = 'active'
                ORDER BY id DESC LIMIT 1),
               {URGE_COUNT}
        FROM cases c
        WHERE {where} {in_dept if self.dept else ""} {"ORDER BY " + order if order else ""}"""
        params = {**(extra or {}), **({"dept": self.dept} if self.dept else {})}
        return self.ctx.ledger.conn.execute(sql, params)


def board_key(row: dict) -> tuple:
    """The board's order: late (worst first), then due soon, then awaiting a meeting."""
    return (RANK[row["status"]], -row["days_late"], row["due"] or "9999", row["reg_year"], row["reg_seq"])


def _board_row(t: tuple, kind: str, due: str | None, est: bool, late: int, status: str) -> dict:
    """One row of the board (the keys of `overdue --json`) from a Board.query tuple."""
    _, year, seq, reg_no, enterprise, category, state, _, _, lead, urges = t
    return {
        "case": f"{year}-{seq}",
        "reg_no": reg_no,
        "enterprise": enterprise,
        "category": category,
        "lead_dept": lead or "",
        "kind": kind,
        "due": due,
        "due_estimated": est,
        "days_late": late,
        "urge_count": urges,
        "status": status,
        "state": STATES[state],
        "reg_year": year,
        "reg_seq": seq,
    }


def _past_limit(b: Board) -> Iterator[dict]:
    """Undispatched past (or near) the dispatch limit, unreplied past (or near) the handling
    limit. Ordered by due date, which is the board's order: fewer days late as the date rises."""
    order = "c.due_open, c.reg_year, c.reg_seq"
    late_of: dict[str, int] = {}
    for t in b.query("c.due_open < :horizon", order, {"horizon": b.horizon.isoformat()}):
        due = t[7]
        late = late_of.get(due)
        if late is None:
            late = late_of[due] = b.late(date.fromisoformat(due))
        yield _board_row(t, STATES[t[6]], due, bool(t[8]), late, "late" if late else "soon")


def _late_escalations(b: Board) -> Iterator[dict]:
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
    return iter(sorted(rows, key=board_key))


def _awaiting_meeting(b: Board) -> Iterator[dict]:
    """Cases put to a special meeting (专题会议): shown as waiting, never late."""
    for t in b.query("c.state = 'meeting'", "c.reg_year, c.reg_seq"):
        yield _board_row(t, "待专题会议", None, False, 0, "waiting")


# Where the board's rows come from. Each source yields rows in board_key order; the board
# merges them. A new kind of late item is a new function here.
def _late_supervision(b: Board) -> Iterator[dict]:
    """Answered cases under 督办台帐 or 专项督办 past (or near) the date they are due again."""
    from lcqy.acts.supervision import board_rows

    return board_rows(b)


OVERDUE_SOURCES: list[Callable[[Board], Iterator[dict]]] = [
    _past_limit,
    _late_escalations,
    _awaiting_meeting,
    _late_supervision,
]


def iter_overdue(ctx: Ctx, *, as_of: date, dept: str | None = None, within: int = 1) -> Iterator[dict]:
    """Everything late, due within `within` working days, or awaiting a meeting; worst first."""
    if within < 0:
        raise LcqyError("--within 须为不小于0的工作日数。")
    if dept:
        from lcqy.acts.common import require_dept

        require_dept(ctx, dept, "部门（--dept）")
    board = Board(ctx, as_of, dept, within)
    return heapq.merge(*(source(board) for source in OVERDUE_SOURCES), key=board_key)


def overdue(ctx: Ctx, *, as_of: date, dept: str | None = None, within: int = 1) -> list[dict]:
    return list(iter_overdue(ctx, as_of=as_of, dept=dept, within=within))
