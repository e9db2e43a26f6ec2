"""The official forms of a case: what goes into them (plain contexts; dates stay `date`
objects, written 2026年11月27日 by lcqy.docs.render), where they go, and writing them."""

from __future__ import annotations

from pathlib import Path

from lcqy.acts.cases import as_date, case_view, dispatch_urge_count, resolve
from lcqy.acts.common import output_file
from lcqy.acts.context import Ctx
from lcqy.acts.intake.register import FIELDS
from lcqy.acts.papers.attachments import annex_for, write_instruction
from lcqy.docs.fitting import brief, email_breaks, fit, phone_breaks, span_mm
from lcqy.errors import LcqyError
from lcqy.rules.deadlines import handling_span
from lcqy.rules.letters import MEASURES, letter_title, urge_basis
from lcqy.store import outputs

FORM_NAMES = {"register": "登记表", "dispatch": "交办单", "escalate": "转报单", "urge": "催办函"}
# `form KIND`: the English word or the paper's own name; 督办函 is the urge letter of a 督办.
FORM_KINDS = {**FORM_NAMES, "instruction": "批示笺", "receipt": "受理回执"}
_KIND_NAMES = {name: kind for kind, name in FORM_KINDS.items()} | {"督办函": "urge", "回执": "receipt"}


def form_kind(kind: str) -> str:
    """The form asked for, by its English word (register) or its name (登记表)."""
    text = (kind or "").strip()
    if text.lower() in FORM_KINDS:
        return text.lower()
    if text in _KIND_NAMES:
        return _KIND_NAMES[text]
    allowed = "、".join(f"{k}（{v}）" for k, v in FORM_KINDS.items())
    raise LcqyError(f"文书类型“{text}”不对，可选：{allowed}；写英文或中文名称均可。")


# Texts that may outgrow their cell: (name, first and last grid column, lines the row holds with
# the form still on one page). Longer texts are cut with “见附页” and printed whole on a 附页.
FITS = {
    "register": (("address", 2, 4, 2), ("problem", 2, 4, 7), ("request", 2, 4, 4), ("remarks", 1, 4, 2)),
    "dispatch": (("request", 2, 4, 8), ("address", 2, 4, 2), ("remarks", 1, 4, 2)),
    "escalate": (("request", 2, 4, 7), ("address", 2, 4, 2), ("suggestion", 1, 4, 7), ("remarks", 1, 4, 2)),
}
ANNEX_DEFAULT = "附件：企业反映困难问题登记表"


def fitted(kind: str, context: dict) -> dict:
    """`context` with its long texts cut to their cells; `<name>_full` holds a cut text whole
    and `more` is set when the form needs its 附页."""
    out = dict(context)
    more = False
    for name, c0, c1, lines in FITS[kind]:
        text = str(out.get(name) or "")
        shown, cut = fit(text, span_mm(c0, c1), lines)
        out[name], out[f"{name}_full"] = shown, text if cut else ""
        more = more or cut
    out["more"] = "附页" if more else ""
    return out


def form_view(ctx: Ctx, v: dict) -> dict:
    """The case view with what only the forms and letters read: the 专项督办 deadlines set (for
    the 督办函) and, for a case the city received, the county office that escalated it."""
    rows = ctx.ledger.rows("SELECT * FROM supervisions WHERE case_id = ? ORDER BY id", [v["id"]])
    office = ""
    if v.get("source_no"):
        row = ctx.ledger.conn.execute(
            "SELECT peer_office FROM exchanges WHERE case_id = ? AND direction = 'in' AND kind = 'escalation' "
            "ORDER BY id DESC LIMIT 1",
            [v["id"]],
        ).fetchone()
        office = row[0] if row else ""
    return {**v, "supervisions": list(rows), "source_office": office}


def _source(v: dict) -> dict:
    """来源 on the city's forms: the county's office and its 转报编号 (nothing for an own case)."""
    if not v.get("source_no"):
        return {}
    return {"source_no": v["source_no"], "source_office": v.get("source_office", "")}


def register_context(v: dict, office: str = "") -> dict:
    """Every field of the 登记表, as registered."""
    out = {k: v[k] for k in FIELDS}
    return fitted(
        "register",
        {
            **out,
            **_source(v),
            "office_name": office,  # not printed: the document's author
            "reg_no": v["reg_no"],
            "reported_on": as_date(v["reported_on"]),
            "accepted_on": as_date(v["accepted_on"]),
            "email": email_breaks(v["email"], span_mm(4, 4)),
            "phone": phone_breaks(v["phone"], span_mm(2, 2)),
        },
    )


def _matter_rows(office: str, v: dict) -> dict:
    """The rows the 交办单 and 转报单 share: the office, the matter (what the enterprise asks; the
    problem itself is on the attached 登记表), the enterprise and its contact."""
    keys = ("enterprise", "address", "contact", "phone", "remarks")
    matter = v["request"] or v["problem"]
    rows = {"office_name": office, "request": matter, "annex": ANNEX_DEFAULT, **{k: v[k] for k in keys}}
    return {**rows, "phone": phone_breaks(v["phone"], span_mm(4, 4))}


def _dispatch(v: dict) -> dict:
    active = [d for d in v["dispatches"] if d["status"] == "active"]
    if not v["dispatches"]:
        if v["escalations"]:
            # escalated, not dispatched: the city dispatches it, the county's paper is the 转报单
            e = v["escalations"][-1]
            raise LcqyError(
                f"{v['reg_no']} 已于 {e['escalated_on']} 转报市服企办（{e['no']}），由市级交办，本办没有交办单；"
                "要出具转报单：lcqy form escalate CASE。"
            )
        raise LcqyError(f"{v['reg_no']} 尚未交办，没有交办单。先用 lcqy dispatch 交办。")
    return (active or v["dispatches"])[-1]


def due_text(d: dict) -> str:
    due = as_date(d["due_current"])
    span = handling_span(d["tier"])
    text = f"{due.year}年{due.month}月{due.day}日前（{span}）"
    if d["due_current"] != d["due_original"]:
        text = f"{due.year}年{due.month}月{due.day}日前（已延期）"
    return text + ("（估计）" if d["due_estimated"] else "")


def dispatch_context(office: str, v: dict) -> dict:
    d = _dispatch(v)
    return fitted(
        "dispatch",
        {
            **_matter_rows(office, v),
            **_source(v),
            "dispatch_no": d["no"],
            "lead_dept": d["lead_dept"],
            "due_date": due_text(d),
            "assist_depts": "、".join(d["assist"]),
            "approver": d["approver"],
            "dispatched_on": as_date(d["dispatched_on"]),
        },
    )


def escalate_context(office: str, v: dict) -> dict:
    if not v["escalations"]:
        raise LcqyError(f"{v['reg_no']} 没有转报，没有转报单。")
    e = v["escalations"][-1]
    return fitted(
        "escalate",
        {
            **_matter_rows(office, v),
            "escalate_no": e["no"],
            "suggestion": e["suggestion"],
            "approver": e["approver"],
            "escalated_on": as_date(e["escalated_on"]),
        },
    )


def urge_context(office: str, v: dict) -> dict:
    if not v["urges"]:
        raise LcqyError(f"{v['reg_no']} 还没有催办记录。用 lcqy urge 催办（同时生成催办函）。")
    u = v["urges"][-1]
    d = next(x for x in v["dispatches"] if x["id"] == u["dispatch_id"])
    kind = u.get("kind") or "催办"  # a 督办 (督办台帐 or 专项督办) writes a 督办函
    count = dispatch_urge_count(v, d, v["urges"], upto=u["id"], kind=kind)
    quote, cut = brief(v["problem"])
    # A plain 催办 reads as it always has, with its count; a 督办 cites its supervision.
    basis = f"根据{MEASURES}第十八条规定，现对该问题进行第{count}次催办。" if kind == "催办" else urge_basis(kind)
    return {
        **_urge_facts(v, u, kind),
        "letter_title": letter_title(kind),
        "basis": basis,
        "office_name": office,
        "letter_no": u.get("letter_no") or "",
        "lead_dept": d["lead_dept"],
        "reg_no": v["reg_no"],
        "dispatch_no": d["no"],
        "enterprise": v["enterprise"],
        # quoted briefly (first sentence, or its start with 等): the 登记表 carries it whole
        "problem": f"“{quote}”" + ("等" if cut else ""),
        "assist_depts": "，".join(d["assist"]),  # §7.4.2: 抄送机关间用逗号
        "dispatched_on": as_date(d["dispatched_on"]),
        "due_date": as_date(u.get("due") or d["due_current"]),
        "days_late": u["days_late"],
        "urge_count": count,
        "reply_by": as_date(u["reply_by"]),
        "issued_on": as_date(u["urged_on"]),
    }


def _urge_facts(v: dict, u: dict, kind: str) -> dict:
    """What a 督办函 states besides the 催办函's facts (lcqy.docs.letter_text): the reply received
    before the urge (date, 文号, result), and for the 督办台帐 the completion date it promised, for a
    专项督办 why the case is under it and its 督办时限. A 催办 has had no reply: only its kind."""
    facts: dict = {"urge_kind": kind}
    if kind == "催办":
        return facts
    on = u["urged_on"]
    replies = [r for r in v["replies"] if r["replied_on"] <= on]
    rep = replies[-1] if replies else None
    if rep:
        facts |= {"reply_on": as_date(rep["replied_on"]), "reply_doc_no": rep["doc_no"], "reply_result": rep["result"]}
    if kind == "督办台帐":
        facts["promised_by"] = as_date(u.get("due") or (rep and rep["plan_due"]))
        return facts
    sups = [s for s in v.get("supervisions", []) if s["set_on"] <= on]
    sup = sups[-1] if sups else None
    fols = [f for f in v["followups"] if f["followed_on"] <= on and (rep is None or f["reply_id"] == rep["id"])]
    fol = fols[-1] if fols else None
    found = []
    if fol and fol["satisfaction"] == "不满意":
        found.append("企业不满意")
    if fol and fol["incomplete"]:
        found.append("办理不彻底或答复不规范")
    reason = (sup["reason"] if sup else "").strip().rstrip("。；;，,")
    if reason and all(reason not in f for f in found):
        found.append(reason)
    facts["supervise_reason"] = "，".join(found)
    facts["supervise_due"] = as_date(u.get("due") or (sup and sup["due"]))
    if sup:
        facts["supervise_set_on"] = as_date(sup["set_on"])
    return facts


def build(kind: str, office: str, v: dict) -> tuple[dict, dict | None, str]:
    """(context, attached 登记表 context or None, document number for the file name)."""
    if v["state"] == "void" and kind in FORM_NAMES:
        # A voided registration's number is void too: no form goes out under it.
        raise LcqyError(
            f"{v['reg_no']} 已作废（理由：{v['end_reason'] or '未写'}），不再出具{FORM_NAMES[kind]}；"
            "作废记录可用 lcqy show 查看。"
        )
    if kind == "register":
        return register_context(v, office), None, v["reg_no"]
    if kind == "dispatch":
        c = dispatch_context(office, v)
        return c, register_context(v, office), c["dispatch_no"]
    if kind == "escalate":
        c = escalate_context(office, v)
        return c, register_context(v, office), c["escalate_no"]
    if kind == "urge":
        c = urge_context(office, v)
        return c, None, f"{c['dispatch_no']}第{c['urge_count']}次"
    form_kind(kind)  # an unknown kind is refused with the list; a known one is not built here
    raise LcqyError(f"{FORM_KINDS[kind]}不由模板生成。")


def out_path(kind: str, number: str, given: str | None, force: bool, title: str | None = None) -> Path:
    return output_file(given, f"{number}{title or FORM_NAMES[kind]}.docx", ".docx", force)


def template_dir(ctx: Ctx, given: str | None) -> Path | None:
    """--templates, else the office's saved setting (lcqy config templates DIR), else the built-in set."""
    chosen = given or ctx.ledger.meta.get("templates_dir")
    if not chosen:
        return None
    path = Path(chosen)
    if not path.is_dir():
        raise LcqyError(f"模板目录 {path} 不存在。")
    return path


def set_templates(ctx: Ctx, value: str) -> None:
    """Save the office's template folder (`-` for the built-in set) once every form in it
    has all its placeholders; a missing one is named."""
    from lcqy.docs.render import FILES, check_template

    led = ctx.ledger
    if value != "-":
        folder = Path(value).resolve()
        problems = []
        for kind, name in FILES.items():
            if not (folder / name).is_file():
                problems.append(f"缺少文件 {name}")
            elif missing := check_template(folder / name, kind):
                problems.append(f"{name} 缺少占位符：{'、'.join(missing)}")
        if problems:
            raise LcqyError(f"模板目录 {folder} 不能用：" + "；".join(problems) + "。")
        value = str(folder)
    with led.write():
        before = led.meta.get("templates_dir")
        if value == "-":
            led.db.execute("DELETE FROM meta WHERE key = 'templates_dir'")
            led.meta.pop("templates_dir", None)
        else:
            led.db["meta"].upsert({"key": "templates_dir", "value": value}, pk="key")
            led.meta["templates_dir"] = value
        led.event(None, ctx.today.isoformat(), "config", ctx.actor, key="templates", before=before, after=value)


LETTERHEAD = {"是": "是", "on": "是", "否": "", "off": ""}


def set_letterhead(ctx: Ctx, value: str) -> str:
    """`config letterhead 是|否`: the red 版头 over the 催办函/督办函 (on unless the office prints
    on paper that carries it); returns the setting now in force."""
    if value not in LETTERHEAD:
        raise LcqyError(f"版头（letterhead）只能设为：是 或 否（on/off），不能是“{value}”。")
    led = ctx.ledger
    with led.write():
        before = led.meta.get("letterhead", "是")
        after = LETTERHEAD[value]
        led.db["meta"].upsert({"key": "letterhead", "value": after}, pk="key")
        led.meta["letterhead"] = after
        led.event(None, ctx.today.isoformat(), "config", ctx.actor, key="letterhead", before=before, after=after)
    return after


def filled(ctx: Ctx, kind: str, v: dict) -> tuple[dict, dict | None, str]:
    """What a form of the case view `v` says, wherever it is written (a file or a download):
    (context, the attached 登记表's context or None, the form's number)."""
    v = form_view(ctx, v)
    context, attachment, number = build(kind, ctx.ledger.meta["office_name"], v)
    if kind in ("dispatch", "escalate"):
        context["annex"] = annex_for(ctx, v, kind)
    if kind == "urge":
        context["letterhead"] = ctx.ledger.meta.get("letterhead", "是")
    return context, attachment, number


def prepare(ctx: Ctx, kind: str, ref: str, output: str | None, force: bool, templates: str | None) -> tuple[Path, Path]:
    """Fill one form for a case into a private temporary file beside its destination;
    returns (temporary, destination). Nothing at the destination changes yet."""
    from lcqy.docs.render import render

    context, attachment, number = filled(ctx, kind, case_view(ctx, resolve(ctx, ref)))
    final = out_path(kind, number, output, force, context.get("letter_title"))
    tmp = outputs.begin(final)  # private (0600): the forms carry the enterprise's contacts
    with outputs.filling(tmp, final):
        folder = template_dir(ctx, templates)
        render(kind, context, tmp, template_dir=folder, attachment_context=attachment, today=ctx.today)
    return tmp, final


def write(ctx: Ctx, kind: str, ref: str, output: str | None, force: bool, templates: str | None) -> Path:
    """Fill one form for a case and put it in place."""
    if kind == "instruction":  # generated, not from a template
        return write_instruction(ctx, ref, output, force)
    tmp, final = prepare(ctx, kind, ref, output, force, templates)
    outputs.finish(tmp, final)
    return final
