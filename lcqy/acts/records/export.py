"""The Excel problem ledger (DESIGN §4): the rows export-ledger writes."""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from lcqy.acts.boards.listing import Filters, iter_ledger_rows, late_days
from lcqy.acts.cases import as_date
from lcqy.acts.common import output_file
from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules.lateness import days_late, first_reply_days_late
from lcqy.store.outputs import scratch, writing

CONTACT_KEYS = ("address", "contact", "contact_title", "phone", "email", "accepted_on", "accepted_by")


# The first reply to each case's active 交办单 (the one its row shows), for the answered cases.
FIRST_REPLIES_SQL = """
SELECT d.case_id, s.first_reply_on, f.mode, f.late FROM dispatch_spans s JOIN dispatches d ON d.id = s.id
JOIN replies f ON f.id = s.first_reply_id
WHERE d.id IN (SELECT max(id) FROM dispatches WHERE status = 'active' GROUP BY case_id)"""


def first_replies(ctx: Ctx) -> dict[int, tuple[str, str, int]]:
    """case id -> (date, mode, recorded days late) of the first reply to its active 交办单."""
    return {r[0]: r[1:] for r in ctx.ledger.conn.execute(FIRST_REPLIES_SQL)}


def export_row(ctx: Ctx, r: dict, as_of: date, first_reply: dict[int, tuple] | None = None) -> dict:
    """One case in the row shape of lcqy.xlsx.writer. `first_reply`: first_replies(ctx), read
    once for a whole export (read for the case when not given)."""
    if r["state"] in ("registered", "dispatched", "escalated", "meeting"):
        late = late_days(ctx, r, as_of)[2]
    else:
        late = _answered_late(ctx, r, as_of, first_reply)
    return {
        "reg_no": r["reg_no"],
        "category": r["category"],
        "reported_on": as_date(r["reported_on"]),
        "enterprise": r["enterprise"],
        "channel": r["channel"],
        "problem": r["problem"],
        "request": r["request"],
        "dispatch_no": r["dispatch_no"] or r["escalate_no"] or "",
        "lead_dept": r["lead_dept"] or "",
        "assist_depts": r["assist"],
        "due_date": as_date(r["due_current"]),
        "due_estimated": bool(r["due_estimated"]),
        "result": r["result"] or "",
        "replied_on": as_date(r["replied_on"]),
        "satisfaction": r["satisfaction"] or "",
        "state": r["state_label"],
        "supervision": r["supervision_label"],
        "days_late": late,
        "urge_count": r["urge_count"],
        "remarks": r["remarks"],
        "dispatched_on": as_date(r["dispatched_on"] or r["escalated_on"]),
        "approver": r["approver"] or r["escalate_approver"] or "",
        "merged_into": r["merged_into_no"] or "",
        "nature": "、".join(n for n, on in (("重大", r["major"]), ("咨询", r["consult"])) if on),
        **{k: (as_date(r[k]) if k == "accepted_on" else r[k]) for k in CONTACT_KEYS},
    }


def _answered_late(ctx: Ctx, r: dict, as_of: date, first_reply: dict[int, tuple] | None) -> int:
    """An answered case: how late the first reply to the 交办单 the row shows came after that
    交办单's 办结时限 (超期办结, lcqy.rules.lateness; a re-issued 交办单 is judged by the reply
    to it, as `stats` does). With no 交办单 (a case answered after 转报, an imported row without
    one) there is no 办结时限 to judge by, and the number recorded with the reply stands."""
    if not r["due_current"]:
        return r["first_reply_late"] or 0
    if first_reply is None:
        got = ctx.ledger.conn.execute(FIRST_REPLIES_SQL + " AND d.case_id = ?", [r["id"]]).fetchone()
        first = got[1:] if got else None
    else:
        first = first_reply.get(r["id"])
    if first is None:  # ended without a reply to its 交办单 (an imported row): nothing to judge
        return r["first_reply_late"] or 0
    replied, mode, recorded = first
    if date.fromisoformat(replied) > as_of:
        return days_late(ctx.cal, date.fromisoformat(r["due_current"]), None, as_of)
    return first_reply_days_late(
        ctx.cal, date.fromisoformat(r["due_current"]), date.fromisoformat(replied), mode=mode, recorded=recorded
    )


def export_rows(ctx: Ctx, f: Filters, as_of: date) -> Iterator[dict]:
    first_reply = first_replies(ctx)
    for r in iter_ledger_rows(ctx, f):
        yield export_row(ctx, r, as_of, first_reply)


def count_cases(ctx: Ctx) -> int:
    return ctx.ledger.db.execute("SELECT count(*) FROM cases").fetchone()[0]


def export(
    ctx: Ctx,
    output: str | None,
    f: Filters,
    *,
    with_contacts: bool = False,
    force: bool = False,
    progress: Callable[[int], None] | None = None,
    paper: str = "A3",
) -> tuple[Path, dict]:
    """Write the ledger workbook; the default name carries the office and the day."""
    if f.year and (f.date_from or f.date_to):
        raise LcqyError("--year 与 --from/--to 只能选一种。")
    paper = (paper or "").strip().upper()
    if paper not in ("A3", "A4"):
        raise LcqyError(f"纸张（--paper）“{paper}”不对，可选：A3（全部栏目）、A4（台帐基本栏目）。")
    if f.date_from and f.date_to and f.date_from > f.date_to:
        raise LcqyError(f"受理时间起（--from）{f.date_from} 晚于止（--to）{f.date_to}，没有案件可导出；请对调。")
    office = ctx.ledger.meta["office_name"]
    path = output_file(output, f"{office}问题台帐_{ctx.today:%Y%m%d}.xlsx", ".xlsx", force)
    from lcqy.xlsx.writer import write_ledger

    note = f"截至 {ctx.today:%Y年%m月%d日}" + (f"，{f.year}年度" if f.year else "")
    if f.date_from or f.date_to:
        note += f"，受理时间 {f.date_from or '…'} 至 {f.date_to or '…'}"
    if f.state:
        note += f"，仅“{f.state}”"
    rows = export_rows(ctx, f, ctx.today)
    period = f"{f.year}年度" if f.year else f"截至{ctx.today.year}年{ctx.today.month}月{ctx.today.day}日"
    # Beside its place, renamed there once whole (lcqy.store.outputs).
    with private_tempdir(path), writing(path) as part:
        got = write_ledger(
            part,
            rows,
            office_name=office,
            title_note=note,
            with_contacts=with_contacts,
            progress=progress,
            period=period,
            made_on=ctx.today,
            paper=paper,
        )
    return path, got


@contextmanager
def private_tempdir(dest: Path) -> Iterator[Path]:
    """openpyxl writes each sheet to a temporary file first, in the system temp directory by
    default, where a killed export would leave enterprises' names and phones for anyone to read.
    Here they go into a directory of our own (0700) beside the destination, removed afterwards,
    even on failure; one left by a killed export is removed by the next writer into that place
    (lcqy.store.outputs.scratch)."""
    with scratch(dest) as private:
        saved = tempfile.tempdir
        tempfile.tempdir = str(private)
        try:
            yield private
        finally:
            tempfile.tempdir = saved
