"""Online submissions (第八条 网络收集): an enterprise reports on line and gets a 查询码; nothing
enters the numbered ledger until the clerk has verified it with the enterprise (第十条) and
accepts it (`accept`: a new case under the next 收 number with channel 网上反映, or merged into an
open case), or declines it with a reason the enterprise is shown. An enterprise rates a reply
on line (网上评价): the follow-up act the clerk's `followup` runs, so 不满意 → 专项督办 alike.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass

from lcqy.acts.boards.tracking import CODE_LEN, find, pending_submissions
from lcqy.acts.cases import resolve
from lcqy.acts.common import step_date
from lcqy.acts.context import Ctx
from lcqy.acts.handling import followup
from lcqy.acts.intake.merging import follow_merge
from lcqy.acts.intake.register import MEASURES_START, clean_field, insert_case, likely_duplicates
from lcqy.acts.papers.attachments import Paper, store
from lcqy.errors import LcqyError
from lcqy.rules import states, validate
from lcqy.rules.constants import CATEGORIES, ONLINE_CHANNEL, ONLINE_METHOD, SATISFACTION, STATES
from lcqy.rules.package import MAX_ATTACHMENT, clean_file_name, sha256, size_text
from lcqy.store.db import now_text
from lcqy.store.migrations.m021_submissions import ALPHABET

ENTERPRISE_ACTOR = "企业（网上）"
MAX_PAPERS = 5
MAX_PAPER = min(20 * 1024 * 1024, MAX_ATTACHMENT)  # 20 MiB each (issue 24)
# The 登记表's fields an enterprise fills: API name -> (ledger column, label, required).
SUBMIT_FIELDS: dict[str, tuple[str, str, bool]] = {
    "enterprise": ("enterprise", "企业名称", True),
    "address": ("address", "详细地址", False),
    "contact": ("contact", "联系人", True),
    "position": ("contact_title", "职务", False),
    "phone": ("phone", "联系电话", True),
    "email": ("email", "电子邮箱", False),
    "category": ("category", "问题类别", True),
    "problem": ("problem", "主要困难和问题", True),
    "request": ("request", "希望协调解决的具体事项", True),
}
DECLINE_MAX = 500


@dataclass
class Upload:
    name: str
    data: bytes


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))


def clean(raw: dict) -> dict:
    """The fields, checked as `register` checks them; one LcqyError naming the first bad one."""

    gone = [label for key, (_, label, req) in SUBMIT_FIELDS.items() if req and not str(raw.get(key) or "").strip()]
    if gone:
        raise LcqyError(f"请填写：{'、'.join(gone)}。")
    return {col: clean_field(col, raw.get(key)) for key, (col, _, _) in SUBMIT_FIELDS.items()}


def check_uploads(files: list[Upload]) -> list[Upload]:
    if len(files) > MAX_PAPERS:
        raise LcqyError(f"材料（files）最多 {MAX_PAPERS} 个，本次有 {len(files)} 个。")
    out = []
    for f in files:
        name = clean_file_name(f.name or "材料")
        if not f.data:
            raise LcqyError(f"材料“{name}”是空文件。")
        if len(f.data) > MAX_PAPER:
            raise LcqyError(f"材料“{name}”超过每个 {size_text(MAX_PAPER)} 的上限，请压缩后再传。")
        out.append(Upload(name, f.data))
    return out


def _digest(fields: dict, files: list[Upload]) -> str:
    body = json.dumps([fields, sorted(sha256(f.data) for f in files)], ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def submit(ctx: Ctx, raw: dict, files: list[Upload] | None = None) -> dict:
    """{"code", "id", "folded"}: a new submission, or the one of today it repeats word for word
    (a double click, a resend): folded into that one, which keeps its code."""
    fields = clean(raw)
    files = check_uploads(list(files or []))
    digest, today = _digest(fields, files), ctx.today.isoformat()
    led = ctx.ledger
    with led.write():
        same = led.conn.execute(
            "SELECT id, code FROM submissions WHERE digest = ? AND submitted_on = ?", [digest, today]
        ).fetchone()
        if same:
            led.conn.execute("UPDATE submissions SET folded = folded + 1 WHERE id = ?", [same[0]])
            return {"id": same[0], "code": same[1], "folded": True}
        code = new_code()
        while led.conn.execute(
            "SELECT 1 FROM submissions WHERE code = ? UNION ALL SELECT 1 FROM tracking_codes WHERE code = ?",
            [code, code],
        ).fetchone():
            code = new_code()  # a draw that repeats one of 31^12: drawn again
        row = {**fields, "code": code, "submitted_on": today, "submitted_at": now_text(), "digest": digest}
        sid = led.db["submissions"].insert(row).last_pk
        for f in files:
            led.conn.execute(
                "INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)",
                (sha256(f.data), len(f.data), f.data),
            )
            led.db["submission_papers"].insert(
                {"submission_id": sid, "name": f.name, "sha256": sha256(f.data), "size": len(f.data), "added_on": today}
            )
        # In the history without the code (it is the enterprise's key) or any contact.
        led.event(None, today, "submission", ENTERPRISE_ACTOR, submission=sid, papers=len(files))
    return {"id": sid, "code": code, "folded": False}


def inbox(ctx: Ctx) -> list[dict]:
    """Submissions waiting, oldest first, each with the open cases it may repeat."""

    out = []
    with ctx.ledger.reading():
        for s in pending_submissions(ctx):
            probe = {"id": -1, "enterprise": s["enterprise"], "problem": s["problem"], "reg_year": 0, "reg_seq": 0}
            dups = likely_duplicates(ctx, probe)
            for d in dups:
                ref = str(d["reg_seq"]) if d["reg_year"] == ctx.today.year else f"{d['reg_year']}-{d['reg_seq']}"
                d["merge_command"] = f"lcqy accept {s['id']} --into {ref}"
            out.append({**s, "duplicates": dups})
    return out


def _pending(ctx: Ctx, ident: str | int) -> dict:
    try:
        sid = int(str(ident).strip())
    except ValueError:
        raise LcqyError(f"网上反映编号（ID）“{ident}”应为数字，见 lcqy inbox 的“号”一列。") from None
    row = next(ctx.ledger.rows("SELECT * FROM submissions WHERE id = ?", [sid]), None)
    if row is None:
        raise LcqyError(f"没有第{sid}号网上反映。可用 lcqy inbox 查看待处理的网上反映。")
    if row["status"] != "pending":
        done = "已受理" if row["status"] == "accepted" else "已不予登记"
        raise LcqyError(f"第{sid}号网上反映{done}（{row['decided_on']}），不能再处理。")
    return row


def _papers(ctx: Ctx, sid: int, on: str) -> list:

    rows = ctx.ledger.rows(
        "SELECT p.name, b.data FROM submission_papers p JOIN blobs b ON b.sha256 = p.sha256 "
        "WHERE p.submission_id = ? ORDER BY p.id",
        [sid],
    )
    return [Paper(r["name"], "企业材料", r["data"], "网上反映时提交", "网上反映", on) for r in rows]


def accept(
    ctx: Ctx, ident: str | int, *, category: str | None = None, major: bool = False, into: str | None = None,
    on: str | None = None,
) -> dict:  # fmt: skip
    """Register a submission (or merge it into the open case `into`), its papers with it."""

    if category:
        category = validate.choice("问题类别（--category）", category, CATEGORIES)
    led = ctx.ledger
    with led.write():
        sub = _pending(ctx, ident)
        d = step_date(ctx, on, "网上反映日期", sub["submitted_on"], "受理时间（--date）")
        validate.not_before("受理时间", d, "办法施行日", MEASURES_START)
        papers = _papers(ctx, sub["id"], d.isoformat())
        # What the enterprise added while it waited goes into the case's history with it.
        added = [
            t for (t,) in led.conn.execute("SELECT text FROM enterprise_notes WHERE submission_id = ?", [sub["id"]])
        ]
        if into:
            case = follow_merge(ctx, resolve(ctx, into))
            if case["state"] in states.TERMINAL:
                raise LcqyError(
                    f"案件 {case['reg_no']} 状态为“{STATES[case['state']]}”，已经办结；"
                    "请作为新案件受理（去掉 --into）。"
                )
            rows = store(ctx, case["id"], papers, d.isoformat()) if papers else []
            led.event(
                case["id"], d.isoformat(), "submission-merged", ctx.actor, submission=sub["id"],
                papers=[r["n"] for r in rows], added=added,
            )  # fmt: skip
        else:
            fields = {
                k: sub[k]
                for k in ("enterprise", "address", "contact", "contact_title", "phone", "email", "problem", "request")
            }
            fields.update(
                category=category or sub["category"], channel=ONLINE_CHANNEL, reported_on=sub["submitted_on"],
                accepted_on=d.isoformat(), accepted_by=ctx.actor, remarks="", consult=0, major=int(major),
            )  # fmt: skip
            case = insert_case(ctx, fields)
            # The enterprise keeps the code it was given: it becomes the case's 查询码.
            led.conn.execute("UPDATE tracking_codes SET code = ? WHERE case_id = ?", [sub["code"], case["id"]])
            rows = store(ctx, case["id"], papers, d.isoformat()) if papers else []
            led.event(case["id"], d.isoformat(), "submission-accepted", ctx.actor, submission=sub["id"],
                      papers=[r["n"] for r in rows], added=added)  # fmt: skip
        led.conn.execute(
            "UPDATE submissions SET status = 'accepted', case_id = ?, decided_on = ?, decided_by = ? WHERE id = ?",
            [case["id"], d.isoformat(), ctx.actor, sub["id"]],
        )
        led.event(None, d.isoformat(), "submission-decided", ctx.actor, submission=sub["id"], case=case["reg_no"])
    return {"submission": sub["id"], "case": case, "merged": bool(into), "papers": len(papers)}


def decline(ctx: Ctx, ident: str | int, *, reason: str, on: str | None = None) -> dict:

    reason = validate.required_text("理由（--reason）", reason, DECLINE_MAX)
    led = ctx.ledger
    with led.write():
        sub = _pending(ctx, ident)
        d = step_date(ctx, on, "网上反映日期", sub["submitted_on"])
        led.conn.execute(
            "UPDATE submissions SET status = 'declined', reason = ?, decided_on = ?, decided_by = ? WHERE id = ?",
            [reason, d.isoformat(), ctx.actor, sub["id"]],
        )
        led.event(None, d.isoformat(), "submission-declined", ctx.actor, submission=sub["id"], reason=reason)
    return {"id": sub["id"], "enterprise": sub["enterprise"], "reason": reason, "declined_on": d.isoformat()}


def evaluate(ctx: Ctx, code: str, phone4: str, *, satisfaction: str, comment: str = "") -> dict:
    """The enterprise rates the latest reply: a follow-up with method 网上评价 (once per reply)."""

    satisfaction = validate.choice("满意度（satisfaction）", satisfaction, SATISFACTION)
    comment = validate.optional_text("意见（comment）", comment, 500)
    with ctx.ledger.reading():
        found = find(ctx, code, phone4)
        case = found["case"]
        rep = case and next(
            ctx.ledger.rows("SELECT id FROM replies WHERE case_id = ? ORDER BY id DESC LIMIT 1", [case["id"]]), None
        )
        if not case or case["state"] != "replied" or not rep:
            raise LcqyError("承办部门答复后才能评价；目前还没有可评价的答复。", code=409)
        if ctx.ledger.conn.execute(
            "SELECT 1 FROM followups WHERE reply_id = ? AND method = ?", [rep["id"], ONLINE_METHOD]
        ).fetchone():
            raise LcqyError("这次答复已经评价过了。如有新情况，请与服企办联系。", code=409)
    ref = f"{case['reg_year']}-{case['reg_seq']}"
    by = ctx.by
    ctx.by = ENTERPRISE_ACTOR
    try:
        r = followup(ctx, ref, method=ONLINE_METHOD, satisfaction=satisfaction, note=comment, online=True, again=True)
    finally:
        ctx.by = by
    return {"satisfaction": satisfaction, "followed_on": r["followed_on"], "supervision": r["supervision"]}


def add_info(ctx: Ctx, code: str, phone4: str, *, text: str, files: list[Upload] | None = None) -> dict:
    """The enterprise adds information or papers to its waiting submission or open case: kept with
    the submission (seen on accept) or entered in the case's history with its papers attached."""

    text = validate.required_text("补充情况（text）", text, 2000)
    files = check_uploads(list(files or []))
    led, today = ctx.ledger, ctx.today.isoformat()
    with led.write():
        found = find(ctx, code, phone4)
        sub, case = found["submission"], found["case"]
        if case is None and sub["status"] != "pending":
            raise LcqyError("这件反映未予登记，不能再补充；如有新情况请重新提交。", code=409)
        if case is not None and case["state"] in states.TERMINAL:
            raise LcqyError(f"案件已{STATES[case['state']]}，不能再补充；如有新情况请重新反映。", code=409)
        row = {"text": text, "papers": len(files), "added_on": today}
        if case is None:
            row["submission_id"] = sub["id"]
            for f in files:
                led.conn.execute(
                    "INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)",
                    (sha256(f.data), len(f.data), f.data),
                )
                paper = {"name": f.name, "sha256": sha256(f.data), "size": len(f.data), "added_on": today}
                led.db["submission_papers"].insert({"submission_id": sub["id"], **paper})
            led.event(None, today, "enterprise-added", ENTERPRISE_ACTOR, submission=sub["id"], papers=len(files))
        else:
            row["case_id"] = case["id"]
            papers = [Paper(f.name, "企业材料", f.data, "企业网上补充", "网上反映", today) for f in files]
            by, ctx.by = ctx.by, ENTERPRISE_ACTOR
            try:
                stored = store(ctx, case["id"], papers, today) if papers else []
                led.event(case["id"], today, "enterprise-added", ENTERPRISE_ACTOR, text=text, papers=len(stored))
            finally:
                ctx.by = by
        led.db["enterprise_notes"].insert(row)
    return {"added_on": today, "papers": len(files)}
