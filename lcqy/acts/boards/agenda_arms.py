"""The agenda's arms: for each state of an open case, the INSERT … SELECT that places each of its
cases in its section of temp.agenda_items with its note and next command (第十二至十八条), today
from the cases' own columns or on a past day from the state they stood in then
(lcqy.acts.boards.then). The few rows placed apart (the answered cases under 督办, what the
departments and enterprises sent on line) are in lcqy.acts.boards.agenda_placed, which also
makes a day ready (`fill`); lcqy.acts.boards.agenda reads the sections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from lcqy.acts.context import Ctx
from lcqy.rules.workdays import add_month, add_workdays, workdays_between
from lcqy.store.migrations.m023_agenda_answered import CLOSE as ANSWERED_RULE
from lcqy.store.migrations.m023_agenda_answered import NOTE as ANSWERED_NOTE
from lcqy.store.migrations.m028_agenda_json_head import HEAD
from lcqy.store.migrations.m032_agenda_tally import ANSWERED_ITEM, ESCALATED_ITEM

SOON = 2  # working days ahead that count as "coming due"
RETURNS_TO_ESCALATE = 2  # 退单 by this many county departments: the county may not be able to solve it
# What `agenda --json` writes between an item's due date and its days late (at the item's depth
# in the list, as json.dumps(indent=2) does): the day's part of an item is kept whole per day.
DAYS_LATE = ',\n          "days_late": '
NOTE, NEXT = ',\n          "note": ', ',\n          "next": "'  # and the start of the note and command
# The number as the clerk types it (the sequence alone for a case of the as-of year), over a
# row of an arm.
NUMBER = "iif(reg_year = :year, reg_seq, reg_year || '-' || reg_seq)"

# key -> title, worst first
SECTIONS: dict[str, str] = {
    "urge_expired": "催办函、督办函限期已过，仍未答复",
    "late_not_urged": "超期未答复，尚未催办",
    "supervision": "督办台帐、专项督办：到期、逾期或待定时限",
    "dept_requests": "部门网上申请（延期、退单）待审核",
    "online": "网上反映超过1个工作日未核实处理",
    "enterprise_added": "企业在网上补充的情况和材料（上一个工作日以来）",
    "to_dispatch": "待交办：交办时限已到或已过",
    "to_escalate": f"待转报：已有{RETURNS_TO_ESCALATE}个部门退单",
    "escalation_waiting": "转报市级满1个月，未见结果",
    "meeting": "待专题会议研究",
    "unsigned": "交办单超过1个工作日未签收（网上）",
    "due_soon": f"{SOON}个工作日内到期",
    "followup": "已答复，待回访企业",
    "ready_close": "可以销号",
}

# The next commands, each accepted as it stands once its placeholders (部门, 领导 …) are filled.
URGE = "lcqy urge {n}"
DISPATCH = "lcqy dispatch {n} --dept 部门 --approver 领导 --level 主任"
# 第十二条: a major case is approved by a 副组长 or the 组长, and handled within a month.
DISPATCH_MAJOR = "lcqy dispatch {n} --dept 部门 --approver 领导 --level 副组长 --tier 重大"
# 第十条: a consultation goes straight to the competent department.
FORWARD = "lcqy forward {n} --dept 部门"
MEETING = "lcqy dispatch {n} --level 专题会议 --dept 部门 --approver 领导"
ESCALATE = "lcqy escalate {n} --approver 组长 --suggestion 建议"
# No result from the city a month on: the escalation package again, for the clerk to send.
PACKAGE = "lcqy package {n}"
REPLY = "lcqy reply {n} --result A|B|C --mode 书面 --summary 情况"
FOLLOWUP = "lcqy followup {n} --method 电话回询 --satisfaction 满意"
CLOSE = "lcqy close {n}"
SUPERVISE = "lcqy supervise {n} --until 日期 --reason 理由"

# The few rows placed in Python (answered cases under 督办, the online requests), with what a
# section shows of their case. The key orders a section as the list shows it: nlate is minus the
# working days late, due_key the due date or '9999' when there is none; tie keeps apart, in the
# order given, two rows of one case in one section (two requests of a department).
_TABLE = """CREATE TEMP TABLE IF NOT EXISTS agenda_items (
    section TEXT, nlate INTEGER, due_key TEXT, reg_year INTEGER, reg_seq INTEGER,
    id INTEGER, due TEXT, late INTEGER, note TEXT, next TEXT, lead TEXT, tie INTEGER NOT NULL DEFAULT 0,
    reg_no TEXT, enterprise TEXT,
    PRIMARY KEY (section, nlate, due_key, reg_year, reg_seq, tie)) WITHOUT ROWID"""
_ITEM_COLUMNS = "(section, nlate, due_key, reg_year, reg_seq, id, due, late, note, next, lead, tie, reg_no, enterprise)"


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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


def _cmd_out(template: str) -> str:
    """A command template as SQL over a row of an arm (reg_year, reg_seq)."""
    pre, _, post = template.partition("{n}")
    return " || ".join([lit(pre), NUMBER, *([lit(post)] if post else [])])


def _cmd(template: str) -> str:
    """A command template as SQL over the case `c`: {n} is its number as the clerk types it
    (the sequence alone for a case of the as-of year)."""
    pre, n, post = template.partition("{n}")
    ref = "CASE WHEN c.reg_year = :year THEN c.reg_seq ELSE c.reg_year || '-' || c.reg_seq END"
    return f"{lit(pre)} || ({ref}) || {lit(post)}" if n else lit(template)


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
        for start in (_HEAD_C, _ANSWERED_ITEM, _ESCALATED_ITEM):
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
        note = _REGISTERED_NOTE.format(due="?1", late="?2").replace(":as_of", "?5")
        conn.executemany(
            f"INSERT INTO temp.agenda_late VALUES (?1, ?2, {jdue}, {jdue} || printf(?4, '', ?2), "
            f"{jdue} || printf(?4, '专项督办', ?2), {jdue} || ?6 || json_quote({note}) || ?7, "
            f"{jdue} || ?6 || json_quote('办结时限 ' || ?1) || ?7)",
            [(*r, DAYS_LATE, _URGE_MIDDLE, self.as_of.isoformat(), NOTE, NEXT) for r in rows],
        )


# A late case's note, never urged (over `what`, 专项督办 or nothing, and its days late), and its
# command. Its --json item from the due date to the case's number depends on the day and `what`
# alone: kept per day in temp.agenda_late (jurge, jurge_special), joined to the case's part of
# the item and its number with `||` (a printf an item costs more, 175,000 at 1,000,000 cases).
_URGE_NOTE = '"%s超期%d个工作日"'
_URGE_MIDDLE = f'{NOTE}{_URGE_NOTE}{NEXT}{URGE.partition("{n}")[0]}'
assert "%" not in URGE

# The earliest plan date and 专项督办 deadline, each from its index.
_FIRST_AGAIN = (
    "SELECT (SELECT min(plan_due) FROM replies WHERE plan_due IS NOT NULL), (SELECT min(due) FROM supervisions)"
)

# -- the arms: the cases of one state, each in its section -----------------------------------------
#
# An arm is a SELECT over the cases `c` of one state yielding, by these names: section (NULL: not
# on the list), due, late, note, next, the case's reg_year, reg_seq, reg_no, enterprise and lead
# department (lead), and o, c.due_open as the agenda index holds it (NULL but in the two states
# with a limit). A section's order (most days late, then earliest due date, then number) is
# that of (due date, number): the working days late never rise as the due date does, and the
# rows of one section either all have a due date or none has. The agenda index hands each arm's
# rows over in the order (o, number), so that a section is read without sorting it.

# The start of the case's --json item, read from the agenda's indexes (migration 28).
_HEAD_C = HEAD.format(c="c.")
_CASE = f"c.reg_year, c.reg_seq, c.reg_no, c.enterprise, c.lead_now AS lead, {_HEAD_C} AS head"
# An answered or escalated case's item up to its command (migration 32), read from its index.
_ANSWERED_ITEM = ANSWERED_ITEM.format(c="c.")
_ESCALATED_ITEM = ESCALATED_ITEM.format(c="c.")
# The same columns over a sub-query yielding _CASE.
_CASE_OUT = "reg_year, reg_seq, reg_no, enterprise, lead, head"

# Working days late on a due date (temp.agenda_late).
_LATE = "LEFT JOIN temp.agenda_late l ON l.day = {}"
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


# A case awaiting dispatch: its note, over its limit and the working days it is late by.
_REGISTERED_NOTE = (
    "CASE WHEN {due} <= :as_of THEN '时限' || substr({due}, 6)"
    " || CASE WHEN {late} THEN '，已过' || {late} || '个工作日' ELSE '，今天到期' END"
    " ELSE '交办时限 ' || {due} END"
)


def _registered(day: Day, only: str = "") -> str:
    """Awaiting dispatch, at or near the limit (those refused by enough departments: below)."""
    return f"""
SELECT CASE WHEN NOT refused THEN
            CASE WHEN due_open <= :as_of THEN 'to_dispatch' WHEN due_open < :horizon THEN 'due_soon' END END AS section,
       due_open AS o,
       CASE WHEN due_open > :as_of THEN 0 ELSE lateness END AS late,
       due_open AS due,
       {_REGISTERED_NOTE.format(due="due_open", late="lateness")} AS note,
       cmd_dispatch AS next, {_CASE_OUT}, jdue, jregistered
FROM (SELECT c.due_open, coalesce(l.late, 0) AS lateness, {_CASE}, {_JDUE}, l.jregistered,
             :county AND {day.src.refused} AS refused,
             CASE WHEN c.consult THEN {_cmd(FORWARD)} WHEN c.major THEN {_cmd(DISPATCH_MAJOR)}
                  ELSE {_cmd(DISPATCH)} END AS cmd_dispatch
      FROM cases c {_LATE.format("c.due_open")} WHERE c.state = 'registered' AND c.due_open < :horizon {only})"""


def _returned(day: Day, only: str = "") -> str:
    """Awaiting dispatch, refused by enough county departments: to escalate. Today, found from
    the returned dispatches (migration 30's index of them), not by counting every registered
    case's."""
    if day.src is NOW:
        return f"""
SELECT CASE WHEN :county THEN 'to_escalate' END AS section, c.due_open AS o, 0 AS late, NULL AS due,
       x.returns || '个部门退单，县级难以解决' AS note, {_cmd(ESCALATE)} AS next, {_CASE}
FROM (SELECT case_id, count(*) AS returns FROM dispatches INDEXED BY dispatches_returned WHERE status = 'returned'
      GROUP BY case_id HAVING count(*) >= {RETURNS_TO_ESCALATE}) x
CROSS JOIN cases AS c ON c.id = x.case_id
WHERE c.state = 'registered'"""
    return f"""
SELECT CASE WHEN :county AND returns >= {RETURNS_TO_ESCALATE} THEN 'to_escalate' END AS section,
       due_open AS o, 0 AS late, NULL AS due, returns || '个部门退单，县级难以解决' AS note, cmd_escalate AS next,
       {_CASE_OUT}
FROM (SELECT c.due_open, {_CASE}, {day.src.returns} AS returns, {_cmd(ESCALATE)} AS cmd_escalate
      FROM cases c WHERE c.state = 'registered')"""


def _meeting(day: Day, only: str = "") -> str:
    return f"""
SELECT 'meeting' AS section, c.due_open AS o, 0 AS late, NULL AS due, '待主要领导研究' AS note, {_cmd(MEETING)} AS next,
       {_CASE}
FROM cases c WHERE c.state = 'meeting'"""


def _escalated(day: Day, only: str = "") -> str:
    """Escalated a month ago or more, no result back from the city; today, the date as kept on
    the case (migration 23)."""
    if day.src is NOW:
        return f"""
SELECT CASE WHEN c.escalated_now <= :escalated_by THEN 'escalation_waiting' END AS section, c.due_open AS o,
       0 AS late, NULL AS due, c.escalated_now || ' 转报，已逾1个月' AS note, {_cmd(PACKAGE)} AS next, {_CASE},
       c.escalated_now AS since, {_ESCALATED_ITEM} AS item
FROM cases AS c INDEXED BY cases_escalated WHERE c.state = 'escalated' AND c.escalated_now IS NOT NULL"""
    return f"""
SELECT CASE WHEN e.escalated_on <= :escalated_by THEN 'escalation_waiting' END AS section, c.due_open AS o,
       0 AS late, NULL AS due, e.escalated_on || ' 转报，已逾1个月' AS note, {_cmd(PACKAGE)} AS next, {_CASE},
       e.escalated_on AS since
FROM cases c JOIN escalations e ON e.id = {day.src.escalation}
WHERE c.state = 'escalated'"""


_WHAT = "iif(c.supervision = 'special', '专项督办', '')"  # what is late (late_not_urged's note)


# A late case's item from its due date to its number (_URGE_MIDDLE), the day's, or the same
# worked out (a due date before those of temp.agenda_late: none the arm places).
_JURGE = (
    "coalesce(iif(c.supervision = 'special', l.jurge_special, l.jurge), "
    f"{_JDUE.removesuffix(' AS jdue')} || printf({lit(_URGE_MIDDLE)}, {_WHAT}, coalesce(l.late, 0)))"
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
             {_WHAT} AS what,
             {_JURGE} AS jurge, l.jreply,
             {_cmd(URGE)} AS cmd_urge, {_cmd(REPLY)} AS cmd_reply
      FROM cases c {_LATE.format("c.due_open")}
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
       c.answered_note AS note, iif(c.answered_close, {_cmd(CLOSE)}, {_cmd(FOLLOWUP)}) AS next, {_CASE},
       {_ANSWERED_ITEM} AS item
FROM cases AS c INDEXED BY cases_answered
WHERE {_ANSWERED} {only}"""
    return f"""
SELECT CASE ({ANSWERED_RULE}) WHEN 1 THEN 'ready_close' WHEN 0 THEN 'followup' END AS section,
       c.due_open AS o, 0 AS late, NULL AS due, {ANSWERED_NOTE} AS note,
       iif(f.reply_id = r.id, {_cmd(CLOSE)}, {_cmd(FOLLOWUP)}) AS next, {_CASE}
FROM cases c
JOIN replies r ON r.id = {day.src.reply}
LEFT JOIN followups f ON f.id = {day.src.followup}
WHERE c.state = 'replied' AND c.supervision = '' {only}"""


# A case due soon: its item from the due date to the command (temp.agenda_late.jreply, worked
# out for a due date it does not hold: none the arm places).
_JREPLY = f"jdue || {lit(NOTE)} || json_quote('办结时限 ' || due) || {lit(NEXT)}"
# An item with no due date, up to its note; the note of a case awaiting a meeting.
_UNDATED = "null" + DAYS_LATE + "0" + NOTE
_MEETING_NOTE = '"待主要领导研究"'

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
            "late_not_urged": (_URGE_NOTE, "what, late", URGE),  # what: a constant, nothing to escape
            "due_soon": ("%s", "json_quote('办结时限 ' || due)", REPLY),
        },
        dated=True,
        joined={
            "late_not_urged": f"head || jurge || {NUMBER}",
            "due_soon": f"head || coalesce(jreply, {_JREPLY}) || {_cmd_out(REPLY)}",
        },
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
        counted={"escalation_waiting": "c.state = 'escalated' AND c.escalated_now <= :escalated_by"},
        joined={"escalation_waiting": f"item || {_cmd_out(PACKAGE)}"},
        tally="cases_escalated_tally",
        json={"escalation_waiting": ("%s", "json_quote(since || ' 转报，已逾1个月')", PACKAGE)},
    ),
    Arm(
        ("meeting",),
        _meeting,
        counted={"meeting": "c.state = 'meeting'"},
        tally="cases_state",
        json={"meeting": (_MEETING_NOTE, "", MEETING)},
        joined={"meeting": f"head || {lit(_UNDATED + _MEETING_NOTE + NEXT)} || {_cmd_out(MEETING)}"},
    ),
    Arm(
        ("followup", "ready_close"),
        _answered,
        _ANSWERED_BOUNDS,
        counted={key: f"{_ANSWERED} {bound[0]}" for key, bound in _ANSWERED_BOUNDS.items()},
        joined={"followup": f"item || {_cmd_out(FOLLOWUP)}", "ready_close": f"item || {_cmd_out(CLOSE)}"},
        tally="cases_answered_tally",
        json={"followup": ("%s", "json_quote(note)", FOLLOWUP), "ready_close": ("%s", "json_quote(note)", CLOSE)},
    ),
]
assert all(not a.counted or set(a.counted) == set(a.sections) for a in ARMS)
