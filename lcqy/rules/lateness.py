"""超期: one rule for whether something due was late, and by how many working days.

Every reader of lateness asks these functions: the reply as it is recorded (超期办结), `show`,
the Excel ledger's 超期工作日, and — through SQL that does the same subtraction on a working-day
table — `stats` and the 简报. tests/test_lateness.py holds them to each other.

The rule, as the measures count time (第十六条, in working days, the start day not counted):

- Something due on `due` and done on `done_on` is late by the working days in (due, done_on]:
  done on or before its limit, 0; done on a rest day right after its limit, still 0 (no working
  day of the limit was overrun); done on a 调休 weekend workday after it, that day counts.
- Not done by the as-of day: late by the working days in (due, as_of]; an act dated after the
  as-of day is not yet done then.
- Which limit a reply answers: the first reply to a 交办单 answers that 交办单's 办结时限 as it
  stands (extensions included): late there is 超期办结. A later reply to the same 交办单 is a
  督办 reply: it answers the promised completion date of the reply before it (督办台帐) or the
  专项督办 deadline set after that reply, and is late against that, not against the 办结时限.
- A 交办单 is completed on time when its first reply is not late; one re-issued (redispatch) is a
  交办单 like any other.

Lateness is computed from the dates under the calendar as it is now. The per-reply `late`
number stored when the reply was recorded is what the same rule said on that day; when it no
longer agrees (the office changed its calendar afterwards), the dates decide: they are what the
ledger records and what a reader can check, and the rest of the ledger (the overdue board, the
简报) already counts open cases under today's calendar. One exception: a reply brought in by
import-ledger (mode 导入) keeps the sheet's 超期工作日, because a sheet's row carries only its
latest 答复时间 (a B reply on time and an A reply months later become one reply dated on the A),
so its dates cannot tell how late the first reply was and the sheet's number can.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lcqy.rules.workdays import WorkCalendar, workdays_between

IMPORTED = "导入"  # the mode of a reply brought in by import-ledger: its recorded number stands

HANDLING = "handling"  # the 交办单's 办结时限 (超期办结)
PLAN = "plan"  # the promised completion date of a B/C reply (督办台帐)
SUPERVISE = "supervise"  # a 专项督办 deadline

LIMIT_LABELS = {HANDLING: "办结时限", PLAN: "承诺完成时限", SUPERVISE: "专项督办时限"}


def days_late(cal: WorkCalendar, due: date | None, done_on: date | None, as_of: date | None = None) -> int:
    """Working days `due` was overrun: by `done_on` when done (by the as-of day, if one is
    given), else by `as_of`; 0 with no limit, or when neither date is known."""
    if due is None:
        return 0
    if done_on is not None and (as_of is None or done_on <= as_of):
        return workdays_between(cal, due, done_on)
    if as_of is None:
        return 0
    return workdays_between(cal, due, as_of)


def is_late(cal: WorkCalendar, due: date | None, done_on: date | None, as_of: date | None = None) -> bool:
    return days_late(cal, due, done_on, as_of) > 0


@dataclass(frozen=True)
class Limit:
    due: date | None
    kind: str  # HANDLING, PLAN, SUPERVISE, or "" (nothing due)

    @property
    def label(self) -> str:
        return LIMIT_LABELS.get(self.kind, "")


NO_LIMIT = Limit(None, "")


def reply_limit(
    *,
    first_to_dispatch: bool,
    dispatch_due: date | None,
    supervision_due: date | None = None,
    supervision_kind: str = "",
) -> Limit:
    """The limit a reply answers: its 交办单's 办结时限 when it is the first reply to it, else the
    督办 date in force (the promised date or the 专项督办 deadline), else none."""
    if first_to_dispatch and dispatch_due is not None:
        return Limit(dispatch_due, HANDLING)
    if supervision_due is not None:
        return Limit(supervision_due, supervision_kind if supervision_kind in (PLAN, SUPERVISE) else PLAN)
    return NO_LIMIT


def reply_days_late(cal: WorkCalendar, limit: Limit, replied_on: date) -> int:
    """Working days a reply came after the limit it answers (0: on time)."""
    return days_late(cal, limit.due, replied_on)


def first_reply_days_late(
    cal: WorkCalendar, due: date, replied_on: date, *, mode: str = "", recorded: int | None = None
) -> int:
    """How late the first reply to a 交办单 was: from the dates, or for an imported reply the
    number its sheet recorded (see the module's note)."""
    if mode == IMPORTED and recorded is not None:
        return recorded
    return days_late(cal, due, replied_on)


def overdue_label(limit: Limit, days: int) -> str:
    """How `show` marks a late reply: 超期办结 only against a 办结时限; a 督办 reply says which
    date it overran."""
    if days <= 0 or not limit.kind:
        return ""
    if limit.kind == HANDLING:
        return "超期办结"
    return f"超过{limit.label}"


def replies_lateness(
    cal: WorkCalendar,
    replies: list[dict],
    dispatch_due: dict[int, date],
    supervise_due: dict[int, date],
) -> list[tuple[Limit, int]]:
    """The limit each of a case's replies answered and its working days late, in the replies'
    order of entry. `replies`: dicts with id, dispatch_id, replied_on and plan_due (ISO text),
    mode and late (an imported reply keeps its recorded number);
    `dispatch_due`: each 交办单's 办结时限; `supervise_due`: per reply, the latest 专项督办
    deadline set after it."""
    out: list[tuple[Limit, int]] = []
    answered: set[int] = set()
    prev: dict | None = None
    for r in sorted(replies, key=lambda r: r["id"]):
        disp = r.get("dispatch_id")
        first = disp is not None and disp not in answered and disp in dispatch_due
        sup, kind = None, ""
        if prev is not None:
            if prev["id"] in supervise_due:
                sup, kind = supervise_due[prev["id"]], SUPERVISE
            elif prev.get("plan_due"):
                sup, kind = date.fromisoformat(prev["plan_due"]), PLAN
        limit = reply_limit(
            first_to_dispatch=first,
            dispatch_due=dispatch_due.get(disp) if first else None,
            supervision_due=sup,
            supervision_kind=kind,
        )
        if r.get("mode") == IMPORTED and r.get("late") is not None:
            days = r["late"]  # the sheet's number (see the module's note)
        else:
            days = reply_days_late(cal, limit, date.fromisoformat(r["replied_on"]))
        out.append((limit, days))
        if disp is not None:
            answered.add(disp)
        prev = r
    return out
