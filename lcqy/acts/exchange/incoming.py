"""`receive`: a package already read and checked (lcqy.rules.package) is addressed, validated
field by field, then entered in one transaction: at the city an escalation becomes a new case
(channel 县区转报); at the county a result becomes the reply on the escalated case, and a
send-back returns the case to 待交办 with the city's reason."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from lcqy.acts.cases import latest
from lcqy.acts.common import set_supervision, step_date
from lcqy.acts.context import Ctx
from lcqy.acts.exchange.month import receive_figures
from lcqy.acts.intake.register import FIELDS, clean_registration, insert_case
from lcqy.acts.papers.attachments import Paper, store
from lcqy.errors import LcqyError
from lcqy.rules import package as pk
from lcqy.rules import validate
from lcqy.rules.constants import REPLY_MODES, RESULTS, STATES
from lcqy.rules.deadlines import dispatch_due
from lcqy.rules.numbering import parse_number


def _field(pkg: pk.Package, check, *args, **kw):
    """A field check whose refusal names the package."""
    try:
        return check(*args, **kw)
    except LcqyError as exc:
        raise pk.refuse(pkg.path, exc.message.rstrip("。")) from None


def _number(pkg: pk.Package, text: object, kind: str, prefix: str, label: str) -> str:
    num = parse_number(str(text or ""))
    if num is None or num.kind != kind or num.prefix != prefix:
        raise pk.refuse(pkg.path, f"{label}“{str(text)[:40]}”不是{prefix}服企办的{kind}字编号")
    return str(text).strip()


def _peer(numbers: dict, prefix: str) -> dict:
    """The other office's numbers for --json, its registration number named as theirs."""
    return {(prefix + k if k == "reg_no" else k): v for k, v in numbers.items()}


def _duplicate(ctx: Ctx, pkg: pk.Package) -> None:
    row = ctx.ledger.conn.execute(
        "SELECT x.done_on, c.reg_no FROM exchanges x JOIN cases c ON c.id = x.case_id "
        "WHERE x.direction = 'in' AND x.key = ?",
        [pkg.manifest["key"]],
    ).fetchone()
    if row:
        raise pk.refuse(pkg.path, f"该{pk.TYPES[pkg.type]}已于 {row[0]} 接收（{row[1]}），不能重复接收")


def _record_in(ctx: Ctx, case_id: int, pkg: pk.Package, numbers: dict, on: str) -> None:
    s = pkg.sender
    ctx.ledger.db["exchanges"].insert(
        {
            "case_id": case_id,
            "direction": "in",
            "kind": pkg.type,
            "key": pkg.manifest["key"],
            "peer_office": s["office_name"],
            "peer_prefix": s["prefix"],
            "peer_numbers": json.dumps(numbers, ensure_ascii=False),
            "done_on": on,
            "file_name": pkg.path.name,
            "file_sha256": pkg.file_sha256,
        }
    )


def receive_checked(ctx: Ctx, pkg: pk.Package, on: str | None) -> dict:
    led = ctx.ledger
    s = pkg.sender
    if pkg.type == "figures":
        return receive_figures(ctx, pkg, on)
    if pkg.type == "escalation":
        if led.level != "city":
            raise pk.refuse(pkg.path, "这是县区报市级的转报包，应由市服企办的市级台帐接收")
        if s["level"] != "county" or s["prefix"] == led.prefix:
            raise pk.refuse(pkg.path, "转报包须来自县（区）服企办")
        return _escalation(ctx, pkg, on)
    to = pkg.manifest["to"]
    if led.level != "county" or to.get("prefix") != led.prefix or to.get("office_name") != led.meta["office_name"]:
        raise pk.refuse(pkg.path, f"这是发给{to.get('office_name') or '其他单位'}的{pk.TYPES[pkg.type]}，不是本办的")
    if s["level"] != "city":
        raise pk.refuse(pkg.path, f"{pk.TYPES[pkg.type]}须来自市服企办")
    return _back_at_county(ctx, pkg, on)


def _escalation(ctx: Ctx, pkg: pk.Package, on: str | None) -> dict:
    s = pkg.sender
    case, esc = pkg.data.get("case"), pkg.data.get("escalation")
    if not isinstance(case, dict) or not isinstance(esc, dict):
        raise pk.refuse(pkg.path, "case.json 缺少案件或转报内容")
    numbers = {
        "reg_no": _number(pkg, case.get("reg_no"), "收", s["prefix"], "登记编号"),
        "escalate_no": _number(pkg, esc.get("no"), "报", s["prefix"], "转报编号"),
        "escalated_on": _field(pkg, validate.parse_date, "转报日期", esc.get("escalated_on")).isoformat(),
        "approver": _field(pkg, validate.required_text, "签批领导", esc.get("approver"), 50),
        "suggestion": _field(pkg, validate.required_text, "办理建议", esc.get("suggestion")),
        "instruction": _field(pkg, validate.optional_text, "领导批示", esc.get("instruction") or ""),
    }
    keep = ("accepted_on", "accepted_by", "channel")
    raw = {k: case.get(k) for k in FIELDS if k not in keep}
    accepted = step_date(ctx, on, "县区转报日期", numbers["escalated_on"])
    raw |= {"channel": "县区转报", "accepted_on": accepted, "major": bool(case.get("major"))}
    fields = _field(pkg, clean_registration, ctx, raw, allow_county_channel=True)
    papers = incoming_papers(pkg, s["office_name"])
    ctx.cal  # noqa: B018 - the calendar is read before the write lock is taken
    led = ctx.ledger
    with led.write():
        _duplicate(ctx, pkg)
        row = insert_case(ctx, fields, source_no=numbers["escalate_no"])
        d = fields["accepted_on"]
        store(ctx, row["id"], papers, d)
        _record_in(ctx, row["id"], pkg, numbers, d)
        summary = f"{s['office_name']} {numbers['escalate_no']}（县区登记 {numbers['reg_no']}），附件 {len(papers)} 件"
        led.event(row["id"], d, "receive", ctx.actor, summary=summary, file=pkg.path.name)
    return {"type": pkg.type, "case": row, "from": s["office_name"], **_peer(numbers, "county_"),
            "reg_no": row["reg_no"], "attachments": len(papers)}  # fmt: skip


def _target(ctx: Ctx, pkg: pk.Package) -> tuple[dict, dict]:
    """The county's own escalated case a result or send-back answers."""

    ref = pkg.data.get("ref")
    if not isinstance(ref, dict):
        raise pk.refuse(pkg.path, "case.json 缺少对应的转报编号")
    no = _number(pkg, ref.get("escalate_no"), "报", ctx.ledger.prefix, "转报编号")
    row = ctx.ledger.conn.execute(
        "SELECT c.id FROM escalations e JOIN cases c ON c.id = e.case_id WHERE e.no = ?", [no]
    ).fetchone()
    if row is None:
        raise pk.refuse(pkg.path, f"本台帐没有转报编号 {no}")
    case = ctx.ledger.db["cases"].get(row[0])
    esc = latest(ctx, "escalations", case["id"])
    if esc["no"] != no or ref.get("reg_no") != case["reg_no"]:
        raise pk.refuse(pkg.path, f"{no} 已不是 {case['reg_no']} 当前的转报（案件已重新转报或编号不符）")
    return case, esc


def _back_at_county(ctx: Ctx, pkg: pk.Package, on: str | None) -> dict:
    case, esc = _target(ctx, pkg)
    city = pkg.data.get("city")
    if not isinstance(city, dict):
        raise pk.refuse(pkg.path, "case.json 缺少市级办理情况")
    s = pkg.sender
    numbers = {"reg_no": _number(pkg, city.get("reg_no"), "收", s["prefix"], "市级登记编号")}
    if pkg.type == "result":
        return _result(ctx, pkg, case, esc, city, numbers, on)
    allowed = ("escalated",)
    if case["state"] not in allowed:
        raise pk.refuse(pkg.path, f"{case['reg_no']} 当前为“{STATES[case['state']]}”，不能再退回")
    numbers["reason"] = _field(pkg, validate.required_text, "退回理由", city.get("reason"), 500)
    sent = _field(pkg, validate.parse_date, "退回日期", city.get("sent_on"))
    d = step_date(ctx, on, "市级退回日期", max(sent, date.fromisoformat(esc["escalated_on"])))

    due = dispatch_due(ctx.cal, d, major=bool(case["major"]))
    led = ctx.ledger
    with led.write():
        _duplicate(ctx, pkg)
        update = {"state": "registered", "dispatch_due": due.isoformat(),
                  "dispatch_due_estimated": int(ctx.cal.is_estimate(due))}  # fmt: skip
        led.db["cases"].update(case["id"], update)
        _record_in(ctx, case["id"], pkg, numbers, d.isoformat())
        summary = f"{s['office_name']}（{numbers['reg_no']}）退回 {esc['no']}：{numbers['reason']}；回到待交办"
        led.event(case["id"], d.isoformat(), "receive", ctx.actor, summary=summary, before="escalated", after=update)
    return {"type": pkg.type, "case": case, "from": s["office_name"], **_peer(numbers, "city_"),
            "reg_no": case["reg_no"], "dispatch_due": due.isoformat()}  # fmt: skip


def _result(ctx: Ctx, pkg: pk.Package, case: dict, esc: dict, city: dict, numbers: dict, on: str | None) -> dict:
    if case["state"] not in ("escalated", "replied"):
        raise pk.refuse(pkg.path, f"{case['reg_no']} 当前为“{STATES[case['state']]}”，不能再记录市级答复")
    rep = pkg.data.get("reply")
    if not isinstance(rep, dict):
        raise pk.refuse(pkg.path, "case.json 缺少答复内容")
    dnos = city.get("dispatch_nos") or []
    if not isinstance(dnos, list) or len(dnos) > 20:
        raise pk.refuse(pkg.path, "市级交办编号不对")
    numbers["dispatch_nos"] = [_number(pkg, n, "交", pkg.sender["prefix"], "市级交办编号") for n in dnos]
    numbers["lead_dept"] = _field(pkg, validate.optional_text, "牵头部门", city.get("lead_dept") or "", 100)
    result = _field(pkg, validate.choice, "办理结果", str(rep.get("result") or ""), RESULTS)
    row = {
        "case_id": case["id"],
        "dispatch_id": None,
        "result": result,
        "mode": _field(pkg, validate.choice, "答复方式", str(rep.get("mode") or ""), REPLY_MODES),
        "summary": _field(pkg, validate.required_text, "办理情况", rep.get("summary")),
        "doc_no": _field(pkg, validate.optional_text, "文号", rep.get("doc_no") or "", 100),
        "plan": _field(pkg, validate.optional_text, "措施和时限或说明", rep.get("plan") or ""),
        "replied_on": _field(pkg, validate.parse_date, "答复日期", rep.get("replied_on")).isoformat(),
        "late": 0,
    }
    if result in ("B", "C") and not row["plan"]:
        raise pk.refuse(pkg.path, f"{result}类答复缺少措施和时限或说明")
    numbers |= {"result": result, "replied_on": row["replied_on"]}
    prev = latest(ctx, "replies", case["id"])
    _field(pkg, validate.not_before, "市级答复日期", date.fromisoformat(row["replied_on"]), "转报日期",
           date.fromisoformat(prev["replied_on"] if prev else esc["escalated_on"]))  # fmt: skip
    d = step_date(ctx, on, "市级答复日期", row["replied_on"]).isoformat()
    papers = incoming_papers(pkg, pkg.sender["office_name"])
    led = ctx.ledger
    with led.write():
        _duplicate(ctx, pkg)
        row["id"] = led.db["replies"].insert(row).last_pk
        led.db["cases"].update(case["id"], {"state": "replied"})
        led.event(case["id"], row["replied_on"], "reply", ctx.actor, before=prev and prev["result"], after=row)
        if result in ("B", "C"):
            set_supervision(ctx, case, "ledger", date.fromisoformat(row["replied_on"]), f"{result}类答复，列入督办台帐")
        store(ctx, case["id"], papers, d)
        _record_in(ctx, case["id"], pkg, numbers, d)
        summary = f"{pkg.sender['office_name']}（{numbers['reg_no']}）办理结果：{result}类，附件 {len(papers)} 件"
        led.event(case["id"], d, "receive", ctx.actor, summary=summary, file=pkg.path.name)
    return {"type": pkg.type, "case": case, "from": pkg.sender["office_name"], **_peer(numbers, "city_"),
            "reg_no": case["reg_no"], "attachments": len(papers)}  # fmt: skip


# -- receive -----------------------------------------------------------------------------------


def receive(ctx: Ctx, file: str, on: str | None = None) -> dict:
    """Take in a package: at the city an escalation, at the county a result or a send-back."""
    pkg = pk.read_package(Path(file))
    return receive_checked(ctx, pkg, on)


def incoming_papers(pkg: pk.Package, source: str) -> list[Paper]:
    """The attachments a package lists, each checked against its member."""
    listed = pkg.data.get("attachments", [])
    if not isinstance(listed, list) or len(listed) > pk.MAX_MEMBERS:
        raise pk.refuse(pkg.path, "附件清单不对")
    papers = []
    for a in listed:
        if not isinstance(a, dict) or a.get("member") not in pkg.members:
            raise pk.refuse(pkg.path, "附件清单所列的成员不在包中")
        data = pkg.members[a["member"]]
        if pk.sha256(data) != a.get("sha256") or len(data) != a.get("size"):
            raise pk.refuse(pkg.path, f"附件 {a['member']} 的 SHA-256 与清单不符")
        if a.get("kind") not in pk.ATTACH_KINDS:
            raise pk.refuse(pkg.path, f"附件 {a['member']} 的类别“{a.get('kind')}”不对")
        try:
            note = validate.optional_text("附件说明", a.get("note") or "", 200)
            added = validate.parse_date("附件日期", a.get("added_on")).isoformat()
        except LcqyError as exc:
            raise pk.refuse(pkg.path, f"附件 {a['member']}：{exc.message.rstrip('。')}") from None
        papers.append(Paper(pk.clean_file_name(str(a.get("name"))), a["kind"], data, note, source, added))
    return papers
