"""What the agenda writes: its sections and their titles, the next command it gives for each
case, and the fixed parts of an `agenda --json` item as json.dumps(indent=2) writes them at an
item's depth in the list (the keys between the values, the notes' wording), as text and as SQL.
Shared by the arms that place the cases (lcqy.acts.boards.agenda_arms), the rows placed apart
(agenda_placed) and the reader (agenda): one place for each word the clerk reads."""

from __future__ import annotations

SOON = 2  # working days ahead that count as "coming due"
RETURNS_TO_ESCALATE = 2  # 退单 by this many county departments: the county may not be able to solve it
# What `agenda --json` writes between an item's due date and its days late (at the item's depth
# in the list, as json.dumps(indent=2) does): the day's part of an item is kept whole per day.
DAYS_LATE = ',\n          "days_late": '
NOTE, NEXT = ',\n          "note": ', ',\n          "next": "'  # and the start of the note and command
# The number as the clerk types it (the sequence alone for a case of the as-of year), over a
# case {c} ("c." or, over a row of an arm, "").
NUMBER_OF = "iif({c}reg_year = :year, {c}reg_seq, {c}reg_year || '-' || {c}reg_seq)"
NUMBER = NUMBER_OF.format(c="")

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


def lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def cmd(template: str, c: str = "c.") -> str:
    """A command template as SQL over the case `c` (c="": over a row of an arm): {n} is its
    number as the clerk types it (NUMBER_OF)."""
    pre, n, post = template.partition("{n}")
    return " || ".join([lit(pre), NUMBER_OF.format(c=c), *([lit(post)] if post else [])]) if n else lit(template)


# A late case's note, never urged (over `what`, 专项督办 or nothing, and its days late), and its
# command. Its --json item from the due date to the case's number depends on the day and `what`
# alone: kept per day in temp.agenda_late (jurge, jurge_special), joined to the case's part of
# the item and its number with `||` (a printf an item costs more, 175,000 at 1,000,000 cases).
URGE_NOTE = '"%s超期%d个工作日"'
URGE_MIDDLE = f'{NOTE}{URGE_NOTE}{NEXT}{URGE.partition("{n}")[0]}'
assert "%" not in URGE

# A case awaiting dispatch: its note, over its limit and the working days it is late by.
REGISTERED_NOTE = (
    "CASE WHEN {due} <= :as_of THEN '时限' || substr({due}, 6)"
    " || CASE WHEN {late} THEN '，已过' || {late} || '个工作日' ELSE '，今天到期' END"
    " ELSE '交办时限 ' || {due} END"
)

# An item with no due date, up to its note; the note of a case awaiting a meeting.
UNDATED = "null" + DAYS_LATE + "0" + NOTE
MEETING_NOTE = '"待主要领导研究"'
