"""The rows of the agenda placed apart from the arms (lcqy.acts.boards.agenda_arms), a few: the
late cases being handled that were urged (by their letter), the answered cases under 督办 (by the
rules of supervision: due again on a 专项督办 deadline or a reply's plan date) and what the
departments and enterprises sent on line; and `fill`, which makes a day's arms ready and places
these rows in temp.agenda_items."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import date

from lcqy.acts.boards import then
from lcqy.acts.boards.agenda_arms import LATE, WHAT
from lcqy.acts.boards.agenda_day import ITEM_COLUMNS, NOW, TABLE, THEN, Day
from lcqy.acts.boards.agenda_texts import CLOSE, FOLLOWUP, NUMBER_OF, REPLY, SOON, SUPERVISE, URGE, cmd, lit
from lcqy.acts.boards.departments import agenda_items
from lcqy.acts.boards.supervised import DUE_AGAIN, DUE_AGAIN_SQL
from lcqy.acts.context import Ctx
from lcqy.rules.constants import SUPERVISION
from lcqy.rules.workdays import workdays_between
from lcqy.store.migrations.m023_agenda_answered import CLOSE as ANSWERED_RULE
from lcqy.store.migrations.m023_agenda_answered import NOTE as ANSWERED_NOTE

# Each answered case under 督办 with what places it: `ready`, 1 when its latest reply and
# follow-up meet 第十八条 (migration 23's rule); `followed`, followed up on its latest reply;
# `note_answered`, the reply or the follow-up as a section shows it; `due_again` (DUE_AGAIN_SQL).
# Today all of them as kept on the case (migrations 23 and 31), on a day in the past worked out
# from the latest reply `r` and follow-up `f` then. The active dispatch is looked up only for a
# case with an urge, the one thing it is compared with.
_SUPERVISED_SQL = """
SELECT c.id, c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.lead_now, c.supervision,
       iif(u.id IS NULL, NULL, {src.dispatch}) AS dispatch_id, {note} AS note_answered,
       {ready} AS ready, {followed} AS followed,
       u.urged_on, u.reply_by, u.dispatch_id AS urge_dispatch, u.due AS urge_due, {due_again} AS due_again,
       {number} AS n
FROM cases c {joins}
LEFT JOIN urges u ON u.id = {src.urge}
LEFT JOIN supervisions s ON s.id = {src.supervision_row}
WHERE c.state = 'replied' AND c.supervision != ''"""
_KEPT = {
    "note": "c.answered_note",
    "ready": "c.answered_close IS 1",
    "followed": "c.answered_close IS NOT 0",
    "due_again": DUE_AGAIN.format(reply="c.reply_now", plan_due="c.plan_due_now"),
    "joins": "",
}
_THEN = {
    "note": ANSWERED_NOTE,
    "ready": f"({ANSWERED_RULE}) IS 1",
    "followed": "f.reply_id IS r.id",
    "due_again": DUE_AGAIN_SQL,
    "joins": "JOIN replies r ON r.id = {src.reply} LEFT JOIN followups f ON f.id = {src.followup}",
}

_IN_PYTHON = False  # the tests set it to place today's rows by the rule in Python too

_PLACE = f"INSERT INTO temp.agenda_items {ITEM_COLUMNS} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"


# _place_supervised's rule as one INSERT … SELECT over the rows of _SUPERVISED_SQL (today, when
# the rows are many: no row read into Python). The working days late on the due date are read
# from temp.agenda_late (0 from the horizon on, where a due date is neither late nor soon); a
# due date within SOON working days is one before the horizon. The tests hold it equal to the
# rule in Python on a varied ledger and many days.
_KIND = "CASE supervision " + " ".join(f"WHEN {lit(k)} THEN {lit(v)}" for k, v in SUPERVISION.items()) + " END"
_PLACE_SQL = f"""
INSERT INTO temp.agenda_items {ITEM_COLUMNS}
SELECT section, -late, coalesce(due, '9999'), reg_year, reg_seq, id, due, late, note, next, lead_now,
       0, reg_no, enterprise
FROM (SELECT CASE WHEN ready THEN 'ready_close'
                  WHEN dated AND late_due THEN
                       CASE WHEN expired THEN 'urge_expired' WHEN NOT waiting THEN 'supervision' END
                  WHEN dated AND due_again < :horizon THEN 'supervision'
                  WHEN NOT dated AND supervision = 'special' AND followed THEN 'supervision'
                  WHEN NOT followed THEN 'followup' END AS section,
             CASE WHEN ready THEN NULL WHEN dated AND (late_due OR due_again < :horizon) THEN due_again END AS due,
             CASE WHEN ready OR NOT dated THEN 0 ELSE late_due END AS late,
             CASE WHEN ready THEN note_answered
                  WHEN dated AND late_due THEN {_KIND} || '超期' || late_due || '个工作日'
                       || iif(expired, '，' || substr(reply_by, 6) || '限期已过', '')
                  WHEN dated AND due_again < :horizon THEN {_KIND} || '，' || due_again || ' 到期'
                  WHEN NOT dated AND supervision = 'special' AND followed THEN '专项督办，尚未定新的办理时限'
                  ELSE note_answered END AS note,
             CASE WHEN ready THEN {cmd(CLOSE)}
                  WHEN dated AND late_due THEN {cmd(URGE)}
                  WHEN dated AND due_again < :horizon THEN {cmd(REPLY)}
                  WHEN NOT dated AND supervision = 'special' AND followed THEN {cmd(SUPERVISE)}
                  ELSE {cmd(FOLLOWUP)} END AS next,
             reg_year, reg_seq, id, lead_now, reg_no, enterprise
      FROM (SELECT *, urged AND reply_by IS NOT NULL AS waiting,
                   urged AND reply_by IS NOT NULL AND reply_by < :as_of AS expired
            FROM (SELECT c.*, coalesce(due_again, '') != '' AS dated, coalesce(l.late, 0) AS late_due,
                         coalesce(urged_on, '') != '' AND urge_dispatch IS dispatch_id
                         AND coalesce(nullif(urge_due, ''), due_again) = due_again AS urged
                  FROM ({{rows}}) c LEFT JOIN temp.agenda_late l ON l.day = c.due_again)) c)
WHERE section IS NOT NULL"""


def _supervised(day: Day) -> None:
    """Answered cases under 督办台帐 or 专项督办 (a few): placed by the rules of supervision, due
    again on a 专项督办 deadline set after the latest reply, else on that reply's plan date;
    today in SQLite (_PLACE_SQL), on a day in the past by _place_supervised."""
    cal, as_of = day.ctx.cal, day.as_of
    rows: list[tuple] = []

    def add(key: str, r, note: str, command: str, due: str | None = None, late: int = 0) -> None:
        rows.append((key, -late, due or "9999", r["reg_year"], r["reg_seq"], r["id"], due, late, note,
                     command.format(n=r["n"]), r["lead_now"], 0, r["reg_no"], r["enterprise"]))  # fmt: skip

    def chase(r, due: str, what: str) -> bool:
        """A late case: its letter's time to answer has passed, or it was not urged for this
        due date. True if it is late (placed, or waiting for the answer its letter asks)."""
        late = workdays_between(cal, date.fromisoformat(due), as_of)
        if late == 0:
            return False
        urged = r["urged_on"] and r["urge_dispatch"] == r["dispatch_id"] and (r["urge_due"] or due) == due
        waiting = urged and r["reply_by"] is not None
        if waiting and r["reply_by"] < as_of.isoformat():
            add("urge_expired", r, f"{what}超期{late}个工作日，{r['reply_by'][5:]}限期已过", URGE, due, late)
        elif not waiting:
            add("supervision", r, f"{what}超期{late}个工作日", URGE, due, late)
        return True

    # Today, migration 23's index of them holds every column read of the case.
    index = "INDEXED BY cases_answered_supervised" if day.src is NOW else day.src.index
    parts = _KEPT if day.src is NOW else {**_THEN, "joins": _THEN["joins"].format(src=day.src)}
    sql = _SUPERVISED_SQL.format(src=day.src, number=NUMBER_OF.format(c="c."), **parts)
    sql = sql.replace("FROM cases c", f"FROM {day.src.table} c {index}")
    if day.src is NOW and not _IN_PYTHON:
        day.ctx.ledger.conn.execute(_PLACE_SQL.format(rows=sql), day.params())
        return
    cur = day.ctx.ledger.conn.cursor()
    cur.row_factory = sqlite3.Row
    for r in cur.execute(sql, {"year": as_of.year}):
        _place_supervised(r, as_of, cal, add, chase)
    day.ctx.ledger.conn.executemany(_PLACE, rows)


def _place_supervised(r, as_of: date, cal, add: Callable, chase: Callable) -> None:
    if r["ready"]:
        add("ready_close", r, r["note_answered"], CLOSE)
        return
    followed = r["followed"]
    due = r["due_again"]
    if due:
        kind = SUPERVISION[r["supervision"]]
        if chase(r, due, kind):
            return
        if workdays_between(cal, as_of, date.fromisoformat(due)) <= SOON:
            add("supervision", r, f"{kind}，{due} 到期", REPLY, due)
            return
    elif r["supervision"] == "special" and followed:
        add("supervision", r, "专项督办，尚未定新的办理时限", SUPERVISE)
        return
    if not followed:
        add("followup", r, r["note_answered"], FOLLOWUP)


def _online(day: Day) -> None:
    """The online platform's requests awaiting the clerk and dispatches not signed for (a few;
    lcqy.acts.boards.departments), each with the department it names."""

    as_of, rows = day.as_of, []
    for tie, (key, r, note, command, due, late) in enumerate(agenda_items(day.ctx, as_of)):
        n = str(r["reg_seq"]) if r["reg_year"] == as_of.year else f"{r['reg_year']}-{r['reg_seq']}"
        rows.append((key, -late, due or "9999", r["reg_year"], r["reg_seq"], due, late, note, command.format(n=n),
                     r["lead_dept"], tie))  # fmt: skip
    day.ctx.ledger.conn.executemany(
        f"INSERT INTO temp.agenda_items {ITEM_COLUMNS} "
        f"SELECT ?1, ?2, ?3, ?4, ?5, c.id, ?6, ?7, ?8, ?9, coalesce(?10, c.lead_now), ?11, c.reg_no, c.enterprise "
        f"FROM {day.src.table} c WHERE c.reg_year = ?4 AND c.reg_seq = ?5",
        rows,
    )


# A late case's latest urge `u` counts for its current limit when it was for the active
# dispatch and that dispatch's due date then. A CASE, so that a case never urged (most) skips the
# look-up: SQLite works out both sides of an AND in a value.
_URGED = "CASE WHEN u.id IS NULL THEN 0 ELSE coalesce(u.due, {due}) = {due} AND u.dispatch_id = {dispatch} END"


def _urged(day: Day) -> None:
    """The late cases being handled that were urged (or counted urges before the ledger), a
    few, placed by their letter in one INSERT … SELECT: its time to answer passed (urge_expired),
    or not urged for this limit (late_not_urged); `urged` (1, 0 or NULL when there is no active
    dispatch) is looked at once, as a CASE's operand."""
    select = f"""
SELECT CASE urged WHEN 1 THEN CASE WHEN reply_by < :as_of THEN 'urge_expired'
                                   WHEN reply_by IS NULL THEN 'late_not_urged' END
                  WHEN 0 THEN 'late_not_urged' ELSE iif(reply_by IS NULL, 'late_not_urged', NULL) END AS section,
       -late, due_open, reg_year, reg_seq, id, due_open, late,
       what || '超期' || late || '个工作日'
           || iif(urged AND reply_by < :as_of, '，' || substr(reply_by, 6) || '限期已过', ''),
       cmd_urge, lead, 0, reg_no, enterprise
FROM (SELECT c.id, c.due_open, coalesce(l.late, 0) AS late, c.reg_year, c.reg_seq, c.reg_no, c.enterprise,
             c.lead_now AS lead, {WHAT} AS what,
             u.reply_by, {_URGED.format(due="c.due_open", dispatch=day.src.dispatch)} AS urged, {cmd(URGE)} AS cmd_urge
      FROM cases c {LATE.format("c.due_open")} LEFT JOIN urges u ON u.id = {day.src.urge}
      WHERE c.state = 'dispatched' AND c.due_open < :soon_from AND c.urges_now)"""
    # Today, from migration 30's index of them, not out of every late case.
    urged = "FROM cases c INDEXED BY cases_urged"
    select = select.replace("FROM cases c", urged) if day.src is NOW else day.sql(select)
    place = f"INSERT INTO temp.agenda_items {ITEM_COLUMNS} SELECT * FROM ({select}) WHERE section IS NOT NULL"
    day.ctx.ledger.conn.execute(place, day.params())


# These few go into temp.agenda_items, beside the arms (after temp.agenda_late is made).
PLACED: list[Callable[[Day], None]] = [_urged, _supervised, _online]


def fill(ctx: Ctx, as_of: date) -> Day:
    """The day's arms made ready, and temp.agenda_items holding the rows placed in Python
    (the caller holds the read snapshot)."""
    conn = ctx.ledger.conn
    conn.execute(TABLE)
    conn.execute("DELETE FROM temp.agenda_items")
    # The ledger as it stood on the day, when an act is dated later (a day in the past).
    past = then.acts_after(ctx, as_of)
    if past:
        then.cases_then(ctx, as_of)
    day = Day(ctx, as_of, THEN if past else NOW)
    day.late_days()
    for place in PLACED:
        place(day)
    return day
