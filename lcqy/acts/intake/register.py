"""Registration (第十条): every field of the 登记表, checked, numbered, entered."""

from __future__ import annotations

from datetime import date

from lcqy.acts.context import Ctx
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import CATEGORIES, CHANNELS, CLERK_CHANNELS
from lcqy.rules.deadlines import dispatch_due
from lcqy.rules.states import OPEN_STATES
from lcqy.store.db import now_text
from lcqy.store.schema import ENTERPRISE_KEY, LATEST_COLUMNS, PROBLEM_KEY

# key -> (label on the 登记表, required)
FIELDS: dict[str, tuple[str, bool]] = {
    "category": ("问题类别", True),
    "enterprise": ("企业名称", True),
    "address": ("详细地址", False),
    "reported_on": ("反映时间", False),
    "channel": ("反映形式", True),
    "contact": ("联系人", True),
    "contact_title": ("职务", False),
    "phone": ("联系电话", True),
    "email": ("电子邮箱", False),
    "problem": ("主要困难和问题", True),
    "request": ("希望协调解决的具体事项", True),
    "accepted_on": ("受理时间", False),
    "accepted_by": ("受理人员", False),
    "remarks": ("备注", False),
}
EDITABLE = tuple(k for k in FIELDS if k != "accepted_on")
# 第二十六条: the measures took effect on the day they were issued.
MEASURES_START = date(2021, 3, 31)


def missing(raw: dict) -> list[str]:
    return [k for k, (_, req) in FIELDS.items() if req and not str(raw.get(k) or "").strip()]


def clean_field(key: str, value: object, *, level: str = "county") -> object:
    """One field, checked: used by register, edit and import alike."""
    label = FIELDS[key][0]
    text = "" if value is None else value if isinstance(value, date) else str(value)
    if key == "category":
        return validate.choice(label, text, CATEGORIES)
    if key == "channel":
        if str(text).strip() == CHANNELS[-1] and level != "city":
            raise LcqyError("反映形式“县区转报”只用于市级台帐接收县区转报包（lcqy receive 文件），不能手工登记。")
        allowed = CHANNELS if level == "city" else CLERK_CHANNELS
        return validate.choice(label, text, allowed)
    if key == "phone":
        return validate.phone(label, text)
    if key == "email":
        return validate.email(label, text) if str(text).strip() else ""
    if key in ("reported_on", "accepted_on"):
        return validate.parse_date(label, text).isoformat()
    if key in ("problem", "request", "remarks", "address"):
        req = FIELDS[key][1]
        return (validate.required_text if req else validate.optional_text)(label, text, 2000)
    req = FIELDS[key][1]
    return (validate.required_text if req else validate.optional_text)(label, text, 200)


def clean_registration(ctx: Ctx, raw: dict, *, allow_county_channel: bool = False) -> dict:
    """All fields checked; raises one LcqyError naming the first bad or missing field."""
    gone = missing(raw)
    if gone:
        names = "、".join(f"{FIELDS[k][0]}（--{k.replace('_', '-')}）" for k in gone)
        raise LcqyError(f"缺少必填项：{names}。")
    level = "city" if allow_county_channel else "county"
    out = {k: clean_field(k, raw.get(k), level=level) for k in FIELDS if k not in ("reported_on", "accepted_on")}
    accepted = ctx.act_date(raw.get("accepted_on"), "受理时间（--date）")
    reported = ctx.act_date(raw.get("reported_on") or accepted, "反映时间")
    validate.not_before("受理时间", accepted, "反映时间", reported)
    validate.not_before("受理时间", accepted, "办法施行日", MEASURES_START)
    out["reported_on"] = reported.isoformat()
    out["accepted_on"] = accepted.isoformat()
    out["accepted_by"] = out["accepted_by"] or ctx.actor
    out["consult"] = int(bool(raw.get("consult")))
    out["major"] = int(bool(raw.get("major")))
    return out


DUPLICATE_KEYS = ("reg_no", "enterprise", "problem", "state", "accepted_on", "same", "merge_command")


def register(ctx: Ctx, raw: dict, *, source_no: str = "") -> dict:
    """The registered case with the open cases it may duplicate (`duplicates`): a warning for the
    clerk, who decides whether to merge; the report is registered either way."""
    fields = clean_registration(ctx, raw, allow_county_channel=bool(source_no))
    ctx.cal  # noqa: B018 - the calendar is read before the write lock is taken
    with ctx.ledger.write():
        case = insert_case(ctx, fields, source_no=source_no)
    dups = likely_duplicates(ctx, case)
    return {**case, "duplicates": [{k: d[k] for k in DUPLICATE_KEYS} for d in dups]}


def insert_case(ctx: Ctx, fields: dict, *, source_no: str = "") -> dict:
    """Number and enter checked fields; inside the caller's write transaction (register,
    and `receive` of a county's escalation, which stores its papers in the same one)."""
    led = ctx.ledger
    accepted = date.fromisoformat(fields["accepted_on"])
    due = dispatch_due(ctx.cal, accepted, major=bool(fields["major"]))
    seq, reg_no = led.allocate("收", accepted.year, fields["accepted_on"])
    row = {
        **fields,
        "reg_no": reg_no,
        "reg_year": accepted.year,
        "reg_seq": seq,
        "state": "registered",
        "dispatch_due": due.isoformat(),
        "dispatch_due_estimated": int(ctx.cal.is_estimate(due)),
        "source_no": source_no,
        "created_at": now_text(),
    }
    case_id = led.db["cases"].insert(row).last_pk
    led.db.execute("UPDATE numbers SET case_id = ? WHERE text = ?", [case_id, reg_no])
    led.event(case_id, fields["accepted_on"], "register", ctx.actor, after=row)
    case = led.db["cases"].get(case_id)
    for k in LATEST_COLUMNS:  # kept for the boards' reading only (migration 19)
        case.pop(k, None)
    return case


def likely_duplicates(ctx: Ctx, case: dict, limit: int = 20) -> list[dict]:
    """Open cases of the same enterprise (name compared without spaces, brackets and the
    有限公司-type words) or with the same problem text: a clerk who registers a report twice,
    or an enterprise that calls again, should merge rather than run two cases. Both
    comparisons are index look-ups (migration 10), so this stays quick at 100,000 cases."""

    ent, prob = ENTERPRISE_KEY.format, PROBLEM_KEY.format
    sql = f"""
    SELECT id, reg_no, reg_year, reg_seq, enterprise, problem, state, accepted_on,
           {ent("enterprise")} = {ent(":e")} AS same_enterprise,
           {prob("problem")} = {prob(":p")} AS same_problem
    FROM cases
    WHERE id IN (
        SELECT id FROM cases WHERE {ent("enterprise")} = {ent(":e")} AND {ent(":e")} != ''
        UNION SELECT id FROM cases WHERE {prob("problem")} = {prob(":p")} AND {prob(":p")} != ''
    ) AND id != :id AND state IN ({", ".join(f"'{s}'" for s in OPEN_STATES)})
    ORDER BY reg_year, reg_seq LIMIT {int(limit)}
    """
    rows = ctx.ledger.db.query(sql, {"e": case["enterprise"], "p": case["problem"], "id": case["id"]})
    out = []
    for r in rows:
        same = [k for k in ("enterprise", "problem") if r.pop(f"same_{k}")]
        ref = str(r["reg_seq"]) if r["reg_year"] == ctx.today.year else f"{r['reg_year']}-{r['reg_seq']}"
        new = str(case["reg_seq"]) if case["reg_year"] == ctx.today.year else f"{case['reg_year']}-{case['reg_seq']}"
        out.append({**r, "same": same, "merge_command": f"lcqy merge {new} --into {ref}"})
    return out
