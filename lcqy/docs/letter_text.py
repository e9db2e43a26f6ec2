"""What a 催办函 or 督办函 says, from what the ledger knows (pure; no docx import).

Three letters under 第十八条, told apart by `urge_kind`:

- 催办 (no reply by the 办结时限): the 交办编号, the 办结时限 and the working days late;
- 督办台帐 (a B/C reply whose plan is not done): the reply received (date, 文号, result) and the
  承诺完成时限 the department set, asking for completion or progress;
- 专项督办 (an incomplete or unsatisfying reply): the reason and the 督办时限.

The acts pass the facts as context keys (see `KEYS`); a key left out falls back on what the
older context carried (`due_date`, `basis`), and a sentence whose fact is unknown is worded
without it, so a letter never states what the ledger does not say.
"""

from __future__ import annotations

import datetime
import re

from lcqy.docs.letter_fit import width_em

__all__ = ["KEYS", "RESULTS", "copy_lines", "day", "prepare", "reply_text", "width_em"]

KINDS = ("催办", "督办台帐", "专项督办")
# Context keys a letter may use beyond the 催办函's own (lcqy.docs.render OPTIONAL["urge"]).
KEYS = (
    "urge_kind",  # 催办 | 督办台帐 | 专项督办
    "letterhead",  # the red 版头 over the first page: on unless given as "" / False
    "reply_on",  # the date of the reply received
    "reply_doc_no",  # its 文号
    "reply_result",  # A | B | C
    "promised_by",  # 承诺完成时限: the plan date of a B/C reply
    "supervise_reason",  # why the case is under 专项督办
    "supervise_set_on",  # when it was put there
    "supervise_due",  # 督办时限
    # derived here, for the template
    "reply_text",
    "is_late",
)
RESULTS = {
    "A": "A类（已经解决或基本解决）",
    "B": "B类（正在解决或列入规划逐步解决）",
    "C": "C类（目前条件限制需以后解决）",
}

# The 版记's 抄送 line (4号, condensed by a quarter point, GB/T 9704 §7.4.2): one character in from
# each side, the names after 抄送： and every continuation line under the first name.
IMPRINT_EM = 14.0 - 0.25
TEXT_WIDTH_PT = 442.2
COPY_LABEL = "抄送："


def _kind(context: dict) -> str:
    kind = str(context.get("urge_kind") or "")
    if kind in KINDS:
        return kind
    # An older context: the title says 催办 or 督办, the basis sentence which supervision.
    if str(context.get("letter_title") or "催办函") == "催办函":
        return "催办"
    basis = str(context.get("basis") or "")
    return "专项督办" if "专项督办" in basis else "督办台帐"


def _late(value) -> bool:
    try:
        return int(str(value or "0")) > 0
    except ValueError:
        return bool(value)


def day(value) -> str:
    """A date (date object or ISO text) as 2026年10月9日; other text as it is."""
    if isinstance(value, datetime.date):
        return f"{value.year}年{value.month}月{value.day}日"
    text = str(value or "")
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        y, m, d = (int(x) for x in text.split("-"))
        return f"{y}年{m}月{d}日"
    return text


def reply_text(context: dict) -> str:
    """你单位已于2026年10月9日以临翔自然资函〔2026〕12号答复我办，答复为B类（…）: the parts
    the ledger has, the others left out."""
    on = day(context.get("reply_on"))
    doc = str(context.get("reply_doc_no") or "")
    result = RESULTS.get(str(context.get("reply_result") or "").upper(), "")
    text = "你单位已" + (f"于{on}" if on else "") + (f"以{doc}" if doc else "") + "答复我办"
    return text + (f"，答复为{result}" if result else "")


def copy_lines(units: list[str], cap_em: float | None = None) -> str:
    """The 抄送 names joined by ，and ended by 。, broken between names only: lines of at most
    `cap_em` ems (the line after 抄送：), joined with newlines. A name longer than a whole line
    is the only one left to the word processor to break."""
    if cap_em is None:
        cap_em = (TEXT_WIDTH_PT - 2 * IMPRINT_EM) / IMPRINT_EM - len(COPY_LABEL)
    lines: list[str] = []
    line = ""
    for i, unit in enumerate(units):
        piece = unit + ("。" if i == len(units) - 1 else "，")
        if line and width_em(line + piece) > cap_em:
            lines.append(line)
            line = ""
        line += piece
    if line:
        lines.append(line)
    return "\n".join(lines)


def _units(value) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(x).strip() for x in value if str(x).strip()]
    return [x.strip() for x in re.split(r"[，、,；;\n]", str(value or "")) if x.strip()]


def prepare(context: dict) -> dict:
    """The letter's context with its kind, title, derived sentences and fallbacks filled in."""
    out = dict(context)
    kind = _kind(out)
    out["urge_kind"] = kind
    out["letter_title"] = "催办函" if kind == "催办" else "督办函"  # the title names the letter it is
    if kind == "督办台帐":
        out["promised_by"] = out.get("promised_by") or out.get("due_date") or ""
    if kind == "专项督办":
        out["supervise_due"] = out.get("supervise_due") or out.get("due_date") or ""
        out["supervise_reason"] = str(out.get("supervise_reason") or "").rstrip("。；;，, ")
    out["reply_text"] = reply_text(out)
    out["is_late"] = "是" if _late(out.get("days_late")) else ""
    out["letterhead"] = "" if out.get("letterhead") in ("", False, "否", "0", 0) else "是"
    # §7.4.2: 抄送机关间用逗号, broken between names; the template adds the closing 。
    out["assist_depts"] = copy_lines(_units(out.get("assist_depts")))[:-1]
    return out
