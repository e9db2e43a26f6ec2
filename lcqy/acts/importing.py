"""import-ledger: an office's existing Excel ledger, imported all or nothing once every row
passes the checks of lcqy.acts.import_rows."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.acts.import_rows import Row, check_row, check_sheet, number_ranges
from lcqy.acts.register import FIELDS
from lcqy.errors import LcqyError
from lcqy.rules.deadlines import dispatch_due, handling_due
from lcqy.rules.workdays import add_workdays, one_month_limit, workdays_between
from lcqy.store.db import now_text

MAX_SHOWN = 50
# Numbers the old ledger issued but the sheet does not show are voided for good: a few (returned
# dispatches, voided entries: up to five, or one for every ten rows) go through, named; more need
# --allow-gaps (one row numbered 第120号 in a ledger at 第102号 would void seventeen).
GAPS_WITHOUT_ASKING = 5
GAPS_PER_ROWS = 10


def import_ledger(ctx: Ctx, path: Path, *, dry_run: bool = False, allow_gaps: bool = False) -> dict:
    """All rows or none: every problem is reported by sheet and row before anything is written."""
    from lcqy.xlsx.reader import read_workbook
    from lcqy.xlsx.writer import COLUMNS, CONTACT_COLUMNS

    if not path.is_file():
        raise LcqyError(f"找不到文件 {path}。")
    try:
        got = read_workbook(path)
    except LcqyError:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise LcqyError(f"{path} 无法作为 Excel 台帐读取（{type(exc).__name__}）。") from None
    led = ctx.ledger
    rows: list[Row] = []
    problems: list[str] = []
    labels = {key: header for key, header, _ in COLUMNS + CONTACT_COLUMNS}
    for sr in got.rows:
        where = f"工作表“{sr.sheet}”第{sr.row}行"
        row, errs = check_row(ctx, where, sr.values, led.prefix, led.level)
        formulas = got.formulas.get(sr.sheet, {}).get(sr.row, [])
        if formulas:
            # Not "missing": a formula whose result the file does not keep (a program that
            # writes formulas without calculating them); said as such, once.
            said = {f"{where}：缺少{labels.get(k, k)}。" for k in formulas}
            errs = [e for e in errs if e not in said] + [
                f"{where}：{'、'.join(labels.get(k, k) for k in formulas)}是公式，文件中没有它的计算结果"
                "（请在 Excel 或 WPS 中打开并保存后再导入，或把公式改成数值）。"
            ]
        problems += errs
        rows.append(row)
    more_problems, voids = check_sheet(ctx, rows)
    problems += more_problems
    handful = max(GAPS_WITHOUT_ASKING, len(rows) // GAPS_PER_ROWS)
    if len(voids) > handful and not allow_gaps and not more_problems:
        problems.append(
            f"导入将作废 {len(voids)} 个表中没有的编号（永不再用）：{number_ranges(led.prefix, voids)}。"
            "请核对编号；确属原台帐的空号，加 --allow-gaps 再导入。"
        )
    if not rows and not problems:
        problems.append(f"{path} 中没有找到台帐数据（表头应含 企业名称、反映时间 等登记表栏目）。")
    if problems:
        more = len(problems) - MAX_SHOWN
        shown = problems[:MAX_SHOWN] + ([f"……另有 {more} 处问题"] if more > 0 else [])
        raise LcqyError(f"导入未进行，共 {len(problems)} 处问题：\n" + "\n".join(shown))
    new_depts: list[str] = []
    try:
        _write_all(ctx, rows, path.name, new_depts, dry_run)
    except _DryRun:
        pass  # everything was written, then rolled back
    return {
        "rows": len(rows),
        "voided_gaps": len(voids),
        "voided": number_ranges(led.prefix, voids, most=1000) if voids else "",
        "new_depts": new_depts,
        "dry_run": dry_run,
        "unknown_headers": got.unknown_headers,
        "skipped_sheets": got.skipped_sheets,
    }


class _DryRun(Exception):
    """Raised inside the transaction to roll back a --dry-run import."""


def _write_all(ctx: Ctx, rows: list[Row], source: str, new_depts: list[str], dry_run: bool) -> None:
    led = ctx.ledger
    with led.write():
        have = {r["name"] for r in led.db.query("SELECT name FROM departments")}
        # Claimed numbers first, so that the counters move past them before any new number is issued.
        for row in sorted(rows, key=lambda r: r.reg is None):
            for dept in [row.lead, *row.assist]:
                if dept and dept not in have:
                    have.add(dept)
                    new_depts.append(dept)
                    led.db["departments"].insert({"name": dept, "added_on": ctx.today.isoformat()})
            _write_row(ctx, row, source)
        for row in rows:
            if row.merged_into:
                _merge(ctx, row)
        _fill_gaps(ctx)
        if dry_run:
            raise _DryRun


def _merge(ctx: Ctx, row: Row) -> None:
    db = ctx.ledger.db
    (target,) = db.execute("SELECT id FROM cases WHERE reg_year = ? AND reg_seq = ?", list(row.merged_into)).fetchone()
    db.execute("UPDATE cases SET merged_into = ? WHERE reg_no = ?", [target, row.reg_no])


def _fill_gaps(ctx: Ctx) -> None:
    """Numbers the old ledger issued but the sheet does not show (a returned dispatch, a
    voided entry) are kept as voided, so the sequence stays whole and is never reused."""
    led = ctx.ledger
    for kind, year, top in list(led.db.execute("SELECT kind, year, max(seq) FROM numbers GROUP BY kind, year")):
        have = {s for (s,) in led.db.execute("SELECT seq FROM numbers WHERE kind=? AND year=?", [kind, year])}
        for seq in sorted(set(range(1, top + 1)) - have):
            led.claim(kind, year, seq, ctx.today.isoformat())
            led.db.execute("UPDATE numbers SET voided = 1 WHERE kind=? AND year=? AND seq=?", [kind, year, seq])


def _late_by(cal, today, late: int):
    """A dispatch limit `late` working days before today: a 退单 restarted the limit, and the
    sheet keeps how late the case is, not the date of the 退单."""
    due = today
    while workdays_between(cal, due, today) < late:
        due -= timedelta(days=1)
    return due


def _write_row(ctx: Ctx, row: Row, source: str) -> None:
    led, f, cal = ctx.ledger, row.fields, ctx.cal
    accepted = f.get("accepted_on") or f["reported_on"]
    due = dispatch_due(cal, accepted, major=row.major)
    if row.state == "registered" and workdays_between(cal, due, ctx.today) != row.late:
        due = _late_by(cal, ctx.today, row.late)
    case = {
        **{k: f.get(k) or "" for k in FIELDS if k not in ("reported_on", "accepted_on")},
        "reported_on": f["reported_on"].isoformat(),
        "accepted_on": accepted.isoformat(),
        "accepted_by": f.get("accepted_by") or ctx.actor,
        "state": row.state,
        "dispatch_due": due.isoformat(),
        "dispatch_due_estimated": int(cal.is_estimate(due)),
        "supervision": "" if row.state == "closed" else row.supervision,
        "prior_urges": row.urges,
        "created_at": now_text(),
        "major": int(row.major),
        "consult": int(row.consult),
    }
    if row.state in ("closed", "rejected", "forwarded", "void", "merged"):
        case["ended_on"] = (row.replied_on or accepted).isoformat()
    if row.reg:
        year, seq = row.reg
        reg_no = _claim(led, "收", year, seq, accepted.isoformat())
    else:
        year = accepted.year
        seq, reg_no = led.allocate("收", year, accepted.isoformat())
    row.reg_no = reg_no
    case_id = _insert(led, "cases", {**case, "reg_no": reg_no, "reg_year": year, "reg_seq": seq})
    led.conn.execute("UPDATE numbers SET case_id = ? WHERE text = ?", [case_id, reg_no])
    _event(led, case_id, ctx.today.isoformat(), ctx.actor, source=source, where=row.where)
    if not row.disp:
        return
    kind, dyear, dseq = row.disp
    no = _claim(led, kind, dyear, dseq, (row.dispatched_on or accepted).isoformat(), case_id)
    if kind == "报":
        limit = dispatch_due(cal, accepted, major=True, escalation=True)
        # Without a 转报日期 the sheet still says how late it was: that many working days after the limit.
        on = row.dispatched_on or (add_workdays(cal, limit, row.late) if row.late else accepted)
        _insert(
            led,
            "escalations",
            {
                "case_id": case_id,
                "no": no,
                "approver": row.approver,
                "suggestion": "（自Excel台帐导入）",
                "escalated_on": on.isoformat(),
                "limit_due": limit.isoformat(),
                "late": int(on > limit),
            },
        )
        disp_id = None
        due_date = None
    else:
        on = row.dispatched_on or accepted
        limit = dispatch_due(cal, accepted, major=row.major, has_assist=bool(row.assist))
        due_date = row.due or handling_due(cal, on, "一般")
        disp_id = _insert(
            led,
            "dispatches",
            {
                "case_id": case_id,
                "no": no,
                "lead_dept": row.lead,
                "assist": json.dumps(row.assist, ensure_ascii=False),
                "approver": row.approver or "（导入）",
                "level": "导入",
                # The sheet gives the due date, not the tier: a one-month limit means 重大.
                "tier": "重大" if due_date == one_month_limit(cal, on) else "一般",
                "dispatched_on": on.isoformat(),
                "received_on": on.isoformat(),
                "limit_due": limit.isoformat(),
                "late": int(on > limit),
                "due_original": due_date.isoformat(),
                "due_current": due_date.isoformat(),
                "due_estimated": int(cal.is_estimate(due_date)),
            },
        )
    if not row.result:
        return
    reply_id = _insert(
        led,
        "replies",
        {
            "case_id": case_id,
            # A re-dispatched 专项督办 case: the answer came to a dispatch the sheet does not show.
            "dispatch_id": None if row.state == "dispatched" else disp_id,
            "result": row.result,
            "mode": "导入",
            "summary": "（自Excel台帐导入）",
            "replied_on": row.replied_on.isoformat(),
            # The sheet's 超期工作日 of an answered case is how late its first reply was.
            "late": 0 if row.state == "dispatched" else row.late,
        },
    )
    if row.satisfaction:
        _insert(
            led,
            "followups",
            {
                "case_id": case_id,
                "reply_id": reply_id,
                "method": "导入",
                "satisfaction": row.satisfaction,
                "followed_on": row.replied_on.isoformat(),
            },
        )


# The import writes tens of thousands of rows in one transaction: plain INSERTs, not sqlite-utils'
# per-call table introspection (the same rows; the store's claim and event, said in SQL).
def _insert(led, table: str, values: dict) -> int:
    cols = ", ".join(values)
    marks = ", ".join("?" * len(values))
    return led.conn.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", list(values.values())).lastrowid


def _claim(led, kind: str, year: int, seq: int, issued_on: str, case_id: int | None = None) -> str:
    """Ledger.claim for a number check_sheet has already found free (UNIQUE is the backstop)."""
    from lcqy.rules.numbering import format_number

    text = format_number(led.prefix, kind, year, seq)
    led.conn.execute(
        "INSERT INTO counters (kind, year, next) VALUES (?, ?, ?) "
        "ON CONFLICT(kind, year) DO UPDATE SET next = max(next, excluded.next)",
        (kind, year, seq + 1),
    )
    _insert(
        led,
        "numbers",
        {"kind": kind, "year": year, "seq": seq, "text": text, "case_id": case_id, "issued_on": issued_on},
    )
    return text


def _event(led, case_id: int, act_on: str, actor: str, **detail: object) -> None:
    detail_text = json.dumps(detail, ensure_ascii=False, default=str)
    _insert(
        led,
        "events",
        {
            "case_id": case_id,
            "at": now_text(),
            "act_on": act_on,
            "actor": actor,
            "action": "import",
            "detail": detail_text,
        },
    )
