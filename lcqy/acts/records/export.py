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
from lcqy.store.outputs import scratch, writing

CONTACT_KEYS = ("address", "contact", "contact_title", "phone", "email", "accepted_on", "accepted_by")


def export_row(ctx: Ctx, r: dict, as_of: date) -> dict:
    """One case in the row shape of lcqy.xlsx.writer."""
    if r["state"] in ("registered", "dispatched", "escalated"):
        late = late_days(ctx, r, as_of)[2]
    else:  # answered: how late the first reply was (超期办结), as recorded
        late = r["first_reply_late"] or 0
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


def export_rows(ctx: Ctx, f: Filters, as_of: date) -> Iterator[dict]:
    for r in iter_ledger_rows(ctx, f):
        yield export_row(ctx, r, as_of)


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
