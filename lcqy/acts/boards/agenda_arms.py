"""The agenda's arms: for each state of an open case, the INSERT … SELECT that places each of its
cases in its section of temp.agenda_items with its note and next command (第十二至十八条), today
from the cases' own columns or on a past day from the state they stood in then
(lcqy.acts.boards.then). The day and where its cases are read from are in
lcqy.acts.boards.agenda_day, the words and commands written in lcqy.acts.boards.agenda_texts.
The few rows placed apart (the late cases that were urged, the answered cases under 督办, what
the departments and enterprises sent on line) are in lcqy.acts.boards.agenda_placed, which also
makes a day ready (`fill`); lcqy.acts.boards.agenda reads the sections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from lcqy.acts.boards.agenda_day import ANSWERED_ITEM_C, ESCALATED_ITEM_C, HEAD_C, NOW, Day
from lcqy.acts.boards.agenda_texts import (
    CLOSE,
    DAYS_LATE,
    DISPATCH,
    DISPATCH_MAJOR,
    ESCALATE,
    FOLLOWUP,
    FORWARD,
    MEETING,
    MEETING_NOTE,
    NEXT,
    NOTE,
    NUMBER,
    PACKAGE,
    REGISTERED_NOTE,
    REPLY,
    RETURNS_TO_ESCALATE,
    UNDATED,
    URGE,
    URGE_MIDDLE,
    URGE_NOTE,
    cmd,
    lit,
)
from lcqy.store.migrations.m023_agenda_answered import CLOSE as ANSWERED_RULE
from lcqy.store.migrations.m023_agenda_answered import NOTE as ANSWERED_NOTE

# -- the arms: the cases of one state, each in its section -----------------------------------------
#
# An arm is a SELECT over the cases `c` of one state yielding, by these names: section (NULL: not
# on the list), due, late, note, next, the case's reg_year, reg_seq, reg_no, enterprise and lead
# department (lead), and o, c.due_open as the agenda index holds it (NULL but in the two states
# with a limit). A section's order (most days late, then earliest due date, then number) is
# that of (due date, number): the working days late never rise as the due date does, and the
# rows of one section either all have a due date or none has. The agenda index hands each arm's
# rows over in the order (o, number), so that a section is read without sorting it.

_CASE = f"c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.lead_now AS lead, {HEAD_C} AS head"
# The same columns over a sub-query yielding _CASE.
_CASE_OUT = "reg_year, reg_seq, reg_no, enterprise, lead, head"

# Working days late on a due date (temp.agenda_late).
LATE = "LEFT JOIN temp.agenda_late l ON l.day = {}"
# An item's due date and days late as `agenda --json` writes them (agenda_late.jdue), for a case
# due on a day of temp.agenda_late (any it places: the same value worked out otherwise).
_JDUE = f"coalesce(l.jdue, json_quote(c.due_open) || '{DAYS_LATE}' || coalesce(l.late, 0)) AS jdue"


@dataclass(frozen=True)
class Arm:
    sections: tuple[str, ...]  # the sections it may place a case in
    select: Callable[..., str]  # (day, only): only, a condition on `c` added to its own
    # Section -> a condition on `c` that every case the arm places there meets, which its index
    # answers: a section is read from its stretch of the index, not from the whole state. A pair:
    # the condition today, and on a day in the past (temp.then_cases).
    bounds: dict[str, str | tuple[str, str]] = field(default_factory=dict)
    # Today's counts: section -> the cases of that section alone, a condition on `c` counted from
    # the narrow index `tally` (migration 32) with no row worked out, for each of its sections or
    # none. An arm without, or a day in the past, has its rows worked out and counted.
    counted: dict[str, str] = field(default_factory=dict)
    tally: str = ""
    # For --json: section -> (the note's printf format, its arguments over the arm's columns,
    # the next command): the item written by one printf, without the note and the command built
    # first as values and worked out again for each section (see _json_item).
    json: dict[str, tuple[str, str, str]] = field(default_factory=dict)
    # Its rows' due date is the case's due_open and their days late that day's (the arm yields
    # jdue, the two as --json writes them); else every row has neither (due null, 0 days late).
    dated: bool = False
    # Section -> its item up to the command's closing quote, over the arm's columns, today: the
    # start read from an index (migration 32), or the case's part and a text kept per day
    # (temp.agenda_late), and the command, joined with `||`: no printf an item.
    joined: dict[str, str] = field(default_factory=dict)
    # Sections whose stretch of the index (bounds, today) holds that section's cases alone.
    exact: tuple[str, ...] = ()


def _registered(day: Day, only: str = "") -> str:
    """Awaiting dispatch, at or near the limit (those refused by enough departments: below)."""
    return f"""
SELECT CASE WHEN NOT refused THEN
            CASE WHEN due_open <= :as_of THEN 'to_dispatch' WHEN due_open < :horizon THEN 'due_soon' END END AS section,
       due_open AS o,
       CASE WHEN due_open > :as_of THEN 0 ELSE lateness END AS late,
       due_open AS due,
       {REGISTERED_NOTE.format(due="due_open", late="lateness")} AS note,
       cmd_dispatch AS next, {_CASE_OUT}, jdue, jregistered
FROM (SELECT c.due_open, coalesce(l.late, 0) AS lateness, {_CASE}, {_JDUE}, l.jregistered,
             :county AND {day.src.refused} AS refused,
             CASE WHEN c.consult THEN {cmd(FORWARD)} WHEN c.major THEN {cmd(DISPATCH_MAJOR)}
                  ELSE {cmd(DISPATCH)} END AS cmd_dispatch
      FROM cases c {LATE.format("c.due_open")} WHERE c.state = 'registered' AND c.due_open < :horizon {only})"""


def _returned(day: Day, only: str = "") -> str:
    """Awaiting dispatch, refused by enough county departments: to escalate. Today, found from
    the returned dispatches (migration 30's index of them), not by counting every registered
    case's."""
    if day.src is NOW:
        return f"""
SELECT CASE WHEN :county THEN 'to_escalate' END AS section, c.due_open AS o, 0 AS late, NULL AS due,
       x.returns || '个部门退单，县级难以解决' AS note, {cmd(ESCALATE)} AS next, {_CASE}
FROM (SELECT case_id, count(*) AS returns FROM dispatches INDEXED BY dispatches_returned WHERE status = 'returned'
      GROUP BY case_id HAVING count(*) >= {RETURNS_TO_ESCALATE}) x
CROSS JOIN cases AS c ON c.id = x.case_id
WHERE c.state = 'registered'"""
    return f"""
SELECT CASE WHEN :county AND returns >= {RETURNS_TO_ESCALATE} THEN 'to_escalate' END AS section,
       due_open AS o, 0 AS late, NULL AS due, returns || '个部门退单，县级难以解决' AS note, cmd_escalate AS next,
       {_CASE_OUT}
FROM (SELECT c.due_open, {_CASE}, {day.src.returns} AS returns, {cmd(ESCALATE)} AS cmd_escalate
      FROM cases c WHERE c.state = 'registered')"""


def _meeting(day: Day, only: str = "") -> str:
    return f"""
SELECT 'meeting' AS section, c.due_open AS o, 0 AS late, NULL AS due, '待主要领导研究' AS note, {cmd(MEETING)} AS next,
       {_CASE}
FROM cases c WHERE c.state = 'meeting'"""


def _escalated(day: Day, only: str = "") -> str:
    """Escalated a month ago or more, no result back from the city; today, the date as kept on
    the case (migration 23)."""
    if day.src is NOW:
        return f"""
SELECT CASE WHEN c.escalated_now <= :escalated_by THEN 'escalation_waiting' END AS section, c.due_open AS o,
       0 AS late, NULL AS due, c.escalated_now || ' 转报，已逾1个月' AS note, {cmd(PACKAGE)} AS next, {_CASE},
       c.escalated_now AS since, {ESCALATED_ITEM_C} AS item
FROM cases AS c INDEXED BY cases_escalated WHERE c.state = 'escalated' AND c.escalated_now IS NOT NULL {only}"""
    return f"""
SELECT CASE WHEN e.escalated_on <= :escalated_by THEN 'escalation_waiting' END AS section, c.due_open AS o,
       0 AS late, NULL AS due, e.escalated_on || ' 转报，已逾1个月' AS note, {cmd(PACKAGE)} AS next, {_CASE},
       e.escalated_on AS since
FROM cases c JOIN escalations e ON e.id = {day.src.escalation}
WHERE c.state = 'escalated'"""


WHAT = "iif(c.supervision = 'special', '专项督办', '')"  # what is late (a late case's note)


# A late case's item from its due date to its number (URGE_MIDDLE), the day's, or the same
# worked out (a due date before those of temp.agenda_late: none the arm places).
_JURGE = (
    "coalesce(iif(c.supervision = 'special', l.jurge_special, l.jurge), "
    f"{_JDUE.removesuffix(' AS jdue')} || printf({lit(URGE_MIDDLE)}, {WHAT}, coalesce(l.late, 0)))"
)


def _dispatched(day: Day, only: str = "") -> str:
    """Being handled and due within SOON working days, or late and never urged (to urge): most
    of the open cases, each placed by its due date alone. The late cases with an urge are placed
    apart by their letter (lcqy.acts.boards.agenda_placed), a few."""
    return f"""
SELECT iif(late = 0, 'due_soon', 'late_not_urged') AS section, due_open AS o, late, due_open AS due,
       iif(late = 0, '办结时限 ' || due_open, what || '超期' || late || '个工作日') AS note,
       iif(late = 0, cmd_reply, cmd_urge) AS next, {_CASE_OUT}, what, jdue, jurge, jreply
FROM (SELECT c.due_open, coalesce(l.late, 0) AS late, {_CASE}, {_JDUE},
             {WHAT} AS what,
             {_JURGE} AS jurge, l.jreply,
             {cmd(URGE)} AS cmd_urge, {cmd(REPLY)} AS cmd_reply
      FROM cases c {LATE.format("c.due_open")}
      WHERE c.state = 'dispatched' AND c.due_open < :horizon
            AND (c.due_open >= :soon_from OR c.urges_now = 0) {only})"""


# A registered case not refused by enough county departments (to escalate instead), for the
# counts: the few refused found from migration 30's index of the returned dispatches.
_NOT_REFUSED = f"NOT (:county AND {NOW.refused})"
# The answered cases not under 督办, as migration 23 keeps them (the arm's WHERE today).
_ANSWERED = "c.state = 'replied' AND c.supervision = '' AND c.answered_close IS NOT NULL"

# The answered cases of each section: a stretch of migration 23's index today; on a day in the
# past, those ready for 销号 have a follow-up at least.
_ANSWERED_BOUNDS = {
    "followup": ("AND c.answered_close = 0", ""),
    "ready_close": ("AND c.answered_close = 1", "AND c.followup_now IS NOT NULL"),
}


def _answered(day: Day, only: str = "") -> str:
    """Answered, not under 督办: to follow up, or ready for 销号 (第十八条); today, as kept on
    the case (migration 23), without reading its reply and follow-up."""
    if day.src is NOW:
        return f"""
SELECT iif(c.answered_close, 'ready_close', 'followup') AS section, c.due_open AS o, 0 AS late, NULL AS due,
       c.answered_note AS note, iif(c.answered_close, {cmd(CLOSE)}, {cmd(FOLLOWUP)}) AS next, {_CASE},
       {ANSWERED_ITEM_C} AS item
FROM cases AS c INDEXED BY cases_answered
WHERE {_ANSWERED} {only}"""
    return f"""
SELECT CASE ({ANSWERED_RULE}) WHEN 1 THEN 'ready_close' WHEN 0 THEN 'followup' END AS section,
       c.due_open AS o, 0 AS late, NULL AS due, {ANSWERED_NOTE} AS note,
       iif(f.reply_id = r.id, {cmd(CLOSE)}, {cmd(FOLLOWUP)}) AS next, {_CASE}
FROM cases c
JOIN replies r ON r.id = {day.src.reply}
LEFT JOIN followups f ON f.id = {day.src.followup}
WHERE c.state = 'replied' AND c.supervision = '' {only}"""


# A case due soon: its item from the due date to the command (temp.agenda_late.jreply, worked
# out for a due date it does not hold: none the arm places).
_JREPLY = f"jdue || {lit(NOTE)} || json_quote('办结时限 ' || due) || {lit(NEXT)}"
# Each arm places the cases of one state (registered ones by two rules); the states do not
# overlap, so that every open case is placed at most once by them. The late cases that were
# urged, the answered cases under 督办 and what the departments ask on line are placed apart,
# into temp.agenda_items (lcqy.acts.boards.agenda_placed).
ARMS: list[Arm] = [
    Arm(
        ("late_not_urged", "due_soon"),
        _dispatched,
        # Late before :soon_from (temp.agenda_late), due soon from there on.
        {
            "late_not_urged": "AND c.due_open < :soon_from AND c.urges_now = 0",
            "due_soon": "AND c.due_open >= :soon_from",
        },
        # Each section a stretch of the index: counted there, no row worked out.
        counted={
            "due_soon": "c.state = 'dispatched' AND c.due_open >= :soon_from AND c.due_open < :horizon",
            "late_not_urged": "c.state = 'dispatched' AND c.due_open < :soon_from AND c.urges_now = 0",
        },
        tally="cases_agenda_tally",
        json={
            "late_not_urged": (URGE_NOTE, "what, late", URGE),  # what: a constant, nothing to escape
            "due_soon": ("%s", "json_quote('办结时限 ' || due)", REPLY),
        },
        dated=True,
        joined={
            "late_not_urged": f"head || jurge || {NUMBER}",
            "due_soon": f"head || coalesce(jreply, {_JREPLY}) || {cmd(REPLY, c='')}",
        },
        exact=("late_not_urged", "due_soon"),
    ),
    Arm(
        ("to_dispatch", "due_soon"),
        _registered,
        {"to_dispatch": "AND c.due_open <= :as_of", "due_soon": "AND c.due_open > :as_of"},
        joined={
            key: f"head || coalesce(jregistered, jdue || {lit(NOTE)} || json_quote(note) || {lit(NEXT)}) || next"
            for key in ("to_dispatch", "due_soon")
        },
        counted={
            "to_dispatch": f"c.state = 'registered' AND c.due_open <= :as_of AND {_NOT_REFUSED}",
            "due_soon": f"c.state = 'registered' AND c.due_open > :as_of AND c.due_open < :horizon AND {_NOT_REFUSED}",
        },
        tally="cases_agenda_tally",
        dated=True,
    ),
    Arm(("to_escalate",), _returned),
    Arm(
        ("escalation_waiting",),
        _escalated,
        {"escalation_waiting": ("AND c.escalated_now <= :escalated_by", "")},
        counted={"escalation_waiting": "c.state = 'escalated' AND c.escalated_now <= :escalated_by"},
        joined={"escalation_waiting": f"item || {cmd(PACKAGE, c='')}"},
        tally="cases_escalated_tally",
        json={"escalation_waiting": ("%s", "json_quote(since || ' 转报，已逾1个月')", PACKAGE)},
        exact=("escalation_waiting",),
    ),
    Arm(
        ("meeting",),
        _meeting,
        counted={"meeting": "c.state = 'meeting'"},
        tally="cases_state",
        json={"meeting": (MEETING_NOTE, "", MEETING)},
        joined={"meeting": f"head || {lit(UNDATED + MEETING_NOTE + NEXT)} || {cmd(MEETING, c='')}"},
        exact=("meeting",),
    ),
    Arm(
        ("followup", "ready_close"),
        _answered,
        _ANSWERED_BOUNDS,
        counted={key: f"{_ANSWERED} {bound[0]}" for key, bound in _ANSWERED_BOUNDS.items()},
        joined={"followup": f"item || {cmd(FOLLOWUP, c='')}", "ready_close": f"item || {cmd(CLOSE, c='')}"},
        tally="cases_answered_tally",
        json={"followup": ("%s", "json_quote(note)", FOLLOWUP), "ready_close": ("%s", "json_quote(note)", CLOSE)},
        exact=("followup", "ready_close"),
    ),
]
assert all(not a.counted or set(a.counted) == set(a.sections) for a in ARMS)
