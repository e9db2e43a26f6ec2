"""show: one case whole — the 登记表, each dispatch or escalation, the outcome, the history."""

from __future__ import annotations

import typer

from lcqy.acts.boards.tracking import HISTORY_LABELS as SUBMISSION_LABELS
from lcqy.acts.boards.tracking import HISTORY_TEXT as SUBMISSION_TEXT
from lcqy.acts.exchange.views import EXCHANGE_LABELS, EXCHANGE_TEXT, extra_rows
from lcqy.cli._common import est, open_ctx, print_json, table
from lcqy.cli._options import JSON, case_arg

ACT_LABELS = {
    "dept-rename": "部门更名",
    "register": "登记", "meeting": "提请专题会议", "dispatch": "交办", "escalate": "转报", "forward": "转交答复",
    "reject": "不予受理", "return": "退单", "extend": "延期", "reply": "答复", "followup": "回访",
    "close": "销号", "urge": "催办", "merge": "合并", "merged-from": "并入重复件", "void": "作废",
    "edit": "更正", "supervision": "督办", "import": "导入", "recalc": "期限调整",
}  # fmt: skip
ACT_LABELS.update(EXCHANGE_LABELS)
ACT_LABELS.update(SUBMISSION_LABELS)


def _after(d: dict) -> dict:
    return d["after"] if isinstance(d.get("after"), dict) else {}


# action -> the one line the history shows for it
_EVENT_TEXT = {
    "dept-rename": lambda e, d, a: (
        f"“{d.get('before')}”更名为“{d.get('after')}”"
        + (f"（{'、'.join(d['dispatches'])}）" if d.get("dispatches") else "")
    ),
    "register": lambda e, d, a: f"{a.get('reg_no')}，经办 {e['actor']}",
    "meeting": lambda e, d, a: f"签批 {d.get('approver', '')}",
    "dispatch": lambda e, d, a: (
        f"{a.get('no')}，牵头 {a.get('lead_dept')}，办结时限 {a.get('due_current')}"
        + ("，超过交办时限" if a.get("late") else "")
    ),
    "escalate": lambda e, d, a: f"{a.get('no')}，{a.get('suggestion')}" + ("，超过转报时限" if a.get("late") else ""),
    "forward": lambda e, d, a: (
        f"转交 {a.get('forward_dept')}" + (f"：{a.get('end_note')}" if a.get("end_note") else "")
    ),
    "reject": lambda e, d, a: f"{a.get('end_reason')}" + (f"：{a.get('end_note')}" if a.get("end_note") else ""),
    "return": lambda e, d, a: f"{d.get('dept')} 退回 {d.get('dispatch')}：{d.get('reason')}",
    "extend": lambda e, d, a: (
        f"时限 {d.get('before')} → {a.get('due_current')}：{a.get('extend_reason')}"
        + (f"（超出上限：{a['override_reason']}）" if a.get("override_reason") else "")
    ),
    "reply": lambda e, d, a: (
        f"{a.get('result')}类，{a.get('mode')}：{a.get('summary')}"
        + (f"；{a['plan']}" if a.get("plan") else "")
        + _overdue(e, a)
    ),
    "followup": lambda e, d, a: (
        f"{a.get('method')}，{a.get('satisfaction')}"
        + ("，办理不彻底" if a.get("incomplete") else "")
        + (f"：{a.get('note')}" if a.get("note") else "")
    ),
    "supervision": lambda e, d, a: f"{d.get('why')}",
    # a 销号 recorded before the satisfaction was kept with it says what the rule allowed
    "close": lambda e, d, a: f"最近一次答复为A类，企业{d.get('satisfaction') or '满意或基本满意'}",
    "urge": lambda e, d, a: (
        f"{'' if a.get('kind', '催办') == '催办' else '督办，'}"
        f"第{d.get('count')}次，超期 {a.get('days_late')} 个工作日，限 {a.get('reply_by')} 前答复"
    ),
    "merge": lambda e, d, a: f"合并到 {d.get('into')}",
    "merged-from": lambda e, d, a: f"{d.get('duplicate')} 并入本件",
    "void": lambda e, d, a: f"{d.get('number')} 作废：{d.get('reason')}",
    "edit": lambda e, d, a: _edit_text(d),
    "import": lambda e, d, a: f"自 {d.get('source')} {d.get('where')}",
    "recalc": lambda e, d, a: f"工作日历变更，{d.get('what')} {d.get('before')} → {d.get('after')}",
    **EXCHANGE_TEXT,
    **SUBMISSION_TEXT,
}

# 第十八条 after the reply (专项督办 deadlines, re-dispatch) and corrections (undo).
ACT_LABELS |= {"supervise": "专项督办", "redispatch": "重新交办", "undo": "撤销"}
_EVENT_TEXT |= {
    "supervise": lambda e, d, a: f"限 {a.get('due')} 前重新答复：{a.get('reason')}",
    "redispatch": lambda e, d, a: (
        f"{d.get('old_dept')}（{d.get('replaced')}）改交 {a.get('lead_dept')}，{a.get('no')}，"
        f"办结时限 {a.get('due_current')}：{d.get('reason')}"
    ),
    "undo": lambda e, d, a: f"撤销{ACT_LABELS.get(d.get('act'), d.get('act'))}：{d.get('reason')}",
}
# What departments do on line (lcqy serve).
ACT_LABELS |= {"receipt": "签收", "dept-request": "部门申请", "request-declined": "不同意申请",
               "dept-note": "配合意见", "urge-read": "已阅"}  # fmt: skip
_EVENT_TEXT |= {
    "receipt": lambda e, d, a: f"{d.get('dept')} 签收 {d.get('dispatch')}（{e['actor']}）",
    "dept-request": lambda e, d, a: (
        ("申请延期至 " + str(d.get("until")) if d.get("kind") == "extension" else "申请退单")
        + f"：{d.get('reason')}（第{d.get('request')}号，{e['actor']}）"
    ),
    "request-declined": lambda e, d, a: f"第{d.get('request')}号申请不同意：{d.get('reason')}",
    "dept-note": lambda e, d, a: f"{d.get('dept')}：{d.get('text')}",
    "urge-read": lambda e, d, a: f"{d.get('dept')} 已阅 {d.get('letter') or '催办函'}（{e['actor']}）",
}


def _online_rows(o: dict) -> list[tuple[str, str]]:
    rows = [("签收", f"{r['lead_dept']} {r['signed_on']} 签收 {r['no']}") for r in o.get("receipts", [])]
    for q in o.get("requests", []):
        what = f"{q['kind_label']}" + (f"至 {q['until']}" if q["until"] else "")
        decided = f"，{q['decided_on']} {q['status_label']}" if q["decided_on"] else f"，{q['status_label']}"
        rows.append(("部门申请", f"第{q['id']}号 {q['dept']} {q['asked_on']} {what}：{q['reason']}{decided}"
                     + (f"（{q['decision']}）" if q["decision"] else "")))  # fmt: skip
    rows += [("配合意见", f"{n['noted_on']} {n['dept']}：{n['text']}") for n in o.get("notes", [])]
    rows += [("已阅", f"{r['dept']} {r['read_at'].replace('T', ' ')} 已阅 {r['letter_no'] or '催办函'}")
             for r in o.get("urge_reads", [])]  # fmt: skip
    return rows


def _overdue(e: dict, a: dict) -> str:
    """The reply's 超期 mark as lcqy.rules.lateness judges it (lcqy.acts.case_file); a reply
    whose event was not matched to its row keeps what was recorded."""
    if "overdue" in e:
        return f"（{e['overdue']}）" if e["overdue"] else ""
    return "（超期办结）" if a.get("late") else ""


def _edit_text(d: dict) -> str:
    from lcqy.acts.intake.register import FIELDS

    flags = {"consult": "咨询类", "major": "重大问题"}
    field = d.get("field")
    label = flags.get(field) or FIELDS.get(field, (field,))[0]
    shown = (lambda x: "是" if x else "否") if field in flags else (lambda x: x)
    return f"{label}：{shown(d.get('before'))} → {shown(d.get('after'))}"


def event_text(e: dict) -> str:
    fmt = _EVENT_TEXT.get(e["action"])
    return fmt(e, e["detail"], _after(e["detail"])) if fmt else ""


def _outcome(v: dict) -> list[tuple[str, str]]:
    """What ended the case, when the history alone would hide it."""
    rows = []
    if v["state"] == "rejected":
        rows.append(("不予受理", f"{v['end_reason']}" + (f"：{v['end_note']}" if v["end_note"] else "")))
    if v["state"] == "forwarded":
        rows.append(("转交答复", v["forward_dept"] + (f"：{v['end_note']}" if v["end_note"] else "")))
    if v["state"] == "void":
        rows.append(("作废理由", v["end_reason"]))
    if v["ended_on"]:
        rows.append(("办结日期", v["ended_on"]))
    for r in v["replies"]:
        rows.append(
            (
                "答复",
                f"{r['replied_on']} {r['result']}类（{r['mode']}）{r['summary']}"
                + (f"；{r['plan']}" if r["plan"] else "")
                + (f"；文号 {r['doc_no']}" if r["doc_no"] else ""),
            )
        )
    for f in v["followups"]:
        rows.append(("回访", f"{f['followed_on']} {f['method']}，{f['satisfaction']}"))
    if v["urge_count"]:
        rows.append(("催办", f"{v['urge_count']} 次"))
    return rows


def show_cmd(
    ctx: typer.Context,
    case: str = case_arg("案件：登记编号、2026-15 或 15"),
    as_json: bool = JSON,
):
    """显示一件案件的全部登记内容、办理情况和完整操作记录。"""
    from lcqy.acts.case_file import show
    from lcqy.acts.intake.register import FIELDS

    with open_ctx(ctx) as c:
        v = show(c, case)
        from lcqy.acts.online import show_extras

        online = show_extras(c, v["id"])
    history = v["history_problems"]
    if as_json:
        print_json(v | online)
        return
    state = v["state_label"] + (f"（{v['supervision_label']}）" if v["supervision_label"] else "")
    if v["merged_into_no"]:
        state += f"，并入 {v['merged_into_no']}"
    rows = [("登记编号", v["reg_no"]), ("状态", state)]
    if history:  # said first: what follows may not be what the acts wrote
        rows.append(("历史记录", "与哈希链不符，可能被其他程序改过（lcqy check --deep）：" + "；".join(history)))
    rows += [(label, v[k]) for k, (label, _) in FIELDS.items()]
    rows += [
        ("咨询类", "是" if v["consult"] else "否"),
        ("重大问题", "是" if v["major"] else "否"),
        ("交办时限", est(v["dispatch_due"], v["dispatch_due_estimated"])),
    ]
    if v["source_no"]:
        rows.append(("县区转报编号", v["source_no"]))
    for d in v["dispatches"]:
        due = est(d["due_current"], d["due_estimated"])
        if d["due_current"] != d["due_original"]:
            due += f"（原 {d['due_original']}，延期：{d['extend_reason']}）"
        rows += [
            ("交办编号", d["no"] + (f"（{d['returned_on']} 退单：{d['return_reason']}）"
                                    if d["status"] == "returned" else "")),
            ("牵头/配合", d["lead_dept"] + ("；" + "、".join(d["assist"]) if d["assist"] else "")),
            ("签批", f"{d['approver']}（{d['level']}），{d['tier']}，交办 {d['dispatched_on']}"
                     + ("，超过交办时限" if d["late"] else "")),
            ("办结时限", due),
        ]  # fmt: skip
    for e in v["escalations"]:
        rows += [
            ("转报编号", e["no"]),
            ("转报", f"{e['escalated_on']}，签批 {e['approver']}，建议：{e['suggestion']}"
                     + ("，超过转报时限" if e["late"] else "")),
        ]  # fmt: skip
    rows += extra_rows(v) + _online_rows(online) + _outcome(v)
    table(None, ["项目", "内容"], rows, no_wrap=("项目",))
    hist = [(e["act_on"], ACT_LABELS.get(e["action"], e["action"]), event_text(e)) for e in v["events"]]
    table("操作记录", ["日期", "操作", "内容"], hist, no_wrap=("日期", "操作"))


def register(app: typer.Typer) -> None:
    app.command("show")(show_cmd)
