"""What `show` adds for papers and exchanges: the attachments, the leader's words, and the
other office's numbers (the county's 收/报 numbers at the city, the city's at the county)."""

from __future__ import annotations

import json

from lcqy.acts.context import Ctx

EXCHANGE_LABELS = {
    "attach": "附件",
    "package": "生成交换包",
    "receive": "接收交换包",
    "send-result": "报送办理结果",
    "send-back": "退回县区",
}

EXCHANGE_TEXT = {
    "attach": lambda e, d, a: (
        "、".join(f"{f.get('n')}. {f.get('name')}" for f in d.get("files", []))
        + (f"（{d.get('kind')}）" if d.get("kind") else "")
    ),
    "package": lambda e, d, a: d.get("summary", ""),
    "receive": lambda e, d, a: d.get("summary", ""),
    "send-result": lambda e, d, a: d.get("summary", ""),
    "send-back": lambda e, d, a: d.get("summary", ""),
}


def exchanges(ctx: Ctx, case_id: int) -> list[dict]:
    rows = list(ctx.ledger.db.query("SELECT * FROM exchanges WHERE case_id = ? ORDER BY id", [case_id]))
    for r in rows:
        r["peer_numbers"] = json.loads(r["peer_numbers"])
    return rows


def peer_text(x: dict) -> tuple[str, str] | None:
    """One row naming the other office's numbers for an exchange that came in."""
    p = x["peer_numbers"]
    if x["direction"] != "in":
        return None
    if x["kind"] == "escalation":
        return (
            "县区转报",
            f"{x['peer_office']}：登记编号 {p.get('reg_no')}，转报编号 {p.get('escalate_no')}"
            f"（{p.get('escalated_on')} 转报，签批 {p.get('approver')}）；建议：{p.get('suggestion')}"
            + (f"；组长批示：{p['instruction']}" if p.get("instruction") else ""),
        )
    if x["kind"] == "result":
        disp = "、".join(p.get("dispatch_nos") or []) or "无"
        return (
            "市级办理",
            f"{x['peer_office']}：登记编号 {p.get('reg_no')}，交办编号 {disp}，牵头 {p.get('lead_dept') or '—'}；"
            f"{p.get('result')}类答复 {p.get('replied_on')}（{x['done_on']} 收到）",
        )
    return ("市级退回", f"{x['peer_office']}：登记编号 {p.get('reg_no')}，{x['done_on']} 退回：{p.get('reason')}")


def extra_rows(v: dict) -> list[tuple[str, str]]:
    """The rows `show` prints for the leader's words, the exchanges and the papers."""
    # Here rather than at the top: this module is read whenever the command list is built (its
    # labels name the exchange events), and the package rules bring zipfile and hashlib.
    from lcqy.rules.package import TYPES, size_text

    papers, xs = v["attachments"], v["exchanges"]
    rows: list[tuple[str, str]] = []
    for kind, acts, on in (("交办", v["dispatches"], "dispatched_on"), ("转报", v["escalations"], "escalated_on")):
        for r in acts:
            if r.get("instruction"):
                rows.append(("领导批示", f"{r['approver']}（{kind} {r[on]}）：{r['instruction']}"))
    for x in xs:
        if (row := peer_text(x)) is not None:
            rows.append(row)
        else:
            rows.append(("交换包", f"{x['done_on']} 发出{TYPES[x['kind']]} {x['file_name']}"))
    for a in papers:
        src = f"，来自 {a['source']}" if a["source"] else ""
        rows.append(
            (
                f"附件 {a['n']}",
                f"{a['name']}（{a['kind']}，{size_text(a['size'])}，{a['added_on']} {a['added_by']}{src}）",
            )
        )
    return rows
