"""What an enterprise sees of its own matter on line (第八条 网络答复): found by its 查询码 and the
last four digits of its phone, told in plain words. Never another case, never the office's or the
departments' internal notes, never who handled it inside the office.

Reads only: the writes (submit, accept, decline, rate) are in acts/intake/submissions.py.
"""

from __future__ import annotations

import re
from datetime import date

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules.constants import CATEGORIES, RESULTS
from lcqy.rules.workdays import workdays_between
from lcqy.store.migrations.m021_submissions import ALPHABET

CODE_LEN = 12
NOT_FOUND = 404
# Plain words for the enterprise (issue 24): each state of the ledger as it reads from outside.
PLAIN = {
    "pending": "待核实",
    "declined": "未受理",
    "registered": "已受理",
    "meeting": "已受理",
    "dispatched": "已交办",
    "signed": "办理中",
    "escalated": "已转报市级",
    "replied": "已答复",
    "closed": "已销号",
    "forwarded": "已转交答复",
    "rejected": "不予受理",
    "void": "已作废",
}
EXPLAIN = {
    "pending": "服企办将与贵企业核实后登记受理（第十条）；请保持电话畅通。",
    "declined": "服企办核实后未予登记，原因见下。",
    "registered": "已登记，服企办将在期限内交办给承办部门。",
    "meeting": "已登记，将提交专题会议研究后交办。",
    "dispatched": "已交办给承办部门，待部门签收办理。",
    "signed": "承办部门已签收，正在办理。",
    "escalated": "县区无法解决，已转报市服企办协调。",
    "replied": "承办部门已答复，请对办理结果作出评价。",
    "closed": "问题已解决，企业满意，已销号。",
    "forwarded": "属于咨询类，已转交主管部门直接答复。",
    "rejected": "不属于受理范围（第二条），原因见下。",
    "void": "此登记已作废。",
}
REJECT_PLAIN = {
    "诉讼": "已进入或依法应当通过诉讼程序解决",
    "仲裁": "已进入或依法应当通过仲裁程序解决",
    "行政复议": "已进入或依法应当通过行政复议程序解决",
    "国家秘密": "涉及国家秘密",
    "非本地企业": "不是在临沧市注册并经营的企业",
    "其他": "不属于受理范围",
}


def normalise_code(text: str | None) -> str:
    """A code as typed or read out: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-－—_]", "", str(text or "")).upper()


def check_code(text: str | None) -> str:
    code = normalise_code(text)
    if len(code) != CODE_LEN or any(ch not in ALPHABET for ch in code):
        raise LcqyError(f"查询码须为 {CODE_LEN} 位字母和数字（不含 0、1、I、L、O），如 7KQ4-M2XH-9PDA。")
    return code


def check_phone4(text: str | None) -> str:
    v = str(text or "").strip()
    if not re.fullmatch(r"\d{4}", v):
        raise LcqyError("手机或电话号码后四位（phone4）须为 4 位数字。")
    return v


def last_four(phone: str) -> str:
    digits = re.sub(r"\D", "", (phone or "").split("转")[0])
    return digits[-4:]


def show_code(code: str) -> str:
    """Grouped by four for reading out: 7KQ4-M2XH-9PDA."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def tracking_code(ctx: Ctx, case_id: int) -> str:
    """A case's 查询码, grouped for reading out."""
    row = ctx.ledger.conn.execute("SELECT code FROM tracking_codes WHERE case_id = ?", [case_id]).fetchone()
    return show_code(row[0]) if row else ""


def find(ctx: Ctx, code_text: str, phone4_text: str) -> dict:
    """{"submission": row or None, "case": row or None}; LcqyError 404 unless the code is known and
    the digits match its phone. The same answer whether the code or the digits were wrong."""
    code, phone4 = check_code(code_text), check_phone4(phone4_text)
    led = ctx.ledger
    sub = next(led.rows("SELECT * FROM submissions WHERE code = ?", [code]), None)
    case = own = None
    case_id = sub["case_id"] if sub else None
    if case_id is None and sub is None:
        row = led.conn.execute("SELECT case_id FROM tracking_codes WHERE code = ?", [code]).fetchone()
        case_id = row[0] if row else None
    if case_id is not None:
        case = own = next(led.rows("SELECT * FROM cases WHERE id = ?", [case_id]), None)
        seen = {case_id}
        while case and case["state"] == "merged" and case["merged_into"] and case["merged_into"] not in seen:
            seen.add(case["merged_into"])
            case = next(led.rows("SELECT * FROM cases WHERE id = ?", [case["merged_into"]]), None)
    # The digits are those of the phone given with this code: a duplicate merged into another
    # enterprise's case still opens with its own.
    phone = (sub or {}).get("phone") or (own or {}).get("phone", "")
    if (sub is None and case is None) or last_four(phone) != phone4:
        raise LcqyError("查询码或电话号码后四位不对，查不到反映事项。", code=NOT_FOUND)
    return {"submission": sub, "case": case, "code": code}


def active(ctx: Ctx, case_id: int) -> dict | None:
    sql = "SELECT * FROM dispatches WHERE case_id = ? AND status = 'active' ORDER BY id DESC LIMIT 1"
    return next(ctx.ledger.rows(sql, [case_id]), None)


def view(ctx: Ctx, found: dict, *, as_of: date | None = None) -> dict:
    """The enterprise's page: plain state, dates, numbers, lead department, deadline, reply."""
    as_of = as_of or ctx.today
    sub, case, led = found["submission"], found["case"], ctx.ledger
    out: dict = {
        "tracking_code": show_code(found["code"]),
        "enterprise": (case or sub)["enterprise"],
        "category": (case or sub)["category"],
        "problem": (case or sub)["problem"],
        "submitted_on": sub["submitted_on"] if sub else None,
        "reg_no": None, "accepted_on": None, "dispatch_no": None, "dispatched_on": None,
        "lead_dept": None, "due": None, "workdays_left": None, "reason": None,
        "reply": None, "evaluation": None, "can_rate": False,
    }  # fmt: skip
    if case is None:
        key = sub["status"]
        if key == "declined":
            out["reason"] = sub["reason"]
    else:
        key = case["state"]
        out["reg_no"], out["accepted_on"] = case["reg_no"], case["accepted_on"]
        disp = active(ctx, case["id"])
        if disp:
            out.update(dispatch_no=disp["no"], dispatched_on=disp["dispatched_on"], lead_dept=disp["lead_dept"])
            out["due"] = disp["due_current"]
            if key == "dispatched":
                if disp["signed_on"]:
                    key = "signed"
                due = date.fromisoformat(disp["due_current"])
                left = workdays_between(ctx.cal, as_of, due)
                out["workdays_left"] = left if due >= as_of else -workdays_between(ctx.cal, due, as_of)
        if key == "rejected":
            out["reason"] = REJECT_PLAIN.get(case["end_reason"], "不属于受理范围")
        rep = next(led.rows("SELECT * FROM replies WHERE case_id = ? ORDER BY id DESC LIMIT 1", [case["id"]]), None)
        if rep and key in ("replied", "closed"):
            out["reply"] = {
                "result": rep["result"],
                "result_text": RESULTS[rep["result"]],
                "summary": rep["summary"],
                "plan": rep["plan"],
                "mode": rep["mode"],
                "replied_on": rep["replied_on"],
            }
            rated = next(
                led.rows(
                    "SELECT satisfaction, followed_on FROM followups WHERE reply_id = ? AND method = '网上评价'"
                    " ORDER BY id DESC LIMIT 1",
                    [rep["id"]],
                ),
                None,
            )
            out["evaluation"] = rated
            out["can_rate"] = key == "replied" and rated is None
    out["can_add"] = key in ("pending", "registered", "meeting", "dispatched", "signed", "escalated", "replied")
    out["state"] = key
    out["status"] = PLAIN[key]
    out["status_text"] = EXPLAIN[key]
    return out


# -- Open311 GeoReport v2 read views (for city platforms that integrate): no personal field -----


def services() -> list[dict]:
    return [
        {
            "service_code": str(i),
            "service_name": name,
            "description": f"企业反映的{name}类困难问题（临政办发〔2021〕21号第十条）",
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": "企业困难问题",
        }
        for i, name in enumerate(CATEGORIES, 1)
    ]


def open311_request(ctx: Ctx, year: int, seq: int) -> dict:
    led = ctx.ledger
    case = next(led.rows("SELECT * FROM cases WHERE reg_year = ? AND reg_seq = ?", [year, seq]), None)
    if case is None or case["state"] in ("void", "merged"):
        raise LcqyError("没有这个案件。", code=NOT_FOUND)
    disp = active(ctx, case["id"])
    closed = case["state"] in ("closed", "rejected", "forwarded")
    state = "signed" if case["state"] == "dispatched" and disp and disp["signed_on"] else case["state"]
    return {
        "service_request_id": f"{year}-{seq}",
        "status": "closed" if closed else "open",
        "status_notes": PLAIN.get(state, ""),
        "service_name": case["category"],
        "service_code": str(CATEGORIES.index(case["category"]) + 1) if case["category"] in CATEGORIES else "",
        "agency_responsible": disp["lead_dept"] if disp else "",
        "requested_datetime": case["accepted_on"],
        "updated_datetime": case["ended_on"] or (disp["dispatched_on"] if disp else case["accepted_on"]),
        "expected_datetime": disp["due_current"] if disp else case["dispatch_due"],
    }


def pending_submissions(ctx: Ctx) -> list[dict]:
    """The inbox, oldest first, with what each brought."""
    return list(
        ctx.ledger.rows(
            """SELECT s.*, (SELECT count(*) FROM submission_papers p WHERE p.submission_id = s.id) AS papers,
                      (SELECT count(*) FROM enterprise_notes n WHERE n.submission_id = s.id) AS notes
               FROM submissions s WHERE status = 'pending' ORDER BY id"""
        )
    )


def waiting_long(ctx: Ctx, as_of: date, days: int = 1) -> list[dict]:
    """Submissions waiting more than `days` working days (agenda)."""
    out = []
    for s in pending_submissions(ctx):
        since = date.fromisoformat(s["submitted_on"])
        if since < as_of and workdays_between(ctx.cal, since, as_of) > days:
            out.append(s)
    return out


def _added(d: dict) -> str:
    return "；企业补充：" + "；".join(d["added"]) if d.get("added") else ""


# How `show` names the acts of this module in a case's history.
HISTORY_LABELS = {
    "submission-accepted": "受理网上反映", "submission-merged": "并入网上反映", "enterprise-added": "企业网上补充",
}  # fmt: skip
HISTORY_TEXT = {
    "enterprise-added": lambda e, d, a: (
        f"{d.get('text')}" + (f"（材料 {d.get('papers')} 份）" if d.get("papers") else "")
    ),
    "submission-accepted": lambda e, d, a: (
        f"第{d.get('submission')}号网上反映，材料 {len(d.get('papers') or [])} 份" + _added(d)
    ),
    "submission-merged": lambda e, d, a: (
        f"第{d.get('submission')}号网上反映并入本件，材料 {len(d.get('papers') or [])} 份" + _added(d)
    ),
}


def agenda_section(ctx: Ctx, as_of: date, key: str, title: str, limit: int | None) -> dict:
    """agenda's section of online submissions waiting more than one working day (第十条: the
    office verifies promptly), oldest first, with the command that settles each."""
    waiting = waiting_long(ctx, as_of)
    items = [
        {
            "case": "",
            "submission": s["id"],
            "reg_no": "",
            "enterprise": s["enterprise"],
            "lead_dept": "",
            "due": None,
            "days_late": workdays_between(ctx.cal, date.fromisoformat(s["submitted_on"]), as_of),
            "note": f"第{s['id']}号网上反映，{s['submitted_on']}提交，待核实",
            "next": f"lcqy accept {s['id']}（或 lcqy decline {s['id']} --reason …）",
        }
        for s in (waiting if limit is None else waiting[:limit])
    ]
    return {"key": key, "title": title, "count": len(waiting), "items": items}


def added_lately(ctx: Ctx, as_of: date) -> list[dict]:
    """What enterprises added on line since the working day before `as_of` (agenda, each morning)."""
    since = as_of
    while True:
        since = date.fromordinal(since.toordinal() - 1)
        if ctx.cal.is_workday(since):
            break
    return list(
        ctx.ledger.rows(
            """SELECT n.*, coalesce(c.enterprise, s.enterprise) AS enterprise, c.reg_year, c.reg_seq, c.reg_no
               FROM enterprise_notes n LEFT JOIN cases c ON c.id = n.case_id
               LEFT JOIN submissions s ON s.id = n.submission_id
               WHERE n.added_on >= ? AND n.added_on <= ? ORDER BY n.id""",
            [since.isoformat(), as_of.isoformat()],
        )
    )


def added_section(ctx: Ctx, as_of: date, key: str, title: str, limit: int | None) -> dict:
    rows = added_lately(ctx, as_of)
    items = []
    for r in rows if limit is None else rows[:limit]:
        if r["case_id"] is not None:
            ref = str(r["reg_seq"]) if r["reg_year"] == as_of.year else f"{r['reg_year']}-{r['reg_seq']}"
            case, nxt = f"{r['reg_year']}-{r['reg_seq']}", f"lcqy show {ref}"
        else:
            case, nxt = "", "lcqy inbox"
        items.append(
            {
                "case": case, "submission": r["submission_id"], "reg_no": r["reg_no"] or "",
                "enterprise": r["enterprise"], "lead_dept": "", "due": None, "days_late": 0,
                "note": f"{r['added_on']} 企业补充：{r['text'][:40]}", "next": nxt,
            }
        )  # fmt: skip
    return {"key": key, "title": title, "count": len(rows), "items": items}
