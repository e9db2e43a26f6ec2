"""The day the agenda is drawn up for: where its arms read the cases (the ledger's own columns
today, or temp.then_cases as the cases stood on a day in the past), the dates its rules turn
into, the texts kept per day (temp.agenda_late) and the table of the rows placed apart
(temp.agenda_items)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from lcqy.acts.boards.agenda_texts import (
    DAYS_LATE,
    NEXT,
    NOTE,
    REGISTERED_NOTE,
    RETURNS_TO_ESCALATE,
    SOON,
    URGE_MIDDLE,
)
from lcqy.acts.context import Ctx
from lcqy.rules.workdays import add_month, add_workdays, workdays_between
from lcqy.store.migrations.m028_agenda_json_head import HEAD
from lcqy.store.migrations.m032_agenda_tally import ANSWERED_ITEM, ESCALATED_ITEM

# The start of the case's --json item, read from the agenda's indexes (migration 28).
HEAD_C = HEAD.format(c="c.")
# An answered or escalated case's item up to its command (migration 32), read from its index.
ANSWERED_ITEM_C = ANSWERED_ITEM.format(c="c.")
ESCALATED_ITEM_C = ESCALATED_ITEM.format(c="c.")

# The few rows placed apart (lcqy.acts.boards.agenda_placed: the urged late cases, the answered
# cases under 督办, the online requests), with what a section shows of their case. The key orders
# a section as the list shows it: nlate is minus the working days late, due_key the due date or
# '9999' when there is none; tie keeps apart, in the order given, two rows of one case in one
# section (two requests of a department).
TABLE = """CREATE TEMP TABLE IF NOT EXISTS agenda_items (
    section TEXT, nlate INTEGER, due_key TEXT, reg_year INTEGER, reg_seq INTEGER,
    id INTEGER, due TEXT, late INTEGER, note TEXT, next TEXT, lead TEXT, tie INTEGER NOT NULL DEFAULT 0,
    reg_no TEXT, enterprise TEXT,
    PRIMARY KEY (section, nlate, due_key, reg_year, reg_seq, tie)) WITHOUT ROWID"""
ITEM_COLUMNS = "(section, nlate, due_key, reg_year, reg_seq, id, due, late, note, next, lead, tie, reg_no, enterprise)"


@dataclass(frozen=True)
class Source:
    """Where the arms read a case `c` and its latest acts: the ledger's own columns today,
    or temp.then_cases for a day in the past (the same names, as they stood then)."""

    table: str
    dispatch: str  # the active dispatch's id
    reply: str
    followup: str
    urge: str
    escalation: str
    supervision_row: str  # the latest 专项督办 deadline (supervisions)
    returns: str  # dispatches returned (退单)
    refused: str  # returned by RETURNS_TO_ESCALATE departments or more: to escalate, not dispatch
    index: str  # how the cases are read: the agenda's covering index (migration 19), or as they come


NOW = Source(
    table="cases",
    dispatch="(SELECT id FROM dispatches WHERE case_id = c.id AND status = 'active' ORDER BY id DESC LIMIT 1)",
    reply="c.reply_now",  # kept on the case by migration 19's triggers
    followup="c.followup_now",
    urge="iif(c.urges_now, (SELECT max(id) FROM urges WHERE case_id = c.id), NULL)",  # only a case with urges looks
    escalation="(SELECT max(id) FROM escalations WHERE case_id = c.id)",
    supervision_row="(SELECT max(id) FROM supervisions WHERE case_id = c.id)",
    returns="(SELECT count(*) FROM dispatches x INDEXED BY dispatches_returned "
    "WHERE x.case_id = c.id AND x.status = 'returned')",
    # The few refused cases found once (migration 30's index), not a count for every case.
    refused="c.id IN (SELECT case_id FROM dispatches INDEXED BY dispatches_returned WHERE status = 'returned' "
    f"GROUP BY case_id HAVING count(*) >= {RETURNS_TO_ESCALATE})",
    index="INDEXED BY cases_agenda",
)
THEN = Source(
    table="temp.then_cases",
    dispatch="c.dispatch_now",
    reply="c.reply_now",
    followup="c.followup_now",
    urge="c.urge_now",
    escalation="c.escalation_now",
    supervision_row="c.supervision_row_now",
    returns="c.returns",
    refused=f"c.returns >= {RETURNS_TO_ESCALATE}",
    index="",
)


@dataclass
class Day:
    """The day the list is drawn up for, with the dates its rules turn into (computed once)."""

    ctx: Ctx
    as_of: date
    src: Source = NOW
    horizon: date = field(init=False)  # due before this day: late or due within SOON working days
    escalated_by: str = field(init=False)  # escalated on or before this day: a month ago or more
    soon_from: str = field(init=False, default="")  # the first day whose limit is not late (late_days)

    def __post_init__(self) -> None:
        self.horizon = add_workdays(self.ctx.cal, self.as_of, SOON + 1)
        # add_month never decreases: the last day it takes to as_of or before, from 40 days back
        # (a month on from there is before as_of).
        day = self.as_of - timedelta(days=40)
        while add_month(day + timedelta(days=1)) <= self.as_of:
            day += timedelta(days=1)
        self.escalated_by = day.isoformat()

    def params(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "year": self.as_of.year,
            "horizon": self.horizon.isoformat(),
            "escalated_by": self.escalated_by,
            "county": self.ctx.ledger.level == "county",
            "soon_from": self.soon_from,
        }

    def sql(self, select: str) -> str:
        """An arm's SELECT over the day's source of cases."""
        select = select.replace("FROM cases c", f"FROM {self.src.table} c {self.src.index}")
        # A past day's cases have no index to read the item's start from: its items are written
        # whole (lcqy.acts.boards.agenda), and the start not worked out for nothing.
        if self.src is NOW:
            return select
        for start in (HEAD_C, ANSWERED_ITEM_C, ESCALATED_ITEM_C):
            select = select.replace(start, "NULL")
        return select

    def late_days(self) -> None:
        """temp.agenda_late: each day from the earliest due date a case can be placed by to the
        horizon, with its working days late as of the day (a few hundred to a few thousand)."""
        conn, cal = self.ctx.ledger.conn, self.ctx.cal
        first = conn.execute(f"SELECT min(c.due_open) FROM {self.src.table} c WHERE c.due_open IS NOT NULL").fetchone()[
            0
        ]
        firsts = [f for f in (first, *conn.execute(_FIRST_AGAIN).fetchone()) if f]
        day = min(date.fromisoformat(min(firsts)), self.horizon) if firsts else self.horizon
        late, rows = workdays_between(cal, day, self.as_of), []
        while day < self.horizon:  # the days late fall by one at each working day walked past
            rows.append((day.isoformat(), late))
            day += timedelta(days=1)
            if late and cal.is_workday(day):
                late -= 1
        # The first of the days none late: a limit from it on is due soon, one before it is late.
        self.soon_from = next((d for d, n in rows if n == 0), self.horizon.isoformat())
        conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS agenda_late"
            " (day TEXT PRIMARY KEY, late INTEGER, jdue TEXT, jurge TEXT, jurge_special TEXT, jregistered TEXT,"
            " jreply TEXT)"
            " WITHOUT ROWID"
        )
        conn.execute("DELETE FROM temp.agenda_late")
        jdue = "json_quote(?1) || ?3 || ?2"
        note = REGISTERED_NOTE.format(due="?1", late="?2").replace(":as_of", "?5")
        conn.executemany(
            f"INSERT INTO temp.agenda_late VALUES (?1, ?2, {jdue}, {jdue} || printf(?4, '', ?2), "
            f"{jdue} || printf(?4, '专项督办', ?2), {jdue} || ?6 || json_quote({note}) || ?7, "
            f"{jdue} || ?6 || json_quote('办结时限 ' || ?1) || ?7)",
            [(*r, DAYS_LATE, URGE_MIDDLE, self.as_of.isoformat(), NOTE, NEXT) for r in rows],
        )


# The earliest plan date and 专项督办 deadline, each from its index.
_FIRST_AGAIN = (
    "SELECT (SELECT min(plan_due) FROM replies WHERE plan_due IS NOT NULL), (SELECT min(due) FROM supervisions)"
)
