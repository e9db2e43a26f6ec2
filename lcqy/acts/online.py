"""The online platform's acts and reads (第八条: 网络交办、网络督办、网络答复).

What a department does on line (its account: lcqy.acts.accounts): 签收 a
dispatch, reply with its formal document, ask for an extension or a return, add a 配合意见, open
a 催办函 / 督办函 (已阅). Every act runs under the web user as the Ctx's actor and calls the same
act the clerk's CLI does (reply, extend, return) so that no rule is written twice; a request is
granted by running that act inside the request's own transaction.

What a department may see is decided here, once: `dept_case` finds a case only when the
department leads or assists its dispatch; any other case is "not found" (404 on line).
"""

from __future__ import annotations

import json
from datetime import date

from lcqy.acts import handling
from lcqy.acts.boards.departments import (  # noqa: F401 - the reads, used through this module too
    _CASES_SQL,
    COLOURS,
    REQUEST_KINDS,
    REQUEST_STATUS,
    ROW_NAMES,
    agenda_items,
    colour,
    dept_cases,
    dept_changes,
    dept_figures,
    dept_ranked,
    requests,
    show_extras,
    top,
    version,
)
from lcqy.acts.cases import active_dispatch, case_view, latest, resolve
from lcqy.acts.context import Ctx
from lcqy.acts.dispatch import extend, return_
from lcqy.acts.papers.attachments import case_attachments, store
from lcqy.acts.papers.forms import FORM_NAMES, filled, template_dir
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.deadlines import extension_limit, extension_span
from lcqy.rules.workdays import next_workday, workdays_between
from lcqy.store.db import now_text

RETURN_DAYS = 1  # 退单 is asked for within one working day of 签收
NOT_FOUND = 404  # LcqyError.code of a case or paper the user may not see (the web layer's 404)


# The history as the case page names it (a department sees its own part of it).
HISTORY_LABELS = {
    "register": "登记", "meeting": "提请专题会议", "dispatch": "交办", "escalate": "转报", "forward": "转交答复",
    "reject": "不予受理", "return": "退单", "extend": "延期", "reply": "答复", "followup": "回访", "close": "销号",
    "urge": "催办", "merge": "合并", "void": "作废", "edit": "更正", "supervision": "督办", "supervise": "专项督办",
    "redispatch": "重新交办", "undo": "撤销", "import": "导入", "attach": "附材料", "receipt": "签收",
    "dept-request": "部门申请", "request-declined": "不同意申请", "dept-note": "配合意见", "urge-read": "已阅",
}  # fmt: skip


def not_found(what: str = "案件") -> LcqyError:
    return LcqyError(f"没有这个{what}，或您无权查看。", code=NOT_FOUND)


# -- what a department may see -------------------------------------------------------------------


def dept_case(ctx: Ctx, user: dict, ref: str) -> tuple[dict, str]:
    """(case, role) for a department user: 'lead' or 'assist' on one of the case's dispatches;
    any other case, or a reference that names none, is not found. Leaders and clerks see all."""
    try:
        case = resolve(ctx, ref)
    except LcqyError:
        raise not_found() from None
    if user["role"] != "dept":
        return case, ""
    rows = ctx.ledger.conn.execute(
        "SELECT role, active FROM dispatch_depts WHERE case_id = ? AND dept = ? ORDER BY active DESC, dispatch_id DESC",
        [case["id"], user["dept"]],
    ).fetchall()
    if not rows:
        raise not_found()
    return case, rows[0][0]


def _lead_dispatch(ctx: Ctx, user: dict, case: dict, what: str) -> dict:
    disp = active_dispatch(ctx, case["id"])
    if disp is None or disp["lead_dept"] != user["dept"]:
        raise LcqyError(f"只有牵头部门可以{what}；贵单位不是该案件当前的牵头部门。", code=403)
    return disp


def _dept_user(user: dict) -> None:
    if user["role"] != "dept":
        raise LcqyError("只有承办部门的用户可以办理。", code=403)


def sign(ctx: Ctx, user: dict, ref: str) -> dict:
    """签收: the lead department confirms it received the 交办单, on the day it does."""
    _dept_user(user)
    led = ctx.ledger
    with led.write():
        case, _ = dept_case(ctx, user, ref)
        disp = _lead_dispatch(ctx, user, case, "签收")
        if disp["signed_on"]:
            raise LcqyError(f"交办单 {disp['no']} 已于 {disp['signed_on']} 签收。")
        on = ctx.today.isoformat()
        led.conn.execute("UPDATE dispatches SET signed_on = ?, signed_by = ? WHERE id = ?", [on, ctx.actor, disp["id"]])
        led.event(case["id"], on, "receipt", ctx.actor, dispatch=disp["no"], dept=user["dept"])
    return {"case": case, "dispatch": disp["no"], "signed_on": on}


def reply(ctx: Ctx, user: dict, ref: str, *, paper=None, **fields) -> dict:
    """答复 by the lead department, under `lcqy reply`'s checks, with its formal document kept as
    a 答复文件 attachment in the same transaction."""

    _dept_user(user)
    led = ctx.ledger
    with led.write():
        case, _ = dept_case(ctx, user, ref)
        _lead_dispatch(ctx, user, case, "答复")
        result = handling.reply(ctx, ref, **fields)
        if paper is not None:
            rows = store(ctx, case["id"], [paper], result["replied_on"])
            led.event(
                case["id"], result["replied_on"], "attach", ctx.actor, kind=paper.kind,
                files=[{"n": r["n"], "name": r["name"], "size": r["size"], "sha256": r["sha256"]} for r in rows],
            )  # fmt: skip
            result["attachment"] = rows[0]
    return result


def _pending(ctx: Ctx, case_id: int, kind: str) -> dict | None:
    rows = ctx.ledger.rows(
        "SELECT * FROM dept_requests WHERE case_id = ? AND kind = ? AND status = 'pending'", [case_id, kind]
    )
    return next(rows, None)


def ask_extension(ctx: Ctx, user: dict, ref: str, *, until: str, reason: str) -> dict:
    """申请延期 (第十六条): checked as `extend` would check it, then left to the clerk."""

    _dept_user(user)
    reason = validate.required_text("延期理由（reason）", reason, 500)
    new_due = validate.parse_date("延期后的办结时限（until）", until)
    led = ctx.ledger
    with led.write():
        case, _ = dept_case(ctx, user, ref)
        disp = _lead_dispatch(ctx, user, case, "申请延期")
        if case["state"] != "dispatched":
            raise LcqyError("只有正在办理、尚未答复的案件可以申请延期。")
        if _pending(ctx, case["id"], "extension"):
            raise LcqyError("该案件已有一份待审核的延期申请，请等服企办答复。")
        if new_due <= date.fromisoformat(disp["due_current"]):
            raise LcqyError(f"延期后的办结时限 {new_due} 须晚于当前时限 {disp['due_current']}。")
        if not ctx.cal.is_workday(new_due):
            raise LcqyError(f"{new_due} 是休息日，请选工作日（其后第一个工作日是 {next_workday(ctx.cal, new_due)}）。")
        cap = extension_limit(ctx.cal, date.fromisoformat(disp["received_on"]), disp["tier"])
        if new_due > cap:
            raise LcqyError(
                f"第十六条：{disp['tier']}问题延期最长至收到交办单后{extension_span(disp['tier'])}，即 {cap}；"
                "确需更长时间的，请与服企办联系。"
            )
        row = _ask(ctx, user, case, disp, "extension", reason, new_due.isoformat())
    return row


def ask_return(ctx: Ctx, user: dict, ref: str, *, reason: str) -> dict:
    """申请退单: within one working day of 签收 (of receipt when not signed for)."""
    _dept_user(user)
    reason = validate.required_text("退单理由（reason）", reason, 500)
    led = ctx.ledger
    with led.write():
        case, _ = dept_case(ctx, user, ref)
        disp = _lead_dispatch(ctx, user, case, "申请退单")
        if case["state"] != "dispatched" or case["supervision"] == "special":
            raise LcqyError("只有刚交办、尚未答复的案件可以申请退单。")
        start = date.fromisoformat(disp["signed_on"] or disp["received_on"])
        if workdays_between(ctx.cal, start, ctx.today) > RETURN_DAYS:
            raise LcqyError(
                f"退单须在签收后{RETURN_DAYS}个工作日内提出（签收 {start}）；已过期限，请按时办理，或与服企办联系。"
            )
        if _pending(ctx, case["id"], "return"):
            raise LcqyError("该案件已有一份待审核的退单申请，请等服企办答复。")
        row = _ask(ctx, user, case, disp, "return", reason, None)
    return row


def _ask(ctx: Ctx, user: dict, case: dict, disp: dict, kind: str, reason: str, until: str | None) -> dict:
    led = ctx.ledger
    row = {
        "case_id": case["id"],
        "dispatch_id": disp["id"],
        "dept": user["dept"],
        "kind": kind,
        "until": until,
        "reason": reason,
        "asked_on": ctx.today.isoformat(),
        "asked_by": ctx.actor,
    }
    row["id"] = led.db["dept_requests"].insert(row).last_pk
    led.event(case["id"], row["asked_on"], "dept-request", ctx.actor, request=row["id"], kind=kind, until=until,
              reason=reason)  # fmt: skip
    return {"case": case, **row}


def add_note(ctx: Ctx, user: dict, ref: str, *, text: str) -> dict:
    """配合意见: an assisting department's note (only the lead replies)."""
    _dept_user(user)
    text = validate.required_text("配合意见（text）", text, 2000)
    led = ctx.ledger
    with led.write():
        case, role = dept_case(ctx, user, ref)
        disp = active_dispatch(ctx, case["id"])
        if disp is None or role != "assist":
            raise LcqyError("配合意见由配合部门填写；牵头部门请用“答复”。", code=403)
        row = {"case_id": case["id"], "dispatch_id": disp["id"], "dept": user["dept"], "text": text,
               "noted_on": ctx.today.isoformat(), "noted_by": ctx.actor}  # fmt: skip
        row["id"] = led.db["dept_notes"].insert(row).last_pk
        led.event(case["id"], row["noted_on"], "dept-note", ctx.actor, dept=user["dept"], text=text)
    return {"case": case, **row}


def read_urge(ctx: Ctx, user: dict, ref: str, urge_id: int) -> tuple[dict, bytes, str]:
    """A 催办函 / 督办函 addressed to the user's department: its .docx, and 已阅 recorded the first
    time the department opens it. Leaders and clerks read without marking."""
    case, _ = dept_case(ctx, user, ref)
    v = case_view(ctx, case)
    u = next((x for x in v["urges"] if x["id"] == urge_id), None)
    disp = next((d for d in v["dispatches"] if u and d["id"] == u["dispatch_id"]), None)
    if u is None or disp is None or (user["role"] == "dept" and disp["lead_dept"] != user["dept"]):
        raise not_found("催办函")
    data, name = letter_bytes(ctx, {**v, "urges": [x for x in v["urges"] if x["id"] <= urge_id]})
    if user["role"] == "dept":
        led = ctx.ledger
        with led.write():
            done = led.conn.execute(
                "SELECT 1 FROM urge_reads WHERE urge_id = ? AND dept = ?", [urge_id, user["dept"]]
            ).fetchone()
            if not done:
                led.db["urge_reads"].insert(
                    {"urge_id": urge_id, "dept": user["dept"], "read_at": now_text(), "read_by": ctx.actor}
                )
                led.event(case["id"], ctx.today.isoformat(), "urge-read", ctx.actor, urge=urge_id,
                          letter=u.get("letter_no") or "", dept=user["dept"])  # fmt: skip
    return u, data, name


def letter_bytes(ctx: Ctx, v: dict) -> tuple[bytes, str]:
    return form_bytes(ctx, "urge", v)


def form_bytes(ctx: Ctx, kind: str, v: dict) -> tuple[bytes, str]:
    """A form (登记表, 交办单, 催办函) of the case view `v`, filled in memory for a download."""
    import tempfile
    from pathlib import Path

    from lcqy.docs.render import render

    # The same facts as the clerk's `lcqy form`: a 督办函 names the reply, the promised date or
    # the 专项督办 reason and its deadline.
    context, attachment, number = filled(ctx, kind, v)
    name = f"{number}{context.get('letter_title') or FORM_NAMES[kind]}.docx"
    with tempfile.TemporaryDirectory(prefix="lcqy-web-") as tmp:
        path = Path(tmp) / "form.docx"
        render(kind, context, path, template_dir=template_dir(ctx, None), attachment_context=attachment,
               today=ctx.today)  # fmt: skip
        return path.read_bytes(), name


# -- the clerk's side of requests ---------------------------------------------------------------


def _request(ctx: Ctx, n: int | str) -> dict:
    try:
        rid = int(str(n).strip().lstrip("#"))
    except ValueError:
        raise LcqyError(f"申请编号“{n}”应为数字（见 lcqy request list）。") from None
    row = next(ctx.ledger.rows("SELECT * FROM dept_requests WHERE id = ?", [rid]), None)
    if row is None:
        raise LcqyError(f"没有第 {rid} 号申请。可用 lcqy request list 查看待审核的申请。")
    if row["status"] != "pending":
        raise LcqyError(f"第 {rid} 号申请已于 {row['decided_on']} {REQUEST_STATUS[row['status']]}，不能再审核。")
    return row


def _case_ref(ctx: Ctx, case_id: int) -> str:
    y, s = ctx.ledger.conn.execute("SELECT reg_year, reg_seq FROM cases WHERE id = ?", [case_id]).fetchone()
    return f"{y}-{s}"


def grant(ctx: Ctx, n: int | str, *, override_reason: str = "", on: str | None = None) -> dict:
    """The clerk grants a request: `extend` or `return` runs in the same transaction."""

    led = ctx.ledger
    with led.write():
        q = _request(ctx, n)
        disp = active_dispatch(ctx, q["case_id"])
        if disp is None or disp["id"] != q["dispatch_id"]:
            raise LcqyError(
                f"第 {q['id']} 号申请所针对的交办单已不在办理中，请拒绝：lcqy request deny {q['id']} --reason 理由。"
            )
        ref = _case_ref(ctx, q["case_id"])
        if q["kind"] == "extension":
            done = extend(ctx, ref, until=q["until"], reason=q["reason"], override_reason=override_reason, on=on)
        else:
            done = return_(ctx, ref, reason=q["reason"], on=on)
        day = (on and validate.parse_date("办理日期（--date）", on).isoformat()) or ctx.today.isoformat()
        led.conn.execute(
            "UPDATE dept_requests SET status = 'granted', decided_on = ?, decided_by = ? WHERE id = ?",
            [day, ctx.actor, q["id"]],
        )
    return {**q, "status": "granted", "decided_on": day, "done": done}


def deny(ctx: Ctx, n: int | str, *, reason: str) -> dict:
    reason = validate.required_text("不同意的理由（--reason）", reason, 500)
    led = ctx.ledger
    with led.write():
        q = _request(ctx, n)
        day = ctx.today.isoformat()
        led.conn.execute(
            "UPDATE dept_requests SET status = 'declined', decided_on = ?, decided_by = ?, decision = ? WHERE id = ?",
            [day, ctx.actor, reason, q["id"]],
        )
        led.event(q["case_id"], day, "request-declined", ctx.actor, request=q["id"], kind=q["kind"], reason=reason)
    return {**q, "status": "declined", "decided_on": day, "decision": reason}


def case_page(ctx: Ctx, user: dict, ref: str, *, as_of: date) -> dict:
    """One case as the user may see it: the department's own history only, the enterprise's
    phone and e-mail for the lead department only (第四条)."""

    case, role = dept_case(ctx, user, ref)
    v = case_view(ctx, case)
    disp = active_dispatch(ctx, case["id"])
    if disp:
        disp["assist"] = json.loads(disp["assist"])
    dept = user.get("dept")
    shown_dispatches = [d for d in v["dispatches"] if not dept or d["lead_dept"] == dept or dept in d["assist"]]
    ids = {d["id"] for d in shown_dispatches}
    if dept and role != "lead":
        v["phone"] = v["email"] = v["contact"] = v["contact_title"] = ""
    own = ("dispatch", "receipt", "reply", "extend", "return", "urge", "urge-read", "dept-request",
           "request-declined", "dept-note", "supervise", "redispatch", "close", "attach")  # fmt: skip
    events = [e for e in v["events"] if e["action"] in own] if dept else v["events"]
    reads = {
        (r["urge_id"]): r
        for r in ctx.ledger.rows(
            "SELECT * FROM urge_reads WHERE urge_id IN (SELECT id FROM urges WHERE case_id = ?)", [case["id"]]
        )
    }
    urges = [
        {**u, "read": reads.get(u["id"]), "lead_dept": next((d["lead_dept"] for d in v["dispatches"]
                                                              if d["id"] == u["dispatch_id"]), "")}
        for u in v["urges"]
        if u["dispatch_id"] in ids and (not dept or role == "lead" or not disp or disp["lead_dept"] == dept)
    ]  # fmt: skip
    if dept and role != "lead":
        urges = []  # a letter is addressed to the lead department
    reqs = list(ctx.ledger.rows("SELECT * FROM dept_requests WHERE case_id = ? ORDER BY id", [case["id"]]))
    if dept:
        reqs = [q for q in reqs if q["dept"] == dept]
    for q in reqs:
        q["kind_label"], q["status_label"] = REQUEST_KINDS[q["kind"]], REQUEST_STATUS[q["status"]]
    notes = list(ctx.ledger.rows("SELECT * FROM dept_notes WHERE case_id = ? ORDER BY id", [case["id"]]))
    papers = [a for a in case_attachments(ctx, case["id"]) if not dept or a["kind"] != "批示笺" or role == "lead"]
    row = {
        **case,
        "dispatch_id": disp["id"] if disp else None,
        "due_current": disp["due_current"] if disp else None,
        "last_urged": max((u["urged_on"] for u in v["urges"] if disp and u["dispatch_id"] == disp["id"]), default=None),
    }
    rep, sup = latest(ctx, "replies", case["id"]), latest(ctx, "supervisions", case["id"])
    row.update(
        reply_id=rep and rep["id"], plan_due=rep and rep.get("plan_due"), sup_due=sup and sup["due"],
        sup_reply=sup and sup["reply_id"],
    )  # fmt: skip
    return {
        **v,
        "role": role,
        "active": disp,
        "dispatches": shown_dispatches,
        "events": events,
        "urges": urges,
        "requests": reqs,
        "notes": notes,
        "papers": papers,
        "deadline": colour(ctx, row, as_of),
        "can_sign": bool(dept and disp and disp["lead_dept"] == dept and not disp["signed_on"]),
        "is_lead": bool(dept and disp and disp["lead_dept"] == dept),
        "return_open": bool(
            dept and disp and disp["lead_dept"] == dept and case["state"] == "dispatched"
            and workdays_between(ctx.cal, date.fromisoformat(disp["signed_on"] or disp["received_on"]), as_of)
            <= RETURN_DAYS
        ),
    }  # fmt: skip


def public_case(p: dict) -> dict:
    """The JSON of a case page (the API's GET /api/cases/{YEAR-N})."""
    keep = ("reg_no", "enterprise", "category", "problem", "request", "contact", "phone", "email", "state",
            "state_label", "supervision_label", "role")  # fmt: skip
    out = {k: p.get(k) for k in keep}
    out["case"] = f"{p['reg_year']}-{p['reg_seq']}"
    a = p["active"]
    out["dispatch_no"] = a["no"] if a else None
    out["lead_dept"] = a["lead_dept"] if a else None
    out["signed_on"] = a["signed_on"] if a else None
    out.update(p["deadline"])
    out["replies"] = [
        {k: r[k] for k in ("result", "mode", "summary", "plan", "plan_due", "doc_no", "replied_on", "late")}
        for r in p["replies"]
    ]
    out["requests"] = [
        {k: q[k] for k in ("id", "kind", "until", "reason", "asked_on", "status", "decided_on", "decision")}
        for q in p["requests"]
    ]
    out["notes"] = [{k: n[k] for k in ("dept", "text", "noted_on")} for n in p["notes"]]
    out["urges"] = [
        {"id": u["id"], "kind": u.get("kind") or "催办", "letter_no": u.get("letter_no") or "",
         "urged_on": u["urged_on"], "reply_by": u["reply_by"], "read_at": u["read"]["read_at"] if u["read"] else None}
        for u in p["urges"]
    ]  # fmt: skip
    out["papers"] = [{k: a[k] for k in ("n", "name", "kind", "size", "added_on")} for a in p["papers"]]
    return out
