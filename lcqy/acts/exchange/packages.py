"""County ⇄ city exchange packages (第三、十二、十三条).

The county writes an escalation package (转报包); the city receives it under its own 收
number (channel 县区转报), dispatches it as usual, and writes a result package (办理结果包)
after its reply, or a send-back (退回包) when the matter is not the city's. The county
receives those onto the original escalated case. A package is read and checked whole
(lcqy.rules.package) and every field in it validated before the write transaction."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from lcqy.acts.cases import case_view, latest, resolve
from lcqy.acts.common import output_file, step_date
from lcqy.acts.context import Ctx
from lcqy.acts.intake.register import FIELDS
from lcqy.acts.papers.attachments import annex_for, instruction_values, papers_of
from lcqy.acts.papers.forms import build, template_dir
from lcqy.docs import instruction
from lcqy.errors import LcqyError
from lcqy.rules import package as pk
from lcqy.rules import states, validate
from lcqy.rules.constants import STATES
from lcqy.store.db import create_private_file, now_text


def package_dir(text: str) -> Path:
    path = Path(text)
    if not path.is_dir():
        raise LcqyError(f"转报包目录（--package）{path} 不存在或不是目录，请先建立。台帐未改动。")
    return path


def _office(ctx: Ctx) -> dict:
    m = ctx.ledger.meta
    return {"office_name": m["office_name"], "prefix": m["prefix"], "level": m["level"]}


def _papers_out(ctx: Ctx, case_id: int, only_local: bool = False) -> tuple[list[dict], dict[str, bytes]]:
    listed, files = [], {}
    for a, data in papers_of(ctx, case_id):
        if only_local and a["source"]:
            continue
        member = pk.attachment_member(a["n"], a["name"])
        keys = ("n", "name", "kind", "note", "added_on", "size", "sha256")
        listed.append({**{k: a[k] for k in keys}, "member": member})
        files[member] = data
    return listed, files


def _render(ctx: Ctx, kind: str, v: dict) -> bytes:
    """The 转报单 (with the 登记表 attached) as a clerk would print it, for the people at the other end."""
    from lcqy.docs.render import render

    context, attachment, _ = build(kind, ctx.ledger.meta["office_name"], v)
    context["annex"] = annex_for(ctx, v, kind)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "form.docx"
        render(kind, context, out, template_dir=template_dir(ctx, None), attachment_context=attachment, today=ctx.today)
        return out.read_bytes()


def _instruction_page(ctx: Ctx, v: dict) -> dict[str, bytes]:
    values = instruction_values(ctx, v)
    if values is None:
        return {}
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "i.docx"
        instruction.write(values, out, ctx.today)
        return {f"{values['doc_no']}批示笺.docx": out.read_bytes()}


def _put(blob: bytes, final: Path, record: Callable[[], None]) -> Path:
    """Write the package beside its place, record it (one transaction), then put it in place:
    a refused record leaves no file, and an existing file is untouched until the end."""
    tmp = final.with_name(f".{final.name}.part")
    tmp.unlink(missing_ok=True)
    create_private_file(tmp)  # 0600: the package carries the enterprise's contacts
    try:
        tmp.write_bytes(blob)
        record()
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def _record_out(ctx: Ctx, case: dict, kind: str, key: str, peer: dict, numbers: dict, path: Path, on: str) -> None:
    led = ctx.ledger
    led.db["exchanges"].insert(
        {
            "case_id": case["id"],
            "direction": "out",
            "kind": kind,
            "key": key,
            "peer_office": peer.get("office_name", "市服企办"),
            "peer_prefix": peer.get("prefix", ""),
            "peer_numbers": json.dumps(numbers, ensure_ascii=False),
            "done_on": on,
            "file_name": path.name,
        }
    )


# -- county: the escalation package ------------------------------------------------------------


def write_escalation(ctx: Ctx, ref: str, output: str | None, force: bool = False) -> Path:
    """`package CASE`: the escalation package of an escalated case (again, whenever needed)."""
    if ctx.ledger.level != "county":
        raise LcqyError("转报包由县（区）服企办生成；市级台帐请用 lcqy send-result 或 lcqy send-back。")
    case = resolve(ctx, ref)
    v = case_view(ctx, case)
    if case["state"] != "escalated" or not v["escalations"]:
        raise LcqyError(f"{case['reg_no']} 当前状态为“{STATES[case['state']]}”，只有已转报的案件才有转报包。")
    e = v["escalations"][-1]
    final = output_file(output, f"{e['no']}{pk.SUFFIX}", pk.SUFFIX, force)
    listed, files = _papers_out(ctx, case["id"])

    data = {
        "case": {**{k: v[k] for k in FIELDS}, "reg_no": v["reg_no"], "major": v["major"]},
        "escalation": {k: e[k] for k in ("no", "approver", "suggestion", "instruction", "escalated_on")},
        "attachments": listed,
    }
    files[f"{e['no']}转报单.docx"] = _render(ctx, "escalate", v)
    files.update(_instruction_page(ctx, v))
    key = f"escalation:{ctx.ledger.prefix}:{e['no']}"
    manifest = {
        "type": "escalation",
        "key": key,
        "created_at": now_text(),
        "from": _office(ctx),
        "to": {"level": "city"},
    }
    blob = pk.build_package(manifest, data, files)
    today = ctx.today.isoformat()

    def record() -> None:
        with ctx.ledger.write():
            _record_out(ctx, case, "escalation", key, {}, {"escalate_no": e["no"]}, final, today)
            ctx.ledger.event(case["id"], today, "package", ctx.actor, summary=f"转报包 {final.name}")

    return _put(blob, final, record)


def escalate_package(ctx: Ctx, escalate_no: str, folder: Path) -> Path:
    """`escalate --package DIR`: the escalation is recorded; now its package."""
    try:
        return write_escalation(ctx, escalate_no, str(folder / f"{escalate_no}{pk.SUFFIX}"))
    except LcqyError as exc:
        raise LcqyError(
            f"转报已记录（{escalate_no}），但转报包未能写出：{exc.message}"
            f"请改正后用 lcqy package {escalate_no} -o 文件 重写。"
        ) from None


# -- city: result and send-back ----------------------------------------------------------------


def _incoming(ctx: Ctx, case: dict) -> dict:
    rows = ctx.ledger.db.query(
        "SELECT * FROM exchanges WHERE case_id = ? AND direction = 'in' AND kind = 'escalation'", [case["id"]]
    )
    x = next(iter(rows), None)
    if ctx.ledger.level != "city" or x is None:
        raise LcqyError(f"{case['reg_no']} 不是由县区转报包接收的案件，没有可报送的县区。")
    x["peer_numbers"] = json.loads(x["peer_numbers"])
    return x


def _to_county(x: dict) -> dict:
    return {"level": "county", "office_name": x["peer_office"], "prefix": x["peer_prefix"]}


def _ref(x: dict) -> dict:
    return {"reg_no": x["peer_numbers"]["reg_no"], "escalate_no": x["peer_numbers"]["escalate_no"]}


def send_result(ctx: Ctx, ref: str, output: str | None, force: bool = False, on: str | None = None) -> Path:
    case = resolve(ctx, ref)
    x = _incoming(ctx, case)
    rep = latest(ctx, "replies", case["id"])
    if rep is None or case["state"] not in ("replied", "closed"):
        raise LcqyError(f"{case['reg_no']} 还没有答复（当前“{STATES[case['state']]}”）；先用 lcqy reply 记录办理结果。")
    d = step_date(ctx, on, "答复日期", rep["replied_on"]).isoformat()
    disps = [r for r in case_view(ctx, case)["dispatches"] if r["status"] == "active"]
    city = {
        "reg_no": case["reg_no"],
        "dispatch_nos": [r["no"] for r in disps],
        "lead_dept": disps[-1]["lead_dept"] if disps else "",
    }
    reply = {k: rep[k] for k in ("result", "mode", "summary", "doc_no", "plan", "replied_on")}
    listed, files = _papers_out(ctx, case["id"], only_local=True)
    key = f"result:{ctx.ledger.prefix}:{case['reg_no']}:{rep['id']}"
    final = output_file(output, f"{case['reg_no']}办理结果{pk.SUFFIX}", pk.SUFFIX, force)
    manifest = {"type": "result", "key": key, "created_at": now_text(), "from": _office(ctx), "to": _to_county(x)}
    blob = pk.build_package(manifest, {"ref": _ref(x), "city": city, "reply": reply, "attachments": listed}, files)

    def record() -> None:
        with ctx.ledger.write():
            _record_out(ctx, case, "result", key, _to_county(x), city, final, d)
            summary = f"{rep['result']}类结果报 {x['peer_office']}（{_ref(x)['escalate_no']}），{final.name}"
            ctx.ledger.event(case["id"], d, "send-result", ctx.actor, summary=summary)

    return _put(blob, final, record)


def send_back(ctx: Ctx, ref: str, reason: str, output: str | None, force: bool = False, on: str | None = None):
    reason = validate.required_text("退回理由（--reason）", reason, 500)
    case = resolve(ctx, ref)
    x = _incoming(ctx, case)
    states.check("reject", case["state"])  # only before the city dispatches it
    d = step_date(ctx, on, "受理时间", case["accepted_on"]).isoformat()
    key = f"send-back:{ctx.ledger.prefix}:{case['reg_no']}"
    final = output_file(output, f"{case['reg_no']}退回{pk.SUFFIX}", pk.SUFFIX, force)
    city = {"reg_no": case["reg_no"], "reason": reason, "sent_on": d}
    manifest = {"type": "send-back", "key": key, "created_at": now_text(), "from": _office(ctx), "to": _to_county(x)}
    blob = pk.build_package(manifest, {"ref": _ref(x), "city": city, "attachments": []}, {})

    def record() -> None:
        led = ctx.ledger
        with led.write():
            now = resolve(ctx, case["reg_no"])
            states.check("reject", now["state"])
            # At the city the case ends as not accepted (不予受理, 其他), the reason naming the county.
            update = {"state": "rejected", "ended_on": d, "end_reason": "其他", "end_note": f"退回县区：{reason}"}
            led.db["cases"].update(case["id"], update)
            _record_out(ctx, case, "send-back", key, _to_county(x), city, final, d)
            led.event(case["id"], d, "send-back", ctx.actor, summary=f"退回 {x['peer_office']}：{reason}", after=update)

    path = _put(blob, final, record)
    return {"case": case, "path": path, "county": x["peer_office"]}
