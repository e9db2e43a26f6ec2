"""The checks of import-ledger: each sheet row on its own, then the rows together.

Each row is checked with the same field rules as `register`, and its state must agree with
the numbers, result, dates and satisfaction it carries (a 已销号 row needs an A result and a
satisfied enterprise, an 办理中 row a 交办编号, a 已合并 row the case it joined, …), so that
what comes in is a ledger `check` passes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from lcqy.acts.context import Ctx
from lcqy.acts.intake.register import FIELDS, MEASURES_START, clean_field
from lcqy.errors import LcqyError
from lcqy.rules import validate
from lcqy.rules.constants import SATISFACTION, STATES, SUPERVISION
from lcqy.rules.numbering import format_number, parse_number
from lcqy.rules.states import TERMINAL

_STATE_KEYS = {v: k for k, v in STATES.items()}
_SUPERVISION_KEYS = {v: k for k, v in SUPERVISION.items() if k}
REQUIRED = ("category", "enterprise", "channel", "problem", "reported_on")
# An imported sheet may skip numbers its old ledger issued (returned dispatches, voided
# entries); far more gaps than rows means a typing error, which would void them all for good.
GAP_ALLOWANCE = 20


@dataclass
class Row:
    """One sheet row, parsed and checked."""

    where: str
    fields: dict = field(default_factory=dict)
    reg: tuple[int, int] | None = None  # (year, seq) of a 登记编号 the row carries
    disp: tuple[str, int, int] | None = None  # (交|报, year, seq)
    state: str = "registered"
    result: str = ""
    replied_on: date | None = None
    satisfaction: str = ""
    due: date | None = None
    lead: str = ""
    assist: list[str] = field(default_factory=list)
    urges: int = 0
    late: int = 0
    major: bool = False
    consult: bool = False
    supervision: str = ""
    dispatched_on: date | None = None
    approver: str = ""
    merged_into: tuple[int, int] | None = None  # (year, seq) of the case a duplicate joined
    reg_no: str = ""  # the number the row got


@dataclass(slots=True)
class Facts:
    """What the checks across rows need of a row: kept for every row while the rest of it
    goes to the spool (a 100,000-row sheet keeps a few tens of bytes a row)."""

    sheet: str
    line: int
    reg: tuple[int, int] | None
    disp: tuple[str, int, int] | None
    merged_into: tuple[int, int] | None
    state: str
    accepted: date | None

    @classmethod
    def of(cls, sheet: str, line: int, row: Row) -> Facts:
        accepted = row.fields.get("accepted_on") or row.fields.get("reported_on")
        return cls(sheet, line, row.reg, row.disp, row.merged_into, row.state, accepted)

    @property
    def where(self) -> str:
        return f"工作表“{self.sheet}”第{self.line}行"


class _Problems(list):
    def at(self, where: str, fn, *args):
        """fn(*args), or None with its refusal recorded at `where`."""
        try:
            return fn(*args)
        except LcqyError as exc:
            self.append(f"{where}：{exc.message}")
            return None


def _number(p: _Problems, where: str, text: str, kinds: str, prefix: str, label: str):
    num = parse_number(text)
    if num is None or num.kind not in kinds:
        p.append(f"{where}：{label}“{text}”格式不对，应如 {prefix}服企办{kinds[0]}（2026）第1号。")
    elif num.prefix != prefix:
        p.append(f"{where}：{label}“{text}”的简称“{num.prefix}”与本台帐（{prefix}）不符。")
    elif num.seq > 10**6:
        p.append(f"{where}：{label}“{text}”的序号过大。")
    else:
        return num
    return None


def check_row(ctx: Ctx, where: str, v: dict, prefix: str, level: str) -> tuple[Row, list[str]]:
    row, p = Row(where), _Problems()
    text = {k: "" if x is None else str(x).strip() for k, x in v.items()}
    for key in REQUIRED:
        if not text.get(key):
            p.append(f"{where}：缺少{FIELDS[key][0]}。")
    for key in FIELDS:
        if text.get(key) and key not in ("reported_on", "accepted_on"):
            row.fields[key] = p.at(where, clean_field, key, v[key])
    for key in ("reported_on", "accepted_on"):
        if text.get(key):
            d = p.at(where, validate.parse_date, FIELDS[key][0], v[key])
            row.fields[key] = d and p.at(where, validate.not_future, FIELDS[key][0], d, ctx.today)
    accepted = row.fields.get("accepted_on") or row.fields.get("reported_on")
    if accepted and accepted < MEASURES_START:
        p.append(f"{where}：受理时间 {accepted} 早于办法施行日 {MEASURES_START}。")
    if text.get("reg_no"):
        num = _number(p, where, text["reg_no"], "收", prefix, "登记编号")
        if num:
            row.reg = (num.year, num.seq)
            if accepted and num.year != accepted.year:
                p.append(f"{where}：登记编号年份 {num.year} 与受理时间 {accepted} 不符（编号年份取受理之日）。")
    if text.get("dispatch_no"):
        num = _number(p, where, text["dispatch_no"], "交报", prefix, "交办/转报编号")
        if num:
            row.disp = (num.kind, num.year, num.seq)
            if accepted and not accepted.year <= num.year <= ctx.today.year:
                p.append(f"{where}：交办/转报编号年份 {num.year} 不在受理年份与今年之间。")
            if num.kind == "报" and level != "county":
                p.append(f"{where}：市级台帐没有转报编号。")
    if text.get("dispatched_on"):
        row.dispatched_on = p.at(where, validate.parse_date, "交办日期", v["dispatched_on"])
        if row.dispatched_on and accepted and not accepted <= row.dispatched_on <= ctx.today:
            p.append(f"{where}：交办日期 {row.dispatched_on} 应在受理时间 {accepted} 与今天之间。")
    row.approver = p.at(where, validate.optional_text, "签批领导", text.get("approver", ""), 50) or ""
    if text.get("merged_into"):
        num = _number(p, where, text["merged_into"], "收", prefix, "并入")
        if num:
            row.merged_into = (num.year, num.seq)
    row.result = text.get("result", "")
    if row.result and row.result not in ("A", "B", "C"):
        p.append(f"{where}：办理结果“{row.result}”只能是 A、B、C。")
    row.satisfaction = text.get("satisfaction", "")
    if row.satisfaction and row.satisfaction not in SATISFACTION:
        p.append(f"{where}：满意度“{row.satisfaction}”不在可选范围内，可选：{'、'.join(SATISFACTION)}。")
    if text.get("due_date"):
        row.due = p.at(where, validate.parse_date, "办结时限", v["due_date"])
    if text.get("replied_on"):
        row.replied_on = p.at(where, validate.parse_date, "答复时间", v["replied_on"])
    # A 专项督办 case re-dispatched to another department (第十八条) shows the answer that went
    # before its new dispatch.
    redone = text.get("supervision") == "专项督办" and text.get("state") == STATES["dispatched"]
    start = accepted if redone else row.dispatched_on or accepted
    if row.replied_on and start and not start <= row.replied_on <= ctx.today:
        p.append(f"{where}：答复时间 {row.replied_on} 应在交办（或受理）日期 {start} 与今天之间。")
    if row.due and start and row.due < start:
        p.append(f"{where}：办结时限 {row.due} 早于交办（或受理）日期 {start}。")
    if row.disp and row.dispatched_on and row.disp[1] != row.dispatched_on.year:
        p.append(
            f"{where}：交办/转报编号年份 {row.disp[1]} 与交办日期 {row.dispatched_on} 不符（编号年份取交办之日）。"
        )
    if not row.disp:
        carried = [
            label
            for key, label in (
                ("lead_dept", "牵头部门"),
                ("dispatched_on", "交办日期"),
                ("approver", "签批领导"),
                ("due_date", "办结时限"),
            )
            if text.get(key)
        ]
        if carried:
            p.append(f"{where}：有{'、'.join(carried)}但没有交办/转报编号。")
    row.lead = text.get("lead_dept", "")
    if row.lead:
        p.at(where, validate.required_text, "牵头部门", row.lead, 50)
    row.assist = [a for a in (v.get("assist_depts") or []) if a]
    if row.lead and row.lead in row.assist:
        p.append(f"{where}：“{row.lead}”既是牵头部门又是配合部门（第十四条：牵头单位为一个）。")
    for key, label in (("urge_count", "催办次数"), ("days_late", "超期工作日")):
        n = v.get(key) or 0
        if not isinstance(n, int) or n < 0:
            p.append(f"{where}：{label}“{v.get(key)}”应为不小于0的整数。")
        else:
            setattr(row, "urges" if key == "urge_count" else "late", n)
    nature = text.get("nature", "")
    row.major, row.consult = "重大" in nature, "咨询" in nature
    sup = text.get("supervision", "")
    if sup and sup not in _SUPERVISION_KEYS:
        p.append(f"{where}：督办“{sup}”只能是：{'、'.join(_SUPERVISION_KEYS)}。")
    row.supervision = _SUPERVISION_KEYS.get(sup, "")
    p += _state(row, text.get("state", ""), where)
    if row.supervision and row.state != "replied" and not (row.state == "dispatched" and row.supervision == "special"):
        p.append(f"{where}：督办（{sup}）只用于已答复的案件，该行状态为“{STATES[row.state]}”。")
    return row, p


def _state(row: Row, label: str, where: str) -> list[str]:
    """The row's state: as written, or read from what it carries; and whether they agree."""
    kind = row.disp[0] if row.disp else ""
    derived = "replied" if row.result else {"报": "escalated", "交": "dispatched"}.get(kind, "registered")
    if label and label not in _STATE_KEYS:
        return [f"{where}：状态“{label}”不在可选范围内，可选：{'、'.join(STATES.values())}。"]
    row.state = _STATE_KEYS.get(label, derived)
    need = {
        "dispatched": (
            kind == "交" and (not row.result or row.supervision == "special"),
            "须有交办编号和牵头部门、没有办理结果（专项督办重新交办的除外）",
        ),
        "escalated": (kind == "报" and not row.result, "须有转报编号、没有办理结果"),
        "replied": (bool(kind and row.result and row.replied_on), "须有交办或转报编号、办理结果和答复时间"),
        "closed": (
            bool(kind and row.result == "A" and row.replied_on and row.satisfaction in ("满意", "基本满意")),
            "须有交办或转报编号、A类结果、答复时间，且满意或基本满意",
        ),
        "merged": (bool(row.merged_into) and not kind and not row.result, "须在“并入”栏写明并入案件的登记编号"),
    }
    ok, what = need.get(row.state, (not kind and not row.result, "不应有交办/转报编号或办理结果"))
    problems = [] if ok else [f"{where}：状态“{STATES[row.state]}”{what}。"]
    if row.merged_into and row.state != "merged":
        problems.append(f"{where}：写了“并入”，状态却是“{STATES[row.state]}”；并入的案件状态应为已合并。")
    if kind == "交" and not row.lead:
        problems.append(f"{where}：有交办编号但缺少牵头部门。")
    if row.result and not row.replied_on:
        problems.append(f"{where}：有办理结果但缺少答复时间。")
    return problems


def check_sheet(ctx: Ctx, rows: list[Facts]) -> tuple[list[str], list[tuple[str, int, int]]]:
    """What no single row shows: numbers used twice or already in the ledger, merges into a
    case that cannot take them, numbering gaps. Returns (problems, the (kind, year, seq) of the
    numbers that the import will void: issued by the old ledger, shown nowhere)."""
    db = ctx.ledger.db
    problems: list[str] = []
    seen: dict[tuple, Facts] = {}
    issued: dict[tuple[str, int], set[int]] = {}  # the ledger's numbers, by kind and year, as needed
    for row in rows:
        for num in ((("收", *row.reg) if row.reg else None), row.disp):
            if num is None:
                continue
            if num in seen:
                problems.append(f"{row.where}：编号与{seen[num].where}重复。")
            seen[num] = row
            have = issued.get(num[:2])
            if have is None:
                have = issued[num[:2]] = _issued(db, *num[:2])
            if num[2] in have:
                problems.append(f"{row.where}：编号 {num[0]}（{num[1]}）第{num[2]}号 已在台帐中。")
    for row in rows:
        if not row.merged_into:
            continue
        target = seen.get(("收", *row.merged_into))
        if target is row:
            problems.append(f"{row.where}：案件不能并入它自己。")
            continue
        # A target in the sheet may have ended after the duplicate joined it (closed, merged on,
        # …): the sheet gives no merge date to tell otherwise. One already in the ledger could
        # not take a duplicate accepted after it had ended.
        ended = None
        if target is not None:
            state = target.state
        else:
            got = db.execute(
                "SELECT state, ended_on FROM cases WHERE reg_year = ? AND reg_seq = ?", list(row.merged_into)
            ).fetchone()
            state, ended = got or (None, None)
        accepted = row.accepted
        if state is None:
            problems.append(
                f"{row.where}：并入的案件（{row.merged_into[0]}年第{row.merged_into[1]}号）不在表中，也不在台帐中。"
            )
        elif state in TERMINAL and ended and accepted and ended < accepted.isoformat():
            problems.append(
                f"{row.where}：并入的案件 {ended} 已“{STATES[state]}”，早于本件受理时间 {accepted}，不能并入。"
            )
    voids: list[tuple[str, int, int]] = []
    claimed: dict[tuple[str, int], set[int]] = {}
    for kind, year, seq in seen:
        claimed.setdefault((kind, year), set()).add(seq)
    for (kind, year), seqs in sorted(claimed.items()):
        have = issued[(kind, year)]
        missing = sorted(set(range(1, max(seqs) + 1)) - seqs - have)
        if len(missing) > max(GAP_ALLOWANCE, len(rows)):
            problems.append(
                f"{year}年“{kind}”字号最大到第{max(seqs)}号，中间有 {len(missing)} 个号表中和台帐中都没有；"
                "请核对编号是否写错（导入会把空号作废，永不再用）。"
            )
        voids += [(kind, year, seq) for seq in missing]
    return problems, voids


def _issued(db, kind: str, year: int) -> set[int]:
    return {s for (s,) in db.execute("SELECT seq FROM numbers WHERE kind=? AND year=?", [kind, year])}


def number_ranges(prefix: str, numbers: list[tuple[str, int, int]], most: int = 12) -> str:
    """临翔服企办收（2026）第103–119号、第121号 …: runs of numbers, by kind and year."""

    parts: list[str] = []
    for (kind, year), seqs in _grouped(numbers).items():
        runs: list[list[int]] = []
        for seq in seqs:
            if runs and seq == runs[-1][1] + 1:
                runs[-1][1] = seq
            else:
                runs.append([seq, seq])
        texts = [f"第{a}号" if a == b else f"第{a}–{b}号" for a, b in runs]
        head = format_number(prefix, kind, year, 1).split("第")[0]
        parts.append(head + "、".join(texts[:most]) + (f" 等 {len(texts)} 段" if len(texts) > most else ""))
    return "；".join(parts)


def _grouped(numbers: list[tuple[str, int, int]]) -> dict[tuple[str, int], list[int]]:
    out: dict[tuple[str, int], list[int]] = {}
    for kind, year, seq in sorted(numbers):
        out.setdefault((kind, year), []).append(seq)
    return out
