"""Time limits of the measures (第十二、十三、十六条) as plain functions."""

from __future__ import annotations

from datetime import date

from lcqy.errors import LcqyError
from lcqy.rules.workdays import WorkCalendar, add_workdays, one_month_limit

DISPATCH_DAYS_SIMPLE = 2  # one department, clear case: 主任 approves, 2 working days
DISPATCH_DAYS_COMPLEX = 3  # several departments / major / escalation: 3 working days
HANDLING_DAYS = 5  # 第十六条: 5 working days from receipt of the 交办单
EXTENSION_DAYS = 15  # special reasons: at most 15 working days


def dispatch_limit_days(*, major: bool, has_assist: bool = False, escalation: bool = False) -> int:
    return DISPATCH_DAYS_COMPLEX if (major or has_assist or escalation) else DISPATCH_DAYS_SIMPLE


def dispatch_due(
    cal: WorkCalendar, accepted_on: date, *, major: bool, has_assist: bool = False, escalation: bool = False
) -> date:
    """Last day to dispatch (or escalate) a case accepted on `accepted_on`."""
    days = dispatch_limit_days(major=major, has_assist=has_assist, escalation=escalation)
    return add_workdays(cal, accepted_on, days)


def handling_due(cal: WorkCalendar, received_on: date, tier: str) -> date:
    """Reply due: 5 working days (一般) or one month (重大) from receipt."""
    if tier == "重大":
        return one_month_limit(cal, received_on)
    return add_workdays(cal, received_on, HANDLING_DAYS)


def handling_span(tier: str) -> str:
    """The handling limit in words, as the forms print it."""
    return "1个月" if tier == "重大" else f"{HANDLING_DAYS}个工作日"


def extension_span(tier: str) -> str:
    return "1个月" if tier == "重大" else f"{EXTENSION_DAYS}个工作日"


def extension_limit(cal: WorkCalendar, received_on: date, tier: str) -> date:
    """The latest due date an extension may set without an override."""
    if tier == "重大":
        return one_month_limit(cal, received_on)
    return add_workdays(cal, received_on, EXTENSION_DAYS)


def check_approval(level: str, *, assist: bool, major: bool, tier: str) -> None:
    """第十二条: the 主任 approves only a clear case for one department."""
    if level == "主任" and (assist or major or tier == "重大"):
        why = "涉及多个部门" if assist else "属重大问题"
        raise LcqyError(
            f"审批层级“主任”不适用：该问题{why}，须由副组长或组长审批（--level 副组长|组长），"
            "需主要领导研究的提请专题会议（--level 专题会议）。"
        )
