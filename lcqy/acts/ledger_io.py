"""The Excel problem ledger (DESIGN §4): rows out for export-ledger, rows in for import-ledger."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.acts.queries import Filters, iter_ledger_rows, late_days
from lcqy.acts.register import FIELDS, clean_field
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import SATISFACTION, STATES, SUPERVISION
from lcqy.rules.deadlines import dispatch_due, handling_due
from lcqy.rules.numbering import parse_number
from lcqy.rules.workdays import add_workdays, workdays_between
from lcqy.store.db import now_text

CONTACT_KEYS = ("address", "contact", "contact_title", "phone", "email", "accepted_on", "accepted_by")


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def export_row(ctx: Ctx, r: dict, as_of: date) -> dict:
    """One case in the row shape of lcqy.xlsx.writer."""
    if r["state"] in ("registered", "dispatched", "escalated"):
        late = late_days(ctx, r, as_of)[2]
    elif r["first_replied_on"] and r["due_current"]:
        late = workdays_between(
            ctx.cal, date.fromisoformat(r["due_current"]), date.fromisoformat(r["first_replied_on"])
        )
    else:
        late = 0
    return {
        "reg_no": r["reg_no"],
        "category": r["category"],
        "reported_on": _d(r["reported_on"]),
        "enterprise": r["enterprise"],
        "channel": r["channel"],
        "problem": r["problem"],
        "request": r["request"],
        "dispatch_no": r["dispatch_no"] or r["escalate_no"] or "",
        "lead_dept": r["lead_dept"] or "",
        "assist_depts": r["assist"],
        "due_date": _d(r["due_current"]),
        "due_estimated": bool(r["due_estimated"]),
        "result": r["result"] or "",
        "replied_on": _d(r["replied_on"]),
        "satisfaction": r["satisfaction"] or "",
        "state": r["state_label"],
        "supervision": r["supervision_label"],
        "days_late": late,
        "urge_count": r["urge_count"],
        "remarks": r["remarks"],
        "nature": "、".join(n for n, on in (("重大", r["major"]), ("咨询", r["consult"])) if on),
        **{k: (_d(r[k]) if k == "accepted_on" else r[k]) for k in CONTACT_KEYS},
    }


def export_rows(ctx: Ctx, f: Filters, as_of: date) -> Iterator[dict]:
    for r in iter_ledger_rows(ctx, f):
        yield export_row(ctx, r, as_of)


def count_cases(ctx: Ctx) -> int:
    return ctx.ledger.db.execute("SELECT count(*) FROM cases").fetchone()[0]


# -- import -------------------------------------------------------------------------------

_STATE_KEYS = {v: k for k, v in STATES.items()}
_SUPERVISION_KEYS = {v: k for k, v in SUPERVISION.items() if k}
IMPORT_REQUIRED = ("category", "enterprise", "channel", "problem", "reported_on")


class _Row:
    """One sheet row: where it stands, its raw values, the checked fields and numbers."""

    def __init__(self, where: str, values: dict):
        self.where, self.v = where, values
        self.fields: dict = {}
        self.numbers: dict[str, tuple[str, int, int]] = {}


def _check_row(ctx: Ctx, where: str, v: dict, prefix: str) -> tuple[_Row, list[str]]:
    row, problems = _Row(where, v), []

    def guard(fn, *a):
        try:
            return fn(*a)
        except LcqyError as exc:
            problems.append(f"{where}：{exc.message}")
            return None

    for key in IMPORT_REQUIRED:
        if v.get(key) in (None, ""):
            problems.append(f"{where}：缺少{FIELDS[key][0]}。")
    for key in FIELDS:
        if v.get(key) not in (None, "") and key not in ("reported_on", "accepted_on"):
            row.fields[key] = guard(clean_field, key, v[key])
    for key in ("reported_on", "accepted_on"):
        if v.get(key) not in (None, ""):
            d = guard(validate.parse_date, FIELDS[key][0], v[key])
            if d:
                row.fields[key] = guard(validate.not_future, FIELDS[key][0], d, ctx.today)
    for key, kinds in (("reg_no", "收"), ("dispatch_no", "交报")):
        text = str(v.get(key) or "").strip()
        if not text:
            continue
        num = parse_number(text)
        if num is None or num.kind not in kinds:
            problems.append(f"{where}：{'登记编号' if key == 'reg_no' else '交办/转报编号'}“{text}”格式不对。")
        elif num.prefix != prefix:
            problems.append(f"{where}：编号“{text}”的简称“{num.prefix}”与本台帐（{prefix}）不符。")
        else:
            row.numbers[key] = (num.kind, num.year, num.seq)
    state = str(v.get("state") or "").strip()
    if state and state not in _STATE_KEYS:
        problems.append(f"{where}：状态“{state}”不在可选范围内，可选：{'、'.join(STATES.values())}。")
    result = str(v.get("result") or "").strip()
    if result and result not in ("A", "B", "C"):
        problems.append(f"{where}：办理结果“{result}”只能是 A、B、C。")
    sat = str(v.get("satisfaction") or "").strip()
    if sat and sat not in SATISFACTION:
        problems.append(f"{where}：满意度“{sat}”不在可选范围内，可选：{'、'.join(SATISFACTION)}。")
    for key, label in (("due_date", "办结时限"), ("replied_on", "答复时间")):
        if v.get(key) not in (None, "") and not isinstance(v[key], date):
            guard(validate.parse_date, label, v[key])
    if result and not v.get("replied_on"):
        problems.append(f"{where}：有办理结果但缺少答复时间。")
    if "dispatch_no" in row.numbers and row.numbers["dispatch_no"][0] == "交" and not v.get("lead_dept"):
        problems.append(f"{where}：有交办编号但缺少牵头部门。")
    if not isinstance(v.get("urge_count") or 0, int):
        problems.append(f"{where}：催办次数“{v.get('urge_count')}”应为整数。")
    return row, problems


def import_ledger(ctx: Ctx, path: Path, *, dry_run: bool = False) -> dict:
    """All rows or none: every problem is reported by sheet and row before anything is written."""
    from lcqy.xlsx.reader import read_workbook

    if not path.is_file():
        raise LcqyError(f"找不到文件 {path}。")
    try:
        got = read_workbook(path)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise LcqyError(f"{path} 无法作为 Excel 台帐读取（{type(exc).__name__}）。") from None
    led = ctx.ledger
    rows, problems, seen = [], [], {}
    for sr in got.rows:
        where = f"工作表“{sr.sheet}”第{sr.row}行"
        row, errs = _check_row(ctx, where, sr.values, led.prefix)
        problems += errs
        for key, num in row.numbers.items():
            if num in seen:
                problems.append(f"{where}：编号与{seen[num]}重复。")
            seen[num] = where
            if led.db.execute("SELECT 1 FROM numbers WHERE kind=? AND year=? AND seq=?", list(num)).fetchone():
                problems.append(f"{where}：编号“{sr.values[key]}”已在台帐中。")
        rows.append(row)
    if not rows and not problems:
        problems.append(f"{path} 中没有找到台帐数据（表头应含 企业名称、反映时间 等登记表栏目）。")
    if problems:
        shown = problems[:50] + ([f"……另有 {len(problems) - 50} 处问题"] if len(problems) > 50 else [])
        raise LcqyError(f"导入未进行，共 {len(problems)} 处问题：\n" + "\n".join(shown))
    new_depts: list[str] = []
    try:
        _write_all(ctx, rows, path.name, new_depts, dry_run)
    except _DryRun:
        pass  # everything checked and written, then rolled back
    return {
        "rows": len(rows),
        "new_depts": new_depts,
        "dry_run": dry_run,
        "unknown_headers": got.unknown_headers,
        "skipped_sheets": got.skipped_sheets,
    }


class _DryRun(Exception):
    """Raised inside the transaction to roll back a --dry-run import."""


def _write_all(ctx: Ctx, rows: list[_Row], source: str, new_depts: list[str], dry_run: bool) -> None:
    led = ctx.ledger
    with led.write():
        have = {r["name"] for r in led.db.query("SELECT name FROM departments")}
        # Claimed numbers first, so that the counters move past them before any new number is issued.
        rows.sort(key=lambda r: "reg_no" not in r.numbers)
        for row in rows:
            for dept in [row.v.get("lead_dept") or ""] + list(row.v.get("assist_depts") or []):
                if dept and dept not in have:
                    have.add(dept)
                    new_depts.append(dept)
                    led.db["departments"].insert({"name": dept, "added_on": ctx.today.isoformat()})
            _write_row(ctx, row, source)
        if dry_run:
            raise _DryRun


def _write_row(ctx: Ctx, row: _Row, source: str) -> None:
    led, v, f = ctx.ledger, row.v, row.fields
    reported = f["reported_on"]
    accepted = f.get("accepted_on") or reported
    result = str(v.get("result") or "").strip()
    dnum = row.numbers.get("dispatch_no")
    state = _STATE_KEYS.get(str(v.get("state") or "").strip()) or (
        "replied" if result else "escalated" if dnum and dnum[0] == "报" else "dispatched" if dnum else "registered"
    )
    nature = str(v.get("nature") or "")
    major = "重大" in nature
    due = dispatch_due(ctx.cal, accepted, major=major)
    case = {
        **{k: f.get(k) or "" for k in FIELDS if k not in ("reported_on", "accepted_on")},
        "reported_on": reported.isoformat(),
        "accepted_on": accepted.isoformat(),
        "accepted_by": f.get("accepted_by") or ctx.actor,
        "state": state,
        "dispatch_due": due.isoformat(),
        "dispatch_due_estimated": int(ctx.cal.is_estimate(due)),
        "supervision": _SUPERVISION_KEYS.get(str(v.get("supervision") or "").strip(), ""),
        "prior_urges": int(v.get("urge_count") or 0),
        "created_at": now_text(),
        "major": int(major),
        "consult": int("咨询" in nature),
    }
    if state in ("closed", "rejected", "forwarded", "merged", "void"):
        case["ended_on"] = (v.get("replied_on") or accepted).isoformat()
    if "reg_no" in row.numbers:
        _, year, seq = row.numbers["reg_no"]
        reg_no = led.claim("收", year, seq, accepted.isoformat())
    else:
        year = accepted.year
        seq, reg_no = led.allocate("收", year, accepted.isoformat())
    case_id = led.db["cases"].insert({**case, "reg_no": reg_no, "reg_year": year, "reg_seq": seq}).last_pk
    led.db.execute("UPDATE numbers SET case_id = ? WHERE text = ?", [case_id, reg_no])
    led.event(case_id, ctx.today.isoformat(), "import", ctx.actor, source=source, where=row.where)
    if not dnum:
        return
    kind, dyear, dseq = dnum
    no = led.claim(kind, dyear, dseq, accepted.isoformat(), case_id)
    if kind == "报":
        limit = dispatch_due(ctx.cal, accepted, major=True, escalation=True)
        # The sheet gives how late the escalation was, not its date: put it that many working days after the limit.
        late = int(v.get("days_late") or 0)
        on = add_workdays(ctx.cal, limit, late) if late else accepted
        led.db["escalations"].insert(
            {
                "case_id": case_id,
                "no": no,
                "approver": "",
                "suggestion": "（自Excel台帐导入）",
                "escalated_on": on.isoformat(),
                "limit_due": limit.isoformat(),
                "late": int(late > 0),
            }
        )
        return
    due_date = v.get("due_date") or handling_due(ctx.cal, accepted, "一般")
    due_date = due_date if isinstance(due_date, date) else validate.parse_date("办结时限", due_date)
    disp_id = (
        led.db["dispatches"]
        .insert(
            {
                "case_id": case_id,
                "no": no,
                "lead_dept": v["lead_dept"],
                "assist": json.dumps(list(v.get("assist_depts") or []), ensure_ascii=False),
                "approver": "（导入）",
                "level": "导入",
                "tier": "一般",
                "dispatched_on": accepted.isoformat(),
                "received_on": accepted.isoformat(),
                "limit_due": due.isoformat(),
                "due_original": due_date.isoformat(),
                "due_current": due_date.isoformat(),
                "due_estimated": int(ctx.cal.is_estimate(due_date)),
            }
        )
        .last_pk
    )
    if not result:
        return
    replied = v["replied_on"] if isinstance(v["replied_on"], date) else validate.parse_date("答复时间", v["replied_on"])
    reply_id = (
        led.db["replies"]
        .insert(
            {
                "case_id": case_id,
                "dispatch_id": disp_id,
                "result": result,
                "mode": "导入",
                "summary": "（自Excel台帐导入）",
                "replied_on": replied.isoformat(),
                "late": int(replied > due_date),
            }
        )
        .last_pk
    )
    sat = str(v.get("satisfaction") or "").strip()
    if sat:
        led.db["followups"].insert(
            {
                "case_id": case_id,
                "reply_id": reply_id,
                "method": "导入",
                "satisfaction": sat,
                "followed_on": replied.isoformat(),
            }
        )
