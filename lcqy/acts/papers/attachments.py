"""Papers kept with a case inside the ledger (附件): the leader's 批示笺, the enterprise's
materials, the departments' replies. Kept as BLOBs, so `backup` and a copy of the one file
keep them; the same content is stored once, and `check` verifies every SHA-256."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lcqy.acts.cases import case_view, resolve
from lcqy.acts.common import output_file, step_date
from lcqy.acts.context import Ctx
from lcqy.docs import instruction
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.package import ATTACH_KINDS, MAX_ATTACHMENT, clean_file_name, sha256, size_text
from lcqy.store.db import create_private_file

MAX_FILES = 20  # per command


@dataclass
class Paper:
    """A paper ready to be stored: checked, read, hashed."""

    name: str
    kind: str
    data: bytes
    note: str = ""
    source: str = ""
    added_on: str = ""

    @property
    def sha256(self) -> str:
        return sha256(self.data)


def read_paper(path_text: str, kind: str, note: str = "") -> Paper:
    """A file from the clerk's disk, refused before reading when it is too large."""
    path = Path(path_text)
    if not path.is_file():
        raise LcqyError(f"找不到要附上的文件 {path}" + ("（这是一个目录）。" if path.is_dir() else "。"))
    size = path.stat().st_size
    if size > MAX_ATTACHMENT:
        raise LcqyError(
            f"文件 {path.name} 有 {size_text(size)}，超过每个附件 {size_text(MAX_ATTACHMENT)} 的上限；"
            "请压缩或拆分后再附（扫描件可降低分辨率）。"
        )
    if size == 0:
        raise LcqyError(f"文件 {path.name} 是空文件，不能作为附件。")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_ATTACHMENT + 1)
    except OSError as exc:
        raise LcqyError(f"无法读取文件 {path}：{exc.strerror}。") from None
    if len(data) > MAX_ATTACHMENT:  # grew while we looked
        raise LcqyError(f"文件 {path.name} 超过每个附件 {size_text(MAX_ATTACHMENT)} 的上限。")
    return Paper(clean_file_name(path.name), kind, data, note)


def store(ctx: Ctx, case_id: int, papers: list[Paper], on: str) -> list[dict]:
    """Insert papers for a case; runs inside the caller's write transaction."""
    led = ctx.ledger
    assert led.conn.in_transaction, "store() needs the write transaction"
    (top,) = led.conn.execute("SELECT coalesce(max(n), 0) FROM attachments WHERE case_id = ?", [case_id]).fetchone()
    rows = []
    for i, p in enumerate(papers, 1):
        digest = p.sha256
        led.conn.execute(
            "INSERT OR IGNORE INTO blobs (sha256, size, data) VALUES (?, ?, ?)", (digest, len(p.data), p.data)
        )
        row = {
            "case_id": case_id,
            "n": top + i,
            "name": p.name,
            "kind": p.kind,
            "sha256": digest,
            "size": len(p.data),
            "note": p.note,
            "added_on": p.added_on or on,
            "added_by": ctx.actor,
            "source": p.source,
        }
        row["id"] = led.db["attachments"].insert(row).last_pk
        rows.append(row)
    return rows


# What a listing of a case's papers shows of each (attach --json, attachments --json).
PUBLIC_KEYS = ("n", "name", "kind", "size", "sha256", "note", "added_on", "added_by", "source")


def public(a: dict) -> dict:
    return {k: a[k] for k in PUBLIC_KEYS}


def _already_kept(ctx: Ctx, case: dict, papers: list[Paper], files: list[str]) -> None:
    """A paper whose content the case keeps already (or given twice in one command) is most
    likely attached twice by mistake: refused, naming the entry it repeats."""
    kept = {
        a["sha256"]: a
        for a in ctx.ledger.rows(
            "SELECT n, name, added_on, sha256 FROM attachments WHERE case_id = ? ORDER BY n DESC", [case["id"]]
        )
    }
    seen: dict[str, str] = {}
    for p, given in zip(papers, files, strict=True):
        if p.sha256 in kept:
            a = kept[p.sha256]
            raise LcqyError(
                f"文件 {given} 与 {case['reg_no']} 的第 {a['n']} 号附件（{a['name']}，{a['added_on']} 附上）内容相同，"
                "已经附过。确需再附一份请加 --again。"
            )
        if p.sha256 in seen:
            raise LcqyError(
                f"文件 {given} 与本次的 {seen[p.sha256]} 内容相同，同一文件只附一次（确需两份请加 --again）。"
            )
        seen[p.sha256] = given


def attach(
    ctx: Ctx,
    ref: str,
    files: list[str],
    *,
    kind: str = "企业材料",
    note: str = "",
    on: str | None = None,
    again: bool = False,
) -> dict:
    """Store papers with a case; returns what `attach --json` prints. A paper the case already
    keeps is refused unless `again`."""
    kind = validate.choice("附件类别（--kind）", kind, ATTACH_KINDS)
    note = validate.optional_text("说明（--note）", note, 200)
    if not files:
        raise LcqyError("请写出要附上的文件。")
    if len(files) > MAX_FILES:
        raise LcqyError(f"一次最多附 {MAX_FILES} 个文件，本次有 {len(files)} 个；请分几次附上。")
    papers = [read_paper(f, kind, note) for f in files]  # all read and checked before the lock
    led = ctx.ledger
    with led.write():
        case = resolve(ctx, ref)
        if case["state"] in ("void", "merged"):
            raise LcqyError(f"{case['reg_no']} 已作废或已合并，不再附材料；请附在并入的案件上。")
        d = step_date(ctx, on, "受理时间", case["accepted_on"])
        if not again:
            _already_kept(ctx, case, papers, files)
        rows = store(ctx, case["id"], papers, d.isoformat())
        led.event(
            case["id"],
            d.isoformat(),
            "attach",
            ctx.actor,
            kind=kind,
            files=[{"n": r["n"], "name": r["name"], "size": r["size"], "sha256": r["sha256"]} for r in rows],
        )
    return {"reg_no": case["reg_no"], "attachments": [public(r) for r in rows]}


def case_attachments(ctx: Ctx, case_id: int) -> list[dict]:
    return list(
        ctx.ledger.db.query(
            "SELECT n, name, kind, size, sha256, note, added_on, added_by, source FROM attachments "
            "WHERE case_id = ? ORDER BY n",
            [case_id],
        )
    )


def blob(ctx: Ctx, digest: str) -> bytes:
    row = ctx.ledger.conn.execute("SELECT data FROM blobs WHERE sha256 = ?", [digest]).fetchone()
    if row is None:
        raise LcqyError(f"附件内容 {digest[:12]}… 不在台帐中（台帐可能已损坏，请运行 lcqy check）。")
    return bytes(row[0])


def papers_of(ctx: Ctx, case_id: int) -> list[tuple[dict, bytes]]:
    return [(a, blob(ctx, a["sha256"])) for a in case_attachments(ctx, case_id)]


def save_attachment(ctx: Ctx, ref: str, n: int, output: str | None, force: bool) -> Path:
    """Write paper N of a case to a file (owner-readable only: the papers are the enterprise's)."""

    case = resolve(ctx, ref)
    row = next((a for a in case_attachments(ctx, case["id"]) if a["n"] == n), None)
    if row is None:
        count = len(case_attachments(ctx, case["id"]))
        have = f"本案有附件 1–{count}" if count else "本案还没有附件"
        raise LcqyError(f"{case['reg_no']} 没有第 {n} 号附件（{have}，见 lcqy attachments）。")
    path = Path(output or row["name"])
    if path.is_dir():
        path = path / row["name"]
    if not path.parent.is_dir():
        raise LcqyError(f"输出目录 {path.parent} 不存在，请先建立或换一个位置。")
    if path.exists() and not force:
        raise LcqyError(f"文件 {path} 已存在；要覆盖请加 --force。")
    data = blob(ctx, row["sha256"])
    if sha256(data) != row["sha256"]:
        raise LcqyError(f"附件 {row['name']} 的内容与记录的 SHA-256 不符，台帐已损坏；请用备份恢复。")
    tmp = path.with_name(f".{path.name}.part")
    tmp.unlink(missing_ok=True)
    create_private_file(tmp)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def sent_with(papers: list[dict], on: str | None) -> list[dict]:
    """The papers a form issued on `on` went out with: those kept by that day, less a reply
    received from another office (the city's answer to a 转报 is not part of it)."""
    if on is None:
        return papers
    return [p for p in papers if p["added_on"] <= on and not (p["source"] and p["kind"] == "答复文件")]


def annex_text(ctx: Ctx, case_id: int, instruction: bool, on: str | None = None) -> str:
    """The 附件 line of the 交办单 / 转报单 (the notes under the forms: the leader's 批示笺
    and the 登记表 go with them), then the papers kept with the case (by `on`, the day the
    form was issued, when given: a form written again lists what it was sent with)."""
    items = ["企业反映困难问题登记表"]
    papers = sent_with(case_attachments(ctx, case_id), on)
    if instruction and not any(p["kind"] == "批示笺" for p in papers):
        items.append("领导批示笺")
    items += [p["name"] for p in papers]
    # one item a line, aligned under the first by the annex line's hanging indent (GB/T 9704 §7.3.4)
    return "附件：" + "\n".join(f"{i}. {name}" for i, name in enumerate(items, 1))


def latest_instruction(v: dict) -> tuple[str, dict] | None:
    """The most recent act with the leader's words: ('dispatch'|'escalate', row)."""
    found = [("dispatch", d) for d in v["dispatches"] if d.get("instruction")]
    found += [("escalate", e) for e in v["escalations"] if e.get("instruction")]
    if not found:
        return None
    return max(found, key=lambda kr: kr[1]["dispatched_on" if kr[0] == "dispatch" else "escalated_on"])


def cn(d: str) -> str:
    x = date.fromisoformat(d)
    return f"{x.year}年{x.month}月{x.day}日"


def instruction_values(ctx: Ctx, v: dict) -> dict | None:
    """What the 批示笺 page shows: the latest dispatch or escalation with the leader's words."""
    found = latest_instruction(v)
    if found is None:
        return None
    kind, row = found
    return {
        "office_name": ctx.ledger.meta["office_name"],
        "reg_no": v["reg_no"],
        "doc_label": "交办编号" if kind == "dispatch" else "转报编号",
        "doc_no": row["no"],
        "enterprise": v["enterprise"],
        "matter": v["request"] or v["problem"],
        "instruction": row["instruction"],
        "leader": row["approver"],
        "given_on": cn(row["dispatched_on" if kind == "dispatch" else "escalated_on"]),
    }


def write_instruction(ctx: Ctx, ref: str, output: str | None, force: bool) -> Path:
    """`form instruction CASE`: the 批示笺 page, written beside its place then moved there."""

    v = case_view(ctx, resolve(ctx, ref))
    values = instruction_values(ctx, v)
    if values is None:
        raise LcqyError(
            f"{v['reg_no']} 没有记录领导批示：交办或转报时用 --instruction 写下批示内容，"
            "或把批示笺扫描件附上（lcqy attach CASE 文件 --kind 批示笺）。"
        )
    final = output_file(output, f"{values['doc_no']}批示笺.docx", ".docx", force)
    tmp = final.with_name(f".{final.name}.part")
    tmp.unlink(missing_ok=True)
    create_private_file(tmp)
    try:
        instruction.write(values, tmp, ctx.today)
        os.replace(tmp, final)
    finally:
        tmp.unlink(missing_ok=True)
    return final


def annex_for(ctx: Ctx, v: dict, kind: str) -> str:
    """The `annex` placeholder of the 交办单 (kind dispatch) or 转报单 (escalate) of case view `v`."""
    rows = v["escalations"] if kind == "escalate" else v["dispatches"]
    last = rows[-1] if rows else {}
    # A 转报单 went out once, in its package: written again it lists what went with it. A 交办单
    # is printed when the case is handed over and lists what the case holds by then.
    on = last.get("escalated_on") if kind == "escalate" else None
    return annex_text(ctx, v["id"], bool(last.get("instruction")), on)
