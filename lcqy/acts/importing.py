"""import-ledger: an office's existing Excel ledger, checked row by row, imported all or nothing.

Each row is checked with the same field rules as `register`, and its state must agree with
the numbers, result and satisfaction it carries (a 已销号 row needs an A result and a satisfied
enterprise, an 办理中 row a 交办编号, …), so that what comes in is a ledger `check` passes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from lcqy.acts.context import Ctx
from lcqy.acts.register import FIELDS, MEASURES_START, clean_field
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import SATISFACTION, STATES, SUPERVISION
from lcqy.rules.deadlines import dispatch_due, handling_due
from lcqy.rules.numbering import parse_number
from lcqy.rules.workdays import add_workdays
from lcqy.store.db import now_text

_STATE_KEYS = {v: k for k, v in STATES.items()}
_SUPERVISION_KEYS = {v: k for k, v in SUPERVISION.items() if k}
REQUIRED = ("category", "enterprise", "channel", "problem", "reported_on")
MAX_SHOWN = 50


@dataclass
class Row:
    """One sheet row, parsed and checked."""

    where: str
    fields: dict = field(default_factory=dict)
    reg: tuple[int, int] | None = None  # (year, seq) of a 登记编号 the row carries
    disp: tuple[str, int, int] | None = None  # (交|报, year, seq)
    state: str = "registered"
    result: str = ""
    replied_on: date | None = None
    satisfaction: str = ""
    due: date | None = None
    lead: str = ""
    assist: list[str] = field(default_factory=list)
    urges: int = 0
    late: int = 0
    major: bool = False
    consult: bool = False
    supervision: str = ""
    dispatched_on: date | None = None
    approver: str = ""
    merged_into: tuple[int, int] | None = None  # (year, seq) of the case a duplicate joined
    reg_no: str = ""  # the number the row got


class _Problems(list):
    def at(self, where: str, fn, *args):
        """fn(*args), or None with its refusal recorded at `where`."""
        try:
            return fn(*args)
        except LcqyError as exc:
            self.append(f"{where}：{exc.message}")
            return None


def _number(p: _Problems, where: str, text: str, kinds: str, prefix: str, label: str):
    num = parse_number(text)
    if num is None or num.kind not in kinds:
        p.append(f"{where}：{label}“{text}”格式不对，应如 {prefix}服企办{kinds[0]}（2026）第1号。")
    elif num.prefix != prefix:
        p.append(f"{where}：{label}“{text}”的简称“{num.prefix}”与本台帐（{prefix}）不符。")
    elif num.seq > 10**6:
        p.append(f"{where}：{label}“{text}”的序号过大。")
    else:
        return num
    return None


def check_row(ctx: Ctx, where: str, v: dict, prefix: str, level: str) -> tuple[Row, list[str]]:
    row, p = Row(where), _Problems()
    text = {k: str(v.get(k) if v.get(k) is not None else "").strip() for k in v}
    for key in REQUIRED:
        if not text.get(key):
            p.append(f"{where}：缺少{FIELDS[key][0]}。")
    for key in FIELDS:
        if text.get(key) and key not in ("reported_on", "accepted_on"):
            row.fields[key] = p.at(where, clean_field, key, v[key])
    for key in ("reported_on", "accepted_on"):
        if text.get(key):
            d = p.at(where, validate.parse_date, FIELDS[key][0], v[key])
            row.fields[key] = d and p.at(where, validate.not_future, FIELDS[key][0], d, ctx.today)
    accepted = row.fields.get("accepted_on") or row.fields.get("reported_on")
    if accepted and accepted < MEASURES_START:
        p.append(f"{where}：受理时间 {accepted} 早于办法施行日 {MEASURES_START}。")
    if text.get("reg_no"):
        num = _number(p, where, text["reg_no"], "收", prefix, "登记编号")
        if num:
            row.reg = (num.year, num.seq)
            if accepted and num.year != accepted.year:
                p.append(f"{where}：登记编号年份 {num.year} 与受理时间 {accepted} 不符（编号年份取受理之日）。")
    if text.get("dispatch_no"):
        num = _number(p, where, text["dispatch_no"], "交报", prefix, "交办/转报编号")
        if num:
            row.disp = (num.kind, num.year, num.seq)
            if accepted and not accepted.year <= num.year <= ctx.today.year:
                p.append(f"{where}：交办/转报编号年份 {num.year} 不在受理年份与今年之间。")
            if num.kind == "报" and level != "county":
                p.append(f"{where}：市级台帐没有转报编号。")
    if text.get("dispatched_on"):
        row.dispatched_on = p.at(where, validate.parse_date, "交办日期", v["dispatched_on"])
        if row.dispatched_on and accepted and not accepted <= row.dispatched_on <= ctx.today:
            p.append(f"{where}：交办日期 {row.dispatched_on} 应在受理时间 {accepted} 与今天之间。")
    row.approver = p.at(where, validate.optional_text, "签批领导", text.get("approver", ""), 50) or ""
    if text.get("merged_into"):
        num = _number(p, where, text["merged_into"], "收", prefix, "并入")
        if num:
            row.merged_into = (num.year, num.seq)
    row.result = text.get("result", "")
    if row.result and row.result not in ("A", "B", "C"):
        p.append(f"{where}：办理结果“{row.result}”只能是 A、B、C。")
    row.satisfaction = text.get("satisfaction", "")
    if row.satisfaction and row.satisfaction not in SATISFACTION:
        p.append(f"{where}：满意度“{row.satisfaction}”不在可选范围内，可选：{'、'.join(SATISFACTION)}。")
    if text.get("due_date"):
        row.due = p.at(where, validate.parse_date, "办结时限", v["due_date"])
    if text.get("replied_on"):
        row.replied_on = p.at(where, validate.parse_date, "答复时间", v["replied_on"])
        if row.replied_on and accepted and row.replied_on < accepted:
            p.append(f"{where}：答复时间 {row.replied_on} 早于受理时间 {accepted}。")
    row.lead = text.get("lead_dept", "")
    if row.lead:
        p.at(where, validate.required_text, "牵头部门", row.lead, 50)
    row.assist = [a for a in (v.get("assist_depts") or []) if a]
    if row.lead and row.lead in row.assist:
        p.append(f"{where}：“{row.lead}”既是牵头部门又是配合部门（第十四条：牵头单位为一个）。")
    for key, label in (("urge_count", "催办次数"), ("days_late", "超期工作日")):
        n = v.get(key) or 0
        if not isinstance(n, int) or n < 0:
            p.append(f"{where}：{label}“{v.get(key)}”应为不小于0的整数。")
        else:
            setattr(row, "urges" if key == "urge_count" else "late", n)
    nature = text.get("nature", "")
    row.major, row.consult = "重大" in nature, "咨询" in nature
    sup = text.get("supervision", "")
    if sup and sup not in _SUPERVISION_KEYS:
        p.append(f"{where}：督办“{sup}”只能是：{'、'.join(_SUPERVISION_KEYS)}。")
    row.supervision = _SUPERVISION_KEYS.get(sup, "")
    p += _state(row, text.get("state", ""), where)
    return row, p


def _state(row: Row, label: str, where: str) -> list[str]:
    """The row's state: as written, or read from what it carries; and whether they agree."""
    kind = row.disp[0] if row.disp else ""
    derived = "replied" if row.result else {"报": "escalated", "交": "dispatched"}.get(kind, "registered")
    if label and label not in _STATE_KEYS:
        return [f"{where}：状态“{label}”不在可选范围内，可选：{'、'.join(STATES.values())}。"]
    row.state = _STATE_KEYS.get(label, derived)
    need = {
        "dispatched": (kind == "交" and not row.result, "须有交办编号和牵头部门、没有办理结果"),
        "escalated": (kind == "报" and not row.result, "须有转报编号、没有办理结果"),
        "replied": (bool(kind and row.result and row.replied_on), "须有交办或转报编号、办理结果和答复时间"),
        "closed": (
            bool(kind and row.result == "A" and row.replied_on and row.satisfaction in ("满意", "基本满意")),
            "须有交办或转报编号、A类结果、答复时间，且满意或基本满意",
        ),
        "merged": (bool(row.merged_into) and not kind and not row.result, "须在“并入”栏写明并入案件的登记编号"),
    }
    ok, what = need.get(row.state, (not kind and not row.result, "不应有交办/转报编号或办理结果"))
    problems = [] if ok else [f"{where}：状态“{STATES[row.state]}”{what}。"]
    if kind == "交" and not row.lead:
        problems.append(f"{where}：有交办编号但缺少牵头部门。")
    if row.result and not row.replied_on:
        problems.append(f"{where}：有办理结果但缺少答复时间。")
    return problems


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
    rows: list[Row] = []
    problems: list[str] = []
    seen: dict[tuple, str] = {}
    for sr in got.rows:
        where = f"工作表“{sr.sheet}”第{sr.row}行"
        row, errs = check_row(ctx, where, sr.values, led.prefix, led.level)
        problems += errs
        for num in ((("收",) + row.reg) if row.reg else None, row.disp):
            if num is None:
                continue
            if num in seen:
                problems.append(f"{where}：编号与{seen[num]}重复。")
            seen[num] = where
            if led.db.execute("SELECT 1 FROM numbers WHERE kind=? AND year=? AND seq=?", list(num)).fetchone():
                problems.append(f"{where}：编号 {num[0]}（{num[1]}）第{num[2]}号 已在台帐中。")
        rows.append(row)
    for row in rows:
        if (
            row.merged_into
            and ("收", *row.merged_into) not in seen
            and not led.db.execute(
                "SELECT 1 FROM cases WHERE reg_year = ? AND reg_seq = ?", list(row.merged_into)
            ).fetchone()
        ):
            problems.append(
                f"{row.where}：并入的案件（{row.merged_into[0]}年第{row.merged_into[1]}号）不在表中，也不在台帐中。"
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


def _write_row(ctx: Ctx, row: Row, source: str) -> None:
    led, f, cal = ctx.ledger, row.fields, ctx.cal
    accepted = f.get("accepted_on") or f["reported_on"]
    due = dispatch_due(cal, accepted, major=row.major)
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
        reg_no = led.claim("收", year, seq, accepted.isoformat())
    else:
        year = accepted.year
        seq, reg_no = led.allocate("收", year, accepted.isoformat())
    row.reg_no = reg_no
    case_id = led.db["cases"].insert({**case, "reg_no": reg_no, "reg_year": year, "reg_seq": seq}).last_pk
    led.db.execute("UPDATE numbers SET case_id = ? WHERE text = ?", [case_id, reg_no])
    led.event(case_id, ctx.today.isoformat(), "import", ctx.actor, source=source, where=row.where)
    if not row.disp:
        return
    kind, dyear, dseq = row.disp
    no = led.claim(kind, dyear, dseq, accepted.isoformat(), case_id)
    if kind == "报":
        limit = dispatch_due(cal, accepted, major=True, escalation=True)
        # Without a 转报日期 the sheet still says how late it was: that many working days after the limit.
        on = row.dispatched_on or (add_workdays(cal, limit, row.late) if row.late else accepted)
        led.db["escalations"].insert(
            {
                "case_id": case_id,
                "no": no,
                "approver": row.approver,
                "suggestion": "（自Excel台帐导入）",
                "escalated_on": on.isoformat(),
                "limit_due": limit.isoformat(),
                "late": int(on > limit),
            }
        )
        disp_id = None
        due_date = None
    else:
        on = row.dispatched_on or accepted
        limit = dispatch_due(cal, accepted, major=row.major, has_assist=bool(row.assist))
        due_date = row.due or handling_due(cal, on, "一般")
        disp_id = (
            led.db["dispatches"]
            .insert(
                {
                    "case_id": case_id,
                    "no": no,
                    "lead_dept": row.lead,
                    "assist": json.dumps(row.assist, ensure_ascii=False),
                    "approver": row.approver or "（导入）",
                    "level": "导入",
                    "tier": "重大" if row.major else "一般",
                    "dispatched_on": on.isoformat(),
                    "received_on": on.isoformat(),
                    "limit_due": limit.isoformat(),
                    "late": int(on > limit),
                    "due_original": due_date.isoformat(),
                    "due_current": due_date.isoformat(),
                    "due_estimated": int(cal.is_estimate(due_date)),
                }
            )
            .last_pk
        )
    if not row.result:
        return
    reply_id = (
        led.db["replies"]
        .insert(
            {
                "case_id": case_id,
                "dispatch_id": disp_id,
                "result": row.result,
                "mode": "导入",
                "summary": "（自Excel台帐导入）",
                "replied_on": row.replied_on.isoformat(),
                "late": int(bool(due_date) and row.replied_on > due_date),
            }
        )
        .last_pk
    )
    if row.satisfaction:
        led.db["followups"].insert(
            {
                "case_id": case_id,
                "reply_id": reply_id,
                "method": "导入",
                "satisfaction": row.satisfaction,
                "followed_on": row.replied_on.isoformat(),
            }
        )
